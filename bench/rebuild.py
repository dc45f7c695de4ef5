"""A build, the same build again, and a rebuild after one fiche changed: wall time, stages, SHACL parts, and how
the store was made (loaded whole, or by difference from the previous build). ``cpu``: seconds of processor time of
the build and its workers, a figure a loaded machine changes less than the wall time.

    python -m bench.rebuild bench/work/x100/data /tmp/rebuild      # after python -m bench.scale 100 bench/work/x100/data

The data is copied under OUT first (the change is made in the copy). The change: one quoted item less in one fiche of
the last programme. Each build is a ``kg build`` in its own process."""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from bench.scale import _dump


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _build(data: Path, dist: Path) -> dict:
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run([sys.executable, "-m", "kg.cli", "--data", str(data), "--dist", str(dist), "build"],
                          capture_output=True, text=True)
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu  # the build and its workers (all waited for)
    if done.returncode:
        raise SystemExit(f"kg build a échoué :\n{done.stdout}\n{done.stderr}")
    manifest = json.loads((dist / "current" / "manifest.json").read_text(encoding="utf-8"))
    made = manifest.get("store", {})
    return {"wall": wall, "cpu": cpu, **manifest["timings_s"], **{f"shacl_{k}": v for k, v in manifest.get("shacl_parts", {}).items()},
            **{f"prog_{k}": v for k, v in manifest.get("programme_parts", {}).items()},
            **{f"tables_{k.removeprefix('programmes_')}": v for k, v in manifest.get("tables", {}).items()},
            "store_made": "différence" if made.get("made") == "difference" else "complet" if made else ""}


def change_one_fiche(data: Path, programme: str | None = None) -> Path:
    """Drop one item (a quoted line with no event) from a section of two items or more, in the first fiche of the
    last programme (or of ``programme``) that has one; the file changed. (Dropping a role could leave a person with
    no role anywhere, which the shapes refuse: at ×1000 they did.)"""
    folder = data / "programmes" / programme if programme else sorted((data / "programmes").iterdir())[-1]
    for fiche in sorted((folder / "fiches").glob("*.yaml")):
        doc = yaml.safe_load(fiche.read_text(encoding="utf-8"))
        for section in doc["sections"]:
            plain = [item for item in section["items"] if not item.get("events")]
            if len(section["items"]) > 1 and plain:
                section["items"].remove(plain[-1])
                fiche.write_text(_dump(doc), encoding="utf-8")
                return fiche
    raise SystemExit("aucun élément à retirer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--sans-inchange", action="store_true",
                        help="sans le rebuild où rien n'a changé (à ×1000, il prend du temps sans rien apprendre de plus)")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    data, dist = args.out / "data", args.out / "dist"
    shutil.copytree(args.data, data)
    columns = ["wall", "cpu", "yaml", "rdf", "nt", "split", "shacl_wait", "store", "tables", "dump_wait", "exports",
               "shacl_validated", "shacl_cached", "prog_made", "prog_reused", "prog_read", "tables_queried", "tables_cached",
               "store_made"]
    print(f"{'':42}" + "".join(f"{c:>16}" for c in columns), flush=True)

    def line(name: str, row: dict) -> None:
        print(f"{name:42}" + "".join(f"{row.get(c, ''):>16.1f}" if isinstance(row.get(c), float)
                                     else f"{row.get(c, ''):>16}" for c in columns), flush=True)

    line("build (cache vide)", _build(data, dist))
    if not args.sans_inchange:
        line("rebuild, rien de changé", _build(data, dist))
    changed = change_one_fiche(data)
    line(f"rebuild, une fiche changée ({changed.parent.parent.name})", _build(data, dist))

if __name__ == "__main__":
    main()
