"""The genre's printed forms, one pure function each: dates, counts, bullets broken across lines, role lines."""

from __future__ import annotations

import pytest

from kg.extract.dates import find_counts, parse_date
from kg.extract.events import find_events
from kg.extract.lines import is_calendar_line, starts_new_item
from kg.extract.roles import parse_roles
from kg.extract.structure import StructureError, pages, read_structure


@pytest.mark.parametrize("text, section, date, end, inferred, uncertain", [
    ("le 30 mars", "actions-realisees", "2023-03-30", None, True, False),
    ("le 31 janvier 2024", "perspectives", "2024-01-31", None, False, False),
    ("le 1er juin", "actions-realisees", "2023-06-01", None, True, False),
    ("12 & 13 juin", "perspectives", "2024-06-12", "2024-06-13", True, False),
    ("les 18 et 19 octobre 2023", "actions-realisees", "2023-10-18", "2023-10-19", False, False),
    ("le 18 ou 20 juin 2024", "perspectives", "2024-06", None, False, True),
    ("27 ou 28 février 2024", "perspectives", "2024-02", None, False, True),
    ("début juin 2024 ?", "perspectives", "2024-06", None, False, True),
    ("septembre/octobre ?", "perspectives", "2024-09", "2024-10", True, True),
    ("en octobre 2023", "actions-realisees", "2023-10", None, False, False),
    ("en mai", "actions-realisees", "2023-05", None, True, False),
    ("Juin 2024", "perspectives", "2024-06", None, False, False),
    ("1er semestre 2024", "perspectives", "2024", None, False, False),
    ("le 26 septembre 2024 (sous réserve)", "perspectives", "2024-09-26", None, False, True),
    ("en 2025", "perspectives", "2025", None, False, False),
])
def test_dates_as_the_genre_prints_them(text, section, date, end, inferred, uncertain):
    d = parse_date(text, section=section, year=2024)
    assert (d.date, d.until, d.year_inferred, d.uncertain) == (date, end, inferred, uncertain)
    assert d.text == text


def test_a_bare_month_word_inside_a_sentence_is_not_a_date():
    assert parse_date("Date de réponse : mars", "perspectives", 2024) is None


@pytest.mark.parametrize("text, count, precision, printed", [
    ("(70 participant.e.s)", 70, "exact", "70 participant.e.s"),
    ("(+ de 280 participant.e.s)", 280, "minimum", "+ de 280 participant.e.s"),
    ("(plus d’une centaine de particpants)", 100, "minimum", "plus d’une centaine de particpants"),
    ("(une quarantaine de participant.e.s)", 40, "approximate", "une quarantaine de participant.e.s"),
    ("(25 participant.e.s)", 25, "exact", "25 participant.e.s"),
])
def test_head_counts(text, count, precision, printed):
    [c] = find_counts(text)
    assert (c.count, c.precision, c.text) == (count, precision, printed)
    assert c.text in text


@pytest.mark.parametrize("prev, nxt, new", [
    ("Repérage des sujets de la loi concernant en", "particulier les collectivités", False),   # lower case goes on
    ("Sollicitation des adhérents pour recueillir leurs avis", "Webinaire organisé le 30 mars", True),
    ("par la Ville de Marseille et Valenciennes", "Agglomération (avec la participation", False),  # a name
    ("Co-organisation d’une table ronde le 31 janvier", "2024 lors du Forum de Niort", False),  # a date
    ("Club des collectivités en Ile-", "de-France le 9 mai", False),                            # a cut word
    ("Décryptage de questions juridiques et relais d’une", "Foire au Questions (FAQ)", False),  # elided article
    ("Poursuivre le suivi de l’expérimentation", "TZCLD", False),                               # a lone word
    ("questions des collectivités adhérentes.", "Lien avec les EPL", True),
    ("PTCE Sud Aquitaine", "Co-organisation de 2 clubs", True),
])
def test_bullets_broken_across_column_lines(prev, nxt, new):
    assert starts_new_item(prev, nxt) is new


def test_paragraph_lines_across_the_page():
    wide = "x" * 110
    assert starts_new_item("Extension de la décote sur les biens de l’Etat", "Fléchage dans les PLUI", 115)
    assert not starts_new_item(wide + " de", "Suite du paragraphe", 115)


@pytest.mark.parametrize("line, dated", [
    ("12 & 13 juin - Congrès ESS France", True), ("septembre/octobre ? - Journée au Sénat", True),
    ("Juin 2024 : Séminaire foncier", True), ("14 décembre : Intervention", True),
    ("2 publications sur ESS & Politique de la ville", False), ("Club des collectivités le 18 mars", False),
])
def test_dated_lines_printed_apart(line, dated):
    assert is_calendar_line(line) is dated


def roles_of(*lines):
    roles, _ = parse_roles(list(lines), 1, len(lines))
    return [(r.role, r.name, r.scope) for r in roles]


def test_role_lines_one_role_per_agent_with_scope():
    assert roles_of("Référent CA : Stéphane Pfeiffer, Patricia Andriot et Isabelle Hardy (et Antoine Dubois sur MLC).") == [
        ("referent-ca", "Stéphane Pfeiffer", None), ("referent-ca", "Patricia Andriot", None),
        ("referent-ca", "Isabelle Hardy", None), ("referent-ca", "Antoine Dubois", "sur MLC")]
    assert roles_of("Autres contributeurs : Ville de Brest (partages) et Anne Martin.") == [
        ("contributeur", "Ville de Brest", "partages"), ("contributeur", "Anne Martin", None)]
    assert roles_of("Référente CA : Léa Roux et Paul Bon (suivi),", "Autre contributeur : Zoé Lac.") == [
        ("referent-ca", "Léa Roux", "suivi"), ("referent-ca", "Paul Bon", "suivi"), ("contributeur", "Zoé Lac", None)]
    assert roles_of("Autres contributeurs à l'échelon local : Jean Lune.") == [("contributeur", "Jean Lune", "à l'échelon local")]
    assert roles_of("Référent CA : ?") == [("referent-ca", None, None)]


def test_a_handover_in_parentheses_is_a_note_not_a_scope():
    [first, second] = parse_roles(["Référente CA : Marie Kerlann (passation à prévoir) et Yann Le Bihan."], 1, 1)[0]
    assert (first.name, first.scope, first.note) == ("Marie Kerlann", None, "passation à prévoir")
    assert (second.name, second.scope, second.note) == ("Yann Le Bihan", None, None)
    [only] = parse_roles(["Autres contributeurs : Ville de Brest (partages d'expériences)."], 1, 1)[0]
    assert (only.scope, only.note) == ("partages d'expériences", None)


def test_events_status_year_and_frame():
    text = "Atelier organisé lors de l'Assemblée générale le 6 juillet à Nantes"
    start = text.index("Nantes")
    [e] = find_events(text, "actions-realisees", 2024, places=[(start, start + 6, "nantes")])
    assert (e["kind"], e["date"], e["status"], e.get("year_inferred"), e["place"]) == ("atelier", "2023-07-06", "realise", True, "nantes")
    [e] = find_events("Club des collectivités le 18 ou 20 juin 2024", "perspectives", 2024)
    assert (e["date"], e["status"], e["date_uncertain"]) == ("2024-06", "prevu", True)
    assert find_events("Contexte du club", "contexte", 2024) == []


def test_pages_and_a_text_without_fiche_heading():
    assert pages(["a", "", "", "", "b", "", "c"]) == [(1, 1), (5, 7)]
    with pytest.raises(StructureError):
        read_structure(["Un texte", "sans fiche"])


def test_new_names_are_proposed_with_their_quote_and_confidence():
    from kg.extract.entities import Known, candidates_in

    found = {c.id: c for c in candidates_in(
        "Rencontre avec Anne Martin et le Collectif des tiers-lieux du Morbihan (CTLM), avec le MES et la FNAB",
        (40, 41), Known({}))}
    assert found["anne-martin"].kind == "person" and found["anne-martin"].quote == "avec Anne Martin"
    assert found["ctlm"].label == "Collectif des tiers-lieux du Morbihan" and found["ctlm"].confidence >= 0.5
    assert found["mes"].confidence < found["fnab"].confidence < 0.5  # "mes" is also an ordinary French word
    assert found["mes"].alias_line == 40 and found["fnab"].alias_line is None


# --- patterns added after the 2024 round trip (fictional phrasings) ---------------------------------

@pytest.mark.parametrize("prev, nxt, new", [
    ("pour présenter le bilan 2024 du projet", "Bocagora porté par la Ville de Vannes", False),  # a name after "projet"
    ("Fiches portraits : Les Jardins de Kerlann, Ressourcerie Ti Lann,", "Atelier Pignon et Skol...", False),
    ("Portraits : fin des entretiens,", "Atelier vélo de Lorient en mars", True),  # one name before: a new bullet
])
def test_bullets_after_a_name_head_and_inside_a_list_of_names(prev, nxt, new):
    assert starts_new_item(prev, nxt) is new


@pytest.mark.parametrize("prev, nxt, new", [
    ("GT avec trois communautés de communes", "webinaires ouverts aux adhérents plus", True),
    ("webinaires ouverts aux adhérents plus", "largement", False),        # a lone word, after "plus"
    ("guide pratique à la fin", "de la démarche", False),                # a line opening on "de" goes on
    ("Favoriser l’emploi", "durable dans les îles", True),                # the case rule is the caller's
])
def test_lower_case_bullets_of_a_list_opened_by_a_colon(prev, nxt, new):
    from kg.extract.lines import starts_listed_item

    assert starts_listed_item(prev, nxt) is new


def _items_of(*lines):
    from kg.extract.structure import _items

    entries = [None if not t else (i + 1, "") for i, t in enumerate(lines)]
    return [(it.lines, it.text) for it in _items(list(lines), entries)]


def test_a_list_whose_bullets_start_lower_case_after_a_colon():
    lines = ("Poursuivre sous forme d’un cycle avec :", "", "GT avec trois communautés de communes",
             "webinaires ouverts aux adhérents plus", "largement", "guide pratique à la fin", "de la démarche")
    assert [i[0] for i in _items_of(*lines)] == [(1, 1), (3, 3), (4, 5), (6, 7)]
    # a list of capitalised bullets: a line starting lower case goes on the bullet above
    lines = ("Axes du projet Bocagora :", "Favoriser l’emploi", "durable dans les îles", "Mobiliser les communes")
    assert [i[0] for i in _items_of(*lines)] == [(1, 1), (2, 3), (4, 4)]


@pytest.mark.parametrize("text, section, expected", [
    # an intervention at rencontres: the rencontres are the events, one per organiser printed
    ("Intervention du réseau lors de rencontres organisées par la Ville de Quimper et Lorient Agglomération",
     "actions-realisees", [("rencontre", None)] * 2),
    ("Intervention du réseau lors d’une journée des élus le 4 avril", "actions-realisees", [("journee", "2023-04-04")]),
    # a plan opening on plural events: events to hold, not events in general
    ("Webinaires dédiés (par exemple les baux ruraux)", "perspectives", [("webinaire", None)]),
    ("webinaires ouverts aux adhérents plus largement", "propositions", [("webinaire", None)]),
    ("Relais des webinaires des partenaires", "perspectives", []),
    ("Webinaires réguliers avec les adhérents", "actions-realisees", []),
    # a meeting of a body: one event, the head's kind (was two: "réunion" undated and the GT dated)
    ("Réunion du groupe de travail le 16 mai en visio", "actions-realisees", [("reunion", "2023-05-16")]),
    # an event named by its purpose
    ("2 guides sur la commande publique et organisation d’un temps de présentation dédié", "perspectives",
     [("rencontre", None)]),
])
def test_event_forms_found_after_the_2024_round_trip(text, section, expected):
    assert [(e["kind"], e.get("date")) for e in find_events(text, section, 2024)] == expected


def test_a_known_name_that_calls_itself_a_forum_dates_an_event_by_its_year():
    text = "Délégation du réseau aux RIES 2023 de Lisbonne."
    names = [(text.index("RIES"), text.index("RIES") + 4, "Rencontres internationales de l'économie sociale")]
    [e] = find_events(text, "actions-realisees", 2024, names=names)
    assert (e["kind"], e["date"], e["status"]) == ("rencontre", "2023", "realise")
    assert find_events("Adhésion aux RIES.", "actions-realisees", 2024, names=[(11, 15, names[0][2])]) == []
    other = [(text.index("RIES"), text.index("RIES") + 4, "Réseau des îles")]  # a name that is no event
    assert find_events(text, "actions-realisees", 2024, names=other) == []


def _places(text, *names):
    return [(text.index(n), text.index(n) + len(n), n.lower()) for n in names]


@pytest.mark.parametrize("text, names, place", [
    ("Table ronde le 3 février 2024 lors du Salon de Rennes : “Les communes et l’ESS”", ("Rennes",), "rennes"),
    ("12 mars 2024 : Club des collectivités pour l’ESS en Bretagne sur les mobilités", ("Bretagne",), "bretagne"),
    ("Clubs des collectivités en région Normandie - Bretagne le 7 mai 2024", ("Normandie", "Bretagne"),
     ["normandie", "bretagne"]),
    ("organisation d’un voyage apprenant Lorient...", ("Lorient",), "lorient"),
    ("Club des collectivités en Bretagne le 21 mars 2023 à Brest", ("Bretagne", "Brest"), "brest"),
])
def test_event_places(text, names, place):
    [e] = find_events(text, "perspectives", 2024, places=_places(text, *names))
    assert e["place"] == place


def test_a_place_in_an_organisation_name_after_the_date_is_not_the_event_place():
    text = "Webinaire organisé le 12 mars avec la Ville de Rennes (85 participant.e.s)"
    [e] = find_events(text, "perspectives", 2024, places=_places(text, "Rennes"))
    assert "place" not in e


def test_places_printed_right_before_their_dates():
    text = "Organisation de 2 rencontres Mer et ESS (Douarnenez en mai et Vannes/Auray en juin)."
    events = find_events(text, "actions-realisees", 2024, places=_places(text, "Douarnenez", "Vannes", "Auray"))
    assert [(e["date"], e["place"]) for e in events] == [("2023-05", "douarnenez"), ("2023-06", ["vannes", "auray"])]


def test_a_dated_sidebar_repeating_an_event_of_its_fiche_refers_to_it():
    from kg.extract.draft import _link_sidebars

    told = {"id": "seminaire-1", "kind": "seminaire", "date": "2025-06", "date_uncertain": True}
    other = {"id": "club-1", "kind": "club", "date": "2025-06-12"}
    sections = [{"kind": "perspectives", "items": [{"events": [told, other]}]},
                {"kind": "calendrier", "items": [{"events": [{"id": "seminaire-2", "kind": "seminaire", "date": "2025-06"}]},
                                                 {"events": [{"id": "club-2", "kind": "club", "date": "2025-09-02"}]}]}]
    _link_sidebars(sections)
    assert sections[1]["items"][0]["events"] == [{"ref": "seminaire-1"}]
    assert sections[1]["items"][1]["events"][0]["id"] == "club-2"  # another month: an event of its own
