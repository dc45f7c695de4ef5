"""/sparql's common case answered before Flask's dispatch: a SELECT or ASK wanted in SPARQL JSON.

A WSGI middleware in front of the Flask app. It answers GET and POST /sparql when the client wants SPARQL JSON
(no HTML, no ``format`` parameter) and the query is a SELECT or an ASK: the same checks (web/guard.py), the
same worker (time limit, row cap: kg/sandbox.py), the same French errors and headers as web/sparql.py, without
building a request context, routing, content negotiation objects or a Response. Everything else (the HTML
form, the other formats, CONSTRUCT and DESCRIBE, the service description, oversize or multipart bodies, every
other path) goes on to Flask untouched, before any query has run.
"""

from __future__ import annotations

import io
import time
from functools import lru_cache
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from kg.memory import release_free_memory
from kg.sandbox import QueryTimeout
from kg.store import StoreError
from kg.terms import TermError
from web.guard import QueryRefused, check_query
from web.sparql import GRAPH_TYPES, SELECT_TYPES, UPDATE_REFUSED

JSON_TYPE = "application/sparql-results+json"
FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"


@lru_cache(maxsize=256)
def wants_json(accept: str) -> bool:
    """Whether an Accept header asks for SPARQL JSON rather than the HTML form or another format: the choice
    web/sparql.py makes with Flask's ``accept_mimetypes`` (same parser), remembered per distinct header."""
    offered = parse_accept_header(accept, MIMEAccept)
    if offered.best_match(["text/html"] + SELECT_TYPES + GRAPH_TYPES) == "text/html":
        return False
    return offered.best_match(SELECT_TYPES, default=JSON_TYPE) in (JSON_TYPE, "application/json")


def security_headers(app) -> list[tuple[str, str]]:
    """The headers the app's after_request hooks add to a plain answer, read once from the app itself."""
    with app.test_request_context("/"):
        response = app.process_response(app.response_class(b""))
    return [(k, v) for k, v in response.headers.items() if k not in ("Content-Type", "Content-Length")]


class LeanSparql:
    """``app.wsgi_app = LeanSparql(app, app.wsgi_app)``: SPARQL JSON answers before Flask, the rest to Flask."""

    def __init__(self, app, wsgi_app: Callable):
        self.app = app
        self.next = wsgi_app
        self.config = app.config
        self._headers: list[tuple[str, str]] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/sparql" or environ.get("kg.warm_up"):
            return self.next(environ, start_response)
        try:
            query = self._query(environ)
        except QueryRefused as exc:
            return self._text(start_response, exc.status, exc.message)
        if query is None:
            return self.next(environ, start_response)
        started = time.perf_counter()
        try:
            form = check_query(query, self.config)
            if form not in ("SELECT", "ASK"):
                return self.next(environ, start_response)  # a graph: Flask chooses its format
            answer = self.app.extensions["kg_store"].run_public(
                query, limit=self.config["ROW_LIMIT"], timeout=float(self.config["QUERY_TIMEOUT"]),
                workers=int(self.config["QUERY_WORKERS"]), as_json=True)
        except QueryTimeout as exc:
            return self._text(start_response, 503, str(exc))
        except QueryRefused as exc:
            return self._text(start_response, exc.status, exc.message)
        except (StoreError, TermError) as exc:
            return self._text(start_response, 400, str(exc))
        headers = [("Content-Type", JSON_TYPE), ("Content-Length", str(len(answer)))]
        if answer.endswith(b', "truncated": true}'):  # the worker's last key (kg/sandbox.py:json_answer)
            headers.append(("X-Truncated", "true"))
        start_response("200 OK", headers + self._security())
        release_free_memory((time.perf_counter() - started) * 1000, wait=False)  # as web/__init__.py's teardown
        return [answer]

    def _query(self, environ: dict[str, Any]) -> str | None:
        """The query text when this request is one the lean path answers; None to hand it to Flask."""
        if not wants_json(environ.get("HTTP_ACCEPT", "*/*")):
            return None
        method = environ.get("REQUEST_METHOD")
        if method == "GET":
            params = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True, errors="replace")
        elif method == "POST":
            mimetype = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
            if mimetype not in (QUERY_TYPE, FORM_TYPE) or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
                return None
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return None
            if length > int(self.config["MAX_CONTENT_LENGTH"] or 0):
                return None  # Flask answers 413
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)  # readable again if Flask gets the request after all
            text = body.decode("utf-8", "replace")
            if mimetype == QUERY_TYPE:
                return text if text and "format" not in parse_qs(environ.get("QUERY_STRING", "")) else None
            params = parse_qs(text, keep_blank_values=True, errors="replace")
            if "update" in params:
                raise QueryRefused(403, UPDATE_REFUSED)
            if "format" in parse_qs(environ.get("QUERY_STRING", "")):
                return None
        else:
            return None
        if method == "GET" and "update" in params:
            raise QueryRefused(403, UPDATE_REFUSED)
        if "format" in params or not params.get("query", [""])[0]:
            return None
        return params["query"][0]

    def _security(self) -> list[tuple[str, str]]:
        if self._headers is None:
            self._headers = security_headers(self.app)
        return self._headers

    def _text(self, start_response: Callable, status: int, message: str) -> list[bytes]:
        """A refusal as web/sparql.py writes it: one French line, plain text."""
        body = (message + "\n").encode("utf-8")
        reason = {400: "BAD REQUEST", 403: "FORBIDDEN", 413: "REQUEST ENTITY TOO LARGE", 503: "SERVICE UNAVAILABLE"}
        start_response(f"{status} {reason.get(status, 'ERROR')}",
                       [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
                       + self._security())
        return [body]


__all__ = ["LeanSparql", "wants_json"]
