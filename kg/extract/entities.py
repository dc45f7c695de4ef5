"""Entities: the known ones by id through the graph's own matcher, new ones as candidates to review."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.ids import slug
from kg.load import Entity, Item, Where
from kg.mentions import Matcher
from kg.source import fold_key

ORG_HEADS = (r"Association|R[ée]seau|F[ée]d[ée]ration|Ville\s+d[e']|Communaut[ée]\s+(?:de\s+communes|d['’]agglom[ée]ration|urbaine)"
             r"|Conseil|Agence|Chambre|Collectif|Union|M[ée]tropole|Syndicat|Coop[ée]rative|Fondation|Institut|Maison")
ORG_RE = re.compile(r"\b(?P<name>(?:" + ORG_HEADS + r")(?:\s+(?:d[eu]s?|de\s+la|de\s+l['’]|pour|l['’])?\s*[A-ZÉÈÀÎ][\w’'-]+){1,5})")
ACRONYM_RE = re.compile(r"(?P<name>(?:[A-ZÉÈÀÎ][\w’'-]+\s+)(?:(?:[\w’'-]+\s+){0,7}?))\((?P<acr>[A-Z][A-Z0-9&-]{1,9})\)")
PERSON_RE = re.compile(r"\bavec\s+(?!(?:Les|La|Le|Des|Du)\b)(?P<name>[A-ZÉÈ][a-zéèëïô]+(?:-[A-ZÉÈ][a-zéèëïô]+)?\s+(?:(?:de|Le|La|Du)\s+)?[A-ZÉÈ][a-zéèëïô]+(?:-[A-ZÉÈ][a-zéèëïô]+)?)\b(?!\s+[A-ZÉÈ])")
ACRONYM_ALONE = re.compile(r"(?<![\w’'-])[A-Z][A-Z0-9]{1,6}(?![\w’'-])")
# a capitalised acronym that is also an ordinary French word ("MES") is only a guess, bound to its line
COMMON_WORDS = {"les", "des", "mes", "tes", "ses", "une", "par", "pour", "sur", "dans", "la", "le", "de", "du", "en",
                "et", "ou", "au", "aux", "ce", "son", "sa", "ma", "ta", "on", "nous", "vous", "etat", "place", "fil",
                "axe", "vie", "art", "mer", "pas", "plus", "tout", "bien", "if", "vs"}
LAW_RE = re.compile(r"\b(?P<name>(?:loi|d[ée]cret)\s+(?:n°\s*[\d-]+|[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)?))")


@dataclass
class Candidate:
    kind: str  # person | organisation | law
    id: str
    label: str
    quote: str
    lines: tuple[int, int]
    confidence: float
    note: str = ""
    merge: str | None = None  # "kind:id" of a known entity it may be, to confirm or refuse
    merge_label: str | None = None  # that entity's label, for people
    alias_line: int | None = None  # an ordinary word as a name: valid at this line only


class Known:
    """The entities already in the graph: names → ids, and the mention matcher over item texts."""

    def __init__(self, entities: dict[tuple[str, str], Entity]):
        self.entities = entities
        self.by_name: dict[str, list[Entity]] = {}
        for entity in entities.values():
            for text in [entity.label] + [a.text for a in entity.aliases if a.lines is None]:
                self.by_name.setdefault(fold_key(text), []).append(entity)
        self.matcher = Matcher(list(entities.values()))

    def agent(self, name: str) -> Entity | None:
        """A person or organisation printed in a role line, by its label or alias."""
        found = [e for e in self.by_name.get(fold_key(name), []) if e.kind in ("person", "organisation")]
        return found[0] if found else None

    def knows(self, name: str) -> bool:
        return fold_key(name) in self.by_name

    def close(self, name: str) -> Entity | None:
        """A known entity whose name contains this one, or the reverse (a proposed merge, never applied)."""
        key = fold_key(name)
        if len(key) < 4:
            return None
        for other, entities in self.by_name.items():
            if len(other) >= 4 and (f" {key} " in f" {other} " or f" {other} " in f" {key} "):
                return entities[0]
        return None

    def mentions(self, item: Item) -> list[tuple[str, str, str]]:
        """(kind, id, exact text) of every known entity the item's text names."""
        return [(m.entity.kind, m.entity.id, m.exact) for m in self.matcher.find(item)]

    def names(self, item: Item) -> list[tuple[int, int, str]]:
        """(start, end, label) of the known organisations the item prints: their label may name an event."""
        return [(m.start, m.end, m.entity.label) for m in self.matcher.find(item) if m.entity.kind == "organisation"]

    def places(self, item: Item) -> list[tuple[int, int, str]]:
        return [(m.start, m.end, m.entity.id) for m in self.matcher.find(item) if m.entity.kind == "territory"]


def speakers(text: str, known: Known) -> list[str]:
    """Ids of the people an event item names with "avec Prénom Nom" (known, or the candidate's id)."""
    out = []
    for m in PERSON_RE.finditer(text):
        entity = known.agent(m.group("name"))
        if entity is None or entity.kind == "person":
            out.append(entity.id if entity else slug(m.group("name")))
    return out


def make_item(text: str, lines: tuple[int, int], fiche: int = 0) -> Item:
    return Item(fiche, "", 1, 1, text, lines, Where("", lines[0], f"fiche {fiche}"))


def candidates_in(text: str, lines: tuple[int, int], known: Known) -> list[Candidate]:
    """New names an item prints: acronyms it defines, organisations by their head word, "avec Prénom Nom", laws,
    and acronyms standing alone (low confidence: to look at, not to take as is)."""
    out: list[Candidate] = []
    named = [(m.start, m.end) for m in known.matcher.find(make_item(text, lines))]
    for m in ACRONYM_RE.finditer(text):
        acr, name = m.group("acr"), m.group("name").strip()
        words = name.split()
        # the expansion is the last words whose initials spell the acronym, as printed
        initials = [w for w in words if w[0].isupper()]
        if len(initials) >= 2 and not known.knows(acr):
            start = next((i for i, w in enumerate(words) if w[0].upper() == acr[0]), 0)
            label = " ".join(words[start:])
            out.append(Candidate("organisation", slug(acr), label, m.group(0), lines, 0.7,
                                 f"acronyme {acr} défini dans le texte"))
    for m in ORG_RE.finditer(text):
        name = m.group("name").strip()
        if not known.knows(name) and not any(fold_key(name) in fold_key(k.label) or fold_key(k.label) in fold_key(name)
                                             for k in out):
            out.append(Candidate("organisation", slug(name), name, name, lines, 0.6, "nom d'organisation (mot de tête)"))
    for m in PERSON_RE.finditer(text):
        name = m.group("name")
        if not known.knows(name):
            out.append(Candidate("person", slug(name), name, m.group(0), lines, 0.6, "« avec Prénom Nom »"))
    for m in ACRONYM_ALONE.finditer(text):
        acr = m.group()
        if known.knows(acr) or any(a <= m.start() < b for a, b in named) or any(acr in c.quote for c in out):
            continue
        line = lines[0]
        if acr.lower() in COMMON_WORDS:
            out.append(Candidate("organisation", slug(acr), acr, acr, lines, 0.1,
                                 f"sigle qui est aussi un mot courant : alias limité à la ligne {line}", alias_line=line))
        else:
            out.append(Candidate("organisation", slug(acr), acr, acr, lines, 0.3, "sigle seul, jamais défini dans le texte"))
    for m in LAW_RE.finditer(text):
        name = m.group("name")
        if not known.knows(name) and not known.knows(name.split(None, 1)[1]):
            out.append(Candidate("law", slug(name), name, name, lines, 0.5, "texte de loi nommé"))
    return out
