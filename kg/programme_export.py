"""``kg export --programme ID``: one programme's part of the graph, with the entities and events it involves."""

from __future__ import annotations

from rdflib import Literal

from kg.queries import resolve_programme
from kg.store import OxigraphStore, Store

SUBSET = """
PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX dcterms: <http://purl.org/dc/terms/>
CONSTRUCT { ?s ?p ?o } WHERE {
  ?s ?p ?o .
  # one group: the parameters (a VALUES block at its top) are in scope of the filter
  FILTER (?s = ?programme || STRSTARTS(STR(?s), ?prefix)
          || EXISTS { ?programme dcterms:source|dcterms:publisher ?s }
          || EXISTS { ?f kg:programme ?programme ; kg:involves|kg:hasEvent ?s })
}"""


def programme_subset(store: Store, programme: str) -> OxigraphStore:
    """An in-memory store of one programme: its node, axes, fiches and their parts (IRIs under its own), its
    source document and publisher, and every entity and event its fiches involve (shared nodes, with their totals
    over all programmes). An unknown id is a QueryError listing the programmes."""
    iri = resolve_programme(store, programme)
    result = store.query(SUBSET, {"programme": iri, "prefix": Literal(str(iri) + "/")})
    return OxigraphStore.from_graph(result.graph)

