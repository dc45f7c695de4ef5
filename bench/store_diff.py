"""The build's "store" stage two ways on the same two builds, alternately: a bulk load of the new graph.nt, and the
store made by difference from the previous build's (kg/store_update.py). Seconds, medians of the runs.

    python -m bench.store_diff /tmp/rebuild/dist/builds/<avant> /tmp/rebuild/dist/builds/<après> [--runs 3]

(after python -m bench.rebuild: its last two builds are the one-fiche change). The stores are written beside the
new build (same file system: the previous store is copied by hard links) and removed."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
from pathlib import Path

from kg.store_update import make_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("previous", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"chargement complet": [], "par différence": []}
    record = {}
    for _ in range(args.runs):
        for name, diff in (("chargement complet", False), ("par différence", True)):
            target = args.new.parent / f".bench-store-{os.getpid()}"
            shutil.rmtree(target, ignore_errors=True)
            pieces = json.loads((args.new / "manifest.json").read_text(encoding="utf-8"))["pieces"]
            os.environ["KG_STORE_DIFF"] = "1" if diff else "0"
            start = time.perf_counter()
            made = make_store(target, args.new / "graph.nt", pieces, args.previous.resolve())
            times[name].append(time.perf_counter() - start)
            if diff:
                record = made.record
            del made
            shutil.rmtree(target)
            print(f"{name:20} {times[name][-1]:8.2f} s  (charge {os.getloadavg()[0]:.1f})", flush=True)
    print(f"\n{'':20} {'médiane':>8}   runs")
    for name, values in times.items():
        print(f"{name:20} {statistics.median(values):8.2f} s  " + " ".join(f"{v:.2f}" for v in values))
    ratio = statistics.median(times["chargement complet"]) / statistics.median(times["par différence"])
    print(f"rapport : {ratio:.1f}× ; par différence : {record}")


if __name__ == "__main__":
    main()
