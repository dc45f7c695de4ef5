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
