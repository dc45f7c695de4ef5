"""The map in Debian's Chromium (headless, fresh profile): drawn at desktop and phone width, each région a link."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .test_browser import CHROMIUM, SHOTS


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} est absent : « make test » installe le paquet Debian chromium")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-carte")), executable_path=CHROMIUM, headless=True, locale="fr-FR",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        yield context
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_map_is_drawn_and_each_region_leads_to_its_page(chromium, live_server, width):
    page = chromium.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    page.goto(live_server.url + "/carte")
    regions = page.locator("svg.carte a.region")
    expect(regions).to_have_count(19)
    box = page.locator("svg.carte").bounding_box()
    assert box["width"] > 300 and box["height"] > 250
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sticks out at phone width
    page.screenshot(path=str(SHOTS / f"carte-{width}.png"), full_page=True)
    page.locator('svg.carte a.region[data-code="76"] path').first.click()
    expect(page).to_have_url(live_server.url + "/territoire/occitanie")
    page.close()
    assert errors == [], errors
