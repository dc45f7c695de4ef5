"""Open-data pages: the dataset description (DCAT/VoID), downloads, the ontology and its documentation."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_file
from rdflib import Graph

from kg import ontodoc
from kg.codes import enum_label
from kg.export import jsonld_context
from kg.tables import layout
from kg.void import DATASET, VOID

bp = Blueprint("opendata", __name__)

DOWNLOADS = {
    "graph.ttl": ("../graph.ttl", "text/turtle", "Le graphe en Turtle"),
    "graph.nt": ("../graph.nt", "application/n-triples", "Le graphe en N-Triples"),
    "graph.jsonld": ("graph.jsonld", "application/ld+json", "Le graphe en JSON-LD (contexte inclus)"),
    "graph.trig": ("graph.trig", "application/trig", "TriG : un graphe nommé par fiche, les entités partagées à part"),
    "tables.zip": ("tables.zip", "application/zip", "Tables CSV pour un tableur : fiches, rôles, entités, entités × fiches, événements"),
    "void.ttl": ("../void.ttl", "text/turtle", "La description du jeu de données (DCAT et VoID)"),
    "bundle.zip": ("bundle.zip", "application/zip", "Le lot complet pour un portail open data"),
}
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}

# The answers' pages (forms, question box) and their downloads read a result as people do (kg/tables.py).
bp.add_app_template_global(layout, "answer_table")
bp.add_app_template_global(enum_label, "code_words")


def _folder() -> Path:
    holder = current_app.extensions["kg_store"]
    link = Path(holder.dist) / "current"
    if not link.exists():
        abort(404)
    return Path(os.path.realpath(link))


def _void() -> Graph:
    path = _folder() / "void.ttl"
    if not path.exists():
        abort(404)
    return Graph().parse(path)


@bp.route("/telecharger")
def downloads():
    folder = _folder()
    files = [{"name": name, "title": title, "size": (folder / "telecharger" / rel).resolve().stat().st_size}
             for name, (rel, _, title) in DOWNLOADS.items() if (folder / "telecharger" / rel).resolve().exists()]
    return render_template("downloads.html", files=files)


@bp.route("/telecharger/<name>")
def download(name: str):
    if name not in DOWNLOADS:
        abort(404)
    rel, media, _ = DOWNLOADS[name]
    path = (_folder() / "telecharger" / rel).resolve()
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=media, as_attachment=name.endswith(".zip"), download_name=name)


@bp.route("/.well-known/void")
@bp.route("/jeu-de-donnees")
def void():
    graph = _void()
    best = request.accept_mimetypes.best_match(["text/html", *RDF_TYPES], default="text/turtle")
    if request.path == "/.well-known/void" and best == "text/html" and "text/html" not in request.headers.get("Accept", ""):
        best = "text/turtle"
    if best in RDF_TYPES:
        return Response(graph.serialize(format=RDF_TYPES[best]), mimetype=best)
    return dataset()


@bp.route("/dataset")
def dataset():
    graph = _void()
    from rdflib.namespace import DCTERMS, RDFS

    parts = []
    for part in graph.objects(DATASET, VOID.classPartition):
        parts.append({"class": str(graph.value(part, VOID["class"])), "count": int(graph.value(part, VOID.entities))})
    subsets = [{"type": str(graph.value(s, RDFS.label)), "count": int(graph.value(s, VOID.entities))}
               for s in graph.objects(DATASET, VOID.subset) if "/jeu-de-donnees/type/" in str(s)]  # not programmes
    info = {
        "title": next((str(t) for t in graph.objects(DATASET, DCTERMS.title) if t.language == "fr"), ""),
        "description": str(graph.value(DATASET, DCTERMS.description) or ""),
        "license": str(graph.value(DATASET, DCTERMS.license) or ""),
        "modified": str(graph.value(DATASET, DCTERMS.modified) or ""),
        "triples": int(graph.value(DATASET, VOID.triples)), "entities": int(graph.value(DATASET, VOID.entities)),
        "endpoint": str(graph.value(DATASET, VOID.sparqlEndpoint)),
        "examples": sorted(str(e) for e in graph.objects(DATASET, VOID.exampleResource)),
        "vocabularies": sorted(str(v) for v in graph.objects(DATASET, VOID.vocabulary)),
        "classes": sorted(parts, key=lambda p: -p["count"]), "subsets": sorted(subsets, key=lambda s: -s["count"]),
    }
    return render_template("dataset.html", d=info)


@bp.route("/contexte.jsonld")
def context():
    response = jsonify(jsonld_context())
    response.mimetype = "application/ld+json"
    return response


@bp.route("/ontologie")
@bp.route("/ontologie.ttl")
def ontology():
    best = request.accept_mimetypes.best_match(["text/html", *RDF_TYPES], default="text/html")
    if request.path.endswith(".ttl") or best == "text/turtle":
        return Response(ontodoc.ONTOLOGY.read_text(encoding="utf-8"), mimetype="text/turtle")
    if best in RDF_TYPES:
        return Response(Graph().parse(ontodoc.ONTOLOGY).serialize(format=RDF_TYPES[best]), mimetype=best)
    return render_template("ontology.html", o=ontodoc.document(current_app.extensions["kg_store"].get()))


@bp.route("/formes.ttl")
def shapes():
    return Response(ontodoc.SHAPES.read_text(encoding="utf-8"), mimetype="text/turtle")
