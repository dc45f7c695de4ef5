"""Parameters become RDF terms here, and only here; the one audited way to write terms into query text."""

from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TermError(ValueError):
    """A value that cannot be an RDF term."""


def check_iri(value: str) -> URIRef:
    """An absolute IRI with none of the characters SPARQL forbids between < and >."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or _IRI_FORBIDDEN.search(value):
        raise TermError(f"IRI invalide : {value[:60]!r}")
    return URIRef(value)


def _escape(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return "".join(out)


def term_to_sparql(term: Node) -> str:
    """SPARQL text for one RDF term: IRIs checked, literals fully escaped."""
    if isinstance(term, URIRef):
        return f"<{check_iri(str(term))}>"
    if isinstance(term, Literal):
        body = f'"{_escape(str(term))}"'
        if term.language:
            if not _LANG.match(term.language):
                raise TermError(f"étiquette de langue invalide : {term.language!r}")
            return f"{body}@{term.language}"
        if term.datatype:
            return f"{body}^^<{check_iri(str(term.datatype))}>"
        return body
    if isinstance(term, BNode):
        raise TermError("un nœud anonyme ne peut pas servir de paramètre")
    raise TermError(f"terme RDF non pris en charge : {term!r}")


_HIDDEN = re.compile(r"#[^\n]*|<[^<>\s]*>|\"\"\"[\s\S]*?\"\"\"|\'\'\'[\s\S]*?\'\'\'|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


def _first_group_brace(query: str) -> int:
    """Index of the '{' opening the query's WHERE group (not a CONSTRUCT template), skipping comments,
    IRIs and strings."""
    masked = _HIDDEN.sub(lambda m: " " * len(m.group()), query)
    where = re.search(r"(?i)\bWHERE\s*\{", masked)
    if where:
        return where.end() - 1
    form = re.search(r"(?i)\b(SELECT|ASK)\b", masked)
    brace = masked.find("{", form.end() if form else 0)
    if brace < 0:
        raise TermError("la requête n'a pas de groupe WHERE { … }")
    return brace


def values_block(query: str, bindings: dict[str, Node]) -> str:
    """The query with ``VALUES ?a { t1 } VALUES ?b { t2 }`` at the top of its WHERE group.

    One block per parameter, not one row ``VALUES (?a ?b) { (t1 t2) }`` (the same answer in SPARQL): Virtuoso 7.2.5
    fails on a row of several variables that the query does not project, with an OPTIONAL (SP031
    « ssg_print_rvr_fixed_val ») or an ORDER BY on a computed value (lost rows, or no answer at all)."""
    if not bindings:
        return query
    names = sorted(bindings)
    for name in names:
        if not _VARIABLE.match(name):
            raise TermError(f"nom de variable invalide : {name!r}")
    blocks = " ".join(f"VALUES ?{name} {{ {term_to_sparql(bindings[name])} }}" for name in names)
    at = _first_group_brace(query) + 1
    return f"{query[:at]}\n  {blocks}\n{query[at:]}"
