"""The query library: queries/*.rq with a ``#+`` YAML header; parameters bound as RDF terms, never pasted."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.dates import form_date
from kg.graph import period
from kg.namespaces import BASE, KG
from kg.source import fold_key
from kg.store import OxigraphStore, Result, Store
from kg.terms import TermError, check_iri

QUERIES = Path(__file__).resolve().parent.parent / "queries"
PARAM_TYPES = ("entity", "integer", "date", "enum", "string", "search", "iri", "programme")
ENTITY_TYPES = ("organisation", "personne", "loi", "outil", "territoire", "publication", "evenement")
PROGRAMME_COLUMN = "programme_id"  # a fiche-bearing answer's programme (its identifier, e.g. rtes-2024)
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def shown(value: str, width: int = 60) -> str:
    """A user's value as it may appear in a one-line message: control characters escaped, long values cut."""
    text = json.dumps(value, ensure_ascii=False)[1:-1]
    return text if len(text) <= width else text[: width - 1] + "…"


class QueryError(Exception):
    """A named query that cannot run as asked: unknown name, bad parameter, ambiguous entity."""


@dataclass
class Param:
    name: str
    type: str
    var: str
    required: bool = False
    default: str | None = None
    example: str | None = None
    description: str = ""
    values: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    bound: str = "start"
    label: str = ""  # the form's French label; the name itself when the header gives none

    def title(self) -> str:
        return self.label or self.name


@dataclass
class NamedQuery:
    name: str
    summary: str
    summary_en: str
    description: str
    params: list[Param]
    columns: list[str]
    text: str
    path: Path
    index: str | None = None  # "search": may be answered from kg.search's index (same rows, same order)
    labels: dict[str, str] = field(default_factory=dict)  # column -> French header (JSON keeps the names)
    show: dict[str, str] = field(default_factory=dict)  # column -> the column whose text people read for it
    lists: list[str] = field(default_factory=list)  # GROUP_CONCAT columns ("|"-separated), sorted and joined here
    sparse_labels: dict[str, str] = field(default_factory=dict)  # columns added after ``columns`` (with their French
    # header) only in an answer where some row gives them a value
    varying_labels: dict[str, str] = field(default_factory=dict)  # columns shown (first) only in an answer
    # where they take several values: the programme, once an answer spans several programmes

    @property
    def varying(self) -> list[str]:
        return list(self.varying_labels)

    @property
    def sparse(self) -> list[str]:
        return list(self.sparse_labels)

    def label(self, column: str) -> str:
        """The French header of a column; its name when the header gives none."""
        return self.labels.get(column) or self.sparse_labels.get(column) or self.varying_labels.get(column) or column


def parse_query_file(path: Path) -> NamedQuery:
    """Read one .rq file and its ``#+`` header."""
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line[3:] if line.startswith("#+ ") else line[2:]
                       for line in text.splitlines() if line.startswith("#+"))
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        raise QueryError(f"{path.name}: en-tête #+ illisible : {exc}") from None
    params = []
    # a parameter without a label of its own reads as the column it is named after
    column_labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    for name, spec in (meta.get("params") or {}).items():
        spec = spec or {}
        if spec.get("type") not in PARAM_TYPES:
            raise QueryError(f"{path.name}: paramètre {name} : type inconnu {spec.get('type')!r}")
        params.append(Param(name=name, type=spec["type"], var=spec.get("var", name),
                            required=bool(spec.get("required")), default=spec.get("default"),
                            example=None if spec.get("example") is None else str(spec["example"]),
                            description=spec.get("description", ""), values=[str(v) for v in spec.get("values") or []],
                            kinds=list(spec.get("kinds") or []), bound=spec.get("bound", "start"),
                            label=str(spec.get("label") or column_labels.get(name)
                                      or column_labels.get(spec.get("var", name)) or "")))
    for key in ("summary", "columns"):
        if key not in meta:
            raise QueryError(f"{path.name}: l'en-tête #+ doit donner « {key} »")
    columns = list(meta["columns"])
    sparse_labels = meta.get("sparse") or {}  # column -> French header, like « labels »
    if not isinstance(sparse_labels, dict):
        raise QueryError(f"{path.name}: « sparse » doit être une table colonne: en-tête")
    sparse = [str(c) for c in sparse_labels]
    varying_labels = meta.get("varying") or {}  # column -> French header
    if not isinstance(varying_labels, dict) or set(map(str, varying_labels)) & set(columns + sparse):
        raise QueryError(f"{path.name}: « varying » doit être une table colonne: en-tête, hors de « columns » et « sparse »")
    extras = {key: meta.get(key) or {} for key in ("labels", "show")}
    for key, mapping in extras.items():
        if not isinstance(mapping, dict):
            raise QueryError(f"{path.name}: « {key} » doit être une table colonne: valeur")
        unknown = sorted(set(mapping) - set(columns))
        if unknown:
            raise QueryError(f"{path.name}: « {key} » nomme des colonnes absentes de « columns » : {', '.join(unknown)}")
    lists = [str(c) for c in meta.get("lists") or []]
    if set(lists) - set(columns):
        raise QueryError(f"{path.name}: « lists » nomme des colonnes absentes de « columns »")
    if set(sparse) & set(columns):
        raise QueryError(f"{path.name}: « sparse » nomme des colonnes déjà dans « columns »")
    return NamedQuery(path.stem, meta["summary"], meta.get("summary_en", ""), meta.get("description", "").strip(),
                      params, columns, text, path, meta.get("index"),
                      labels={str(k): str(v) for k, v in {**extras["labels"], **sparse_labels}.items() if k in columns},
                      sparse_labels={str(k): str(v) for k, v in sparse_labels.items()},
                      varying_labels={str(k): str(v) for k, v in varying_labels.items()},
                      show={str(k): str(v) for k, v in extras["show"].items()}, lists=lists)


_CACHE: dict[Path, tuple[tuple, dict[str, NamedQuery]]] = {}


def load_queries(folder: Path = QUERIES) -> dict[str, NamedQuery]:
    """Every named query, by name (its file name); read again only when a file changes."""
    files = sorted(folder.glob("*.rq"))
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in files)
    cached = _CACHE.get(folder)
    if cached is None or cached[0] != stamp:
        cached = _CACHE[folder] = (stamp, {q.name: q for q in (parse_query_file(p) for p in files)})
    return cached[1]


# --- parameters ---------------------------------------------------------------------------------

ENTITY_LOOKUP = """
PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label ?type ?key WHERE {
  ?entity kg:searchKey ?key ; rdfs:label ?label ; kg:entityType ?type .
}"""

ENTITY_BY_KEY = """
PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?entity ?label ?type ?key WHERE {
  { ?entity kg:searchKey ?key } UNION { ?entity kg:identifier ?key }
  ?entity rdfs:label ?label ; kg:entityType ?type .
}"""

ENTITY_EXISTS = """
PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label ?type WHERE { ?entity rdfs:label ?label ; kg:entityType ?type . }"""


def resolve_entity(store: Store, value: str, kinds: list[str] | None = None) -> tuple[URIRef, str]:
    """A label, alias, identifier or IRI -> (IRI, label); unknown or ambiguous values list candidates."""
    value = value.strip()
    if not value:
        raise QueryError("entité vide : donnez un nom, un sigle ou une IRI")
    allowed = set(kinds or ENTITY_TYPES)
    if re.match(r"^https?://", value):
        try:
            iri = check_iri(value)
        except TermError as exc:
            raise QueryError(str(exc)) from None
        rows = store.query(ENTITY_EXISTS, {"entity": iri}).rows
        rows = [r for r in rows if str(r["type"]) in allowed]
        if not rows:
            raise QueryError(f"aucune entité {'de type ' + '/'.join(sorted(allowed)) + ' ' if kinds else ''}à l'IRI {shown(value)}")
        return iri, str(rows[0]["label"])
    key = fold_key(value)
    for prefix in ("l'", "la ", "le ", "les "):
        if key.startswith(prefix) and len(key) > len(prefix) + 1:
            key = key[len(prefix):]
            break
    rows = store.query(ENTITY_BY_KEY, {"key": Literal(key)}).rows
    found = {r["entity"]: r for r in rows if str(r["type"]) in allowed}
    if len(found) == 1:
        (iri, row), = found.items()
        return iri, str(row["label"])
    everything = [r for r in store.query(ENTITY_LOOKUP).rows if str(r["type"]) in allowed]
    if not found:
        words = key.split()
        found = {r["entity"]: r for r in everything
                 if words and all(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", str(r["key"])) for w in words)}
        if len(found) == 1:
            (iri, row), = found.items()
            return iri, str(row["label"])
    if found:
        names = sorted({f"{r['label']} <{iri}>" for iri, r in found.items()})
        raise QueryError(f"« {shown(value)} » est ambigu ; précisez parmi : " + " ; ".join(names[:10]))
    keys = {str(r["key"]): r for r in everything}
    close = difflib.get_close_matches(key, list(keys), n=5, cutoff=0.6)
    labels = list(dict.fromkeys(str(keys[k]["label"]) for k in close))  # closest first
    hint = " ; entités proches : " + " ; ".join(labels) if labels else ""
    raise QueryError(f"entité inconnue « {shown(value)} »{hint}")


PROGRAMME_IDS = """
PREFIX kg: <https://ess-kg.example/ontologie#>
SELECT ?programme ?id WHERE { ?programme a kg:Programme ; kg:identifier ?id . }"""


PROGRAMME_BY_ID = """
PREFIX kg: <https://ess-kg.example/ontologie#>
SELECT ?programme WHERE { ?programme kg:identifier ?id ; a kg:Programme . }"""


def resolve_programme(store: Store, value: str, name: str = "programme") -> URIRef:
    """A programme id (``rtes-2024``) -> its IRI; an unknown id lists the programmes of the graph.

    The id is looked up as a bound term: listing every programme cost ~10 ms per question at 400 programmes."""
    value = value.strip()
    found = sorted(store.query(PROGRAMME_BY_ID, {"id": Literal(value)}).rows, key=lambda r: str(r["programme"]))
    if found:
        return found[0]["programme"]
    ids = {str(r["id"]): r["programme"] for r in store.query(PROGRAMME_IDS).rows}
    if value in ids:
        return ids[value]
    close = difflib.get_close_matches(value, sorted(ids), n=1)
    hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
    raise QueryError(f"{name} : programme inconnu « {shown(value)} »{hint} ; programmes : {', '.join(sorted(ids))}")


def to_term(param: Param, raw: str, store: Store) -> Node:
    """One raw parameter value -> one RDF term (the only place where user text becomes a term)."""
    if param.type == "programme":
        return resolve_programme(store, raw, param.name)
    if param.type == "entity":
        return resolve_entity(store, raw, param.kinds)[0]
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,12}", raw.strip()):
            raise QueryError(f"{param.name} : un nombre entier est attendu, pas « {shown(raw)} »")
        return Literal(int(raw), datatype=XSD.integer)
    if param.type == "date":
        return Literal(_day(param, raw.strip()), datatype=XSD.date)
    if param.type == "enum":
        if raw not in param.values:
            close = difflib.get_close_matches(raw, param.values, n=1)
            hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
            raise QueryError(f"{param.name} : valeur « {shown(raw)} » non permise{hint} ; valeurs : {', '.join(param.values)}")
        return Literal(raw)
    if param.type == "search":
        key = fold_key(raw)
        if not key:
            raise QueryError(f"{param.name} : texte de recherche vide")
        return Literal(key)
    if param.type == "iri":
        try:
            return check_iri(raw)
        except TermError as exc:
            raise QueryError(f"{param.name} : {exc}") from None
    return Literal(raw)


def _day(param: Param, raw: str) -> str:
    """AAAA, AAAA-MM, AAAA-MM-JJ or French words ("juin 2024", "début 2024", as the question box reads them)
    -> the first or last day of that period, as the parameter's ``bound`` asks."""
    if not DATE.match(raw):
        day = form_date(raw, param.bound) if len(raw) <= 60 else None
        if day is None:
            raise QueryError(f"{param.title()} : date attendue, par exemple « juin 2024 », « 2024 » ou 2024-06-15, "
                             f"pas « {shown(raw)} »")
        return day
    try:
        day = period(raw, end=param.bound == "end")
        dt.date.fromisoformat(day)
    except ValueError:
        raise QueryError(f"{param.title()} : date impossible « {shown(raw)} »") from None
    return day


def bind(query: NamedQuery, raw: dict[str, str], store: Store) -> dict[str, Node]:
    """Check the raw parameters against the header and turn them into RDF terms, keyed by variable."""
    known = {p.name: p for p in query.params}
    for name in raw:
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
            allowed = ", ".join(known) or "aucun"
            raise QueryError(f"{query.name} : paramètre inconnu « {shown(name)} »{hint} ; paramètres : {allowed}")
    bindings: dict[str, Node] = {}
    for param in query.params:
        value = raw.get(param.name)
        if value is None or value == "":
            value = param.default
        if value is None:
            if param.required:
                example = f" (exemple : --param {param.name}={param.example})" if param.example else ""
                raise QueryError(f"{query.name} : le paramètre « {param.name} » est obligatoire{example}")
            continue
        bindings[param.var] = to_term(param, str(value), store)
    return bindings


_RESULTS: "OrderedDict[tuple, Result]" = OrderedDict()
_RESULTS_LOCK = threading.Lock()
RESULT_CACHE = 64  # answers kept per process
RESULT_CACHE_ROWS = 20_000  # larger answers are not kept


def _immutable(store: Store) -> bool:
    """A built store opened read-only never changes: its answers can be remembered (a new build is a new store)."""
    return isinstance(store, OxigraphStore) and store.path is not None and store.read_only


def run(query: NamedQuery, raw: dict[str, str], store: Store, limit: int | None = None) -> Result:
    """Run a named query; the result keeps only the columns its header declares.

    On a read-only built store, answers are remembered per store version: the sorted lists of a large graph
    (entities, events) cost hundreds of milliseconds the first time only."""
    bindings = bind(query, raw, store)
    key = None
    if _immutable(store):
        key = (query.name, query.text, store.version(), limit, tuple(sorted((k, v.n3()) for k, v in bindings.items())))
        with _RESULTS_LOCK:
            if key in _RESULTS:
                _RESULTS.move_to_end(key)
                cached = _RESULTS[key]
                return replace(cached, rows=list(cached.rows), vars=list(cached.vars),
                               extra={**cached.extra, "cached": True})
    result = _answer(query, bindings, store, limit)
    if key is not None and len(result.rows) <= RESULT_CACHE_ROWS:
        with _RESULTS_LOCK:
            _RESULTS[key] = replace(result, rows=list(result.rows), vars=list(result.vars), extra=dict(result.extra))
            while len(_RESULTS) > RESULT_CACHE:
                _RESULTS.popitem(last=False)
    return result


def _answer(query: NamedQuery, bindings: dict[str, Node], store: Store, limit: int | None) -> Result:
    result = None
    if query.index == "search" and "programme" not in bindings:  # the index knows no programmes
        from kg.search import search

        result = search(store, bindings["text"], limit=limit)
    if result is None:
        result = store.query(query.text, bindings, limit=limit)
    columns = query.columns + [c for c in query.sparse if any(row.get(c) is not None for row in result.rows)]
    # first: the programme is the coarsest grouping of the rows (and the fiche queries are ordered by it)
    columns = [c for c in query.varying if len({row.get(c) for row in result.rows} - {None}) > 1] + columns
    if PROGRAMME_COLUMN in query.columns + query.sparse + query.varying:
        # each row's programme, shown or not: a fiche number links to that programme's fiche (kg/tables.py)
        result.extra["programmes"] = [None if row.get(PROGRAMME_COLUMN) is None else str(row[PROGRAMME_COLUMN])
                                      for row in result.rows]
    result.rows = [{c: _listed(row.get(c)) if c in query.lists else row.get(c) for c in columns}
                   for row in result.rows]
    result.vars = columns
    result.extra["bindings"] = bindings
    result.extra["labels"] = {c: query.label(c) for c in columns}
    result.extra["show"] = dict(query.show)
    return result


def _listed(term: Node | None) -> Node | None:
    """A GROUP_CONCAT cell ("12|2|4") -> "2, 4, 12": sorted here so that every store answers the same."""
    if term is None:
        return None
    parts = sorted(set(str(term).split("|")) - {""}, key=lambda s: (0, int(s), "") if s.isdigit() else (1, 0, s.casefold()))
    return Literal(", ".join(parts)) if parts else None


__all__ = ["BASE", "KG", "NamedQuery", "Param", "QueryError", "bind", "load_queries", "resolve_entity", "run"]
