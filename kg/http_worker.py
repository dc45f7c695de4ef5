"""A query worker's side of /sparql's fast path (web/fast_sparql.py): it answers the request the server handed it
on the client's socket, then keeps the connection and reads the client's next requests itself.

A request the worker answers alone is a kept-alive ``GET /sparql?query=…`` in HTTP/1.1 with no body, the same
``Accept`` header as the first one (the server judged it: SPARQL JSON wanted), no ``format`` or ``update``
parameter, and a SELECT or ASK that kg/query_guard.py accepts, on the same build (``dist/current``). Anything
else, the client's silence for ``KEEP_IDLE_S``, an answer the socket did not take at once, a worker grown large,
or the server asking for the worker back (a ``release`` frame): the worker hands the connection back with what
it read and did not answer, and the server's usual path goes on from there. The time limit is the kernel's: a
timer armed for each query (``setitimer``) whose signal, SIGALRM, ends the process (its default action); the
server sees its end and answers 503.
"""

from __future__ import annotations

import json
import os
import select
import signal
import time
from email.utils import formatdate
from urllib.parse import parse_qs

from kg.memory import release_free_memory
from kg.query_guard import QueryRefused, check_public
from kg.sparql_form import StoreError

KEEP_IDLE_S = 1.0  # how long a worker waits for the client's next request before handing the connection back
MAX_HEAD = 16384  # a request head longer than this goes back to the server
RELEASE = b"release"  # the server's frame asking for the worker back
HEAVY_MS = 20.0  # after an answer this slow, the worker looks at its size
REASONS = {400: "Bad Request", 503: "Service Unavailable"}


def http_answer(head: bytes, body: bytes) -> bytes:
    """The whole HTTP answer of a SPARQL JSON document: ``head`` (status line and fixed headers), its length,
    its date, ``X-Truncated`` when the row cap cut it (as web/lean.py does), then the body."""
    extra = b"X-Truncated: true\r\n" if body.endswith(b', "truncated": true}') else b""
    return b"".join([head, b"Content-Length: %d\r\nDate: " % len(body), http_date(), b"\r\n", extra, b"\r\n", body])


_DATE = [0, b""]


def http_date() -> bytes:
    """The Date header's value, written once a second."""
    now = int(time.time())
    if _DATE[0] != now:
        _DATE[:] = [now, formatdate(now, usegmt=True).encode("ascii")]
    return _DATE[1]


def http_text(status: int, message: str, close: bool = False) -> bytes:
    """A refusal as web/lean.py writes it (one French line, plain text), as a whole HTTP answer; ``close``: the
    connection ends after it."""
    body = (message + "\n").encode("utf-8")
    return (f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n" + ("Connection: close\r\n" if close else "") + "\r\n"
            ).encode("latin-1") + body


def send_to_client(fd: int, data: bytes) -> bytes:
    """Write ``data`` on the client's (non-blocking) socket; what it did not take now, for the server to send."""
    try:
        sent = os.write(fd, data)
    except BlockingIOError:
        return data
    except OSError:  # the client left: nothing more to send
        return b""
    return data[sent:]


def timed(answer, store, query: str, limit, timeout: float | None):
    """``answer(store, query, limit)`` under a kernel timer: past ``timeout`` seconds, SIGALRM ends the process."""
    if timeout:
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return answer(store, query, limit)
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)


def serve_client(answer, store, spec: dict, query: str, client: int, control: int) -> bytes:
    """Answer ``query`` and the client's next requests on ``client``; the hand-back frame for the server:
    ``K``, a JSON line (requests answered, whether the client left, the slowest answer in ms, how many bytes
    follow that are still to send to the client) then those bytes and the client's bytes not answered."""
    head, limit, timeout = spec["http"].encode("latin-1"), spec["limit"], spec.get("timeout")
    reader = Reader(client, control, spec) if spec.get("keep") else None
    served, slowest, closed, unsent = 0, 0.0, False, b""
    while True:
        started = time.perf_counter()
        try:
            kind, body = timed(answer, store, query, limit, timeout)
            out = http_answer(head, body) if kind == b"J" else http_text(400, "réponse JSON impossible")
        except StoreError as exc:
            out = http_text(400, str(exc))
        except Exception as exc:  # noqa: BLE001 - the worker must answer whatever happens
            out = http_text(400, f"erreur inattendue : {exc}")
        body = None
        elapsed = (time.perf_counter() - started) * 1000
        served += 1
        slowest = max(slowest, elapsed)
        unsent = send_to_client(client, out)
        out = None
        if elapsed >= HEAVY_MS:
            release_free_memory(elapsed)
            if rss_mb() > spec.get("retire_mb", 64):
                break  # the server replaces a worker grown large
        if unsent or reader is None:
            break
        query = reader.next_query()
        if query is None:
            closed = reader.closed
            break
    rest = reader.pending if reader is not None else b""
    line = json.dumps({"served": served, "closed": closed, "slowest_ms": round(slowest, 3), "unsent": len(unsent)})
    return b"K" + line.encode("ascii") + b"\n" + unsent + rest


class Reader:
    """The client's next requests, read by the worker; None (and the bytes read kept in ``pending``) for anything
    the worker does not answer alone."""

    def __init__(self, client: int, control: int, spec: dict):
        self.client, self.control = client, control
        self.accept, self.idle_s = spec.get("accept"), float(spec.get("keep_idle_s", KEEP_IDLE_S))
        self.current, self.build = spec.get("current"), spec.get("build")
        self.max_length, self.allowlist = int(spec.get("max_length", 20_000)), tuple(spec.get("allowlist") or ())
        self.checks = (self.accept, self.max_length, self.allowlist)  # what a remembered head was judged by
        self.pending = b""
        self.closed = False
        self.poll = select.poll()
        self.poll.register(client, select.POLLIN)
        self.poll.register(control, select.POLLIN)

    def next_query(self) -> str | None:
        end = self.pending.find(b"\r\n\r\n")
        deadline = None
        while end < 0:
            if len(self.pending) > MAX_HEAD:
                return None
            if deadline is None:
                deadline = time.monotonic() + self.idle_s
            left = deadline - time.monotonic()
            ready = self.poll.poll(max(0, int(left * 1000))) if left > 0 else []
            if not ready or any(fd == self.control for fd, _ in ready):
                return None  # silence, or the server wants the worker back (its frame is read in serve())
            try:
                data = os.read(self.client, 65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return None
            self.pending += data
            end = self.pending.find(b"\r\n\r\n")
        head = self.pending[:end]
        query = KNOWN.get((head, self.checks))
        if query is None:
            query = self._query(head)
            if query is not None and len(head) <= 8192:
                if len(KNOWN) >= 256:
                    KNOWN.clear()
                KNOWN[(head, self.checks)] = query
        if query is not None and self.current is not None and not self._same_build():
            query = None  # a new build: the server opens it
        if query is not None:
            self.pending = self.pending[end + 4:]
        return query

    def _query(self, head: bytes) -> str | None:
        """The query of a request head the worker answers alone, else None."""
        if head.count(b"\n") != head.count(b"\r\n") or head.count(b"\r") != head.count(b"\r\n") or b"\0" in head:
            return None  # a lone CR or LF: lines the server's parser may cut otherwise
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or parts[0] != "GET" or parts[2] != "HTTP/1.1" or not parts[1].startswith("/sparql?") \
                or "#" in parts[1]:
            return None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            name = name.strip().lower()
            if not colon or not name or name in headers or line[:1] in (" ", "\t"):
                return None  # folded or repeated headers: the server's parser decides
            headers[name] = value.strip()
        if (headers.get("accept") != self.accept or headers.get("content-length", "0") != "0"
                or "transfer-encoding" in headers or "expect" in headers or "upgrade" in headers
                or "close" in headers.get("connection", "").lower()):
            return None
        params = parse_qs(parts[1][len("/sparql?"):], keep_blank_values=True, errors="replace")
        text = params.get("query", [""])[0]
        if "update" in params or "format" in params or not text:
            return None
        try:
            if check_public(text, self.max_length, self.allowlist) not in ("SELECT", "ASK"):
                return None
        except QueryRefused:
            return None
        return text

    def _same_build(self) -> bool:
        try:
            return os.readlink(self.current) == self.build
        except OSError:
            return False


KNOWN: dict[tuple, str] = {}  # request heads already judged (a client repeats its queries) -> their query text


def rss_mb() -> float:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


__all__ = ["RELEASE", "http_answer", "http_text", "serve_client"]
