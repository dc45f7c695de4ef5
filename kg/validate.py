"""pySHACL over the graph -> a small report whose violations name the YAML file, record and line.

``validate`` checks an rdflib graph at once; ``validate_in_parts`` checks a list of triples part after part
(kg/partition.py), one part's rdflib graph at a time (``kg validate``); ``start_validation`` does that in a forked
worker while the build writes its files."""

from __future__ import annotations

from dataclasses import dataclass, field
import gc
import multiprocessing as mp
import os
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from kg.graph import graph_of
from kg.load import Where
from kg.memory import release_free_memory
from kg.namespaces import prefixed
from kg.partition import PART_TRIPLES, Part, Sides, shape_sides
from kg.splitter import split
from kg.shacl_cache import PartCache

SHAPES = Path(__file__).resolve().parent.parent / "ontology" / "shapes.ttl"


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    component: str
    message: str
    value: str | None
    where: Where | None

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        path = f" ({prefixed(self.path)})" if self.path else ""
        value = f" — valeur : {self.value}" if self.value else ""
        return f"{place}{self.message}{path}{value} [{self.component}] <{self.focus}>"


@dataclass
class Report:
    conforms: bool
    violations: list[Violation]
    #: parts validated, and parts found conforming by an earlier build (kg/shacl_cache.py)
    checked: int = 0
    cached: int = 0
    #: the cache's names of the parts of this graph (what a build keeps in the cache)
    digests: list[str] = field(default_factory=list)

    def text(self) -> str:
        """A French, human-readable report."""
        if self.conforms:
            return "Le graphe est conforme aux formes SHACL."
        lines = [f"{len(self.violations)} violation(s) des formes SHACL :"]
        lines += [f"- {v}" for v in self.violations]
        return "\n".join(lines)


def _where(focus: str, provenance: dict[str, Where]) -> Where | None:
    """The YAML place of a node, or of its nearest parent (a mention's item, a role's fiche)."""
    iri = focus
    while iri:
        if iri in provenance:
            return provenance[iri]
        iri = iri.rsplit("/", 1)[0] if "/" in iri.split("://", 1)[-1] else ""
    return None


def _short(graph: Graph, node) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:  # noqa: BLE001 - a path that has no prefix stays whole
            return str(node)
    return str(node)


PARALLEL_FROM = 50_000  # triples; below this, one process is faster than forking
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def hoist_property_shapes(shapes: Graph) -> tuple[Graph, list[list[URIRef]]]:
    """The same shapes, each property shape of a targeted node shape carrying the targets itself; and the
    shapes grouped by the node shape they came from (one validation task per group).

    pySHACL checks a node shape's property shapes one focus node at a time, building the constraint objects
    again for every node; a property shape with its own targets is checked once over all of them. The
    violations are the same (a ``sh:property`` reports its property shape's results as they are): the whole
    validation is about three times faster. Hoisted shapes get an IRI (``…Shape/propriete-N``) because
    pySHACL's ``use_shapes`` only names shapes by IRI."""
    hoisted = Graph()
    for prefix, ns in shapes.namespace_manager.namespaces():
        hoisted.bind(prefix, ns, override=True)
    hoisted += shapes
    groups = []
    for node_shape in sorted(hoisted.subjects(RDF.type, SH.NodeShape)):
        targets = [(p, o) for p in TARGETS for o in hoisted.objects(node_shape, p)]
        if not targets or not isinstance(node_shape, URIRef):
            continue
        group = [node_shape]
        for number, blank in enumerate(sorted(hoisted.objects(node_shape, SH.property)), start=1):
            named = URIRef(f"{node_shape}/propriete-{number}")
            hoisted.remove((node_shape, SH.property, blank))
            for p, o in list(hoisted.predicate_objects(blank)):
                hoisted.remove((blank, p, o))
                hoisted.add((named, p, o))
            hoisted.add((named, RDF.type, SH.PropertyShape))
            for p, o in targets:
                hoisted.add((named, p, o))
            group.append(named)
        groups.append(group)
    return hoisted, groups


def _run(graph: Graph, shapes_graph: Graph, use_shapes: list[URIRef] | None,
         focus: list | None = None) -> tuple[bool, Graph]:
    # inplace: no copy of the data graph (it has no inference to receive and no SHACL rules run)
    conforms, results, _ = shacl_validate(graph, shacl_graph=shapes_graph, inference="none", advanced=True,
                                          allow_warnings=True, inplace=True, use_shapes=use_shapes, focus_nodes=focus)
    return bool(conforms), results


def _run_shapes(graph: Graph, shapes_graph: Graph, tasks: list, parent: int | None = None,
                focus: frozenset | None = None) -> tuple[bool, Graph]:
    """Validate shape after shape (in a worker, only while the build that started it is there: a killed build
    leaves no validation running for nothing). ``focus``: check only these nodes (those of the task's classes)."""
    conforms, results = True, Graph()
    for task in tasks:
        if parent is not None and os.getppid() != parent:
            break
        nodes = None
        if focus is not None:
            # pySHACL checks each given node against every shape given: only the task's targets are given
            nodes = sorted({n for c in shapes_graph.objects(task[0], SH.targetClass)
                            for n in graph.subjects(RDF.type, c) if n in focus})
            if not nodes:
                continue  # an empty list would mean every target
        ok, found = _run(graph, shapes_graph, task, nodes)
        conforms = conforms and ok
        results += found
    return conforms, results


def _shapes_graph(shapes: Path | Graph) -> Graph:
    return shapes if isinstance(shapes, Graph) else Graph().parse(shapes)


def validate(graph: Graph, provenance: dict[str, Where] | None = None, shapes: Path | Graph = SHAPES) -> Report:
    """Check ``graph`` against the shapes; violations point back to the YAML when known."""
    shapes_graph, _ = hoist_property_shapes(_shapes_graph(shapes))
    conforms, results = _run(graph, shapes_graph, None)
    return _report(graph, conforms, results, provenance or {})


def _stop(children: list) -> None:
    for process, conn in children:
        if process.is_alive():
            process.kill()
        process.join()
        conn.close()


def validate_in_parts(triples: list, provenance: dict[str, Where] | None = None, shapes: Path | Graph = SHAPES,
                      per_part: int = PART_TRIPLES, parent: int | None = None) -> Report:
    """Check ``triples`` part after part (kg/partition.py): one part's rdflib graph at a time, made then dropped.

    Same violations as the whole graph. The list is emptied once split, so that each part's triples are freed
    after its turn. ``parent``: stop once that process is gone."""
    shapes_graph, tasks = hoist_property_shapes(_shapes_graph(shapes))
    sides = shape_sides(shapes_graph, tasks)
    parts = split(triples, sides, per_part) if sides else None
    if parts is None:
        parts = [Part("graphe entier", triples[:], fiche_shapes=False)]
        sides = Sides([], tasks, frozenset(), frozenset(), frozenset())
    triples.clear()  # the caller's list too: otherwise it would keep every part alive to the end
    gc.freeze()  # what exists now lives to the end: the collector below walks only each part's own objects
    try:
        return check_parts(parts, shapes_graph, sides, provenance or {}, parent)
    finally:
        gc.unfreeze()


def check_parts(parts: list[Part], shapes_graph: Graph, sides: Sides, provenance: dict[str, Where],
                parent: int | None = None, cache: PartCache | None = None) -> Report:
    """Validate ``parts`` one after the other (the list is emptied: each part is freed after its turn), each rdflib
    graph made then dropped; with ``cache``, a part found conforming by an earlier build is not validated again.
    ``parent``: stop once that process is gone."""
    conforms, violations, checked, cached, digests = True, [], 0, 0, []
    while parts and (parent is None or os.getppid() == parent):
        part = parts.pop(0)
        triples, focus, todo = _still_to_check(part, cache, digests)
        if not todo:
            cached += 1
            continue
        graph, fiche_shapes = graph_of(triples), part.fiche_shapes
        del part, triples
        ok, results = _run_shapes(graph, shapes_graph, sides.fiche if fiche_shapes else sides.shared, parent, focus)
        checked += 1
        conforms = conforms and ok
        found = _report(graph, ok, results, provenance).violations
        violations += found
        if cache is not None and ok and not found and (parent is None or os.getppid() == parent):
            for digest, composite in todo:
                cache.remember(digest)
                if composite is not None:
                    cache.remember(composite, digest)
        del graph, results
        gc.collect()  # an rdflib graph holds reference cycles: without this, every part would stay in memory
        release_free_memory()
    violations.sort(key=_order)
    return Report(conforms, violations, checked, cached, digests)


def _still_to_check(part: Part, cache: PartCache | None, digests: list) -> tuple[list, frozenset | None, list]:
    """The triples and focus nodes of what ``part`` holds that no earlier build found conforming, and the names to
    remember it by if it conforms: [(digest, composite)]. A fiche batch, programme part or entity batch is looked
    at segment by segment (fiches, programmes, groups of nodes; read here when their programmes were reused); ``digests``
    gets the names of everything the part holds."""
    if part.segments is None:
        digest = cache.digest(part.triples, part.fiche_shapes, part.focus) if cache is not None else None
        if digest is not None:
            digests.append(digest)
            if cache.known(digest):
                return [], None, []
        return part.triples, part.focus, [(digest, None)]
    if part.fill is not None:
        part.fill()
    triples, context, focus, todo = [], [], set(), []
    for segment in part.segments:
        digest = cache.digest(segment.triples + segment.context, part.fiche_shapes, segment.focus) \
            if cache is not None else None
        if digest is not None and segment.composite is None:
            segment.composite = cache.composite(segment, part.fiche_shapes)
        if digest is not None:
            digests.append(digest)
            if segment.composite is not None:
                digests.append(segment.composite)
            if cache.known(digest):
                if segment.composite is not None:
                    cache.remember(segment.composite, digest)
                continue
        todo.append((digest, segment.composite))
        triples += segment.triples
        context += segment.context
        focus.update(segment.focus or ())
    return triples + context, frozenset(focus) if part.focus is not None else None, todo


def send_from_child(conn, parent: int, make_report) -> None:
    """In a forked worker: send ``make_report()`` to the build (nothing once it is gone), or the error it raised."""
    try:
        report = make_report()
        if os.getppid() == parent:
            conn.send((report, None))
    except BaseException as exc:  # noqa: BLE001 - the parent reports it
        conn.send((None, f"{type(exc).__name__}: {exc}"))
    conn.close()


def _validate_in_child(conn, box: list, provenance, shapes, parent: int) -> None:
    """Check the triples part after part here, send the report (or stop once the build is gone)."""
    send_from_child(conn, parent, lambda: validate_in_parts(box.pop(), provenance, shapes, parent=parent))


class PendingValidation:
    """A validation running in a forked worker while the build writes its files.

    The worker makes its own rdflib graph from the triples: the build itself never holds one (on a large graph
    that is most of its memory and a third of its time). A small graph is checked at once, in this process."""

    def __init__(self, triples: list, provenance: dict[str, Where] | None, shapes: Path | Graph):
        self.report: Report | None = None
        self.children: list = []
        if len(triples) < PARALLEL_FROM or not hasattr(os, "fork"):
            self.report = validate(graph_of(triples), provenance, shapes)
            return
        context = mp.get_context("fork")
        parent_end, child_end = context.Pipe(duplex=False)
        box = [triples]  # emptied here once forked: the Process object would otherwise keep them alive
        process = context.Process(target=_validate_in_child, args=(child_end, box, provenance or {}, shapes, os.getpid()))
        process.start()
        box.clear()
        child_end.close()
        self.children = [(process, parent_end)]

    def cancel(self) -> None:
        """Stop the worker (the build failed elsewhere)."""
        _stop(self.children)
        self.children = []

    def ready(self) -> Report | None:
        """The report if the validation has finished (without waiting), else None."""
        if self.report is None and self.children and self.children[0][1].poll():
            return self.result()
        return self.report

    def result(self) -> Report:
        """Wait for the worker; the report of the whole graph."""
        if self.report is None:
            process, conn = self.children[0]
            try:
                report, error = conn.recv()
            except EOFError:
                report, error = None, "le processus de validation s'est arrêté"
            self.cancel()
            if error or report is None:
                raise RuntimeError(f"validation SHACL interrompue : {error}")
            self.report = report
        return self.report


def start_validation(triples: list, provenance: dict[str, Where] | None = None,
                     shapes: Path | Graph = SHAPES) -> PendingValidation:
    """Validate ``triples`` in the background (the build writes its files meanwhile)."""
    return PendingValidation(triples, provenance, shapes)


def _report(graph: Graph, conforms: bool, results: Graph, provenance: dict[str, Where]) -> Report:
    violations = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        messages = [str(m) for m in results.objects(result, SH.resultMessage)]
        fr = [m for m in messages] or ["violation"]
        component = results.value(result, SH.sourceConstraintComponent)
        violations.append(Violation(
            focus=str(focus), path=str(path) if isinstance(path, URIRef) else None,
            component=str(component).rsplit("#", 1)[-1] if component else "",
            message=fr[0], value=_short(graph, results.value(result, SH.value)),
            where=_where(str(focus), provenance or {})))
    violations.sort(key=_order)
    return Report(bool(conforms), violations)


def _order(violation: Violation) -> tuple:
    where = violation.where
    return (where.file if where else "~", where.line if where else 0, violation.message)
