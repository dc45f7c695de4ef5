"""The pictures' data (partners, fiche × partner matrix, network), as plain data, of one programme if asked."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from kg.browse import P, _py, cached
from kg.store import Store

PUBLISHERS = P + "SELECT DISTINCT ?publisher WHERE { ?programme a kg:Programme ; dcterms:publisher ?publisher }"


def _publishers(store: Store) -> set[str]:
    """The networks that publish the programmes: left out of their own partners."""
    return {str(r["publisher"]) for r in store.query(PUBLISHERS).rows}


@cached
def top_partners(store: Store, limit: int = 15, programme: str | None = None) -> list[dict[str, Any]]:
    """Organisations by number of fiches that involve them (the publishers of programmes left out), in one
    programme if given."""
    if programme:
        rows = store.query(P + """
SELECT ?programme ?entity ?label (COUNT(DISTINCT ?f) AS ?fiches) WHERE {
  ?f kg:programme ?programme ; kg:involves ?entity . ?entity kg:entityType "organisation" ; rdfs:label ?label .
  FILTER NOT EXISTS { ?any a kg:Programme ; dcterms:publisher ?entity }
} GROUP BY ?programme ?entity ?label ORDER BY DESC(?fiches) ?label LIMIT """ + str(int(limit)),
                           {"programme": URIRef(programme)}).rows
    else:
        rows = store.query(P + """
SELECT ?entity ?label ?fiches WHERE {
  ?entity kg:entityType "organisation" ; rdfs:label ?label ; kg:ficheTotal ?fiches .
  FILTER (?fiches > 0) FILTER NOT EXISTS { ?any a kg:Programme ; dcterms:publisher ?entity }
} ORDER BY DESC(?fiches) ?label LIMIT """ + str(int(limit))).rows
    return [{"iri": str(r["entity"]), "label": str(r["label"]), "fiches": _py(r["fiches"])} for r in rows]


def _in_programme(programme: str | None) -> tuple[str, dict[str, Node]]:
    """The pattern and binding narrowing ?f to the fiches of one programme (nothing when None)."""
    return ("?f kg:programme ?programme .", {"programme": URIRef(programme)}) if programme else ("", {})


@cached
def matrix(store: Store, limit: int = 25, programme: str | None = None) -> dict[str, Any]:
    """Fiche × partner: which of the most involved organisations each fiche involves (of one programme if given)."""
    partners = top_partners(store, limit, programme)
    narrow, bound = _in_programme(programme)
    rows = store.query(P + """
SELECT ?f ?number ?entity WHERE { """ + narrow + """
  ?f kg:ficheNumber ?number ; kg:involves ?entity . ?entity kg:entityType "organisation" }""", bound).rows
    cells = {(int(r["number"]), str(r["entity"])) for r in rows}
    fiches = sorted({int(r["number"]) for r in rows})
    return {"partners": partners, "fiches": fiches, "cells": cells}


@cached
def network(store: Store, programme: str | None = None) -> dict[str, Any]:
    """Fiches, the organisations involved in at least two of them, and the people holding roles (of one programme
    if given)."""
    narrow, bound = _in_programme(programme)
    rows = store.query(P + """
SELECT ?f ?number ?entity ?label ?type WHERE { """ + narrow + """
  { ?f kg:involves ?entity . ?entity kg:entityType "organisation" }
  UNION { ?r a kg:Role ; kg:fiche ?f ; kg:agent ?entity . ?entity kg:entityType "personne" }
  ?f kg:ficheNumber ?number . ?entity rdfs:label ?label ; kg:entityType ?type .
}""", bound).rows
    degree: dict[str, set[int]] = defaultdict(set)
    info: dict[str, dict[str, str]] = {}
    for r in rows:
        degree[str(r["entity"])].add(int(r["number"]))
        info[str(r["entity"])] = {"label": str(r["label"]), "type": str(r["type"])}
    publishers = _publishers(store)
    keep = {e for e, fs in degree.items() if len(fs) >= 2 and e not in publishers}
    nodes = [{"iri": e, **info[e], "fiches": sorted(degree[e])} for e in sorted(keep, key=lambda e: info[e]["label"])]
    fiche_numbers = sorted({n for fs in degree.values() for n in fs})
    edges = [(n, e) for e in sorted(keep) for n in sorted(degree[e])]  # not in set order: that follows the rows
    return {"fiches": fiche_numbers, "nodes": nodes, "edges": edges}
