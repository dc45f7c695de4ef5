"""The CSV tables per programme, cached (kg/table_pieces.py): a rebuild queries only the programmes whose rows may
have changed, and its tables are byte for byte those of a build without the cache (whole-store queries)."""

from __future__ import annotations

import json
import zipfile

from kg import table_pieces
from kg.build import build
from kg.export import TABLES, csv_tables, not_printed_notes, table_rows
from kg.store import OxigraphStore

from .conftest import three_programmes

BANQUE_ROLE = """  - role: contributeur
    agent: banque-des-territoires
    text: "Autres contributeurs : Ville de Poitiers, Banque des Territoires."
    lines: [8, 8]
"""
CNFPT = '''  - id: cnfpt
    label: "Centre national de la fonction publique territoriale"
    acronym: CNFPT
    expansion_source: public
    aliases: ["CNFPT"]
    kind: etablissement-public
    links:
      - {scheme: wikidata, id: Q2945925, match: exact, verified: "OSM name-suggestion-index (one source: medium confidence)"}
      - {scheme: anf-agent, id: "https://rdf.archives-nationales.culture.gouv.fr/agent/050844", match: exact, verified: "Archives nationales authority record"}
'''
CNFPT_LABEL = "Centre national de la fonction publique territoriale"
CNFPT_NEW = "Centre National de la Fonction Publique Territoriale"  # the same search key: no mention changes


def _tables(result) -> dict[str, str]:
    with zipfile.ZipFile(result.path / "telecharger" / "tables.zip") as z:
        return {name: z.read(name).decode("utf-8") for name in z.namelist()}


def _manifest(result) -> dict:
    return json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))


def _pieces(result) -> dict[str, str]:
    return {piece["name"]: piece["sha256"] for piece in _manifest(result)["pieces"]}


def _without_cache(data, dist, monkeypatch) -> dict[str, str]:
    """The tables of a build with the cache off, in a folder of its own."""
    with monkeypatch.context() as m:
        m.setenv("KG_TABLES_CACHE", "0")
        plain = build(data, dist)
    assert not (dist / "cache" / "tables").exists()
    assert _manifest(plain)["tables"] == {"programmes_queried": 3, "programmes_cached": 0}
    return _tables(plain)


def _whole(result) -> dict[str, str]:
    store = OxigraphStore(result.path / "store")
    try:
        return csv_tables(store)
    finally:
        store.close()


def test_each_programme_s_rows_are_its_part_of_the_whole_table(three_built):
    """The row order is total and programme first: one programme's query gives exactly its rows of the whole one."""
    store = OxigraphStore(three_built / "current" / "store")
    for name in TABLES:
        names, rows = table_rows(store, name)
        if name == table_pieces.WHOLE_TABLE:
            assert "programme" not in names
            continue
        at = names.index("programme")
        assert [row[at] for row in rows] == sorted(row[at] for row in rows), name
        for programme in ("rtc-2024", "rtc-2025", "rtes-2024"):
            alone = table_rows(store, name, programme)
            assert alone[0] == names == table_pieces.columns(name)
            assert alone[1] == [row for row in rows if row[at] == programme] and alone[1], (name, programme)
    # an event printed in two places: its cell lists both, as the programme's own query does
    events = table_rows(store, "evenements.csv", "rtes-2024")[1]
    assert any(" ; " in (row[10] or "") for row in events)
    assert not_printed_notes(store)  # the non_imprime column has something to show
    store.close()


def test_no_table_reads_what_the_keys_leave_out():
    """The keys leave out the "totaux" part (kg:ficheTotal only): no table may read it."""
    assert all("ficheTotal" not in query for query in TABLES.values())


def test_a_rebuild_queries_only_the_programme_a_changed_fiche_belongs_to(tmp_path, monkeypatch):
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    first = build(data, dist)
    assert _manifest(first)["tables"] == {"programmes_queried": 3, "programmes_cached": 0, "entites_cached": 0}
    assert _tables(first) == _whole(first)
    cache = dist / "cache" / "tables"
    assert len(list(cache.iterdir())) == 4  # three programmes and entites.csv

    again = build(data, dist)  # nothing changed: every programme from the cache
    assert _manifest(again)["tables"] == {"programmes_queried": 0, "programmes_cached": 3, "entites_cached": 1}
    assert _tables(again) == _tables(first)

    fiche = data / "programmes" / "rtc-2025" / "fiches" / "01.yaml"
    text = fiche.read_text(encoding="utf-8")
    assert BANQUE_ROLE in text
    fiche.write_text(text.replace(BANQUE_ROLE, ""), encoding="utf-8")  # one role less in one fiche
    changed = build(data, dist)
    assert _manifest(changed)["tables"]["programmes_queried"] == 1
    assert _manifest(changed)["tables"]["programmes_cached"] == 2
    tables = _tables(changed)
    assert tables == _without_cache(data, tmp_path / "plain", monkeypatch) == _whole(changed)
    banque = [[line for line in t["roles.csv"].splitlines() if "/organisation/banque-des-territoires" in line
               and ",rtc-2025," in line] for t in (_tables(first), tables)]
    assert len(banque[0]) == 1 and banque[1] == []  # the role's row is gone
    assert len(list(cache.iterdir())) == 4  # the old entry of rtc-2025 is forgotten


def test_a_shared_entity_s_new_label_reaches_every_programme(tmp_path, monkeypatch):
    """The label is in the shared part only: every programme's key changes with it (each queried alone here)."""
    monkeypatch.setattr(table_pieces, "WHOLE_FROM", 2.0)
    data = three_programmes(tmp_path / "data")
    dist = tmp_path / "dist"
    first = build(data, dist)
    shared = data / "organisations.yaml"
    text = shared.read_text(encoding="utf-8")
    old = 'label: "Agence nationale de la cohésion des territoires"'
    assert old in text
    shared.write_text(text.replace(old, 'label: "Agence Nationale de la Cohésion des Territoires"'), encoding="utf-8")
    changed = build(data, dist)
    before, after = _pieces(first), _pieces(changed)
    assert before["commun"] != after["commun"]
    assert all(before[p] == after[p] for p in ("rtc-2024", "rtc-2025", "rtes-2024"))  # the programmes' parts are not
    assert _manifest(changed)["tables"] == {"programmes_queried": 3, "programmes_cached": 0, "entites_cached": 0}
    tables = _tables(changed)
    assert tables == _without_cache(data, tmp_path / "plain", monkeypatch)
    for programme in ("rtc-2024", "rtes-2024"):  # ANCT is a contributor in both
        rows = [line for line in tables["entites_fiches.csv"].splitlines() if f",{programme}," in line]
        assert any("Agence Nationale de la Cohésion" in line for line in rows), programme
    assert "Agence nationale de la cohésion" not in tables["entites_fiches.csv"]


def test_a_draft_s_own_entity_changed_reaches_the_programmes_naming_it(tmp_path, monkeypatch):
    """The draft rtc-2025 describes the CNFPT (a shared entity) in its own folder: the CNFPT is written in rtc-2025's
    part, not in the shared one. rtc-2024 and rtes-2024 name it: their parts do not change with its label, their
    rows do (each programme queried alone here)."""
    monkeypatch.setattr(table_pieces, "WHOLE_FROM", 2.0)
    data = three_programmes(tmp_path / "data")
    own = data / "programmes" / "rtc-2025" / "organisations.yaml"
    own.write_text(own.read_text(encoding="utf-8") + CNFPT, encoding="utf-8")
    dist = tmp_path / "dist"
    first = build(data, dist)
    nt = (first.path / "graph.nt").read_bytes()
    where = {p["name"]: nt[p["offset"]:p["offset"] + p["length"]] for p in _manifest(first)["pieces"]}
    assert CNFPT_LABEL.encode() in where["rtc-2025"] and CNFPT_LABEL.encode() not in where["commun"]
    for path in (data / "organisations.yaml", own):
        path.write_text(path.read_text(encoding="utf-8").replace(CNFPT_LABEL, CNFPT_NEW), encoding="utf-8")
    changed = build(data, dist)
    before, after = _pieces(first), _pieces(changed)
    assert before["rtc-2025"] != after["rtc-2025"]
    assert all(before[p] == after[p] for p in ("commun", "rtc-2024", "rtes-2024"))
    assert _manifest(changed)["tables"] == {"programmes_queried": 3, "programmes_cached": 0, "entites_cached": 0}
    tables = _tables(changed)
    assert tables == _without_cache(data, tmp_path / "plain", monkeypatch)
    role = [line for line in tables["roles.csv"].splitlines() if "/organisation/cnfpt" in line and ",rtc-2024," in line]
    assert role and all(CNFPT_NEW in line for line in role)
    assert CNFPT_LABEL not in "".join(tables.values())

    (data / "programmes" / "rtc-2024" / "fiches" / "03.yaml").touch()  # nothing changed: all from the cache again
    assert _manifest(build(data, dist))["tables"]["programmes_cached"] == 3
