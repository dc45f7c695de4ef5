"""What every store and the query worker share without rdflib: StoreError, a query's form, the row cap."""

from __future__ import annotations

import re
from typing import Iterable


class StoreError(Exception):
    """A store that cannot answer: down, slow, garbage, or a query it refuses."""


_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)
_HIDDEN = re.compile(r"#[^\n]*|<[^<>\s]*>|\"\"\"[\s\S]*?\"\"\"|'[^'\n]*'|\"[^\"\n]*\"")


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query keyword outside comments, IRIs and strings."""
    match = _FORM.search(_HIDDEN.sub(" ", query))
    if not match:
        raise StoreError("requête SPARQL invalide : ni SELECT, ni ASK, ni CONSTRUCT, ni DESCRIBE")
    form = match.group(1).upper()
    if form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise StoreError("ce magasin est en lecture seule : les mises à jour SPARQL sont refusées")
    return form


def capped(answer: Iterable, limit: int | None, make_row) -> tuple[list, bool]:
    """``make_row`` of each item of ``answer`` up to ``limit``, and whether more were left (the row cap)."""
    rows: list = []
    for n, item in enumerate(answer):
        if limit is not None and n >= limit:
            return rows, True
        rows.append(make_row(item))
    return rows, False


__all__ = ["StoreError", "capped", "query_form"]
