"""graph.ttl, graph.jsonld and graph.trig are written part after part (kg/dump_pieces.py): a rebuild copies the texts
of the parts that did not change from the last build, and every file still holds exactly the graph of graph.nt."""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.build import build
from kg.export import SHARED_GRAPH

from .conftest import three_programmes
from .test_shacl_cache import BANQUE_ROLE

FILES = ("graph.ttl", "telecharger/graph.jsonld", "telecharger/graph.trig")


def _dump_parts(dist) -> dict:
    return json.loads((dist / "current" / "manifest.json").read_text(encoding="utf-8"))["dump_parts"]


def _triples(path, fmt) -> set:
    return {(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=fmt)}


def test_a_rebuild_serialises_only_the_changed_programme_and_the_files_hold_the_graph(tmp_path):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    first = build(data, dist)
    parts = len(json.loads((first.path / "manifest.json").read_text(encoding="utf-8"))["pieces"])
    assert parts == 5  # commun, three programmes, totaux
    assert _dump_parts(dist) == {"serialised": 3 * parts, "copied": 0}
    again = build(data, dist)
    assert _dump_parts(dist) == {"serialised": 0, "copied": 3 * parts}
    for name in FILES:
        assert (again.path / name).read_bytes() == (first.path / name).read_bytes(), name

    fiche = data / "programmes" / "rtc-2025" / "fiches" / "01.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8").replace(BANQUE_ROLE, ""), encoding="utf-8")
    changed = build(data, dist)
    assert _dump_parts(dist) == {"serialised": 3 * 2, "copied": 3 * (parts - 2)}  # rtc-2025 and its totals
    fresh = build(data, tmp_path / "fresh")  # no earlier build: every part serialised
    for name in FILES:
        assert (changed.path / name).read_bytes() == (fresh.path / name).read_bytes(), name

    graph = _triples(changed.path / "graph.nt", ox.RdfFormat.N_TRIPLES)
    assert len(graph) > 20000 and graph != _triples(first.path / "graph.nt", ox.RdfFormat.N_TRIPLES)
    assert _triples(changed.path / "graph.ttl", ox.RdfFormat.TURTLE) == graph
    document = json.loads((changed.path / "telecharger" / "graph.jsonld").read_text(encoding="utf-8"))
    assert document["@context"]["kg"].startswith("https://") and len(document["@graph"]) > 1000
    assert _triples(changed.path / "telecharger" / "graph.jsonld", ox.RdfFormat.JSON_LD) == graph
    quads = list(ox.parse(path=str(changed.path / "telecharger" / "graph.trig"), format=ox.RdfFormat.TRIG))
    assert {(q.subject, q.predicate, q.object) for q in quads} == graph
    fiche_graph = "https://ess-kg.example/programme/rtc-2025/fiche/1"
    assert {q.graph_name.value for q in quads} >= {str(SHARED_GRAPH), fiche_graph}
    assert all(q.graph_name.value == fiche_graph for q in quads if q.subject.value.startswith(fiche_graph + "/"))


def test_an_earlier_file_that_no_longer_holds_its_parts_is_not_copied(tmp_path):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    first = build(data, dist)
    turtle = first.path / "graph.ttl"
    turtle.write_bytes(turtle.read_bytes().replace(b"rdfs:label", b"rdfs:comment"))  # same length, other text
    again = build(data, dist)
    assert _dump_parts(dist)["serialised"] >= 1
    assert b"rdfs:comment" not in (again.path / "graph.ttl").read_bytes()
    assert _triples(again.path / "graph.ttl", ox.RdfFormat.TURTLE) == _triples(again.path / "graph.nt",
                                                                              ox.RdfFormat.N_TRIPLES)
