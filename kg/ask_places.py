"""Questions about a place: « en Occitanie », « dans le Nord », « dans la Gironde ».

A région or département of the graph is answered by ``fiches-by-territory`` (itself and the places inside it); one
that is not in the graph is found in the official referential (``data/reference/insee/``, départements and régions)
and answered by ``fiches-by-area``: the fiches involving the places that the referential puts inside it."""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from kg.ask_index import Span, tokens
from kg.source import fold_key
from kg.store import Store

TABLE = Path(__file__).resolve().parent.parent / "data" / "reference" / "insee"
#: The words before a place: « en », « dans le / la / l' / les », « in (the) ».
BEFORE = re.compile(r" (en|dans|in)(?: (le|la|l|les|the))? $")
LEVELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
SELECT ?entity ?area ?level ?code WHERE {
  ?entity skos:exactMatch ?area . ?area a ?level ; igeo:codeINSEE ?code . VALUES ?level { igeo:Region igeo:Departement }
}"""
LEVEL_WORDS = {"departement": "département", "region": "région"}
PRONOUNS = {"le": "qu'il contient", "la": "qu'elle contient"}


def key_of(name: str) -> str:
    """A name as the question box folds words: « Côtes-d'Armor » → « cotes d armor »."""
    return " ".join(tokens(re.sub(r"[^\w+]+", " ", fold_key(name).replace("'", " "))))


@lru_cache(maxsize=2)
def referential_areas(folder: Path = TABLE) -> dict[str, tuple[str, str, str]]:
    """Folded name -> (level, code, official name) for every département and région of the committed table."""
    out: dict[str, tuple[str, str, str]] = {}
    for level, file in (("region", "regions.tsv"), ("departement", "departements.tsv")):
        path = folder / file
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                out.setdefault(key_of(row["nom"]), (level, row["code"], row["nom"]))
    return out


def _article(folded: str, start: int) -> tuple[str, str] | None:
    """(preposition, article) when the words just before token ``start`` are « en », « dans la »…; else None."""
    before = " " + " ".join(tokens(folded)[:start]) + " "
    found = BEFORE.search(before)
    return (found.group(1), found.group(2) or "") if found else None


def place_question(folded: str, spans: list[Span], store: Store) -> tuple[str, dict[str, str], str] | None:
    """(named query, parameters, explanation) for « en / dans le <région or département> », or None."""
    graph_areas = {str(r["entity"]): (str(r["level"]).rsplit("#", 1)[-1].lower(), str(r["code"]))
                   for r in store.query(LEVELS).rows}
    for span in spans:
        areas = {e["iri"]: e for e in span.entities if e["iri"] in graph_areas}
        if len(areas) == 1 and len(spans) == 1 and _article(folded, span.start):
            (iri, entity), = areas.items()
            level, code = graph_areas[iri]
            return ("fiches-by-territory", {"territory": iri},
                    f"Fiches qui concernent {entity['label']} ({LEVEL_WORDS[level]} {code}), directement ou par un lieu "
                    "ou une collectivité qui s'y trouve")
    if spans:
        return None  # another name in the question: not a question about a place alone
    words = tokens(folded)
    areas = referential_areas()
    for start in range(len(words)):
        said = _article(folded, start)
        if said is None:
            continue
        for end in range(min(len(words), start + 6), start, -1):  # the longest name first (« haute garonne »)
            found = areas.get(" ".join(words[start:end]))
            if found:
                level, code, official = found
                return ("fiches-by-area", {"area": f"http://id.insee.fr/geo/{level}/{code}"},
                        _area_words(said[1], level, code, official))
    return None


def _area_words(article: str, level: str, code: str, official: str) -> str:
    """« Fiches qui concernent le Nord (département 59), par les lieux qu'il contient »."""
    named = f"l'{official}" if article == "l" else f"{article} {official}" if article in ("le", "la", "les") else official
    contains = PRONOUNS.get(article, "qui s'y trouvent")
    return (f"Fiches qui concernent {named} ({LEVEL_WORDS[level]} {code}), par les lieux {contains} "
            "d'après le référentiel officiel (découpage administratif d'Etalab)")
