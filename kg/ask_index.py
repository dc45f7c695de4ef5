"""Names in a question: the entity index (keys, distinctive words, families, axes) and the longest-match finder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kg.ask_words import COMMON, STOP, SUBJECT_WORDS
from kg.source import fold_key
from kg.store import Store

_INDEX: dict[str, Any] = {}

LOOKUP = """PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label ?type ?key ?acronym WHERE {
  ?entity kg:searchKey ?key ; rdfs:label ?label ; kg:entityType ?type . OPTIONAL { ?entity kg:acronym ?acronym }
}"""

ACRONYMS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entity (MIN(?alias) AS ?alt) WHERE {
  ?entity skos:altLabel ?alias . FILTER (REGEX(STR(?alias), "^[A-Z][A-Z0-9+]{1,7}$"))
} GROUP BY ?entity"""

PARENTS = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?member ?family ?label ?type ?acronym WHERE {
  ?member org:subOrganizationOf ?family . ?family rdfs:label ?label ; kg:entityType ?type .
  OPTIONAL { ?family kg:acronym ?acronym }
}"""

AXES = """PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?axis ?label ?number ?position WHERE {
  ?axis a kg:Axis ; rdfs:label ?label ; kg:position ?position . OPTIONAL { ?axis kg:axisNumber ?number }
} ORDER BY ?position"""


@dataclass
class Span:
    start: int
    end: int
    entities: list[dict[str, str]]
    exact: bool


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9+]+", text)


def index(store: Store) -> dict[str, Any]:
    """Keys, distinctive words, families and axes of the graph, cached per store version."""
    version = f"{id(store)}:{store.version()}"
    if _INDEX.get("version") == version:
        return _INDEX
    by_key: dict[str, list[dict[str, str]]] = {}
    by_word: dict[str, dict[str, dict[str, str]]] = {}
    for row in store.query(LOOKUP).rows:
        entity = {"iri": str(row["entity"]), "label": str(row["label"]), "type": str(row["type"]),
                  "acronym": str(row["acronym"]) if row.get("acronym") is not None else ""}
        if entity["type"] == "evenement":
            continue  # events are asked for by period and kind, not by name
        key = " ".join(tokens(str(row["key"])))
        if entity not in by_key.setdefault(key, []):
            by_key[key].append(entity)
        if entity["type"] in ("personne", "organisation", "territoire"):
            shortest = 4 if entity["type"] == "personne" else 5
            for word in key.split():
                if len(word) >= shortest and word not in STOP and word not in COMMON:
                    by_word.setdefault(word, {})[entity["iri"]] = entity
    acronyms = {str(r["entity"]): str(r["alt"]) for r in store.query(ACRONYMS).rows}
    for found in by_key.values():
        for entity in found:
            if not entity["acronym"] and entity["iri"] in acronyms:
                entity["acronym"] = acronyms[entity["iri"]]
    families: dict[str, dict[str, str]] = {}
    for r in store.query(PARENTS).rows:
        families[str(r["member"])] = {"iri": str(r["family"]), "label": str(r["label"]), "type": str(r["type"]),
                                      "acronym": str(r["acronym"]) if r.get("acronym") is not None else ""}
    axes = [{"iri": str(r["axis"]), "label": str(r["label"]), "key": " ".join(tokens(fold_key(str(r["label"])))),
             "number": str(r["number"]) if r.get("number") is not None else ""} for r in store.query(AXES).rows]
    _INDEX.clear()
    _INDEX.update(version=version, by_key=by_key, by_word=by_word, families=families, axes=axes,
                  words=[w for w, found in by_word.items() if len(found) <= 3],
                  long_keys=[k for k in by_key if len(k) >= 10 and " " in k])
    return _INDEX


def find_entities(folded: str, store: Store, ignore: set[str]) -> list[Span]:
    """Longest spans of the question that name an entity: exact keys first, then keys with small typos, longest
    first ("territoire zero chomeurs de longue duree"), then distinctive words ("federicci", "eurometropole")."""
    from rapidfuzz import fuzz, process

    ix = index(store)
    words_of = tokens(folded)
    taken = [False] * len(words_of)
    spans: list[Span] = []

    def free(i: int, n: int) -> bool:
        return not any(taken[i:i + n])

    for n in range(min(8, len(words_of)), 0, -1):
        for i in range(len(words_of) - n + 1):
            words = words_of[i:i + n]
            if not free(i, n) or all(w in STOP for w in words) or (n == 1 and words[0] in ignore):
                continue
            key = " ".join(words)
            if key in ix["by_key"]:
                spans.append(Span(i, i + n, ix["by_key"][key], True))
                taken[i:i + n] = [True] * n
    for n in range(min(8, len(words_of)), 1, -1):  # the same longest-first rule for names with typos
        for i in range(len(words_of) - n + 1):
            words = words_of[i:i + n]
            if not free(i, n) or {words[0], words[-1]} & (STOP | ignore):
                continue
            best = process.extractOne(" ".join(words), ix["long_keys"], scorer=fuzz.ratio, score_cutoff=88)
            if best:
                spans.append(Span(i, i + n, ix["by_key"][best[0]], False))
                taken[i:i + n] = [True] * n
    for i, word in enumerate(words_of):
        if taken[i] or len(word) < 4 or word in STOP or word in ignore:
            continue
        match = word if word in ix["by_word"] else None
        if match is None and len(word) >= 6:
            best = process.extractOne(word, ix["words"], scorer=fuzz.ratio, score_cutoff=85)
            match = best[0] if best else None
        if match and len(ix["by_word"][match]) <= 3:
            spans.append(Span(i, i + 1, list(ix["by_word"][match].values()), False))
            taken[i] = True
    spans.sort(key=lambda s: s.start)
    return _merged(spans, words_of)


def _merged(spans: list[Span], words: list[str]) -> list[Span]:
    """Neighbouring spans that name the same entities, with only small words between them, are one name
    ("territoire zero chomeurs" found word by word)."""
    out: list[Span] = []
    for span in spans:
        last = out[-1] if out else None
        if last and last.entities == span.entities and all(w in STOP for w in words[last.end:span.start]):
            out[-1] = Span(last.start, span.end, last.entities, last.exact and span.exact)
        else:
            out.append(span)
    return out


def family_of(entities: list[dict[str, str]], store: Store) -> dict[str, str] | None:
    """The family (an organisation with members) a name stands for: "CRESS" names the three regional CRESS,
    members of the CRESS; None when the candidates are not one family and its members."""
    families = index(store)["families"]
    parents = {families[e["iri"]]["iri"] for e in entities if e["iri"] in families}
    if len(parents) != 1:
        return None
    parent = next(iter(parents))
    if all(e["iri"] == parent or families.get(e["iri"], {}).get("iri") == parent for e in entities) and len(entities) > 1:
        return next(f for f in families.values() if f["iri"] == parent)
    return None


def same_subject(entity: dict[str, str], span_key: str, store: Store) -> list[dict[str, str]]:
    """Entities of another kind named after the same subject ("Strasbourg" -> the Eurométropole de Strasbourg;
    "Territoires zéro chômeur de longue durée" -> the experimentation of that name)."""
    found = []
    ix = index(store)
    for name in {span_key, *(k for k, es in ix["by_key"].items() if entity in es)}:
        for key, others in ix["by_key"].items():
            if key == name or f" {name} " not in f" {key} ":
                continue
            extra = [w for w in key.split() if w not in name.split()]
            if not extra or any(w not in SUBJECT_WORDS for w in extra) or all(w in STOP for w in extra):
                continue
            for other in others:
                if other["type"] != entity["type"] and other["type"] != "publication" and other not in found:
                    found.append(other)
    return found


def find_axis(folded: str, store: Store, programmes: list[str] | None = None
              ) -> tuple[dict[str, str] | None, list[dict[str, str]]]:
    """The axis a question names by number ("axe 3") or by words of its label ("l'axe formation"), among the axes
    of the programmes asked (all when none): (the axis, []) or (None, the axes it may be)."""
    axes = [a for a in index(store)["axes"] if not programmes or any(f"/programme/{p}/" in a["iri"] for p in programmes)]
    m = re.search(r"(?:axe|axis)s? (?:n |no |numero |number )?(\d{1,2})\b", folded)
    if m:
        hit = [a for a in axes if a["number"] == m.group(1)]
        return (hit[0], []) if hit else (None, axes)
    m = re.search(r"(?:axe|axis) (.+)$", folded)
    if not m:
        return None, []
    words = [w for w in tokens(m.group(1)) if w not in STOP and len(w) > 2]
    scored = []
    for axis in axes:
        label = axis["key"].split()
        score = sum(1 for w in words if any(_close(w, l) for l in label))
        if score:
            scored.append((score, axis))
    if not scored:
        return None, []
    best = max(s for s, _ in scored)
    top = [a for s, a in scored if s == best]
    return (top[0], []) if len(top) == 1 else (None, top)


def _close(word: str, label_word: str) -> bool:
    from rapidfuzz import fuzz

    return word == label_word or (len(word) >= 5 and fuzz.ratio(word, label_word) >= 85)
