"""Ask in French: each phrasing goes to the expected named query, parameters and answer (read from the source)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kg.ask import ask, understand

from .conftest import ROOT

E = "https://ess-kg.example/"

# (question, intent, expected parameters, expected values of the first column: a list = in this order, a set = as a set)
ANSWERED = [
    # fiches by entity
    ("Quelles fiches impliquent l'ANCT ?", "fiches-by-entity", {"entity": E + "organisation/anct"}, [2, 4, 5]),
    ("quelles fiches impliquent l'anct", "fiches-by-entity", {"entity": E + "organisation/anct"}, [2, 4, 5]),
    ("Dans quelles fiches l'ex CGET apparaît-il ?", "fiches-by-entity", {"entity": E + "organisation/anct"}, [2, 4, 5]),
    ("Quelles fiches mentionnent le SIEG ?", "fiches-by-entity", {"entity": E + "concept/sieg"}, [2, 8, 9, 14]),
    ("Où parle-t-on des SIEG ?", "fiches-by-entity", {"entity": E + "concept/sieg"}, [2, 8, 9, 14]),
    ("Fiches qui parlent de la loi ESS", "fiches-by-entity", {"entity": E + "loi/loi-ess-2014"}, [1, 8]),
    ("la loi NOTRe", "fiches-by-entity", {"entity": E + "loi/loi-notre"}, [1]),
    ("Quelles fiches évoquent les SCIC ?", "fiches-by-entity", {"entity": E + "concept/scic"}, {1, 4, 6, 7, 14}),
    ("Où est cité le CNFPT ?", "fiches-by-entity", {"entity": E + "organisation/cnfpt"}, [1, 13, 14]),
    ("Quelles fiches concernent l'Avise ?", "fiches-by-entity", {"entity": E + "organisation/avise"}, [4, 5, 10]),
    ("fiches avec ESS France", "fiches-by-entity", {"entity": E + "organisation/ess-france"}, {1, 5, 6, 7, 9, 10, 14}),
    ("Quelles fiches parlent de l'Eurometropole ?", "fiches-by-entity", {"entity": E + "organisation/eurometropole-de-strasbourg"}, [3, 6, 7]),
    ("Où apparaît l'Ademe ?", "fiches-by-entity", {"entity": E + "organisation/ademe"}, [9]),
    ("Quelles fiches impliquent le CSESS ?", "fiches-by-entity", {"entity": E + "organisation/csess"}, [1, 6, 7, 12]),
    ("fiches qui parlent des PTCE", "fiches-by-entity", {"entity": E + "concept/ptce"}, [6]),
    ("Quelles fiches parlent de l'Occitanie ?", "fiches-by-entity", {"entity": E + "territoire/occitanie"}, {4, 5, 6, 13}),  # 5: via Toulouse
    ("Où est mentionné l'agrément ESUS ?", "fiches-by-entity", {"entity": E + "concept/agrement-esus"}, [1]),
    ("Quelles fiches parlent de TZCLD ?", "fiches-by-entity", {"entity": E + "concept/tzcld"}, [6, 10]),
    ("France urbaine", "fiches-by-entity", {"entity": E + "organisation/france-urbaine"}, [1, 4, 8]),
    ("Which sheets involve ANCT?", "fiches-by-entity", {"entity": E + "organisation/anct"}, [2, 4, 5]),
    ("Which action sheets mention the SIEG?", "fiches-by-entity", {"entity": E + "concept/sieg"}, [2, 8, 9, 14]),
    ("Quelles fiches impliquent la banque des territoires ?", "fiches-by-entity", {"entity": E + "organisation/banque-des-territoires"}, [5]),
    # referents of a fiche
    ("Qui sont les référents de la fiche 7 ?", "referents", {"fiche": "7"}, None),
    ("référents fiche 7", "referents", {"fiche": "7"}, None),
    ("Qui pilote la fiche sept ?", "referents", {"fiche": "7"}, None),
    ("Qui porte la fiche n°3 ?", "referents", {"fiche": "3"}, None),
    ("Qui est référent de la fiche 14 ?", "referents", {"fiche": "14"}, None),
    ("Who are the referents of sheet 12?", "referents", {"fiche": "12"}, None),
    ("contributeurs de la fiche 9", "referents", {"fiche": "9"}, None),
    # fiches of a person
    ("Sur quelles fiches travaille Anne-Laure Federici ?", "fiches-by-person", {"person": E + "personne/anne-laure-federici"}, {1, 3, 4, 5, 6, 9, 10, 11, 13}),
    ("Sur quelles fiches travaille federicci ?", "fiches-by-person", {"person": E + "personne/anne-laure-federici"}, {1, 3, 4, 5, 6, 9, 10, 11, 13}),
    ("Quels sont les rôles de Stéphane Pfeiffer ?", "fiches-by-person", {"person": E + "personne/stephane-pfeiffer"}, {2, 3, 6, 7, 9, 11}),
    ("De quelles fiches Mahel Coppey est-elle référente ?", "fiches-by-person", {"person": E + "personne/mahel-coppey"}, {1, 5, 6, 13}),
    ("rôle de Chloé Sécher", "fiches-by-person", {"person": E + "personne/chloe-secher"}, {5, 8, 10, 12, 14}),
    ("Patricia Andriot est référente de quelles fiches ?", "fiches-by-person", {"person": E + "personne/patricia-andriot"}, {4, 8, 9, 10, 11, 12, 13}),
    ("Quelles fiches pilote Benjamin Gueraud Pinet ?", "fiches-by-person", {"person": E + "personne/benjamin-gueraud-pinet"}, {1, 2, 7, 8, 11}),
    ("What is the role of Isabelle Hardy?", "fiches-by-person", {"person": E + "personne/isabelle-hardy"}, {8, 11}),
    # top referents
    ("Qui réfère le plus de fiches ?", "top-referents", {"role": "referent-ca"}, None),
    ("Quel élu est référent CA du plus grand nombre de fiches ?", "top-referents", {"role": "referent-ca"}, None),
    ("Qui est référent équipe le plus souvent ?", "top-referents", {"role": "referent-equipe"}, None),
    ("classement des contributeurs", "top-referents", {"role": "contributeur"}, None),
    ("Who refers the most sheets?", "top-referents", {"role": "referent-ca"}, None),
    # events
    ("Quels événements sont prévus en juin 2024 ?", "events", {"from": "2024-06-01", "to": "2024-06-30", "status": "prevu"}, None),
    ("événements en juin 2024", "events", {"from": "2024-06-01", "to": "2024-06-30"}, None),
    ("Quels webinaires ont réuni plus de cinquante participants ?", "events", {"kind": "webinaire", "min_participants": "50"}, None),
    ("Quels clubs ont eu lieu l'an dernier ?", "events", {"from": "2023-01-01", "to": "2023-12-31", "kind": "club", "status": "realise"}, None),
    ("événements entre mars et mai 2023", "events", {"from": "2023-03-01", "to": "2023-05-31"}, None),
    ("Qu'est-ce qui est prévu au premier semestre 2024 ?", "events", {"from": "2024-01-01", "to": "2024-06-30", "status": "prevu"}, None),
    ("Quels séminaires en 2023 ?", "events", {"from": "2023-01-01", "to": "2023-12-31", "kind": "seminaire"}, None),
    ("les ateliers réalisés", "events", {"kind": "atelier", "status": "realise"}, None),
    ("événements avec au moins 100 participants", "events", {"min_participants": "100"}, None),
    ("Quelles rencontres après septembre 2024 ?", "events", {"from": "2024-09-01", "kind": "rencontre"}, None),
    ("events in June 2024", "events", {"from": "2024-06-01", "to": "2024-06-30"}, None),
    ("Quels webinaires sont à venir ?", "events", {"kind": "webinaire", "status": "prevu"}, None),
    ("Tables rondes", "events", {"kind": "table-ronde"}, None),
    # co-occurring
    ("Avec qui l'Avise apparaît-elle ?", "co-occurring", {"entity": E + "organisation/avise"}, None),
    ("Quelles entités sont souvent associées à l'ANCT ?", "co-occurring", {"entity": E + "organisation/anct"}, None),
    ("partenaires de France urbaine", "co-occurring", {"entity": E + "organisation/france-urbaine"}, None),
    # axes, entities, search
    ("Quels sont les axes du programme ?", "axes", {}, None),
    ("axes", "axes", {}, None),
    ("Liste des lois", "entities", {"type": "loi"}, None),
    ("Quelles organisations ?", "entities", {"type": "organisation"}, None),
    ("toutes les personnes", "entities", {"type": "personne"}, None),
    ("Quels territoires sont cités ?", "entities", {"type": "territoire"}, None),
    ("Cherche Île-de-France", "search", {"text": "ile de france"}, None),
    ("recherche federici", "search", {"text": "federici"}, None),
]

REFUSED = ["Quel temps fera-t-il demain ?", "Bonjour", "", "Combien coûte une baguette ?", "Raconte-moi une blague"]
AMBIGUOUS = [("Patricia", {"Patricia Andriot", "Patricia Nedel"}),
             ("Quelles fiches impliquent la CRESS ?", None),
             # three names: the box combines two at most, and says so
             ("Quelles fiches impliquent l'ANCT, l'Avise et ESS France ?", None)]


@pytest.mark.parametrize("question,intent,params,answer", ANSWERED, ids=[a[0] for a in ANSWERED])
def test_questions_are_understood_and_answered(embedded, question, intent, params, answer):
    understanding, result = ask(question, embedded)
    assert understanding.status == "ok", understanding.message
    assert understanding.intent == intent
    assert understanding.params == params
    assert understanding.explanation
    assert result is not None
    if answer is not None:
        got = [row[result.vars[0]].toPython() for row in result.rows]
        assert (set(got) if isinstance(answer, set) else got) == answer


def test_there_are_at_least_sixty_phrasings():
    assert len(ANSWERED) + len(REFUSED) + len(AMBIGUOUS) >= 60


def test_the_explanation_names_the_entity_as_analysts_know_it(embedded):
    understanding = understand("Quelles fiches impliquent l'ANCT ?", embedded)
    assert understanding.explanation == "Fiches qui impliquent : ANCT (Agence nationale de la cohésion des territoires)"


def test_referents_answer(embedded):
    _, result = ask("Qui sont les référents de la fiche 7 ?", embedded)
    assert ("Stéphane Pfeiffer", "referent-ca") in {(str(r["name"]), str(r["role"])) for r in result.rows}


def test_events_in_june_2024_answer(embedded):
    _, result = ask("Quels événements sont prévus en juin 2024 ?", embedded)
    events = {str(r["event"]).rsplit("/", 1)[-1] for r in result.rows}
    assert {"seminaire-foncier-2024-06", "club-collectivites-occitanie-2024-06", "congres-ess-france-2024-06-12"} <= events
    assert all(str(r["status"]) == "prevu" for r in result.rows)


@pytest.mark.parametrize("question", REFUSED)
def test_unanswerable_questions_are_refused_with_examples(embedded, question):
    understanding, result = ask(question, embedded)
    assert result is None and understanding.status == "unknown"
    assert understanding.message and understanding.suggestions


@pytest.mark.parametrize("question,labels", AMBIGUOUS)
def test_ambiguous_entities_list_the_candidates(embedded, question, labels):
    understanding, result = ask(question, embedded)
    assert result is None and understanding.status == "ambiguous"
    assert len(understanding.candidates) >= 2
    if labels:
        assert {c["label"] for c in understanding.candidates} == labels


def test_never_a_different_question_silently(embedded):
    """An event question about an entity is not answered as a plain event or entity question."""
    understanding, result = ask("Quels webinaires a organisés l'ANCT ?", embedded)
    assert result is None and understanding.status == "unknown"
    assert any("ANCT" in s or "Agence nationale" in s for s in understanding.suggestions)


def test_kg_ask_cli(built):
    def kg(*args):
        return subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), "ask", *args],
                              capture_output=True, text=True, cwd=ROOT)
    ok = kg("Quelles fiches impliquent l'ANCT ?")
    assert ok.returncode == 0 and ok.stdout.startswith("Compris : Fiches qui impliquent : ANCT")
    refused = kg("Quel temps fera-t-il ?")
    assert refused.returncode == 1 and "Je n'ai pas compris" in refused.stderr


def test_ask_page(client):
    body = client.get("/demander", query_string={"q": "Quelles fiches impliquent l'ANCT ?"}).get_data(as_text=True)
    assert "Compris : <strong>Fiches qui impliquent : ANCT (Agence nationale de la cohésion des territoires)</strong>" in body
    assert "Interventions ponctuelles et lien ANCT." in body
    assert 'href="/queries/fiches-by-entity?entity=https%3A%2F%2Fess-kg.example%2Forganisation%2Fanct&amp;envoyer=1"' in body
    assert "PREFIX kg:" in body
    refused = client.get("/demander", query_string={"q": "Bonjour"})
    assert refused.status_code == 200 and "Je n&#39;ai pas compris" in refused.get_data(as_text=True)
    ambiguous = client.get("/demander", query_string={"q": "Patricia"}).get_data(as_text=True)
    assert "Patricia Andriot" in ambiguous and "Patricia Nedel" in ambiguous
    assert 'action="/demander"' in client.get("/organisation/anct").get_data(as_text=True)


def test_the_explanation_elides_de_before_a_vowel(embedded):
    """Bug: "Fiches de Anne-Laure Federici" — French writes "d'Anne-Laure"."""
    understanding = understand("Sur quelles fiches travaille Anne-Laure Federici ?", embedded)
    assert understanding.explanation.startswith("Fiches d'Anne-Laure Federici")
