"""The graph in parts for SHACL: fiches in batches, then what they share, so that a validation worker never
holds the whole graph as rdflib objects (about 1 KB a triple): memory stays bounded however many fiches.

Why the parts give the same violations as the whole graph (``tests/test_partition.py`` checks it on every
fixture, and that each shape sees the same focus nodes):

- A fiche's nodes are its IRI and every IRI under it (roles, sections, items, mentions, involvements). They point
  to nodes of the same fiche or to shared nodes. A batch part holds all the triples of its fiches' nodes and the
  ``rdf:type`` of every shared node they point to: all that the shapes of fiche classes read.
- Shared nodes (programme, axes, entities, events) are checked in the shared part. It holds all their triples,
  plus the fiches and their roles: the programme-wide SPARQL checks read fiches and roles, the person check reads
  who is the agent of a role, the event check reads the class of its fiches.
- A node that broke this layout (a fiche node pointing into another fiche) would miss a class in its part: it is
  reported as a violation, stricter than the whole graph, never looser. Shapes the split cannot place (a target
  other than a class, a shape over both kinds of class) make the worker validate the whole graph instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from kg.namespaces import BASE, KG

#: Classes whose instances live under a fiche's IRI; their shapes run in the batch parts.
FICHE_CLASSES = frozenset({KG.Fiche, KG.Role, KG.Section, KG.TextItem, KG.Mention, KG.Involvement})
FICHE_NODE = re.compile(re.escape(BASE) + r"programme/[^/]+/fiche/\d+(?=/|$)")
ROLE_NODE = re.compile(r"/role/\d+$")
#: Triples per batch part (with the shared classes they need): about 0.5 GB of rdflib graph.
PART_TRIPLES = 500_000
_UNSEEN = object()


@dataclass
class Part:
    name: str
    triples: list
    fiche_shapes: bool


def shape_sides(shapes: Graph, tasks: list[list[URIRef]]) -> tuple[list, list] | None:
    """The validation tasks of fiche classes, and the others; None when a task cannot be placed."""
    fiche, shared = [], []
    for task in tasks:
        if any(True for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf) for _ in shapes.objects(task[0], p)):
            return None
        classes = set(shapes.objects(task[0], SH.targetClass))
        if classes <= FICHE_CLASSES:
            fiche.append(task)
        elif classes & FICHE_CLASSES:
            return None
        else:
            shared.append(task)
    return fiche, shared


def split(triples: list, shared_classes: set, per_part: int = PART_TRIPLES) -> list[Part] | None:
    """Batch parts of whole fiches, then the shared part; None when a node does not fit the layout above
    (``shared_classes``: the classes the shared part's shapes target)."""
    splitter = Splitter(shared_classes, per_part)
    parts = splitter.add(triples)
    if parts is None:
        return None
    return parts + splitter.finish()


class Splitter:
    """The same split, fed part of the graph after part (a build streams its triples programme by programme).

    ``add`` takes triples in which every fiche is whole (all the triples of a fiche's nodes come in one call) and
    returns the batch parts already full; ``finish`` the last batch and the shared part. The shared nodes' triples
    wait for ``finish``; the class of a shared node must come before (or with) the fiches that point to it. None
    (from ``add``) once a node broke the layout: the caller validates the whole graph instead."""

    def __init__(self, shared_classes: set, per_part: int = PART_TRIPLES):
        self.shared_classes, self.per_part = shared_classes, per_part
        self.shared: list = []
        self.types: dict[URIRef, list] = {}
        self.batch: list = []
        self.names: list[str] = []
        self.broken = False

    def add(self, triples) -> list[Part] | None:
        if self.broken:
            return None
        fiche_of: dict[int, str | None] = {}  # by identity: the builder makes one object per term
        by_fiche: dict[str, list] = {}
        shared, types, shared_classes = self.shared, self.types, self.shared_classes
        for triple in triples:
            subject = triple[0]
            key = fiche_of.get(id(subject), _UNSEEN)
            if key is _UNSEEN:
                match = FICHE_NODE.match(subject) if isinstance(subject, URIRef) else None
                key = fiche_of[id(subject)] = match.group(0) if match else None
            is_type = triple[1] == RDF.type
            if key is None:
                if is_type:
                    if triple[2] in FICHE_CLASSES:
                        self.broken = True  # a fiche-class node outside any fiche: its shape would not see it
                        return None
                    types.setdefault(subject, []).append(triple)
                shared.append(triple)
                continue
            if is_type and triple[2] in shared_classes:
                self.broken = True  # a shared class under a fiche: the shared part would not see it
                return None
            by_fiche.setdefault(key, []).append(triple)
            if len(subject) == len(key) or ROLE_NODE.search(subject):
                shared.append(triple)  # fiches and roles, read by the programme, person and event checks
        parts = []
        for key, fiche_triples in by_fiche.items():
            self.batch += fiche_triples
            self.names.append(key.rsplit("/", 1)[-1])
            if len(self.batch) >= self.per_part:
                parts.append(_batch(self.batch, self.names, types))
                self.batch, self.names = [], []
        return parts

    def finish(self) -> list[Part]:
        parts = [_batch(self.batch, self.names, self.types)] if self.batch else []
        parts.append(Part("partie partagée", self.shared, fiche_shapes=False))
        self.batch, self.names, self.shared, self.types = [], [], [], {}
        return parts


def _batch(batch: list, names: list[str], types: dict[URIRef, list]) -> Part:
    seen, context = set(), []
    for _, _, value in batch:
        if isinstance(value, URIRef) and value in types and value not in seen:
            seen.add(value)
            context += types[value]
    label = f"fiches {names[0]}–{names[-1]}" if len(names) > 1 else f"fiche {names[0]}"
    return Part(label, batch + context, fiche_shapes=True)


__all__ = ["FICHE_CLASSES", "PART_TRIPLES", "Part", "Splitter", "shape_sides", "split"]
