"""Pages a programme filter narrows (``?programme=ID``): the lists of entities, the frise, the partners, the matrix
and the network."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from kg import browse, browse_pictures, programme_filter
from kg.acronyms import acronyms
from kg.programme_names import dataset_subtitle, short_name
from kg.queries import QueryError
from kg.store import StoreError
from web import charts
from web.pages import LIST_TYPES, local_path, paginate

bp = Blueprint("listings", __name__)


def store():
    return current_app.extensions["kg_store"].get()


def chosen_programme() -> dict[str, Any] | None:
    """The programme of ``?programme=ID`` (None: all); an unknown id answers 400 with a French message."""
    try:
        return programme_filter.choose(store(), request.args.get("programme"))
    except QueryError as exc:
        abort(Response(render_template("error.html", code=400, title="Programme inconnu", message=str(exc)), 400))


@bp.app_context_processor
def _programmes() -> dict[str, Any]:
    """``programme_choices()`` for the filter and the question forms, ``site_name()`` for the header."""
    return {"programme_choices": lambda: programme_filter.programmes(store()),
            "programme_source": lambda iri: programme_filter.by_iri(store()).get(iri, {}).get("source"),
            "site_name": _site_name, "site_data": _site_data, "short_name": short_name}


def _site_name() -> str:
    """'RTES 2024', '3 programmes'; nothing when the store does not answer (its error page still shows)."""
    try:
        return programme_filter.site_name(store())
    except (StoreError, QueryError):
        return ""


def _site_data() -> str:
    """The footer's words on the data: the programme, or how many, quoted word for word."""
    try:
        known = programme_filter.programmes(store())
    except (StoreError, QueryError):
        return "programmes d'actions cités mot pour mot avec leurs numéros de ligne"
    if len(known) == 1:
        return dataset_subtitle(known) + ", cité mot pour mot avec ses numéros de ligne"
    return dataset_subtitle(known) + ", cités mot pour mot avec leurs numéros de ligne"


@bp.route("/liste/<kind>")
def entity_list(kind: str):
    if kind not in LIST_TYPES:
        abort(404)
    etype = LIST_TYPES[kind]
    chosen = chosen_programme()
    rows = programme_filter.entity_list(store(), etype, chosen["iri"]) if chosen else browse.entity_list(store(), etype)
    order = request.args.get("tri", "fiches")
    if order == "nom":
        rows = sorted(rows, key=lambda r: r["label"].casefold())
    elif order != "fiches":
        abort(400)
    if request.args.get("format") == "json":
        return jsonify(rows)
    shown, nav = paginate(rows)
    return render_template("list.html", rows=shown, nav=nav, kind=kind, etype=etype, order=order, chosen=chosen,
                           title=browse.TYPE_LABELS[etype][1])


@bp.route("/frise")
def timeline():
    chosen = chosen_programme()
    order = programme_filter.timeline_order(store(), chosen["iri"]) if chosen else browse.timeline_order(store())
    shown, nav = paginate(order)
    events = browse.timeline(store(), tuple(shown))
    return render_template("timeline.html", svg=charts.timeline(events, local_path), events=events, nav=nav,
                           chosen=chosen)


@bp.route("/partenaires")
def partners():
    chosen = chosen_programme()
    rows = browse_pictures.top_partners(store(), programme=chosen["iri"] if chosen else None)
    return render_template("partners.html", svg=charts.bars(rows, local_path, acronyms(store())), rows=rows,
                           chosen=chosen)


def one_programme() -> tuple[dict[str, Any] | None, bool]:
    """The programme of a picture whose fiche numbers mean something in one programme only: the one asked for, else
    the newest when the graph holds several (and True: the reader did not choose it); None with a single programme."""
    chosen = chosen_programme()
    known = programme_filter.programmes(store())
    if chosen is None and len(known) > 1:
        return known[0], True
    return chosen, False


@bp.route("/matrice")
def matrix():
    chosen, by_default = one_programme()
    return render_template("matrix.html", m=browse_pictures.matrix(store(), programme=chosen["iri"] if chosen else None),
                           chosen=chosen, by_default=by_default)


@bp.route("/reseau")
def network():
    chosen, by_default = one_programme()
    data = browse_pictures.network(store(), programme=chosen["iri"] if chosen else None)
    fiche_path = (lambda n: f"/programme/{chosen['id']}/fiche/{n}") if chosen else None
    return render_template("network.html", svg=charts.network(data, local_path, acronyms(store()), fiche_path),
                           data=data, chosen=chosen, by_default=by_default)
