"""Where the fixed cost of a small query through /sparql goes: each step timed in process, interleaved.

    python -m bench.sparql_cost [--runs 400] [--dist dist]
    python -m bench.sparql_cost --http [--runs 300]    # kg serve's /sparql against a bare Oxigraph server

Prints the median of each step for one small query (the fiches that involve the ANCT: 3 rows), from the bare
engine to the whole Flask route; the difference between two lines is what a step costs. With --http: every
named query over HTTP, one request to `kg serve` then one to a bare Oxigraph server, turn by turn, so that
both see the same load (the machine is shared) — the ratio of the medians.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

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
    args = parser.parse_args()
    if args.http:
        return over_http(Path(args.dist), args.runs)

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
        "exécuteur, avant (Result picklé + to_json)": lambda: to_json(pool.run(path, QUERY, limit=1000)),
        "exécuteur, maintenant (JSON de l'exécuteur)": lambda: pool.run(path, QUERY, limit=1000, as_json=True),
        "route /sparql entière (client de test Flask)": lambda: client.get(
            "/sparql", query_string={"query": QUERY}, headers={"Accept": "application/sparql-results+json"}).get_data(),
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


def over_http(dist: Path, runs: int) -> int:
    import http.client
    import shutil
    import subprocess
    import sys
    import tempfile
    import urllib.parse

    from bench.__main__ import free_port, sparql_text, wait_http
    from kg.store import OxigraphStore

    texts = sparql_text(OxigraphStore(dist / "current" / "store"))
    oxigraph = str(Path(sys.executable).parent / "oxigraph")
    ours, theirs = free_port(), free_port()
    folder = Path(tempfile.mkdtemp(prefix="kg-bare-"))
    subprocess.run([oxigraph, "load", "--location", str(folder), "--file", str(dist / "current" / "graph.nt")],
                   check=True, capture_output=True)
    servers = [subprocess.Popen([sys.executable, "-m", "kg.cli", "--dist", str(dist), "serve", "--port", str(ours),
                                 "--threads", "16"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
               subprocess.Popen([oxigraph, "serve-read-only", "--location", str(folder), "--bind",
                                 f"127.0.0.1:{theirs}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        wait_http(ours, "/")
        wait_http(theirs, "/query?query=ASK%7B%7D")
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in (ours, theirs)]

        def timed(conn, path: str) -> float:
            start = time.perf_counter()
            conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            conn.getresponse().read()
            return (time.perf_counter() - start) * 1000

        print(f"{'question nommée':<18} {'/sparql p50':>11} {'Oxigraph nu':>11} {'ratio':>6}")
        for name in sorted(texts):
            query = urllib.parse.urlencode({"query": texts[name]})
            paths = [f"/sparql?{query}", f"/query?{query}"]
            times: list[list[float]] = [[], []]
            for turn in range(runs + 5):
                for side in (0, 1):
                    elapsed = timed(connections[side], paths[side])
                    if turn >= 5:
                        times[side].append(elapsed)
            a, b = statistics.median(times[0]), statistics.median(times[1])
            print(f"{name:<18} {a:>11.3f} {b:>11.3f} {a / b:>6.2f}", flush=True)
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
