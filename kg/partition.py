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

The split itself is kg/splitter.py's ``Splitter``, fed programme after programme. A node that breaks this layout
(a shared class under a fiche, a fiche class outside one, another class than a programme's or an axis's under a
programme, a fiche naming another programme, a path of several steps leaving its part, a node arriving after its
part was made) makes ``add`` return None: the caller validates the whole graph. So
do shapes the split cannot place (a target other than a class, a shape over both kinds of class, a backward path
read for more than its existence, a path of another kind). A class missing from a part could only add a violation
the whole graph does not have, never hide one.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Callable

from rdflib import Graph, URIRef
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
#: programme in this many (``_ends_batch``); the entity batches are a fixed number of buckets of node IRIs, each in
#: ``ENTITY_SEGMENTS`` segments.
FICHES_BETWEEN_MARKS = 32
PROGRAMMES_BETWEEN_MARKS = 8
#: An entity batch is validated and remembered in this many segments of nodes (kg/splitter.py): a rebuild validates
#: the segments whose nodes changed, not the whole batch.
ENTITY_SEGMENTS = 64
#: What a shape may say about a path read backwards for the split to keep one triple per node.
_EXISTENCE = frozenset({SH.path, SH.message, SH.name, SH.description, SH.severity, RDF.type, SH.targetClass})
TYPE = RDF.type  # looked up once: rdflib's namespace attribute costs a call per triple otherwise


@dataclass
class Part:
    name: str
    triples: list
    fiche_shapes: bool
    #: the shared nodes this part checks (pySHACL's focus nodes); None: every target of its shapes
    focus: frozenset | None = None
    #: a fiche batch's fiches, a programme part's programmes or an entity batch's segments of nodes (kg/splitter.py
    #: ``Segment``), each with the classes it cites: validated and remembered one by one (kg/shacl_cache.py), so that
    #: a rebuild validates only those that changed; None for the whole graph validated as one part (kg/validate.py)
    segments: list | None = None
    #: reads the triples of the segments that have none yet (their programmes were reused: kg/splitter.py)
    fill: Callable[[], None] | None = None


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


__all__ = ["FICHE_CLASSES", "PART_TRIPLES", "PROGRAMME_CLASSES", "SHARED_PART_TRIPLES", "Part", "Sides", "shape_sides"]
