"""The question box across programmes (« en 2024 », « dans le programme 2025 », « depuis 2023 », « quelles nouveautés
dans la fiche foncier ? »): phrasings with typos and missing accents, answers read from the fictional fixtures."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kg.ask import ask, understand
from kg.store import OxigraphStore

from .conftest import ROOT

E = "https://ess-kg.example/"
ANCT = E + "organisation/anct"
EVERY = "rtc-2024 (2024), rtes-2024 (2024), rtc-2025 (2025)"


@pytest.fixture(scope="module")
def three(three_built):
    store = OxigraphStore(three_built / "current" / "store")
    yield store
    store.close()


def _cells(result):
    programmes = result.extra.get("programmes") or [None] * len(result.rows)
    first = next(c for c in result.vars if c != "programme_id")
    return [(p, row[first].toPython()) for p, row in zip(programmes, result.rows)]


# question -> intent, parameters, programmes run one by one, (programme, first column) of the answer
ANSWERED = [
    ("quelles fiches impliquent l'ANCT en 2024 ?", "fiches-by-entity", {"entity": ANCT}, ["rtc-2024", "rtes-2024"],
     [("rtc-2024", 1), ("rtes-2024", 2), ("rtes-2024", 4), ("rtes-2024", 5)]),
    ("quelle fiche implique l anct en 2024", "fiches-by-entity", {"entity": ANCT}, ["rtc-2024", "rtes-2024"],
     [("rtc-2024", 1), ("rtes-2024", 2), ("rtes-2024", 4), ("rtes-2024", 5)]),
    ("Quelles fiches impliquent l'ANCT dans le programme rtc-2024 ?", "fiches-by-entity",
     {"entity": ANCT, "programme": "rtc-2024"}, [], [("rtc-2024", 1)]),
    ("fiches de l'ANCT depuis 2025", "fiches-by-entity", {"entity": ANCT, "programme": "rtc-2025"}, [], []),
    ("Quelles fiches impliquent l'ANCT depuis 2023 ?", "fiches-by-entity", {"entity": ANCT},
     ["rtc-2024", "rtes-2024", "rtc-2025"], [("rtc-2024", 1), ("rtes-2024", 2), ("rtes-2024", 4), ("rtes-2024", 5)]),
    ("qui sont les referents dans le programe 2025", "top-referents", {"role": "referent-ca", "programme": "rtc-2025"}, [],
     [(None, E + "personne/joel-pradeau"), (None, None), (None, None)]),  # a count of fiches: no fiche, no programme
    ("Qui sont les référents de la fiche 1 en 2025 ?", "referents", {"fiche": "1", "programme": "rtc-2025"}, [],
     [("rtc-2025", E + "personne/thibault-garnier-vidal"), ("rtc-2025", E + "personne/hugo-lanternier"),
      ("rtc-2025", ANCT.replace("anct", "banque-des-territoires")), ("rtc-2025", E + "organisation/ville-de-poitiers")]),
    ("partenaires de la fiche 1 dans le programme de 2024", "partners", {"fiche": "1"}, ["rtc-2024", "rtes-2024"], None),
    ("Quels sont les axes du programme en 2025 ?", "axes", {"programme": "rtc-2025"}, [],
     [("rtc-2025", E + "programme/rtc-2025/axe/axe-1"), ("rtc-2025", E + "programme/rtc-2025/axe/axe-2")]),
    ("fiches de l'axe 2 dans le programme 2025", "fiches-of-axis",
     {"axis": E + "programme/rtc-2025/axe/axe-2", "programme": "rtc-2025"}, [], [("rtc-2025", 3), ("rtc-2025", 4)]),
    ("quelles fiches parlent de foncier dans le programme rtc-2025 ?", "fiches-by-text",
     {"text": "foncier", "programme": "rtc-2025"}, [], [("rtc-2025", 1)] * 3),
    ("Quels événements en 2024 ?", "events", {"from": "2024-01-01", "to": "2024-12-31"}, [], None),  # a period
]


@pytest.mark.parametrize("question,intent,params,programmes,expected", ANSWERED, ids=[a[0] for a in ANSWERED])
def test_questions_across_programmes(three, question, intent, params, programmes, expected):
    understanding, result = ask(question, three)
    assert (understanding.status, understanding.intent, understanding.params, understanding.programmes) == (
        "ok", intent, params, programmes)
    if expected is not None:
        got = _cells(result)
        if intent == "top-referents":  # people who are not in the shared files have no IRI of their own here
            got = [(p, v if v.endswith("joel-pradeau") else None) for p, v in got]
        assert got == expected


def test_several_programmes_make_one_answer_with_a_programme_column(three):
    understanding, result = ask("Quels sont les partenaires de la fiche 1 en 2024 ?", three)
    assert understanding.explanation == "Partenaires (organisations) de la fiche 1 — en 2024 (rtc-2024, rtes-2024)"
    assert result.vars[0] == "programme_id" and result.extra["labels"]["programme_id"] == "Programme"
    assert [(str(r["programme_id"]), str(r["label"])) for r in result.rows][:2] == [
        ("rtc-2024", "Agence nationale de la cohésion des territoires"), ("rtc-2024", "Ville de Poitiers")]
    assert {str(r["programme_id"]) for r in result.rows} == {"rtc-2024", "rtes-2024"}


def test_a_count_across_programmes_says_each_programme(three):
    understanding, _ = ask("combien de fiches impliquent l'ANCT en 2024 ?", three)
    assert understanding.answer == "4 fiches : rtc-2024 : 1 ; rtes-2024 : 2, 4, 5"


@pytest.mark.parametrize("question,message", [
    ("Quelles fiches impliquent l'ANCT en 2019 ?", f"Aucun programme en 2019 ; programmes : {EVERY}."),
    ("fiches de l'anct depuis 2030", f"Aucun programme depuis 2030 ; programmes : {EVERY}."),
    ("qui sont les referents dans le programme 2022", f"Aucun programme en 2022 ; programmes : {EVERY}."),
    ("Quelles fiches impliquent l'ANCT dans le programme rtc-2030 ?",
     f"Programme inconnu « rtc-2030 » ; programmes : {EVERY}."),
])
def test_a_year_without_programme_is_said_in_french(three, question, message):
    understanding, result = ask(question, three)
    assert (understanding.status, understanding.message, result) == ("unknown", message, None)


def test_a_question_that_takes_no_programme_says_so(three):
    understanding = understand("Liste des organisations en 2025", three)
    assert understanding.intent == "entities" and "programme" not in understanding.params
    assert understanding.explanation.endswith("— sur tous les programmes (cette question ne se filtre pas par programme)")


# question -> (programme, fiche) asked of fiche-changes, the programmes compared, the first change
CHANGES = [
    ("quelles nouveautés dans la fiche foncier ?", ("rtc-2025", "1"), "rtc-2024 (fiche 1) → rtc-2025 (fiche 1)",
     ("référents", "ajouté", "Thibault Garnier-Vidal (référent CA)")),
    ("quelles nouveautes dans la fiche fonciere", ("rtc-2025", "1"), "rtc-2024 (fiche 1) → rtc-2025 (fiche 1)",
     ("référents", "ajouté", "Thibault Garnier-Vidal (référent CA)")),
    ("quest ce qui a changer dans la fiche 4", ("rtc-2025", "4"), "rtc-2024 (fiche 3) → rtc-2025 (fiche 4)",
     ("référents", "ajouté", "Samia Belkacem (référent équipe)")),
    ("Qu'est-ce qui a changé dans la fiche 1 du programme rtc-2024 ?", ("rtc-2024", "1"),
     "rtc-2024 (fiche 1) → rtc-2025 (fiche 1)", ("référents", "ajouté", "Thibault Garnier-Vidal (référent CA)")),
    ("quoi de neuf dans la fiche commande publique ?", ("rtc-2025", "2"), "rtc-2024 (fiche 2) → rtc-2025 (fiche 2)",
     ("référents", "gardé", "Hugo Lanternier (référent équipe)")),
]


@pytest.mark.parametrize("question,asked,compared,first", CHANGES, ids=[c[0] for c in CHANGES])
def test_what_changed_in_a_fiche(three, question, asked, compared, first):
    understanding, result = ask(question, three)
    assert understanding.intent == "fiche-changes"
    assert understanding.params == {"programme": asked[0], "fiche": asked[1]}
    assert f": {compared} — page : /programme/{asked[0]}/fiche/{asked[1]}/changements" in understanding.explanation
    assert tuple(str(result.rows[0][c]) for c in ("aspect", "change", "value")) == first


@pytest.mark.parametrize("question,message", [
    ("qu'est-ce qui a changé dans la fiche 7 ?",
     "La fiche 7 n'a de fiche correspondante dans aucun autre programme : rien à comparer (rtes-2024 (fiche 7))."),
    ("quelles nouveautés dans la fiche monnaies locales ?", "La fiche « monnaies locales » n'a de fiche correspondante "
     "dans aucun autre programme : rien à comparer (rtc-2025 (fiche 3))."),
    ("quelles nouveautés dans la fiche 9 du programme rtc-2025 ?", "Pas de fiche 9 dans rtc-2025."),
    ("quelles nouveautés dans la fiche patates ?", "Aucune fiche dont le titre contient « patates »."),
])
def test_a_fiche_with_nothing_to_compare_is_said(three, question, message):
    understanding, result = ask(question, three)
    assert (understanding.status, understanding.message, result) == ("unknown", message, None)


def test_the_real_graph_alone(embedded):
    understanding, result = ask("Quelles fiches impliquent l'ANCT en 2024 ?", embedded)
    assert understanding.params == {"entity": ANCT, "programme": "rtes-2024"}
    assert [r["fiche"].toPython() for r in result.rows] == [2, 4, 5] and result.vars[0] == "fiche"
    assert ask("Quelles fiches impliquent l'ANCT en 2019 ?", embedded)[0].message == \
        "Aucun programme en 2019 ; programmes : rtes-2024 (2024)."
    assert ask("qu'est-ce qui a changé dans la fiche 7 ?", embedded)[0].message == \
        "La fiche 7 n'a de fiche correspondante dans aucun autre programme : rien à comparer (rtes-2024 (fiche 7))."


def test_kg_ask_prints_the_programmes_compared(three_built):
    out = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(three_built), "ask",
                          "quelles nouveautés dans la fiche foncier ?"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "rtc-2024 (fiche 1) → rtc-2025 (fiche 1)" in out.stdout and "Banque des Territoires" in out.stdout


def test_the_question_page_links_each_fiche_to_its_programme(three_built):
    from web import create_app

    client = create_app({"DIST": str(three_built), "TESTING": True, "WARM_UP": False}).test_client()
    body = client.get("/demander", query_string={"q": "quelles fiches impliquent l'ANCT en 2024 ?"}).get_data(as_text=True)
    assert '<td>rtc-2024</td><td><a href="/programme/rtc-2024/fiche/1">1</a></td>' in body
    assert '<td>rtes-2024</td><td><a href="/programme/rtes-2024/fiche/2">2</a></td>' in body


def test_a_ranking_over_two_programmes_says_whose_rank(three):
    understanding, result = ask("qui refere le plus de fiches en 2024 ?", three)
    assert understanding.programmes == ["rtc-2024", "rtes-2024"] and result.vars[:3] == ["programme_id", "person", "name"]
    assert [(str(r["programme_id"]), str(r["name"]), r["fiches"].toPython()) for r in result.rows][:4] == [
        ("rtc-2024", "Joël Pradeau", 1), ("rtc-2024", "Maëlle Kerbrat", 1), ("rtc-2024", "Sabine Oudot", 1),
        ("rtes-2024", "Patricia Andriot", 6)]


@pytest.mark.parametrize("question,params", [
    ("Qu'est-ce qui est prévu en 2024 ?", {"from": "2024-01-01", "to": "2024-12-31", "status": "prevu"}),
    ("Que s'est-il passé en 2023 ?", {"from": "2023-01-01", "to": "2023-12-31", "status": "realise"}),
    ("quelles fiches en 2024 ?", {"from": "2024-01-01", "to": "2024-12-31"}),
])
def test_a_bare_year_of_an_events_question_stays_a_period(embedded, question, params):
    """« en 2023 » read as the programmes of 2023 had turned these into « Aucun programme » or a text search."""
    understanding = understand(question, embedded)
    assert (understanding.intent, understanding.params, understanding.programmes) == ("events", params, [])


def test_a_topic_in_the_programmes_of_a_year(embedded):
    understanding = understand("quelles fiches parlent de foncier en 2024 ?", embedded)
    assert (understanding.intent, understanding.params) == ("fiches-by-text", {"text": "foncier", "programme": "rtes-2024"})


def test_the_question_page_links_to_what_changed(three_built):
    from web import create_app

    client = create_app({"DIST": str(three_built), "TESTING": True, "WARM_UP": False}).test_client()
    body = client.get("/demander", query_string={"q": "quelles nouveautés dans la fiche foncier ?"}).get_data(as_text=True)
    link = '<a class="changes-link" href="/programme/rtc-2025/fiche/1/changements">'
    assert link in body and "— page : /programme" not in body
    page = client.get("/programme/rtc-2025/fiche/1/changements")
    assert page.status_code == 200 and "Ce qui a changé" in page.get_data(as_text=True)
