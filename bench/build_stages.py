"""CPU and wall seconds of the build's stages other than SHACL, run one after the other in this process.

    python -m bench.build_stages bench/work/x100/data /tmp/stages      # the kg package of this checkout
    python -m bench.build_stages DATA OUT --code OLD_CHECKOUT           # another version's kg (to compare)

The build itself interleaves these stages with its SHACL workers; here each is timed alone (process CPU seconds,
all threads), which a machine shared with other work distorts less than wall time. The parts are all held in
memory: the peak printed is not the build's."""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--code", type=Path, help="a checkout whose kg package is measured instead")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, str(args.code))
    import kg.build as b

    gc.disable()
    out = args.out
    shutil.rmtree(out, ignore_errors=True)
    (out / "telecharger").mkdir(parents=True)
    times: dict[str, tuple[float, float]] = {}
    clock = [time.perf_counter(), time.process_time()]

    def done(name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        times[name] = (round(wall - clock[0], 2), round(cpu - clock[1], 2))
        clock[:] = [time.perf_counter(), time.process_time()]

    dataset = b.load_data(args.data)
    chunks = list(b.triple_chunks(dataset))
    done("yaml+rdf")
    writer = b.GraphWriter(out / "graph.nt")
    for _, triples in chunks:
        writer.add(triples)
    writer.close()
    done("nt")
    del chunks, dataset
    gc.collect()
    clock[:] = [time.perf_counter(), time.process_time()]
    b.write_turtle(out / "graph.nt", out / "graph.ttl")
    b.write_jsonld(out / "graph.nt", out / "telecharger" / "graph.jsonld")
    b.write_trig(out / "graph.nt", out / "telecharger" / "graph.trig")
    extra = {"bundle": b.open_bundle(out / "telecharger")} if hasattr(b, "open_bundle") else {}
    done("dump")
    store = b.OxigraphStore(out / "store", read_only=False)
    store.load_file(out / "graph.nt")
    done("store")
    void_graph = b.describe_dataset(writer.statistics(store.triples()))
    (out / "void.ttl").write_bytes(void_graph.serialize(format="turtle", encoding="utf-8"))
    b.write_downloads(store, out / "telecharger", void_graph, dumps=False, **extra)
    b.SearchIndex.of(store).save(out)
    done("exports")
    print(f"code {b.__file__} ; charge {os.getloadavg()[0]:.1f} ; "
          f"pic {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} Mo RSS")
    print(f"{'étape':10} {'murales s':>10} {'CPU s':>8}")
    for name, (wall, cpu) in times.items():
        print(f"{name:10} {wall:10.2f} {cpu:8.2f}")
    print(f"{'non-SHACL':10} {sum(w for w, _ in times.values()):10.2f} {sum(c for _, c in times.values()):8.2f}")


if __name__ == "__main__":
    main()
