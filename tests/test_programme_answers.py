"""Every fiche-bearing answer says its programme: the programme parameter on each named query, the « Programme »
column once an answer spans several programmes, a draft's rows marked, each fiche linked to its own programme.
Expected answers read from the fictional fixtures (tests/fixtures/programmes) beside the real programme."""

from __future__ import annotations

import json
import re

import pytest

from kg.formats import to_json
from kg.queries import load_queries, run
from kg.tables import layout, to_sheet

QUERIES = load_queries()
DRAFT = "brouillon — à relire"
RTC_AXIS_2 = "https://ess-kg.example/programme/rtc-2025/axe/axe-2"


def ask(store, name, **params):
    return run(QUERIES[name], {k: str(v) for k, v in params.items()}, store)


def cells(result, *columns):
    return [tuple(None if row[c] is None else row[c].toPython() for c in columns) for row in result.rows]


@pytest.fixture(scope="module")
def three_client(three_built):
    from web import create_app

    return create_app({"DIST": str(three_built), "TESTING": True, "WARM_UP": False}).test_client()


def test_an_answer_spanning_programmes_starts_with_its_programme(three_store):
    result = ask(three_store, "fiches-by-entity", entity="ANCT")
    assert result.vars == ["programme_id", "fiche", "title", "quote", "lines"]
    assert result.extra["labels"]["programme_id"] == "Programme"
    assert cells(result, "programme_id", "fiche") == [("rtc-2024", 1), ("rtes-2024", 2), ("rtes-2024", 4), ("rtes-2024", 5)]


def test_an_answer_from_one_programme_keeps_its_columns_and_knows_its_programme(three_store):
    result = ask(three_store, "fiches-by-entity", entity="ANCT", programme="rtes-2024")
    assert result.vars == ["fiche", "title", "quote", "lines"]
    assert result.extra["programmes"] == ["rtes-2024"] * 3


def test_the_rows_of_a_draft_are_marked(three_store):
    result = ask(three_store, "referents", fiche=1)
    assert result.vars == ["programme_id", "person", "name", "role", "scope", "draft"]
    assert cells(result, "programme_id", "name", "draft") == [
        ("rtc-2024", "Maëlle Kerbrat", None), ("rtc-2024", "Hugo Lanternier", None),
        ("rtc-2024", "Agence nationale de la cohésion des territoires", None), ("rtc-2024", "Ville de Poitiers", None),
        ("rtc-2025", "Thibault Garnier-Vidal", DRAFT), ("rtc-2025", "Hugo Lanternier", DRAFT),
        ("rtc-2025", "Banque des Territoires", DRAFT), ("rtc-2025", "Ville de Poitiers", DRAFT),
        ("rtes-2024", "Mahel Coppey", None), ("rtes-2024", "Anne-Laure Federici", None),
        ("rtes-2024", "Benjamin Guéraud-Pinet", None)]
    alone = ask(three_store, "partners", fiche=1, programme="rtc-2025")
    assert alone.vars == ["entity", "label", "fiche", "quote", "lines", "draft"]  # one programme: no column for it
    assert cells(alone, "label", "draft") == [("Banque des Territoires", DRAFT), ("Ville de Poitiers", DRAFT)]
    assert alone.extra["labels"]["draft"] == "Relecture"


# query, parameters, programme -> the cells read from the fixtures
NEW_PARAMETER = [
    ("partners", {"fiche": 1}, "rtc-2024", ("label", "fiche"),
     [("Agence nationale de la cohésion des territoires", 1), ("Ville de Poitiers", 1)]),
    ("fiches-by-entities", {"entity": "ANCT", "other": "Ville de Poitiers", "mode": "ou"}, "rtes-2024", ("fiche", "name"),
     [(2, "Agence nationale de la cohésion des territoires"), (4, "Agence nationale de la cohésion des territoires"),
      (5, "Agence nationale de la cohésion des territoires")]),
    ("fiches-by-entities", {"entity": "ANCT", "other": "Ville de Poitiers"}, "rtc-2024", ("fiche", "name"),
     [(1, "Agence nationale de la cohésion des territoires"), (1, "Ville de Poitiers")]),
    ("fiches-of-axis", {"axis": RTC_AXIS_2}, "rtc-2025", ("fiche", "title"),
     [(3, "Monnaies locales complémentaires"), (4, "Pôles territoriaux de coopération économique")]),
    ("fiches-of-axis", {"axis": RTC_AXIS_2}, "rtc-2024", ("fiche",), []),  # that axis is another programme's
    ("fiches-by-text", {"text": "foncier"}, "rtc-2025", ("fiche", "lines"), [(1, "5"), (1, "10"), (1, "15")]),
    ("fiches-by-family", {"entity": "CRESS"}, "rtc-2024", ("fiche",), [(None,)] * 4),  # members, none in that programme
    ("fiches-by-territory", {"territory": "Nouvelle-Aquitaine"}, "rtc-2025", ("fiche", "via"), [(4, "via Niort")]),
    ("fiches-by-area", {"area": "http://id.insee.fr/geo/departement/79"}, "rtc-2024", ("fiche", "via"), [(3, "via Niort")]),
    ("search", {"text": "ville"}, "rtc-2024", ("label",), [("Ville de Poitiers",)]),
    ("search", {"text": "poitiers"}, "rtes-2024", ("label",), []),
    ("events", {}, "rtc-2025", ("label", "fiches", "draft"),
     [("Webinaire du RTC sur les foncières solidaires", "1", DRAFT), ("Rencontre annuelle des PTCE du réseau", "4", DRAFT)]),
]


@pytest.mark.parametrize("name,params,programme,columns,expected", NEW_PARAMETER,
                         ids=[f"{row[0]}-{row[2]}" for row in NEW_PARAMETER])
def test_programme_parameter(three_store, name, params, programme, columns, expected):
    assert cells(ask(three_store, name, **params, programme=programme), *columns) == expected


def test_search_without_programme_still_finds_every_entity(three_store):
    assert [label for label, in cells(ask(three_store, "search", text="poitiers"), "label")] == ["Ville de Poitiers"]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_but_the_official_hierarchy_and_the_counts_takes_a_programme(name):
    # the list of programmes itself, and three queries the README's « Interroger à travers les programmes » explains
    without = {"programmes", "territory-hierarchy", "entities", "territories"}
    assert ("programme" in {p.name for p in QUERIES[name].params}) == (name not in without)


def test_the_real_programme_answers_without_programme_or_draft_columns(embedded):
    for query in QUERIES.values():
        if "programme_id" in query.columns or query.name == "fiche-changes":  # about programmes themselves
            continue
        params = {p.name: p.example for p in query.params if p.example is not None and (p.name != "programme" or p.required)}
        result = run(query, params, embedded)
        assert not {"programme_id", "draft"} & set(result.vars), query.name


def test_spreadsheet_and_json_carry_the_programme(three_store):
    result = ask(three_store, "fiches-by-person", person="Hugo Lanternier")
    lines = to_sheet(result).splitlines()
    assert lines[0] == "Programme,Fiche,Titre,Rôle,Portée,Relecture"
    assert lines[1:] == ["rtc-2024,1,Foncier solidaire et tiers-lieux,référent équipe,,",
                         "rtc-2024,2,Commande publique responsable,référent équipe,,",
                         f"rtc-2025,1,Foncier solidaire et tiers-lieux,référent équipe,,{DRAFT}",
                         f"rtc-2025,2,Commande publique responsable et achats locaux,référent équipe,,{DRAFT}"]
    bindings = json.loads(to_json(result))["results"]["bindings"]
    assert [(b["programme_id"]["value"], b["fiche"]["value"]) for b in bindings] == [
        ("rtc-2024", "1"), ("rtc-2024", "2"), ("rtc-2025", "1"), ("rtc-2025", "2")]


def test_each_fiche_cell_links_to_its_own_programme(three_store):
    table = layout(ask(three_store, "fiches-by-entity", entity="ANCT"))
    fiche = table.columns.index("fiche")
    assert [row[fiche].fiche_href(row[fiche].fiches[0]) for row in table.rows] == [
        "/programme/rtc-2024/fiche/1", "/programme/rtes-2024/fiche/2", "/programme/rtes-2024/fiche/4",
        "/programme/rtes-2024/fiche/5"]


def test_the_page_shows_the_programme_and_links_each_fiche_to_it(three_client):
    body = three_client.get("/queries/fiches-by-entity", query_string={"entity": "ANCT", "envoyer": "1"}).get_data(as_text=True)
    head = re.search(r'<table class="results">\s*<thead>(.*?)</thead>', body).group(1)
    assert re.findall(r">([^<]+)</th>", head) == ["Programme", "Fiche", "Titre", "Citation"]
    assert '<td>rtc-2024</td><td><a href="/programme/rtc-2024/fiche/1">1</a></td>' in body
    one = three_client.get("/queries/fiches-by-entity",
                           query_string={"entity": "ANCT", "programme": "rtc-2024", "envoyer": "1"}).get_data(as_text=True)
    head = re.search(r'<table class="results">\s*<thead>(.*?)</thead>', one).group(1)
    assert re.findall(r">([^<]+)</th>", head) == ["Fiche", "Titre", "Citation"]
    assert '<td><a href="/programme/rtc-2024/fiche/1">1</a></td>' in one


def test_a_number_of_fiches_is_not_a_fiche_link(client):
    body = client.get("/queries/axes?envoyer=1").get_data(as_text=True)
    assert '<a href="/programme/rtes-2024/axe/axe-3">' in body
    assert "/fiche/" not in re.search(r'<table class="results">.*?</table>', body, re.S).group(0)
