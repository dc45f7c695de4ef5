"""Validation part after part (kg/partition.py) finds exactly what validation of the whole graph finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import FOAF, RDF, SH

from kg.graph import build_triples, graph_of
from kg.load import load_dataset
from kg.partition import PROGRAMME_CLASSES, shape_sides
from kg.splitter import split
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


#: Fixtures whose breakage leaves the layout (a fiche IRI that is not a number): the whole graph is validated.
OUTSIDE_LAYOUT = {"fiche-duplicate-number"}


@pytest.fixture(scope="module")
def sides():
    shapes, tasks = hoist_property_shapes(Graph().parse(SHAPES))
    return shapes, tasks, shape_sides(shapes, tasks)


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_parts_find_what_the_whole_graph_finds_on_every_fixture(mini_triples, sides, fixture):
    triples, provenance = mini_triples
    broken = graph_of(triples)
    broken.update(fixture.read_text(encoding="utf-8"))
    whole = validate(broken, provenance)
    parts = validate_in_parts(list(broken), provenance, per_part=10)
    assert not whole.conforms and not parts.conforms
    assert _key(parts) == _key(whole)
    assert (split(list(broken), sides[2], per_part=10) is None) == (fixture.stem in OUTSIDE_LAYOUT)


@pytest.fixture(scope="module")
def real_broken(dataset) -> Graph:
    broken = graph_of(build_triples(dataset))
    broken.update(REAL_BREAKAGES)
    return broken


def test_real_graph_in_many_parts_gives_the_same_violations(real_broken, dataset, sides):
    parts = split(list(real_broken), sides[2], per_part=1_000)
    assert parts is not None
    names = [part.name for part in parts]
    # the real fiches fall in several batches, then the programme's part, then the entities in several batches
    assert sum(n.startswith("fiche") for n in names) >= 5 and "programme rtes-2024" in names
    assert sum(n.startswith("entités") for n in names) >= 3
    assert max(len(part.triples) for part in parts) < 3_000  # bounded: a part is its share plus what it points to
    whole = validate(real_broken, dataset.provenance)
    in_parts = validate_in_parts(list(real_broken), dataset.provenance, per_part=1_000)
    assert _key(in_parts) == _key(whole)
    focus = {v.focus for v in whole.violations}
    assert {"https://ess-kg.example/programme/rtes-2024", "https://ess-kg.example/personne/sans-role"} <= focus
    assert any(f.startswith(P + "12/") for f in focus) and any(f.startswith(P + "2/") for f in focus)
    assert any("/evenement/" in f for f in focus)  # the event pointing to a fiche that does not exist


def test_each_shape_sees_every_focus_node_once(real_broken, sides):
    """Summed over the parts where a shape runs, it checks as many nodes of its classes as the whole graph has:
    fiche shapes on their targets in the fiche batches, the others on the focus nodes of their parts."""
    shapes, tasks, split_sides = sides
    assert split_sides.fiche and split_sides.shared
    parts = split(list(real_broken), split_sides, per_part=1_000)
    for task in tasks:
        classes = set(shapes.objects(task[0], SH.targetClass))
        whole = {s for c in classes for s in real_broken.subjects(RDF.type, c)}
        seen = []
        for part in parts:
            if part.fiche_shapes and task in split_sides.fiche:
                seen += {s for s, p, o in part.triples if p == RDF.type and o in classes}
            elif not part.fiche_shapes and task in split_sides.shared:
                seen += {s for s, p, o in part.triples if p == RDF.type and o in classes and s in part.focus}
        assert sorted(seen) == sorted(whole), task[0]


def test_a_programme_part_checks_its_programme_and_axes_and_the_entities_come_in_batches(real_broken, sides):
    parts = split(list(real_broken), sides[2], per_part=1_000)
    programme = next(part for part in parts if part.name == "programme rtes-2024")
    classes = {o for s, p, o in programme.triples if p == RDF.type and s in programme.focus}
    assert classes == set(PROGRAMME_CLASSES)
    # the fiches and roles the programme-wide checks read, without their sections, items or mentions
    subjects = {str(s) for s, _, _ in programme.triples}
    assert f"{P}1" in subjects and f"{P}1/role/1" in subjects and not any("/item/" in s for s in subjects)
    entities = [part for part in parts if part.name.startswith("entités")]
    focus = [node for part in entities for node in part.focus]
    assert len(focus) == len(set(focus))  # each entity in one batch
    # one triple pointing to each person is enough for PersonShape: a batch holds no more from outside it
    brought = 0
    for part in entities:
        people = {s for s, p, o in part.triples if p == RDF.type and o == FOAF.Person and s in part.focus}
        for person in people:
            pointing = [t for t in part.triples if t[2] == person and t[1] != RDF.type and t[0] not in part.focus]
            assert len({t[1] for t in pointing}) == len(pointing)
            brought += len(pointing)
    assert brought > 10  # the agents of roles


def test_shapes_that_read_a_backward_path_for_more_than_its_existence_are_not_split(sides):
    """A maximum on an inverse path would need every triple pointing to a node: the whole graph is validated."""
    shapes, tasks, _ = sides
    stricter = Graph()
    stricter += shapes
    stricter.update("""PREFIX sh: <http://www.w3.org/ns/shacl#> PREFIX kg: <https://ess-kg.example/ontologie#>
        INSERT { ?shape sh:maxCount 3 } WHERE { ?shape sh:path [ sh:inversePath kg:notPrinted ] }""")
    assert shape_sides(stricter, tasks) is None


def test_a_fiche_naming_another_programme_makes_the_whole_graph_validated(mini_triples, sides):
    """Its programme's checks would not see it in that programme's part: no split, the whole graph is checked."""
    triples, provenance = mini_triples
    broken = graph_of(triples)
    broken.update('PREFIX kg: <https://ess-kg.example/ontologie#> INSERT DATA { '
                  '<https://ess-kg.example/programme/mini-2024/fiche/1> kg:programme '
                  '<https://ess-kg.example/programme/autre-2024> }')
    assert split(list(broken), sides[2], per_part=10) is None
    whole = validate(broken, provenance)
    in_parts = validate_in_parts(list(broken), provenance, per_part=10)
    assert not in_parts.conforms and _key(in_parts) == _key(whole)


@pytest.mark.parametrize("node", ["programme/mini-2024/fiche/1/intrus", "programme/mini-2024/intrus"])
def test_a_node_outside_the_layout_makes_the_whole_graph_validated(mini_triples, sides, node):
    """A person under a fiche's IRI (its shape would not see it), or under a programme's (its part has no totals
    and no incoming links): no split, the whole graph is checked."""
    triples, provenance = mini_triples
    broken = graph_of(triples)
    broken.update(f'PREFIX foaf: <http://xmlns.com/foaf/0.1/> INSERT DATA {{ <https://ess-kg.example/{node}> a foaf:Person }}')
    assert split(list(broken), sides[2], per_part=10) is None
    whole = validate(broken, provenance)
    in_parts = validate_in_parts(list(broken), provenance, per_part=10)
    assert not in_parts.conforms and _key(in_parts) == _key(whole)
    assert any(v.focus.endswith("/intrus") for v in in_parts.violations)
