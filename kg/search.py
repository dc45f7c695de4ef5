"""Search by name from an in-memory index of the folded labels and aliases (``kg:searchKey``).

The named query ``search`` says the same thing in SPARQL; on a large graph a substring filter over every key read
from disk takes hundreds of milliseconds, the index a few. It is built once per store version (a new build is a new
version) and only for stores whose data cannot change under us: a remote endpoint is always asked in SPARQL.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.namespaces import sparql_prefixes
from kg.store import OxigraphStore, RemoteStore, Result, Store

INDEX_FILE = "index-recherche.json"  # written by kg build beside the store

INDEX_QUERY = """
SELECT ?entity ?label ?type ?key WHERE {
  ?entity kg:searchKey ?key ; rdfs:label ?label ; kg:entityType ?type .
}"""
_INDEXES: "OrderedDict[tuple[int, str], SearchIndex]" = OrderedDict()
_LOCK = threading.Lock()


class SearchIndex:
    """Every search key with the entity it names; a lookup scans the keys (plain ``in``, no regex).

    Entities are kept as plain strings (IRI, label, label language, type): RDF terms are made for the rows
    returned only, which keeps the index small and quick to load."""

    def __init__(self, entities: list[tuple[str, str, str | None, str]], keys: list[tuple[str, int]]):
        self.entities = entities
        self.keys = [key for key, _ in keys]
        self.owners = [owner for _, owner in keys]

    @classmethod
    def from_rows(cls, rows: list[dict[str, Node | None]]) -> "SearchIndex":
        entities: list[tuple[str, str, str | None, str]] = []
        position: dict[tuple, int] = {}
        keys = []
        for row in rows:
            label = row["label"]
            entity = (str(row["entity"]), str(label), getattr(label, "language", None), str(row["type"]))
            if entity not in position:
                position[entity] = len(entities)
                entities.append(entity)
            keys.append((str(row["key"]), position[entity]))
        return cls(entities, keys)

    @classmethod
    def of(cls, store: Store) -> "SearchIndex":
        """From the file the build wrote beside an embedded store (loads in milliseconds), else by SPARQL."""
        saved = store.path.parent / INDEX_FILE if isinstance(store, OxigraphStore) and store.path else None
        if saved is not None and saved.exists():
            data = json.loads(saved.read_text(encoding="utf-8"))
            return cls([tuple(e) for e in data["entities"]], [tuple(k) for k in data["keys"]])
        if isinstance(store, OxigraphStore):
            return cls.from_oxigraph(store)
        return cls.from_rows(store.query(sparql_prefixes() + INDEX_QUERY).rows)

    @classmethod
    def from_oxigraph(cls, store: OxigraphStore) -> "SearchIndex":
        """The same index read straight from Oxigraph's terms (no rdflib term made: quicker on a large store)."""
        entities: list[tuple[str, str, str | None, str]] = []
        position: dict[tuple, int] = {}
        keys = []
        for entity_term, label, etype, key in store.raw.query(sparql_prefixes() + INDEX_QUERY):
            entity = (entity_term.value, label.value, label.language, etype.value)
            if entity not in position:
                position[entity] = len(entities)
                entities.append(entity)
            keys.append((key.value, position[entity]))
        return cls(entities, keys)

    def save(self, folder: Path) -> None:
        data = {"entities": self.entities, "keys": [[k, o] for k, o in zip(self.keys, self.owners)]}
        (folder / INDEX_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def search(self, key: str, limit: int | None = None) -> list[dict[str, Node]]:
        """Rows shaped like the named query's: exact key first, then keys that start with the text, then the rest;
        alphabetical within each (ties by IRI, so the order is stable)."""
        best: dict[int, int] = {}
        for candidate, owner in zip(self.keys, self.owners):
            if key in candidate:
                score = 0 if candidate == key else 1 if candidate.startswith(key) else 2
                if score < best.get(owner, 3):
                    best[owner] = score
        ordered = sorted(best.items(), key=lambda item: (item[1], self.entities[item[0]][1], self.entities[item[0]][0]))
        if limit is not None:
            ordered = ordered[:limit]
        rows = []
        for i, score in ordered:
            iri, label, lang, etype = self.entities[i]
            rows.append({"entity": URIRef(iri), "label": Literal(label, lang=lang), "type": Literal(etype),
                         "best": Literal(score)})
        return rows


def index_for(store: Store) -> SearchIndex | None:
    """The index of this store version, built on first use; None for a remote endpoint."""
    if isinstance(store, RemoteStore):
        return None
    key = (id(store), store.version())
    with _LOCK:
        index = _INDEXES.get(key)
        if index is None:
            index = _INDEXES[key] = SearchIndex.of(store)
            while len(_INDEXES) > 4:
                _INDEXES.popitem(last=False)
        return index


def search(store: Store, key: Literal, limit: int | None = None) -> Result | None:
    """The named query ``search`` answered from the index (None: ask the store in SPARQL)."""
    index = index_for(store)
    if index is None:
        return None
    rows = index.search(str(key), None if limit is None else limit + 1)
    truncated = limit is not None and len(rows) > limit
    return Result(vars=["entity", "label", "type", "best", "text"],
                  rows=[{**row, "text": key} for row in rows[:limit]], truncated=truncated)


__all__ = ["SearchIndex", "index_for", "search"]
