"""The CSV tables per programme, cached: a rebuild queries only the programmes whose part of the graph changed.

Every table but entites.csv is ordered programme first (kg/export.py ``TABLES``): it is the concatenation of each
programme's rows in programme order. A programme's rows read its own part of graph.nt (its programme, axes, fiches,
events), the shared part ("commun": the entities of the shared files, the referential links) and the nodes outside
the programmes that its part names (an agent's label, a place's label), wherever they were written: a programme's
own entity is written with the first programme that describes it (identical triples come once), and an entity of
the shared files that a programme also describes is written with that programme, not in "commun". So a programme's
key is a digest of its part, of the shared part, and of every line any programme's part writes about a node outside
the programmes that its own part names anywhere (any IRI of ours but a programme's and the ontology's, found in its
N-Triples), with a version of the queries and of this code.
"totaux" is left out: it holds kg:ficheTotal only, which no table reads (a test checks). entites.csv is one key:
the shared part and every line about a node outside the programmes in any programme's part.

A cold build runs each table once over the whole store and splits the rows by programme; a rebuild takes the
unchanged programmes' rows from ``dist/cache/tables/`` and queries the others alone (the whole store again when many
changed). ``KG_TABLES_CACHE=0`` turns the cache off."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
from pathlib import Path

import pyoxigraph as ox

from kg.export import TABLES, csv_tables, not_printed_notes, table_body, table_head, table_rows
from kg.namespaces import BASE
from kg.store import OxigraphStore

#: Parts of graph.nt that are not a programme's.
SHARED_PIECES = ("commun", "totaux")
#: The table of all entities, made whole.
WHOLE_TABLE = "entites.csv"
PROGRAMME_TABLES = tuple(name for name in TABLES if name != WHOLE_TABLE)
#: At least this share of the programmes changed: the whole store is queried once rather than each of them alone.
WHOLE_FROM = 0.5
_PROGRAMMES = BASE + "programme/"
#: The code the rows depend on: the queries and how rows are written, their prefixes, how a programme is bound.
_CODE = tuple(Path(__file__).with_name(name) for name in ("export.py", "namespaces.py", "terms.py", "table_pieces.py"))


def cache_wanted() -> bool:
    return os.environ.get("KG_TABLES_CACHE", "1") != "0"


#: An IRI of ours outside the programmes and the ontology, anywhere in an N-Triples line (without its fragment).
_NAMED = re.compile(rb"<(" + re.escape(BASE.encode()) + rb"(?!programme/|ontologie#)[^>#]*)")
_PROGRAMME_LINE = b"\n<" + _PROGRAMMES.encode()


def _subject_node(line: bytes) -> bytes:
    """The node an N-Triples line is about: its subject without its fragment (``…#lien-1`` and ``…#non-imprime-…``
    describe their entity)."""
    subject = line.split(b" ", 1)[0]
    return subject[1:-1].split(b"#", 1)[0] if subject[:1] == b"<" else subject


class PieceNodes:
    """Fed by :class:`kg.dumps.GraphWriter` with each programme part's N-Triples: the lines each part writes about
    nodes outside the programmes (entities, events), and the nodes each part names. Nodes are kept as hashes: two
    nodes of the same hash could only add a dependency."""

    def __init__(self) -> None:
        self.lines: dict[int, "hashlib._Hash"] = {}
        self.names: dict[str, set[int]] = {}
        self.everywhere: set[int] = set()  # a node no part could name (not one of our IRIs): every programme reads it

    @staticmethod
    def wants(name: str) -> bool:
        return name not in SHARED_PIECES

    def add(self, name: str, data: bytes) -> None:
        """``data``: the part as graph.nt has it, grouped by subject, the nodes outside the programmes first (their
        named graph key is "")."""
        end = 0 if data.startswith(_PROGRAMME_LINE[1:]) else data.find(_PROGRAMME_LINE) + 1 or len(data)
        lines, tag = self.lines, f"{name}\n".encode()
        named = self.names[name] = {hash(iri) for iri in set(_NAMED.findall(data))}
        for line in data[:end].splitlines():
            node = _subject_node(line)
            key = hash(node)
            digest = lines.get(key)
            if digest is None:
                digest = lines[key] = hashlib.sha256()
                if not _NAMED.fullmatch(b"<" + node):
                    self.everywhere.add(key)
            digest.update(tag + line + b"\n")
            named.add(key)

    def keys(self, pieces: list[dict]) -> tuple[dict[str, str], str]:
        """Each programme's key, and entites.csv's."""
        sha = {piece["name"]: piece["sha256"] for piece in pieces}
        digests = {node: h.hexdigest() for node, h in self.lines.items()}
        version = code_version()
        head = f"{version}\ncommun {sha.get('commun', '')}\n"
        out = {}
        for name in programmes_of(pieces):
            named = sorted(digests[n] for n in self.names.get(name, set()) | self.everywhere if n in digests)
            out[name] = _digest(head + f"programme {name} {sha[name]}\n" + "\n".join(named))
        return out, _digest(head + "entites\n" + "\n".join(sorted(digests.values())))


def programmes_of(pieces: list[dict]) -> list[str]:
    return sorted(piece["name"] for piece in pieces if piece["name"] not in SHARED_PIECES)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def code_version() -> str:
    """The queries, the code that writes the rows, and the engine that orders them."""
    h = hashlib.sha256(f"tables-1 pyoxigraph {ox.__version__}\n".encode())
    for path in _CODE:
        h.update(path.read_bytes())
    return h.hexdigest()


def columns(name: str) -> list[str]:
    """A table's variables, as its SELECT names them."""
    select = re.search(r"SELECT(.*?)WHERE", TABLES[name], re.S).group(1)
    return [named or plain for named, plain in re.findall(r"\([^()]*(?:\([^()]*\)[^()]*)*\bAS\s+\?(\w+)\s*\)|\?(\w+)", select)]


class TableCache:
    """``dist/cache/tables/<key>.json``: one programme's table bodies, or entites.csv."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def read(self, key: str, tables) -> dict[str, str] | None:
        """The bodies of ``tables`` under ``key``, or None (absent, unreadable or incomplete: made again)."""
        try:
            found = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(found, dict) or not all(isinstance(found.get(table), str) for table in tables):
            return None
        return found

    def write(self, key: str, bodies: dict[str, str]) -> None:
        tmp = self.folder / f".{key}.{os.getpid()}"
        tmp.write_text(json.dumps(bodies, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.folder / f"{key}.json")

    def prune(self, keep) -> int:
        """Forget every entry but those of ``keep``; how many were forgotten."""
        keep, gone = {f"{key}.json" for key in keep}, 0
        for path in self.folder.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)
                gone += 1
        return gone


class _NotSplit(Exception):
    """A row of the whole store names no programme part: the tables are made whole and nothing is cached."""


def _split(store: OxigraphStore, programmes: list[str], notes: dict[str, str]) -> dict[str, dict[str, str]]:
    """Every programme's bodies, from each table queried once over the whole store."""
    bodies: dict[str, dict[str, str]] = {name: {} for name in programmes}
    for table in PROGRAMME_TABLES:
        names, rows = table_rows(store, table)
        at = names.index("programme")
        for programme, group in itertools.groupby(rows, key=lambda row: row[at]):
            if programme not in bodies or table in bodies[programme]:
                raise _NotSplit(programme)
            bodies[programme][table] = table_body(names, list(group), table, notes)
    for found in bodies.values():
        for table in PROGRAMME_TABLES:
            found.setdefault(table, "")
    return bodies


def _alone(store: OxigraphStore, programme: str, notes: dict[str, str]) -> dict[str, str]:
    """One programme's bodies, each table queried for that programme only."""
    out = {}
    for table in PROGRAMME_TABLES:
        names, rows = table_rows(store, programme=programme, name=table)
        out[table] = table_body(names, rows, table, notes)
    return out


def cached_tables(store: OxigraphStore, pieces: list[dict], nodes: PieceNodes,
                  folder: Path) -> tuple[dict[str, str], dict[str, int]]:
    """The tables :func:`kg.export.csv_tables` gives, byte for byte, with the rows of the programmes whose key is in
    ``folder`` read from it; the cache is left with this build's entries only. Also says what was queried."""
    programmes = programmes_of(pieces)
    keys, whole_key = nodes.keys(pieces)
    cache = TableCache(folder)
    bodies = {name: cache.read(keys[name], PROGRAMME_TABLES) for name in programmes}
    missing = [name for name in programmes if bodies[name] is None]
    entities = cache.read(whole_key, (WHOLE_TABLE,))
    entities_cached = entities is not None
    notes = not_printed_notes(store) if missing or not entities_cached else {}  # the non_imprime column
    whole = len(missing) >= max(1, WHOLE_FROM * len(programmes))
    try:
        if whole:
            bodies = _split(store, programmes, notes)
        else:
            bodies.update({name: _alone(store, name, notes) for name in missing})
    except _NotSplit:
        cache.prune(keep=())
        return csv_tables(store), {"programmes_queried": len(programmes), "programmes_cached": 0}
    if entities is None:
        names, rows = table_rows(store, WHOLE_TABLE)
        entities = {WHOLE_TABLE: table_body(names, rows, WHOLE_TABLE, notes)}
        cache.write(whole_key, entities)
    for name in missing:
        cache.write(keys[name], bodies[name])
    cache.prune(keep=list(keys.values()) + [whole_key])
    tables = {}
    for table in TABLES:
        text = entities[table] if table == WHOLE_TABLE else "".join(bodies[name][table] for name in programmes)
        tables[table] = table_head(columns(table), table) + text
    queried = len(programmes) if whole else len(missing)
    return tables, {"programmes_queried": queried, "programmes_cached": len(programmes) - queried,
                    "entites_cached": int(entities_cached)}


__all__ = ["PieceNodes", "TableCache", "cache_wanted", "cached_tables", "code_version"]
