"""The process that runs the public's queries (``python -m kg.query_worker``): pyoxigraph and the standard
library only, no rdflib (a smaller process, a faster start); killed by kg/sandbox.py past its time limit (on
/sparql's fast path, ended by its own timer: kg/http_worker.py).

Frames on a Unix socket (stdin and stdout): a 4-byte big-endian length, then the bytes. A job is a JSON header
line (path, limit) and the query text; the answer is one kind byte and a body: ``J`` a SPARQL 1.1 Query Results
JSON document (SELECT, ASK), ``G`` the triples of a CONSTRUCT or DESCRIBE as JSON, ``E`` an error message in
French. A job may come with the client's socket (web/fast_sparql.py) and the head of an HTTP answer (``http``):
the worker then answers on that socket itself, and the client's next requests too, until it hands the
connection back (kg/http_worker.py: a ``K`` frame).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import struct
import sys
import time

import pyoxigraph as ox

from kg.memory import release_free_memory
from kg.sparql_form import StoreError, capped, query_form

HEADER = struct.Struct(">I")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def term_json(term) -> dict[str, str]:
    """An Oxigraph term as a SPARQL JSON binding."""
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


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
JSON_BUDGET = 2 << 20  # bytes of an answer Oxigraph writes in one go; a larger one is written row by row


class _Budget:
    """A file for Oxigraph's writer that refuses more than ``size`` bytes (a huge answer stops early)."""

    def __init__(self, size: int):
        self.parts: list[bytes] = []
        self.left = size

    def write(self, data) -> int:
        self.left -= len(data)
        if self.left < 0:
            raise OverflowError("réponse trop grande pour être écrite d'un coup")
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def oxigraph_json(solutions: "ox.QuerySolutions", budget: int = JSON_BUDGET) -> bytes | None:
    """The SPARQL JSON document of ``solutions`` written by Oxigraph itself (faster than term by term in Python),
    or None past ``budget`` bytes."""
    out = _Budget(budget)
    try:
        solutions.serialize(out, ox.QueryResultsFormat.JSON)
    except OverflowError:
        return None
    return b"".join(out.parts)


def count_rows(data: bytes) -> int:
    """The rows of a SPARQL JSON document as Oxigraph writes it (compact): with its strings taken out, each row
    opens with ``[{`` (the first) or ``,{`` (a term opens with ``:{``)."""
    bare = _JSON_STRING.sub(b"", data)
    return bare.count(b",{") + (b"[{" in bare)


def answer(store: "ox.Store", query: str, limit: int | None) -> tuple[bytes, bytes]:
    """(kind, body) of a query: ``J`` and SPARQL JSON for SELECT and ASK (Oxigraph's own up to ``limit`` rows;
    past them, the first ``limit`` rows and ``"truncated": true``, its last key), ``G`` and
    ``{"triples": [[s, p, o]…], "truncated": …}`` for a graph."""
    form = query_form(query)
    try:
        result = store.query(query)
        if form == "ASK":
            return b"J", json.dumps({"head": {}, "boolean": bool(result)}).encode("utf-8")
        if form in ("CONSTRUCT", "DESCRIBE"):
            triples, truncated = capped(result, limit, lambda t: [term_json(t.subject), term_json(t.predicate),
                                                                  term_json(t.object)])
            return b"G", json.dumps({"triples": triples, "truncated": truncated}, ensure_ascii=False).encode("utf-8")
        data = oxigraph_json(result)
        # each row but the first opens with ",{" (strings may hold more): under the cap at a glance, most often
        if data is not None and (limit is None or data.count(b",{") < limit or count_rows(data) <= limit):
            return b"J", data
        result = store.query(query)  # past the row cap or the budget: again, row by row, up to the cap
        names = [v.value for v in result.variables]
        rows, truncated = capped(result, limit, lambda solution: {
            name: term_json(term) for name, term in zip(names, solution) if term is not None})
        del result
    except (SyntaxError, ValueError, RuntimeError, OSError) as exc:
        raise StoreError(f"la requête a échoué : {exc}") from None
    doc: dict = {"head": {"vars": names}, "results": {"bindings": rows}}
    if truncated:
        doc["truncated"] = True
    return b"J", json.dumps(doc, ensure_ascii=False).encode("utf-8")


def read_frame(fd: int) -> bytes | None:
    """One frame from ``fd``; None at the end of the stream."""
    head = _read_exactly(fd, HEADER.size)
    if head is None:
        return None
    return _read_exactly(fd, HEADER.unpack(head)[0])


def read_job(sock: socket.socket) -> tuple[bytes | None, int | None]:
    """One frame from the server's socket and the client socket that came with it, if any; (None, None) at the end."""
    head, fds = b"", []
    while len(head) < HEADER.size:
        data, more, _, _ = socket.recv_fds(sock, HEADER.size - len(head), 1)
        if not data:
            for fd in fds + more:
                os.close(fd)
            return None, None
        head += data
        fds += more
    body = _read_exactly(sock.fileno(), HEADER.unpack(head)[0])
    if body is None:
        for fd in fds:
            os.close(fd)
        return None, None
    return body, (fds[0] if fds else None)


def _read_exactly(fd: int, size: int) -> bytes | None:
    chunks, missing = [], size
    while missing:
        chunk = os.read(fd, missing)
        if not chunk:
            return None
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def write_frame(fd: int, data: bytes) -> None:
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def serve(read_fd: int, write_fd: int) -> None:
    """Answer jobs until the server closes the socket."""
    from kg.http_worker import RELEASE, serve_client  # the HTTP side of the fast path (it imports this module)

    stores: dict[str, ox.Store] = {}
    sock = socket.socket(fileno=os.dup(read_fd))
    while True:
        job, client = read_job(sock)
        if job is None:
            return
        if job == RELEASE:  # asked back while it had just handed its connection back: nothing to do
            if client is not None:
                os.close(client)
            continue
        header, _, text = job.partition(b"\n")
        try:
            spec = json.loads(header)
            path = spec["path"]
            if client is not None and spec.get("timeout"):  # opening a new build counts in the first query's time
                signal.setitimer(signal.ITIMER_REAL, spec["timeout"])
            if path not in stores:
                stores.clear()  # a new build: let the old one go
                stores[path] = ox.Store.read_only(path)
            if client is not None and spec.get("http"):
                write_frame(write_fd, serve_client(answer, stores[path], spec, text.decode("utf-8"), client,
                                                   sock.fileno()))
                continue
            started = time.perf_counter()
            kind, body = answer(stores[path], text.decode("utf-8"), spec["limit"])
            write_frame(write_fd, kind + body)
            del body
            release_free_memory((time.perf_counter() - started) * 1000)
        except StoreError as exc:
            write_frame(write_fd, b"E" + str(exc).encode("utf-8"))
        except Exception as exc:  # noqa: BLE001 - the worker must answer whatever happens
            write_frame(write_fd, b"E" + f"erreur inattendue : {exc}".encode("utf-8"))
        finally:
            if client is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
                os.close(client)


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the time limit's timer ends the process (kg/http_worker.py)
    answers = os.dup(sys.stdout.fileno())  # the frames' own descriptor: a stray print goes to stderr
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.fileno(), answers)
