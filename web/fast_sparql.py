"""/sparql's common case in `kg serve` without a waitress thread: the loop hands the query to a worker, which
answers on the client's socket itself and keeps the connection for the client's next requests.

waitress reads a request in its loop, then wakes one of its threads, which (through web/lean.py) wakes a query
worker, which wakes the thread again, which sends the answer: two wake-ups more than a bare Oxigraph server,
most of the fixed cost of a small query. Here, for a GET /sparql (HTTP/1.1, kept alive) that web/lean.py
would answer — SPARQL JSON wanted, a SELECT or an ASK that passes web/guard.py — the loop itself sends the job
to an idle worker of the same pool with the client's socket; the worker writes the whole HTTP answer (the
headers web/lean.py sends), then reads and answers the client's next requests of the same kind itself
(kg/http_worker.py), and hands the connection back (with the bytes it read and did not answer) on anything
else, after a silence, or when the pool needs the worker for another client. The time limit stays hard: a
kernel timer ends the worker at each query's limit, and the loop answers 503. Anything else (no idle worker,
another method or format, a refusal to write, a remote store) takes waitress's usual path.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from typing import Any

from kg.http_worker import KEEP_IDLE_S, RELEASE, http_text
from kg.sandbox import QueryPool
from web.guard import QueryRefused, check_query
from web.lean import JSON_TYPE, LeanSparql

LOG = logging.getLogger("kg.fast_sparql")


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
        self._head: bytes | None = None
        self.waiting: dict[int, Waiting] = {}  # the jobs at workers, by the worker's socket
        self.taken = 0  # requests answered this way (the tests look)
        self.keep_idle_s = KEEP_IDLE_S  # how long a worker keeps a silent connection
        self._current = os.path.join(str(app.extensions["kg_store"].dist), "current")
        self._where: tuple | None = None  # (dist/current's target, (pool, store path))
        self.reading = self.deferred = None  # the channel whose bytes waitress is parsing; its request to start
        server.add_task = self.add_task
        server.channel_class = reading_channel(server.channel_class, self)

    def add_task(self, channel) -> None:
        if channel is self.reading:  # its request starts once waitress has parsed all the bytes it read
            self.deferred = channel  # (a worker keeps the connection only when nothing else was read ahead)
            return
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
        keep = len(channel.requests) == 1 and channel.request is None  # nothing read ahead on it
        job = json.dumps({"path": path, "limit": config["ROW_LIMIT"], "http": self._http_head(), "timeout": timeout,
                          "keep": keep, "keep_idle_s": self.keep_idle_s, "accept": request.headers.get("ACCEPT"),
                          "current": self._current if self._where else None, "retire_mb": pool.retire_mb,
                          "build": self._where[0] if self._where else None,
                          "max_length": int(config.get("MAX_QUERY_LENGTH", 20_000)),
                          "allowlist": list(config.get("SERVICE_ALLOWLIST") or ())}).encode("utf-8")
        self.taken += 1  # before the worker may answer
        try:
            worker.send(job + b"\n" + query.encode("utf-8"), client=channel.socket.fileno())
        except OSError:
            self.taken -= 1
            pool.discard(worker)
            return False
        waiting = Waiting(self, channel, pool, worker, timeout)
        self.server._map[worker.recv_fd] = self.waiting[worker.recv_fd] = waiting
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
        if public is not None:
            public[0].reclaim = self.reclaim  # a thread waiting for a worker asks a kept connection's back
        self._where = (link, public) if link is not None and public is not None else None
        return public

    def _collect(self) -> bool:
        """Take in the replies already there (a worker that just answered, whose reply the loop has not read yet:
        it comes after the client's next request in the loop's order); whether there were any."""
        ready = [waiting for waiting in list(self.waiting.values()) if waiting.worker.poll.poll(0)]
        for waiting in ready:
            waiting.handle_read_event()
        return bool(ready)

    def reclaim(self) -> bool:
        """Ask one worker that keeps a client's connection for it back (any thread); whether one was asked."""
        return any(waiting.release() for waiting in list(self.waiting.values()))

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


def reading_channel(base, fast: FastSparql):
    """waitress's channel class, telling ``fast`` while it parses what it read (see FastSparql.add_task)."""

    class ReadingChannel(base):
        def received(self, data):
            fast.reading = self
            try:
                return super().received(data)
            finally:
                fast.reading = None
                if fast.deferred is self:
                    fast.deferred = None
                    fast.add_task(self)

    return ReadingChannel


class Waiting:
    """A connection at a worker, in waitress's loop map until the worker hands it back (or dies)."""

    accepting = False

    def __init__(self, fast: FastSparql, channel, pool: QueryPool, worker, timeout: float):
        self.fast, self.channel, self.pool, self.worker = fast, channel, pool, worker
        self.request = channel.requests[0]
        self.timeout = timeout
        self.lock = threading.Lock()
        self.done = self.released = False

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def release(self) -> bool:
        """Ask the worker to hand the connection back after its current answer (any thread); whether it was
        asked now."""
        with self.lock:
            if self.done or self.released:
                return False
            self.released = True
        try:
            self.worker.send(RELEASE)
        except OSError:
            pass
        return True

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
        if reply is None or reply[:1] not in (b"K", b"E"):
            self.pool.discard(self.worker)  # ended: killed by its own timer at the time limit, or a crash
            if self.worker.process.returncode == -signal.SIGALRM:
                message = f"la requête a dépassé la limite de {self.timeout:g} s et a été arrêtée"
                self.fast.finish(self.channel, self.request, http_text(503, message, close=True), close=True)
            else:
                message = "l'exécuteur de requêtes s'est arrêté ; réessayez"
                self.fast.finish(self.channel, self.request, http_text(400, message, close=True), close=True)
        elif reply[:1] == b"E":
            self.pool.give_back(self.worker, 0.0)
            self.fast.finish(self.channel, self.request, http_text(400, reply[1:].decode("utf-8", "replace")))
        else:
            line, _, rest = reply[1:].partition(b"\n")
            report = json.loads(line)
            self.pool.give_back(self.worker, report["slowest_ms"])
            self.fast.taken += report["served"] - 1  # the first was counted when it was sent
            unsent, unread = rest[:report["unsent"]], rest[report["unsent"]:]
            self.fast.finish(self.channel, self.request, unsent, close=report["closed"])
            if unread and not report["closed"] and self.channel.connected:
                self.channel.received(unread)  # the requests the worker left to waitress

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
        """The worker's reply frame, or None when it died (at its time limit, or a crash)."""
        try:
            return self.worker.receive(time.monotonic() + 5)
        except (EOFError, OSError):
            return None


__all__ = ["install"]
