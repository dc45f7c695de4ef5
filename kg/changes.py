"""A fiche across programmes: the same fiche before and after (declared or proposed), what changed, draft marks."""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from kg.namespaces import PREFIXES
from kg.queries import load_queries, run
from kg.store import Store

P = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
DRAFT = "brouillon — à relire"
ASPECTS = (("référents", "Référents"), ("partenaires", "Partenaires"), ("éléments", "Éléments du texte"),
           ("événements", "Événements"))

SUITES = P + """
SELECT ?other ?label ?programmeLabel ?year ?direction ?basis WHERE {
  { ?fiche kg:follows ?other . BIND("avant" AS ?direction) BIND("déclarée" AS ?basis) }
  UNION { ?fiche kg:proposedFollows ?other . BIND("avant" AS ?direction) BIND("proposée, à confirmer" AS ?basis) }
  UNION { ?other kg:follows ?fiche . BIND("après" AS ?direction) BIND("déclarée" AS ?basis) }
  UNION { ?other kg:proposedFollows ?fiche . BIND("après" AS ?direction) BIND("proposée, à confirmer" AS ?basis) }
  ?other rdfs:label ?label ;
         kg:programme ?programme .
  ?programme rdfs:label ?programmeLabel ;
             kg:year ?year .
}
ORDER BY ?year ?programmeLabel"""

ABOUT = P + """
SELECT ?review ?file ?programmeId ?number WHERE {
  ?fiche kg:programme ?programme ;
         kg:ficheNumber ?number .
  ?programme kg:identifier ?programmeId .
  OPTIONAL { ?programme kg:reviewStatus ?review }
  OPTIONAL { ?programme dcterms:source ?source . ?source kg:fileName ?file }
}"""


def suites(store: Store, fiche: str) -> dict[str, Any]:
    """The same fiche in the previous and next programmes, whether the fiche is a draft, its source file."""
    iri = URIRef(fiche)
    rows = store.query(SUITES, {"fiche": iri}).rows
    about = store.query(ABOUT, {"fiche": iri}).rows
    links = [{"iri": str(r["other"]), "label": str(r["label"]), "programme": str(r["programmeLabel"]),
              "year": str(r["year"]), "basis": str(r["basis"]), "direction": str(r["direction"])} for r in rows]
    head = about[0] if about else {}
    return {"previous": [link for link in links if link["direction"] == "avant"],
            "next": [link for link in links if link["direction"] == "après"],
            "draft": str(head.get("review") or "") == "brouillon",
            "file": str(head["file"]) if head.get("file") is not None else None,
            "programme": str(head["programmeId"]) if head.get("programmeId") is not None else None,
            "number": head["number"].toPython() if head.get("number") is not None else None}


def changes(store: Store, programme: str, number: int, other: str | None = None) -> dict[str, Any]:
    """The fiche-changes answer grouped by correspondence (usually one) and aspect, for the side-by-side page."""
    params = {"programme": programme, "fiche": str(number)}
    if other:
        params["other"] = other
    result = run(load_queries()["fiche-changes"], params, store)
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for row in result.rows:
        value = {k: ("" if v is None else str(v)) for k, v in row.items()}
        pair = pairs.setdefault((value["before_fiche"], value["after_fiche"]), {
            "before": value["before_fiche"], "after": value["after_fiche"], "correspondence": value["correspondence"],
            "draft": value["status"] == DRAFT, "aspects": {code: [] for code, _ in ASPECTS}, "counts": {}})
        pair["aspects"][value["aspect"]].append(value)
        pair["counts"][value["change"]] = pair["counts"].get(value["change"], 0) + 1
    for pair in pairs.values():
        pair["aspects"] = [{"code": code, "title": title, "rows": pair["aspects"][code]} for code, title in ASPECTS]
    return {"pairs": list(pairs.values())}


def programmes_by_publisher(store: Store) -> list[dict[str, Any]]:
    """The ``programmes`` answer grouped by publisher, years in order, for the home page."""
    groups: dict[str, dict[str, Any]] = {}
    for row in run(load_queries()["programmes"], {}, store).rows:
        group = groups.setdefault(str(row["publisher"]), {"publisher": str(row["publisher"]), "programmes": []})
        group["programmes"].append({"id": str(row["id"]), "label": str(row["label"]), "year": str(row["year"]),
                                    "draft": str(row["status"]) == DRAFT, "fiches": row["fiches"].toPython()})
    return sorted(groups.values(), key=lambda g: g["publisher"])


def fiche_path(identifier: str) -> str:
    """``rtc-2024/fiche/3`` -> the fiche page's path."""
    return "/programme/" + identifier


__all__ = ["DRAFT", "changes", "fiche_path", "programmes_by_publisher", "suites"]
