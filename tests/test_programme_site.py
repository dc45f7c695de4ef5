"""The site across programmes: entity pages by programme and year with a bar per year, a programme filter on the
lists, the frise and every query form, names derived from the programmes present; expected answers read from the
fixtures (tests/fixtures/programmes: rtc-2024 relu, rtc-2025 brouillon) and the real 2024 programme."""

from __future__ import annotations

import html as html_lib
import re
import subprocess
import sys

import pytest
from rdflib import Graph, Literal

from kg.programme_names import dataset_subtitle, programmes_words, short_name
from kg.queries import load_queries
from kg.void import DATASET
from rdflib.namespace import DCTERMS

from .conftest import ROOT

THREE = ["rtc-2025", "rtc-2024", "rtes-2024"]  # newest year first, then publisher


@pytest.fixture(scope="module")
def three_client(three_built):
    from web import create_app

    return create_app({"DIST": str(three_built), "TESTING": True, "WARM_UP": False}).test_client()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&amp;", "&").strip()


def _section(html: str, css_class: str) -> str:
    return re.search(rf'<section class="{css_class}">(.*?)</section>', html, re.S).group(1)


# --- names ---------------------------------------------------------------------------------------

def test_programme_names_in_a_few_words():
    assert short_name("rtes-2024") == "RTES 2024" and short_name("sans-annee") == "sans-annee"
    assert programmes_words(["rtes-2024"]) == "RTES 2024"
    assert programmes_words(THREE) == "3 programmes"
    one = [{"id": "rtes-2024", "label": "Programme d'actions 2024 du RTES"}]
    assert dataset_subtitle(one) == "programme d'actions 2024 du RTES"
    assert dataset_subtitle(one, "en") == "RTES 2024 action programme"
    assert dataset_subtitle(one * 3) == "3 programmes d'actions"


def test_header_and_footer_name_the_one_real_programme(client):
    html = client.get("/").get_data(as_text=True)
    assert "Graphe de l'ESS territoriale <small>RTES 2024</small>" in html
    assert "Données : programme d'actions 2024 du RTES, cité mot pour mot avec ses numéros de ligne." in _text(html)


def test_header_and_footer_count_three_programmes(three_client):
    html = three_client.get("/liste/lois").get_data(as_text=True)
    assert "Graphe de l'ESS territoriale <small>3 programmes</small>" in html
    assert "Données : 3 programmes d'actions, cités mot pour mot avec leurs numéros de ligne." in _text(html)


def test_void_title_names_the_programmes(built, three_built):
    one = Graph().parse(built / "current" / "void.ttl")
    three = Graph().parse(three_built / "current" / "void.ttl")
    assert Literal("Graphe de connaissances de l'ESS territoriale — programme d'actions 2024 du RTES", lang="fr") in \
        set(one.objects(DATASET, DCTERMS.title))
    assert Literal("Knowledge graph of the local social and solidarity economy — RTES 2024 action programme", lang="en") in \
        set(one.objects(DATASET, DCTERMS.title))
    assert Literal("Graphe de connaissances de l'ESS territoriale — 3 programmes d'actions", lang="fr") in \
        set(three.objects(DATASET, DCTERMS.title))


def test_cli_description_names_the_programmes_of_data(tmp_path, three_data):
    real = subprocess.run([sys.executable, "-m", "kg.cli", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert "Graphe de connaissances de l'ESS territoriale (RTES 2024)." in real.stdout
    three = subprocess.run([sys.executable, "-m", "kg.cli", "--help"], capture_output=True, text=True,
                           cwd=three_data.parent, env={"PYTHONPATH": str(ROOT)})
    assert "Graphe de connaissances de l'ESS territoriale (3 programmes)." in three.stdout, three.stderr


# --- entity pages ----------------------------------------------------------------------------------

def test_person_in_two_years_grouped_newest_first_with_a_bar_per_year(three_client):
    html = three_client.get("/personne/hugo-lanternier").get_data(as_text=True)
    appears = _section(html, "appears")
    assert re.findall(r'<span class="year">(\d{4})</span><span class="bar" aria-hidden="true"><span style="width: (\d+)%">'
                      r'</span></span><span class="count">([^<]*)</span>', appears) == \
        [("2024", "100", "2 fiches"), ("2025", "100", "2 fiches")]
    assert "<figcaption>Fiches par année où Hugo Lanternier apparaît</figcaption>" in appears
    heads = [_text(h) for h in re.findall(r'<h3 class="programme-head">(.*?)</h3>', appears, re.S)]
    assert heads == ["2025 · Réseau Territoires & Coopérations — Programme d'actions 2025 du RTC brouillon — à relire",
                     "2024 · Réseau Territoires & Coopérations — Programme d'actions 2024 du RTC"]
    # each quote's line number opens its own programme's source, not the 2024 RTES document
    assert re.findall(r'href="(/source/[^"]+)"', appears) == [
        "/source/rtc-programme-2025#l7", "/source/rtc-programme-2025#l20",
        "/source/rtc-programme-2024#l8", "/source/rtc-programme-2024#l23"]
    roles = _text(_section(html, "roles"))
    assert roles.index("RTC 2025 brouillon — à relire Fiche 1") < roles.index("RTC 2024 Fiche 1")


def test_incoming_links_tell_the_same_fiche_of_two_programmes_apart(three_client):
    data = three_client.get("/personne/hugo-lanternier.json").get_json()
    labels = [item["label"] for link in data["incoming"] for item in link["items"]]
    assert "Fiche 1 — Foncier solidaire et tiers-lieux (rtc-2024)" in labels
    assert "Fiche 1 — Foncier solidaire et tiers-lieux (rtc-2025)" in labels
    assert len(labels) == len(set(labels))


def test_organisation_of_two_publishers_in_one_year_and_none_the_next(three_client):
    appears = _section(three_client.get("/organisation/anct").get_data(as_text=True), "appears")
    assert re.findall(r'<span class="year">(\d{4})</span>.*?<span class="count">([^<]*)</span>', appears) == \
        [("2024", "4 fiches"), ("2025", "0 fiche")]
    heads = [_text(h) for h in re.findall(r'<h3 class="programme-head">(.*?)</h3>', appears, re.S)]
    assert heads == ["2024 · Réseau Territoires & Coopérations — Programme d'actions 2024 du RTC",
                     "2024 · Réseau des collectivités Territoriales pour une Économie Solidaire — "
                     "Programme d'actions 2024 du RTES"]
    assert "brouillon" not in appears
    assert re.findall(r"<h4><a [^>]*>([^<]*)</a></h4>", appears) == [
        "Fiche 1 — Foncier solidaire et tiers-lieux", "Fiche 2 — Foncier",
        "Fiche 4 — Territoires ruraux, cohésion et solidarités territoriales",
        "Fiche 5 — Quartiers prioritaires de la politique de la ville"]


def test_entity_page_of_the_one_real_programme_stays_as_it_was(client):
    html = client.get("/organisation/anct").get_data(as_text=True)
    appears = _section(html, "appears")
    assert "per-year" not in appears and "programme-head" not in appears and "<h4>" not in appears
    assert re.findall(r'<h3><a href="/programme/rtes-2024/fiche/(\d+)">', appears) == ["2", "4", "5"]
    assert 'href="/source/rtes-programme-actions-2024#l106"' in appears
    assert "programmes.css" not in html


def test_entity_json_carries_the_groups_and_years(three_client):
    data = three_client.get("/personne/hugo-lanternier.json").get_json()
    assert [g["programme"]["id"] for g in data["by_programme"]] == ["rtc-2025", "rtc-2024"]
    assert data["per_year"] == [{"year": "2024", "count": 2, "share": 100}, {"year": "2025", "count": 2, "share": 100}]


# --- the programme filter --------------------------------------------------------------------------

def _options(html: str, select_id: str) -> list[tuple[str, str, bool]]:
    select = re.search(rf'<select id="{select_id}" name="programme">(.*?)</select>', html, re.S).group(1)
    return [(v, _text(t), bool(s)) for v, s, t in re.findall(r'<option value="([^"]*)"( selected)?>(.*?)</option>', select)]


def test_list_filtered_by_programme_keeps_it_in_every_link(three_client):
    html = three_client.get("/liste/organisations?programme=rtc-2025").get_data(as_text=True)
    assert '<label for="programme">Programme</label>' in html
    assert _options(html, "programme") == [
        ("", "Tous les programmes", False),
        ("rtc-2025", "2025 — Programme d'actions 2025 du RTC (brouillon — à relire)", True),
        ("rtc-2024", "2024 — Programme d'actions 2024 du RTC", False),
        ("rtes-2024", "2024 — Programme d'actions 2024 du RTES", False)]
    rows = re.findall(r'<tr><td><a href="([^"]+)"[^>]*>([^<]*)</a></td><td class="num">(\d+)</td></tr>', html)
    assert [(html_lib.unescape(label), int(n)) for _, label, n in rows] == [
        ("Banque des Territoires", 1), ("Centre national de la fonction publique territoriale", 1),
        ("Réseau Territoires & Coopérations", 1), ("Ville de Poitiers", 1)]
    assert 'href="?programme=rtc-2025&amp;tri=nom"' in html
    assert 'href="?programme=rtc-2025&amp;format=json&amp;tri=fiches"' in html
    data = three_client.get("/liste/organisations?programme=rtc-2025&format=json&tri=nom").get_json()
    assert [r["label"] for r in data] == [html_lib.unescape(label) for _, label, _ in rows]


def test_list_of_all_programmes_counts_every_fiche(three_client):
    every = {r["label"]: r["fiches"] for r in three_client.get("/liste/organisations?format=json").get_json()}
    assert every["Agence nationale de la cohésion des territoires"] == 4  # RTC 2024 fiche 1, RTES 2024 fiches 2, 4, 5
    only = {r["label"]: r["fiches"] for r in
            three_client.get("/liste/organisations?programme=rtc-2024&format=json").get_json()}
    assert only["Agence nationale de la cohésion des territoires"] == 1


def test_frise_filtered_by_programme(three_client):
    html = three_client.get("/frise?programme=rtc-2024").get_data(as_text=True)
    assert re.findall(r'class="lane-label" text-anchor="end">([^<]*)<', html) == ["fiche 1", "fiche 2"]
    rows = re.findall(r'<td><a href="/evenement/[^"]+">([^<]*)</a></td><td>[^<]*</td><td>(.*?)</td>', html)
    assert [(label, re.findall(r'href="([^"]+)"', cell)) for label, cell in rows] == [
        ("Webinaire du RTC sur le foncier solidaire", ["/programme/rtc-2024/fiche/1"]),
        ("Atelier commande publique à Rennes", ["/programme/rtc-2024/fiche/2"])]
    assert _options(html, "programme")[2] == ("rtc-2024", "2024 — Programme d'actions 2024 du RTC", True)


def test_frise_of_every_programme_names_the_programme_of_each_lane(three_client):
    lanes = re.findall(r'class="lane-label" text-anchor="end">([^<]*)<', three_client.get("/frise").get_data(as_text=True))
    assert lanes[:3] == ["RTC 2024 · fiche 1", "RTC 2024 · fiche 2", "RTC 2025 · fiche 4"]
    assert lanes[3:] == [f"RTES 2024 · fiche {n}" for n in range(1, 15)]


def test_frise_and_lists_of_the_one_real_programme_have_no_filter(client):
    for path in ("/frise", "/liste/organisations"):
        html = client.get(path).get_data(as_text=True)
        assert 'class="programme-filter"' not in html
    assert 'class="lane-label" text-anchor="end">fiche 1<' in client.get("/frise").get_data(as_text=True)


@pytest.mark.parametrize("name", sorted(n for n, q in load_queries().items() if any(p.type == "programme" for p in q.params)))
def test_every_programme_parameter_is_a_select_of_programmes(three_client, name):
    param = next(p for p in load_queries()[name].params if p.type == "programme")
    html = three_client.get(f"/queries/{name}?{param.name}=rtc-2024").get_data(as_text=True)
    options = _options(html.replace(f'name="{param.name}"', 'name="programme"'), f"p-{param.name}")
    assert [v for v, _, _ in options] == ([] if param.required else [""]) + THREE
    assert [v for v, _, selected in options if selected] == ["rtc-2024"]
    assert f'<label for="p-{param.name}">Programme' in html


def test_question_downloads_keep_the_programme(three_client):
    html = three_client.get("/queries/events?programme=rtc-2025&envoyer=1").get_data(as_text=True)
    assert 'href="/queries/events.csv?programme=rtc-2025&amp;envoyer=1"' in html
    csv = three_client.get("/queries/events.csv?programme=rtc-2025&envoyer=1").get_data(as_text=True)
    assert "Rencontre annuelle des PTCE du réseau" in csv and "Webinaire du RTC sur le foncier solidaire" not in csv


@pytest.mark.parametrize("path", ["/liste/organisations?programme=rtc-2099", "/frise?programme=rtc-2099",
                                  "/queries/axes?programme=rtc-2099", "/queries/axes.csv?programme=rtc-2099"])
def test_unknown_programme_is_a_french_message_not_a_500(three_client, path):
    response = three_client.get(path)
    assert response.status_code == 400
    text = _text(response.get_data(as_text=True))
    assert re.search(r"programme inconnu « rtc-2099 » \(vouliez-vous dire « rtc-202[45] » \?\) ; "
                     r"programmes : rtc-2024, rtc-2025, rtes-2024", text), text


def test_line_numbers_of_a_fiche_and_an_event_open_their_own_programme_source(three_client, client):
    fiche = three_client.get("/programme/rtc-2025/fiche/1").get_data(as_text=True)
    assert sorted(set(re.findall(r'href="(/source/[^"#]*)', fiche))) == ["/source/rtc-programme-2025"]
    event = three_client.get("/evenement/webinaire-foncier-solidaire-rtc-2023-03-14").get_data(as_text=True)
    assert re.findall(r'href="(/source/[^"]*)"', event) == ["/source/rtc-programme-2024#l14"]
    real = client.get("/programme/rtes-2024/fiche/7").get_data(as_text=True)
    assert sorted(set(re.findall(r'href="(/source/[^"#]*)', real))) == ["/source/rtes-programme-actions-2024"]


def test_every_link_of_the_three_programme_site_answers(three_client):
    from .test_crawl import Crawler

    crawler = Crawler(three_client).run("/")
    for programme in THREE:  # a filtered page is reached through its form, not a link: the crawl starts there too
        for path in ("/frise", "/liste/organisations", "/liste/personnes", "/liste/evenements", "/queries/axes"):
            crawler.run(f"{path}?programme={programme}")
    # /sparql?query=… examples belong to the SPARQL page (web/sparql.py), whose sandbox may answer 503 under load
    assert {u: v for u, v in crawler.broken().items() if not u.startswith("/sparql?")} == {}
    for expected in ("/liste/organisations?programme=rtc-2025&tri=nom",
                     "/liste/evenements?programme=rtc-2024&format=json&tri=nom", "/queries/axes.csv?programme=rtc-2024", "/personne/hugo-lanternier", "/programme/rtc-2025/fiche/4"):
        assert expected in crawler.status, expected
    # the fictional sources are copied outside data/ by the fixture: their pages have no numbered text to point at
    assert {p.split("#")[0] for _, p in crawler.missing_anchors()} <= {"/source/rtc-programme-2024",
                                                                    "/source/rtc-programme-2025"}


def test_partners_of_one_programme_leave_its_publisher_out(three_client, client):
    html = three_client.get("/partenaires?programme=rtc-2024").get_data(as_text=True)
    assert [html_lib.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", html)] == [
        "Partenaires les plus impliqués — Programme d'actions 2024 du RTC — Graphe de l'ESS territoriale",
        "Agence nationale de la cohésion des territoires : 1 fiche",
        "Centre national de la fonction publique territoriale : 1 fiche", "Ville de Poitiers : 1 fiche"]
    every = re.findall(r"<title>([^<]*)</title>", three_client.get("/partenaires").get_data(as_text=True))
    assert "Agence nationale de la cohésion des territoires : 4 fiches" in every  # RTC 2024 1, RTES 2024 2, 4, 5
    assert not [t for t in every if t.startswith(("Réseau Territoires", "Réseau des collectivités"))]
    assert "le réseau qui publie le programme mis à part" in client.get("/partenaires").get_data(as_text=True)


def test_matrix_and_network_show_one_programme_the_newest_by_default(three_client, client):
    matrix = three_client.get("/matrice").get_data(as_text=True)
    assert "Les fiches du programme 2025 — Programme d&#39;actions 2025 du RTC (brouillon — à relire), le plus récent" \
        in matrix
    assert [v for v, _, _ in _options(matrix, "programme")] == THREE  # no « Tous » : fiche numbers are per programme
    assert re.findall(r'<tr><th><a href="([^"]+)">', matrix) == ["/programme/rtc-2025/fiche/1",
                                                                 "/programme/rtc-2025/fiche/2"]
    network = three_client.get("/reseau?programme=rtc-2024").get_data(as_text=True)
    assert "le plus récent" not in network
    assert re.findall(r'<a href="([^"]+)" class="node node-fiche">', network) == [
        f"/programme/rtc-2024/fiche/{n}" for n in (1, 2, 3, 4)]
    real = client.get("/matrice").get_data(as_text=True)
    assert 'class="programme-filter"' not in real and '<tr><th><a href="/fiche/1">' in real
