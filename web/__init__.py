"""The browsing site: ``create_app(config=None)`` builds it; views fetch from kg, templates render."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from flask import Flask, g, render_template, request

from kg.memory import release_free_memory
from kg.namespaces import BASE
from kg.store import StoreError

DEFAULTS: dict[str, Any] = {
    "DIST": "dist",              # where `kg build` writes; the site reads dist/current/store
    "STORE": None,               # or a path, "memory", or an http(s) SPARQL endpoint
    "IRI_BASE": BASE,            # an IRI IRI_BASE + path is the page /path of this site
    "ROW_LIMIT": 1000,           # rows per answer; more are cut and the answer says so
    "QUERY_TIMEOUT": 5.0,        # seconds for a query sent to /sparql; its worker is killed past it
    "QUERY_WORKERS": 2,          # worker processes that run /sparql queries
    "MAX_QUERY_LENGTH": 20_000,  # characters of SPARQL
    "MAX_CONTENT_LENGTH": 100_000,
    "SERVICE_ALLOWLIST": (),     # IRI prefixes a trusted deployment lets SERVICE reach; none by default
    "WARM_UP": True,             # ask the heavy pages once in the background whenever a store is opened
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The Flask app, reading the store that `kg build` made (or the one the config names)."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    for key in DEFAULTS:
        if f"KG_{key}" in os.environ:
            app.config[key] = os.environ[f"KG_{key}"]
    app.config.update(config or {})
    if isinstance(app.config["WARM_UP"], str):  # KG_WARM_UP=0 switches it off
        app.config["WARM_UP"] = app.config["WARM_UP"].strip().lower() not in ("0", "false", "non", "no", "")
    app.json.ensure_ascii = False

    from web import carte, changes, listings, opendata, pages, review, sparql
    from web.state import StoreHolder
    from web.warm import start_warm_up

    warm = (lambda: start_warm_up(app)) if app.config["WARM_UP"] else None
    app.extensions["kg_store"] = StoreHolder(app.config["STORE"], Path(app.config["DIST"]), on_open=warm)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(opendata.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(listings.bp)  # lists and frise, with a programme filter
    app.register_blueprint(carte.bp)
    app.register_blueprint(review.bp)  # /relecture/<id>: the review of a `kg extract` draft
    app.register_blueprint(changes.bp)  # « Ce qui a changé » between programmes

    @app.before_request
    def _clock():
        g.kg_started = time.perf_counter()

    @app.teardown_request
    def _trim(exc):
        started = g.get("kg_started")
        if started is not None and not request.environ.get("kg.warm_up"):  # the warm-up trims once, at its end
            release_free_memory((time.perf_counter() - started) * 1000, wait=False)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Vary", "Accept")
        return response

    @app.errorhandler(404)
    def not_found(error):
        return render_template("error.html", code=404, title="Page introuvable",
                               message="Cette page n'existe pas (ou pas encore) dans le graphe.",
                               query=request.path.strip("/").split("/")[-1].replace("-", " ")), 404

    @app.errorhandler(413)
    def too_large(error):
        return render_template("error.html", code=413, title="Requête trop grande",
                               message="La requête dépasse la taille permise."), 413

    @app.errorhandler(StoreError)
    def store_unavailable(error):
        if request.path.startswith("/sparql") or request.path.endswith((".json", ".csv", ".ttl", ".nt", ".jsonld")):
            return f"Le magasin de données ne répond pas : {error}\n", 503, {"Content-Type": "text/plain; charset=utf-8"}
        return render_template("error.html", code=503, title="Données momentanément indisponibles",
                               message=f"Le magasin de données ne répond pas ({error}). Réessayez dans un instant."), 503

    @app.teardown_appcontext
    def _forget(exc):
        g.pop("kg_store", None)

    from web.lean import LeanSparql

    app.wsgi_app = LeanSparql(app, app.wsgi_app)  # SPARQL JSON answers before Flask's dispatch
    return app
