"""Builds lose nothing (errors, a full disk, SIGKILL, readers during a swap); remote faults are clear errors."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kg import store_update
from kg.build import build
from kg.store import OxigraphStore, RemoteStore, StoreError
from web.state import StoreHolder

from .conftest import DATA, ROOT

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(path: Path) -> int:
    return OxigraphStore(path).query(COUNT).rows[0]["n"].toPython()


def test_a_full_disk_keeps_the_last_good_build(mini_data, tmp_path, monkeypatch):
    dist = tmp_path / "dist"
    good = build(mini_data, dist)
    target = os.readlink(dist / "current")

    def full(self, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(OxigraphStore, "load_file", full)  # the store is bulk-loaded from graph.nt
    monkeypatch.setattr(store_update, "_copy_store", lambda source, target: full(None, target))  # or copied
    with pytest.raises(OSError, match="No space left"):
        build(mini_data, dist)
    assert os.readlink(dist / "current") == target
    assert _count(dist / "current" / "store") == good.triples
    assert not [p for p in (dist / "builds").iterdir() if p.name.startswith(".tmp")]


def test_a_build_killed_with_sigkill_leaves_the_last_good_one(tmp_path):
    dist = tmp_path / "dist"
    good = build(DATA, dist)
    target = os.readlink(dist / "current")
    for delay in (0.8, 2.0, 3.4):
        process = subprocess.Popen([sys.executable, "-m", "kg.cli", "--dist", str(dist), "build"], cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        finished = process.wait() == 0  # it may have ended just before the signal: then it is a good build
        current = os.readlink(dist / "current")
        # killed after the swap (pruning old builds, or exiting): the link then names a finished build, never .tmp-*
        moved_when_done = not Path(current).name.startswith(".tmp")
        assert current == target or finished or moved_when_done, \
            f"killed at {delay} s, the link moved to an unfinished build"
        assert _count(dist / "current" / "store") == good.triples
        assert (dist / "current" / "manifest.json").exists()
        target = current
    build(DATA, dist)  # the next build cleans what killed ones left
    assert not [p for p in (dist / "builds").iterdir() if p.name.startswith(".tmp")]


def test_readers_never_see_a_half_built_graph(mini_data, tmp_path):
    other = tmp_path / "other"
    import shutil

    shutil.copytree(mini_data, other)
    people = other / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace('"Paul Test"}', '"Paul Test", aliases: ["P. Test"]}'),
                      encoding="utf-8")
    dist = tmp_path / "dist"
    counts = {build(mini_data, dist).triples, build(other, dist).triples}
    assert len(counts) == 2
    holder = StoreHolder(None, dist)
    seen, errors, stop = [], [], threading.Event()

    def read():
        while not stop.is_set():
            try:
                seen.append(holder.get().query(COUNT).rows[0]["n"].toPython())
            except Exception as exc:  # noqa: BLE001 - any failure is what we look for
                errors.append(repr(exc))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for source in (mini_data, other, mini_data, other, mini_data):
            build(source, dist)
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert len(seen) > 10 and set(seen) <= counts


# --- a misbehaving SPARQL server --------------------------------------------------------------------

class Misbehaving(http.server.BaseHTTPRequestHandler):
    mode = "ok"

    def log_message(self, *args):
        pass

    def _answer(self):
        mode = type(self).mode
        if mode == "slow":
            time.sleep(4)
        if mode in ("500", "503"):
            self.send_response(int(mode))
            self.end_headers()
            self.wfile.write(b"server error")
            return
        self.send_response(200)
        if mode == "html":
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>Maintenance</body></html>")
        else:
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            body = b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "1"}}]}}'
            self.wfile.write(body[:40] if mode == "truncated" else body)

    do_GET = do_POST = _answer


@pytest.fixture
def misbehaving():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    Misbehaving.mode = "ok"


@pytest.mark.parametrize("mode,message", [
    ("slow", "ne répond pas"), ("html", "ce n'est pas du JSON"), ("truncated", "ce n'est pas du JSON"),
    ("500", "ne répond pas"), ("503", "ne répond pas"),
])
def test_remote_faults_are_clear_and_bounded(misbehaving, mode, message):
    Misbehaving.mode = mode
    url = f"http://127.0.0.1:{misbehaving.server_address[1]}/query"
    store = RemoteStore(url, timeout=1, retries=1, backoff=0.05)
    start = time.monotonic()
    with pytest.raises(StoreError) as info:
        store.query("SELECT ?n WHERE { ?s ?p ?n }")
    assert message in str(info.value)
    assert time.monotonic() - start < 12


def test_remote_fault_in_the_cli_is_one_line(misbehaving):
    Misbehaving.mode = "html"
    url = f"http://127.0.0.1:{misbehaving.server_address[1]}/query"
    result = subprocess.run([sys.executable, "-m", "kg.cli", "query", "axes", "--store", url],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "ce n'est pas du JSON" in result.stderr


def test_remote_fault_in_the_site_is_a_friendly_page(misbehaving):
    from web import create_app

    Misbehaving.mode = "503"
    url = f"http://127.0.0.1:{misbehaving.server_address[1]}/query"
    client = create_app({"STORE": url}).test_client()
    Misbehaving.mode = "503"
    response = client.get("/")
    assert response.status_code == 503
    assert "Données momentanément indisponibles" in response.get_data(as_text=True)
