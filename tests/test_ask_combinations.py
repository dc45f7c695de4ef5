"""The question box on what analysts ask beyond one name (issue 13): two names combined, axes and partners,
topics searched in the text, counts, families, one name for two entities. Expected answers are read from
data/programmes/rtes-2024/source/rtes-programme-actions-2024.txt and data/*.yaml (line numbers in the comments)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from kg.ask import ask, understand
from kg.source import fold_key

from .conftest import DATA, ROOT

E = "https://ess-kg.example/"
AXE = E + "programme/rtes-2024/axe/"

# ANCT: fiches 2, 4, 5; Avise: 4, 5, 10; ESS France: 1, 5, 6, 7, 9, 10, 14; Banque des Territoires: 5 (lines 258-266);
# CNFPT: 1, 13, 14; SIEG: 2, 8, 9, 14; France urbaine: 1, 4, 8; CSESS: 1, 6, 7, 12.
COMBINED = [
    ("which fiches involve both ESS France and the Banque des Territoires?", "et", "ess-france", "banque-des-territoires", {5}),
    ("Quelles fiches impliquent à la fois l'ANCT et l'Avise ?", "et", "anct", "avise", {4, 5}),
    ("fiches impliquant a la fois l anct et l avise", "et", "anct", "avise", {4, 5}),
    ("fiches avec ESS France et la Banque des Teritoires", "et", "ess-france", "banque-des-territoires", {5}),
    ("Où trouve-t-on le CNFPT et le SIEG ensemble ?", "et", "cnfpt", "sieg", {14}),
    ("Fiches qui impliquent l'anct ou France urbaine", "ou", "anct", "france-urbaine", {1, 2, 4, 5, 8}),
    ("sheets with ANCT or Avise", "ou", "anct", "avise", {2, 4, 5, 10}),
    ("Quelles fiches parlent d'ESS France mais pas de l'Avise ?", "sauf", "ess-france", "avise", {1, 6, 7, 9, 14}),
    ("fiches du CSESS sans ESS France", "sauf", "csess", "ess-france", {12}),
    ("CSESS but not ESS France", "sauf", "csess", "ess-france", {12}),
]


def _iri(short: str) -> str:
    kinds = {"sieg": "concept"}
    return f"{E}{kinds.get(short, 'organisation')}/{short}"


def _fiches(result) -> set[int]:
    return {row["fiche"].toPython() for row in result.rows if row.get("fiche") is not None}


@pytest.mark.parametrize("question,mode,first,other,fiches", COMBINED, ids=[c[0] for c in COMBINED])
def test_two_entities_are_combined(embedded, question, mode, first, other, fiches):
    understanding, result = ask(question, embedded)
    assert understanding.status == "ok", understanding.message
    assert understanding.intent == "fiches-by-entities"
    assert understanding.params == {"entity": _iri(first), "other": _iri(other), "mode": mode}
    assert _fiches(result) == fiches
    # each row quotes the entity it is about
    wanted = {_iri(first)} if mode == "sauf" else {_iri(first), _iri(other)}
    assert {str(r["who"]) for r in result.rows} <= wanted and all(str(r["quote"]) and str(r["lines"]) for r in result.rows)


def test_both_keeps_a_quote_per_entity(embedded):
    understanding, result = ask("which fiches involve both ESS France and the Banque des Territoires?", embedded)
    assert understanding.explanation == ("Fiches qui impliquent à la fois ESS France et Banque des Territoires")
    by_entity = {str(r["name"]): (str(r["quote"]), str(r["lines"])) for r in result.rows}
    assert set(by_entity) == {"ESS France", "Banque des Territoires"}
    assert all(lines == "258–266" and "Séminaire national Politique de la ville" in quote for quote, lines in by_entity.values())


AXES = [
    ("Quelles fiches dans l'axe 3 ?", "axe-3", [6, 7, 8, 9]),
    ("fiches de l axe n°2", "axe-2", [4, 5]),
    ("Which sheets are in axis 4?", "axe-4", [10, 11]),
    ("fiches de l'axe coopération économique", "axe-3", [6, 7, 8, 9]),
    ("axe formation", "axe-transversal-formation", [14]),
    ("Quelles fiches pour l'axe Europe et international ?", "axe-5", [12]),
    ("les fiches de l'axe signaux emergents", "axe-4", [10, 11]),
    ("fiches de l'axe structuration regionale", "axe-transversal-structuration", [13]),
    ("axe territoires fragiles", "axe-2", [4, 5]),
]


@pytest.mark.parametrize("question,axis,fiches", AXES, ids=[a[0] for a in AXES])
def test_fiches_of_an_axis(embedded, question, axis, fiches):
    understanding, result = ask(question, embedded)
    assert (understanding.status, understanding.intent) == ("ok", "fiches-of-axis"), understanding.message
    assert understanding.params == {"axis": AXE + axis}
    assert [r["fiche"].toPython() for r in result.rows] == fiches
    assert understanding.explanation.startswith("Fiches de l'AXE")


def test_an_axis_named_by_words_two_axes_share_is_asked_back(embedded):
    understanding, result = ask("fiches de l'axe transversal", embedded)
    assert result is None and understanding.status == "unknown"
    assert len(understanding.suggestions) == 2 and all("TRANSVERSAL" in s for s in understanding.suggestions)


def test_the_list_of_axes_is_still_the_list_of_axes(embedded):
    assert understand("Quels sont les axes du programme ?", embedded).intent == "axes"


# Fiche 4 (lines 185-237): ANCT (190), Avise and the Ministère (212-216), France urbaine (225-228), TRESSONS (197),
# ANIMERA (203), Agence Départementale Technique (234); the RTES, which publishes the programme, is not a partner.
FICHE_4_PARTNERS = {"agence-departementale-technique", "anct", "animera", "avise", "france-urbaine",
                    "ministere-de-l-agriculture-et-de-l-alimentation", "tressons"}


@pytest.mark.parametrize("question", ["Quels sont les partenaires de la fiche 4 ?", "partenaires fiche 4",
                                      "Who are the partners of sheet 4?", "avec quelles organisations travaille la fiche quatre ?"])
def test_partners_of_a_fiche(embedded, question):
    understanding, result = ask(question, embedded)
    assert (understanding.status, understanding.intent, understanding.params) == ("ok", "partners", {"fiche": "4"}), understanding.message
    assert {str(r["entity"]).rsplit("/", 1)[-1] for r in result.rows} == FICHE_4_PARTNERS
    assert all(r["quote"] is not None and r["lines"] is not None for r in result.rows)


@pytest.mark.parametrize("question", ["partenaires de l'axe 2", "Quels partenaires pour l'axe territoires fragiles ?"])
def test_partners_of_an_axis(embedded, question):
    understanding, result = ask(question, embedded)
    assert (understanding.intent, understanding.params) == ("partners", {"axis": AXE + "axe-2"}), understanding.message
    partners = {str(r["entity"]).rsplit("/", 1)[-1] for r in result.rows}
    # fiche 5's seminar (lines 258-266) brings the Banque des Territoires and the ANRU; fiche 4 brings the rest
    assert FICHE_4_PARTNERS | {"banque-des-territoires", "anru", "ess-france"} <= partners and "rtes" not in partners
    assert {r["fiche"].toPython() for r in result.rows} == {4, 5}


TOPICS = [
    # "ingénierie" is no entity's name: lines 106 (fiche 2), 234 (4), 244 (5), 592, 596, 637 (10), 846 (14)
    ("Quelles fiches parlent d'ingénierie ?", "ingenierie", {2, 4, 5, 10, 14}),
    ("which sheets talk about ingenierie", "ingenierie", {2, 4, 5, 10, 14}),
    ("INGENIERIE", "ingenierie", {2, 4, 5, 10, 14}),
    # a topic word inside an organisation's name is still a topic: lines 216 (fiche 4), 495 (8), 530 and 552 (9)
    ("quelles fiches parlent d'alimentation ?", "alimentation", {4, 8, 9}),
    ("fiches évoquant l'alimentation", "alimentation", {4, 8, 9}),
    # asked as text, "tiers-lieux" is searched in the text even though a notion has that name: lines 101 (2), 364 (6), 589 (10)
    ("Quelles fiches contiennent le mot « tiers-lieux » ?", "tiers lieux", {2, 6, 10}),
    ("fiches dont le texte parle de Tiers Lieux", "tiers lieux", {2, 6, 10}),
    # lines 461-465 and 497, both fiche 8
    ("fiches dont le texte contient commande publique responsable", "commande publique responsable", {8}),
]


@pytest.mark.parametrize("question,text,fiches", TOPICS, ids=[t[0] for t in TOPICS])
def test_topics_are_searched_in_the_text_and_said_so(embedded, question, text, fiches):
    understanding, result = ask(question, embedded)
    assert (understanding.status, understanding.intent, understanding.params) == ("ok", "fiches-by-text", {"text": text}), understanding.message
    said = understanding.explanation.split("« ", 1)[1].split(" »", 1)[0]
    assert understanding.explanation.startswith("Fiches dont le texte parle de « ") and said in question  # as typed
    assert " ".join(fold_key(said).split()) == text
    assert _fiches(result) == fiches
    assert all(text in fold_key(str(r["quote"])) and r["lines"] is not None for r in result.rows)


def test_a_topic_no_fiche_speaks_of_is_not_understood(embedded):
    understanding, result = ask("Quelles fiches parlent de cryptomonnaies ?", embedded)
    assert result is None and understanding.status == "unknown"
    assert "aucune fiche ne contient « cryptomonnaies »" in understanding.message and understanding.suggestions


COUNTS = [
    ("Combien de fiches impliquent l'ANCT ?", "fiches-by-entity", "3 fiches : 2, 4, 5"),
    ("How many sheets mention the SIEG?", "fiches-by-entity", "4 fiches : 2, 8, 9, 14"),
    ("combien de fiches dans l'axe 3", "fiches-of-axis", "4 fiches : 6, 7, 8, 9"),
    ("Combien de partenaires a la fiche 4 ?", "partners", f"{len(FICHE_4_PARTNERS)} partenaires"),
    ("combien de fiches à la fois avec l'ANCT et l'Avise ?", "fiches-by-entities", "2 fiches : 4, 5"),
    ("nombre de fiches qui parlent d'ingenierie", "fiches-by-text", "5 fiches : 2, 4, 5, 10, 14"),
    ("How many partners does sheet 4 have?", "partners", f"{len(FICHE_4_PARTNERS)} partenaires"),
]


@pytest.mark.parametrize("question,intent,answer", COUNTS, ids=[c[0] for c in COUNTS])
def test_counts_are_a_number_then_the_list(embedded, question, intent, answer):
    understanding, result = ask(question, embedded)
    assert (understanding.status, understanding.intent) == ("ok", intent), understanding.message
    assert understanding.answer == answer and result.rows
    assert understanding.explanation.endswith("avec leur nombre")


def test_count_of_laws_is_the_number_of_law_records(embedded):
    laws = yaml.safe_load((DATA / "laws.yaml").read_text(encoding="utf-8"))
    records = next(v for v in laws.values() if isinstance(v, list))
    understanding, _ = ask("Combien de lois ?", embedded)
    assert understanding.intent == "entities" and understanding.answer == f"{len(records)} entités"


# organisations.yaml: cress (the family, lines 788, 813) and cress-bretagne, cress-occitanie, cress-hauts-de-france
# (part_of: cress). Fiches: 1 (CRESS Bretagne, 28-29), 5 (CRESS HDF, 267), 7 (CRESS Occitanie, 395-399), 13 (787-788).
CRESS = {"cress", "cress-bretagne", "cress-occitanie", "cress-hauts-de-france"}


@pytest.mark.parametrize("question", ["Quelles fiches impliquent les CRESS ?", "les cress", "toutes les CRESS",
                                      "CRESS family", "Quelles fiches pour la famille des Cress ?"])
def test_a_family_name_gives_the_family_and_its_members(embedded, question):
    understanding, result = ask(question, embedded)
    assert (understanding.status, understanding.intent) == ("ok", "fiches-by-family"), understanding.message
    assert understanding.params == {"entity": E + "organisation/cress"}
    assert {str(r["who"]).rsplit("/", 1)[-1] for r in result.rows} == CRESS
    assert _fiches(result) == {1, 5, 7, 13}
    assert "famille CRESS" in understanding.explanation


def test_the_cress_in_the_singular_lists_the_family_first(embedded):
    understanding, result = ask("Quelles fiches impliquent la CRESS ?", embedded)
    assert result is None and understanding.status == "ambiguous"
    assert understanding.candidates[0]["iri"] == E + "organisation/cress"
    assert {c["iri"].rsplit("/", 1)[-1] for c in understanding.candidates} == CRESS
    assert understanding.suggestions == ["Quelles fiches impliquent les CRESS ?"]


# Strasbourg (the city): fiches 2, 12; the Eurométropole de Strasbourg: 3, 6, 7. TZCLD: the experimentation
# (concepts.yaml) 6, 10 and the association (organisations.yaml) 10. Marseille: the Ville de Marseille, fiche 1.
SAME_SUBJECT = [
    ("Quelles fiches parlent de Strasbourg ?", "territoire/strasbourg", "organisation/eurometropole-de-strasbourg", {2, 3, 6, 7, 12}),
    ("strasbourg", "territoire/strasbourg", "organisation/eurometropole-de-strasbourg", {2, 3, 6, 7, 12}),
    ("Quelles fiches parlent de Territoires zéro chômeur de longue durée ?", "organisation/tzcld", "concept/tzcld", {6, 10}),
    ("territoire zero chomeurs de longue duree", "organisation/tzcld", "concept/tzcld", {6, 10}),
    ("Marseille", "territoire/marseille", "organisation/ville-de-marseille", {1}),
]


@pytest.mark.parametrize("question,first,other,fiches", SAME_SUBJECT, ids=[s[0] for s in SAME_SUBJECT])
def test_one_name_for_two_entities_answers_for_both(embedded, question, first, other, fiches):
    understanding, result = ask(question, embedded)
    assert (understanding.status, understanding.intent) == ("ok", "fiches-by-entities"), understanding.message
    assert understanding.params == {"entity": E + first, "other": E + other, "mode": "ou"}
    assert "désigne deux entités de même sujet" in understanding.explanation
    assert _fiches(result) == fiches
    sides = [str(r["who"]) for r in result.rows]
    assert sides == sorted(sides, key=lambda iri: iri != E + first)  # grouped: the first entity's rows first


def test_a_longer_name_with_a_typo_wins_over_a_shorter_exact_one(embedded):
    """The Eurométropole, misspelt, is not read as the city inside its name."""
    understanding = understand("Quelles fiches impliquent l'Eurometropole de Strasbour ?", embedded)
    assert understanding.params == {"entity": E + "organisation/eurometropole-de-strasbourg"}


def test_the_page_and_the_cli_say_how_a_count_was_understood(client, built):
    body = client.get("/demander", query_string={"q": "Combien de fiches impliquent l'ANCT ?"}).get_data(as_text=True)
    assert "Réponse : <strong>3 fiches : 2, 4, 5</strong>" in body and "avec leur nombre" in body
    body = client.get("/demander", query_string={"q": "both ESS France and Banque des Territoires"}).get_data(as_text=True)
    assert "Fiches qui impliquent à la fois ESS France et Banque des Territoires" in body
    out = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), "ask", "combien de fiches dans l'axe 3"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[:2] == ["Compris : Fiches de l'AXE 3 - LA COOPÉRATION ÉCONOMIQUE TERRITORIALE — avec leur nombre",
                                           "Réponse : 4 fiches : 6, 7, 8, 9"]


def test_events_are_counted_once_each(embedded):
    understanding, result = ask("Combien d'événements en juin 2024 ?", embedded)
    assert understanding.intent == "events" and understanding.params == {"from": "2024-06-01", "to": "2024-06-30"}
    events = {str(r["event"]) for r in result.rows}
    assert understanding.answer == f"{len(events)} événements" and len(events) >= 3


@pytest.mark.parametrize("question,entity", [
    ("Patricia (Patricia Andriot)", "personne/patricia-andriot"),
    ("Quelles fiches impliquent la CRESS ? (Chambres régionales de l'économie sociale et solidaire)", "organisation/cress"),
    ("Quelles fiches impliquent la CRESS ? (Chambre régionale de l'économie sociale et solidaire d'Occitanie)",
     "organisation/cress-occitanie"),
])
def test_choosing_a_candidate_answers_for_it(embedded, question, entity):
    """The page's links after an ambiguous name ask the question again with the chosen label in brackets: that
    was ambiguous again."""
    understanding, result = ask(question, embedded)
    assert (understanding.status, understanding.params) == ("ok", {"entity": E + entity}), understanding.message
    assert result.rows


def test_an_axis_and_an_entity_together_are_not_answered_as_the_axis_alone(embedded):
    understanding, result = ask("Quelles fiches de l'axe 2 impliquent l'ANCT ?", embedded)
    assert result is None and understanding.status == "unknown"
    assert understanding.suggestions == ["Quelles fiches dans l'axe 2 ?",
                                         "Quelles fiches impliquent Agence nationale de la cohésion des territoires ?"]


def test_a_name_with_its_members_is_a_family_when_asked_so(embedded):
    """organisations.yaml: three commissions are part_of the CSESS (fiches 12 line 716, 7 lines 402-404, 6 lines
    351-353); the CSESS alone is fiches 1, 6, 7, 12."""
    understanding, result = ask("Le CSESS et ses commissions", embedded)
    assert (understanding.intent, understanding.params) == ("fiches-by-family", {"entity": E + "organisation/csess"})
    members = {str(r["who"]).rsplit("/", 1)[-1] for r in result.rows}
    assert members == {"csess", "commission-reglementaire-du-csess", "commission-europe-du-csess",
                       "commission-territoire-et-transition-ecologique-du-csess"}
    assert understand("Quelles fiches impliquent le CSESS ?", embedded).intent == "fiches-by-entity"
