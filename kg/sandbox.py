"""Queries from the public run in worker processes that are killed when they overrun their time limit."""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from multiprocessing.connection import Connection

from kg.memory import release_free_memory
from kg.store import OxigraphStore, Result, StoreError


class QueryTimeout(StoreError):
    """The query ran past its time limit and its worker was stopped."""


def _worker(conn: Connection) -> None:
    stores: dict[str, OxigraphStore] = {}
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        path, query, limit = job
        try:
            if path not in stores:
                stores.clear()  # a new build: let the old one go
                stores[path] = OxigraphStore(path, read_only=True)
            started = time.perf_counter()
            result = stores[path].query(query, limit=limit)
            conn.send(("ok", result))
            del result
            release_free_memory((time.perf_counter() - started) * 1000)
        except StoreError as exc:
            conn.send(("error", str(exc)))
        except Exception as exc:  # noqa: BLE001 - the worker must answer whatever happens
            conn.send(("error", f"erreur inattendue : {exc}"))


class _Worker:
    def __init__(self, context) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child,), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A few worker processes; each query borrows one, and a runaway query costs only that worker."""

    def __init__(self, workers: int = 2, timeout: float = 5.0):
        self.size = workers
        self.timeout = timeout
        self._context = mp.get_context("spawn")
        self._idle: list[_Worker] = []
        self._started = 0
        self._lock = threading.Condition()

    def _borrow(self) -> _Worker:
        with self._lock:
            while not self._idle and self._started >= self.size:
                if not self._lock.wait(timeout=self.timeout * 2 + 5):
                    raise QueryTimeout("tous les exécuteurs de requêtes sont occupés ; réessayez dans un instant")
            if self._idle:
                return self._idle.pop()
            self._started += 1
        return _Worker(self._context)

    def _give_back(self, worker: _Worker | None) -> None:
        with self._lock:
            if worker is None:
                self._started -= 1
            else:
                self._idle.append(worker)
            self._lock.notify()

    def run(self, path: str, query: str, limit: int | None = None, timeout: float | None = None) -> Result:
        """Run ``query`` on the read-only store at ``path``; QueryTimeout after ``timeout`` seconds."""
        timeout = self.timeout if timeout is None else timeout
        worker = self._borrow()
        try:
            worker.conn.send((path, query, limit))
            start = time.monotonic()
            if not worker.conn.poll(timeout):
                worker.kill()
                worker = None
                raise QueryTimeout(f"la requête a dépassé la limite de {timeout:g} s et a été arrêtée")
            status, payload = worker.conn.recv()
            if status != "ok":
                raise StoreError(payload)
            payload.elapsed_ms = (time.monotonic() - start) * 1000
            return payload
        except (EOFError, OSError, BrokenPipeError):
            if worker is not None:
                worker.kill()
                worker = None
            raise StoreError("l'exécuteur de requêtes s'est arrêté ; réessayez") from None
        finally:
            self._give_back(worker)

    def close(self) -> None:
        with self._lock:
            for worker in self._idle:
                worker.kill()
            self._idle.clear()
            self._started = 0
