"""The pages across programmes as a reader sees them in Chromium, at desktop and phone width (screenshots in
test-output/screenshots/): an entity page across years, the frise and a list narrowed by the programme filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .conftest import ROOT, LiveServer

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="module")
def three_server(three_built):
    server = LiveServer(three_built)
    yield server
    server.stop()


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_across_programmes_in_chromium(three_server, tmp_path, width):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} est absent : « make test » installe le paquet Debian chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    wide: list[str] = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, locale="fr-FR",
            viewport={"width": width, "height": 900},
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        page = context.new_page()
        page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)

        def no_sideways_scroll() -> None:
            if page.evaluate("document.documentElement.scrollWidth") > width:
                wide.append(page.url)

        page.goto(three_server.url + "/personne/hugo-lanternier")
        expect(page.locator(".year-bars li")).to_have_count(2)
        expect(page.locator(".year-bars li").first).to_have_text("20242 fiches")
        expect(page.locator("h3.programme-head").first).to_contain_text("brouillon — à relire")
        assert page.locator(".year-bars .bar span").first.bounding_box()["width"] > 20  # the bar is drawn
        no_sideways_scroll()
        page.screenshot(path=str(SHOTS / f"programmes-entite-{width}.png"), full_page=True)

        page.goto(three_server.url + "/frise")
        page.get_by_label("Programme").select_option("rtc-2024")
        page.get_by_role("button", name="Filtrer").click()
        expect(page).to_have_url(three_server.url + "/frise?programme=rtc-2024")
        expect(page.locator(".event-mark")).to_have_count(2)
        no_sideways_scroll()
        page.screenshot(path=str(SHOTS / f"programmes-frise-{width}.png"), full_page=True)

        page.goto(three_server.url + "/liste/organisations")
        page.get_by_label("Programme").select_option("rtc-2025")
        page.get_by_role("button", name="Filtrer").click()
        expect(page).to_have_url(three_server.url + "/liste/organisations?programme=rtc-2025&tri=fiches")
        expect(page.locator("table.sortable tbody tr")).to_have_count(4)
        page.get_by_role("link", name="Nom").click()
        expect(page).to_have_url(three_server.url + "/liste/organisations?programme=rtc-2025&tri=nom")
        no_sideways_scroll()
        page.screenshot(path=str(SHOTS / f"programmes-liste-{width}.png"), full_page=True)
        context.close()
    assert errors == [], errors
    assert wide == [], f"défilement horizontal à {width} px : {wide}"
