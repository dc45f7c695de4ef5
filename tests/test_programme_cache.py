"""A rebuild makes again only the programmes whose inputs changed (kg/chunk_cache.py): the others' triples, N-Triples
and counts are those an earlier build made, and the graph, its description and its provenance are exactly those of a
build that makes everything."""

from __future__ import annotations

import json

from kg.build import build
from kg.chunk_cache import PartCache
from kg.graph import triple_chunks
from kg.programmes import load_data

from .conftest import three_programmes
from .test_shacl_cache import BANQUE_ROLE


def _made(dist) -> dict:
    return json.loads((dist / "current" / "manifest.json").read_text(encoding="utf-8"))["programme_parts"]


def _void(path) -> str:
    return "\n".join(line for line in (path / "void.ttl").read_text(encoding="utf-8").splitlines()
                     if "dcterms:modified" not in line)


def _plain(data, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_PROGRAMME_CACHE", "0")
    plain = build(data, tmp_path / "plain")
    monkeypatch.delenv("KG_PROGRAMME_CACHE")
    assert not (tmp_path / "plain" / "cache" / "programmes").exists()
    return plain


def test_a_rebuild_makes_only_the_programme_that_changed_and_those_that_follow_it(tmp_path, monkeypatch):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    build(data, dist)
    assert _made(dist) == {"made": 3, "reused": 0, "read": 0}
    again = build(data, dist)
    assert _made(dist) == {"made": 0, "reused": 3, "read": 0}
    assert len(list((dist / "cache" / "programmes").glob("*.pickle"))) == 4  # and the shared part

    fiche = data / "programmes" / "rtc-2025" / "fiches" / "01.yaml"
    text = fiche.read_text(encoding="utf-8")
    fiche.write_text(text.replace(BANQUE_ROLE, ""), encoding="utf-8")  # one role less in the last programme
    changed = build(data, dist)
    assert _made(dist) == {"made": 1, "reused": 2, "read": 0}
    assert len(list((dist / "cache" / "programmes").glob("*.pickle"))) == 4  # the old rtc-2025 is forgotten
    plain = _plain(data, tmp_path, monkeypatch)
    assert (changed.path / "graph.nt").read_bytes() == (plain.path / "graph.nt").read_bytes()
    assert (changed.path / "graph.nt").read_bytes() != (again.path / "graph.nt").read_bytes()
    assert _void(changed.path) == _void(plain.path)

    earlier = data / "programmes" / "rtc-2024" / "fiches" / "01.yaml"  # rtc-2025's previous programme
    earlier.write_text(earlier.read_text(encoding="utf-8").replace("\n", "\n\n", 1), encoding="utf-8")
    build(data, dist)
    assert _made(dist) == {"made": 2, "reused": 1, "read": 0}  # rtc-2024, and rtc-2025 whose proposals it is read for


def test_a_shared_entity_or_a_draft_entity_changed_makes_every_programme_again(tmp_path, monkeypatch):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    build(data, dist)
    people = data / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build(data, dist)
    assert _made(dist) == {"made": 3, "reused": 0, "read": 0}
    own = data / "programmes" / "rtc-2024" / "organisations.yaml"
    own.write_text(own.read_text(encoding="utf-8") + "\n# relu\n", encoding="utf-8")
    rebuilt = build(data, dist)
    assert _made(dist) == {"made": 3, "reused": 0, "read": 0}
    plain = _plain(data, tmp_path, monkeypatch)
    assert (rebuilt.path / "graph.nt").read_bytes() == (plain.path / "graph.nt").read_bytes()


def test_reused_programmes_give_the_same_triples_and_provenance(tmp_path):
    data = three_programmes(tmp_path / "data")
    cache_folder = tmp_path / "cache"
    runs = []
    for _ in range(3):  # made without cache, made into the cache, taken from it
        dataset = load_data(data)
        cache = PartCache(cache_folder, data) if runs else None
        chunks = []
        for chunk in triple_chunks(dataset, cache):
            chunks.append((chunk[0], list(chunk.all_triples() if cache is not None else chunk[1])))
            if cache is not None and len(chunk) > 2 and chunk.made is not None:
                cache.put(chunk.key, chunk.made)  # as the build keeps it once written
        runs.append((chunks, dict(dataset.provenance), cache))
    assert runs[1][2].made == 3 and runs[2][2].reused == 3
    assert runs[0][0] == runs[1][0] == runs[2][0]
    assert runs[0][1] == runs[1][1] == runs[2][1]
    assert any("programmes/rtc-2025/fiches/" in where.file for where in runs[2][1].values())


def test_a_lost_earlier_build_or_a_broken_entry_still_gives_the_same_graph(tmp_path, monkeypatch):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    first = build(data, dist)
    (first.path / "graph.nt").write_bytes(b"")  # the earlier build's file no longer holds the parts
    again = build(data, dist)
    assert _made(dist) == {"made": 0, "reused": 3, "read": 3}
    rebuilt = []
    for kept in ("*.triples", "*.pickle"):  # a programme's triples, or what names them
        for entry in (dist / "cache" / "programmes").glob(kept):
            entry.write_bytes(entry.read_bytes()[:100])  # cut short by a build that stopped
        rebuilt.append(build(data, dist))
        assert _made(dist) == {"made": 3, "reused": 0, "read": 0}
    plain = _plain(data, tmp_path, monkeypatch)
    for built in (again, *rebuilt):
        assert (built.path / "graph.nt").read_bytes() == (plain.path / "graph.nt").read_bytes()
        assert _void(built.path) == _void(plain.path)


def test_the_same_data_in_another_folder_is_made_again(tmp_path):
    """A programme's triples name its files (kg:fileName, the YAML places of the provenance): a copy of the data
    under another name must not take the parts made for the first folder."""
    first = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    build(first, dist)
    other = three_programmes(tmp_path / "donnees")
    moved = build(other, dist)
    assert _made(dist) == {"made": 3, "reused": 0, "read": 0}
    assert "donnees/programmes/rtc-2025" in (moved.path / "graph.nt").read_text(encoding="utf-8")
