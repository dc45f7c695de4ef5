"""The store the site reads, reopened when a new build is swapped in (never half-built)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from kg.sandbox import QueryPool
from kg.store import OxigraphStore, Store, open_store


class StoreHolder:
    """Opens the store once; for the embedded default, follows ``dist/current`` to each new build."""

    def __init__(self, spec: "str | Store | None", dist: Path, on_open=None):
        if isinstance(spec, Store):  # a ready store (tests, scripts)
            self._fixed: Store | None = spec
            spec = None
        else:
            self._fixed = None
        self.spec = spec
        self.dist = dist
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._pool: QueryPool | None = None
        self._target: str | None = None
        self.on_open = on_open  # called (outside the lock) each time a store is opened: the warm-up

    def _current_target(self) -> str | None:
        if self.spec:
            return self.spec
        link = self.dist / "current"
        return os.path.realpath(link) if link.exists() else None

    def get(self) -> Store:
        if self._fixed is not None:
            return self._fixed
        target = self._current_target()
        opened = False
        with self._lock:
            if self._store is None or target != self._target:
                opened = True
                if self.spec:
                    self._store = open_store(self.spec, self.dist)
                else:
                    if target is None:
                        from kg.store import StoreError
                        raise StoreError(f"aucun graphe construit dans {self.dist} : lancez « kg build »")
                    self._store = open_store(Path(target) / "store", self.dist)
                self._target = target
            store = self._store
        if opened and self.on_open is not None:
            self.on_open()
        return store

    def opened(self) -> Store | None:
        """The store when it is open and still the current build, without opening anything (else None)."""
        if self._fixed is not None:
            return self._fixed
        store = self._store
        return store if store is not None and self._current_target() == self._target else None

    def version(self) -> str:
        return self._target or ""

    def run_public(self, query: str, limit: int, timeout: float, workers: int = 2, as_json: bool = False):
        """A query from the public: in a worker process killed past ``timeout`` (embedded store),
        or with the remote store's own HTTP timeout. ``as_json``: the SPARQL JSON document (bytes) of a
        SELECT or ASK, which the worker writes itself."""
        store = self.get()
        public = self.public_pool(store, workers, timeout)
        if public is not None:
            pool, path = public
            return pool.run(path, query, limit=limit, timeout=timeout, as_json=as_json)
        result = store.query(query, limit=limit)
        if as_json:
            from kg.formats import to_json

            return to_json(result).encode("utf-8")
        return result

    def public_pool(self, store: Store, workers: int, timeout: float) -> "tuple[QueryPool, str] | None":
        """The worker pool and store path for the public's queries on ``store`` (this holder's), or None when it
        is not an embedded store (a remote one answers under its own HTTP timeout)."""
        if not isinstance(store, OxigraphStore) or store.path is None:
            return None
        with self._lock:
            if self._pool is None:
                self._pool = QueryPool(workers=workers, timeout=timeout)
        return self._pool, str(store.path)
