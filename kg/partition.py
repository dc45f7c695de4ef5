"""The graph in parts for SHACL, so that a validation worker never holds the whole graph as rdflib objects (about
1 KB a triple): every part stays about ``PART_TRIPLES`` (``SHARED_PART_TRIPLES``) however many programmes.

Three kinds of parts (``tests/test_partition.py`` checks on every fixture, and on the real graph broken in several
places, that they give the violations of the whole graph, and that each shape sees each focus node once):

- **Fiche batches** (the shapes of fiche classes, on their targets). A fiche's nodes are its IRI and every IRI
  under it (roles, sections, items, mentions, involvements); they point to nodes of the same fiche or to shared
  nodes. A batch holds all the triples of its fiches' nodes and the ``rdf:type`` of every shared node they point
  to: all that the shapes of fiche classes read.
- **Programme parts** (the other shapes, on the programmes and axes of the part only: pySHACL is given these focus
  nodes). A programme's nodes are its IRI and the IRIs under it that are not a fiche's (axes). The part holds all
  their triples, the triples of their fiches' and roles' IRIs (the programme-wide SPARQL checks read a fiche's
  programme, number and class, and a role's fiche and code) and the ``rdf:type`` of every node they point to
  (``sh:class``). Made as soon as the programme is: it needs nothing from the other programmes as long as a fiche
  names its own programme and a role a fiche of its own programme (``kg:programme``, ``kg:fiche``).
- **Entity batches** (the other shapes, on the entities, events and other shared nodes of the batch). A shared node
  comes with the nodes it describes under its own IRI (``…#lien-…`` links, ``…#non-imprime-…`` facts, read by the
  path ``(kg:externalLink kg:linkMatch)`` and ``[sh:inversePath kg:notPrinted]``); the batch holds all their
  triples (``kg:ficheTotal`` included: they are made once the last programme is), the ``rdf:type`` of every node
  they point to, and for each predicate a shape reads backwards (``PersonShape``: who is the agent, performer or
  creator) one triple pointing to each node, which is all a ``sh:minCount 1`` reads.

A node that breaks this layout (a shared class under a fiche, a fiche class outside one, another class than a
programme's or an axis's under a programme, a fiche naming another programme, a path of several steps leaving its
part, a node arriving after its part was made) makes ``add`` return None: the caller validates the whole graph. So
do shapes the split cannot place (a target other than a class, a shape over both kinds of class, a backward path
read for more than its existence, a path of another kind). A class missing from a part could only add a violation
the whole graph does not have, never hide one.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from kg.namespaces import BASE, KG

#: Classes whose instances live under a fiche's IRI; their shapes run in the fiche batches.
FICHE_CLASSES = frozenset({KG.Fiche, KG.Role, KG.Section, KG.TextItem, KG.Mention, KG.Involvement})
#: Classes of the nodes under a programme's IRI outside its fiches; their shapes run in the programme parts.
PROGRAMME_CLASSES = frozenset({KG.Programme, KG.Axis})
#: What the programme-wide checks follow from a fiche or a role: it must stay inside the programme.
PROGRAMME_LINKS = frozenset({KG.programme, KG.fiche})
FICHE_NODE = re.compile(re.escape(BASE) + r"programme/[^/#]+/fiche/\d+(?=/|$)")
PROGRAMME_NODE = re.compile(re.escape(BASE) + r"programme/[^/#]+(?=/|$)")
ROLE_NODE = re.compile(r"/role/\d+$")
#: Triples per fiche batch (with the classes it needs): about 0.25 GB of rdflib graph, in a worker while the build
#: makes the next programmes.
PART_TRIPLES = 250_000
#: Triples per programme part and entity batch: smaller, since the entity batches run at the end two at a time.
SHARED_PART_TRIPLES = 100_000
#: A fiche batch may end past half its size after about one fiche in this many, a programme part after about one
#: programme in this many (``_ends_batch``); the entity batches are a fixed number of buckets of node IRIs.
FICHES_BETWEEN_MARKS = 32
PROGRAMMES_BETWEEN_MARKS = 8
#: What a shape may say about a path read backwards for the split to keep one triple per node.
_EXISTENCE = frozenset({SH.path, SH.message, SH.name, SH.description, SH.severity, RDF.type, SH.targetClass})
_UNSEEN = object()
TYPE = RDF.type  # looked up once: rdflib's namespace attribute costs a call per triple otherwise


@dataclass
class Part:
    name: str
    triples: list
    fiche_shapes: bool
    #: the shared nodes this part checks (pySHACL's focus nodes); None: every target of its shapes
    focus: frozenset | None = None


@dataclass(frozen=True)
class Sides:
    """The validation tasks of fiche classes and the others, and what the others read beyond their focus nodes."""
    fiche: list
    shared: list
    classes: frozenset  # the classes the shared tasks target
    backward: frozenset  # predicates the shapes read backwards, for a sh:minCount of 1 at most
    through: frozenset  # predicates a path goes through before its last step


def shape_sides(shapes: Graph, tasks: list[list[URIRef]]) -> Sides | None:
    """The tasks split by side; None when a task cannot be placed (then the whole graph is validated)."""
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
    paths = _paths(shapes)
    if paths is None:
        return None
    classes = frozenset(c for task in shared for c in shapes.objects(task[0], SH.targetClass))
    return Sides(fiche, shared, classes, *paths)


def _paths(shapes: Graph) -> tuple[frozenset, frozenset] | None:
    """The predicates read backwards (each ``sh:inversePath``) and those a path goes through before its last step;
    None when a backward path is read for more than its existence, or a path is of another kind."""
    if any(True for p in (SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)
           for _ in shapes.subject_objects(p)):
        return None
    backward = set()
    for path, predicate in shapes.subject_objects(SH.inversePath):
        users = list(shapes.subjects(SH.path, path))
        if not users:
            return None  # a backward step inside a longer path
        for shape in users:
            minimum = shapes.value(shape, SH.minCount)
            if set(shapes.predicates(shape)) - _EXISTENCE - {SH.minCount} or (minimum is not None and int(minimum) > 1):
                return None
        backward.add(predicate)
    through = set()
    for path in set(shapes.objects(None, SH.path)):
        if (path, RDF.first, None) in shapes:
            steps = list(shapes.items(path))
            if not all(isinstance(step, URIRef) for step in steps):
                return None
            through.update(steps[:-1])
    return frozenset(backward), frozenset(through)


def split(triples: list, sides: Sides, per_part: int = PART_TRIPLES) -> list[Part] | None:
    """The parts of ``triples`` (fiche batches, programme parts, entity batches); None when a node does not fit the
    layout above."""
    splitter = Splitter(sides, per_part)
    parts = splitter.add(triples)
    if parts is None:
        return None
    return parts + splitter.finish()


class Splitter:
    """The same split, fed part of the graph after part (a build streams its triples programme by programme).

    ``add`` takes triples in which every programme and every fiche is whole (all the triples of their nodes come in
    one call) and returns the fiche batches and programme parts already full; ``finish`` the last ones and the
    entity batches. The class of a shared node must come before (or with) the nodes that point to it. None (from
    ``add``) once a node broke the layout: the caller validates the whole graph instead."""

    def __init__(self, sides: Sides, per_part: int = PART_TRIPLES):
        self.classes, self.backward, self.through, self.per_part = sides.classes, sides.backward, sides.through, per_part
        self.per_shared_part = min(per_part, SHARED_PART_TRIPLES)
        self.types: dict[URIRef, list] = {}  # shared nodes -> their rdf:type triples
        self.fiche_types: dict[URIRef, list] = {}  # fiches -> theirs (not in the fiche batches: their shape would run)
        self.homes: dict[str, list] = {}  # entity side: a node's IRI (without its fragment) -> its triples
        self.pointing: dict[tuple, tuple] = {}  # (predicate read backwards, node) -> one triple pointing to it
        self.batch, self.names = [], []  # fiche batch being filled
        self.programmes, self.programme_names, self.programme_focus = [], [], set()  # programme part being filled
        self.closed: set[str] = set()  # fiches and programmes given whole by an earlier call
        self.broken = False

    def add(self, triples) -> list[Part] | None:
        if self.broken:
            return None
        place_of: dict[int, tuple] = {}  # by identity: the builder makes one object per term
        by_fiche: dict[str, list] = {}
        by_programme: dict[str, list] = {}
        types, homes, classes, backward, pointing = self.types, self.homes, self.classes, self.backward, self.pointing
        fiche_types = self.fiche_types
        for triple in triples:
            subject, predicate, value = triple
            place = place_of.get(id(subject), _UNSEEN)
            if place is _UNSEEN:
                place = place_of[id(subject)] = _place(subject)
            if predicate in backward:
                pointing.setdefault((predicate, value), triple)
            is_type = predicate == TYPE
            fiche, programme = place
            if fiche is not None:
                if is_type and value in classes:
                    return self._break()  # a shared class under a fiche: no shared part would see it
                if predicate in self.through and not isinstance(value, Literal) and not _inside(value, fiche):
                    return self._break()  # a path that leaves the fiche's batch
                by_fiche.setdefault(fiche, []).append(triple)
                if len(subject) == len(fiche) or ROLE_NODE.search(subject):
                    by_programme.setdefault(programme, []).append(triple)  # read by the programme-wide checks
                    if is_type:
                        fiche_types.setdefault(subject, []).append(triple)
                    if predicate in PROGRAMME_LINKS and not _inside(value, programme):
                        return self._break()  # a fiche or role of another programme: its checks would not see it
                continue
            if is_type:
                if value in FICHE_CLASSES:
                    return self._break()  # a fiche-class node outside any fiche: its shape would not see it
                if programme is not None and value in classes and value not in PROGRAMME_CLASSES:
                    return self._break()  # an entity under a programme: its part has no totals, no incoming links
                types.setdefault(subject, []).append(triple)
            if programme is not None:
                if predicate in self.through and not isinstance(value, Literal) and not _inside(value, programme):
                    return self._break()  # a path that leaves the programme's part
                by_programme.setdefault(programme, []).append(triple)
                continue
            home = _home(subject)
            if predicate in self.through and not isinstance(value, Literal) and _home(value) != home:
                return self._break()  # a path that leaves the node's batch (its own IRI and fragments)
            homes.setdefault(home, []).append(triple)
        if any(key in self.closed for key in by_fiche) or any(key in self.closed for key in by_programme):
            return self._break()  # more of a fiche or programme whose part may already be made
        self.closed.update(by_fiche)
        self.closed.update(by_programme)
        parts = []
        for key, fiche_triples in by_fiche.items():
            self.batch += fiche_triples
            self.names.append(key.rsplit("/programme/", 1)[-1].replace("/fiche/", " "))
            if _ends_batch(key, len(self.batch), self.per_part, FICHES_BETWEEN_MARKS):
                parts.append(self._fiche_batch())
        for key, programme_triples in by_programme.items():
            self.programmes += programme_triples
            self.programme_names.append(key.rsplit("/", 1)[-1])
            self.programme_focus.update(s for s, p, o in programme_triples
                                        if p == TYPE and o in classes and not FICHE_NODE.match(s))
            if _ends_batch(key, len(self.programmes), self.per_shared_part, PROGRAMMES_BETWEEN_MARKS):
                parts.append(self._programme_part())
        return parts

    def _break(self) -> None:
        self.broken = True
        self.homes, self.types, self.fiche_types, self.pointing, self.batch, self.programmes = {}, {}, {}, {}, [], []
        return None

    def finish(self) -> list[Part]:
        """The last fiche batch and programme part, then the entity batches."""
        parts = [self._fiche_batch()] if self.batch else []
        if self.programmes:
            parts.append(self._programme_part())
        homes, self.homes = self.homes, {}
        total = sum(len(triples) for triples in homes.values())
        buckets = 1 << max(0, math.ceil(math.log2(max(total, 1) / self.per_shared_part)))
        batches: list[list] = [[] for _ in range(buckets)]
        for home, triples in homes.items():  # a node's batch by its IRI: a node changed leaves the others' batches
            batches[_mark(home) % buckets] += triples
        del homes
        for number, batch in enumerate((b for b in batches if b), start=1):
            parts.append(self._entity_batch(batch, number))
        del batches
        self.types, self.fiche_types, self.pointing = {}, {}, {}
        return parts

    def _fiche_batch(self) -> Part:
        names, batch = self.names, self.batch
        self.batch, self.names = [], []
        label = f"fiches {names[0]}–{names[-1]}" if len(names) > 1 else f"fiche {names[0]}"
        return Part(label, batch + _classes_pointed(batch, self.types), fiche_shapes=True)

    def _programme_part(self) -> Part:
        names, batch, focus = self.programme_names, self.programmes, self.programme_focus
        self.programmes, self.programme_names, self.programme_focus = [], [], set()
        label = f"programmes {names[0]}–{names[-1]}" if len(names) > 1 else f"programme {names[0]}"
        context = _classes_pointed(batch, self.types, self.fiche_types)
        return Part(label, batch + context, fiche_shapes=False, focus=frozenset(focus))

    def _entity_batch(self, batch: list, number: int) -> Part:
        classes, types = self.classes, self.types
        focus = frozenset(s for s, p, o in batch if p == TYPE and o in classes)
        incoming = [self.pointing[(p, node)] for node in focus for p in self.backward if (p, node) in self.pointing]
        return Part(f"entités, lot {number}", batch + _classes_pointed(batch, types, self.fiche_types) + incoming,
                    fiche_shapes=False, focus=focus)


def _mark(key: str) -> int:
    """A number of the key alone (the same in every process and build, unlike ``hash``)."""
    return zlib.crc32(key.encode("utf-8"))


def _ends_batch(key: str, size: int, per_part: int, between_marks: int) -> bool:
    """Whether a batch ends after ``key``: at ``per_part`` triples, or past half of it after a key marked by its own
    number (about one in ``between_marks``). The ends depend on the keys, not on the sizes before them: a programme
    that grows or shrinks moves the end of its own batch at most, and the next batches are the same as before
    (what lets kg/shacl_cache.py find them again)."""
    return size >= per_part or (size >= per_part // 2 and _mark(key) % between_marks == 0)


def _place(subject) -> tuple[str | None, str | None]:
    """(the fiche, the programme) a subject lies under, by its IRI."""
    if not isinstance(subject, URIRef):
        return None, None
    fiche = FICHE_NODE.match(subject)
    if fiche:
        return fiche.group(0), fiche.group(0).rsplit("/fiche/", 1)[0]
    programme = PROGRAMME_NODE.match(subject)
    return None, programme.group(0) if programme else None


def _home(node):
    """An entity-side node's batch key: its IRI without the fragment (a link or fact it describes goes with it)."""
    return node.split("#", 1)[0] if isinstance(node, URIRef) else node  # a str (partition may give the URIRef)


def _inside(value, under: str) -> bool:
    """Whether ``value`` is the node ``under`` or a node under it (by IRI)."""
    return isinstance(value, URIRef) and value.startswith(under) and (len(value) == len(under) or value[len(under)] == "/")


def _classes_pointed(batch: list, types: dict[URIRef, list], more: dict[URIRef, list] | None = None) -> list:
    """The rdf:type triples (from ``types``, then ``more``) of the nodes ``batch`` points to (for sh:class), each
    once."""
    seen, context, more = set(), [], more or {}
    for _, _, value in batch:
        if isinstance(value, URIRef) and value not in seen and (value in types or value in more):
            seen.add(value)
            context += types.get(value) or more[value]
    return context


__all__ = ["FICHE_CLASSES", "PART_TRIPLES", "PROGRAMME_CLASSES", "SHARED_PART_TRIPLES", "Part", "Sides", "Splitter",
           "shape_sides", "split"]
