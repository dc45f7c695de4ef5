"""The pictures (web/charts.py): names that fit or show their acronym, nothing clipped, a legend, the right years;
checked on the SVG text and, for what only a browser can measure, in Chromium at desktop and phone width."""

from __future__ import annotations

import re

import pytest

from web import charts

from .test_browser import SHOTS, browser, page  # noqa: F401 - the same Chromium fixtures

LONG = "Réseau des collectivités Territoriales pour une Économie Solidaire et tout ce qui s'ensuit"
PATH = lambda iri: "/" + iri.rsplit("/", 2)[-2] + "/" + iri.rsplit("/", 1)[-1]  # noqa: E731


def test_a_long_name_shows_its_acronym_and_the_full_name_on_hover():
    rows = [{"iri": "https://ess-kg.example/organisation/x", "label": LONG, "fiches": 3},
            {"iri": "https://ess-kg.example/organisation/y", "label": "Avise", "fiches": 1}]
    svg = str(charts.bars(rows, PATH, {"https://ess-kg.example/organisation/x": "XYZ"}))
    labels = re.findall(r'class="bar-label">([^<]*)<', svg)
    assert labels == ["XYZ", "Avise"]
    assert f"<title>{LONG.replace(chr(39), '&#39;')} : 3 fiches</title>" in svg


def test_a_long_name_without_acronym_is_cut_to_fit():
    name = charts.fitted(LONG, 200)
    assert name.endswith("…") and charts.text_width(name) <= 200
    assert charts.fitted("Avise", 200, "AV") == "Avise"


@pytest.mark.parametrize("label", [LONG, "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM", "i" * 200])
def test_every_fitted_label_fits(label):
    for room in (80, 200, 288):
        assert charts.text_width(charts.fitted(label, room)) <= room


def test_timeline_ends_with_the_last_dated_year():
    events = [{"iri": "https://ess-kg.example/evenement/a", "label": "A", "start": "2023-03-01", "end": "2023-03-31",
               "date": "2023-03", "date_text": "mars 2023", "status": "realise", "fiches": [1]},
              {"iri": "https://ess-kg.example/evenement/b", "label": "B", "start": "2025-01-01", "end": "2025-12-31",
               "date": "2025", "date_text": "en 2025", "status": "prevu", "fiches": [2]}]
    svg = str(charts.timeline(events, PATH))
    assert re.findall(r'class="axis-label">(\d{4})<', svg) == ["2023", "2024", "2025"]


def test_network_has_a_legend_and_one_column_per_type():
    data = {"fiches": [1, 2, 3],
            "nodes": [{"iri": "https://ess-kg.example/organisation/o", "label": LONG, "type": "organisation", "fiches": [1, 3]},
                      {"iri": "https://ess-kg.example/personne/p", "label": "Camille Fictive", "type": "personne", "fiches": [2, 3]}],
            "edges": [(1, "https://ess-kg.example/organisation/o"), (3, "https://ess-kg.example/organisation/o"),
                      (2, "https://ess-kg.example/personne/p"), (3, "https://ess-kg.example/personne/p")]}
    svg = str(charts.network(data, PATH, {"https://ess-kg.example/organisation/o": "RTXX"}))
    legend = re.findall(r'class="legend">([^<]*)<', svg)
    assert legend[:3] == ["organisation", "fiche", "personne"]
    assert svg.count("<path ") == 4  # one edge per fiche a node shares
    assert ">RTXX</text>" in svg and "Camille Fictive</text>" in svg
    xs = {kind: set(re.findall(rf'class="node node-{kind}"><title>[^<]*</title><circle cx="([\d.]+)"', svg))
          for kind in ("organisation", "fiche", "personne")}
    assert all(len(v) == 1 for v in xs.values())  # one column per type
    assert float(*xs["organisation"]) < float(*xs["fiche"]) < float(*xs["personne"])


@pytest.mark.parametrize("path", ["/partenaires", "/reseau", "/frise"])
@pytest.mark.parametrize("width", [1280, 390])
def test_no_label_is_clipped_by_its_picture(page, live_server, path, width):  # noqa: F811
    """Measured by Chromium: every text of the picture lies inside the picture as drawn."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + path)
    outside = page.evaluate("""() => {
        const svg = document.querySelector('svg.chart'); const box = svg.getBoundingClientRect(); const out = [];
        for (const t of svg.querySelectorAll('text')) {  // on screen: rotations and scaling included
            const b = t.getBoundingClientRect();
            if (b.left < box.left - 1 || b.top < box.top - 1 || b.right > box.right + 1 || b.bottom > box.bottom + 1)
                out.push(t.textContent);
        }
        return out; }""")
    assert outside == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # the page itself never scrolls sideways
    page.screenshot(path=str(SHOTS / f"picture-{path.strip('/')}-{width}.png"), full_page=True)
