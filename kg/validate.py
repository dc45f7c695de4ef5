"""pySHACL over the graph -> a small report whose violations name the YAML file, record and line."""

from __future__ import annotations

from dataclasses import dataclass
import multiprocessing as mp
import os
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from kg.load import Where
from kg.namespaces import PREFIXES

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
        path = f" ({_prefixed(self.path)})" if self.path else ""
        value = f" — valeur : {self.value}" if self.value else ""
        return f"{place}{self.message}{path}{value} [{self.component}] <{self.focus}>"


@dataclass
class Report:
    conforms: bool
    violations: list[Violation]

    def text(self) -> str:
        """A French, human-readable report."""
        if self.conforms:
            return "Le graphe est conforme aux formes SHACL."
        lines = [f"{len(self.violations)} violation(s) des formes SHACL :"]
        lines += [f"- {v}" for v in self.violations]
        return "\n".join(lines)


def _prefixed(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)):
            return f"{prefix}:{iri[len(str(ns)):]}"
    return iri


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


def _run(graph: Graph, shapes_graph: Graph, use_shapes: list | None) -> tuple[bool, Graph]:
    # inplace: no copy of the data graph (it has no inference to receive and no SHACL rules run)
    conforms, results, _ = shacl_validate(graph, shacl_graph=shapes_graph, inference="none", advanced=True,
                                          allow_warnings=True, inplace=True, use_shapes=use_shapes)
    return bool(conforms), results


def _run_in_child(conn, graph, shapes_graph, use_shapes) -> None:
    conforms, results = _run(graph, shapes_graph, use_shapes)
    conn.send((conforms, results.serialize(format="nt")))
    conn.close()


def validate(graph: Graph, provenance: dict[str, Where] | None = None, shapes: Path | Graph = SHAPES,
             workers: int = 2) -> Report:
    """Check ``graph`` against the shapes; violations point back to the YAML when known.

    On a large graph the shapes are shared out between ``workers`` forked processes (pySHACL is single-threaded)."""
    shapes_graph = shapes if isinstance(shapes, Graph) else Graph().parse(shapes)
    node_shapes = sorted(shapes_graph.subjects(RDF.type, SH.NodeShape))
    if workers < 2 or len(graph) < PARALLEL_FROM or len(node_shapes) < 2 or not hasattr(os, "fork"):
        conforms, results = _run(graph, shapes_graph, None)
    else:
        context = mp.get_context("fork")
        groups = [node_shapes[i::workers] for i in range(workers)]
        children = []
        for group in groups[1:]:
            parent_end, child_end = context.Pipe(duplex=False)
            process = context.Process(target=_run_in_child, args=(child_end, graph, shapes_graph, group))
            process.start()
            child_end.close()
            children.append((process, parent_end))
        conforms, results = _run(graph, shapes_graph, groups[0])
        for process, conn in children:
            child_conforms, child_results = conn.recv()
            process.join()
            conforms = conforms and child_conforms
            results.parse(data=child_results, format="nt")
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
    violations.sort(key=lambda v: (v.where.file if v.where else "~", v.where.line if v.where else 0, v.message))
    return Report(bool(conforms), violations)
