"""End to end in Debian's Chromium (headless, fresh profile), driven by Playwright; screenshots of each page kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} est absent : « make test » installe le paquet Debian chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, locale="fr-FR",
            viewport={"width": 1280, "height": 900},
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    yield page
    page.close()
    assert errors == [], errors


def test_search_anct_to_its_page_with_fiches_and_quotes(page, live_server):
    page.goto(live_server.url + "/")
    page.fill("#q", "anct")
    page.click("form.search button")
    expect(page).to_have_url(re.compile(r"/recherche\?q=anct"))
    page.get_by_role("link", name="Agence nationale de la cohésion des territoires").first.click()
    expect(page).to_have_url(live_server.url + "/organisation/anct")
    expect(page.locator("h1")).to_have_text("Agence nationale de la cohésion des territoires")
    fiches = page.locator("section.appears article h3 a")
    expect(fiches).to_have_count(3)
    assert [t.split(" — ")[0] for t in fiches.all_inner_texts()] == ["Fiche 2", "Fiche 4", "Fiche 5"]
    expect(page.locator("section.appears")).to_contain_text("Interventions ponctuelles et lien ANCT.")
    page.screenshot(path=str(SHOTS / "entity.png"), full_page=True)


def test_suggestions_as_you_type(page, live_server):
    page.goto(live_server.url + "/")
    page.locator("#q").press_sequentially("federi", delay=30)
    expect(page.locator("#suggestions option").first).to_have_attribute("value", "Anne-Laure Federici", timeout=5000)


def test_canned_question_through_its_form(page, live_server):
    page.goto(live_server.url + "/questions")
    page.get_by_role("link", name="Fiches qui impliquent une entité").click()
    page.fill("#p-entity", "ex CGET")
    page.get_by_role("button", name="Répondre").click()
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(3)
    assert [c.strip() for c in page.locator("table.results tbody tr td:first-child").all_inner_texts()] == ["2", "4", "5"]
    expect(page.get_by_role("link", name="CSV")).to_be_visible()
    page.screenshot(path=str(SHOTS / "question.png"), full_page=True)


def test_timeline_is_drawn_and_clickable(page, live_server):
    page.goto(live_server.url + "/frise")
    marks = page.locator("#timeline svg a.event-mark")
    assert marks.count() > 40
    box = page.locator("#timeline svg").bounding_box()
    assert box and box["width"] > 600 and box["height"] > 300
    page.screenshot(path=str(SHOTS / "timeline.png"), full_page=True)
    marks.first.click()
    expect(page).to_have_url(re.compile(r"/evenement/"))


PAGE_KINDS = [
    ("home", "/"), ("fiche", "/programme/rtes-2024/fiche/7"), ("person", "/personne/anne-laure-federici"),
    ("law", "/loi/loi-ess-2014"), ("tool", "/concept/scic"), ("territory", "/territoire/occitanie"),
    ("event", "/evenement/seminaire-national-politique-de-la-ville-ess"), ("axis", "/programme/rtes-2024/axe/axe-3"),
    ("list", "/liste/organisations"), ("partners", "/partenaires"), ("matrix", "/matrice"), ("network", "/reseau"),
    ("sparql", "/sparql"),
]
PHONE_ONLY = [
    ("organisation", "/organisation/anct"), ("publication", "/publication/repress"), ("search", "/recherche?q=ess"),
    ("questions", "/questions"), ("answer", "/queries/fiches-by-entity?entity=ex+CGET"), ("timeline", "/frise"),
    ("ontology", "/ontologie"), ("source", "/source/rtes-programme-actions-2024"), ("downloads", "/telecharger"),
    ("ask", "/demander?q=quelles+fiches+impliquent+l%27ANCT"), ("programme", "/programme/rtes-2024"),
]


@pytest.mark.parametrize("name,path", PAGE_KINDS)
def test_each_page_kind_renders(page, live_server, name, path):
    response = page.goto(live_server.url + path)
    assert response and response.status == 200
    expect(page.locator("h1")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_sparql_page_runs_a_query(page, live_server):
    page.goto(live_server.url + "/sparql")
    page.get_by_role("button", name="Exécuter").click()
    expect(page.locator("table.results tbody tr")).to_have_count(3)


def test_network_node_leads_to_its_page(page, live_server):
    page.goto(live_server.url + "/reseau")
    node = page.locator("svg a.node-organisation").first
    href = node.get_attribute("href")
    node.click()
    expect(page).to_have_url(live_server.url + href)


def test_question_box_answers_with_evidence(page, live_server):
    page.goto(live_server.url + "/organisation/anct")
    page.fill("#ask-q", "Quelles fiches mentionnent le SIEG ?")
    page.get_by_role("button", name="Demander").first.click()
    expect(page.locator(".understood")).to_contain_text("Fiches qui impliquent : SIEG (Services d'intérêt économique général)")
    cells = page.locator("table.results tbody tr td:first-child")
    expect(cells).to_have_count(4)
    assert [c.strip() for c in cells.all_inner_texts()] == ["2", "8", "9", "14"]
    page.screenshot(path=str(SHOTS / "ask.png"), full_page=True)
    page.get_by_role("link", name="corriger dans le formulaire").click()
    expect(page).to_have_url(re.compile(r"/queries/fiches-by-entity\?entity="))
    expect(page.locator("table.results tbody tr")).to_have_count(4)


def test_question_box_refuses_cleanly_and_proposes(page, live_server):
    page.goto(live_server.url + "/demander?q=" + "Quel temps fera-t-il demain ?")
    expect(page.locator("p.error")).to_contain_text("Je n'ai pas compris")
    page.locator("ul.examples a").first.click()
    expect(page.locator(".understood")).to_be_visible()


@pytest.mark.parametrize("name,path", PAGE_KINDS + PHONE_ONLY)
def test_no_page_scrolls_sideways_at_phone_width(page, live_server, name, path):
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto(live_server.url + path)
    assert response and response.status == 200
    widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[2] and widths[1] <= widths[2], f"{path}: {widths}"
    page.screenshot(path=str(SHOTS / f"{name}-telephone.png"), full_page=True)
