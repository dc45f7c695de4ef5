"""kg build writes dist/ atomically; a failed build keeps the last good one; validate and stats speak French."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from rdflib import Dataset, Graph, URIRef

from kg.build import build
from kg.cli import main
from kg.store import OxigraphStore

from .conftest import ROOT


def run_kg(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_build_writes_dump_store_and_manifest(built):
    current = built / "current"
    assert current.is_symlink()
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest["classes"]["kg:Fiche"] == 14
    assert manifest["classes"]["kg:Axis"] == 7
    assert (current / "graph.ttl").stat().st_size > 0
    assert OxigraphStore(current / "store").triples() == manifest["triples"]


def test_failed_build_keeps_the_last_good_one(mini_data, tmp_path):
    dist = tmp_path / "dist"
    good = build(mini_data, dist)
    target = os.readlink(dist / "current")
    (mini_data / "fiches/01.yaml").write_text(
        (mini_data / "fiches/01.yaml").read_text(encoding="utf-8").replace("agent: jeanne-essai", "agent: personne"),
        encoding="utf-8")
    result = run_kg("--data", str(mini_data), "--dist", str(dist), "build")
    assert result.returncode == 1
    assert "personne ou organisation inconnu(e) « personne »" in result.stderr
    assert os.readlink(dist / "current") == target
    assert OxigraphStore(dist / "current" / "store").triples() == good.triples
    assert [p.name for p in (dist / "builds").iterdir() if p.name.startswith(".tmp")] == []


def test_shacl_violation_refuses_the_build(mini_data, tmp_path):
    dist = tmp_path / "dist"
    build(mini_data, dist)
    target = os.readlink(dist / "current")
    (mini_data / "people.yaml").write_text(
        (mini_data / "people.yaml").read_text(encoding="utf-8") + '  - {id: sans-role, label: "Sans Rôle"}\n', encoding="utf-8")
    result = run_kg("--data", str(mini_data), "--dist", str(dist), "build")
    assert result.returncode == 1
    assert "build refusé, le dernier build reste en place" in result.stderr
    assert "people.yaml:4: personne sans-role: Chaque personne tient un rôle quelque part" in result.stderr
    assert os.readlink(dist / "current") == target


def test_validate_reports_in_french_and_exits_1(mini_data):
    (mini_data / "people.yaml").write_text(
        (mini_data / "people.yaml").read_text(encoding="utf-8") + '  - {id: sans-role, label: "Sans Rôle"}\n', encoding="utf-8")
    result = run_kg("--data", str(mini_data), "validate")
    assert result.returncode == 1
    assert "1 violation(s) des formes SHACL" in result.stdout
    ok = run_kg("--data", "data", "validate")
    assert ok.returncode == 0 and "Le graphe est conforme aux formes SHACL." in ok.stdout


def test_stats_counts_per_class(built, capsys):
    assert main(["--dist", str(built), "stats", "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["classes"]["https://ess-kg.example/ontologie#Fiche"] == 14
    assert stats["types"]["personne"] == 25
    assert stats["triples"] > 10000


def test_a_second_build_swaps_and_keeps_few(mini_data, tmp_path):
    dist = tmp_path / "dist"
    for _ in range(5):
        build(mini_data, dist)
    assert len([p for p in (dist / "builds").iterdir()]) == 3


def test_background_validation_refuses_a_build_and_names_the_yaml(mini_data, tmp_path, monkeypatch):
    """On a large graph SHACL runs in a forked worker that builds its own rdflib graph: same refusal, same report."""
    import kg.build

    from kg.build import BuildError

    monkeypatch.setattr(kg.build, "PARALLEL_FROM", 0)
    dist = tmp_path / "dist"
    build(mini_data, dist)
    target = os.readlink(dist / "current")
    (mini_data / "people.yaml").write_text(
        (mini_data / "people.yaml").read_text(encoding="utf-8") + '  - {id: sans-role, label: "Sans Rôle"}\n', encoding="utf-8")
    try:
        build(mini_data, dist)
    except BuildError as error:
        assert "people.yaml:4: personne sans-role: Chaque personne tient un rôle quelque part" in str(error)
    else:
        raise AssertionError("the build should have been refused")
    assert os.readlink(dist / "current") == target
    assert [p.name for p in (dist / "builds").iterdir() if p.name.startswith(".tmp")] == []


def test_the_streamed_files_say_what_the_store_says(three_data, tmp_path, monkeypatch):
    """graph.nt, Turtle, JSON-LD, TriG, VoID and the search index are written as the programmes are made, not read
    back from the store: they hold what the store holds (three programmes, validated part after part in workers)."""
    import kg.build
    from kg.export import dump_to
    from kg.namespaces import sparql_prefixes
    from kg.search import INDEX_QUERY, SearchIndex
    from kg.void import describe_dataset, statistics

    monkeypatch.setattr(kg.build, "PARALLEL_FROM", 0)
    got = build(three_data, tmp_path / "dist")
    store = OxigraphStore(got.path / "store")
    assert got.triples == store.triples()
    expected = tmp_path / "expected"
    expected.mkdir()
    for fmt, name in (("nt", "graph.nt"), ("ttl", "graph.ttl"), ("jsonld", "graph.jsonld"), ("trig", "graph.trig")):
        dump_to(store.raw, fmt, expected / name)
    lines = lambda path: sorted(path.read_text(encoding="utf-8").splitlines())  # noqa: E731 - written in another order
    assert lines(got.path / "graph.nt") == lines(expected / "graph.nt")
    for name, fmt in (("graph.ttl", "turtle"), ("telecharger/graph.jsonld", "json-ld")):
        triples = lambda path: set(Graph().parse(path, format=fmt))  # noqa: E731
        assert triples(got.path / name) == triples(expected / name.rsplit("/", 1)[-1]), name
    trig = lambda path: set(Dataset().parse(path, format="trig").quads())  # noqa: E731
    assert trig(got.path / "telecharger/graph.trig") == trig(expected / "graph.trig")
    modified = URIRef("http://purl.org/dc/terms/modified")  # the build's own time: a second apart, maybe
    described = {t for t in describe_dataset(statistics(store.raw)) if t[1] != modified}
    assert {t for t in Graph().parse(got.path / "void.ttl") if t[1] != modified} == described

    def index(data):  # the same entries, in any order (searches sort their answers)
        return sorted(map(tuple, data["entities"])), sorted((key, data["entities"][i][0]) for key, i in data["keys"])
    saved = json.loads((got.path / "index-recherche.json").read_text())
    fresh = SearchIndex.from_rows(store.query(sparql_prefixes() + INDEX_QUERY).rows)
    assert index(saved) == index({"entities": fresh.entities, "keys": list(zip(fresh.keys, fresh.owners))})
    manifest = json.loads((got.path / "manifest.json").read_text())
    assert manifest["programmes"] == 3 and manifest["triples"] == got.triples


def test_a_refused_graph_stops_the_build_before_its_files(mini_data, tmp_path, monkeypatch):
    """A graph SHACL refuses is not exported at all (a large build does not spend its exports for nothing)."""
    import kg.build

    from kg.build import BuildError

    (mini_data / "people.yaml").write_text(
        (mini_data / "people.yaml").read_text(encoding="utf-8") + '  - {id: sans-role, label: "Sans Rôle"}\n', encoding="utf-8")
    written = []
    monkeypatch.setattr(kg.build, "GraphWriter", lambda path: written.append(path))
    try:
        build(mini_data, tmp_path / "dist")
    except BuildError as error:
        assert "sans-role" in str(error)
    else:
        raise AssertionError("the build should have been refused")
    assert written == []
    assert not (tmp_path / "dist" / "current").exists()
