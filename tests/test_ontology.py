"""The ontology declares every term the code, the shapes and the queries use."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.namespaces import KG

from .conftest import ROOT

ONTOLOGY = Graph().parse(ROOT / "ontology" / "ontology.ttl")
DECLARED = {str(s) for s in ONTOLOGY.subjects(RDF.type, None) if str(s).startswith(str(KG))}


def _used_in(text: str) -> set[str]:
    terms = {str(KG) + m for m in re.findall(r"\bKG\.([A-Za-z]+)", text)}
    terms |= {str(KG) + m for m in re.findall(r"\bkg:([A-Za-z][A-Za-z0-9]*)", text)}
    return terms


def test_code_terms_are_declared():
    used = set()
    for path in (ROOT / "kg").glob("*.py"):
        used |= _used_in(path.read_text(encoding="utf-8"))
    assert used, "no term found: the pattern is broken"
    assert used - DECLARED == set()


def test_shape_and_query_terms_are_declared():
    used = _used_in((ROOT / "ontology" / "shapes.ttl").read_text(encoding="utf-8"))
    for path in (ROOT / "queries").glob("*.rq"):
        used |= _used_in(path.read_text(encoding="utf-8"))
    assert used - DECLARED == set()


def test_graph_terms_are_declared(graph):
    used = {str(p) for p in graph.predicates() if str(p).startswith(str(KG))}
    used |= {str(o) for o in graph.objects(None, RDF.type) if str(o).startswith(str(KG))}
    assert used - DECLARED == set()


def test_every_shape_targets_a_declared_or_standard_class():
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    standard = {"http://xmlns.com/foaf/0.1/Person", "http://www.w3.org/ns/org#Organization",
                "http://www.w3.org/2004/02/skos/core#Concept"}
    for target in shapes.objects(None, URIRef("http://www.w3.org/ns/shacl#targetClass")):
        assert str(target) in DECLARED | standard, target


def test_terms_are_labelled_in_french_and_english():
    for term in DECLARED:
        if (URIRef(term), RDF.type, OWL.Ontology) in ONTOLOGY:
            continue
        langs = {label.language for label in ONTOLOGY.objects(URIRef(term), RDFS.label)}
        assert {"fr", "en"} <= langs, term
