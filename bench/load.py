"""Load test of the site on its production server (127.0.0.1 only, bounded in requests and time).

    python -m bench.load [--clients 8] [--seconds 20] [--max-requests 4000] [--dist dist]

Starts `kg serve` on a free port of 127.0.0.1, sends a mix of pages, canned questions, /sparql queries and a
few expensive queries that must hit the time limit, and prints throughput, p50/p99 latency per kind, errors
(every answer other than 2xx, except the intended time-limit 503s) and the server's memory before and after.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MIX = [
    ("page", "/", 10), ("page", "/programme/rtes-2024/fiche/7", 10), ("page", "/organisation/anct", 10),
    ("page", "/liste/organisations", 4), ("page", "/frise", 3), ("page", "/recherche?q=ile+de+france", 5),
    ("page", "/suggestions?q=feder", 8), ("rdf", "/organisation/anct.ttl", 4), ("rdf", "/concept/scic.jsonld", 3),
    ("canned", "/queries/fiches-by-entity.json?entity=ANCT", 8), ("canned", "/queries/referents.json?fiche=7", 6),
    ("canned", "/queries/events.json?from=2024-06&to=2024-06", 6), ("canned", "/queries/top-referents.json", 4),
    ("sparql", "/sparql?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), 6),
    ("sparql", "/sparql?query=" + urllib.parse.quote(
        "PREFIX kg: <https://ess-kg.example/ontologie#> SELECT ?f WHERE { ?f kg:involves ?e } LIMIT 100"), 6),
    ("expensive", "/sparql?query=" + urllib.parse.quote(SLOW), 1),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the query workers), in MB."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(c) for c in children]
    except FileNotFoundError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def run(dist: Path, clients: int, seconds: float, max_requests: int, timeout: float, seed: int = 7) -> dict:
    port = free_port()
    env = dict(os.environ, KG_QUERY_TIMEOUT=str(timeout))
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "--dist", str(dist), "serve", "--port", str(port),
                               "--threads", str(max(4, clients))], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("kg serve n'a pas démarré")
                time.sleep(0.1)
        # warm the query workers once, so "before" counts them
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", MIX[13][1])
        conn.getresponse().read()
        conn.close()
        rss_before = tree_rss_mb(server.pid)
        weights = [w for _, _, w in MIX]
        results: list[tuple[str, int, float]] = []
        lock = threading.Lock()
        budget = [max_requests]
        stop_at = time.monotonic() + seconds

        def client(n: int) -> None:
            rnd = random.Random(seed + n)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout + 20)
            while time.monotonic() < stop_at:
                with lock:
                    if budget[0] <= 0:
                        break
                    budget[0] -= 1
                kind, path, _ = rnd.choices(MIX, weights)[0]
                start = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Accept": "application/sparql-results+json" if kind in (
                        "sparql", "expensive") else "text/html"})
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    status = 0
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout + 20)
                with lock:
                    results.append((kind, status, (time.perf_counter() - start) * 1000))
            conn.close()

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        rss_after = tree_rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    kinds = {}
    for kind in sorted({k for k, _, _ in results}):
        times = [ms for k, s, ms in results if k == kind]
        kinds[kind] = {"requests": len(times), "p50_ms": round(percentile(times, 50), 2),
                       "p99_ms": round(percentile(times, 99), 2)}
    errors = [(k, s) for k, s, _ in results if not (200 <= s < 300) and not (k == "expensive" and s == 503)]
    timeouts = sum(1 for k, s, _ in results if k == "expensive" and s == 503)
    return {"clients": clients, "seconds": round(elapsed, 2), "requests": len(results),
            "throughput_rps": round(len(results) / elapsed, 1), "errors": len(errors),
            "error_examples": errors[:5], "time_limit_answers": timeouts,
            "rss_before_mb": round(rss_before, 1), "rss_after_mb": round(rss_after, 1), "kinds": kinds}


def print_table(report: dict) -> None:
    print(f"Charge : {report['clients']} clients, {report['requests']} requêtes en {report['seconds']} s "
          f"→ {report['throughput_rps']} req/s")
    print(f"Erreurs : {report['errors']} (hors {report['time_limit_answers']} réponses 503 voulues de la limite de temps)")
    print(f"Mémoire du serveur (avec ses exécuteurs) : {report['rss_before_mb']} Mo avant, {report['rss_after_mb']} Mo après")
    print(f"{'sorte':<10} {'requêtes':>9} {'p50 (ms)':>9} {'p99 (ms)':>9}")
    for kind, row in report["kinds"].items():
        print(f"{kind:<10} {row['requests']:>9} {row['p50_ms']:>9} {row['p99_ms']:>9}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", default="dist")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-requests", type=int, default=4000)
    parser.add_argument("--timeout", type=float, default=2.0, help="limite de temps des requêtes /sparql")
    parser.add_argument("--json", help="écrire aussi le rapport en JSON")
    args = parser.parse_args()
    if not (Path(args.dist) / "current").exists():
        raise SystemExit(f"aucun build dans {args.dist} : lancez « kg build »")
    report = run(Path(args.dist), args.clients, args.seconds, args.max_requests, args.timeout)
    print_table(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
