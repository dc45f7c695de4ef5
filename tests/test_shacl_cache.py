"""A rebuild validates only the SHACL parts that changed (kg/shacl_cache.py), and gives the same graph and the same
refusals as a build without the cache."""

from __future__ import annotations

import json

from rdflib import Literal

from kg import partition
from kg.build import BuildError, build
from kg.graph import graph_of, triple_chunks
from kg.namespaces import KG
from kg.programmes import load_data
from kg.validate import validate
from kg.validate_stream import StreamValidation

from .conftest import three_programmes

BANQUE_ROLE = """  - role: contributeur
    agent: banque-des-territoires
    text: "Autres contributeurs : Ville de Poitiers, Banque des Territoires."
    lines: [8, 8]
"""


def _manifest(dist) -> dict:
    return json.loads((dist / "current" / "manifest.json").read_text(encoding="utf-8"))


def _by_content(dist) -> set[str]:
    """The parts known by the digest of their triples."""
    return {p.name for p in (dist / "cache" / "shacl").iterdir() if not p.read_text()}


def _by_keys(dist) -> dict[str, str]:
    """The parts known by their programmes' keys -> the digest of their triples."""
    return {p.name: p.read_text() for p in (dist / "cache" / "shacl").iterdir() if p.read_text()}


def test_a_rebuild_validates_only_the_parts_a_changed_fiche_touches(tmp_path, monkeypatch):
    monkeypatch.setattr(partition, "PART_TRIPLES", 300)  # parts of a few fiches, as a large graph has
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    first = build(data, dist)
    assert first.shacl_parts["cached"] == 0 and first.shacl_parts["validated"] >= 3
    # each fiche and programme is known by its triples and by its programme's key; each entity batch by the triples
    # of its segments (nodes grouped by their IRIs)
    by_content, by_keys = _by_content(dist), _by_keys(dist)
    fiches_and_programmes = (14 + 4 + 4) + 3  # the real programme, two fictional years of four fiches
    assert len(by_keys) == fiches_and_programmes and set(by_keys.values()) <= by_content
    entity_segments = by_content - set(by_keys.values())
    assert len(entity_segments) > first.shacl_parts["validated"]  # many segments in each entity batch

    again = build(data, dist)  # nothing changed: every part is known, no programme read again
    assert again.shacl_parts == {"validated": 0, "cached": first.shacl_parts["validated"]}
    assert _manifest(dist)["shacl_parts"] == again.shacl_parts
    assert again.programme_parts == {"made": 0, "reused": 3, "read": 0}
    assert _by_keys(dist) == by_keys

    fiche = data / "programmes" / "rtc-2025" / "fiches" / "01.yaml"
    text = fiche.read_text(encoding="utf-8")
    assert BANQUE_ROLE in text
    fiche.write_text(text.replace(BANQUE_ROLE, ""), encoding="utf-8")  # one role less in one fiche
    changed = build(data, dist)
    parts = changed.shacl_parts
    assert 1 <= parts["validated"] < first.shacl_parts["validated"] and parts["cached"] >= 1
    assert parts["validated"] + parts["cached"] == first.shacl_parts["validated"]
    # the old fiche is forgotten, this build's fiches kept; only the changed programme's keys are new
    assert len(_by_content(dist)) == len(by_content) and len(_by_content(dist) - by_content) >= 2
    assert len(_by_keys(dist)) == len(by_keys) and len(set(_by_keys(dist)) - set(by_keys)) == 4 + 1
    assert changed.programme_parts == {"made": 1, "reused": 2, "read": 0}
    # validated again: the fiche, its programme and the one segment of entities holding the bank (a role less
    # points to it), not the whole entity batch
    assert len(_by_content(dist) - by_content) == 3

    monkeypatch.setenv("KG_SHACL_CACHE", "0")
    plain = build(data, tmp_path / "plain")
    assert plain.shacl_parts == {"validated": first.shacl_parts["validated"], "cached": 0}
    assert not (tmp_path / "plain" / "cache" / "shacl").exists()
    assert (plain.path / "graph.nt").read_bytes() == (changed.path / "graph.nt").read_bytes()
    assert "banque-des-territoires" not in (changed.path / "graph.nt").read_text(encoding="utf-8").split(
        "programme/rtc-2025/fiche/1/role/4")[0][-200:]


def test_the_cache_never_hides_a_violation(tmp_path):
    """Parts known conforming are skipped; a broken part is validated and reported as without the cache."""
    dataset = load_data(three_programmes(tmp_path / "data"))
    chunks = [(name, list(triples)) for name, triples in triple_chunks(dataset)]
    cache = tmp_path / "cache"
    good = StreamValidation(dataset.provenance, per_part=300, cache_folder=cache)
    for _, triples in chunks:
        good.add(list(triples))
    good.finish(lambda: None)
    assert good.result().conforms and good.cached == 0 and good.checked == good.parts

    broken = []
    for name, triples in chunks:
        if name == "rtc-2025":  # an item's line 0, in one fiche of one programme
            first = next(t for t in triples if t[1] == KG.lineEnd and "/item/" in t[0])
            triples = [t for t in triples if t is not first] + [(first[0], KG.lineEnd, Literal(0))]
        broken.append(triples)
    whole = validate(graph_of([t for triples in broken for t in triples]), dataset.provenance)
    stream = StreamValidation(dataset.provenance, per_part=300, cache_folder=cache)
    for triples in broken:
        stream.add(list(triples))
    stream.finish(lambda: None)
    report = stream.result()
    assert not whole.conforms and not report.conforms
    assert sorted(str(v) for v in report.violations) == sorted(str(v) for v in whole.violations)
    assert stream.cached >= 1 and 1 <= stream.checked < stream.parts


def test_a_refused_build_is_refused_again_whatever_the_cache(tmp_path):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    build(data, dist)
    fiche = data / "programmes" / "rtc-2025" / "fiches" / "01.yaml"
    text = fiche.read_text(encoding="utf-8")
    broken = text.replace("  - {role: referent-ca, agent: thibault-garnier-vidal, "
                          "text: \"Référent CA : Thibault Garnier-Vidal.\", lines: [6, 6]}\n", "")
    assert broken != text
    fiche.write_text(broken, encoding="utf-8")  # a fiche without its referent CA: the programme's check
    reports = []
    for _ in range(2):  # the second time, the refused programme may come from the cache of programmes
        try:
            build(data, dist)
        except BuildError as exc:
            assert "rtc-2025" in str(exc)
            reports.append(str(exc))
        else:
            raise AssertionError("build accepted a fiche without its referent CA")
    assert reports[0] == reports[1]


def test_an_entity_broken_in_a_rebuild_is_refused_as_without_the_cache(tmp_path, monkeypatch):
    """A person left without a role breaks a shape of the entity side: the rebuild validates only that person's
    segment of its entity batch, and refuses the build with the report a build without the cache gives."""
    monkeypatch.setattr(partition, "PART_TRIPLES", 300)
    data = three_programmes(tmp_path / "data")
    build(data, tmp_path / "dist")
    fiche = data / "programmes" / "rtc-2025" / "fiches" / "04.yaml"
    text = fiche.read_text(encoding="utf-8")
    role = ("  - {role: referent-equipe, agent: samia-belkacem, text: \"Référent équipe : Samia Belkacem.\", "
            "lines: [36, 36]}\n")
    assert role in text
    fiche.write_text(text.replace(role, ""), encoding="utf-8")  # her only role
    reports = []
    for dist, cache in ((tmp_path / "dist", "1"), (tmp_path / "plain", "0")):
        monkeypatch.setenv("KG_SHACL_CACHE", cache)
        try:
            build(data, dist)
        except BuildError as exc:
            reports.append(str(exc))
        else:
            raise AssertionError("build accepted a person without any role")
    assert "samia-belkacem" in reports[0] and reports[0] == reports[1]


def test_reused_programmes_are_read_and_validated_when_their_verdicts_are_lost(tmp_path, monkeypatch):
    """The parts of reused programmes, known by neither their keys nor their triples, are read from the cache of
    programmes by the validation's workers: same parts validated as the first build, same graph."""
    monkeypatch.setattr(partition, "PART_TRIPLES", 300)
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    first = build(data, dist)
    for entry in (dist / "cache" / "shacl").iterdir():
        entry.unlink()
    again = build(data, dist)
    assert again.programme_parts == {"made": 0, "reused": 3, "read": 0}
    assert again.shacl_parts == first.shacl_parts
    assert _by_content(dist) and len(_by_keys(dist)) == (14 + 4 + 4) + 3
    assert (again.path / "graph.nt").read_bytes() == (first.path / "graph.nt").read_bytes()


def test_a_dump_that_fails_in_its_process_stops_the_build_and_keeps_the_last_one(tmp_path, monkeypatch):
    """Turtle, JSON-LD and TriG are written in a forked process: its failure is the build's, nothing is swapped."""
    import kg.dump_pieces

    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    good = build(data, dist)
    opening = kg.dump_pieces._opening

    def full_disk(fmt):
        if fmt == "trig":
            raise OSError(28, "No space left on device")
        return opening(fmt)

    monkeypatch.setattr(kg.dump_pieces, "_opening", full_disk)
    try:
        build(data, dist)
    except RuntimeError as exc:
        assert "graph.trig" in str(exc) and "No space left" in str(exc)
    else:
        raise AssertionError("a build whose TriG could not be written was published")
    assert (dist / "current").resolve() == good.path.resolve()
    assert not list((dist / "builds").glob(".tmp-*"))
