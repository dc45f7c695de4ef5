"""/sparql's common case in `kg serve` without a waitress thread: the loop hands the query to a worker, which
answers on the client's socket itself.

waitress reads a request in its loop, then wakes one of its threads, which (through web/lean.py) wakes a query
worker, which wakes the thread again, which sends the answer: two wake-ups more than a bare Oxigraph server,
most of the fixed cost of a small query. Here, for a GET /sparql (HTTP/1.1, kept alive) that web/lean.py
would answer — SPARQL JSON wanted, a SELECT or an ASK that passes web/guard.py — the loop itself sends the job
to an idle worker of the same pool with the client's socket; the worker writes the whole HTTP answer (the
headers web/lean.py sends) and tells the loop, which then reads the connection's next request. The time limit
stays hard: a watchdog thread kills the worker at its deadline and the loop answers 503. Anything else (no
idle worker, another method or format, a refusal to write, a remote store) takes waitress's usual path.
"""

from __future__ import annotations

import heapq
import json
import logging
import os
import threading
import time
from typing import Any

from kg.query_worker import HEADER
from kg.sandbox import QueryPool
from web.guard import QueryRefused, check_query
from web.lean import JSON_TYPE, LeanSparql

LOG = logging.getLogger("kg.fast_sparql")
REASONS = {400: "Bad Request", 503: "Service Unavailable"}


def install(server, app) -> Any:
    """Hook the fast path into a waitress server (``waitress.create_server``) serving ``app``; the server."""
    lean = app.wsgi_app
    if os.environ.get("KG_FAST_SPARQL", "1") == "0":  # off switch: every request takes waitress's usual path
        return server
    if isinstance(lean, LeanSparql) and hasattr(server, "add_task") and hasattr(server, "_map"):  # one socket
        server.fast_sparql = FastSparql(server, app, lean)
    return server


class FastSparql:
    """Takes the requests it can answer from waitress's dispatcher (``server.add_task``) in the loop's thread."""

    def __init__(self, server, app, lean: LeanSparql):
        self.server = server
        self.app = app
        self.lean = lean
        self.dispatch = server.add_task
        self.loop_thread = threading.get_ident()  # install() runs in the thread that then runs the loop
        self.watchdog = Watchdog()
        self._head: bytes | None = None
        self.waiting: dict[int, Waiting] = {}  # the jobs at workers, by the worker's socket
        self.taken = 0  # requests answered this way (the tests look)
        self._current = os.path.join(str(app.extensions["kg_store"].dist), "current")
        self._where: tuple | None = None  # (dist/current's target, (pool, store path))
        server.add_task = self.add_task

    def add_task(self, channel) -> None:
        try:
            taken = threading.get_ident() == self.loop_thread and self._start(channel)
        except Exception:  # noqa: BLE001 - whatever went wrong, waitress's usual path still answers
            LOG.exception("chemin rapide de /sparql")
            taken = False
        if not taken:
            self.dispatch(channel)

    def _start(self, channel) -> bool:
        """Send the channel's first request to an idle worker when the fast path can answer it; whether it did."""
        request = channel.requests[0]
        if (request.command != "GET" or request.path != "/sparql" or request.version != "1.1" or request.error
                or request.connection_close or request.headers.get("CONNECTION", "").lower() == "close"):
            return False
        environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": request.query,
                   "HTTP_ACCEPT": request.headers.get("ACCEPT", "*/*")}
        config = self.app.config
        try:
            query = self.lean._query(environ)
            if query is None or check_query(query, config) not in ("SELECT", "ASK"):
                return False
        except (QueryRefused, ValueError):
            return False  # the usual path writes the refusal
        timeout = float(config["QUERY_TIMEOUT"])
        public = self._public(int(config["QUERY_WORKERS"]), timeout)
        if not public:
            return False
        pool, path = public
        worker = pool.try_borrow() or (pool.try_borrow() if self._collect() else None)
        if worker is None:
            return False  # all busy: a waitress thread waits for one
        job = json.dumps({"path": path, "limit": config["ROW_LIMIT"], "http": self._http_head()}).encode("utf-8")
        self.taken += 1  # before the worker may answer
        try:
            worker.send(job + b"\n" + query.encode("utf-8"), client=channel.socket.fileno())
        except OSError:
            self.taken -= 1
            pool.discard(worker)
            return False
        waiting = Waiting(self, channel, pool, worker, timeout)
        self.server._map[worker.recv_fd] = self.waiting[worker.recv_fd] = waiting
        self.watchdog.watch(waiting)
        return True

    def _public(self, workers: int, timeout: float):
        """(pool, store path) of the open embedded store, or None; remembered while ``dist/current`` points to
        the same build (one readlink instead of the holder's realpath and lock: a new build goes through the
        holder again, and the usual path opens it)."""
        holder = self.app.extensions["kg_store"]
        try:
            link = os.readlink(self._current) if holder.spec is None else None
        except OSError:
            link = None
        if link is not None and self._where is not None and self._where[0] == link:
            return self._where[1]
        store = holder.opened()
        public = holder.public_pool(store, workers, timeout) if store is not None else None
        self._where = (link, public) if link is not None and public is not None else None
        return public

    def _collect(self) -> bool:
        """Take in the replies already there (a worker that just answered, whose reply the loop has not read yet:
        it comes after the client's next request in the loop's order); whether there were any."""
        ready = [waiting for waiting in list(self.waiting.values()) if waiting.worker.poll.poll(0)]
        for waiting in ready:
            waiting.handle_read_event()
        return bool(ready)

    def _http_head(self) -> str:
        """The status line and fixed headers of an answer, as waitress and web/lean.py write them."""
        if self._head is None:
            lines = [("Content-Type", JSON_TYPE), ("Server", self.server.adj.ident or "waitress")]
            lines += self.lean._security()
            self._head = ("HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in lines)).encode("latin-1")
        return self._head.decode("latin-1")

    def finish(self, channel, request, reply: bytes = b"", close: bool = False) -> None:
        """The request is answered (``reply``: bytes still to send): on to the connection's next one, as
        waitress's ``HTTPChannel.service`` ends."""
        if reply and channel.connected:
            channel.write_soon(reply)
        if close:
            channel.close_when_flushed = True
        request.close()
        with channel.requests_lock:
            if channel.requests and channel.requests[0] is request:
                channel.requests.pop(0)
            if channel.current_outbuf_count > 0:
                channel.current_outbuf_count = channel.adj.outbuf_high_watermark
            if channel.connected and channel.requests and not close:
                self.add_task(channel)
            elif (channel.connected and channel.request is not None and channel.request.expect_continue
                  and channel.request.headers_finished and not channel.sent_continue):
                channel.send_continue()
        channel.last_activity = time.time()


class Waiting:
    """A job at a worker, in waitress's loop map until the worker replies (or dies)."""

    accepting = False

    def __init__(self, fast: FastSparql, channel, pool: QueryPool, worker, timeout: float):
        self.fast, self.channel, self.pool, self.worker = fast, channel, pool, worker
        self.request = channel.requests[0]
        self.timeout = timeout
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        self.lock = threading.Lock()
        self.done = self.killed = False

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def kill(self) -> None:
        """The watchdog's: past the deadline, the worker is stopped (the loop then reads its end)."""
        with self.lock:
            if self.done:
                return
            self.killed = True
        try:
            self.worker.process.kill()
        except OSError:
            pass

    def handle_read_event(self) -> None:
        if not self.worker.poll.poll(0):
            return  # a readiness seen for an earlier job on the same socket (taken in by FastSparql._collect)
        with self.lock:
            if self.done:
                return
            self.done = True
        self.fast.server._map.pop(self.worker.recv_fd, None)
        self.fast.waiting.pop(self.worker.recv_fd, None)
        reply = self._read_reply()
        elapsed_ms = (time.monotonic() - self.started) * 1000
        if reply is None or self.killed:
            self.pool.discard(self.worker)
        else:
            self.pool.give_back(self.worker, elapsed_ms)
        if reply is None or not reply[:1] in (b"D", b"R", b"E"):
            if self.killed:
                message = f"la requête a dépassé la limite de {self.timeout:g} s et a été arrêtée"
                self.fast.finish(self.channel, self.request, text(503, message, close=True), close=True)
            else:
                message = "l'exécuteur de requêtes s'est arrêté ; réessayez"
                self.fast.finish(self.channel, self.request, text(400, message, close=True), close=True)
        elif reply[:1] == b"E":
            self.fast.finish(self.channel, self.request, text(400, reply[1:].decode("utf-8", "replace")))
        else:
            self.fast.finish(self.channel, self.request, reply[1:])

    handle_close = handle_expt_event = handle_read_event

    def handle_write_event(self) -> None:  # pragma: no cover - never writable
        pass

    def handle_error(self) -> None:
        LOG.exception("chemin rapide de /sparql")
        self.fast.server._map.pop(self.worker.recv_fd, None)
        self.fast.waiting.pop(self.worker.recv_fd, None)
        with self.lock:
            if self.done:
                return
            self.done = True
        self.pool.discard(self.worker)
        self.channel.close_when_flushed = True

    def _read_reply(self) -> bytes | None:
        """The worker's reply frame, or None when it died (killed at its deadline, or a crash)."""
        try:
            return self.worker.receive(time.monotonic() + 5)
        except (EOFError, OSError):
            return None


def text(status: int, message: str, close: bool = False) -> bytes:
    """A refusal as web/lean.py writes it (one French line, plain text), as a whole HTTP answer; ``close``: the
    connection ends after it (a killed worker may have begun an answer on it)."""
    body = (message + "\n").encode("utf-8")
    return (f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n" + ("Connection: close\r\n" if close else "") + "\r\n"
            ).encode("latin-1") + body


class Watchdog:
    """One thread that kills the workers of jobs past their deadline."""

    PERIOD = 0.25  # seconds between looks when nothing is due sooner

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Waiting]] = []
        self._count = 0
        self._wake_at = 0.0
        self._cond = threading.Condition()
        threading.Thread(target=self._run, name="kg-sparql-watchdog", daemon=True).start()

    def watch(self, waiting: Waiting) -> None:
        with self._cond:
            self._count += 1
            heapq.heappush(self._due, (waiting.deadline, self._count, waiting))
            if waiting.deadline < self._wake_at:  # due before the thread looks again: wake it
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                now = time.monotonic()
                overdue = []
                while self._due and (self._due[0][2].done or self._due[0][0] <= now):
                    overdue.append(heapq.heappop(self._due)[2])
            for waiting in overdue:
                waiting.kill()
            with self._cond:
                now = time.monotonic()
                if self._due and self._due[0][0] <= now:
                    continue
                self._wake_at = min(self._due[0][0], now + self.PERIOD) if self._due else now + self.PERIOD
                self._cond.wait(self._wake_at - now)
                self._wake_at = 0.0  # awake: a new deadline is seen before the next wait

__all__ = ["install"]
