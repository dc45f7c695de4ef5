"""What the public endpoint refuses (updates, outbound requests: SERVICE, remote FROM, Virtuoso pragmas, oversize
queries), with the standard library only: web/guard.py and the query worker (kg/http_worker.py) share it."""

from __future__ import annotations

import re
from typing import Iterable

from kg.sparql_form import StoreError, query_form


class QueryRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


_HIDDEN = re.compile(r"#[^\n]*|<[^<>\s]*>|\"\"\"[\s\S]*?\"\"\"|\'\'\'[\s\S]*?\'\'\'|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")
_KEYWORD = r"(?<![\w:?$])({})(?![\w:])"
_UPDATE = re.compile(_KEYWORD.format("INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH"), re.I)
_SERVICE = re.compile(_KEYWORD.format("SERVICE"), re.I)
_FROM = re.compile(_KEYWORD.format("FROM"), re.I)
_PRAGMA = re.compile(_KEYWORD.format("DEFINE"), re.I)  # Virtuoso's pragmas: not SPARQL, and they reach its sponger
_IRI_AFTER_SERVICE = re.compile(r"(?i)SERVICE\s+(?:SILENT\s+)?<([^<>\s]*)>")


def check_public(query: str, max_length: int, service_allowlist: Iterable[str] = ()) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE) of an acceptable query, or QueryRefused.

    Keywords are looked for outside comments, strings and IRIs (no full parse: rdflib's parser is slow and
    not thread-safe; the engine itself reports syntax errors, as a 400)."""
    if len(query) > max_length:
        raise QueryRefused(413, f"Requête trop longue ({len(query)} caractères, au plus {max_length}).")
    bare = _HIDDEN.sub(" ", query)
    if _UPDATE.search(bare):
        raise QueryRefused(403, "Point de requête en lecture seule : les mises à jour SPARQL "
                                "(INSERT, DELETE, LOAD, CLEAR, DROP…) sont refusées.")
    if _SERVICE.search(bare):
        allowed = tuple(service_allowlist or ())
        targets = _IRI_AFTER_SERVICE.findall(query)
        if not allowed or not targets or not all(t.startswith(allowed) for t in targets):
            raise QueryRefused(403, "Les appels SERVICE vers d'autres serveurs sont refusés sur ce point public.")
    if _PRAGMA.search(bare):
        raise QueryRefused(403, "Les directives DEFINE (propres à Virtuoso) sont refusées : SPARQL 1.1 seulement.")
    if _FROM.search(bare):
        raise QueryRefused(403, "FROM et FROM NAMED sont refusés : ce point ne charge aucun graphe extérieur.")
    try:
        return query_form(query)
    except StoreError as exc:
        raise QueryRefused(400, f"Requête SPARQL invalide : {exc}") from None


__all__ = ["QueryRefused", "check_public"]
