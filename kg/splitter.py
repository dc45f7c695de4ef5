"""The split of kg/partition.py, fed programme after programme as a build makes them.

Each programme is first *placed* (:class:`Placed`): its fiches and programme with their sizes and the nodes they
point to, and the triples of the entity side (nodes outside the programmes: events, types, one triple pointing to
each node a shape reads backwards). A rebuild keeps this summary with the programme (kg/chunk_cache.py) and places a
programme it reuses without reading its triples: a fiche batch or programme part made only of reused programmes is
named by their keys and the classes it cites (``Segment``, one per fiche or programme), and its triples are read
from the cache only if it must be validated again (``Part.fill``)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Callable

from rdflib import Literal, URIRef

from kg.partition import (ENTITY_SEGMENTS, FICHE_CLASSES, FICHE_NODE, FICHES_BETWEEN_MARKS, PART_TRIPLES,
                          PROGRAMME_CLASSES, PROGRAMME_LINKS, PROGRAMMES_BETWEEN_MARKS, ROLE_NODE, SHARED_PART_TRIPLES,
                          TYPE, Part, Sides, _ends_batch, _home, _inside, _mark, _place)

_UNSEEN = object()


@dataclass
class Placed:
    """One programme (or any part of the graph in which every fiche and programme is whole) as the split places
    it. ``fiches``: (fiche, triples, IRIs outside it that they point to); ``programmes``: (programme, triples, IRIs
    pointed to, focus nodes); the entity side whole. ``fiche_triples`` and ``programme_triples`` are dropped from
    the summary a rebuild keeps (:meth:`kept`)."""

    sides: str  # the shapes' sides it was placed with (a summary of other shapes is not used)
    fiches: list
    programmes: list
    homes: list
    types: list
    fiche_types: list
    pointing: list
    fiche_triples: dict | None = None
    programme_triples: dict | None = None

    def kept(self) -> "Placed":
        return replace(self, fiche_triples=None, programme_triples=None)


@dataclass
class Segment:
    """A fiche's, a programme's or a segment of entities' share of a part: its triples, or (a reused programme)
    what reads them; once its part is made, the rdf:type triples of the nodes it points to (``context``; for
    entities, also the triple pointing to each node for a path read backwards). Its verdict is its own: the
    shapes of a fiche read its nodes and the classes it points to, those of a programme its programme, axes,
    fiches and roles, those of an entity its own triples (kg/partition.py)."""
    key: str | None  # the programme's key in kg/chunk_cache.py
    node: str
    size: int
    pointed: tuple
    triples: list | None
    load: Callable[[], list] | None = None
    focus: frozenset | None = None  # a programme's programme and axes; None for a fiche (every fiche-class node)
    context: list = field(default_factory=list)
    composite: str | None = None  # its name in the cache by its programme's key (kg/shacl_cache.py)


def sides_mark(sides: Sides) -> str:
    """A name of what the split reads of the shapes."""
    text = "\n".join(sorted(map(str, sides.classes)) + ["--"] + sorted(map(str, sides.backward)) + ["--"]
                     + sorted(map(str, sides.through)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split(triples: list, sides: Sides, per_part: int = PART_TRIPLES) -> list[Part] | None:
    """The parts of ``triples`` (fiche batches, programme parts, entity batches); None when a node does not fit the
    layout of kg/partition.py."""
    splitter = Splitter(sides, per_part)
    parts = splitter.add(triples)
    if parts is None:
        return None
    return parts + splitter.finish()


class Splitter:
    """``add`` takes triples in which every programme and every fiche is whole (all the triples of their nodes come in
    one call), or ``add_placed`` a reused programme's summary, and returns the fiche batches and programme parts
    already full; ``finish`` the last ones and the entity batches. The class of a shared node must come before (or
    with) the nodes that point to it. None once a node broke the layout: the caller validates the whole graph."""

    def __init__(self, sides: Sides, per_part: int = PART_TRIPLES):
        self.classes, self.backward, self.through, self.per_part = sides.classes, sides.backward, sides.through, per_part
        self.mark = sides_mark(sides)
        self.per_shared_part = min(per_part, SHARED_PART_TRIPLES)
        self.types: dict[URIRef, list] = {}  # shared nodes -> their rdf:type triples
        self.fiche_types: dict[URIRef, list] = {}  # fiches and roles -> theirs (for the programme parts)
        self.homes: dict[str, list] = {}  # entity side: a node's IRI (without its fragment) -> its triples
        self.pointing: dict[tuple, tuple] = {}  # (predicate read backwards, node) -> one triple pointing to it
        self.batch, self.batch_size, self.names = [], 0, []  # fiche batch being filled
        self.programmes, self.programmes_size, self.programme_names, self.programme_focus = [], 0, [], set()
        self.closed: set[str] = set()  # fiches and programmes given whole by an earlier call
        self.broken = False
        self.last: Placed | None = None  # the last programme placed (what a rebuild keeps)

    def add(self, triples, key: str | None = None) -> list[Part] | None:
        """``key``: the programme's key in kg/chunk_cache.py, if it has one."""
        if self.broken:
            return None
        placed = self.place(triples)
        if placed is None:
            return self._break()
        self.last = placed
        return self._take(placed, key, None)

    def add_placed(self, placed: Placed, key: str, load: Callable[[], list]) -> list[Part] | None:
        """A reused programme, by its summary; ``load()`` reads its triples (only for a part validated again)."""
        if self.broken:
            return None
        if placed.sides != self.mark:
            return self.add(load(), key)
        self.last = placed
        return self._take(placed, key, load)

    def place(self, triples) -> Placed | None:
        """Where each triple goes (this call's triples only: no state of the split is read or changed)."""
        place_of: dict[int, tuple] = {}  # by identity: the builder makes one object per term
        by_fiche: dict[str, list] = {}
        by_programme: dict[str, list] = {}
        homes, types, fiche_types, pointing = [], [], [], {}
        classes, backward, through = self.classes, self.backward, self.through
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
                    return None  # a shared class under a fiche: no shared part would see it
                if predicate in through and not isinstance(value, Literal) and not _inside(value, fiche):
                    return None  # a path that leaves the fiche's batch
                by_fiche.setdefault(fiche, []).append(triple)
                if len(subject) == len(fiche) or ROLE_NODE.search(subject):
                    by_programme.setdefault(programme, []).append(triple)  # read by the programme-wide checks
                    if is_type:
                        fiche_types.append(triple)
                    if predicate in PROGRAMME_LINKS and not _inside(value, programme):
                        return None  # a fiche or role of another programme: its checks would not see it
                continue
            if is_type:
                if value in FICHE_CLASSES:
                    return None  # a fiche-class node outside any fiche: its shape would not see it
                if programme is not None and value in classes and value not in PROGRAMME_CLASSES:
                    return None  # an entity under a programme: its part has no totals, no incoming links
                types.append(triple)
            if programme is not None:
                if predicate in through and not isinstance(value, Literal) and not _inside(value, programme):
                    return None  # a path that leaves the programme's part
                by_programme.setdefault(programme, []).append(triple)
                continue
            if predicate in through and not isinstance(value, Literal) and _home(value) != _home(subject):
                return None  # a path that leaves the node's batch (its own IRI and fragments)
            homes.append(triple)
        fiches = [(fiche, len(ts), _pointed(ts, fiche)) for fiche, ts in by_fiche.items()]
        programmes = [(programme, len(ts), _pointed(ts, None),
                       frozenset(s for s, p, o in ts if p == TYPE and o in classes and not FICHE_NODE.match(s)))
                      for programme, ts in by_programme.items()]
        return Placed(self.mark, fiches, programmes, homes, types, fiche_types, list(pointing.values()),
                      by_fiche, by_programme)

    def _take(self, placed: Placed, key: str | None, load: Callable[[], list] | None) -> list[Part] | None:
        if any(fiche in self.closed for fiche, _, _ in placed.fiches) \
                or any(programme in self.closed for programme, *_ in placed.programmes):
            return self._break()  # more of a fiche or programme whose part may already be made
        self.closed.update(fiche for fiche, _, _ in placed.fiches)
        self.closed.update(programme for programme, *_ in placed.programmes)
        for triple in placed.pointing:
            self.pointing.setdefault((triple[1], triple[2]), triple)
        for triple in placed.types:
            self.types.setdefault(triple[0], []).append(triple)
        for triple in placed.fiche_types:
            self.fiche_types.setdefault(triple[0], []).append(triple)
        homes = self.homes
        for triple in placed.homes:
            homes.setdefault(_home(triple[0]), []).append(triple)
        parts = []
        by_fiche, by_programme = placed.fiche_triples or {}, placed.programme_triples or {}
        for fiche, size, pointed in placed.fiches:
            self.batch.append(Segment(key, fiche, size, pointed, by_fiche.get(fiche), load))
            self.batch_size += size
            self.names.append(fiche.rsplit("/programme/", 1)[-1].replace("/fiche/", " "))
            if _ends_batch(fiche, self.batch_size, self.per_part, FICHES_BETWEEN_MARKS):
                parts.append(self._fiche_batch())
        for programme, size, pointed, focus in placed.programmes:
            self.programmes.append(Segment(key, programme, size, pointed, by_programme.get(programme), load, focus))
            self.programmes_size += size
            self.programme_names.append(programme.rsplit("/", 1)[-1])
            self.programme_focus.update(focus)
            if _ends_batch(programme, self.programmes_size, self.per_shared_part, PROGRAMMES_BETWEEN_MARKS):
                parts.append(self._programme_part())
        return parts

    def _break(self) -> None:
        self.broken = True
        self.homes, self.types, self.fiche_types, self.pointing, self.batch, self.programmes = {}, {}, {}, {}, [], []
        self.last = None
        return None

    def finish(self) -> list[Part]:
        """The last fiche batch and programme part, then the entity batches."""
        parts = [self._fiche_batch()] if self.batch else []
        if self.programmes:
            parts.append(self._programme_part())
        homes, self.homes = self.homes, {}
        total = sum(len(triples) for triples in homes.values())
        buckets = 1 << max(0, math.ceil(math.log2(max(total, 1) / self.per_shared_part)))
        batches: list[dict] = [{} for _ in range(buckets)]
        for home, triples in homes.items():  # a node's batch by its IRI: a node changed leaves the others' batches
            mark = _mark(home)  # its segment in the batch by the next bits (its verdict is its own: see _entity_batch)
            batches[mark % buckets].setdefault(mark // buckets % ENTITY_SEGMENTS, []).extend(triples)
        del homes
        for number, batch in enumerate((b for b in batches if b), start=1):
            parts.append(self._entity_batch(batch, number))
        del batches
        self.types, self.fiche_types, self.pointing = {}, {}, {}
        return parts

    def _fiche_batch(self) -> Part:
        names, segments = self.names, self.batch
        self.batch, self.batch_size, self.names = [], 0, []
        label = f"fiches {names[0]}–{names[-1]}" if len(names) > 1 else f"fiche {names[0]}"
        return self._part(label, segments, _classes_pointed(segments, self.types, {}), True, None)

    def _programme_part(self) -> Part:
        names, segments, focus = self.programme_names, self.programmes, self.programme_focus
        self.programmes, self.programmes_size, self.programme_names, self.programme_focus = [], 0, [], set()
        label = f"programmes {names[0]}–{names[-1]}" if len(names) > 1 else f"programme {names[0]}"
        context = _classes_pointed(segments, self.types, self.fiche_types)
        return self._part(label, segments, context, False, frozenset(focus))

    def _part(self, label: str, segments: list[Segment], context: list, fiche_shapes: bool, focus) -> Part:
        more = {} if fiche_shapes else self.fiche_types
        for segment in segments:
            segment.context = _classes_pointed([segment], self.types, more)
        if all(s.triples is not None for s in segments):
            return Part(label, [t for s in segments for t in s.triples] + context, fiche_shapes, focus, segments)
        return Part(label, None, fiche_shapes, focus, segments, fill=partial(self._fill, segments))

    def _fill(self, segments: list[Segment]) -> None:
        """Read the triples of the segments whose programmes were reused, from the cache, and place them again."""
        placed_of: dict = {}
        for segment in segments:
            if segment.triples is not None:
                continue
            if segment.key not in placed_of:
                placed_of.clear()  # one programme at a time: a part holds few
                placed_of[segment.key] = self.place(segment.load())
            placed = placed_of[segment.key]
            found = None if placed is None else placed.fiche_triples.get(segment.node,
                                                                          placed.programme_triples.get(segment.node))
            if found is None or len(found) != segment.size:
                raise ValueError(f"la partie du programme {segment.node} a changé depuis sa mise en cache")
            segment.triples = found

    def _entity_batch(self, groups: dict, number: int) -> Part:
        """An entity batch in segments of nodes (by their IRIs): the shapes of the entity side read a node's own
        triples (its IRI and fragments, kg/partition.py), the classes it points to and one triple pointing to it per
        path read backwards, so each segment's verdict is its own and a rebuild validates only the segments that
        changed (kg/validate.py)."""
        segments = [self._entity_segment(groups[number_in]) for number_in in sorted(groups)]
        triples = [t for segment in segments for t in segment.triples]
        context = list(dict.fromkeys(t for segment in segments for t in segment.context))
        focus = frozenset(node for segment in segments for node in segment.focus)
        return Part(f"entités, lot {number}", triples + context, fiche_shapes=False, focus=focus, segments=segments)

    def _entity_segment(self, triples: list) -> Segment:
        classes = self.classes
        focus = frozenset(s for s, p, o in triples if p == TYPE and o in classes)
        incoming = [self.pointing[(p, node)] for node in focus for p in self.backward if (p, node) in self.pointing]
        segment = Segment(None, "", len(triples), _pointed(triples, None), triples, focus=focus)
        segment.context = _classes_pointed([segment], self.types, self.fiche_types) + incoming
        return segment


def _pointed(triples: list, inside: str | None) -> tuple:
    """The IRIs ``triples`` point to (once each, in order), those under ``inside`` left out."""
    seen = dict.fromkeys(value for _, _, value in triples if isinstance(value, URIRef))
    if inside is not None:
        return tuple(value for value in seen if not _inside(value, inside))
    return tuple(seen)


def _classes_pointed(segments: list[Segment], types: dict[URIRef, list], more: dict[URIRef, list]) -> list:
    """The rdf:type triples (from ``types``, then ``more``) of the nodes the segments point to (for sh:class),
    each once."""
    seen, context = set(), []
    for segment in segments:
        for value in segment.pointed:
            if value not in seen and (value in types or value in more):
                seen.add(value)
                context += types.get(value) or more[value]
    return context


__all__ = ["Placed", "Segment", "Splitter", "sides_mark", "split"]
