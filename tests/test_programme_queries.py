"""The named queries across programmes, with answers read from the fictional fixtures (tests/fixtures/programmes)."""

from __future__ import annotations

import pytest

from kg.queries import QueryError, load_queries, run

QUERIES = load_queries()
DRAFT = "brouillon — à relire"


def ask(store, name, **params):
    result = run(QUERIES[name], {k: str(v) for k, v in params.items()}, store)
    return [{k: None if v is None else v.toPython() for k, v in row.items()} for row in result.rows]


def test_programmes_lists_each_with_publisher_year_status_and_fiches(three_store):
    rows = ask(three_store, "programmes")
    assert [(r["id"], r["publisher"], str(r["year"]), r["status"], r["fiches"]) for r in rows] == [
        ("rtc-2024", "Réseau Territoires & Coopérations", "2024", "relu", 4),
        ("rtc-2025", "Réseau Territoires & Coopérations", "2025", DRAFT, 4),
        ("rtes-2024", "Réseau des collectivités Territoriales pour une Économie Solidaire", "2024", "relu", 14),
    ]


def test_programmes_on_the_real_graph_alone(store):
    assert [(r["id"], r["status"], r["fiches"]) for r in ask(store, "programmes")] == [("rtes-2024", "relu", 14)]


def test_entity_timeline_of_a_referent_across_years(three_store):
    rows = ask(three_store, "entity-timeline", entity="Hugo Lanternier")
    assert [(str(r["year"]), r["programme_id"], r["status"], r["fiche"], r["role"], r["quote"], r["line_start"])
            for r in rows] == [
        ("2024", "rtc-2024", "relu", 1, "référent équipe", "Référent équipe : Hugo Lanternier.", 8),
        ("2024", "rtc-2024", "relu", 2, "référent équipe", "Référent équipe : Hugo Lanternier.", 23),
        ("2025", "rtc-2025", DRAFT, 1, "référent équipe", "Référent équipe : Hugo Lanternier.", 7),
        ("2025", "rtc-2025", DRAFT, 2, "référent équipe", "Référent équipe : Hugo Lanternier.", 20),
    ]


def test_entity_timeline_of_the_anct_spans_both_networks(three_store):
    rows = ask(three_store, "entity-timeline", entity="ANCT")
    assert sorted({(r["programme_id"], r["fiche"]) for r in rows}) == [
        ("rtc-2024", 1), ("rtes-2024", 2), ("rtes-2024", 4), ("rtes-2024", 5)]
    rtc = [r for r in rows if r["programme_id"] == "rtc-2024"]
    assert [(r["role"], r["quote"], r["line_start"], r["line_end"]) for r in rtc] == [
        ("contributeur", "Autres contributeurs : ANCT", 9, 9)]
    assert {r["role"] for r in rows if r["programme_id"] == "rtes-2024"} <= {"mentionné(e)", "événement de la fiche"}
    # the 2025 draft dropped the ANCT: no row from it
    assert not [r for r in rows if r["programme_id"] == "rtc-2025"]


def test_entity_timeline_for_one_programme(three_store):
    rows = ask(three_store, "entity-timeline", entity="ANCT", programme="rtes-2024")
    assert sorted({r["fiche"] for r in rows}) == [2, 4, 5] and {r["programme_id"] for r in rows} == {"rtes-2024"}


def _changes(rows):
    return [(r["aspect"], r["change"], r["value"]) for r in rows]


def test_fiche_changes_declared_follow(three_store):
    rows = ask(three_store, "fiche-changes", programme="rtc-2025", fiche=1)
    assert _changes(rows) == [
        ("référents", "ajouté", "Thibault Garnier-Vidal (référent CA)"),
        ("référents", "gardé", "Hugo Lanternier (référent équipe)"),
        ("référents", "retiré", "Maëlle Kerbrat (référent CA)"),
        ("partenaires", "ajouté", "Banque des Territoires"),
        ("partenaires", "gardé", "Ville de Poitiers"),
        ("partenaires", "retiré", "Agence nationale de la cohésion des territoires"),
        ("éléments", "ajouté", "Guide des baux solidaires publié en octobre."),
        ("éléments", "ajouté", "Webinaire « Foncières solidaires » au printemps, en visio."),
        ("éléments", "gardé", "Hausse du coût du foncier pour les structures de l'ESS."),
        ("éléments", "gardé", "Recensement des tiers-lieux soutenus par les adhérents."),
        ("éléments", "retiré", "Des collectivités propriétaires de bâtiments vacants."),
        ("éléments", "retiré", "Publier un guide des baux solidaires."),
        ("éléments", "retiré", "Visite apprenante à Besançon (date à confirmer)."),
        ("éléments", "retiré", "Webinaire « Foncier solidaire » le 14 mars avec les tiers-lieux du réseau, 45 participant.e.s."),
        ("événements", "ajouté", "Webinaire du RTC sur les foncières solidaires"),
        ("événements", "retiré", "Visite apprenante à Besançon"),
        ("événements", "retiré", "Webinaire du RTC sur le foncier solidaire"),
    ]
    assert {(r["before_fiche"], r["after_fiche"], r["correspondence"], r["status"]) for r in rows} == {
        ("rtc-2024/fiche/1", "rtc-2025/fiche/1", "déclarée", DRAFT)}
    kept = next(r for r in rows if r["value"] == "Ville de Poitiers")
    assert (kept["before_quote"], kept["before_lines"], kept["after_quote"], kept["after_lines"]) == (
        "Autres contributeurs : ANCT, Ville de Poitiers.", "l. 9", "Autres contributeurs : Ville de Poitiers", "l. 8")
    dropped = next(r for r in rows if r["value"].startswith("Webinaire « Foncier"))
    assert (dropped["before_lines"], dropped["after_quote"], dropped["after_lines"]) == ("l. 14-15", "", "")


def test_fiche_changes_renumbered_fiche_from_either_side(three_store):
    later = ask(three_store, "fiche-changes", programme="rtc-2025", fiche=4)
    earlier = ask(three_store, "fiche-changes", programme="rtc-2024", fiche=3)
    assert later == earlier
    assert _changes(later) == [
        ("référents", "ajouté", "Samia Belkacem (référent équipe)"),
        ("référents", "gardé", "Joël Pradeau (référent CA)"),
        ("référents", "retiré", "Inès Rahmani (référent équipe)"),
        ("éléments", "ajouté", "Rencontre annuelle des PTCE du réseau à Niort le 12 septembre 2024."),
        ("éléments", "gardé", "Accompagner l'émergence de PTCE dans les territoires ruraux."),
        ("éléments", "retiré", "Rencontre annuelle des PTCE du réseau à Niort."),
        ("événements", "gardé", "Rencontre annuelle des PTCE du réseau"),
    ]
    event = later[-1]
    assert (event["before_quote"], event["after_quote"]) == (
        "Rencontre annuelle des PTCE du réseau à Niort.",
        "Rencontre annuelle des PTCE du réseau à Niort le 12 septembre 2024.")
    assert {(r["before_fiche"], r["after_fiche"]) for r in later} == {("rtc-2024/fiche/3", "rtc-2025/fiche/4")}


def test_fiche_changes_proposed_correspondence_is_marked(three_store):
    rows = ask(three_store, "fiche-changes", programme="rtc-2025", fiche=2)
    assert {r["correspondence"] for r in rows} == {"proposée, à confirmer"}
    assert _changes(rows) == [
        ("référents", "gardé", "Hugo Lanternier (référent équipe)"),
        ("référents", "gardé", "Sabine Oudot (référent CA)"),
        ("partenaires", "retiré", "Centre national de la fonction publique territoriale"),
        ("éléments", "ajouté", "Formation des acheteurs avec le CNFPT en novembre."),
        ("éléments", "gardé", "Faire connaître les clauses sociales et environnementales."),
        ("éléments", "gardé", "Outiller les acheteurs publics des collectivités adhérentes."),
        ("éléments", "retiré", "Atelier commande publique à Rennes le 6 juin, 30 participant.e.s."),
        ("événements", "retiré", "Atelier commande publique à Rennes"),
    ]


def test_fiche_changes_new_and_dropped_fiches_have_no_counterpart(three_store):
    assert ask(three_store, "fiche-changes", programme="rtc-2025", fiche=3) == []  # new: monnaies locales
    assert ask(three_store, "fiche-changes", programme="rtc-2024", fiche=4) == []  # dropped: alimentation


def test_fiche_changes_other_programme_filters(three_store):
    assert ask(three_store, "fiche-changes", programme="rtc-2025", fiche=1, other="rtes-2024") == []
    assert len(ask(three_store, "fiche-changes", programme="rtc-2025", fiche=1, other="rtc-2024")) == 17


def test_programme_parameter_on_existing_queries(three_store, store):
    assert [r["fiche"] for r in ask(three_store, "fiches-by-entity", entity="ANCT", programme="rtes-2024")] == [2, 4, 5]
    assert [r["fiche"] for r in ask(three_store, "fiches-by-entity", entity="ANCT", programme="rtc-2024")] == [1]
    assert [r["name"] for r in ask(three_store, "referents", fiche=4, programme="rtc-2025")] == [
        "Joël Pradeau", "Samia Belkacem"]
    assert len(ask(three_store, "axes", programme="rtc-2025")) == 2
    # without the parameter, the real graph's answers are as before
    assert [r["fiche"] for r in ask(store, "fiches-by-entity", entity="ANCT")] == [2, 4, 5]


def test_unknown_programme_lists_the_programmes(three_store):
    with pytest.raises(QueryError) as info:
        ask(three_store, "fiches-by-entity", entity="ANCT", programme="rtes-2042")
    assert str(info.value) == ("programme : programme inconnu « rtes-2042 » (vouliez-vous dire « rtes-2024 » ?) ; "
                               "programmes : rtc-2024, rtc-2025, rtes-2024")
