"""A store N times the size of a built one, for measuring the site beyond what ``kg build`` can hold in memory.

    python -m bench.replicate bench/work/dist-100 10 bench/work/dist-1000

Each copy of the built graph becomes another programme (``programme/synthese`` → ``programme/synthese-c3``) with
its own entities (``organisation/org-12`` → ``organisation/org-12-c3``): fiche numbers are scoped by their
programme, as the model wants. Labels are kept, so a search finds N times as many names. The copies are written
as N-Triples, loaded by Oxigraph's bulk loader, and given the manifest and search index a build would write.
This measures the site and the store at that size; it says nothing of the build, which it does not run.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ENTITY = re.compile(rb"(<https://ess-kg\.example/(?:organisation|personne|loi|concept|territoire|publication|evenement)"
                    rb"/[^/>]+)>")
PROGRAMME = b"<https://ess-kg.example/programme/synthese"


def replicate(source: Path, copies: int, target: Path) -> dict:
    """Write ``target/current`` as a build of ``copies`` renamed copies of ``source/current``."""
    from kg.build import _swap_link
    from kg.search import SearchIndex
    from kg.store import OxigraphStore

    started = time.perf_counter()
    original = (source / "current" / "graph.nt").read_bytes()
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S-%f")
    folder = target / "builds" / stamp
    if target.exists():
        shutil.rmtree(target)
    folder.mkdir(parents=True)
    with open(folder / "graph.nt", "wb") as out:
        for copy in range(copies):
            suffix = f"-c{copy}".encode()
            renamed = original.replace(PROGRAMME + b"/", PROGRAMME + suffix + b"/").replace(PROGRAMME + b">",
                                                                                            PROGRAMME + suffix + b">")
            out.write(ENTITY.sub(lambda m: m.group(1) + suffix + b">", renamed))
    written = time.perf_counter() - started
    store = ox.Store(str(folder / "store"))
    store.bulk_load(path=str(folder / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    triples = len(store)
    del store
    loaded = time.perf_counter() - started - written
    SearchIndex.of(OxigraphStore(folder / "store")).save(folder)
    manifest = json.loads((source / "current" / "manifest.json").read_text())
    manifest.update(built=dt.datetime.now().isoformat(timespec="seconds"), triples=triples,
                    assembled=f"{copies} copies renommées de {source}/current (bench/replicate.py), pas de kg build",
                    timings_s={"copies": round(written, 1), "bulk_load": round(loaded, 1),
                               "index": round(time.perf_counter() - started - written - loaded, 1)})
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    _swap_link(target / "current", Path("builds") / stamp)
    return {"triples": triples, **manifest["timings_s"]}


if __name__ == "__main__":
    print(replicate(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))
