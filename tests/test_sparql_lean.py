"""/sparql's lean path (web/lean.py) and the query workers (kg/query_worker.py): same limits, same refusals in
French, same answers as the Flask route; everything else still reaches Flask."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from kg.sandbox import QueryPool, json_answer
from web import create_app

JSON = {"Accept": "application/sparql-results+json"}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ANCT = """PREFIX kg: <https://ess-kg.example/ontologie#>
SELECT ?numero WHERE { ?f kg:involves <https://ess-kg.example/organisation/anct> ; kg:ficheNumber ?numero }
ORDER BY ?numero"""


class Passed:
    """Records the paths the lean path hands on to Flask (the app itself still answers them)."""

    def __init__(self, app):
        self.lean = app.wsgi_app
        self.flask = self.lean.next
        self.paths: list[str] = []
        self.lean.next = self

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        return self.flask(environ, start_response)


@pytest.fixture(scope="module")
def strict(built):
    app = create_app({"DIST": str(built), "QUERY_TIMEOUT": 1.5, "ROW_LIMIT": 50, "MAX_QUERY_LENGTH": 2000,
                      "MAX_CONTENT_LENGTH": 5000, "WARM_UP": False})
    passed = Passed(app)
    yield app.test_client(), passed
    app.extensions["kg_store"]._pool and app.extensions["kg_store"]._pool.close()


def test_lean_path_answers_json_without_flask_and_with_the_site_headers(strict, embedded):
    client, passed = strict
    before = len(passed.paths)
    response = client.get("/sparql", query_string={"query": ANCT}, headers=JSON)
    assert response.status_code == 200 and response.mimetype == "application/sparql-results+json"
    assert json.loads(response.get_data()) == json.loads(json_answer(embedded, ANCT, 50))
    assert [b["numero"]["value"] for b in json.loads(response.get_data())["results"]["bindings"]] == ["2", "4", "5"]
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Vary"):
        assert header in response.headers
    assert "X-Truncated" not in response.headers
    assert len(passed.paths) == before  # Flask never saw it


def test_lean_path_keeps_the_time_limit_and_frees_its_worker(strict):
    client, passed = strict
    before = len(passed.paths)
    start = time.monotonic()
    response = client.get("/sparql", query_string={"query": SLOW}, headers=JSON)
    assert time.monotonic() - start < 10
    assert response.status_code == 503 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "la requête a dépassé la limite de 1.5 s et a été arrêtée\n"
    assert len(passed.paths) == before
    for _ in range(3):  # more than the pool's size
        assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers=JSON).status_code == 200


def test_lean_path_keeps_the_row_cap(strict):
    client, _ = strict
    response = client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }"}, headers=JSON)
    doc = json.loads(response.get_data())
    assert response.headers["X-Truncated"] == "true" and doc["truncated"] is True
    assert len(doc["results"]["bindings"]) == 50


@pytest.mark.parametrize("send,status,message", [
    (lambda c: c.get("/sparql", query_string={"update": "CLEAR ALL"}, headers=JSON), 403, "lecture seule"),
    (lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}, headers=JSON), 403, "lecture seule"),
    (lambda c: c.post("/sparql", data={"query": "INSERT DATA { <a> <b> <c> }"}, headers=JSON), 403, "lecture seule"),
    (lambda c: c.get("/sparql", query_string={"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"},
                     headers=JSON), 403, "SERVICE"),
    (lambda c: c.get("/sparql", query_string={"query": "SELECT * FROM <http://x/> { ?s ?p ?o }"}, headers=JSON),
     403, "FROM"),
    (lambda c: c.get("/sparql", query_string={"query": "SELECT ?s { ?s ?p }"}, headers=JSON), 400, "la requête a échoué"),
    (lambda c: c.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } #" + "x" * 3000}, headers=JSON),
     413, "Requête trop longue"),
])
def test_lean_path_refuses_in_french(strict, send, status, message):
    client, passed = strict
    before = len(passed.paths)
    response = send(client)
    assert response.status_code == status and response.mimetype == "text/plain"
    assert message in response.get_data(as_text=True) and response.get_data(as_text=True).count("\n") == 1
    assert "Content-Security-Policy" in response.headers
    assert len(passed.paths) == before


def test_post_bodies_take_the_lean_path(strict):
    client, passed = strict
    before = len(passed.paths)
    direct = client.post("/sparql", data=ANCT.encode("utf-8"),
                         headers={**JSON, "Content-Type": "application/sparql-query"})
    form = client.post("/sparql", data={"query": ANCT}, headers=JSON)
    assert direct.status_code == form.status_code == 200
    assert json.loads(direct.get_data()) == json.loads(form.get_data())
    assert len(passed.paths) == before


@pytest.mark.parametrize("send,mimetype", [
    (lambda c: c.get("/sparql", query_string={"query": ANCT}, headers={"Accept": "text/html"}), "text/html"),
    (lambda c: c.get("/sparql", query_string={"query": ANCT, "format": "csv"}, headers=JSON), "text/csv"),
    (lambda c: c.get("/sparql", query_string={"query": ANCT}, headers={"Accept": "text/csv"}), "text/csv"),
    (lambda c: c.get("/sparql", query_string={"query": "DESCRIBE <https://ess-kg.example/concept/scic>"},
                     headers=JSON), "text/turtle"),
    (lambda c: c.get("/sparql", headers=JSON), "text/turtle"),  # the service description
    (lambda c: c.post("/sparql", data={"query": "x" * 6000}, headers=JSON), "text/html"),  # 413 page
])
def test_everything_else_reaches_flask_before_any_query_ran(strict, send, mimetype):
    client, passed = strict
    before = len(passed.paths)
    response = send(client)
    assert response.mimetype == mimetype
    assert passed.paths[before:] == ["/sparql"]


def test_html_error_pages_stay_french(strict):
    client, _ = strict
    response = client.get("/sparql", query_string={"query": SLOW}, headers={"Accept": "text/html"})
    assert response.status_code == 503 and "a dépassé la limite de 1.5 s" in response.get_data(as_text=True)


def test_lean_path_relays_a_remote_store(oxigraph_server, embedded):
    app = create_app({"STORE": oxigraph_server.query_url, "WARM_UP": False})
    client = app.test_client()
    response = client.get("/sparql", query_string={"query": ANCT}, headers=JSON)
    assert response.status_code == 200
    assert json.loads(response.get_data())["results"] == json.loads(json_answer(embedded, ANCT, 1000))["results"]
    assert client.post("/sparql", data={"update": "CLEAR ALL"}, headers=JSON).status_code == 403


def test_the_query_worker_loads_no_rdflib():
    out = subprocess.run([sys.executable, "-c", "import sys, kg.query_worker; print('rdflib' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_worker_left_large_is_replaced_and_the_pool_still_answers(built):
    path = str((built / "current" / "store").resolve())
    pool = QueryPool(workers=1, timeout=5, heavy_ms=0, retire_mb=0)  # every answer retires its worker
    try:
        first = pool.run(path, ANCT, limit=10, as_json=True)
        deadline = time.monotonic() + 10
        while not pool._idle and time.monotonic() < deadline:  # the replacement starts in the background
            time.sleep(0.05)
        assert pool._idle and pool._started == 1
        assert pool.run(path, ANCT, limit=10, as_json=True) == first
        graph = pool.run(path, "DESCRIBE <https://ess-kg.example/concept/scic>", limit=100).graph
        assert len(graph) > 0
    finally:
        pool.close()


def test_the_server_can_limit_its_malloc_arenas():
    out = subprocess.run([sys.executable, "-c", "from kg.memory import limit_arenas; print(limit_arenas())"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
