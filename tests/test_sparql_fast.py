"""/sparql's fast path in `kg serve` (web/fast_sparql.py, kg/http_worker.py): waitress's loop hands the query and
the client's socket to a worker, which answers on it and keeps the connection for the next requests. Same answers,
headers, time limit, row cap and refusals as web/lean.py."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse

import pytest
from waitress.server import create_server

from kg.query_worker import count_rows, oxigraph_json
from kg.sandbox import json_answer
from web import create_app
from web.fast_sparql import install

JSON = {"Accept": "application/sparql-results+json"}
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ANCT = """PREFIX kg: <https://ess-kg.example/ontologie#>
SELECT ?numero WHERE { ?f kg:involves <https://ess-kg.example/organisation/anct> ; kg:ficheNumber ?numero }
ORDER BY ?numero"""


@pytest.fixture(scope="module")
def served(built):
    """A waitress server as `kg serve` sets it up (fast path installed), in this process, on 127.0.0.1."""
    app = create_app({"DIST": str(built), "QUERY_TIMEOUT": 1.5, "ROW_LIMIT": 50, "WARM_UP": False})
    ready = threading.Event()
    box = []

    def run() -> None:
        server = install(create_server(app, host="127.0.0.1", port=0, threads=4, ident="kg"), app)
        box.append(server)
        ready.set()
        server.run()

    threading.Thread(target=run, name="test-waitress", daemon=True).start()
    assert ready.wait(10)
    server = box[0]
    yield server, server.fast_sparql
    server.task_dispatcher.shutdown()
    app.extensions["kg_store"]._pool and app.extensions["kg_store"]._pool.close()


def connect(server) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=30)


def warmed(server, fast) -> tuple[http.client.HTTPConnection, int]:
    """A kept-alive connection after one query (it starts a worker: the fast path only takes idle ones), and the
    number of requests the fast path has taken so far."""
    conn = connect(server)
    get(conn, "ASK { ?s ?p ?o }")
    return conn, fast.taken


def handed_back(fast) -> int:
    """The requests the fast path answered, once every worker has handed its connection back (the count of a
    kept connection is told at its hand-back; the caller closed its connections)."""
    deadline = time.monotonic() + 10
    while fast.waiting and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not fast.waiting
    return fast.taken


def get(conn: http.client.HTTPConnection, query: str) -> http.client.HTTPResponse:
    conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}), headers=JSON)
    response = conn.getresponse()
    response.body = response.read()
    return response


def test_the_fast_path_answers_as_the_lean_path_on_a_kept_alive_connection(served, embedded):
    server, fast = served
    conn, before = warmed(server, fast)
    for _ in range(3):
        response = get(conn, ANCT)
        assert response.status == 200 and response.getheader("Content-Type") == "application/sparql-results+json"
        assert json.loads(response.body) == json.loads(json_answer(embedded, ANCT, 50))
        for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "Vary", "Date"):
            assert response.getheader(header)
        assert response.getheader("Server") == "kg" and response.getheader("X-Truncated") is None
    assert get(conn, "ASK { ?s ?p ?o }").body == b'{"head": {}, "boolean": true}'
    conn.close()
    assert handed_back(fast) == before + 4


def test_the_fast_path_keeps_the_time_limit_and_frees_its_worker(served):
    server, fast = served
    conn, before = warmed(server, fast)
    start = time.monotonic()
    response = get(conn, SLOW)
    assert time.monotonic() - start < 5  # 1.5 s: the worker's own timer ends it
    assert response.status == 503 and response.getheader("Content-Type") == "text/plain; charset=utf-8"
    assert response.body.decode("utf-8") == "la requête a dépassé la limite de 1.5 s et a été arrêtée\n"
    assert response.getheader("Connection") == "close"  # said, so that the client opens a new one
    for _ in range(3):  # more than the pool's size, on the connection the client reopens
        assert get(conn, "ASK { ?s ?p ?o }").status == 200
    conn.close()


def test_the_fast_path_keeps_the_row_cap(served):
    server, fast = served
    conn, before = warmed(server, fast)
    response = get(conn, "SELECT ?s WHERE { ?s ?p ?o }")
    doc = json.loads(response.body)
    assert response.getheader("X-Truncated") == "true" and doc["truncated"] is True
    assert len(doc["results"]["bindings"]) == 50
    conn.close()
    assert handed_back(fast) == before + 1


@pytest.mark.parametrize("query,status,start,fast_path", [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 403, "Les appels SERVICE", False),
    ("DELETE WHERE { ?s ?p ?o }", 403, "Point de requête en lecture seule", False),
    ("SELECT ?x WHERE {", 400, "la requête a échoué", True),  # the engine's own refusal, from the worker
])
def test_refusals_stay_french_on_either_path(served, query, status, start, fast_path):
    server, fast = served
    taken = []
    for _ in range(10):  # a loaded machine may leave no worker idle: the fast path then declines, and waitress answers
        conn, before = warmed(server, fast)
        response = get(conn, query)
        assert response.status == status and response.getheader("Content-Type") == "text/plain; charset=utf-8"
        assert response.body.decode("utf-8").startswith(start)
        assert get(conn, "ASK { ?s ?p ?o }").status == 200  # the connection goes on
        conn.close()
        taken.append(handed_back(fast) - before)
        if taken[-1] == fast_path + 1:
            break
    assert taken[-1] == fast_path + 1, taken  # the refusal taken by the fast path (or handed back) as expected


def test_pipelined_requests_get_their_answers_in_order(served):
    server, _ = served
    conn = connect(server)
    get(conn, "ASK { ?s ?p ?o }")
    conn.close()
    queries = [ANCT, "ASK { ?s ?p ?o }", "SELECT (1 AS ?one) WHERE {}", ANCT]
    raw = b"".join(f"GET /sparql?{urllib.parse.urlencode({'query': q})} HTTP/1.1\r\nHost: x\r\n"
                   f"Accept: application/sparql-results+json\r\n\r\n".encode("ascii") for q in queries)
    with socket.create_connection(("127.0.0.1", server.effective_port), timeout=30) as sock:
        sock.sendall(raw)
        reader = sock.makefile("rb")
        bodies = [json.loads(read_answer(reader)) for _ in queries]
    assert [b["numero"]["value"] for b in bodies[0]["results"]["bindings"]] == ["2", "4", "5"]
    assert bodies[1]["boolean"] is True and bodies[2]["results"]["bindings"][0]["one"]["value"] == "1"
    assert bodies[3] == bodies[0]


def read_answer(reader) -> bytes:
    """One HTTP answer's body from a stream of several (status 200 expected, Content-Length given)."""
    assert reader.readline().startswith(b"HTTP/1.1 200")
    length = None
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return reader.read(length)


def test_requests_finding_every_worker_busy_go_the_usual_way_without_an_error(served, caplog):
    """8 clients at once for 2 workers: the fast path took a request for a worker it had not got (a bug)."""
    server, fast = served
    errors: list = []

    def client(rows: int) -> None:
        conn = connect(server)
        for n in range(30):
            response = get(conn, f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {(n + rows) % 7 + 1}")
            if response.status != 200 or len(json.loads(response.body)["results"]["bindings"]) != (n + rows) % 7 + 1:
                errors.append((response.status, response.body[:80]))
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    with caplog.at_level("ERROR", logger="kg.fast_sparql"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == [] and caplog.records == []
    # every job comes back: the worker answers the client first, then tells the loop, which may not have read it yet
    deadline = time.monotonic() + 10
    while fast.waiting and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not fast.waiting


def test_rows_are_counted_in_oxigraphs_json_whatever_the_strings_hold():
    import pyoxigraph as ox

    store = ox.Store()
    tricky = ox.Literal('a",{"b\\"[{ ,{ },{')
    store.add(ox.Quad(ox.NamedNode("http://a/x"), ox.NamedNode("http://a/p"), tricky))
    for n in range(4):
        store.add(ox.Quad(ox.NamedNode(f"http://a/{n}"), ox.NamedNode("http://a/p"), ox.Literal(str(n), language="fr")))
    for query, rows in [("SELECT * WHERE { ?s ?p ?o }", 5), ("SELECT ?nothing WHERE { ?s ?p ?o }", 5),
                        ("SELECT * WHERE { ?s <http://a/none> ?o }", 0)]:
        assert count_rows(oxigraph_json(store.query(query))) == rows
    assert oxigraph_json(store.query("SELECT * WHERE { ?s ?p ?o }"), budget=100) is None  # past the budget


def test_kg_fast_sparql_0_leaves_every_request_to_waitress(built, monkeypatch):
    """The off switch an operator uses if a waitress upgrade breaks the hook: no fast path installed."""
    monkeypatch.setenv("KG_FAST_SPARQL", "0")
    app = create_app({"DIST": str(built), "WARM_UP": False})
    server = install(create_server(app, host="127.0.0.1", port=0, threads=1, ident="kg"), app)
    try:
        assert not hasattr(server, "fast_sparql")
    finally:
        server.close()
    monkeypatch.setenv("KG_FAST_SPARQL", "1")
    server = install(create_server(app, host="127.0.0.1", port=0, threads=1, ident="kg"), app)
    try:
        assert hasattr(server, "fast_sparql")
    finally:
        server.close()


@pytest.mark.parametrize("kept", [False, True])
def test_the_time_limit_ends_a_query_on_a_new_or_a_kept_connection(served, kept):
    server, fast = served
    conn = warmed(server, fast)[0] if kept else connect(server)
    response = get(conn, SLOW)
    assert response.status == 503 and response.getheader("Connection") == "close"
    assert response.body.decode("utf-8") == "la requête a dépassé la limite de 1.5 s et a été arrêtée\n"
    conn.close()
    handed_back(fast)
    conn = connect(server)
    assert json.loads(get(conn, ANCT).body)["results"]["bindings"][0]["numero"]["value"] == "2"
    conn.close()


def test_a_kept_connection_leaves_other_requests_to_waitress_in_order(served, embedded):
    """What the worker does not answer alone (another format, another Accept, a POST) goes back to waitress,
    on the same connection, and the next GET is the worker's again."""
    server, fast = served
    conn, before = warmed(server, fast)
    conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": ANCT, "format": "csv"}))
    response = conn.getresponse()
    assert response.status == 200 and response.read().decode("utf-8").splitlines() == ["numero", "2", "4", "5"]
    conn.request("POST", "/sparql", body=ANCT, headers={**JSON, "Content-Type": "application/sparql-query"})
    response = conn.getresponse()
    assert json.loads(response.read()) == json.loads(json_answer(embedded, ANCT, 50))
    assert json.loads(get(conn, ANCT).body) == json.loads(json_answer(embedded, ANCT, 50))
    conn.close()
    assert handed_back(fast) == before + 1


def test_workers_keeping_silent_connections_are_asked_back_for_other_clients(served):
    """Both workers keep a client's connection (and would for a minute): a third client's query is still
    answered, by a worker asked back."""
    server, fast = served
    fast.keep_idle_s = 60
    try:
        kept = [warmed(server, fast)[0] for _ in range(2)]
        for conn in kept + kept:  # a connection whose query found no idle worker gets one on its next
            assert get(conn, "ASK { ?s ?p ?o }").status == 200
        assert len(fast.waiting) == 2  # both workers keep a connection
        other = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=20)
        for fmt in ("csv", "json"):  # through Flask, which waits for a worker
            other.request("GET", "/sparql?" + urllib.parse.urlencode({"query": ANCT, "format": fmt}))
            response = other.getresponse()
            assert response.status == 200 and b"4" in response.read()
        other.close()
        for conn in kept:
            assert get(conn, "ASK { ?s ?p ?o }").status == 200
            conn.close()
    finally:
        fast.keep_idle_s = 1.0
    handed_back(fast)
