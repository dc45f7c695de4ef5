"""SHACL on a graph that arrives programme by programme (kg build): each fiche batch and programme part is validated
in a forked worker as soon as it is full, while the build goes on making and writing the next programmes; the last
parts (the entities, which wait for the totals) are shared between ``FINAL_WORKERS`` workers started by ``finish``,
each checking its parts one after the other while the build writes its dumps.

The parts are those of kg/partition.py (kg/splitter.py's ``Splitter``), so the violations are those of the whole graph. A worker
holds one part's rdflib graph at a time (about ``PART_TRIPLES``). A graph that breaks the partition's layout is
validated whole at the end, from the N-Triples the build wrote."""

from __future__ import annotations

import gc
import multiprocessing as mp
import multiprocessing.connection
import os
from pathlib import Path
from typing import Callable

from rdflib import Graph

from kg.load import Where
from kg.memory import release_free_memory
from kg.partition import PART_TRIPLES, Part, shape_sides
from kg.shacl_cache import PartCache
from kg.splitter import Placed, Splitter
from kg.validate import (SHAPES, Report, _order, _shapes_graph, check_parts, hoist_property_shapes, send_from_child,
                         validate)


def _parts_in_child(conn, box: list, shapes_graph: Graph, sides, provenance: dict, parent: int, gate,
                    cache: PartCache | None) -> None:
    """Validate parts here one after the other, once ``gate`` lets this worker in; send one report (nothing once
    the build is gone)."""
    def checked() -> Report:
        gc.freeze()  # the build's objects: the collector leaves them (and their pages) alone
        while not gate.acquire(timeout=1):  # a worker forked early waits for a free core (and for its build)
            if os.getppid() != parent:
                return Report(True, [])
        try:
            return check_parts(box.pop(), shapes_graph, sides, provenance, parent, cache)
        finally:
            gate.release()
    send_from_child(conn, parent, checked)


#: Workers at the end (2 cores; the build writes its dumps meanwhile). Two against one not yet measured apart.
FINAL_WORKERS = 2
#: Workers at once while the programmes stream in: the build's own process mostly waits for them (at ×1000 it
#: used a third of a core with one worker), and each holds one part (about 0.6 GB at PART_TRIPLES).
STREAM_WORKERS = int(os.environ.get("KG_SHACL_WORKERS", "2"))


class StreamValidation:
    """``add`` each programme's triples, ``finish`` once every part is given, ``result`` for the report."""

    def __init__(self, provenance: dict[str, Where], shapes: Path | Graph = SHAPES, per_part: int = PART_TRIPLES,
                 final_workers: int = FINAL_WORKERS, stream_workers: int = STREAM_WORKERS,
                 cache_folder: Path | None = None):
        self.provenance, self.shapes, self.final_workers = provenance, shapes, final_workers
        self.stream_workers = max(1, stream_workers)
        # the workers validating at once: the last parts' workers are forked as soon as every part is known (the
        # build goes on with its dumps) and wait here while the streaming workers end
        self.gate = mp.get_context("fork").Semaphore(self.stream_workers)
        self.shapes_graph, tasks = hoist_property_shapes(_shapes_graph(shapes))
        self.sides = shape_sides(self.shapes_graph, tasks)
        #: parts conforming in an earlier build are not validated again (kg/shacl_cache.py)
        self.cache = PartCache(cache_folder, self.shapes_graph) if cache_folder is not None else None
        self.checked = self.cached = 0
        self.digests: list[str] = []
        self.splitter = Splitter(self.sides, per_part) if self.sides else None
        self.running: list[tuple] = []
        self.conforms, self.violations = True, []
        self.names: list[str] = []  # the parts, in the order they were started
        self._final: Report | None = None

    @property
    def parts(self) -> int:
        return len(self.names)

    @property
    def whole(self) -> bool:
        """Whether the graph must be validated whole (shapes or nodes the partition cannot place)."""
        return self.splitter is None or self.splitter.broken

    def add(self, triples: list | None, key: str | None = None, placed: Placed | None = None,
            load: Callable[[], list] | None = None) -> Placed | None:
        """One programme's ``triples``, or a reused programme's ``placed`` summary with ``load`` to read its
        triples; ``key``: its key in kg/chunk_cache.py. Returns where the split placed it (what a rebuild keeps),
        None once the graph is to be validated whole."""
        if self.whole:
            return None
        if placed is not None and load is not None:
            parts = self.splitter.add_placed(placed, key, load)
        else:
            parts = self.splitter.add(triples if triples is not None else load(), key)
        for part in parts or ():
            if self._known(part):
                continue
            self._collect(wait=False)
            while len(self.running) >= self.stream_workers:  # a few workers at a time while the build goes on
                self._wait_any()
            self._start([part])
        return None if self.whole else self.splitter.last

    def _known(self, part: Part) -> bool:
        """Drop from ``part`` the fiches and programmes an earlier build found conforming, known by their programme's
        key (neither read nor given to a worker); whether nothing is left."""
        if self.cache is None or part.segments is None or part.fill is None:
            return False  # every triple at hand (a programme made anew): the worker looks, and names its segments
        left = []
        for segment in part.segments:
            if segment.triples is not None:
                left.append(segment)
                continue
            segment.composite = self.cache.composite(segment, part.fiche_shapes)
            content = self.cache.content_of(segment.composite) if segment.composite is not None else None
            if content is None:
                left.append(segment)
            else:
                self.digests += [content, segment.composite]
        if not left:
            self.cached += 1
            self.names.append(part.name)
            return True
        if len(left) < len(part.segments):
            part.segments = left  # the part's triples are its segments' (kg/validate.py)
        return False

    def finish(self, whole_graph: Callable[[], Graph]) -> None:
        """Start the last parts (or, when the layout broke, validate ``whole_graph()`` here)."""
        if self.whole:
            self.cancel()
            self._final = validate(whole_graph(), self.provenance, self.shapes)
            return
        parts = [part for part in self.splitter.finish() if not self._known(part)]
        self._collect(wait=False)
        shares: list[list[Part]] = [[] for _ in range(max(1, min(self.final_workers, len(parts))))]
        sizes = [0] * len(shares)
        for part in sorted(parts, key=_size, reverse=True):  # the largest first, to the least loaded worker
            least = sizes.index(min(sizes))
            shares[least].append(part)
            sizes[least] += _size(part)
        del parts
        for share in shares:
            if share:
                self._start(share)

    def _start(self, parts: list[Part]) -> None:
        context = mp.get_context("fork")
        parent_end, child_end = context.Pipe(duplex=False)
        names = [part.name for part in parts]
        box = [parts]  # emptied once forked: the Process object would otherwise keep the parts alive
        process = context.Process(target=_parts_in_child,
                                  args=(child_end, box, self.shapes_graph, self.sides, self.provenance, os.getpid(), self.gate,
                                        self.cache))
        process.start()
        box.clear()
        parts.clear()  # the caller's list too: each part is freed here once its worker has it
        child_end.close()
        self.running.append((process, parent_end, ", ".join(names)))
        self.names += names

    def _wait_any(self) -> None:
        """Block until one running worker has replied (or died), and take its report in."""
        mp.connection.wait([conn for _, conn, _ in self.running])
        self._collect(wait=False)

    def _collect(self, wait: bool) -> None:
        """Take in the reports already sent; with ``wait``, every report (the first to come first: a worker that
        died is known at once, whatever the others wait for)."""
        while wait and self.running:
            self._wait_any()
        for entry in list(self.running):
            process, conn, name = entry
            if not wait and not conn.poll():
                continue
            try:
                report, error = conn.recv()
            except EOFError:
                report, error = None, "le processus de validation s'est arrêté"
            self._stop(entry)
            if error or report is None:
                raise RuntimeError(f"validation SHACL interrompue ({name}) : {error}")
            self.conforms = self.conforms and report.conforms
            self.violations += report.violations
            self.checked += report.checked
            self.cached += report.cached
            self.digests += report.digests
            release_free_memory()

    def refused(self) -> bool:
        """Whether a part has already broken the shapes (without waiting)."""
        self._collect(wait=False)
        return not self.conforms

    def result(self) -> Report:
        """Wait for the last workers; the report of the whole graph."""
        if self._final is not None:
            return self._final
        self._collect(wait=True)
        return self._report()

    def _report(self) -> Report:
        return Report(self.conforms, sorted(self.violations, key=_order), self.checked, self.cached,
                      self.digests)

    def _stop(self, entry: tuple) -> None:
        process, conn, _ = entry
        if process.is_alive() and not conn.poll():
            process.kill()
        process.join()
        conn.close()
        self.running.remove(entry)

    def cancel(self) -> None:
        """Stop the workers (the build failed elsewhere)."""
        for entry in list(self.running):
            self._stop(entry)


def _size(part: Part) -> int:
    return len(part.triples) if part.triples is not None else PART_TRIPLES  # a part read later: about full


__all__ = ["FINAL_WORKERS", "StreamValidation"]
