"""The heavy pages asked once in the background whenever the site opens a store, so that the first visitor does
not wait for them: on a large graph a list, the frise or an aggregate takes seconds the first time, then comes
from the caches kept per store version."""

from __future__ import annotations

import threading
import time

from flask import Flask

from kg.memory import release_free_memory

from web.pages import LIST_TYPES

WARM_UP_MARK = "kg.warm_up"  # in the WSGI environ of the warm-up's own requests
WARM_PATHS = ("/", "/suggestions?q=ess", "/frise", "/partenaires", *(f"/liste/{kind}" for kind in LIST_TYPES),
              "/queries/entities.json", "/queries/events.json", "/queries/top-referents.json")


def warm_up(app: Flask) -> dict[str, float]:
    """Ask each heavy page once, as a visitor would; the seconds each took."""
    seconds = {}
    client = app.test_client()
    for path in WARM_PATHS:
        start = time.perf_counter()
        client.get(path, environ_base={WARM_UP_MARK: True})
        seconds[path] = round(time.perf_counter() - start, 3)
    release_free_memory()  # once, at the end: a trim holds the allocator, other threads wait meanwhile
    return seconds


def start_warm_up(app: Flask) -> threading.Thread:
    """``warm_up`` in a daemon thread (kept as ``app.extensions["kg_warm_up"]``)."""
    thread = threading.Thread(target=warm_up, args=(app,), name="kg-warm-up", daemon=True)
    app.extensions["kg_warm_up"] = thread
    thread.start()
    return thread


__all__ = ["WARM_PATHS", "start_warm_up", "warm_up"]
