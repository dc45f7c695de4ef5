"""A rebuild reads the YAML files that did not change from the parse an earlier build kept (kg/yaml_cache.py), and
gives the same graph and the same errors as a build that parses everything."""

from __future__ import annotations

import json

import pytest

from kg.build import build
from kg.load import DataError

from .conftest import three_programmes
from .test_shacl_cache import BANQUE_ROLE


def _yaml_files(dist) -> dict:
    return json.loads((dist / "current" / "manifest.json").read_text(encoding="utf-8"))["yaml_files"]


def test_a_rebuild_parses_only_the_files_that_changed(tmp_path, monkeypatch):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    before = build(data, dist)
    assert "Poitiers, Banque des Territoires" in (before.path / "graph.nt").read_text(encoding="utf-8")
    first = _yaml_files(dist)
    reads, distinct = first["parsed"] + first["cached"], first["parsed"]  # two files of the same bytes: parsed once
    assert reads >= 30 and distinct == len(list((dist / "cache" / "yaml").glob("*.pickle")))

    build(data, dist)
    assert _yaml_files(dist) == {"parsed": 0, "cached": reads}

    fiche = data / "programmes" / "rtc-2025" / "fiches" / "01.yaml"
    text = fiche.read_text(encoding="utf-8")
    assert BANQUE_ROLE in text
    fiche.write_text(text.replace(BANQUE_ROLE, ""), encoding="utf-8")  # one role less in one fiche
    changed = build(data, dist)
    assert _yaml_files(dist) == {"parsed": 1, "cached": reads - 1}
    assert "Poitiers, Banque des Territoires" not in (changed.path / "graph.nt").read_text(encoding="utf-8")
    assert len(list((dist / "cache" / "yaml").glob("*.pickle"))) == distinct  # the old parse of 01.yaml is forgotten

    monkeypatch.setenv("KG_YAML_CACHE", "0")
    plain = build(data, tmp_path / "plain")
    assert not (tmp_path / "plain" / "cache" / "yaml").exists()
    assert (plain.path / "graph.nt").read_bytes() == (changed.path / "graph.nt").read_bytes()


def test_a_broken_file_is_reported_with_its_line_though_its_old_parse_is_kept(tmp_path):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    build(data, dist)
    programme = data / "programmes" / "rtc-2025" / "programme.yaml"
    lines = programme.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(2, "  mauvais: [non fermé\n")
    programme.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataError) as refused:
        build(data, dist)
    assert str(refused.value).endswith("programmes/rtc-2025/programme.yaml:4: YAML invalide : did not find expected ',' or ']'")


def test_a_cut_short_cache_entry_is_parsed_again(tmp_path):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    first = build(data, dist)
    distinct = _yaml_files(dist)["parsed"]
    for entry in (dist / "cache" / "yaml").glob("*.pickle"):
        entry.write_bytes(entry.read_bytes()[:10])  # a build stopped while writing it
    again = build(data, dist)
    assert _yaml_files(dist)["parsed"] == distinct
    assert (again.path / "graph.nt").read_bytes() == (first.path / "graph.nt").read_bytes()
