"""When the site opens a store it asks the heavy pages once in the background: the first visitor finds them ready."""

from __future__ import annotations

from kg.store import Store
from web import create_app
from web.warm import WARM_PATHS


def test_heavy_pages_are_ready_before_the_first_visitor(built, monkeypatch):
    app = create_app({"DIST": str(built), "TESTING": True})
    store = app.extensions["kg_store"].get()  # as `kg serve` does when it starts
    app.extensions["kg_warm_up"].join(timeout=120)
    asked = []
    original = type(store).query

    def counting(self, *args, **kwargs):
        asked.append(args[0][:60])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(store), "query", counting)
    client = app.test_client()
    for path in ("/", "/frise", "/liste/organisations", "/queries/entities.json"):
        assert client.get(path).status_code == 200
    assert asked == []  # every one came from the caches the warm-up filled
    assert isinstance(store, Store) and {"/", "/frise", "/liste/organisations"} <= set(WARM_PATHS)


def test_no_warm_up_when_switched_off(built):
    app = create_app({"DIST": str(built), "TESTING": True, "WARM_UP": False})
    app.extensions["kg_store"].get()
    assert "kg_warm_up" not in app.extensions


def test_a_page_being_computed_is_not_computed_again(built):
    """Two visitors on a cold page at once: the second waits for the first's answer (one computation)."""
    import threading
    import time

    from kg import browse

    calls = []

    @browse.cached
    def slow(store, n):
        calls.append(n)
        time.sleep(0.3)
        return [n]

    from kg.store import OxigraphStore

    store = OxigraphStore(built / "current" / "store")
    got = []
    threads = [threading.Thread(target=lambda: got.append(slow(store, 7))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [7] and got == [[7]] * 4
