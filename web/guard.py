"""What the public endpoint refuses: updates, outbound requests (SERVICE, remote FROM), oversize queries
(the checks themselves: kg/query_guard.py, which the query worker shares)."""

from __future__ import annotations

from typing import Any

from kg.query_guard import QueryRefused, check_public


def check_query(query: str, config: dict[str, Any]) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE) of an acceptable query, or QueryRefused."""
    return check_public(query, int(config.get("MAX_QUERY_LENGTH", 20_000)), config.get("SERVICE_ALLOWLIST") or ())


__all__ = ["QueryRefused", "check_query"]
