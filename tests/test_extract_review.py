"""The review page of a `kg extract` draft: served by `kg serve` at /relecture/<id>, looked at in Chromium."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from kg.extract import extract, write_draft
from web import create_app

from .conftest import ROOT, _free_port, stop_process

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "test-output" / "screenshots"
SOURCE = ROOT / "data" / "programmes" / "rtes-2024" / "source" / "rtes-programme-actions-2024.txt"


@pytest.fixture(scope="module")
def review_data(tmp_path_factory) -> Path:
    """A data folder holding one draft under programmes/essai-2024/ (the default output of `kg extract`)."""
    data = tmp_path_factory.mktemp("review") / "data"
    extraction = extract(SOURCE, "essai-2024", ROOT / "data", publisher="rtes")
    write_draft(extraction, data / "programmes" / "essai-2024", SOURCE)
    return data


def test_review_page_lists_what_to_check(review_data, built):
    client = create_app({"DIST": str(built), "DATA": str(review_data), "WARM_UP": False}).test_client()
    html = client.get("/relecture/essai-2024").get_data(as_text=True)
    assert "Relecture du brouillon « essai-2024 »" in html
    for heading in ("Nouvelles entités à confirmer", "Dates incertaines", "Lignes datées imprimées à part",
                    "Lignes qu'aucun élément n'utilise"):
        assert heading in html
    assert "« septembre/octobre ? » → 2024-09" in html
    assert "fusion possible avec « FAQ juridique »" in html and "publication:" not in html  # labels, not keys
    assert client.get("/relecture/inconnu").status_code == 404
    assert client.get("/relecture/..%2Fdata").status_code == 404


def test_review_page_in_chromium(review_data, built, tmp_path):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} est absent : « make test » installe le paquet Debian chromium")
    port = _free_port()
    log = open(tmp_path / "serve.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "--data", str(review_data), "--dist", str(built),
                               "serve", "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=2).read()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.1)
        SHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, locale="fr-FR",
                viewport={"width": 1280, "height": 900},
                args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"])
            errors: list[str] = []
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
            page.goto(url + "/relecture/essai-2024")
            expect(page.locator("h1")).to_have_text("Relecture du brouillon « essai-2024 »")
            expect(page.locator("table").first.locator("tbody tr")).to_have_count(14)
            page.screenshot(path=str(SHOTS / "relecture.png"), full_page=True)
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(SHOTS / "relecture-telephone.png"), full_page=False)
            context.close()
            assert errors == []
    finally:
        stop_process(server)
        log.close()
