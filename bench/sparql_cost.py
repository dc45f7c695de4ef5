"""Where the fixed cost of a small query through /sparql goes: each step timed in process, interleaved.

    python -m bench.sparql_cost [--runs 400] [--dist dist]

Prints the median of each step for one small query (the fiches that involve the ANCT: 3 rows), from the bare
engine to the whole Flask route; the difference between two lines is what a step costs.
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
    args = parser.parse_args()

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


if __name__ == "__main__":
    raise SystemExit(main())
