"""The build's RDF files written as the triples are made: each part of the graph (a programme) goes to graph.nt at
once, grouped by named graph and subject; Turtle, JSON-LD and TriG are then written from it part after part
(kg/dump_pieces.py: nothing is read back from the store), and the VoID statistics are counted on the way."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.dump_pieces import read_piece, write_pieced
from kg.export import named_graph_key
from kg.namespaces import KG
from kg.store import _OxConverter
from kg.table_pieces import PieceNodes

NT = ox.RdfFormat.N_TRIPLES
_TYPE, _ENTITY_TYPE, _PROGRAMME_OF = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(KG.entityType)), ox.NamedNode(str(KG.programme))
_PROGRAMME, _FICHE = ox.NamedNode(str(KG.Programme)), ox.NamedNode(str(KG.Fiche))
_IDENTIFIER, _LABEL, _YEAR, _STATUS = (ox.NamedNode(str(p)) for p in (KG.identifier, RDFS.label, KG.year, KG.reviewStatus))
_PROGRAMME_FACTS = {_IDENTIFIER, _LABEL, _YEAR, _STATUS}


def _ox_triples(triples) -> list:
    """The rdflib triples as pyoxigraph ones, each distinct term object converted once (the loop is inlined: it
    runs for every triple of the graph)."""
    convert = _OxConverter()._convert
    made: dict[int, object] = {}
    kept = []  # the rdflib terms converted: alive while their identity is a key of ``made``
    out = []
    get, triple, append = made.get, ox.Triple, out.append
    for s, p, o in triples:
        cs, cp, co = get(id(s)), get(id(p)), get(id(o))
        if cs is None:
            cs = made[id(s)] = convert(s)
            kept.append(s)
        if cp is None:
            cp = made[id(p)] = convert(p)
            kept.append(p)
        if co is None:
            co = made[id(o)] = convert(o)
            kept.append(o)
        append(triple(cs, cp, co))
    return out


class _HashingFile:
    """A binary file that also hashes and counts what is written to it (a part's digest at no extra read)."""

    def __init__(self, out):
        self.out, self.digest, self.size = out, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


@dataclass
class Tally:
    """What the VoID description counts in one part of the graph (plain strings: kept with a cached part)."""

    subjects: list[str] = field(default_factory=list)
    properties: set[str] = field(default_factory=set)
    classes: Counter = field(default_factory=Counter)
    types: Counter = field(default_factory=Counter)
    programmes: dict[str, dict[str, str]] = field(default_factory=dict)  # programme -> {property: value}
    fiches: Counter = field(default_factory=Counter)  # programme -> its fiches


def _tally(triples: list, subjects: list[str]) -> Tally:
    tally = Tally(subjects)
    fiches, programmes, classes = set(), {}, Counter()
    properties: set = set()
    for s, p, o in triples:
        properties.add(p)
        if p == _TYPE:
            classes[o] += 1
            if o == _PROGRAMME:
                programmes.setdefault(s, {})
            elif o == _FICHE:
                fiches.add(s)
        elif p == _ENTITY_TYPE:
            tally.types[o.value] += 1
    for s, p, o in triples:
        if p == _PROGRAMME_OF and s in fiches:
            tally.fiches[o.value] += 1
        elif p in _PROGRAMME_FACTS and s in programmes:
            programmes[s][p.value] = o.value
    tally.properties = {p.value for p in properties}
    tally.classes = Counter({c.value: n for c, n in classes.items()})
    tally.programmes = {s.value: facts for s, facts in programmes.items()}
    return tally


class GraphWriter:
    """``add`` the triples of each part (a triple may come twice within a part), ``close``, then ``statistics``.

    ``pieces`` says where each part is in graph.nt: its name, byte offset, length and SHA-256 (a rebuild compares
    them with the previous build's to find the parts that changed)."""

    def __init__(self, path: Path, nodes: "PieceNodes | None" = None):
        self.path = path
        self.nodes = nodes  # told each part's triples (kg/table_pieces.py: what each programme's tables read)
        self.out = open(path, "wb")
        self.pieces: list[dict] = []
        self.last_tally: Tally | None = None  # the counts of the part written last (kept with a cached part)
        self.subjects: set[int] = set()
        self.properties: set[str] = set()
        self.classes: Counter = Counter()
        self.types: Counter = Counter()
        self.programmes: dict[str, dict[str, str]] = {}
        self.fiches: Counter = Counter()

    def add(self, triples, name: str = "graphe") -> int:
        """Write one part (``name``: the programme, "commun" or "totaux"); the number of distinct triples written.

        The rdflib terms are converted once (each distinct term object once), then deduplicated, sorted and
        counted as pyoxigraph terms, whose hashing and comparison run in Rust (rdflib's run in Python)."""
        unique = list(dict.fromkeys(_ox_triples(triples)))
        keys = {}
        for triple in unique:
            s = triple.subject
            if s not in keys:
                value = s.value
                keys[s] = (named_graph_key(value) if type(s) is ox.NamedNode else "", value)
        unique.sort(key=lambda t: keys[t.subject])
        hashing = _HashingFile(self.out)
        offset = self.out.tell()
        if self.nodes is not None and self.nodes.wants(name):  # a programme: its lines read once more
            data = ox.serialize(unique, format=NT)
            hashing.write(data)
            self.nodes.add(name, data)
            del data
        else:
            ox.serialize(unique, hashing, format=NT)
        self._piece(name, offset, hashing, len(unique))
        self._merge(_tally(unique, [value for _, value in keys.values()]))
        return len(unique)

    def add_written(self, name: str, nt: Path, piece: dict, tally: Tally) -> bool:
        """Copy a part an earlier build wrote (``piece``: where it is in that build's ``nt``) with its counts;
        False, and nothing written, when that file no longer holds it as it was."""
        data = read_piece(nt, piece["offset"], piece["length"], piece["sha256"])
        if data is None:
            return False
        offset = self.out.tell()
        self.out.write(data)
        if self.nodes is not None and self.nodes.wants(name):
            self.nodes.add(name, data)
        # the same bytes as the earlier piece (read_piece checked its digest): not hashed again
        self.pieces.append({"name": name, "offset": offset, "length": len(data), "triples": piece["triples"],
                            "sha256": piece["sha256"]})
        self._merge(tally)
        return True

    def _piece(self, name: str, offset: int, hashing: _HashingFile, triples: int) -> None:
        self.pieces.append({"name": name, "offset": offset, "length": hashing.size, "triples": triples,
                            "sha256": hashing.digest.hexdigest()})

    def _merge(self, tally: Tally) -> None:
        self.last_tally = tally
        self.subjects.update(map(hash, tally.subjects))
        self.properties |= tally.properties
        self.classes.update(tally.classes)
        self.types.update(tally.types)
        for iri, facts in tally.programmes.items():
            self.programmes.setdefault(iri, {}).update(facts)
        self.fiches.update(tally.fiches)

    def close(self) -> None:
        self.out.close()

    def statistics(self, triples: int) -> dict:
        """The counts :func:`kg.void.statistics` asks the store for (``triples``: the store's count)."""
        programmes = []
        identifier, label, year, status = (p.value for p in (_IDENTIFIER, _LABEL, _YEAR, _STATUS))
        for iri, facts in self.programmes.items():
            if not all(p in facts for p in (identifier, label, year)):
                continue
            programmes.append({"iri": URIRef(iri), "id": facts[identifier], "label": facts[label],
                               "year": facts[year], "status": facts.get(status, "relu"),
                               "fiches": self.fiches.get(iri, 0)})
        return {"triples": triples, "entities": sum(self.types.values()), "subjects": len(self.subjects),
                "properties": {URIRef(p) for p in self.properties},
                "classes": {URIRef(c): n for c, n in self.classes.items()}, "types": dict(self.types),
                "programmes": sorted(programmes, key=lambda p: p["id"])}


def write_dump_files(nt: Path, folder: Path, pieces: list[dict], previous: Path | None = None) -> dict[str, int]:
    """graph.ttl beside graph.nt; graph.jsonld, graph.trig and bundle.zip begun with the graph's files in
    ``folder`` (the build adds its tables to the bundle). Written part after part from the ``pieces`` of graph.nt,
    the parts that did not change since the ``previous`` build copied from its files (kg/dump_pieces.py)."""
    from kg.export import open_bundle

    folder.mkdir(parents=True, exist_ok=True)
    counts = write_pieced(nt.parent, pieces, previous)
    open_bundle(folder).close()
    return counts


class DumpJob:
    """:func:`write_dump_files` in a forked process, while the build loads its store and writes its tables (a
    rebuild whose SHACL parts are known leaves a core free for it). ``wait`` raises what the process raised."""

    def __init__(self, nt: Path, folder: Path, pieces: list[dict], previous: Path | None = None):
        context = mp.get_context("fork")
        self.conn, child_end = context.Pipe(duplex=False)
        self.process = context.Process(target=_dump_in_child, args=(child_end, nt, folder, pieces, previous))
        self.process.start()
        child_end.close()

    def wait(self) -> dict[str, int]:
        """The parts serialised and copied from the last build."""
        try:
            error, counts = self.conn.recv()
        except EOFError:
            error, counts = "le processus d'écriture des fichiers du graphe s'est arrêté", None
        self.process.join()
        self.conn.close()
        if error:
            raise RuntimeError(f"écriture de graph.ttl, graph.jsonld, graph.trig : {error}")
        return counts

    def cancel(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _dump_in_child(conn, nt: Path, folder: Path, pieces: list[dict], previous: Path | None) -> None:
    try:
        conn.send((None, write_dump_files(nt, folder, pieces, previous)))
    except BaseException as exc:  # noqa: BLE001 - the build reports it
        conn.send((f"{type(exc).__name__}: {exc}", None))
    conn.close()


__all__ = ["DumpJob", "GraphWriter", "write_dump_files", "Literal"]
