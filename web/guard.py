"""What the public endpoint refuses: updates, outbound requests (SERVICE, remote FROM), oversize queries."""

from __future__ import annotations

from typing import Any

from pyparsing import ParseResults

from kg.store import parse_sparql, parse_sparql_update


class QueryRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _walk(node: Any):
    """Every node of rdflib's parse tree (CompValue mappings inside pyparsing results)."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            yield from _walk(value)


def check_query(query: str, config: dict[str, Any]) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE) of an acceptable query, or QueryRefused."""
    if len(query) > int(config.get("MAX_QUERY_LENGTH", 20_000)):
        raise QueryRefused(413, f"Requête trop longue ({len(query)} caractères, au plus {config['MAX_QUERY_LENGTH']}).")
    try:
        parsed = parse_sparql(query)
    except Exception as exc:  # noqa: BLE001 - the parser's message is the answer
        try:
            parse_sparql_update(query)
        except Exception:  # noqa: BLE001
            raise QueryRefused(400, f"Requête SPARQL invalide : {exc}") from None
        raise QueryRefused(403, "Point de requête en lecture seule : les mises à jour SPARQL "
                                "(INSERT, DELETE, LOAD, CLEAR, DROP…) sont refusées.") from None
    allowed = tuple(config.get("SERVICE_ALLOWLIST") or ())
    for node in _walk(parsed):
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            target = str(node.get("term", ""))
            if not target.startswith(allowed) or not allowed:
                raise QueryRefused(403, "Les appels SERVICE vers d'autres serveurs sont refusés sur ce point public.")
        if name == "DatasetClause" or (isinstance(node, dict) and "datasetClause" in node):
            raise QueryRefused(403, "FROM et FROM NAMED sont refusés : ce point ne charge aucun graphe extérieur.")
    form = parsed[1].name
    return {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}[form]
