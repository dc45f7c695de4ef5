"""HTML pages and their RDF twins: every entity IRI answers HTML, Turtle, JSON-LD and N-Triples."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg import browse, entity_page
from kg.formats import to_json
from kg.queries import QueryError, load_queries, run
from kg.namespaces import KG, SOURCE_DOCUMENT
from kg.store import StoreError
from kg.tables import to_sheet

bp = Blueprint("pages", __name__)

RDF_FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
}
ENTITY_KINDS = ("organisation", "personne", "loi", "concept", "territoire", "publication", "evenement")
LIST_TYPES = {"organisations": "organisation", "personnes": "personne", "lois": "loi", "outils": "outil",
              "territoires": "territoire", "publications": "publication", "evenements": "evenement"}


def store():
    return current_app.extensions["kg_store"].get()


@lru_cache(maxsize=1)
def ontology_labels() -> dict[str, str]:
    """French labels of our properties (and of the standard ones we use), for entity pages."""
    graph = Graph().parse(Path(__file__).resolve().parent.parent / "ontology" / "ontology.ttl")
    labels = {str(s): str(o) for s, o in graph.subject_objects(RDFS.label) if getattr(o, "language", None) == "fr"}
    labels.update({
        str(RDFS.label): "libellé", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "type",
        "http://www.w3.org/2004/02/skos/core#prefLabel": "libellé préféré",
        "http://www.w3.org/2004/02/skos/core#altLabel": "autre nom", "http://www.w3.org/2004/02/skos/core#inScheme": "schéma",
        "http://www.w3.org/2004/02/skos/core#broader": "notion plus large",
        "http://www.w3.org/2004/02/skos/core#exactMatch": "identique à", "http://www.w3.org/2004/02/skos/core#closeMatch": "proche de",
        "http://www.w3.org/2004/02/skos/core#note": "note",
        "http://purl.org/dc/terms/title": "titre", "http://purl.org/dc/terms/description": "description",
        "http://purl.org/dc/terms/source": "source", "http://purl.org/dc/terms/publisher": "éditeur",
        "http://purl.org/dc/terms/creator": "auteur", "http://purl.org/dc/terms/isPartOf": "fait partie de",
        "http://purl.org/dc/terms/subject": "sujet", "http://www.w3.org/ns/org#subOrganizationOf": "fait partie de",
        "https://schema.org/startDate": "date", "https://schema.org/endDate": "date de fin",
        "https://schema.org/location": "lieu", "https://schema.org/organizer": "organisateur",
        "https://schema.org/performer": "intervenant", "https://schema.org/superEvent": "dans le cadre de",
        "http://www.w3.org/ns/oa#hasBody": "mention de",
    })
    return labels


#: A part of a fiche (section, item, mention, role, involvement): its IRI resolves to an anchor of the fiche page.
PART = re.compile(r"^(programme/[^/]+/fiche/[^/]+)/(?:section/(\d+)(?:/item/(\d+))?|role/(\d+)|implique)(?:/.*)?$")


def part_anchor(path: str) -> tuple[str, str] | None:
    """(fiche path, anchor) for the path of a part of a fiche, else None."""
    m = PART.match(path.lstrip("/"))
    if m is None:
        return None
    fiche, section, item, role = m.groups()
    anchor = (f"item-{section}-{item}" if item else f"section-{section}" if section else f"role-{role}" if role
              else "entites")
    return "/" + fiche, anchor


def local_path(iri: str) -> str | None:
    """The site path of one of our IRIs (a part of a fiche: the fiche's anchor), or None for an outside IRI."""
    base = current_app.config["IRI_BASE"]
    if not iri.startswith(base):
        return None
    part = part_anchor(iri[len(base):])
    return f"{part[0]}#{part[1]}" if part else "/" + iri[len(base):]


def anchor(iri: str) -> str:
    """The id a fiche page gives the part ``iri`` (section, item or role)."""
    part = part_anchor(iri[len(current_app.config["IRI_BASE"]):])
    return part[1] if part else ""


def iri_for(path: str) -> URIRef:
    return URIRef(current_app.config["IRI_BASE"] + path.lstrip("/"))


bp.add_app_template_filter(entity_page.de, "de")


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    return {"local_path": local_path, "anchor": anchor, "source_path": local_path(str(SOURCE_DOCUMENT)),
            "type_labels": browse.TYPE_LABELS, "type_paths": browse.TYPE_PATHS,
            "list_types": LIST_TYPES, "list_slugs": {v: k for k, v in LIST_TYPES.items()}}


def _wanted(suffix: str | None) -> str:
    """html, json or an RDF format, from a suffix or the Accept header."""
    if suffix:
        if suffix in RDF_FORMATS or suffix == "json":
            return suffix
        abort(404)
    best = request.accept_mimetypes.best_match(
        ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/json"], default="text/html")
    return {"text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt",
            "application/json": "json"}.get(best, "html")


def _split_suffix(name: str) -> tuple[str, str | None]:
    for suffix in ("ttl", "jsonld", "nt", "json"):
        if name.endswith("." + suffix):
            return name[: -len(suffix) - 1], suffix
    return name, None


def _rdf(iri: URIRef, fmt: str) -> Response:
    graph = browse.describe(store(), iri)
    if not len(graph):
        abort(404)
    mimetype, rdflib_format = RDF_FORMATS[fmt]
    body = graph.serialize(format=rdflib_format, auto_compact=True) if fmt == "jsonld" else graph.serialize(format=rdflib_format)
    return Response(body, mimetype=mimetype)


def _resource(path: str, html_view) -> Response | str:
    """Serve one IRI as HTML, JSON, Turtle, JSON-LD or N-Triples."""
    name, suffix = _split_suffix(path)
    fmt = _wanted(suffix)
    iri = iri_for(name)
    if fmt in RDF_FORMATS:
        return _rdf(iri, fmt)
    data = html_view(iri, fmt == "json")
    if data is None:
        abort(404)
    return jsonify(_jsonable(data)) if fmt == "json" else data


def _jsonable(data: Any) -> Any:
    return json.loads(json.dumps(data, default=lambda o: o.__dict__ if hasattr(o, "__dict__") else list(o)))


# --- pages ---------------------------------------------------------------------------------------

@bp.route("/")
def home():
    data = browse.overview(store())
    return render_template("home.html", data=data)


@bp.route("/programme/<programme>")
@bp.route("/programme/<programme>.<suffix>")
def programme(programme: str, suffix: str | None = None):
    path = f"programme/{programme}" + (f".{suffix}" if suffix else "")
    return _resource(path, _entity_html)


@bp.route("/programme/<programme>/fiche/<number>")
def fiche(programme: str, number: str):
    def view(iri, as_json):
        data = browse.fiche(store(), iri)
        if data is None or as_json:
            return data
        return render_template("fiche.html", f=data)
    return _resource(f"programme/{programme}/fiche/{number}", view)


@bp.route("/programme/<programme>/axe/<axis>")
def axis(programme: str, axis: str):
    return _resource(f"programme/{programme}/axe/{axis}", _entity_html)


@bp.route("/programme/<programme>/fiche/<number>/<path:part>")
def fiche_part(programme: str, number: str, part: str):
    """A section, item, mention, role or involvement: its RDF, or the fiche page at its anchor (303, as Linked Data)."""
    name, suffix = _split_suffix(f"programme/{programme}/fiche/{number}/{part}")
    fmt = _wanted(suffix)
    where = part_anchor(name)
    if where is None or not browse.exists(store(), iri_for(name)):
        abort(404)
    if fmt in RDF_FORMATS:
        return _rdf(iri_for(name), fmt)
    if fmt == "json":
        return jsonify(_jsonable(entity_page.entity(store(), iri_for(name), ontology_labels())))
    return redirect(f"{where[0]}#{where[1]}", 303)


@bp.route("/<any(organisation, personne, loi, concept, territoire, publication, evenement, source):kind>/<ident>")
def entity(kind: str, ident: str):
    return _resource(f"{kind}/{ident}", _entity_html)


@bp.route("/concept/")
@bp.route("/concept/.<suffix>")
def concept_scheme(suffix: str | None = None):
    """The scheme of our concepts (its IRI ends with a slash)."""
    return _resource("concept/" + (f".{suffix}" if suffix else ""), _entity_html)


@bp.route("/favicon.ico")
def favicon():
    return current_app.send_static_file("favicon.svg")


def _entity_html(iri: URIRef, as_json: bool):
    data = entity_page.entity(store(), iri, ontology_labels())
    if data is None or as_json:
        return data
    file_name = next((s.value for s in data["properties"] if s.predicate == str(KG.fileName)), None)
    lines = browse.source_text(file_name) if file_name else None
    return render_template("entity.html", e=data, source_lines=lines)


PAGE_SIZE = 100  # rows of a list, events of the frise: a page stays light however large the graph


def paginate(rows: list, size: int | None = None) -> tuple[list, dict[str, Any]]:
    """One page of ``rows`` (``?page=N``, from 1) and what the navigation needs."""
    size = size or PAGE_SIZE
    pages = max(1, -(-len(rows) // size))
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= pages:
        abort(404)
    page = int(raw)
    args = {k: v for k, v in request.args.items() if k != "page"}
    link = lambda n: "?" + urlencode({**args, "page": n})  # noqa: E731
    return rows[(page - 1) * size: page * size], {
        "page": page, "pages": pages, "total": len(rows), "first": (page - 1) * size + 1,
        "last": min(page * size, len(rows)),
        "previous": link(page - 1) if page > 1 else None, "next": link(page + 1) if page < pages else None}


@bp.route("/recherche")
def search():
    q = request.args.get("q", "")[:200]
    results = browse.search(store(), q) if q.strip() else []
    if results and request.args.get("aller"):  # "go to the best match", as a form without script can ask
        return redirect(local_path(results[0]["iri"]) or "/")
    return render_template("search.html", search_text=q, results=results)


@bp.route("/suggestions")
def suggestions():
    q = request.args.get("q", "")[:200]
    return jsonify([{"label": r["label"], "type": r["type_label"], "url": local_path(r["iri"])}
                    for r in browse.search(store(), q, limit=10)] if q.strip() else [])


@bp.route("/questions")
def questions():
    return render_template("questions.html", queries=load_queries().values())


@bp.route("/queries/<name>")
def question(name: str):
    base, suffix = _split_suffix(name)
    if suffix not in (None, "json") and not name.endswith(".csv"):
        abort(404)
    if name.endswith(".csv"):
        base, suffix = name[:-4], "csv"
    queries = load_queries()
    if base not in queries:
        abort(404)
    query = queries[base]
    asked = {p.name: request.args.get(p.name, "") for p in query.params}
    submitted = any(k in request.args for k in asked) or not query.params or request.args.get("envoyer")
    result = error = None
    if submitted or suffix:
        try:
            result = run(query, {k: v for k, v in asked.items() if v != ""}, store(),
                         limit=current_app.config["ROW_LIMIT"])
        except (QueryError, StoreError) as exc:
            error = str(exc)
    if suffix == "json":
        if error:
            return jsonify({"error": error}), 400
        return Response(to_json(result), mimetype="application/sparql-results+json")
    if suffix == "csv":
        if error:
            return Response(error + "\n", status=400, mimetype="text/plain")
        sep = ";" if request.args.get("sep") == ";" else ","  # ";" with a BOM: what French spreadsheets open
        return Response(to_sheet(result, sep), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{base}{"-tableur" if sep == ";" else ""}.csv"'})
    return render_template("question.html", query=query, asked=asked, result=result, error=error,
                           download=urlencode({k: v for k, v in request.args.items() if k != "sep"})), (400 if error else 200)


@bp.route("/demander")
def ask_page():
    from urllib.parse import urlencode

    from kg.ask import EXAMPLES, ask

    question = request.args.get("q", "")[:500]
    if not question.strip():
        return render_template("ask.html", question="", u=None, result=None, examples=EXAMPLES)
    understanding, result = ask(question, store(), limit=current_app.config["ROW_LIMIT"])
    form_link = sparql_text = None
    if understanding.intent:
        params = understanding.params or {}
        form_link = f"/queries/{understanding.intent}?" + urlencode({**params, "envoyer": "1"})
        sparql_text = load_queries()[understanding.intent].text
    candidate_links = [{"label": c["label"], "type": c["type"], "page": local_path(c["iri"]),
                        "answer": "/demander?" + urlencode({"q": f"{question} ({c['label']})"}),
                        "form": (f"/queries/{understanding.intent}?" + urlencode(
                            {("person" if understanding.intent == "fiches-by-person" else "entity"): c["iri"], "envoyer": "1"}))
                        if understanding.intent else None} for c in understanding.candidates]
    return render_template("ask.html", question=question, u=understanding, result=result, examples=EXAMPLES,
                           form_link=form_link, sparql=sparql_text, candidates=candidate_links)


@bp.route("/fiche/<int:number>")
def fiche_short(number: int):
    return redirect(url_for("pages.fiche", programme="rtes-2024", number=number))
