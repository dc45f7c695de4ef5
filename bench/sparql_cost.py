"""Where the fixed cost of a small query through /sparql goes: each step timed in process, interleaved.

    python -m bench.sparql_cost [--runs 400] [--dist dist]
    python -m bench.sparql_cost --http [--runs 300] [--only axes,programmes] [--before ../main]   # ÷ bare Oxigraph
    python -m bench.sparql_cost --layers [--runs 1000]  # the same small query through each layer over HTTP
    python -m bench.sparql_cost --memory --dist bench/work/dist-100   # kg serve's memory after a bench-like session

Prints the median of each step for one small query (the fiches that involve the ANCT: 3 rows), from the bare
engine to the whole Flask route; the difference between two lines is what a step costs. With --http: every
named query over HTTP, one request to `kg serve` then one to a bare Oxigraph server, turn by turn, so that
both see the same load (the machine is shared) — the ratio of the medians. With --layers: one small query over
HTTP, turn by turn, to a bare Oxigraph server, to waitress answering a constant (its own floor), to waitress
asking a query worker (no Flask), and to `kg serve`'s /sparql.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

GET_MAX = 8000  # longer queries go in a POST body (Oxigraph's server refuses longer request lines)
QUERY = """PREFIX kg: <https://ess-kg.example/ontologie#>
SELECT ?numero ?titre WHERE {
  ?fiche kg:involves <https://ess-kg.example/organisation/anct> ; kg:ficheNumber ?numero .
  OPTIONAL { ?fiche <http://purl.org/dc/terms/title> ?titre }
} ORDER BY ?numero"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--dist", default="dist")
    parser.add_argument("--http", action="store_true", help="kg serve contre Oxigraph nu, requête par requête")
    parser.add_argument("--only", default="", help="avec --http : ces questions seulement (noms séparés par des virgules)")
    parser.add_argument("--before", type=Path, help="avec --http : aussi le kg serve de cette autre copie du dépôt "
                                                    "(le code d'avant), à tour de rôle")
    parser.add_argument("--layers", action="store_true", help="une petite requête à travers chaque couche, en HTTP")
    parser.add_argument("--memory", action="store_true", help="mémoire de kg serve après une séance comme celle du banc")
    parser.add_argument("--floor", nargs=2, metavar=("MODE", "PORT"), help=argparse.SUPPRESS)  # a --layers server
    args = parser.parse_args()
    if args.floor:
        return floor_server(Path(args.dist), args.floor[0], int(args.floor[1]))
    if args.memory:
        return memory(Path(args.dist))
    if args.layers:
        return layers(Path(args.dist), args.runs)
    if args.http:
        return over_http(Path(args.dist), args.runs, [n for n in args.only.split(",") if n], args.before)

    from kg.formats import to_json
    from kg.sandbox import QueryPool, json_answer
    from kg.store import OxigraphStore
    from web import create_app

    path = str((Path(args.dist) / "current" / "store").resolve())
    store = OxigraphStore(path)
    pool = QueryPool(workers=1, timeout=5)
    client = create_app({"DIST": args.dist, "TESTING": True, "WARM_UP": False}).test_client()
    steps = {
        "Oxigraph seul (requête, lecture des lignes)": lambda: list(store.raw.query(QUERY)),
        "+ termes rdflib (Result)": lambda: store.query(QUERY, limit=1000),
        "+ termes rdflib + to_json": lambda: to_json(store.query(QUERY, limit=1000)),
        "JSON écrit des termes d'Oxigraph": lambda: json_answer(store, QUERY, 1000),
        "exécuteur, Result puis to_json": lambda: to_json(pool.run(path, QUERY, limit=1000)),
        "exécuteur, JSON écrit par l'exécuteur": lambda: pool.run(path, QUERY, limit=1000, as_json=True),
        "/sparql, chemin court web/lean.py (client de test)": lambda: client.get(
            "/sparql", query_string={"query": QUERY}, headers={"Accept": "application/sparql-results+json"}).get_data(),
        "/sparql par Flask (format=json, client de test)": lambda: client.get(
            "/sparql", query_string={"query": QUERY, "format": "json"}).get_data(),
    }
    times: dict[str, list[float]] = {name: [] for name in steps}
    try:
        for step in steps.values():
            step()
        for _ in range(args.runs):
            for name, step in steps.items():
                start = time.perf_counter()
                step()
                times[name].append((time.perf_counter() - start) * 1000)
    finally:
        pool.close()
    for name, values in times.items():
        print(f"{name:<46} p50 {statistics.median(values):6.3f} ms")
    return 0


def floor_server(dist: Path, mode: str, port: int) -> int:
    """waitress, as `kg serve` runs it, with a WSGI app that answers a constant ("constant") or asks a query
    worker ("exécuteur"): the floors under /sparql."""
    from waitress import serve

    from kg.sandbox import QueryPool

    path = str((dist / "current" / "store").resolve())
    pool = QueryPool(workers=2, timeout=5)
    constant = pool.run(path, QUERY, limit=1000, as_json=True)

    def app(environ, start_response):
        body = constant if mode == "constant" else pool.run(path, QUERY, limit=1000, as_json=True)
        start_response("200 OK", [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(body)))])
        return [body]

    serve(app, host="127.0.0.1", port=port, threads=16, ident="kg")
    return 0


def layers(dist: Path, runs: int) -> int:
    import http.client
    import subprocess
    import sys
    import tempfile
    import urllib.parse

    from bench.__main__ import free_port, wait_http

    oxigraph = str(Path(sys.executable).parent / "oxigraph")
    folder = Path(tempfile.mkdtemp(prefix="kg-bare-"))
    subprocess.run([oxigraph, "load", "--location", str(folder), "--file", str(dist / "current" / "graph.nt")],
                   check=True, capture_output=True)
    ports = [free_port() for _ in range(4)]
    names = ["Oxigraph nu (requête comprise)", "waitress, réponse constante", "waitress + exécuteur (sans Flask)",
             "kg serve /sparql (chemin rapide)", "kg serve /sparql par Flask (format=json)"]
    commands = [[oxigraph, "serve-read-only", "--location", str(folder), "--bind", f"127.0.0.1:{ports[0]}"],
                [sys.executable, "-m", "bench.sparql_cost", "--dist", str(dist), "--floor", "constant", str(ports[1])],
                [sys.executable, "-m", "bench.sparql_cost", "--dist", str(dist), "--floor", "exécuteur", str(ports[2])],
                [sys.executable, "-m", "kg.cli", "--dist", str(dist), "serve", "--port", str(ports[3]), "--threads", "16"]]
    servers = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "KG_WARM_UP": "0"})
               for c in commands]
    try:
        query = urllib.parse.urlencode({"query": QUERY})
        paths = [f"/query?{query}", "/", "/", f"/sparql?{query}", f"/sparql?{query}&format=json"]
        for port, path in zip(ports, paths):
            wait_http(port, path)
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports + ports[-1:]]
        times: list[list[float]] = [[] for _ in paths]
        for turn in range(runs + 20):
            for side, (conn, path) in enumerate(zip(connections, paths)):
                start = time.perf_counter()
                conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
                conn.getresponse().read()
                if turn >= 20:
                    times[side].append((time.perf_counter() - start) * 1000)
        bare = statistics.median(times[0])
        print(f"{'couche (une petite requête, HTTP, keep-alive)':<46} {'p50':>7} {'p95':>7} {'÷ nu':>6}")
        for name, values in zip(names, times):
            values.sort()
            p50, p95 = statistics.median(values), values[int(0.95 * (len(values) - 1))]
            print(f"{name:<46} {p50:>7.3f} {p95:>7.3f} {p50 / bare:>6.2f}")
    finally:
        _stop(servers, folder)
    return 0


def _stop(servers: list, folder: Path) -> None:
    """Stop the servers a measure started and remove their folder."""
    for server in servers:
        server.terminate()
        server.wait(10)
    shutil.rmtree(folder, ignore_errors=True)


def memory(dist: Path, seconds: float = 5.0) -> int:
    """`kg serve`'s memory (RSS of the server and its workers added up, as bench/__main__.py prints it, and PSS)
    after what the bench asks of it: its warm-up, each named question, each page kind, each named query through
    /sparql, then 4 clients on /sparql for a few seconds."""
    import http.client
    import subprocess
    import sys
    import urllib.parse

    from bench.__main__ import (PAGES, examples, free_port, named_query_params, rss_mb, sparql_text, throughput,
                                tree_pss_mb, wait_http)
    from kg.store import OxigraphStore

    store = OxigraphStore(dist / "current" / "store")
    params, texts, ex = named_query_params(store), sparql_text(store), examples(store)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "--dist", str(dist), "serve", "--port", str(port),
                               "--threads", "16"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(port, "/")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        def get(path: str, accept: str = "*/*") -> int:
            conn.request("GET", path, headers={"Accept": accept})
            response = conn.getresponse()
            response.read()
            return response.status

        for name, p in params.items():
            get(f"/queries/{name}.json?" + urllib.parse.urlencode(p))
        for path in PAGES.values():
            get(path.format(**ex), "text/html")
        refused = [name for name, text in texts.items()
                   if get("/sparql?" + urllib.parse.urlencode({"query": text}), "application/sparql-results+json") != 200]
        names = sorted(texts)
        rps = throughput(port, lambda n: "/sparql?" + urllib.parse.urlencode({"query": texts[names[n % len(names)]]}),
                         4, seconds)
        time.sleep(1)  # a trim started after the last answer
        print(f"kg serve sur {dist} : {rss_mb(server.pid)} Mo RSS additionnés (serveur et exécuteurs), "
              f"{tree_pss_mb(server.pid):.1f} Mo PSS ; /sparql à 4 clients : {rps} req/s ; "
              f"refusées à la limite de temps : {', '.join(refused) or 'aucune'}")
        for pid in [server.pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True,
                                                                  text=True).stdout.split()]:
            print(f"  {pid:>7} {rss_mb_one(pid):>7.1f} Mo  {Path(f'/proc/{pid}/cmdline').read_text().replace(chr(0), ' ')[:70]}")
    finally:
        server.terminate()
        server.wait(10)
    return 0


def rss_mb_one(pid: int) -> float:
    try:
        return next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return 0.0


def over_http(dist: Path, runs: int, only: list[str] | None = None, before: Path | None = None) -> int:
    """Each named query over HTTP (keep-alive, the same client), turn by turn: `kg serve`'s /sparql, a bare
    Oxigraph server, and with ``before`` the `kg serve` of another checkout (the code before a change)."""
    import http.client
    import subprocess
    import sys
    import tempfile
    import urllib.parse

    from bench.__main__ import free_port, sparql_text, wait_http
    from kg.store import OxigraphStore

    dist = dist.resolve()
    texts = sparql_text(OxigraphStore(dist / "current" / "store"))
    oxigraph = str(Path(sys.executable).parent / "oxigraph")
    ports = [free_port() for _ in range(3 if before else 2)]
    folder = Path(tempfile.mkdtemp(prefix="kg-bare-"))
    subprocess.run([oxigraph, "load", "--location", str(folder), "--file", str(dist / "current" / "graph.nt")],
                   check=True, capture_output=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    servers = [subprocess.Popen([sys.executable, "-m", "kg.cli", "--dist", str(dist), "serve", "--port", str(ports[0]),
                                 "--threads", "16"], **quiet),
               subprocess.Popen([oxigraph, "serve-read-only", "--location", str(folder), "--bind",
                                 f"127.0.0.1:{ports[1]}"], **quiet)]
    if before:
        servers.append(subprocess.Popen([str(before / ".venv" / "bin" / "python"), "-m", "kg.cli", "--dist", str(dist),
                                         "serve", "--port", str(ports[2]), "--threads", "16"], cwd=before, **quiet))
    try:
        for port, path in zip(ports, ["/", "/query?query=ASK%7B%7D", "/"]):
            wait_http(port, path)
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports]

        def timed(conn, path: str) -> float:
            start = time.perf_counter()
            route, _, form = path.partition("?")
            if len(path) <= GET_MAX:
                conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            else:  # past what Oxigraph's server reads in a request line: every side gets a form in the body
                conn.request("POST", route, body=form, headers={"Accept": "application/sparql-results+json",
                                                                "Content-Type": "application/x-www-form-urlencoded"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path[:40]}… -> {response.status}")
            return (time.perf_counter() - start) * 1000

        print(f"{'question nommée':<19} {'/sparql p50':>11} {'p95':>7} {'Oxigraph nu':>11} {'p95':>7} {'ratio':>6}"
              + (f" {'avant p50':>9} {'ratio':>6}" if before else ""))
        for name in sorted(n for n in texts if not only or n in only):
            query = urllib.parse.urlencode({"query": texts[name]})
            paths = [f"/sparql?{query}", f"/query?{query}", f"/sparql?{query}"]
            times: list[list[float]] = [[] for _ in ports]
            for turn in range(runs + 5):
                for side, conn in enumerate(connections):
                    elapsed = timed(conn, paths[side])
                    if turn >= 5:
                        times[side].append(elapsed)
            p50 = [statistics.median(t) for t in times]
            p95 = [sorted(t)[int(0.95 * (len(t) - 1))] for t in times]
            line = f"{name:<19} {p50[0]:>11.3f} {p95[0]:>7.3f} {p50[1]:>11.3f} {p95[1]:>7.3f} {p50[0] / p50[1]:>6.2f}"
            print(line + (f" {p50[2]:>9.3f} {p50[2] / p50[1]:>6.2f}" if before else ""), flush=True)
    finally:
        _stop(servers, folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
