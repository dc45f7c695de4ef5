"""Three programmes in one graph: the real one and two years of a fictional network (tests/fixtures/programmes)."""

from __future__ import annotations

import pytest
from rdflib import Literal

from kg.build import check
from kg.graph import build_triples
from kg.namespaces import KG, fiche_iri, programme_iri
from kg.programmes import load_data

from .conftest import PROGRAMMES, break_fixture, load_problems


def _problems(data) -> list[str]:
    return load_problems(data, load_data)


def test_three_programmes_load_with_their_status(three_dataset):
    found = {p.programme["id"]: (p.programme["status"], [f.number for f in p.fiches]) for p in three_dataset.parts}
    assert found == {"rtes-2024": ("relu", list(range(1, 15))), "rtc-2024": ("relu", [1, 2, 3, 4]),
                     "rtc-2025": ("brouillon", [1, 2, 3, 4])}


def test_the_fixture_sources_are_the_checked_copies():
    import hashlib
    for sums in PROGRAMMES.glob("*/source/SHA256SUMS"):
        expected, name = sums.read_text().split()
        assert hashlib.sha256((PROGRAMMES.parent.parent.parent / name).read_bytes()).hexdigest() == expected


def test_three_programmes_conform_to_the_shapes(three_data):
    _, triples, report, _ = check(three_data)
    assert report.conforms, report.text()
    assert triples > 21_240


def test_the_real_programme_is_unchanged_but_for_shared_totals(graph, three_graph):
    """Every triple of the real graph is still there, except the fiche totals of the entities the fictional
    network shares with it (now counted over every programme)."""
    lost = set(graph) - set(three_graph)
    assert {p for _, p, _ in lost} == {KG.ficheTotal}
    shared = {"/".join(str(s).rsplit("/", 2)[-2:]) for s, _, _ in lost}
    assert shared == {"organisation/anct", "organisation/cnfpt", "organisation/banque-des-territoires",
                      "territoire/niort", "territoire/rennes", "concept/commande-publique",
                      "concept/foncieres-solidaires", "concept/ptce", "concept/tiers-lieux"}
    assert (programme_iri("rtes-2024"), KG.reviewStatus, Literal("relu")) in three_graph


def test_anct_total_counts_every_programme(graph, three_graph):
    anct = next(s for s in three_graph.subjects(KG.identifier, Literal("anct")))
    before, after = graph.value(anct, KG.ficheTotal).toPython(), three_graph.value(anct, KG.ficheTotal).toPython()
    assert after == before + 1  # rtc-2024 fiche 1 (the 2025 draft dropped the ANCT)


def test_a_draft_is_marked_on_its_programme_and_every_fiche(three_graph):
    assert three_graph.value(programme_iri("rtc-2025"), KG.reviewStatus) == Literal("brouillon")
    assert three_graph.value(programme_iri("rtc-2024"), KG.reviewStatus) == Literal("relu")
    marked = set(three_graph.subjects(KG.reviewStatus, Literal("brouillon")))
    assert marked == {programme_iri("rtc-2025")} | {fiche_iri("rtc-2025", n) for n in range(1, 5)}


def test_declared_and_proposed_correspondences(three_graph):
    assert set(three_graph.subject_objects(KG.follows)) == {
        (fiche_iri("rtc-2025", 1), fiche_iri("rtc-2024", 1)), (fiche_iri("rtc-2025", 4), fiche_iri("rtc-2024", 3))}
    # fiche 2 declares nothing: proposed from number, axis and title; fiche 3 is new: nothing proposed
    assert set(three_graph.subject_objects(KG.proposedFollows)) == {(fiche_iri("rtc-2025", 2), fiche_iri("rtc-2024", 2))}


def test_proposal_score_is_kept(three_dataset):
    draft = next(p for p in three_dataset.parts if p.programme["id"] == "rtc-2025")
    assert draft.fiches[1].data["proposed_follows"] == ("rtc-2024", 2, 0.864)


def test_same_entity_described_differently_names_both_files_and_lines(three_data):
    break_fixture(three_data / "programmes/rtc-2025/organisations.yaml", 'label: "Ville de Poitiers"',
           'label: "Mairie de Poitiers"')
    (problem,) = _problems(three_data)
    assert problem.endswith("programmes/rtc-2025/organisations.yaml:8: organisation ville-de-poitiers: décrit autrement "
                            f"que dans {three_data}/programmes/rtc-2024/organisations.yaml:8 (label différent)"), problem
    assert "\n" not in problem


def test_own_entity_contradicting_a_shared_one_names_both_files(three_data):
    with (three_data / "programmes/rtc-2024/organisations.yaml").open("a", encoding="utf-8") as out:
        out.write('  - {id: anct, label: "Agence nationale des territoires", kind: agence-etat}\n')
    (problem,) = _problems(three_data)
    assert "programmes/rtc-2024/organisations.yaml:11: organisation anct: décrit autrement que dans" in problem
    assert "data/organisations.yaml:" in problem and "(label différent)" in problem


def test_fiche_number_reused_in_a_programme_names_both_files(three_data):
    fiches = three_data / "programmes/rtc-2025/fiches"
    (fiches / "05.yaml").write_text((fiches / "03.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (problem,) = _problems(three_data)
    assert problem.startswith(f"{fiches}/05.yaml:2: fiche 3: number: fiche 3 en double (déjà dans {fiches}/03.yaml:3)")


def test_the_same_number_in_two_programmes_is_fine(three_dataset):
    assert fiche_iri("rtc-2024", 3) != fiche_iri("rtc-2025", 3)


@pytest.mark.parametrize("written, expected", [
    ("follows: rtc-2024/9", "fiches/04.yaml:5: fiche 4: follows: le programme rtc-2024 n'a pas de fiche 9"),
    ("follows: rtc-2042/3", "fiches/04.yaml:5: fiche 4: follows: programme inconnu 'rtc-2042' (vouliez-vous dire « rtc-2024 » ?)"),
    ("follows: fiche 3", "fiches/04.yaml:5: fiche 4: follows: attendu « programme/numéro » (ex. rtes-2023/7), trouvé 'fiche 3'"),
])
def test_a_bad_follows_names_file_line_and_what_is_wrong(three_data, written, expected):
    break_fixture(three_data / "programmes/rtc-2025/fiches/04.yaml", "follows: rtc-2024/3", written)
    (problem,) = _problems(three_data)
    assert expected in problem


def test_status_is_required_and_checked(three_data):
    break_fixture(three_data / "programmes/rtc-2025/programme.yaml", "status: brouillon", "status: draft")
    (problem,) = _problems(three_data)
    assert "rtc-2025/programme.yaml:6: programme: programme.status: valeur 'draft' non permise" in problem
    break_fixture(three_data / "programmes/rtc-2025/programme.yaml", "  status: draft\n", "")
    (problem,) = _problems(three_data)
    assert "rtc-2025/programme.yaml:1: programme: programme.status: clé obligatoire absente" in problem


def test_folder_name_is_the_programme_id(three_data):
    (three_data / "programmes/rtc-2025").rename(three_data / "programmes/rtc-2025-bis")
    (problem,) = _problems(three_data)
    assert "l'identifiant 'rtc-2025' doit être le nom de son dossier ('rtc-2025-bis')" in problem


def test_an_event_id_is_one_for_every_programme(three_data):
    break_fixture(three_data / "programmes/rtc-2025/fiches/04.yaml", "id: rencontre-ptce-niort-rtc-2024-09-12",
           "id: rencontre-ptce-niort-rtc-2024")
    (problem,) = _problems(three_data)
    assert "fiches/04.yaml:22: fiche 4, événement rencontre-ptce-niort-rtc-2024: id: événement " \
           "'rencontre-ptce-niort-rtc-2024' décrit aussi dans" in problem
    assert "rtc-2024/fiches/03.yaml:" in problem


def test_shared_files_quote_the_programme_named_in_shared_yaml(three_data):
    break_fixture(three_data / "shared.yaml", "quotes_from: rtes-2024", "quotes_from: rtes-2023")
    (problem,) = _problems(three_data)
    assert problem.endswith("shared.yaml:3: quotes_from: programme inconnu 'rtes-2023' "
                            "(programmes : rtc-2024, rtc-2025, rtes-2024)")


def test_line_scoped_aliases_stay_with_their_source(three_dataset):
    """An alias valid at some lines of the 2024 RTES text says nothing about the same lines of another text."""
    draft = next(p for p in three_dataset.parts if p.programme["id"] == "rtc-2025")
    assert all(a.lines is None for e in draft.entities.values() for a in e.aliases)


def test_one_programme_gives_the_same_triples_as_before(dataset):
    assert not dataset.parts and dataset.programme["id"] == "rtes-2024"
    assert len(set(build_triples(dataset))) == len(set(build_triples(load_data(dataset.root))))
