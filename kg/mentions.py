"""Find every mention of a known entity in every quoted text, with its exact position."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.load import Alias, Dataset, Entity, Item
from kg.source import fold, fold_text

CONTEXT = 30  # characters of prefix and suffix kept with each quote
#: A person, organisation or tool named inside another entity's name counts too ("Appel à commun de l'Ademe",
#: "thèse Charlotte Dudignac", "Points de RepèrESS - Cités de l'emploi"): it is printed there, in the same quote.
#: A tool inside a narrower tool's name ("coopératives" in "plateformes coopératives") is left to skos:broader.
NESTED_KINDS = ("person", "organisation", "concept")


@dataclass(frozen=True)
class Mention:
    item: Item
    entity: Entity
    start: int  # offsets in item.text
    end: int
    exact: str
    prefix: str
    suffix: str


_WORD = re.compile(r"\w+")


class Matcher:
    """Every folded label and alias as a tuple of words, looked up at each word of a text (linear in the text,
    whatever the number of entities: a single regular expression of all names was quadratic at scale)."""

    def __init__(self, entities: list[Entity]):
        self.by_key: dict[tuple[str, ...], list[tuple[Entity, Alias]]] = {}
        for entity in entities:
            for alias in [Alias(entity.label), *entity.aliases]:
                words = tuple(_WORD.findall(fold_text(alias.text)))
                if words and len("".join(words)) >= 2:
                    self.by_key.setdefault(words, []).append((entity, alias))
        self.longest = max((len(k) for k in self.by_key), default=0)

    def find(self, item: Item) -> list[Mention]:
        """Longest match wins: a span inside a longer mention ("Bretagne" in "CRESS Bretagne") is dropped,
        except a person, an organisation or a tool inside another entity's name, which is mentioned there too."""
        folded, origin = fold(item.text)
        words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
        spans: list[tuple[int, int, Entity]] = []
        for i in range(len(words)):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                found = self.by_key.get(tuple(w for w, _, _ in words[i:i + n]))
                if not found:
                    continue
                start, end = words[i][1], words[i + n - 1][2]
                for entity, alias in found:
                    if alias.lines and not (item.lines[0] <= alias.lines[0] <= item.lines[1]):
                        continue
                    spans.append((start, end, entity))
        spans = list({(a, b, e.kind, e.id): (a, b, e) for a, b, e in spans}.values())
        kept: list[tuple[int, int, Entity]] = []
        for start, end, entity in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
            clash = [k for k in kept if k[0] < end and start < k[1]]
            # not a shorter form of the same entity, nor a broader tool inside a narrower one (skos:broader says that)
            nested_actor = entity.kind in NESTED_KINDS and clash and all(
                k[0] <= start and end <= k[1] and (k[0], k[1]) != (start, end) and k[2] is not entity
                and not (entity.kind == "concept" == k[2].kind) for k in clash)
            if clash and not nested_actor and not all((k[0], k[1]) == (start, end) for k in clash):
                continue
            if any((k[0], k[1], k[2].kind, k[2].id) == (start, end, entity.kind, entity.id) for k in clash):
                continue
            kept.append((start, end, entity))
        found = []
        for fstart, fend, entity in sorted(kept, key=lambda s: s[0]):
            start, end = origin[fstart], origin[fend - 1] + 1
            found.append(Mention(item, entity, start, end, item.text[start:end],
                                 item.text[max(0, start - CONTEXT):start], item.text[end:end + CONTEXT]))
        return found


def find_mentions(dataset: Dataset) -> list[Mention]:
    """Every mention in every item of every fiche, in document order."""
    matcher = Matcher(list(dataset.entities.values()))
    mentions: list[Mention] = []
    for fiche in dataset.fiches:
        for item in fiche.items:
            mentions.extend(matcher.find(item))
    return mentions
