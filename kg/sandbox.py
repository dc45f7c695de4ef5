"""Queries from the public run in worker processes (kg/query_worker.py) that are killed when they overrun
their time limit."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path

from kg.query_worker import HEADER, answer
from kg.store import OxigraphStore, Result, StoreError, _json_term

ROOT = Path(__file__).resolve().parent.parent
HEAVY_MS = 20.0  # an answer slower than this may have left its worker large: its size is checked
WORKER_RSS_MB = 64  # a worker larger than this after a heavy answer is replaced by a fresh one (≈ 35 MB)


class QueryTimeout(StoreError):
    """The query ran past its time limit and its worker was stopped."""


def json_answer(store: OxigraphStore, query: str, limit: int | None) -> bytes:
    """A SELECT or ASK answer as SPARQL 1.1 Query Results JSON, written straight from Oxigraph's terms (no rdflib
    term per value: most of the fixed cost of a small query through /sparql); the same document as
    kg.formats.to_json, ``"truncated": true`` past ``limit`` rows."""
    kind, body = answer(store.raw, query, limit)
    if kind != b"J":
        raise StoreError("réponse JSON de résultats impossible pour un CONSTRUCT ou un DESCRIBE")
    return body


def to_result(kind: bytes, body: bytes) -> Result:
    """The worker's answer as a Result of rdflib terms (for the formats other than SPARQL JSON)."""
    doc = json.loads(body)
    if kind == b"G":
        from rdflib import Graph

        graph = Graph()
        for triple in doc["triples"]:
            graph.add(tuple(_json_term(t) for t in triple))
        return Result([], [], truncated=doc["truncated"], graph=graph)
    if "boolean" in doc:
        return Result([], [], boolean=doc["boolean"])
    names = doc["head"]["vars"]
    rows = [{name: _json_term(b.get(name)) for name in names} for b in doc["results"]["bindings"]]
    return Result(names, rows, truncated=doc.get("truncated", False))


class _Worker:
    """``python -m kg.query_worker`` on a Unix socket (its stdin and stdout); ``poll`` waits on its answers."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        self.sock, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen([sys.executable, "-m", "kg.query_worker"], stdin=theirs, stdout=theirs,
                                            bufsize=0, env=env, cwd=ROOT)
        except OSError:
            self.sock.close()
            raise
        finally:
            theirs.close()
        self.send_fd = self.recv_fd = self.sock.fileno()
        self._sending = threading.Lock()  # a release frame may come from another thread (web/fast_sparql.py)
        self.poll = select.poll()
        self.poll.register(self.recv_fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        self._stop = weakref.finalize(self, _stop, self.process, self.sock)  # a forgotten pool (or exit) ends it

    def send(self, data: bytes, client: int | None = None) -> None:
        """One frame; ``client``: a socket passed along with it (the worker answers on it)."""
        frame = HEADER.pack(len(data)) + data
        with self._sending:
            if client is not None:
                sent = socket.send_fds(self.sock, [frame], [client])
                frame = frame[sent:]
            view = memoryview(frame)
            while view:
                view = view[os.write(self.send_fd, view):]

    def receive(self, deadline: float) -> bytes | None:
        """One frame, or None when the deadline passed first (EOFError when the worker died)."""
        chunks: list[bytes] = []
        missing = HEADER.size
        size = None
        while True:
            while missing:
                left = deadline - time.monotonic()
                if left <= 0 or not self.poll.poll(max(1, int(left * 1000) + 1)):
                    if time.monotonic() >= deadline:
                        return None
                    continue
                chunk = os.read(self.recv_fd, min(missing, 1 << 20))
                if not chunk:
                    raise EOFError
                chunks.append(chunk)
                missing -= len(chunk)
            if size is not None:
                return b"".join(chunks)
            size = HEADER.unpack(b"".join(chunks))[0]
            chunks, missing = [], size
            if not size:
                return b""

    def rss_mb(self) -> float:
        try:
            with open(f"/proc/{self.process.pid}/statm", "rb") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (OSError, ValueError, IndexError):
            return 0.0

    def kill(self) -> None:
        self._stop()


def _stop(process: subprocess.Popen, sock: socket.socket) -> None:
    process.kill()
    process.wait(5)
    sock.close()


class QueryPool:
    """A few worker processes; each query borrows one, and a runaway query costs only that worker."""

    def __init__(self, workers: int = 2, timeout: float = 5.0, heavy_ms: float = HEAVY_MS,
                 retire_mb: float = WORKER_RSS_MB):
        self.size = workers
        self.timeout = timeout
        self.heavy_ms = heavy_ms
        self.retire_mb = retire_mb
        self._idle: list[_Worker] = []
        self._started = 0
        self._lock = threading.Condition()
        self.reclaim = None  # set by web/fast_sparql.py: asks a worker that keeps a client's connection back

    def _borrow(self) -> _Worker:
        with self._lock:
            give_up = time.monotonic() + self.timeout * 2 + 5
            while not self._idle and self._started >= self.size:
                if self.reclaim is not None:
                    self.reclaim()
                left = give_up - time.monotonic()
                if left <= 0:
                    raise QueryTimeout("tous les exécuteurs de requêtes sont occupés ; réessayez dans un instant")
                self._lock.wait(timeout=min(left, 0.05))
            if self._idle:
                return self._idle.pop()
            self._started += 1
        try:
            return _Worker()
        except OSError:
            self._give_back(None)
            raise StoreError("l'exécuteur de requêtes n'a pas pu démarrer") from None

    def try_borrow(self) -> _Worker | None:
        """An idle worker at once, or None (none idle: the caller takes the waiting path)."""
        with self._lock:
            return self._idle.pop() if self._idle else None

    def give_back(self, worker: _Worker, elapsed_ms: float) -> None:
        """A worker back from a job run outside ``run``; retired as ``run`` does when a heavy answer left it large."""
        if elapsed_ms >= self.heavy_ms and worker.rss_mb() > self.retire_mb:
            self.discard(worker)
            self._replace()
        else:
            self._give_back(worker)

    def discard(self, worker: _Worker) -> None:
        """A worker that died or was killed: its place is free (a fresh one starts when needed)."""
        worker.kill()
        self._give_back(None)

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
        ``as_json``: the SPARQL JSON document (bytes) of a SELECT or ASK instead of a Result."""
        timeout = self.timeout if timeout is None else timeout
        worker = self._borrow()
        retired = False
        try:
            start = time.monotonic()
            worker.send(json.dumps({"path": path, "limit": limit}).encode("utf-8") + b"\n" + query.encode("utf-8"))
            reply = worker.receive(start + timeout)
            if reply is None:
                worker.kill()
                worker, retired = None, True
                raise QueryTimeout(f"la requête a dépassé la limite de {timeout:g} s et a été arrêtée")
            kind, body = reply[:1], reply[1:]
            if (time.monotonic() - start) * 1000 >= self.heavy_ms and worker.rss_mb() > self.retire_mb:
                worker.kill()
                worker = None
                retired = True
            if kind == b"E":
                raise StoreError(body.decode("utf-8", "replace"))
            if as_json and kind == b"J":
                return body
            result = to_result(kind, body)
            result.elapsed_ms = (time.monotonic() - start) * 1000
            return result
        except (EOFError, OSError, ValueError):
            if worker is not None:
                worker.kill()
                worker = None
            raise StoreError("l'exécuteur de requêtes s'est arrêté ; réessayez") from None
        finally:
            self._give_back(worker)
            if retired:
                self._replace()

    def _replace(self) -> None:
        """A fresh worker in place of one that a large answer left large (the allocator and Oxigraph keep what it
        took; a new process gives it all back), started in the background so that nobody waits for it."""
        def replace() -> None:
            with self._lock:
                if self._started >= self.size:
                    return
                self._started += 1
            try:
                fresh = _Worker()
            except OSError:
                fresh = None
            self._give_back(fresh)

        threading.Thread(target=replace, name="kg-query-worker", daemon=True).start()

    def close(self) -> None:
        with self._lock:
            for worker in self._idle:
                worker.kill()
            self._idle.clear()
            self._started = 0
