"""One Store interface over three backends: embedded on disk (pyoxigraph), in memory (rdflib), remote SPARQL."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.sparql_form import StoreError, capped, query_form  # noqa: F401 - re-exported: kg.store's names
from kg.terms import values_block


@dataclass
class Result:
    """The same row shape from every store: variable names and rows of rdflib terms (or None)."""

    vars: list[str]
    rows: list[dict[str, Node | None]]
    truncated: bool = False
    boolean: bool | None = None  # for ASK
    graph: Graph | None = None  # for CONSTRUCT / DESCRIBE
    elapsed_ms: float = 0.0
    extra: dict = field(default_factory=dict)


# --- term conversion --------------------------------------------------------------------------

def to_rdflib(term) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise StoreError(f"terme RDF non pris en charge : {term!r}")


class _OxConverter:
    """rdflib -> pyoxigraph terms, remembering the terms already converted.

    Keyed by object identity (the graph builder makes one object per distinct term, so each is converted once);
    the term is kept with its conversion, so an identity is never reused while the converter lives."""

    def __init__(self) -> None:
        self.iris: dict[str, ox.NamedNode] = {}
        self.seen: dict[int, Any] = {}

    def iri(self, value: str) -> ox.NamedNode:
        node = self.iris.get(value)
        if node is None:
            node = self.iris[value] = ox.NamedNode(value)
        return node

    def __call__(self, term: Node):
        known = self.seen.get(id(term))
        if known is None:
            known = self.seen[id(term)] = (term, self._convert(term))
        return known[1]

    def _convert(self, term: Node):
        if isinstance(term, URIRef):
            return self.iri(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype:
                return ox.Literal(str(term), datatype=self.iri(str(term.datatype)))
            return ox.Literal(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        raise StoreError(f"terme RDF non pris en charge : {term!r}")


_PARSE_LOCK = threading.Lock()


class Store:
    """What every backend offers."""

    name = "store"

    def query(self, query: str, bindings: dict[str, Node] | None = None, limit: int | None = None) -> Result:
        raise NotImplementedError

    def version(self) -> str:
        """Changes whenever the data may have changed (a cache key)."""
        return "0"

    def close(self) -> None:
        pass


# --- embedded on disk (and in memory) with pyoxigraph --------------------------------------------

class OxigraphStore(Store):
    """pyoxigraph: the fast engine. ``path=None`` keeps the store in memory."""

    name = "oxigraph"

    def __init__(self, path: str | Path | None = None, read_only: bool = True):
        self.path = Path(path).resolve() if path else None
        self.read_only = read_only and self.path is not None
        if self.path is None:
            self._store = ox.Store()
        elif read_only:
            if not self.path.exists():
                raise StoreError(f"aucun magasin à {self.path} : lancez d'abord « kg build »")
            self._store = ox.Store.read_only(str(self.path))
        else:
            self._store = ox.Store(str(self.path))

    @classmethod
    def from_graph(cls, graph: Graph | Iterable, path: str | Path | None = None) -> "OxigraphStore":
        """A store of an rdflib graph, or of any iterable of rdflib triples."""
        store = cls(path, read_only=False)
        store.add_triples(graph)
        return store

    def add_triples(self, triples) -> None:
        """Bulk-load rdflib triples (converted term by term: much faster than going through N-Triples text)."""
        convert = _OxConverter()
        self._store.bulk_extend(ox.Quad(convert(s), convert(p), convert(o)) for s, p, o in triples)
        self._store.flush()

    @property
    def raw(self) -> "ox.Store":
        """The pyoxigraph store itself, for dumps."""
        return self._store

    def load_file(self, path: Path) -> None:
        """Bulk-load an N-Triples file (parsed and written by Oxigraph alone)."""
        self._store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        self._store.flush()

    def load_ntriples(self, data: bytes) -> None:
        self._store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        self._store.flush()

    def version(self) -> str:
        return str(self.path) if self.path else str(id(self._store))

    def query(self, query: str, bindings: dict[str, Node] | None = None, limit: int | None = None) -> Result:
        form = query_form(query)
        # Parameters go through the one audited VALUES writer (kg/terms.py), as for remote stores:
        # Oxigraph applies `substitutions` after evaluating the pattern (measured at ×10: 34 ms against
        # 0.24 ms with VALUES for fiches-by-entity), while a VALUES block is joined first.
        text = values_block(query, {k: v for k, v in (bindings or {}).items() if v is not None})
        start = time.perf_counter()
        try:
            result = self._collect(form, text, None, limit)
        except (SyntaxError, ValueError, RuntimeError, OSError) as exc:
            raise StoreError(f"la requête a échoué : {exc}") from None
        result.elapsed_ms = (time.perf_counter() - start) * 1000
        return result

    def _collect(self, form: str, query: str, subs, limit: int | None) -> Result:
        """Read the whole answer here: pyoxigraph's iterators must die on the thread that made them."""
        answer = self._store.query(query, substitutions=subs)
        try:
            if form == "ASK":
                return Result([], [], boolean=bool(answer))
            if form in ("CONSTRUCT", "DESCRIBE"):
                g, truncated = Graph(), False
                for n, triple in enumerate(answer):
                    if limit is not None and n >= limit:
                        truncated = True
                        break
                    g.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
                return Result([], [], truncated=truncated, graph=g)
            names = [v.value for v in answer.variables]
            rows, truncated = capped(answer, limit, lambda solution: {name: to_rdflib(solution[name]) for name in names})
            return Result(names, rows, truncated)
        finally:
            del answer

    def triples(self) -> int:
        return len(self._store)


class MemoryStore(Store):
    """rdflib in memory: for tests and small scripts (slow on large graphs)."""

    name = "memory"

    def __init__(self, graph: Graph | None = None):
        self.graph = graph if graph is not None else Graph()

    def query(self, query: str, bindings: dict[str, Node] | None = None, limit: int | None = None) -> Result:
        form = query_form(query)
        start = time.perf_counter()
        try:
            with _PARSE_LOCK:  # rdflib parses with pyparsing, which is not thread-safe
                answer = self.graph.query(query, initBindings={k: v for k, v in (bindings or {}).items() if v is not None})
        except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds
            raise StoreError(f"la requête a échoué : {exc}") from None
        elapsed = (time.perf_counter() - start) * 1000
        if form == "ASK":
            return Result([], [], boolean=bool(answer.askAnswer), elapsed_ms=elapsed)
        if form in ("CONSTRUCT", "DESCRIBE"):
            g = Graph()
            for n, triple in enumerate(answer):
                if limit is not None and n >= limit:
                    return Result([], [], truncated=True, graph=g, elapsed_ms=elapsed)
                g.add(triple)
            return Result([], [], graph=g, elapsed_ms=elapsed)
        names = [str(v) for v in answer.vars]
        rows, truncated = [], False
        for n, row in enumerate(answer):
            if limit is not None and n >= limit:
                truncated = True
                break
            rows.append({name: row[name] for name in names})
        return Result(names, rows, truncated, elapsed_ms=(time.perf_counter() - start) * 1000)

    def version(self) -> str:
        return str(len(self.graph))


# --- any SPARQL 1.1 endpoint ---------------------------------------------------------------------

class RemoteStore(Store):
    """Any SPARQL 1.1 endpoint through SPARQLWrapper; parameters travel as a VALUES block."""

    name = "remote"

    def __init__(self, endpoint: str, timeout: float = 10.0, retries: int = 2, backoff: float = 0.5,
                 agent: str = "kg-ess/0.1 (graphe de l'ESS territoriale)"):
        self.endpoint = endpoint
        self.agent = agent
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def _wrapper(self, query: str, accept: str):
        from SPARQLWrapper import POST, SPARQLWrapper

        sw = SPARQLWrapper(self.endpoint, agent=self.agent)
        sw.setMethod(POST)
        sw.setTimeout(int(max(1, self.timeout)))
        sw.setQuery(query)
        sw.addCustomHttpHeader("Accept", accept)
        sw.setReturnFormat("json" if "json" in accept else "turtle")  # (Accept is ours: no warning about it)
        sw.setOnlyConneg(True)  # no format=json parameter: Virtuoso answers a CONSTRUCT with it by HTTP 406
        return sw

    def _raw(self, query: str, accept: str) -> bytes:
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        last: Exception | None = None
        for attempt in range(self.retries + 1):
            try:
                response = self._wrapper(query, accept).query()
                try:
                    return response.response.read()
                finally:
                    response.response.close()
            except SPARQLWrapperException as exc:
                _close_cause(exc)
                message = str(exc).split("\n")[0]
                if "EndPointInternalError" in type(exc).__name__ or "Unauthorized" in type(exc).__name__:
                    last = exc
                else:
                    raise StoreError(f"le serveur SPARQL {self.endpoint} refuse la requête : {message}") from None
            except urllib.error.HTTPError as exc:
                exc.close()
                last = exc
                if exc.code < 500:
                    raise StoreError(f"le serveur SPARQL {self.endpoint} a répondu HTTP {exc.code}") from None
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
                last = exc
            if attempt < self.retries:
                time.sleep(self.backoff * (2 ** attempt))
        reason = getattr(last, "reason", None) or last
        raise StoreError(f"le serveur SPARQL {self.endpoint} ne répond pas ({reason}) après {self.retries + 1} essai(s)")

    def query(self, query: str, bindings: dict[str, Node] | None = None, limit: int | None = None) -> Result:
        form = query_form(query)
        text = values_block(query, {k: v for k, v in (bindings or {}).items() if v is not None})
        start = time.perf_counter()
        if form in ("CONSTRUCT", "DESCRIBE"):
            data = self._raw(text, "application/n-triples")
            g = Graph()
            try:
                g.parse(data=data, format="nt")
            except Exception as exc:  # noqa: BLE001
                raise StoreError(f"réponse illisible du serveur SPARQL {self.endpoint} : {exc}") from None
            return Result([], [], graph=g, elapsed_ms=(time.perf_counter() - start) * 1000)
        data = self._raw(text, "application/sparql-results+json")
        try:
            doc = json.loads(data)
        except ValueError:
            raise StoreError(f"réponse illisible du serveur SPARQL {self.endpoint} : ce n'est pas du JSON "
                             f"({data[:60]!r}…)") from None
        elapsed = (time.perf_counter() - start) * 1000
        if form == "ASK":
            doc = _ask_as_result_set(doc)
            if "boolean" not in doc:
                raise StoreError(f"réponse illisible du serveur SPARQL {self.endpoint} : pas de booléen")
            return Result([], [], boolean=bool(doc["boolean"]), elapsed_ms=elapsed)
        try:
            names = list(doc["head"]["vars"])
            bindings_list = doc["results"]["bindings"]
        except (KeyError, TypeError):
            raise StoreError(f"réponse illisible du serveur SPARQL {self.endpoint} : résultats SPARQL JSON attendus") from None
        rows, truncated = [], False
        for n, b in enumerate(bindings_list):
            if limit is not None and n >= limit:
                truncated = True
                break
            rows.append({name: _json_term(b.get(name)) for name in names})
        return Result(names, rows, truncated, elapsed_ms=elapsed)

    def publish(self, graph: "Graph | bytes", graph_iri: str | None = None, graph_store: str | None = None,
                user: str | None = None, password: str | None = None) -> None:
        """Replace the endpoint's graph (or the named graph ``graph_iri``) with ours: kg.publish.put_graph."""
        from kg.publish import put_graph

        body = graph if isinstance(graph, bytes) else graph.serialize(format="nt", encoding="utf-8")
        put_graph(self.endpoint, body, graph_iri=graph_iri, graph_store=graph_store, user=user, password=password,
                  timeout=max(self.timeout, 60))


def _ask_as_result_set(doc: dict) -> dict:
    """Virtuoso 7.2.5 (Debian 12) answers ASK with a result set of one ``__ASK_RETVAL`` integer instead of
    SPARQL JSON's ``boolean``: the one workaround this project keeps for a server that is wrong."""
    try:
        if "boolean" not in doc and doc["head"]["vars"] == ["__ASK_RETVAL"]:
            rows = doc["results"]["bindings"]
            return {"boolean": bool(rows) and rows[0]["__ASK_RETVAL"]["value"] not in ("0", "false")}
    except (KeyError, TypeError, IndexError, AttributeError):
        pass
    return doc


def _close_cause(exc: BaseException) -> None:
    """SPARQLWrapper wraps urllib's HTTPError, whose socket stays open unless closed."""
    cause = exc.__context__ or exc.__cause__
    if isinstance(cause, urllib.error.HTTPError):
        cause.close()


def _json_term(b: dict | None) -> Node | None:
    if b is None:
        return None
    kind = b.get("type")
    if kind == "uri":
        return URIRef(b["value"])
    if kind == "bnode":
        return BNode(b["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in b:
            return Literal(b["value"], lang=b["xml:lang"])
        if b.get("datatype") and b["datatype"] != "http://www.w3.org/2001/XMLSchema#string":
            return Literal(b["value"], datatype=URIRef(b["datatype"]))
        return Literal(b["value"])
    raise StoreError(f"terme SPARQL JSON inconnu : {b!r}")


def open_store(spec: str | Path | None = None, dist: str | Path = "dist") -> Store:
    """``None`` or a path: the embedded store (default: the last good build); ``http(s)://…``: a remote endpoint;
    ``memory``: the last good build's graph loaded into rdflib."""
    spec = str(spec) if spec is not None else None
    if spec and spec.startswith(("http://", "https://")):
        return RemoteStore(spec)
    if spec == "memory":
        graph = Graph().parse(Path(dist) / "current" / "graph.nt", format="nt")
        return MemoryStore(graph)
    path = Path(spec) if spec else Path(dist) / "current" / "store"
    return OxigraphStore(path.resolve(), read_only=True)


def iter_terms(result: Result) -> Iterable[Node]:
    for row in result.rows:
        yield from (v for v in row.values() if v is not None)
