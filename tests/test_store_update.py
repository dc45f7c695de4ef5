"""A rebuild makes its store from the previous build's by difference (kg/store_update.py): the same triples as a bulk
load of the new graph.nt, the previous store untouched while a reader holds it, and a bulk load whenever the
previous build cannot serve."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef

from bench.rebuild import change_one_fiche
from kg.build import build
from kg.dumps import GraphWriter
from kg.store_update import make_store

from .conftest import PROGRAMMES, three_programmes

NT = ox.RdfFormat.N_TRIPLES


def _lines(store_dir: Path) -> list[bytes]:
    """The store's triples as sorted N-Triples lines (every quad in the default graph)."""
    store = ox.Store.read_only(str(store_dir))
    quads = list(store)
    assert all(q.graph_name == ox.DefaultGraph() for q in quads)
    out = io.BytesIO()
    ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], out, format=NT)
    return sorted(out.getvalue().splitlines())


def _graph_lines(build_dir: Path) -> list[bytes]:
    return sorted(set((build_dir / "graph.nt").read_bytes().splitlines()))


def _bulk_build(data: Path, dist: Path, monkeypatch) -> Path:
    with monkeypatch.context() as patch:
        patch.setenv("KG_STORE_DIFF", "0")
        result = build(data, dist)
    assert result.store["made"] == "bulk" and result.store["why"] == "KG_STORE_DIFF=0"
    return result.path


class _Reader:
    """Another process holding a store open read-only, as ``kg serve`` does: it counts the triples when asked."""

    def __init__(self, store_dir: Path):
        code = ("import sys, pyoxigraph as ox\nstore = ox.Store.read_only(sys.argv[1])\n"
                "for _ in sys.stdin:\n    print(len(store), flush=True)\n")
        self.process = subprocess.Popen([sys.executable, "-c", code, str(store_dir)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)

    def count(self) -> int:
        self.process.stdin.write("?\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.stdout.close()
        assert self.process.wait(timeout=30) == 0


def test_one_fiche_changed_updates_the_store_by_difference(tmp_path, monkeypatch):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    first = build(data, dist)
    assert first.store["made"] == "bulk" and first.store["why"] == "pas de build précédent"
    old_lines = _lines(first.path / "store")
    old_files = {p.name: p.stat().st_mtime_ns for p in (first.path / "store").iterdir()}
    reader = _Reader(first.path / "store")
    try:
        assert reader.count() == first.triples
        changed_fiche = change_one_fiche(data, "rtc-2025")  # one quoted item less, in a small programme
        second = build(data, dist)
        assert reader.count() == first.triples  # the reader still reads the previous store, whole
    finally:
        reader.close()
    made = second.store
    assert made["made"] == "difference" and made["from"] == first.path.name
    assert made["removed"] >= 1 and made["pieces_changed"] >= 1
    assert made["pieces_changed"] < len(json.loads((second.path / "manifest.json").read_text())["pieces"])
    assert json.loads((second.path / "manifest.json").read_text(encoding="utf-8"))["store"] == made
    assert second.triples == first.triples - made["removed"] + made["added"]
    programme = changed_fiche.parent.parent.name
    assert any(programme in line.decode() for line in set(old_lines) - set(_lines(second.path / "store")))

    reference = _bulk_build(data, tmp_path / "plain", monkeypatch)
    new_lines = _lines(second.path / "store")
    assert new_lines == _lines(reference / "store") == _graph_lines(second.path)
    assert new_lines != old_lines
    # the previous store is untouched: same triples, no file written
    assert _lines(first.path / "store") == old_lines
    assert {p.name: p.stat().st_mtime_ns for p in (first.path / "store").iterdir()} == old_files
    # the new store serves read-only, as the site opens it
    answer = ox.Store.read_only(str(dist / "current" / "store")).query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert int(next(iter(answer))["n"].value) == second.triples


def test_a_programme_added_and_one_removed(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data", data)
    shutil.copytree(PROGRAMMES / "rtc-2024", data / "programmes" / "rtc-2024")
    dist = tmp_path / "dist"
    first = build(data, dist)
    shutil.rmtree(data / "programmes" / "rtc-2024")
    shutil.copytree(PROGRAMMES / "rtc-2025", data / "programmes" / "rtc-2025")
    for fiche in (data / "programmes" / "rtc-2025" / "fiches").glob("*.yaml"):  # what it follows is gone
        text = fiche.read_text(encoding="utf-8")
        fiche.write_text("\n".join(line for line in text.split("\n") if not line.startswith("follows:")),
                         encoding="utf-8")
    second = build(data, dist)
    made = second.store
    assert made["made"] == "difference" and made["removed"] > 0 and made["added"] > 0, made
    old_lines, new_lines = _lines(first.path / "store"), _lines(second.path / "store")
    assert not any(b"rtc-2025" in line for line in old_lines) and any(b"rtc-2025" in line for line in new_lines)
    assert any(b"programme/rtc-2024" in line for line in old_lines)
    assert not any(b"programme/rtc-2024" in line for line in new_lines)
    assert new_lines == _lines(_bulk_build(data, tmp_path / "plain", monkeypatch) / "store")


def _write(folder: Path, parts: dict[str, list], previous: Path | None) -> dict:
    """graph.nt of these parts written by GraphWriter in ``folder``, its store made, and its manifest."""
    folder.mkdir()
    writer = GraphWriter(folder / "graph.nt")
    for name, triples in parts.items():
        writer.add(triples, name)
    writer.close()
    made = make_store(folder / "store", folder / "graph.nt", writer.pieces, previous)
    made.store.close()
    manifest = {"triples": made.triples, "pieces": writer.pieces, "store": made.record}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return made.record


def test_a_triple_gone_from_one_part_stays_when_another_part_has_it(tmp_path):
    """GraphWriter does not deduplicate across parts: a triple two parts hold stays while one of them does."""
    ex = "https://example.org/"
    shared = (URIRef(ex + "0"), URIRef(ex + "p"), Literal("dans deux parties"))  # first in its part
    own = [(URIRef(ex + f"a{i}"), URIRef(ex + "p"), Literal(i)) for i in range(40)]
    other = [(URIRef(ex + f"b{i}"), URIRef(ex + "p"), Literal(i)) for i in range(40)]
    tail = [(URIRef(ex + f"c{i}"), URIRef(ex + "p"), Literal(i)) for i in range(200)]  # never changed
    line = b'<https://example.org/0> <https://example.org/p> "dans deux parties" .'
    assert _write(tmp_path / "v1", {"a": own + [shared], "b": other + [shared], "c": tail}, None)["made"] == "bulk"
    made = _write(tmp_path / "v2", {"b": other + [shared], "a": own, "c": tail}, tmp_path / "v1")
    assert made["made"] == "difference" and made["pieces_changed"] == 1 and made["removed"] == 0
    assert (tmp_path / "v2" / "graph.nt").read_bytes().startswith(line)  # found even as the file's first line
    assert line in _lines(tmp_path / "v2" / "store")
    assert _lines(tmp_path / "v2" / "store") == _graph_lines(tmp_path / "v2")
    # gone from the other part too: now it goes (and a part moved in the file with the same bytes is unchanged)
    made = _write(tmp_path / "v3", {"c": tail, "a": own, "b": other}, tmp_path / "v2")
    assert made["made"] == "difference" and made["pieces_changed"] == 1 and made["removed"] == 1
    assert line not in _lines(tmp_path / "v3" / "store")
    assert _lines(tmp_path / "v3" / "store") == _graph_lines(tmp_path / "v3")
    # moved from one part to another: removed from one, added to the other, kept in the store
    made = _write(tmp_path / "v4", {"c": tail, "a": own[1:], "b": other + own[:1]}, tmp_path / "v3")
    assert made["made"] == "difference" and made["pieces_changed"] == 2 and made["removed"] == made["added"] == 0
    assert _lines(tmp_path / "v4" / "store") == _graph_lines(tmp_path / "v4") == _graph_lines(tmp_path / "v3")


def test_no_previous_build_and_a_previous_store_missing_mean_a_bulk_load(tmp_path, monkeypatch):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    first = build(data, dist)
    assert first.store == {"made": "bulk", "why": "pas de build précédent", "pyoxigraph": ox.__version__}
    shutil.rmtree(first.path / "store")
    change_one_fiche(data)
    second = build(data, dist)
    assert second.store["made"] == "bulk" and second.store["why"] == "pas de magasin dans le build précédent"
    assert _lines(second.path / "store") == _graph_lines(second.path)
    assert json.loads((second.path / "manifest.json").read_text(encoding="utf-8"))["store"]["made"] == "bulk"


def test_what_a_previous_build_lacks_or_too_much_changed_means_a_bulk_load(tmp_path):
    ex = "https://example.org/"
    parts = {name: [(URIRef(ex + f"{name}{i}"), URIRef(ex + "p"), Literal(i)) for i in range(30)] for name in "abcd"}
    _write(tmp_path / "v1", parts, None)
    (tmp_path / "v1" / "graph.nt").rename(tmp_path / "graph.nt")
    made = _write(tmp_path / "v2", parts, tmp_path / "v1")
    assert made["made"] == "bulk" and made["why"].startswith("graph.nt du build précédent absent"), made
    changed = dict(parts, a=parts["a"][1:], b=parts["b"][1:], c=parts["c"][1:])  # three parts of four changed
    made = _write(tmp_path / "v3", changed, tmp_path / "v2")
    assert made["made"] == "bulk" and "chargement complet moins cher" in made["why"], made
    assert _lines(tmp_path / "v3" / "store") == _graph_lines(tmp_path / "v3")
    made = _write(tmp_path / "v4", dict(changed, a=parts["a"][2:]), tmp_path / "v3")
    assert made["made"] == "difference" and made["removed"] == 1, made
    assert _lines(tmp_path / "v4" / "store") == _graph_lines(tmp_path / "v4")
    # one part of four, half its lines changed: more than a quarter of the graph's triples
    made = _write(tmp_path / "v5", dict(changed, a=parts["a"][2:], d=parts["d"][:15] + parts["a"][:15]),
                  tmp_path / "v4")
    assert made["made"] == "bulk" and "lignes changées" in made["why"], made
    assert _lines(tmp_path / "v5" / "store") == _graph_lines(tmp_path / "v5")


def test_a_previous_store_that_is_not_its_manifests_graph_is_given_up(tmp_path):
    """The count after the difference must add up with the previous manifest's: else the store is loaded whole."""
    ex = "https://example.org/"
    parts = {name: [(URIRef(ex + f"{name}{i}"), URIRef(ex + "p"), Literal(i)) for i in range(30)] for name in "abc"}
    _write(tmp_path / "v1", parts, None)
    manifest = json.loads((tmp_path / "v1" / "manifest.json").read_text(encoding="utf-8"))
    manifest["triples"] += 1
    (tmp_path / "v1" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    parts["a"] = parts["a"][1:]
    made = _write(tmp_path / "v2", parts, tmp_path / "v1")
    assert made["made"] == "bulk" and made["why"].startswith("magasin précédent incohérent"), made
    assert _lines(tmp_path / "v2" / "store") == _graph_lines(tmp_path / "v2")
