"""Benchmark: build, queries, pages, endpoint throughput, side by side with a bare Oxigraph server.

    python -m bench                      # the real graph and ×10
    python -m bench --scales real,10,100 --runs 20
    python -m bench --quick              # the real graph and ×10, few runs; checks the baseline ratios
    python -m bench --scales real --interop   # plus the same SPARQL on Virtuoso and Comunica (bench/interop.py)
    python -m bench --scales 1000 --reuse-build --runs 5 --sans-oxigraph-nu   # the site on a ×1000 build

Prints one table per scale and writes bench/results/<date>.json. The figures that count are the ratios to a bare
Oxigraph server answering the same SPARQL on the same data; absolute times vary from machine to machine.
"""

from __future__ import annotations

import argparse
import hashlib
import datetime as dt
import http.client
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
BASELINE = ROOT / "bench" / "baseline.json"
QUICK_SCALES = ["real", "10"]
PAGES = {
    "accueil": "/", "fiche": "{fiche}", "entité": "{entity}", "liste": "/liste/organisations",
    "recherche": "/recherche?q={search}", "frise": "/frise", "suggestions": "/suggestions?q={search}",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))], 3)


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": pct(values, 50), "p95": pct(values, 95), "p99": pct(values, 99)}


def rss_mb(pid: int) -> float:
    total = 0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    for p in pids:
        try:
            total += next(int(line.split()[1]) for line in Path(f"/proc/{p}/status").read_text().splitlines()
                          if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return round(total / 1024, 1)


def du_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def wait_http(port: int, path: str, timeout: float = 60) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return time.monotonic() - start
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"le serveur du port {port} n'a pas répondu")


def timed_get(conn: http.client.HTTPConnection, path: str, accept: str = "*/*") -> float:
    start = time.perf_counter()
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    response.read()
    if response.status >= 400:
        raise RuntimeError(f"{path} -> HTTP {response.status}")
    return (time.perf_counter() - start) * 1000


# --- one scale -----------------------------------------------------------------------------------

def prepare(scale: str) -> Path:
    """The data folder of a scale: data/ itself for "real", a generated one for ×N."""
    if scale == "real":
        return ROOT / "data"
    from bench.scale import generate

    folder = WORK / f"x{scale}" / "data"
    stamp = folder / ".generateur"
    version = hashlib.sha256(Path(generate.__code__.co_filename).read_bytes()).hexdigest()[:16]
    if not (folder / "shared.yaml").exists() or not stamp.exists() or stamp.read_text() != version:
        generate(int(scale), folder)  # generated again whenever the generator changed
        stamp.write_text(version)
    return folder


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        children = Path(f"/proc/{current}/task/{current}/children")
        try:
            todo += [int(c) for c in children.read_text().split()]
        except OSError:
            pass
    return found


def tree_pss_mb(pid: int) -> float:
    """Memory of a process and its workers, shared pages counted once (PSS from /proc/*/smaps_rollup)."""
    total = 0
    for p in descendants(pid):
        try:
            total += next(int(line.split()[1]) for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()
                          if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def previous_build(dist: Path) -> dict:
    """The figures of a build kept from an earlier run (its manifest; no peak memory: it was not watched)."""
    manifest = json.loads((dist / "current" / "manifest.json").read_text())
    return {"seconds": round(sum(v for k, v in manifest["timings_s"].items() if k not in ("shacl",)), 2),
            "stages_s": manifest["timings_s"], "triples": manifest["triples"], "peak_mb": None,
            "store_mb": du_mb(dist / "current" / "store"), "reused": True, "assembled": manifest.get("assembled")}


def build(data: Path, dist: Path) -> dict:
    """``kg build`` in a subprocess; peak memory is the largest PSS of its process tree, sampled every 0.1 s (less
    often when a sample takes long)."""
    if dist.exists():
        shutil.rmtree(dist)
    start = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "--data", str(data), "--dist", str(dist), "build"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while process.poll() is None:
        sampled = time.perf_counter()
        peak = max(peak, tree_pss_mb(process.pid))
        # reading PSS walks every page of the tree: on a large build, sample less often than every 0.1 s so that
        # the sampler takes at most a sixth of one core
        time.sleep(max(0.1, 5 * (time.perf_counter() - sampled)))
    elapsed = time.perf_counter() - start
    _, stderr = process.communicate()
    if process.returncode:
        raise SystemExit(stderr)
    manifest = json.loads((dist / "current" / "manifest.json").read_text())
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds of the build and its SHACL workers: on a machine others share, wall time says little alone
    cpu_s = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
    return {"seconds": round(elapsed, 2), "cpu_s": round(cpu_s, 1), "load": os.getloadavg()[0],
            "stages_s": manifest["timings_s"], "triples": manifest["triples"],
            "peak_mb": round(peak, 1), "store_mb": du_mb(dist / "current" / "store")}


def examples(store) -> dict[str, str]:
    """A fiche, an entity and a search text that exist at this scale."""
    row = store.query("""PREFIX kg: <https://ess-kg.example/ontologie#>
        SELECT ?f ?e WHERE { ?f a kg:Fiche ; kg:involves ?e . ?e kg:entityType "organisation" } LIMIT 1""").rows[0]
    base = "https://ess-kg.example"
    return {"fiche": str(row["f"])[len(base):], "entity": str(row["e"])[len(base):], "search": "ile"}


def _some_entity(store, kinds: list[str]) -> str:
    """The first entity (by IRI) of one of these kinds: a stand-in when a query's example is not at this scale."""
    kind = (kinds or ["organisation"])[0]
    return str(store.query("""PREFIX kg: <https://ess-kg.example/ontologie#>
        SELECT ?e WHERE { ?e kg:entityType "%s" } ORDER BY ?e LIMIT 1""" % kind).rows[0]["e"])


def named_query_params(store) -> dict[str, dict[str, str]]:
    from kg.queries import QueryError, load_queries, resolve_entity

    ex = examples(store)
    entity = "https://ess-kg.example" + ex["entity"]
    person = store.query("""PREFIX kg: <https://ess-kg.example/ontologie#>
        SELECT ?p WHERE { ?r kg:agent ?p . ?p kg:entityType "personne" } LIMIT 1""").rows[0]["p"]
    # a second organisation of the same fiche and an axis that exist at this scale (the examples name real ones)
    other = store.query("""PREFIX kg: <https://ess-kg.example/ontologie#>
        SELECT ?e WHERE { ?f kg:involves <%s> , ?e . ?e kg:entityType "organisation" FILTER (?e != <%s>) } LIMIT 1"""
                        % (entity, entity)).rows[0]["e"]
    axis = store.query("""PREFIX kg: <https://ess-kg.example/ontologie#>
        SELECT ?a WHERE { ?a a kg:Axis } LIMIT 1""").rows[0]["a"]
    programme = str(store.query("""PREFIX kg: <https://ess-kg.example/ontologie#>
        SELECT ?id WHERE { ?p a kg:Programme ; kg:identifier ?id } ORDER BY ?id LIMIT 1""").rows[0]["id"])
    out = {}
    for name, query in load_queries().items():
        params = {p.name: p.example for p in query.params if p.example is not None}
        if "entity" in params:
            params["entity"] = entity
        if "other" in params:
            params["other"] = str(other)
        if "axis" in params:
            params["axis"] = str(axis)
        if "person" in params:
            params["person"] = str(person)
        for p in query.params:  # a programme and entities of this scale (the examples name real ones)
            if p.type == "programme" and p.name in params:
                params[p.name] = programme
            elif p.type == "entity" and p.name in params:
                try:
                    resolve_entity(store, str(params[p.name]), p.kinds)
                except QueryError:
                    params[p.name] = _some_entity(store, p.kinds)
        out[name] = params
    return out


def in_process(dist: Path, runs: int) -> dict:
    from kg.queries import bind, load_queries, run
    from kg.store import OxigraphStore
    from web import create_app

    store = OxigraphStore(dist / "current" / "store")
    params = named_query_params(store)
    queries = load_queries()
    out: dict = {"queries": {}, "pages": {}}
    for name, query in queries.items():
        bind(query, params[name], store)  # resolve once (entity lookups), as a warm cache would
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            run(query, params[name], store)
            times.append((time.perf_counter() - start) * 1000)
        out["queries"][name] = summary(times)
    client = create_app({"STORE": store}).test_client()
    ex = examples(store)
    for kind, path in PAGES.items():
        path = path.format(**ex)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(path)
            response.get_data()
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        out["pages"][kind] = summary(times)
    return out


def sparql_text(store) -> dict[str, str]:
    """Each named query with its parameters written in (VALUES), to send the same text to both servers."""
    from kg.queries import bind, load_queries
    from kg.terms import values_block

    params = named_query_params(store)
    # without its comment lines: sent by GET, fiche-changes' 8.3 kB URL passed the bare Oxigraph server's 8 KiB limit on
    # a request's head (« HTTP 400 », no time); the same shorter text goes to every server
    return {name: _without_comment_lines(values_block(q.text, bind(q, params[name], store)))
            for name, q in load_queries().items()}


def _without_comment_lines(text: str) -> str:
    """A query without its whole-line comments (our queries hold no multi-line string a line could start inside)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def sparql_times(port: int, route: str, text: str, runs: int) -> dict:
    """Percentiles of one SPARQL query (after a first, unmeasured run); a refusal (our endpoint's time limit)
    or no answer within 120 s is reported as such, not as a time."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    path = route + ("&" if "?" in route else "?") + urllib.parse.urlencode({"query": text})
    try:
        timed_get(conn, path, "application/sparql-results+json")
        return summary([timed_get(conn, path, "application/sparql-results+json") for _ in range(runs)])
    except RuntimeError as exc:
        return {"p50": None, "refused": str(exc).rsplit(" -> ", 1)[-1]}
    except OSError as exc:
        return {"p50": None, "refused": type(exc).__name__}
    finally:
        conn.close()


def throughput(port: int, path_for, clients: int, seconds: float) -> float:
    done = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.monotonic() < stop:
            try:
                timed_get(conn, path_for(n + i), "application/sparql-results+json")
                n += 1  # answers only: a query refused past the time limit does not count
            except (RuntimeError, OSError):  # refused (time limit) or no answer within the client's 30 s
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        with lock:
            done[0] += n

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return round(done[0] / seconds, 1)


def over_http(dist: Path, runs: int, seconds: float, bare_server: bool = True) -> dict:
    from kg.store import OxigraphStore

    store = OxigraphStore(dist / "current" / "store")
    params = named_query_params(store)
    texts = sparql_text(store)
    ex = examples(store)
    port = free_port()
    start = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "--dist", str(dist), "serve", "--port", str(port),
                               "--threads", "16"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bare_dir = dist / "bare-oxigraph"
    bare = None
    try:
        cold = wait_http(port, "/") + 0 * start
        out: dict = {"cold_start_s": round(cold, 2), "queries": {}, "pages": {}, "sparql": {}, "bare": {}, "ratio": {}}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for name, p in params.items():
            path = f"/queries/{name}.json?" + urllib.parse.urlencode(p)
            first = timed_get(conn, path)  # before the answer is remembered
            out["queries"][name] = {**summary([timed_get(conn, path) for _ in range(runs)]), "first": round(first, 3)}
        for kind, path in PAGES.items():
            path = path.format(**ex)
            first = timed_get(conn, path, "text/html")
            out["pages"][kind] = {**summary([timed_get(conn, path, "text/html") for _ in range(runs)]),
                                  "first": round(first, 3)}
        for name, text in texts.items():
            out["sparql"][name] = sparql_times(port, "/sparql", text, runs)
        if not bare_server:  # --sans-oxigraph-nu: loading a bare server takes minutes on a large graph
            out["throughput"] = {}
            out["serve_rss_mb"] = rss_mb(server.pid)
            out["serve_pss_mb"] = round(tree_pss_mb(server.pid), 1)
            return out
        # the same data in a bare Oxigraph server
        oxigraph = Path(sys.executable).parent / "oxigraph"
        if bare_dir.exists():
            shutil.rmtree(bare_dir)
        subprocess.run([str(oxigraph), "load", "--location", str(bare_dir), "--file", str(dist / "current" / "graph.nt")],
                       check=True, capture_output=True)
        bare_port = free_port()
        bare = subprocess.Popen([str(oxigraph), "serve-read-only", "--location", str(bare_dir), "--bind",
                                 f"127.0.0.1:{bare_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(bare_port, "/query?query=ASK%7B%7D")
        for name, text in texts.items():
            out["bare"][name] = sparql_times(bare_port, "/query", text, runs)
            ours, theirs = out["sparql"][name]["p50"], out["bare"][name]["p50"]
            out["ratio"][name] = None if ours is None or theirs is None else round(ours / max(theirs, 0.01), 2)
        names = sorted(texts)
        ours = lambda n: "/sparql?" + urllib.parse.urlencode({"query": texts[names[n % len(names)]]})  # noqa: E731
        theirs = lambda n: "/query?" + urllib.parse.urlencode({"query": texts[names[n % len(names)]]})  # noqa: E731
        out["throughput"] = {c: {"ours_rps": throughput(port, ours, c, seconds),
                                 "bare_rps": throughput(bare_port, theirs, c, seconds)} for c in (1, 4, 16)}
        out["serve_rss_mb"] = rss_mb(server.pid)
        out["serve_pss_mb"] = round(tree_pss_mb(server.pid), 1)
        return out
    finally:
        server.terminate()
        server.wait(10)
        if bare is not None:
            bare.terminate()
            bare.wait(10)


def _store(dist: Path):
    from kg.store import OxigraphStore

    return OxigraphStore(dist / "current" / "store")


def table(scale: str, report: dict) -> str:
    b, ip, h = report["build"], report["in_process"], report["http"]
    lines = [f"\n== Échelle {scale} : {b['triples']} triplets ==",
             f"build : {b['seconds']} s (" + ", ".join(f"{k} {v} s" for k, v in b["stages_s"].items()) +
             f"), pic mémoire {b['peak_mb']} Mo (PSS, workers compris), magasin {b['store_mb']} Mo sur disque",
             f"kg serve : démarrage à froid {h['cold_start_s']} s, mémoire {h['serve_rss_mb']} Mo RSS ({h.get('serve_pss_mb')} Mo PSS)",
             f"{'question nommée':<18} {'en proc. p50':>12} {'HTTP 1re':>9} {'HTTP p50':>9} {'p95':>7} {'p99':>7} {'/sparql p50':>11} {'Oxigraph nu':>11} {'ratio':>6}"]
    for name in sorted(ip["queries"]):
        q, hq, s, bare = ip["queries"][name], h["queries"][name], h["sparql"][name], h["bare"].get(name, {"p50": "—"})
        ours = s["p50"] if s["p50"] is not None else f"refus {s.get('refused', '')}"
        ratio = h["ratio"].get(name) if h["ratio"].get(name) is not None else "—"
        theirs = bare["p50"] if bare["p50"] is not None else bare.get("refused", "")
        lines.append(f"{name:<18} {q['p50']:>12} {hq.get('first', ''):>9} {hq['p50']:>9} {hq['p95']:>7} {hq['p99']:>7} {ours:>11} {theirs:>11} {ratio:>6}")
    lines.append(f"{'page':<18} {'en proc. p50':>12} {'HTTP 1re':>9} {'HTTP p50':>9} {'p95':>7} {'p99':>7}")
    for kind in PAGES:
        p, hp = ip["pages"][kind], h["pages"][kind]
        lines.append(f"{kind:<18} {p['p50']:>12} {hp.get('first', ''):>9} {hp['p50']:>9} {hp['p95']:>7} {hp['p99']:>7}")
    lines.append("débit /sparql (req/s) : " + " ; ".join(
        f"{c} client(s) : {v['ours_rps']} (Oxigraph nu {v['bare_rps']})" for c, v in h["throughput"].items()))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="real,10")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=3.0, help="durée de chaque mesure de débit")
    parser.add_argument("--quick", action="store_true",
                        help="le graphe réel et ×10, peu de répétitions, contrôle de régression (moins d'une minute)")
    parser.add_argument("--reuse-build", action="store_true",
                        help="garder le build déjà fait de chaque échelle (mesurer le site seul) ; ses chiffres de build sont relus")
    parser.add_argument("--sans-oxigraph-nu", dest="no_bare", action="store_true",
                        help="ne pas comparer à un serveur Oxigraph nu (le charger prend des minutes à ×1000)")
    parser.add_argument("--interop", action="store_true",
                        help="mêmes requêtes sur Virtuoso et Comunica (make test-interop les installe)")
    parser.add_argument("--write-baseline", action="store_true", help="avec --quick : enregistrer ces ratios comme référence")
    args = parser.parse_args()
    scales = QUICK_SCALES if args.quick else args.scales.split(",")
    runs = 5 if args.quick else args.runs
    seconds = 0.5 if args.quick else args.seconds
    report = {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": os.uname().machine,
              "cores": os.cpu_count(), "scales": {}}
    for scale in scales:
        dist = WORK / f"dist-{scale}"
        reuse = args.reuse_build and (dist / "current" / "manifest.json").exists()
        entry = {"build": previous_build(dist) if reuse else build(prepare(scale), dist)}
        entry["in_process"] = in_process(dist, runs)
        entry["http"] = over_http(dist, runs, seconds, bare_server=not args.no_bare)
        report["scales"][scale] = entry
        print(table(scale, entry), flush=True)
        if args.interop:
            from bench.interop import interop_table, interop_times

            entry["interop"] = interop_times(dist, sparql_text(_store(dist)), runs, sparql_times)
            print("\n".join(interop_table(entry["interop"])), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{dt.datetime.now():%Y%m%dT%H%M%S}{'-quick' if args.quick else ''}.json"
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\nRésultats : {out.relative_to(ROOT)}")
    if args.quick and args.write_baseline:
        write_baseline(report)
    if args.quick:
        return check_baseline(report)
    return 0


def write_baseline(report: dict) -> None:
    baseline = {"note": "Ratios p50 /sparql de kg serve ÷ Oxigraph server nu, mêmes requêtes, par échelle "
                        "(python -m bench --quick --write-baseline). La vérification échoue si un ratio dépasse "
                        "tolerance × la référence.",
                "measured": report["date"], "tolerance": 4.0,
                "ratio": {scale: entry["http"]["ratio"] for scale, entry in report["scales"].items()}}
    BASELINE.write_text(json.dumps(baseline, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def check_baseline(report: dict) -> int:
    """Fail only on a large regression of the ratios to the bare Oxigraph server (not on absolute times)."""
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    worst = []
    for scale, entry in report["scales"].items():
        for name, ratio in entry["http"]["ratio"].items():
            allowed = baseline["ratio"].get(scale, {}).get(name)
            if allowed is not None and (ratio is None or ratio > allowed * baseline["tolerance"]):
                worst.append(f"×{scale} {name} : ratio {ratio} > {allowed} × {baseline['tolerance']}")
    if worst:
        print("Régression de performance :\n  " + "\n  ".join(worst))
        return 1
    print(f"Pas de régression : chaque ratio /sparql ÷ Oxigraph nu reste sous {baseline['tolerance']} × la référence.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
