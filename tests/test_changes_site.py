"""The site across programmes: « Ce qui a changé », links between the same fiche of two years, draft marks;
pages read through Flask and seen in Chromium (screenshots in test-output/screenshots/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .conftest import ROOT, LiveServer

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="module")
def three_client(three_built):
    from web import create_app

    return create_app({"DIST": str(three_built), "TESTING": True, "WARM_UP": False}).test_client()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&amp;", "&")


def test_fiche_page_links_the_previous_year_and_its_changes(three_client):
    html = three_client.get("/programme/rtc-2025/fiche/4").get_data(as_text=True)
    assert 'rel="prev" href="/programme/rtc-2024/fiche/3"' in html
    assert 'href="/programme/rtc-2025/fiche/4/changements"' in html
    assert "brouillon — à relire" in html
    assert "data/programmes/rtc-2025/source/rtc-programme-2025.txt" in html


def test_earlier_fiche_links_the_next_year(three_client):
    html = three_client.get("/programme/rtc-2024/fiche/2").get_data(as_text=True)
    text = _text(html)
    assert 'rel="next" href="/programme/rtc-2025/fiche/2"' in html
    assert "(correspondance proposée, à confirmer)" in text and "Ce qui a changé en 2025" in text
    assert "brouillon — à relire" not in html  # 2024 is reviewed


def test_real_fiche_page_has_no_other_year_and_its_new_source_path(three_client):
    html = three_client.get("/programme/rtes-2024/fiche/7").get_data(as_text=True)
    assert 'class="suites"' not in html and "brouillon" not in html
    assert "<code>data/programmes/rtes-2024/source/rtes-programme-actions-2024.txt</code>" in html


def test_changes_page_side_by_side_with_quotes(three_client):
    response = three_client.get("/programme/rtc-2025/fiche/1/changements")
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    assert "Ce qui a changé — fiche 1 de rtc-2025" in text
    assert "rtc-2024 · fiche 1 → rtc-2025 · fiche 1" in text and "Correspondance déclarée" in text
    assert "brouillon — à relire" in text
    assert re.search(r"retiré\s+Agence nationale de la cohésion des territoires\s+Autres contributeurs : ANCT\s+l\. 9\s+—",
                     text)
    assert re.search(r"gardé\s+Ville de Poitiers\s+Autres contributeurs : ANCT, Ville de Poitiers\.\s+l\. 9\s+"
                     r"Autres contributeurs : Ville de Poitiers\s+l\. 8", text)
    assert "8 retirés" in text and "5 ajoutés" in text and "4 gardés" in text


def test_changes_page_of_a_proposed_correspondence(three_client):
    text = _text(three_client.get("/programme/rtc-2024/fiche/2/changements").get_data(as_text=True))
    assert "Correspondance proposée, à confirmer : proposée d'après le numéro, l'axe et le titre" in text


def test_changes_page_of_a_new_fiche_says_so(three_client):
    text = _text(three_client.get("/programme/rtc-2025/fiche/3/changements").get_data(as_text=True))
    assert "Aucune fiche d'un autre programme ne correspond à celle-ci" in text


def test_changes_page_of_unknown_fiche_or_programme_is_404(three_client):
    assert three_client.get("/programme/rtc-2025/fiche/9/changements").status_code == 404
    assert three_client.get("/programme/rtc-2099/fiche/1/changements").status_code == 404


def test_home_lists_programmes_by_publisher_and_year(three_client):
    text = _text(three_client.get("/").get_data(as_text=True))
    assert ("Les programmes, par réseau et par année Réseau Territoires & Coopérations "
            "2024 — Programme d'actions 2024 du RTC · 4 fiches "
            "2025 — Programme d'actions 2025 du RTC · 4 fiches brouillon — à relire "
            "Réseau des collectivités Territoriales pour une Économie Solidaire "
            "2024 — Programme d'actions 2024 du RTES · 14 fiches") in text


def test_home_of_one_programme_has_no_programme_list(client):
    assert "Les programmes, par réseau et par année" not in client.get("/").get_data(as_text=True)


@pytest.fixture(scope="module")
def three_server(three_built):
    server = LiveServer(three_built)
    yield server
    server.stop()


@pytest.mark.parametrize("width", [1280, 390])
def test_changes_page_in_chromium(three_server, tmp_path, width):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} est absent : « make test » installe le paquet Debian chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, locale="fr-FR",
            viewport={"width": width, "height": 900},
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        page = context.new_page()
        page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
        page.goto(three_server.url + "/")
        expect(page.locator("section.programmes .draft-tag")).to_have_text("brouillon — à relire")
        page.locator("section.programmes").screenshot(path=str(SHOTS / f"programmes-accueil-{width}.png"))
        page.goto(three_server.url + "/programme/rtc-2025/fiche/1")
        expect(page.locator(".draft-mark")).to_contain_text("brouillon — à relire")
        page.screenshot(path=str(SHOTS / f"programmes-fiche-{width}.png"), full_page=True)
        page.get_by_role("link", name="Ce qui a changé depuis 2024").click()
        expect(page).to_have_url(three_server.url + "/programme/rtc-2025/fiche/1/changements")
        expect(page.locator("table.diff").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
        page.screenshot(path=str(SHOTS / f"programmes-changements-{width}.png"), full_page=True)
        context.close()
    assert errors == [], errors
