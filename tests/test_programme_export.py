"""Exports across programmes: kg export --programme ID, one named graph per programme in TriG, draft marks in CSV."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

from rdflib import Dataset, Graph, Literal, URIRef

from kg.export import csv_tables
from kg.namespaces import KG, programme_iri
from kg.store import OxigraphStore

from .conftest import ROOT

BASE = "https://ess-kg.example/"


def _kg(*args):
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_export_one_programme_as_trig(three_built, tmp_path):
    out = tmp_path / "rtc-2025.trig"
    result = _kg("--dist", str(three_built), "export", "--programme", "rtc-2025", "-f", "trig", "-o", str(out))
    assert result.returncode == 0, result.stderr
    ds = Dataset()
    ds.parse(out, format="trig")
    names = {str(c.identifier) for c in ds.graphs() if len(c)}
    assert names == {BASE + "programme/rtc-2025", BASE + "graphe/commun"} | {
        f"{BASE}programme/rtc-2025/fiche/{n}" for n in range(1, 5)}
    triples = {(s, p, o) for s, p, o, _ in ds.quads()}
    assert (programme_iri("rtc-2025"), KG.reviewStatus, Literal("brouillon")) in triples
    subjects = {str(s) for s, _, _ in triples}
    assert not [s for s in subjects if s.startswith(BASE + "programme/rtc-2024")]
    assert BASE + "organisation/banque-des-territoires" in subjects  # a partner of 2025
    assert BASE + "organisation/anct" not in subjects  # dropped in 2025
    assert BASE + "source/rtc-programme-2025" in subjects


def test_export_of_the_real_programme_keeps_all_its_nodes(three_built, graph, tmp_path):
    out = tmp_path / "rtes.nt"
    result = _kg("--dist", str(three_built), "export", "--programme", "rtes-2024", "-f", "nt", "-o", str(out))
    assert result.returncode == 0, result.stderr
    subset = set(Graph().parse(out, format="nt"))
    own = {t for t in graph if str(t[0]).startswith(BASE + "programme/rtes-2024")}
    assert own and own <= subset
    assert not [t for t in subset if str(t[0]).startswith(BASE + "programme/rtc-")]


def test_export_of_an_unknown_programme_is_a_one_line_french_error(three_built):
    result = _kg("--dist", str(three_built), "export", "--programme", "rtes-2042")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == ("kg: programme : programme inconnu « rtes-2042 » (vouliez-vous dire « rtes-2024 » ?) ; "
                             "programmes : rtc-2024, rtc-2025, rtes-2024\n")


def test_whole_trig_has_one_named_graph_per_programme(three_built):
    ds = Dataset()
    ds.parse(three_built / "current" / "telecharger" / "graph.trig", format="trig")
    names = {str(c.identifier) for c in ds.graphs() if len(c)}
    assert {BASE + "programme/rtes-2024", BASE + "programme/rtc-2024", BASE + "programme/rtc-2025"} <= names
    axis = URIRef(BASE + "programme/rtc-2025/axe/axe-1")
    assert (axis, None, None) in ds.graph(URIRef(BASE + "programme/rtc-2025"))


def test_csv_rows_say_their_programme_and_mark_drafts(three_graph):
    tables = csv_tables(OxigraphStore.from_graph(three_graph))
    for name in ("fiches.csv", "roles.csv", "entites_fiches.csv", "evenements.csv"):
        rows = list(csv.DictReader(io.StringIO(tables[name].lstrip("\ufeff"))))
        marks = {(r["programme"], r["relecture"]) for r in rows}
        assert marks == {("rtes-2024", "relu"), ("rtc-2024", "relu"), ("rtc-2025", "brouillon — à relire")}, name


def test_void_has_one_subset_per_programme(three_built):
    from kg.void import DATASET, VOID

    void = Graph().parse(three_built / "current" / "void.ttl")
    subsets = {str(s) for s in void.objects(DATASET, VOID.subset) if "/programme/" in str(s)}
    assert subsets == {f"{BASE}jeu-de-donnees/programme/{p}" for p in ("rtes-2024", "rtc-2024", "rtc-2025")}
    draft = URIRef(BASE + "jeu-de-donnees/programme/rtc-2025")
    assert str(void.value(draft, URIRef("http://purl.org/dc/terms/title"))) == \
        "Programme d'actions 2025 du RTC (brouillon — à relire)"
    assert void.value(draft, KG.reviewStatus) == Literal("brouillon")
    fiches = void.value(URIRef(BASE + "jeu-de-donnees/programme/rtes-2024"), VOID.classPartition)
    assert void.value(fiches, VOID.entities).toPython() == 14
