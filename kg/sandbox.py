"""Queries from the public run in worker processes that are killed when they overrun their time limit."""

from __future__ import annotations

import json
import multiprocessing as mp
import pickle
import threading
import time
from multiprocessing.connection import Connection

import pyoxigraph as ox

from kg.memory import release_free_memory
from kg.store import OxigraphStore, Result, StoreError, capped, query_form


class QueryTimeout(StoreError):
    """The query ran past its time limit and its worker was stopped."""


def json_answer(store: OxigraphStore, query: str, limit: int | None) -> bytes:
    """A SELECT or ASK answer as SPARQL 1.1 Query Results JSON, written straight from Oxigraph's terms (no rdflib
    term per value, no pickled Result: most of the fixed cost of a small query through /sparql); the same
    document as kg.formats.to_json, ``"truncated": true`` past ``limit`` rows."""
    form = query_form(query)
    try:
        answer = store.raw.query(query)
        if form == "ASK":
            return json.dumps({"head": {}, "boolean": bool(answer)}).encode("utf-8")
        if form != "SELECT":
            raise StoreError(f"réponse JSON de résultats impossible pour un {form}")
        names = [v.value for v in answer.variables]
        rows, truncated = capped(answer, limit, lambda solution: {
            name: _term_json(term) for name, term in zip(names, solution) if term is not None})
        del answer
    except (SyntaxError, ValueError, RuntimeError, OSError) as exc:
        raise StoreError(f"la requête a échoué : {exc}") from None
    doc: dict = {"head": {"vars": names}, "results": {"bindings": rows}}
    if truncated:
        doc["truncated"] = True
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _term_json(term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": term.value, "datatype": datatype}
    raise StoreError(f"terme RDF non pris en charge : {term!r}")


def _worker(conn: Connection) -> None:
    stores: dict[str, OxigraphStore] = {}
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        path, query, limit, as_json = job
        try:
            if path not in stores:
                stores.clear()  # a new build: let the old one go
                stores[path] = OxigraphStore(path, read_only=True)
            started = time.perf_counter()
            if as_json:
                conn.send_bytes(b"J" + json_answer(stores[path], query, limit))
                release_free_memory((time.perf_counter() - started) * 1000)
                continue
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

    def run(self, path: str, query: str, limit: int | None = None, timeout: float | None = None,
            as_json: bool = False) -> "Result | bytes":
        """Run ``query`` on the read-only store at ``path``; QueryTimeout after ``timeout`` seconds.
        ``as_json``: the SPARQL JSON document of a SELECT or ASK (json_answer) instead of a Result."""
        timeout = self.timeout if timeout is None else timeout
        worker = self._borrow()
        try:
            worker.conn.send((path, query, limit, as_json))
            start = time.monotonic()
            if not worker.conn.poll(timeout):
                worker.kill()
                worker = None
                raise QueryTimeout(f"la requête a dépassé la limite de {timeout:g} s et a été arrêtée")
            if as_json:
                answer = worker.conn.recv_bytes()
                if answer[:1] == b"J":
                    return answer[1:]
                status, payload = pickle.loads(answer)
            else:
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
