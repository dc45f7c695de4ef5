"""A named query's answer as people read it: French headers, an IRI and its name in one cell, codes in words.

The machine formats (SPARQL JSON, CSV and TSV of the endpoint) keep the variable names and raw values; the
page, the CLI table and the spreadsheet download read the answer through ``layout``."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.codes import code_label
from kg.store import Result

NAME_COLUMNS = ("label", "name")  # the text of an IRI column when the header says nothing else
FICHE_COLUMNS = ("fiche", "fiches")
RISKY_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would read these cells as formulas


@dataclass
class Cell:
    text: str = ""
    iri: str | None = None  # the entity the text names: a link on the page
    fiches: list[int] = field(default_factory=list)  # fiche numbers: each a link on the page
    column: str = ""
    programme: str | None = None  # the programme of those fiches (an answer's row may span several programmes)

    def fiche_href(self, number: int) -> str:
        """The page of one of the cell's fiches: in its own programme when the answer says which."""
        return f"/programme/{self.programme}/fiche/{number}" if self.programme else f"/fiche/{number}"


@dataclass
class Table:
    columns: list[str]  # the variables shown, in order
    headers: list[str]  # their French headers
    rows: list[list[Cell]]


def _text_columns(result: Result) -> dict[str, str]:
    """Column -> the column whose text people read for it: the header's ``show``, else an IRI's name column."""
    chosen = dict(result.extra.get("show") or {})
    for column in result.vars:
        if column in chosen or column in chosen.values() or column in NAME_COLUMNS:
            continue
        if any(isinstance(row.get(column), URIRef) for row in result.rows):
            name = next((n for n in NAME_COLUMNS if n in result.vars and n not in chosen.values()), None)
            if name:
                chosen[column] = name
    return chosen


def _fiches(column: str, text: str, value: Node | None = None) -> list[int]:
    """The fiche numbers a cell links to: a fiche, or a list of fiches (not a number of fiches, a typed count)."""
    if column not in FICHE_COLUMNS or (column == "fiches" and isinstance(value, Literal) and value.datatype):
        return []
    parts = [p.strip() for p in text.split(",")]
    return [int(p) for p in parts] if parts and all(p.isdigit() for p in parts) else []


def _cell(column: str, value: Node | None, text_value: Node | None, programme: str | None = None) -> Cell:
    shown = text_value if text_value is not None else value
    text = "" if shown is None else code_label(column, " ".join(str(shown).split()))
    iri = str(value) if isinstance(value, URIRef) else None
    fiches = _fiches(column, text, value)
    return Cell(text=text, iri=iri, fiches=fiches, column=column, programme=programme if fiches else None)


def layout(result: Result) -> Table:
    """The answer's columns for people: the name columns an IRI (or a date) reads from are folded into it."""
    labels = result.extra.get("labels") or {}
    text_of = _text_columns(result)
    columns = [c for c in result.vars if c not in set(text_of.values())]
    programmes = list(result.extra.get("programmes") or [])  # each row's programme (kg/queries.py)
    programmes += [None] * (len(result.rows) - len(programmes))
    rows = [[_cell(c, row.get(c), row.get(text_of[c]) if c in text_of else None, programme) for c in columns]
            for row, programme in zip(result.rows, programmes)]
    return Table(columns, [labels.get(c) or c for c in columns], rows)


def safe_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(RISKY_START) else text


def to_sheet(result: Result, delimiter: str = ",") -> str:
    """Every column of the answer under its French header, codes in words, formula-like cells neutralised.

    ``delimiter=";"`` is the variant French spreadsheet software opens directly; it starts with a UTF-8 BOM."""
    labels = result.extra.get("labels") or {}
    buffer = io.StringIO()
    if delimiter == ";":
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_cell(labels.get(c) or c) for c in result.vars])
    for row in result.rows:
        writer.writerow([safe_cell(_cell(c, row.get(c), None).text) for c in result.vars])
    return buffer.getvalue()


__all__ = ["Cell", "Table", "layout", "safe_cell", "to_sheet"]
