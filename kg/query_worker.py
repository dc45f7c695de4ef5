"""The process that runs the public's queries (``python -m kg.query_worker``): pyoxigraph and the standard
library only, no rdflib (a smaller process, a faster start); killed by kg/sandbox.py past its time limit.

Frames on stdin and stdout: a 4-byte big-endian length, then the bytes. A job is a JSON header line
(path, limit, mode) and the query text; the answer is one kind byte and a body: ``J`` a SPARQL 1.1 Query
Results JSON document (SELECT, ASK), ``G`` the triples of a CONSTRUCT or DESCRIBE as JSON, ``E`` an error
message in French.
"""

from __future__ import annotations

import json
import os
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


def answer(store: "ox.Store", query: str, limit: int | None) -> tuple[bytes, bytes]:
    """(kind, body) of a query: ``J`` and SPARQL JSON for SELECT and ASK (``"truncated": true``, its last key,
    past ``limit`` rows), ``G`` and ``{"triples": [[s, p, o]…], "truncated": …}`` for a graph."""
    form = query_form(query)
    try:
        result = store.query(query)
        if form == "ASK":
            return b"J", json.dumps({"head": {}, "boolean": bool(result)}).encode("utf-8")
        if form in ("CONSTRUCT", "DESCRIBE"):
            triples, truncated = capped(result, limit, lambda t: [term_json(t.subject), term_json(t.predicate),
                                                                  term_json(t.object)])
            return b"G", json.dumps({"triples": triples, "truncated": truncated}, ensure_ascii=False).encode("utf-8")
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
    """Answer jobs until the parent closes the pipe."""
    stores: dict[str, ox.Store] = {}
    while True:
        job = read_frame(read_fd)
        if job is None:
            return
        header, _, text = job.partition(b"\n")
        try:
            spec = json.loads(header)
            path = spec["path"]
            if path not in stores:
                stores.clear()  # a new build: let the old one go
                stores[path] = ox.Store.read_only(path)
            started = time.perf_counter()
            kind, body = answer(stores[path], text.decode("utf-8"), spec["limit"])
            write_frame(write_fd, kind + body)
            del body
            release_free_memory((time.perf_counter() - started) * 1000)
        except StoreError as exc:
            write_frame(write_fd, b"E" + str(exc).encode("utf-8"))
        except Exception as exc:  # noqa: BLE001 - the worker must answer whatever happens
            write_frame(write_fd, b"E" + f"erreur inattendue : {exc}".encode("utf-8"))


if __name__ == "__main__":
    answers = os.dup(sys.stdout.fileno())  # the frames' own descriptor: a stray print goes to stderr
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin.fileno(), answers)
