"""The build programme by programme: parts made one after the other give the graph made whole, SHACL fed part
after part finds what the whole graph's validation finds, and the bench's ×N data is N programmes."""

from __future__ import annotations

import time

import pytest

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from bench.scale import generate
from kg.graph import _build_one, graph_of, triple_chunks
from kg.namespaces import KG
from kg.programmes import load_data
from kg.validate import validate
from kg.validate_stream import StreamValidation

FOAF_PERSON = URIRef("http://xmlns.com/foaf/0.1/Person")


def _key(report) -> list:
    return sorted((v.focus, v.path or "", v.component, v.message, v.value or "") for v in report.violations)


def test_the_parts_are_the_graph_each_programme_made_alone_would_give(three_dataset):
    """Shared entities once, each programme alone, then the totals: the triples of every programme built whole
    with every entity (as the build did before it went programme by programme), the totals counted over all."""
    chunks = list(triple_chunks(three_dataset))
    assert [name for name, _ in chunks] == ["commun", "rtc-2024", "rtc-2025", "rtes-2024", "totaux"]
    streamed = {t for _, triples in chunks for t in triples}
    whole = set()
    for part in three_dataset.parts:
        whole |= {t for t in _build_one(part, totals=False).triples}
    totals = {t for t in streamed if t[1] == KG.ficheTotal}
    assert streamed - totals == whole - {t for t in whole if t[1] == KG.ficheTotal}
    assert {t[0] for t in totals} == {t[0] for t in whole if t[1] == KG.entityType}


def test_validation_fed_programme_by_programme_finds_what_the_whole_graph_finds(three_data):
    """Breakages in two programmes and in the shared part, validated in forked workers batch after batch."""
    dataset = load_data(three_data)
    chunks = [(name, list(triples)) for name, triples in triple_chunks(dataset)]
    broken = []
    for name, triples in chunks:
        if name == "rtc-2025":  # a fiche without its referent CA: the programme's check, in the shared part
            triples = [t for t in triples if t[2] != Literal("referent-ca")]
        if name == "rtes-2024":  # an item's line 0: a fiche-class shape, in a batch part
            first = next(t for t in triples if t[1] == KG.lineEnd and "/item/" in t[0])
            triples = [t for t in triples if t is not first] + [(first[0], KG.lineEnd, Literal(0))]
        if name == "commun":  # a person who holds no role anywhere
            person = URIRef("https://ess-kg.example/personne/sans-role")
            triples = triples + [(person, RDF.type, FOAF_PERSON), (person, RDFS.label, Literal("Sans rôle", lang="fr"))]
        broken.append(triples)
    whole = validate(graph_of([t for triples in broken for t in triples]), dataset.provenance)
    stream = StreamValidation(dataset.provenance, per_part=500)
    for triples in broken:
        stream.add(list(triples))
    assert any(name.startswith("programme") for name in stream.names)  # validated while the build goes on
    assert not any(name.startswith("entités") for name in stream.names)  # they wait for the totals
    stream.finish(lambda: None)  # returns at once: the build writes its dumps while the workers end
    assert sum("entités" in name for _, _, name in stream.running) == 2  # the last parts shared between two workers
    report = stream.result()
    assert stream.parts > 3 and not stream.whole
    assert sum(name.startswith("entités") for name in stream.names) >= 2
    assert not whole.conforms and not report.conforms
    assert _key(report) == _key(whole)
    assert all(v.where is not None for v in report.violations if "sans-role" not in v.focus)


@pytest.mark.parametrize("workers", [1, 3])
def test_parts_streamed_to_several_workers_at_once_give_the_whole_graphs_report(three_data, workers):
    """At most ``stream_workers`` workers while the programmes stream in (the build waits for one to end before
    forking another), and the same violations as the whole graph, whatever their number."""
    dataset = load_data(three_data)
    chunks = [list(triples) for _, triples in triple_chunks(dataset)]
    first = next(t for t in chunks[1] if t[1] == KG.lineEnd and "/item/" in t[0])
    chunks[1] = [t for t in chunks[1] if t is not first] + [(first[0], KG.lineEnd, Literal(0))]
    whole = validate(graph_of([t for triples in chunks for t in triples]), dataset.provenance)
    seen = []

    class Watched(StreamValidation):
        def _start(self, parts):
            super()._start(parts)
            seen.append(len(self.running))

    stream = Watched(dataset.provenance, per_part=300, stream_workers=workers)
    for triples in chunks:
        stream.add(triples)
    streamed = len(seen)
    stream.finish(lambda: None)
    report = stream.result()
    assert streamed > workers and max(seen[:streamed]) <= workers
    assert not report.conforms and _key(report) == _key(whole)


def test_the_last_parts_workers_wait_for_a_free_slot(three_data):
    """``finish`` forks the entity parts' workers at once, but they validate only when a slot is free: never more
    than ``stream_workers`` validating together, and the report is the whole graph's."""
    dataset = load_data(three_data)
    chunks = [list(triples) for _, triples in triple_chunks(dataset)]
    whole = validate(graph_of([t for triples in chunks for t in triples]), dataset.provenance)
    stream = StreamValidation(dataset.provenance, per_part=300, stream_workers=1)
    for triples in chunks:
        stream.add(triples)
    assert stream.gate.acquire(timeout=120)  # the one slot, held here once the streaming worker has let it go
    stream.finish(lambda: None)
    finals = [entry for entry in stream.running if "entités" in entry[2]]
    assert len(finals) == 2 and all(process.is_alive() for process, _, _ in finals)
    time.sleep(2)
    assert not any(conn.poll() for _, conn, _ in finals)  # forked, waiting: not a part validated
    stream.gate.release()
    report = stream.result()
    assert not stream.running and report.conforms == whole.conforms and _key(report) == _key(whole)


def test_the_bench_data_at_scale_is_n_programmes_of_fourteen_fiches(tmp_path):
    """×N: N folders under programmes/ (several publishers, several years, follows: between consecutive years),
    shared entity files at the top; the same bytes from the same seed; it loads and validates."""
    counts = generate(4, tmp_path / "a")
    generate(4, tmp_path / "b")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    dataset = load_data(tmp_path / "a")
    assert counts["programmes"] == len(dataset.parts) == 4
    assert {len(p.fiches) for p in dataset.parts} == {14}
    assert len({p.programme["publisher"] for p in dataset.parts}) == 2
    assert len({p.programme["year"] for p in dataset.parts}) == 2
    assert any(f.data.get("follows") for p in dataset.parts for f in p.fiches)
    assert (tmp_path / "a" / "people.yaml").exists() and (tmp_path / "a" / "programmes").is_dir()
    triples = [t for _, chunk in triple_chunks(dataset) for t in chunk]
    assert validate(graph_of(triples), dataset.provenance).conforms
