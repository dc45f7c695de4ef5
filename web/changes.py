"""« Ce qui a changé » : a fiche beside the same fiche of another programme; links and draft marks on fiche pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from kg import changes as kg_changes
from kg.queries import QueryError

bp = Blueprint("changes", __name__)


def _store():
    return current_app.extensions["kg_store"].get()


@bp.app_context_processor
def _fiche_suites():
    """``fiche_suites(iri)`` for fiche pages (templates/_suites.html): previous / next fiche, draft mark, source;
    ``programmes_by_publisher()`` for the home page (templates/_programmes.html)."""
    return {"fiche_suites": lambda iri: kg_changes.suites(_store(), iri), "fiche_path": kg_changes.fiche_path,
            "programmes_by_publisher": lambda: kg_changes.programmes_by_publisher(_store())}


@bp.route("/programme/<programme>/fiche/<int:number>/changements")
def fiche_changes(programme: str, number: int):
    other = request.args.get("avec") or None
    try:
        data = kg_changes.changes(_store(), programme, number, other)
    except QueryError as exc:
        abort(404, str(exc))
    here = kg_changes.suites(_store(), f"{current_app.config['IRI_BASE']}programme/{programme}/fiche/{number}")
    if here["number"] is None:
        abort(404)
    return render_template("changes.html", data=data, programme=programme, number=number, here=here)
