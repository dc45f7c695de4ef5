"""Named queries across many programmes: the three-programme build plus N renamed copies of the fictional years.

    python -m bench.programmes dist-three 50,200 15    # dist-three: a kg build of data/ + tests/fixtures/programmes
    python -m bench.programmes dist-three 50 15 sans-http   # in-process only

50 copies make 103 programmes (issue 15's ×100), 200 make 403.

Prints, for each size, a table (query, rows, p50 and p95 in ms on the embedded store) and a second one through a
real ``kg serve`` (warm-up off: it would ask the heavy pages in the background while we measure). The copies are renamed programmes (``rtc-2024-c7``) that share the fictional network's entities, as
many yearly programmes of one network would. The served store is read-only, so it remembers answers: each HTTP
request asks something not asked before (another copy's fiche, another entity), as a visitor's first visit would.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from kg.queries import load_queries, run
from kg.store import OxigraphStore

CASES = [("fiche-changes", {"programme": "rtc-2025-c1", "fiche": "1"}),
         ("entity-timeline", {"entity": "Hugo Lanternier"}),
         ("entity-timeline", {"entity": "ANCT"}),
         ("programmes", {})]
# people and organisations of the fictional network (tests/fixtures/programmes), each asked once over HTTP
ENTITIES = ["Hugo Lanternier", "Joël Pradeau", "Niort", "Banque des Territoires", "Sabine Oudot", "Samia Belkacem",
            "Inès Rahmani", "Thibault Garnier-Vidal", "Ville de Poitiers", "Foncières solidaires", "Tiers-lieux",
            "Réseau Territoires & Coopérations", "Centre national de la fonction publique territoriale", "ANCT"]


def store_with_copies(dist: Path, copies: int, path: Path | None = None) -> OxigraphStore:
    """The built graph and ``copies`` renamed copies of the two fictional years (on disk when ``path`` is given)."""
    graph = (dist / "current" / "graph.nt").read_bytes()
    fictional = [line for line in graph.splitlines() if b"/programme/rtc-" in line]
    parts = [graph]
    for c in range(copies):
        rename = {b"/programme/rtc-2024": b"/programme/rtc-2024-c%d" % c, b"/programme/rtc-2025": b"/programme/rtc-2025-c%d" % c,
                  b'"rtc-2024"': b'"rtc-2024-c%d"' % c, b'"rtc-2025"': b'"rtc-2025-c%d"' % c}
        lines = []
        for line in fictional:
            for old, new in rename.items():
                line = line.replace(old, new)
            lines.append(line)
        parts.append(b"\n".join(lines) + b"\n")
    store = OxigraphStore.from_graph([], path)
    store.raw.bulk_load(b"".join(parts), format=ox.RdfFormat.N_TRIPLES)
    if path is not None:
        store.raw.flush()
    return store


def quantiles(times: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank) of a list of durations."""
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * .95))]


def line(name: str, params: str, rows: int | str, times: list[float]) -> str:
    p50, p95 = quantiles(times)
    return f"{name:16} {params:46} {rows:>6} {p50:>8.1f} {p95:>8.1f}"


HEADER = f"{'question':16} {'paramètres':46} {'lignes':>6} {'p50 ms':>8} {'p95 ms':>8}"


def embedded(store: OxigraphStore, repeat: int) -> None:
    queries = load_queries()
    print("Magasin embarqué (en mémoire, sans cache des réponses)")
    print(HEADER)
    for name, params in CASES:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            rows = len(run(queries[name], params, store).rows)
            times.append((time.perf_counter() - start) * 1000)
        print(line(name, str(params), rows, times))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[float, int]:
    """Milliseconds to get ``url``, and its rows (a JSON answer) or 1 (a page)."""
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read()
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, len(json.loads(body)["results"]["bindings"]) if url.split("?")[0].endswith(".json") else 1


def over_http(dist: Path, copies: int, repeat: int) -> None:
    """The same questions through a real `kg serve` on a read-only store written to a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        store_with_copies(dist, copies, Path(folder) / "store").raw.flush()
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "kg.cli", "--dist", str(dist), "serve", "--store",
                                   str(Path(folder) / "store"), "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "KG_WARM_UP": "0"})
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/queries/programmes.json", timeout=60).read()
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                raise SystemExit("kg serve n'a pas démarré : " + server.stderr.read().decode(errors="replace"))
            copies_asked = range(min(repeat, copies))
            asks = [("fiche-changes", "chaque copie, fiche 1",
                     [f"/queries/fiche-changes.json?programme=rtc-2025-c{c}&fiche=1" for c in copies_asked]),
                    ("entity-timeline", f"{min(repeat, len(ENTITIES))} entités du réseau fictif",
                     ["/queries/entity-timeline.json?" + urllib.parse.urlencode({"entity": e})
                      for e in ENTITIES[:repeat]]),
                    ("programmes", "{}", ["/queries/programmes.json"] * repeat),
                    ("page changements", "chaque copie, fiche 1",
                     [f"/programme/rtc-2025-c{c}/fiche/1/changements" for c in copies_asked])]
            print("\nPar HTTP (kg serve, /queries/NOM.json ; chaque question posée une fois, sauf « programmes » : "
                  "la 1re fois sans cache ; « page changements » : la page « Ce qui a changé », HTML)")
            print(HEADER)
            for name, shown, paths in asks:
                times, rows = [], []
                for path in paths:
                    elapsed, count = fetch(base + path)
                    times.append(elapsed)
                    rows.append(count)
                print(line(name, shown, f"{min(rows)}-{max(rows)}" if min(rows) != max(rows) else rows[0], times))
        finally:
            server.terminate()
            server.wait(timeout=30)


def main(dist: str, sizes: str = "50,200", repeat: str = "15", http: str = "http") -> None:
    """Each size (copies of the two fictional years, comma-separated): in-process, then over HTTP."""
    for copies in (int(n) for n in sizes.split(",")):
        store = store_with_copies(Path(dist), copies)
        print(f"\n=== {copies} copies : {len(store.raw)} triplets, {3 + 2 * copies} programmes\n")
        embedded(store, int(repeat))
        del store
        if http != "sans-http":
            over_http(Path(dist), copies, int(repeat))


if __name__ == "__main__":
    main(*sys.argv[1:])
