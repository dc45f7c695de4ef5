"""The build's RDF files written as the triples are made: each part of the graph (a programme) goes to graph.nt at
once, grouped by named graph and subject; Turtle, JSON-LD and TriG are then streamed from that file by Oxigraph
(nothing is read back from the store), and the VoID statistics are counted on the way."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.export import SHARED_GRAPH, jsonld_context, named_graph_key
from kg.namespaces import KG, PREFIXES
from kg.store import _OxConverter

NT = ox.RdfFormat.N_TRIPLES


def _prefixes() -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


class GraphWriter:
    """``add`` the triples of each part (a triple may come twice within a part), ``close``, then ``statistics``."""

    def __init__(self, path: Path):
        self.path = path
        self.out = open(path, "wb")
        self.subjects: set[int] = set()
        self.properties: set[URIRef] = set()
        self.classes: Counter = Counter()
        self.types: Counter = Counter()
        self.programmes: dict[URIRef, dict] = {}
        self.fiches: Counter = Counter()  # programme -> its fiches

    def add(self, triples) -> int:
        """Write one part; the number of distinct triples written."""
        unique = list(dict.fromkeys(triples))
        keys = {}
        for s, _, _ in unique:
            if s not in keys:
                keys[s] = (named_graph_key(str(s)) if isinstance(s, URIRef) else "", str(s))
        unique.sort(key=lambda t: keys[t[0]])
        convert = _OxConverter()
        ox.serialize((ox.Triple(convert(s), convert(p), convert(o)) for s, p, o in unique), self.out, format=NT)
        self._count(unique)
        return len(unique)

    def _count(self, triples: list) -> None:
        fiches = set()
        for s, p, o in triples:
            self.subjects.add(hash(str(s)))
            self.properties.add(p)
            if p == RDF.type:
                self.classes[o] += 1
                if o == KG.Programme:
                    self.programmes.setdefault(s, {})
                elif o == KG.Fiche:
                    fiches.add(s)
            elif p == KG.entityType:
                self.types[str(o)] += 1
        for s, p, o in triples:
            if p == KG.programme and s in fiches:
                self.fiches[o] += 1
            elif s in self.programmes and p in (KG.identifier, RDFS.label, KG.year, KG.reviewStatus):
                self.programmes[s][p] = o

    def close(self) -> None:
        self.out.close()

    def statistics(self, triples: int) -> dict:
        """The counts :func:`kg.void.statistics` asks the store for (``triples``: the store's count)."""
        programmes = []
        for iri, facts in self.programmes.items():
            if not all(p in facts for p in (KG.identifier, RDFS.label, KG.year)):
                continue
            status = facts.get(KG.reviewStatus)
            programmes.append({"iri": iri, "id": str(facts[KG.identifier]), "label": str(facts[RDFS.label]),
                               "year": str(facts[KG.year]), "status": str(status) if status is not None else "relu",
                               "fiches": self.fiches.get(iri, 0)})
        return {"triples": triples, "entities": sum(self.types.values()), "subjects": len(self.subjects),
                "properties": set(self.properties), "classes": dict(self.classes), "types": dict(self.types),
                "programmes": sorted(programmes, key=lambda p: p["id"])}


def _parsed(path: Path):
    return ox.parse(path=str(path), format=NT)


def write_turtle(nt: Path, path: Path) -> None:
    with open(path, "wb") as out:
        ox.serialize(_parsed(nt), out, format=ox.RdfFormat.TURTLE, prefixes=_prefixes())


def write_jsonld(nt: Path, path: Path) -> None:
    """Expanded JSON-LD with the published context beside it, as ``kg export`` writes it."""
    context = json.dumps(jsonld_context()["@context"], ensure_ascii=False).encode("utf-8")
    with open(path, "wb") as out:
        out.write(b'{"@context": ' + context + b', "@graph": ')
        ox.serialize(_parsed(nt), out, format=ox.RdfFormat.JSON_LD)
        out.write(b"}")


def write_trig(nt: Path, path: Path) -> None:
    """One named graph per programme and per fiche, graphe/commun for the rest (graph.nt is grouped that way)."""
    graphs: dict[str, ox.NamedNode] = {}
    shared = ox.NamedNode(str(SHARED_GRAPH))

    def quads():
        for quad in _parsed(nt):
            subject = quad.subject
            key = named_graph_key(subject.value) if type(subject) is ox.NamedNode else ""
            graph = shared if not key else graphs.get(key) or graphs.setdefault(key, ox.NamedNode(key))
            yield ox.Quad(subject, quad.predicate, quad.object, graph)

    with open(path, "wb") as out:
        ox.serialize(quads(), out, format=ox.RdfFormat.TRIG, prefixes=_prefixes())


__all__ = ["GraphWriter", "write_jsonld", "write_trig", "write_turtle", "Literal"]
