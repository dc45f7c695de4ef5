"""Validation part after part (kg/partition.py) finds exactly what validation of the whole graph finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from kg.graph import build_triples, graph_of
from kg.load import load_dataset
from kg.partition import shape_sides, split
from kg.validate import SHAPES, hoist_property_shapes, validate, validate_in_parts

from .conftest import MINI

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "shapes").glob("*.ru"))
P = "https://ess-kg.example/programme/rtes-2024/fiche/"
#: Breakages of the real graph in several fiches and in shared nodes, so that they fall in different parts.
REAL_BREAKAGES = f"""
PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
DELETE {{ ?r kg:roleCode "referent-ca" }} INSERT {{ ?r kg:roleCode "contributeur" }}
WHERE {{ ?r kg:roleCode "referent-ca" ; kg:fiche <{P}7> }} ;
DELETE {{ ?i kg:lineEnd ?e }} INSERT {{ ?i kg:lineEnd 0 }}
WHERE {{ ?i a kg:TextItem ; kg:fiche <{P}12> ; kg:lineEnd ?e }} ;
DELETE {{ ?s kg:sectionKind ?k }} INSERT {{ ?s kg:sectionKind "inconnue" }}
WHERE {{ ?s a kg:Section ; kg:fiche <{P}2> ; kg:sectionKind ?k }} ;
INSERT DATA {{ <https://ess-kg.example/personne/sans-role> a foaf:Person ; rdfs:label "Sans rôle"@fr }} ;
DELETE {{ ?e kg:fiche ?f }} INSERT {{ ?e kg:fiche <{P}99> }}
WHERE {{ ?e a kg:Event ; kg:fiche ?f . FILTER (?f = <{P}4>) }}
"""


def _key(report) -> list:
    return sorted((v.focus, v.path or "", v.component, v.message, v.value or "") for v in report.violations)


@pytest.fixture(scope="module")
def mini_triples() -> tuple[list, dict]:
    dataset = load_dataset(MINI)
    return build_triples(dataset), dataset.provenance


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_parts_find_what_the_whole_graph_finds_on_every_fixture(mini_triples, fixture):
    triples, provenance = mini_triples
    broken = graph_of(triples)
    broken.update(fixture.read_text(encoding="utf-8"))
    whole = validate(broken, provenance)
    parts = validate_in_parts(list(broken), provenance, per_part=10)
    assert not whole.conforms and not parts.conforms
    assert _key(parts) == _key(whole)


@pytest.fixture(scope="module")
def real_broken(dataset) -> Graph:
    broken = graph_of(build_triples(dataset))
    broken.update(REAL_BREAKAGES)
    return broken


def test_real_graph_in_many_parts_gives_the_same_violations(real_broken, dataset):
    parts = split(list(real_broken), set(), per_part=1_000)
    assert parts is not None and len(parts) >= 8  # the real fiches fall in several batches, then the shared part
    whole = validate(real_broken, dataset.provenance)
    in_parts = validate_in_parts(list(real_broken), dataset.provenance, per_part=1_000)
    assert _key(in_parts) == _key(whole)
    focus = {v.focus for v in whole.violations}
    assert {"https://ess-kg.example/programme/rtes-2024", "https://ess-kg.example/personne/sans-role"} <= focus
    assert any(f.startswith(P + "12/") for f in focus) and any(f.startswith(P + "2/") for f in focus)
    assert any("/evenement/" in f for f in focus)  # the event pointing to a fiche that does not exist


def test_each_shape_sees_every_focus_node_once(real_broken):
    """Summed over the parts where a shape runs, its target classes have as many instances as in the whole graph."""
    shapes, tasks = hoist_property_shapes(Graph().parse(SHAPES))
    fiche_tasks, shared_tasks = shape_sides(shapes, tasks)
    assert fiche_tasks and shared_tasks
    shared_classes = {c for task in shared_tasks for c in shapes.objects(task[0], SH.targetClass)}
    parts = split(list(real_broken), shared_classes, per_part=1_000)
    for task in tasks:
        classes = set(shapes.objects(task[0], SH.targetClass))
        whole = {s for c in classes for s in real_broken.subjects(RDF.type, c)}
        seen = []
        for part in parts:
            if part.fiche_shapes == (task in fiche_tasks):
                seen += {s for s, p, o in part.triples if p == RDF.type and o in classes}
        assert sorted(seen) == sorted(whole), task[0]


def test_a_node_outside_the_layout_makes_the_whole_graph_validated(mini_triples):
    """A shared class under a fiche's IRI: no split (its shape would not see it), the whole graph is checked."""
    triples, provenance = mini_triples
    broken = graph_of(triples)
    broken.update('PREFIX foaf: <http://xmlns.com/foaf/0.1/> INSERT DATA { '
                  '<https://ess-kg.example/programme/mini-2024/fiche/1/intrus> a foaf:Person }')
    shapes, tasks = hoist_property_shapes(Graph().parse(SHAPES))
    shared_classes = {c for task in shape_sides(shapes, tasks)[1] for c in shapes.objects(task[0], SH.targetClass)}
    assert split(list(broken), shared_classes, per_part=10) is None
    whole = validate(broken, provenance)
    in_parts = validate_in_parts(list(broken), provenance, per_part=10)
    assert not in_parts.conforms and _key(in_parts) == _key(whole)
    assert any(v.focus.endswith("/fiche/1/intrus") for v in in_parts.violations)
