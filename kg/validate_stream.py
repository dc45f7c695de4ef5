"""SHACL on a graph that arrives programme by programme (kg build): each batch part is validated in a forked
worker as soon as it is full, while the build goes on making and writing the next programmes.

The parts are those of kg/partition.py (``Splitter``), so the violations are those of the whole graph. One worker
at a time: the build holds at most the batch being filled, the shared part, and the batch a worker checks. A graph
that breaks the partition's layout is validated whole at the end, from the N-Triples the build wrote."""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from pathlib import Path
from typing import Callable

from rdflib import Graph

from kg.graph import graph_of
from kg.load import Where
from kg.memory import release_free_memory
from kg.partition import PART_TRIPLES, Part, Splitter, shape_sides
from kg.validate import SHAPES, Report, _order, _report, _run_shapes, _shapes_graph, hoist_property_shapes, send_from_child, validate


def _part_in_child(conn, box: list, shapes_graph: Graph, tasks: list, provenance: dict, parent: int) -> None:
    """Validate one part here and send its report (nothing once the build is gone)."""
    def checked() -> Report:
        gc.freeze()  # the build's objects: the collector leaves them (and their pages) alone
        part = box.pop()
        graph, focus = graph_of(part.triples), part.focus
        del part
        ok, results = _run_shapes(graph, shapes_graph, tasks, parent, focus)
        return _report(graph, ok, results, provenance)
    send_from_child(conn, parent, checked)


class StreamValidation:
    """``add`` each programme's triples, ``finish`` once every part is given, ``result`` for the report."""

    def __init__(self, provenance: dict[str, Where], shapes: Path | Graph = SHAPES, per_part: int = PART_TRIPLES):
        self.provenance, self.shapes = provenance, shapes
        self.shapes_graph, tasks = hoist_property_shapes(_shapes_graph(shapes))
        self.sides = shape_sides(self.shapes_graph, tasks)
        self.splitter = Splitter(self.sides, per_part) if self.sides else None
        self.running: tuple | None = None
        self.conforms, self.violations = True, []
        self.parts = 0
        self._final: Report | None = None

    @property
    def whole(self) -> bool:
        """Whether the graph must be validated whole (shapes or nodes the partition cannot place)."""
        return self.splitter is None or self.splitter.broken

    def add(self, triples: list) -> None:
        if self.whole:
            return
        for part in self.splitter.add(triples) or ():
            self._start(part)

    def finish(self, whole_graph: Callable[[], Graph]) -> None:
        """Start the last parts (or, when the layout broke, validate ``whole_graph()`` here)."""
        if self.whole:
            self.cancel()
            self._final = validate(whole_graph(), self.provenance, self.shapes)
            return
        for part in self.splitter.finish():
            self._start(part)

    def _start(self, part: Part) -> None:
        self._collect(wait=True)  # one worker at a time
        tasks = self.sides.fiche if part.fiche_shapes else self.sides.shared
        context = mp.get_context("fork")
        parent_end, child_end = context.Pipe(duplex=False)
        box = [part]  # emptied once forked: the Process object would otherwise keep the part alive
        process = context.Process(target=_part_in_child,
                                  args=(child_end, box, self.shapes_graph, tasks, self.provenance, os.getpid()))
        process.start()
        box.clear()
        child_end.close()
        self.running = (process, parent_end, part.name)
        self.parts += 1

    def _collect(self, wait: bool) -> None:
        if self.running is None:
            return
        process, conn, name = self.running
        if not wait and not conn.poll():
            return
        try:
            report, error = conn.recv()
        except EOFError:
            report, error = None, "le processus de validation s'est arrêté"
        self.cancel()
        if error or report is None:
            raise RuntimeError(f"validation SHACL interrompue ({name}) : {error}")
        self.conforms = self.conforms and report.conforms
        self.violations += report.violations
        release_free_memory()

    def refused(self) -> bool:
        """Whether a part has already broken the shapes (without waiting)."""
        self._collect(wait=False)
        return not self.conforms

    def result(self) -> Report:
        """Wait for the last worker; the report of the whole graph."""
        if self._final is not None:
            return self._final
        self._collect(wait=True)
        return self._report()

    def _report(self) -> Report:
        return Report(self.conforms, sorted(self.violations, key=_order))

    def cancel(self) -> None:
        """Stop the worker (the build failed elsewhere)."""
        if self.running is not None:
            process, conn, _ = self.running
            if process.is_alive() and not conn.poll():
                process.kill()
            process.join()
            conn.close()
            self.running = None


__all__ = ["StreamValidation"]
