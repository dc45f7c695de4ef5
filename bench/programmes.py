"""Named queries across many programmes: the three-programme build plus N renamed copies of the fictional years.

    python -m bench.programmes dist-three 200     # dist-three: a kg build of data/ + tests/fixtures/programmes

Prints a table (query, rows, p50 and p90 in ms on the embedded store). The copies are renamed programmes
(``rtc-2024-c7``) that share the fictional network's entities, as many yearly programmes of one network would.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from kg.queries import load_queries, run
from kg.store import OxigraphStore

CASES = [("fiche-changes", {"programme": "rtc-2025-c1", "fiche": "1"}),
         ("entity-timeline", {"entity": "Hugo Lanternier"}),
         ("entity-timeline", {"entity": "ANCT"}),
         ("programmes", {})]


def store_with_copies(dist: Path, copies: int) -> OxigraphStore:
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
    store = OxigraphStore.from_graph([])
    store.raw.bulk_load(b"".join(parts), format=ox.RdfFormat.N_TRIPLES)
    return store


def main(dist: str, copies: str = "200", repeat: str = "9") -> None:
    store = store_with_copies(Path(dist), int(copies))
    queries = load_queries()
    print(f"{len(store.raw)} triplets, {3 + 2 * int(copies)} programmes\n")
    print(f"{'question':16} {'paramètres':46} {'lignes':>6} {'p50 ms':>8} {'p90 ms':>8}")
    for name, params in CASES:
        times = []
        for _ in range(int(repeat)):
            start = time.perf_counter()
            rows = len(run(queries[name], params, store).rows)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(f"{name:16} {str(params):46} {rows:>6} {statistics.median(times):>8.1f} {times[int(len(times) * .9)]:>8.1f}")


if __name__ == "__main__":
    main(*sys.argv[1:])
