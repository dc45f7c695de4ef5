"""Fixtures: the real data built once, each store kind, a real Oxigraph server on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph

from kg.build import build
from kg.graph import build_graph
from kg.load import load_dataset
from kg.programmes import load_data
from kg.store import MemoryStore, OxigraphStore, RemoteStore

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture(scope="session")
def dataset():
    return load_data(DATA)


@pytest.fixture(scope="session")
def graph(dataset) -> Graph:
    return build_graph(dataset)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A real ``kg build`` of data/ into a temporary dist folder."""
    dist = tmp_path_factory.mktemp("dist")
    build(DATA, dist)
    return dist


@pytest.fixture
def mini_data(tmp_path) -> Path:
    """A copy of the small fixture dataset that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(MINI, target)
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    """The Oxigraph server shipped by the ``oxigraph`` package (installed by ``make test``)."""
    candidate = Path(sys.executable).parent / "oxigraph"
    found = str(candidate) if candidate.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("le serveur Oxigraph est introuvable : « make test » installe le paquet oxigraph")
    return found


def stop_process(process: subprocess.Popen) -> None:
    """Terminate a server we started, and kill it if it does not stop in 10 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class OxigraphServer:
    """A real Oxigraph server process on 127.0.0.1, started and stopped by the tests."""

    def __init__(self, location: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=1).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("le serveur Oxigraph s'est arrêté au démarrage")
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("le serveur Oxigraph n'a pas répondu en 20 s")

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory, built):
    """A real Oxigraph server loaded with the built graph through ``kg publish``."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    try:
        result = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), "publish",
                                 "--endpoint", server.query_url], capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", params=["oxigraph", "memory", "remote"])
def store(request, built, graph):
    """Every store kind, each holding the same graph."""
    if request.param == "oxigraph":
        s = OxigraphStore(built / "current" / "store")
    elif request.param == "memory":
        s = MemoryStore(graph)
    else:
        s = RemoteStore(request.getfixturevalue("oxigraph_server").query_url, timeout=10, retries=0)
    yield s
    s.close()


@pytest.fixture(scope="session")
def embedded(built):
    return OxigraphStore(built / "current" / "store")


@pytest.fixture(scope="session")
def app(built):
    from web import create_app

    return create_app({"DIST": str(built), "TESTING": True, "WARM_UP": False})  # tests/test_warm.py checks it


@pytest.fixture
def client(app):
    return app.test_client()


class LiveServer:
    """``kg serve`` (waitress) in its own process on 127.0.0.1, as a user runs it."""

    def __init__(self, dist: Path, store: str | None = None):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = dist / ("serve.log" if store is None else f"serve-{self.port}.log")
        self.log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen([sys.executable, "-m", "kg.cli", "--dist", str(dist), "serve", "--port", str(self.port),
                                         *(["--store", store] if store else [])],
                                        cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    self.log.close()
                    raise RuntimeError("kg serve s'est arrêté : " + self.log_path.read_text(encoding="utf-8"))
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("kg serve n'a pas répondu en 30 s")

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()


@pytest.fixture(scope="session")
def live_server(built):
    server = LiveServer(built)
    yield server
    server.stop()


# --- three programmes: the real one and two years of a fictional network (tests/fixtures/programmes) ----------

PROGRAMMES = Path(__file__).resolve().parent / "fixtures" / "programmes"


def three_programmes(target: Path) -> Path:
    """data/ copied to ``target`` with the two fictional years added under programmes/."""
    shutil.copytree(DATA, target)
    for folder in sorted(PROGRAMMES.iterdir()):
        if folder.is_dir():
            shutil.copytree(folder, target / "programmes" / folder.name)
    return target


@pytest.fixture
def three_data(tmp_path) -> Path:
    """A copy of the three programmes that a test may break."""
    return three_programmes(tmp_path / "data")


@pytest.fixture(scope="session")
def three_dataset(tmp_path_factory):
    return load_data(three_programmes(tmp_path_factory.mktemp("three") / "data"))


@pytest.fixture(scope="session")
def three_graph(three_dataset) -> Graph:
    return build_graph(three_dataset)


@pytest.fixture(scope="session")
def three_built(tmp_path_factory) -> Path:
    """A real ``kg build`` of the three programmes."""
    root = tmp_path_factory.mktemp("three-built")
    dist = root / "dist"
    build(three_programmes(root / "data"), dist)
    return dist


@pytest.fixture(scope="session", params=["oxigraph", "memory", "remote"])
def three_store(request, three_built, three_graph):
    """Every store kind holding the three programmes (the remote one: a real Oxigraph server, kg publish)."""
    server = None
    if request.param == "oxigraph":
        s = OxigraphStore(three_built / "current" / "store")
    elif request.param == "memory":
        s = MemoryStore(three_graph)
    else:
        server = OxigraphServer(tmp_path_factory_dir(request) / "ox-three")
        result = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(three_built), "publish",
                                 "--endpoint", server.query_url], capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        s = RemoteStore(server.query_url, timeout=10, retries=0)
    yield s
    s.close()
    if server:
        server.stop()


def tmp_path_factory_dir(request) -> Path:
    return request.getfixturevalue("tmp_path_factory").mktemp("server")


def break_fixture(path, old: str, new: str) -> None:
    """Replace the first ``old`` of a fixture file by ``new`` (failing loudly when the fixture drifted)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drift: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_problems(data, loader) -> list[str]:
    """The curation problems ``loader`` reports on a data folder (it must refuse it)."""
    from kg.load import DataError

    with pytest.raises(DataError) as info:
        loader(data)
    return info.value.problems
