"""YAML -> RDF -> SHACL -> dist/, atomically: a failed build never replaces the last good one."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import shutil
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from kg.dumps import DumpJob, GraphWriter
from kg.export import csv_tables, write_downloads
from kg import table_pieces
from kg import partition
from kg.chunk_cache import PartCache, cache_wanted as programme_cache_wanted
from kg.graph import Chunk, build_triples, graph_of, triple_chunks
from kg.load import Dataset
from kg.memory import release_free_memory
from kg.programmes import load_data
from kg.namespaces import prefixed
from kg.search import SearchIndex
from kg.shacl_cache import cache_wanted
from kg.store_update import make_store
from kg.validate import PARALLEL_FROM, Report, validate, validate_in_parts
from kg.validate_stream import StreamValidation
from kg.void import describe_dataset
from kg.yaml_cache import parsed_yaml_cache

KEEP_BUILDS = 3


class BuildError(Exception):
    """The build stopped; the last good build is still in place."""


@dataclass
class BuildResult:
    path: Path
    triples: int
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)
    #: SHACL parts validated and found in the cache of earlier builds (None: the graph was validated whole)
    shacl_parts: dict[str, int] | None = None
    #: YAML files parsed and taken from the parse an earlier build kept (None: no cache)
    yaml_files: dict[str, int] | None = None
    #: programmes made and taken from an earlier build (None: one programme, or no cache)
    programme_parts: dict[str, int] | None = None
    #: how the store was made: {"made": "bulk", "why": ...} or {"made": "difference", "removed": n, "added": m, ...}
    store: dict | None = None


@contextmanager
def _no_cycle_collector():
    """Millions of long-lived objects and no garbage cycles: the collector would walk them again and again
    (28 % of the RDF stage at ×10), and in a forked SHACL worker its writes would copy every page."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load_and_build(data_dir: Path | str) -> tuple[Dataset, list, dict[str, float]]:
    """The checked records and their triples, with the time each took."""
    start = time.perf_counter()
    dataset = load_data(data_dir)
    loaded = time.perf_counter()
    triples = build_triples(dataset)
    return dataset, triples, {"yaml": loaded - start, "rdf": time.perf_counter() - loaded}


def check(data_dir: Path | str = "data") -> tuple[Dataset, int, Report, dict[str, float]]:
    """Load, build and validate (part after part, as the build does) without writing anything; the number of
    distinct triples checked."""
    with _no_cycle_collector():
        dataset, triples, timings = _load_and_build(data_dir)
        count = len(set(triples))
        start = time.perf_counter()
        report = validate_in_parts(triples, dataset.provenance)
    timings["shacl"] = time.perf_counter() - start
    return dataset, count, report, timings


def class_counts(classes: dict[URIRef, int]) -> dict[str, int]:
    """Instances per class, with prefixed names (``kg:Fiche``)."""
    return dict(sorted((prefixed(str(c)), n) for c, n in classes.items()))


def build(data_dir: Path | str = "data", dist: Path | str = "dist") -> BuildResult:
    """Build into a fresh folder, then swap the ``current`` link to it in one rename.

    SHACL runs in a forked worker, part after part, while the store and the downloads are written; nothing is
    published unless the graph conforms, and the build stops at the first stage after a refusal is known."""
    with _no_cycle_collector():
        return _build(data_dir, dist)


def _build(data_dir: Path | str, dist: Path | str) -> BuildResult:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    dist = Path(dist)
    with parsed_yaml_cache(dist / "cache" / "yaml") as yaml_cache:
        dataset = load_data(data_dir)
    timings["yaml"] = time.perf_counter() - start
    builds = dist / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S-%f")
    work = builds / f".tmp-{stamp}-{os.getpid()}"
    final = builds / stamp
    parts_cache = PartCache(dist / "cache" / "programmes", Path(data_dir)) \
        if dataset.parts and programme_cache_wanted() else None
    chunks = triple_chunks(dataset, parts_cache)
    earlier = _earlier_pieces(dist) if parts_cache is not None else {}
    validation = bundle = dumps = None
    try:
        if not dataset.parts:  # one programme: made whole, and checked at once when small (nothing written if refused)
            start = time.perf_counter()
            name, triples = next(chunks)
            chunks = iter([(name, triples)])
            timings["rdf"] = time.perf_counter() - start
            if len(triples) < PARALLEL_FROM:
                start = time.perf_counter()
                report = validate(graph_of(triples), dataset.provenance)
                timings["shacl"] = time.perf_counter() - start
                if not report.conforms:
                    raise BuildError(report.text())
            del triples
        if "shacl" not in timings:
            cache_folder = dist / "cache" / "shacl" if cache_wanted() else None
            validation = StreamValidation(dataset.provenance, per_part=partition.PART_TRIPLES, cache_folder=cache_folder)
        work.mkdir()
        tables_cache = dist / "cache" / "tables" if table_pieces.cache_wanted() else None
        writer = GraphWriter(work / "graph.nt", table_pieces.PieceNodes() if tables_cache is not None else None)
        timings.setdefault("rdf", 0.0)
        timings["nt"] = 0.0
        programmes = len(dataset.parts) or 1
        refused = False
        while True:
            start = time.perf_counter()
            chunk = next(chunks, None)
            timings["rdf"] += time.perf_counter() - start
            if chunk is None:
                break
            if validation is not None:  # the SHACL parts (kg/partition.py) filled, and started once full
                start = time.perf_counter()
                _split(validation, chunk)
                refused = refused or validation.refused()
                timings["split"] = timings.get("split", 0.0) + time.perf_counter() - start
            start = time.perf_counter()
            if not refused:  # once refused, the programmes are only made for the full report: nothing is written
                _write(writer, chunk, earlier, parts_cache)
            timings["nt"] += time.perf_counter() - start
            if isinstance(chunk, Chunk) and chunk.reused and chunk.name != "commun" and chunk.made.triples is not None:
                parts_cache.read += 1  # a reused programme whose triples had to be read here after all
            del chunk
        writer.close()
        del dataset, chunks  # the records: freed and given back before the shared part's worker is forked
        gc.collect()
        release_free_memory()
        if validation is not None:
            validation.finish(lambda: Graph().parse(str(work / "graph.nt"), format="nt"))
        _stop_if_refused(validation)
        # Turtle, JSON-LD, TriG and the bundle begun: streamed from graph.nt in a forked process, in little memory,
        # while the last parts are validated and the store and tables made
        dumps = DumpJob(work / "graph.nt", work / "telecharger", writer.pieces, _previous_build(dist))
        if validation is not None:
            # the store's bulk loader needs about as much memory as the shared part's rdflib graph: one after the
            # other (×100: 2.4 GB of PSS when both ran at once, 1.8 GB now)
            start = time.perf_counter()
            report = validation.result()
            timings["shacl_wait"] = time.perf_counter() - start
            if not report.conforms:
                raise BuildError(report.text())
        start = time.perf_counter()
        made = make_store(work / "store", work / "graph.nt", writer.pieces, _previous_build(dist))
        store, triples = made.store, made.triples
        timings["store"] = time.perf_counter() - start
        start = time.perf_counter()
        stats = writer.statistics(triples)
        void_graph = describe_dataset(stats)
        (work / "void.ttl").write_bytes(void_graph.serialize(format="turtle", encoding="utf-8"))
        start_tables = time.perf_counter()
        if tables_cache is not None:  # the rows of unchanged programmes from the cache, the others queried
            tables, tables_made = table_pieces.cached_tables(store, writer.pieces, writer.nodes, tables_cache)
        else:
            tables = csv_tables(store)
            tables_made = {"programmes_queried": programmes, "programmes_cached": 0}
        timings["tables"] = time.perf_counter() - start_tables
        start_wait = time.perf_counter()
        dump_parts = dumps.wait()
        dumps = None
        timings["dump_wait"] = time.perf_counter() - start_wait
        bundle = zipfile.ZipFile(work / "telecharger" / "bundle.zip", "a", zipfile.ZIP_DEFLATED, compresslevel=1)
        write_downloads(store, work / "telecharger", void_graph, dumps=False, bundle=bundle, tables=tables)
        SearchIndex.of(store).save(work)  # read by the site: search without scanning the store
        counts = class_counts(stats["classes"])
        store.close()
        del store
        timings["exports"] = time.perf_counter() - start - timings["tables"] - timings["dump_wait"]  # the rest
        manifest = {"built": dt.datetime.now().isoformat(timespec="seconds"), "triples": triples,
                    "programmes": programmes, "classes": counts,
                    "timings_s": {k: round(v, 3) for k, v in timings.items()}}
        manifest["pieces"] = writer.pieces  # where each programme is in graph.nt, and its digest
        manifest["tables"] = tables_made  # the programmes whose table rows were queried, and those from the cache
        manifest["store"] = made.record  # loaded whole, or by difference from the previous build's
        if dump_parts is not None:  # Turtle, JSON-LD and TriG texts of parts: serialised, and copied from the last build
            manifest["dump_parts"] = dump_parts
        if parts_cache is not None:  # the programmes made, and those taken as an earlier build had made them
            manifest["programme_parts"] = {"made": parts_cache.made, "reused": parts_cache.reused,
                                           "read": parts_cache.read}
        if yaml_cache is not None:  # the YAML files parsed, and those whose parse an earlier build had kept
            manifest["yaml_files"] = {"parsed": yaml_cache.misses, "cached": yaml_cache.hits}
        if validation is not None:  # the SHACL parts validated, and those an earlier build had found conforming
            manifest["shacl_parts"] = {"validated": report.checked, "cached": report.cached}
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        _fsync_tree(work)
        os.rename(work, final)
        _swap_link(dist / "current", Path("builds") / stamp)
    except BaseException:
        if validation is not None:
            validation.cancel()
        if bundle is not None:
            bundle.close()
        if dumps is not None:
            dumps.cancel()
        shutil.rmtree(work, ignore_errors=True)
        raise
    _prune(builds, keep=final.name)
    if yaml_cache is not None:
        yaml_cache.prune()
    if parts_cache is not None:
        parts_cache.prune()
    if validation is not None and validation.cache is not None:
        validation.cache.prune(keep=report.digests)  # the parts of this build stay; older ones go
    return BuildResult(final, triples, counts, timings, shacl_parts=manifest.get("shacl_parts"),
                       yaml_files=manifest.get("yaml_files"), programme_parts=manifest.get("programme_parts"),
                       store=made.record)


def _previous_build(dist: Path) -> Path | None:
    """The folder of the last good build (its store is copied, never modified), if any."""
    current = dist / "current"
    return current.resolve() if current.is_dir() else None


def _earlier_pieces(dist: Path) -> dict[str, tuple[Path, dict]]:
    """Part name -> (graph.nt, where the part is in it) in the last good build."""
    current = dist / "current"
    try:
        manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    nt = current.resolve() / "graph.nt"
    return {piece["name"]: (nt, piece) for piece in manifest.get("pieces", ()) if isinstance(piece, dict)}


def _split(validation: StreamValidation, chunk) -> None:
    """Give one part to the SHACL split: a reused programme by where the split placed it in an earlier build (its
    triples are read only if a part holding it must be validated again); a programme made anew keeps where it was
    placed, for the next build."""
    made = chunk.made if isinstance(chunk, Chunk) else None
    if made is None:
        validation.add(chunk[1])
    elif chunk.reused and made.placed is not None:
        validation.add(None, chunk.key, made.placed, made.all_triples)
    else:
        placed = validation.add(chunk.triples, chunk.key, load=made.all_triples)
        if placed is not None and not chunk.reused and (placed.fiches or placed.programmes):
            made.placed = placed.kept()


def _write(writer: GraphWriter, chunk, earlier: dict, parts_cache: PartCache | None) -> None:
    """Write one part to graph.nt: a programme reused from an earlier build is copied from that build's graph.nt
    (the same bytes, checked by digest); a programme made anew is kept for the next build."""
    made = chunk.made if isinstance(chunk, Chunk) else None
    if made is not None and chunk.reused and made.sha256 is not None and made.tally is not None:
        nt, piece = earlier.get(chunk.name, (None, None))
        if piece is not None and piece["sha256"] == made.sha256 and writer.add_written(chunk.name, nt, piece, made.tally):
            return
    writer.add(chunk.all_triples() if made is not None else chunk[1], chunk[0])
    if made is not None and parts_cache is not None:
        made.sha256, made.tally = writer.pieces[-1]["sha256"], writer.last_tally
        parts_cache.put(chunk.key, made)


def _stop_if_refused(validation: StreamValidation | None) -> None:
    """Stop now if a part has already broken the shapes (a large build need not finish its exports), with the
    report of every part."""
    if validation is not None and validation.refused():
        raise BuildError(validation.result().text())


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def _swap_link(link: Path, target: Path) -> None:
    """Point ``link`` at ``target`` atomically (a symlink renamed over the old one)."""
    tmp = link.with_name(f".{link.name}.{os.getpid()}")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)
    directory = os.open(link.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _prune(builds: Path, keep: str) -> None:
    """Keep the newest few builds (a server may still read an older one) and drop failed leftovers."""
    done = sorted(p for p in builds.iterdir() if not p.name.startswith("."))
    for old in done[:-KEEP_BUILDS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in builds.glob(".tmp-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
