"""Result -> SPARQL 1.1 Query Results JSON, CSV, TSV or a text table (the same for every store)."""

from __future__ import annotations

import csv
import io
import json

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg.namespaces import BASE, PREFIXES
from kg.store import Result
from kg.tables import layout
from kg.terms import term_to_sparql

FORMATS = ("table", "json", "csv", "tsv")


def term_json(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal):
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype != XSD.string:
            out["datatype"] = str(term.datatype)
    return out


def to_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON; a truncated answer says so in ``head.link``-free extra keys."""
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean})
    doc = {"head": {"vars": result.vars},
           "results": {"bindings": [{k: term_json(v) for k, v in row.items() if v is not None} for row in result.rows]}}
    if result.truncated:
        doc["truncated"] = True
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _plain(term: Node | None) -> str:
    return "" if term is None else str(term)


def to_csv(result: Result, delimiter: str = ",") -> str:
    """SPARQL 1.1 CSV (plain values); TSV uses the SPARQL TSV term syntax."""
    buffer = io.StringIO()
    if delimiter == "\t":
        buffer.write("\t".join(f"?{v}" for v in result.vars) + "\n")
        for row in result.rows:
            buffer.write("\t".join("" if row.get(v) is None else _tsv(row[v]) for v in result.vars) + "\n")
    else:
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.vars)
        for row in result.rows:
            writer.writerow([_plain(row.get(v)) for v in result.vars])
    if result.truncated:
        buffer.write("# résultat tronqué\n" if delimiter == "\t" else "")
    return buffer.getvalue()


def _tsv(term: Node) -> str:
    if isinstance(term, Literal) and term.datatype == XSD.integer and not term.language:
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return term_to_sparql(term)


def to_table(result: Result) -> str:
    """A text table for people: a named query's answer under French headers, names for IRIs, codes in words
    (kg/tables.py); an ad-hoc query's under its variables, IRIs shortened to their path."""
    if result.boolean is not None:
        return "oui" if result.boolean else "non"
    if "labels" in result.extra:
        table = layout(result)
        headers = table.headers
        cells = [[c.text if c.text != c.iri else _short(URIRef(c.iri)) for c in row] for row in table.rows]
    else:
        headers = list(result.vars)
        cells = [[_short(row.get(v)) for v in result.vars] for row in result.rows]
    widths = [min(60, max([len(v)] + [len(c[i]) for c in cells])) for i, v in enumerate(headers)]
    fit = lambda s, w: (s if len(s) <= w else s[: w - 1] + "…").ljust(w)  # noqa: E731
    lines = ["  ".join(fit(v, w) for v, w in zip(headers, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(fit(c, w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(result.rows)} ligne{'s' if len(result.rows) != 1 else ''}"
                 f"{', tronqué' if result.truncated else ''})")
    return "\n".join(lines)


def _short(term: Node | None) -> str:
    if term is None:
        return ""
    text = str(term)
    if isinstance(term, URIRef):
        for prefix, ns in PREFIXES.items():
            if text.startswith(str(ns)) and len(text) > len(str(ns)):
                return f"{prefix}:{text[len(str(ns)):]}"
        if text.startswith(BASE):
            return text[len(BASE):]
    return " ".join(text.split())


def render(result: Result, fmt: str) -> str:
    if fmt == "json":
        return to_json(result)
    if fmt == "csv":
        return to_csv(result)
    if fmt == "tsv":
        return to_csv(result, "\t")
    return to_table(result)
