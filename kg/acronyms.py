"""The acronyms the document prints (kg:acronym), for pictures that have no room for a full name."""

from __future__ import annotations

import threading

from kg.namespaces import KG
from kg.store import Store

_SEEN: dict[tuple[int, str], dict[str, str]] = {}
_LOCK = threading.Lock()


def acronyms(store: Store) -> dict[str, str]:
    """Entity IRI -> its acronym, for every entity that has one; read once per store version."""
    key = (id(store), store.version())
    with _LOCK:
        if key in _SEEN:
            return _SEEN[key]
    rows = store.query(f"SELECT ?entity ?acronym WHERE {{ ?entity <{KG.acronym}> ?acronym }}").rows
    found = {str(r["entity"]): str(r["acronym"]) for r in rows}
    with _LOCK:
        _SEEN.clear()  # one store version at a time: a new build replaces the old answers
        _SEEN[key] = found
    return found


__all__ = ["acronyms"]
