"""Find every mention of a known entity in every quoted text, with its exact position."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.load import Alias, Dataset, Entity, Item
from kg.source import fold

CONTEXT = 30  # characters of prefix and suffix kept with each quote
#: An organisation named inside the name of one of these is an actor too ("Appel à commun de l'Ademe").
OWNED_BY_ACTORS = ("concept", "publication", "law")


@dataclass(frozen=True)
class Mention:
    item: Item
    entity: Entity
    start: int  # offsets in item.text
    end: int
    exact: str
    prefix: str
    suffix: str


class Matcher:
    """One regular expression over every folded label and alias, longest alternative first."""

    def __init__(self, entities: list[Entity]):
        self.by_key: dict[str, list[tuple[Entity, Alias]]] = {}
        self.restricted: list[tuple[re.Pattern[str], Entity, Alias]] = []
        for entity in entities:
            for alias in [Alias(entity.label), *entity.aliases]:
                key = fold(alias.text)[0].strip()
                if len(key) < 2:
                    continue
                if alias.lines:
                    self.restricted.append((re.compile(rf"(?<!\w){re.escape(key)}(?!\w)"), entity, alias))
                else:
                    self.by_key.setdefault(key, []).append((entity, alias))
        self.pattern = self._compile(self.by_key)
        # a second pass finds organisations nested in other names, which one pass of the first would swallow
        self.org_pattern = self._compile([k for k, found in self.by_key.items()
                                          if any(e.kind == "organisation" for e, _ in found)])

    @staticmethod
    def _compile(keys) -> re.Pattern[str]:
        body = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)) or r"(?!x)x"
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)")

    def find(self, item: Item) -> list[Mention]:
        """Longest match wins: a span inside a longer mention ("Bretagne" in "CRESS Bretagne") is dropped,
        except an organisation inside the name of a tool, publication or law, which acts in it."""
        folded, origin = fold(item.text)
        spans: list[tuple[int, int, Entity]] = []
        for match in self.pattern.finditer(folded):
            spans += [(match.start(), match.end(), e) for e, _ in self.by_key[match.group()]]
        for match in self.org_pattern.finditer(folded):
            spans += [(match.start(), match.end(), e) for e, _ in self.by_key[match.group()] if e.kind == "organisation"]
        spans = list({(a, b, e.kind, e.id): (a, b, e) for a, b, e in spans}.values())
        for pattern, entity, alias in self.restricted:
            if item.lines[0] <= alias.lines[0] <= item.lines[1]:
                spans += [(m.start(), m.end(), entity) for m in pattern.finditer(folded)]
        kept: list[tuple[int, int, Entity]] = []
        for start, end, entity in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
            clash = [k for k in kept if k[0] < end and start < k[1]]
            nested_actor = entity.kind == "organisation" and clash and all(
                k[0] <= start and end <= k[1] and k[2].kind in OWNED_BY_ACTORS for k in clash)
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
