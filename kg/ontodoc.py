"""Documentation of the ontology as plain data: each class and property, its shapes and an example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from kg.namespaces import KG, PREFIXES
from kg.store import Store

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "ontology.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"


def _short(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)):
            return f"{prefix}:{iri[len(str(ns)):]}"
    return iri


def _text(graph: Graph, node, prop, lang: str) -> str:
    return next((str(o) for o in graph.objects(node, prop) if getattr(o, "language", None) == lang), "")


def document(store: Store | None = None) -> dict[str, Any]:
    """Classes and properties of kg:, in French and English, with the shapes that apply and an example."""
    onto = Graph().parse(ONTOLOGY)
    shapes = Graph().parse(SHAPES)
    shapes_by_class: dict[str, list[str]] = {}
    for shape, cls in shapes.subject_objects(SH.targetClass):
        shapes_by_class.setdefault(str(cls), []).append(_short(str(shape)))
    constraints_by_path: dict[str, list[str]] = {}
    for prop_shape, path in shapes.subject_objects(SH.path):
        if isinstance(path, URIRef):
            message = _text(shapes, prop_shape, SH.message, "fr")
            constraints_by_path.setdefault(str(path), []).append(message)

    def entry(term: URIRef, kind: str) -> dict[str, Any]:
        iri = str(term)
        item = {"iri": iri, "name": iri.rsplit("#", 1)[-1], "short": _short(iri), "kind": kind,
                "label_fr": _text(onto, term, RDFS.label, "fr"), "label_en": _text(onto, term, RDFS.label, "en"),
                "comment_fr": _text(onto, term, RDFS.comment, "fr"), "comment_en": _text(onto, term, RDFS.comment, "en"),
                "super": [_short(str(o)) for o in onto.objects(term, RDFS.subClassOf)],
                "domain": [_short(str(o)) for o in onto.objects(term, RDFS.domain)],
                "range": [_short(str(o)) for o in onto.objects(term, RDFS.range)],
                "shapes": shapes_by_class.get(iri, []), "constraints": sorted(set(constraints_by_path.get(iri, []))),
                "example": None}
        if store is not None:
            item["example"] = _example(store, term, kind)
        return item

    classes = [entry(c, "classe") for c in sorted(onto.subjects(RDF.type, OWL.Class)) if str(c).startswith(str(KG))]
    props = [entry(p, "propriété") for p in sorted(set(onto.subjects(RDF.type, OWL.ObjectProperty)) |
                                                  set(onto.subjects(RDF.type, OWL.DatatypeProperty)))
             if str(p).startswith(str(KG))]
    return {"iri": str(KG).rstrip("#"), "label": next(iter(onto.objects(URIRef(str(KG).rstrip("#")), RDFS.label)), ""),
            "classes": classes, "properties": props}


def _example(store: Store, term: URIRef, kind: str) -> dict[str, str] | None:
    if kind == "classe":
        rows = store.query("SELECT ?s ?term WHERE { ?s a ?term } LIMIT 1", {"term": term}).rows
        return {"subject": str(rows[0]["s"])} if rows else None
    rows = store.query("SELECT ?s ?o ?term WHERE { ?s ?term ?o } LIMIT 1", {"term": term}).rows
    return {"subject": str(rows[0]["s"]), "value": str(rows[0]["o"])} if rows else None
