"""The pages across programmes as a reader sees them in Chromium, at desktop and phone width (screenshots in
test-output/screenshots/): an entity page across years, the frise and a list narrowed by the programme filter."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import LiveServer
from .test_browser import SHOTS, browser, page  # noqa: F401 - Chromium and a page failing on any HTTP error


@pytest.fixture(scope="module")
def three_server(three_built):
    server = LiveServer(three_built)
    yield server
    server.stop()


def _filter(page: Page, url: str, programme: str, width: int, shot: str) -> None:
    """Open ``url``, choose ``programme`` in the « Programme » select and submit; no sideways scroll, a screenshot."""
    page.goto(url)
    page.get_by_label("Programme").select_option(programme)
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_label("Programme")).to_have_value(programme)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"défilement horizontal : {page.url}"
    page.screenshot(path=str(SHOTS / f"programmes-{shot}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_across_programmes_in_chromium(page, three_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(three_server.url + "/personne/hugo-lanternier")
    expect(page.locator(".year-bars li")).to_have_count(2)
    expect(page.locator(".year-bars li").first).to_have_text("20242 fiches")
    expect(page.locator("h3.programme-head").first).to_contain_text("brouillon — à relire")
    assert page.locator(".year-bars .bar span").first.bounding_box()["width"] > 20  # the bar is drawn
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"programmes-entite-{width}.png"), full_page=True)

    _filter(page, three_server.url + "/frise", "rtc-2024", width, "frise")
    expect(page).to_have_url(three_server.url + "/frise?programme=rtc-2024")
    expect(page.locator(".event-mark")).to_have_count(2)

    _filter(page, three_server.url + "/liste/organisations", "rtc-2025", width, "liste")
    expect(page).to_have_url(three_server.url + "/liste/organisations?programme=rtc-2025&tri=fiches")
    expect(page.locator("table.sortable tbody tr")).to_have_count(4)
    page.get_by_role("link", name="Nom").click()
    expect(page).to_have_url(three_server.url + "/liste/organisations?programme=rtc-2025&tri=nom")
