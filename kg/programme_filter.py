"""The programmes a page can be filtered by (``?programme=ID``), and the lists and frise of one programme."""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef

from kg.browse import P, _py, cached
from kg.namespaces import programme_iri
from kg.programme_names import programmes_words, short_name
from kg.queries import QueryError, load_queries, resolve_programme, run, shown
from kg.store import Store

DRAFT = "brouillon — à relire"


@cached
def programmes(store: Store) -> list[dict[str, Any]]:
    """Every programme of the graph (id, label, publisher, year, draft, fiches), newest year first."""
    rows = run(load_queries()["programmes"], {}, store).rows
    out = [{"iri": str(programme_iri(str(r["id"]))), "id": str(r["id"]), "label": str(r["label"]), "publisher": str(r["publisher"]),
            "year": str(r["year"]), "draft": str(r["status"]) == DRAFT, "fiches": _py(r["fiches"]),
            "short": short_name(str(r["id"]))} for r in rows]
    sources = {str(r["programme"]): str(r["source"]) for r in store.query(P + """
SELECT ?programme ?source WHERE { ?programme a kg:Programme ; dcterms:source ?source }""").rows}
    for p in out:
        p["source"] = sources.get(p["iri"])  # its line numbers link to this document
    return sorted(out, key=lambda p: (-int(p["year"]) if p["year"].isdigit() else 0, p["publisher"], p["id"]))


def by_iri(store: Store) -> dict[str, dict[str, Any]]:
    return {p["iri"]: p for p in programmes(store)}


def site_name(store: Store) -> str:
    """The programmes in a few words, for the site's header: 'RTES 2024', '3 programmes'."""
    return programmes_words([p["id"] for p in programmes(store)])


def choose(store: Store, raw: str | None) -> dict[str, Any] | None:
    """The programme asked for by its id (None for « tous »); an unknown id: a QueryError in French."""
    if raw is None or not raw.strip():
        return None
    for p in programmes(store):
        if p["id"] == raw.strip():
            return p
    resolve_programme(store, raw)  # an unknown id: raises the message naming the programmes of the graph
    # a known id missing from the list: a programme without publisher, label or year (SHACL forbids it)
    raise QueryError(f"programme : « {shown(raw)} » n'a pas d'éditeur, de libellé ou d'année dans le graphe")


@cached
def entity_list(store: Store, etype: str, programme: str) -> list[dict[str, Any]]:
    """The entities of a type that fiches of one programme involve (an event: that are its fiches), with their
    number of fiches in that programme; most fiches first."""
    rows = store.query(P + """
SELECT ?type ?programme ?entity ?label (COUNT(DISTINCT ?fiche) AS ?fiches) WHERE {
  ?fiche kg:programme ?programme ; a kg:Fiche .
  { ?fiche kg:involves ?entity } UNION { ?entity kg:fiche ?fiche ; a kg:Event }
  ?entity kg:entityType ?type ; rdfs:label ?label .
} GROUP BY ?type ?programme ?entity ?label""", {"type": Literal(etype), "programme": URIRef(programme)}).rows
    out = [{"iri": str(r["entity"]), "label": str(r["label"]), "type": etype, "fiches": _py(r["fiches"])} for r in rows]
    return sorted(out, key=lambda r: (-r["fiches"], r["label"].casefold(), r["iri"]))


@cached
def timeline_order(store: Store, programme: str) -> list[str]:
    """The dated events of one programme's fiches, by start of period then label."""
    rows = store.query(P + """
SELECT DISTINCT ?programme ?event ?start ?label WHERE {
  ?fiche kg:programme ?programme . ?event kg:fiche ?fiche ; kg:periodStart ?start ; rdfs:label ?label .
}""", {"programme": URIRef(programme)}).rows
    rows.sort(key=lambda r: (str(r["start"]), str(r["label"]), str(r["event"])))
    return [str(r["event"]) for r in rows]
