"""A read-only SPARQL 1.1 Protocol endpoint at /sparql: GET and POST, every standard result format."""

from __future__ import annotations

from xml.sax.saxutils import escape as xml_escape

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.formats import to_csv, to_json
from kg.sandbox import QueryTimeout
from kg.store import Result, StoreError
from kg.terms import TermError
from web.guard import QueryRefused, check_query

bp = Blueprint("sparql", __name__)

SELECT_TYPES = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values", "application/json", "application/xml"]
GRAPH_TYPES = ["text/turtle", "application/ld+json", "application/n-triples"]
EXAMPLES = [
    ("Fiches qui impliquent l'ANCT", """PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?numero ?titre WHERE {
  ?fiche kg:involves <https://ess-kg.example/organisation/anct> ;
         kg:ficheNumber ?numero .
  OPTIONAL { ?fiche dcterms:title ?titre }
} ORDER BY ?numero"""),
    ("Événements prévus en juin 2024", """PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?evenement ?libelle ?date WHERE {
  ?evenement a kg:Event ; rdfs:label ?libelle ; kg:dateText ?date ;
             kg:periodStart ?debut ; kg:periodEnd ?fin .
  FILTER (?debut <= "2024-06-30"^^<http://www.w3.org/2001/XMLSchema#date>
       && ?fin >= "2024-06-01"^^<http://www.w3.org/2001/XMLSchema#date>)
} ORDER BY ?debut"""),
    ("Qui réfère le plus de fiches ?", """PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?nom (COUNT(DISTINCT ?fiche) AS ?fiches) WHERE {
  ?role kg:roleCode "referent-ca" ; kg:agent ?personne ; kg:fiche ?fiche .
  ?personne rdfs:label ?nom .
} GROUP BY ?nom ORDER BY DESC(?fiches)"""),
    ("Toutes les informations sur la SCIC", """DESCRIBE <https://ess-kg.example/concept/scic>"""),
]


UPDATE_REFUSED = "Point de requête en lecture seule : les mises à jour SPARQL sont refusées."


def _error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain; charset=utf-8")


def _service_description() -> Response:
    url = request.url_root.rstrip("/") + "/sparql"
    body = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
<{url}> a sd:Service ;
    sd:endpoint <{url}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV, fmt:SPARQL_Results_TSV,
        fmt:Turtle, fmt:JSON-LD, fmt:N-Triples ;
    sd:feature sd:UnionDefaultGraph .
"""
    return Response(body, mimetype="text/turtle")


def _query_text() -> str | None:
    if request.method == "POST":
        if request.mimetype == "application/sparql-query":
            return request.get_data(as_text=True)
        if request.mimetype == "application/sparql-update" or "update" in request.form:
            raise QueryRefused(403, UPDATE_REFUSED)
        return request.form.get("query")
    if "update" in request.args:
        raise QueryRefused(403, UPDATE_REFUSED)
    return request.args.get("query")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    try:
        query = _query_text()
    except QueryRefused as exc:
        return _error(exc.status, exc.message)
    wants_html = request.accept_mimetypes.best_match(["text/html"] + SELECT_TYPES + GRAPH_TYPES) == "text/html" \
        and "format" not in request.args
    if not query:
        if wants_html:
            return render_template("sparql.html", query=EXAMPLES[0][1], examples=EXAMPLES, result=None, error=None)
        return _service_description()
    try:
        form = check_query(query, current_app.config)
        as_json = not wants_html and _json_wanted(form)
        result = current_app.extensions["kg_store"].run_public(
            query, limit=current_app.config["ROW_LIMIT"], timeout=float(current_app.config["QUERY_TIMEOUT"]),
            workers=int(current_app.config["QUERY_WORKERS"]), as_json=as_json)
    except QueryTimeout as exc:
        if wants_html:
            return render_template("sparql.html", query=query, examples=EXAMPLES, result=None, error=str(exc)), 503
        return _error(503, str(exc))
    except QueryRefused as exc:
        if wants_html:
            return render_template("sparql.html", query=query, examples=EXAMPLES, result=None, error=exc.message), exc.status
        return _error(exc.status, exc.message)
    except (StoreError, TermError) as exc:
        if wants_html:
            return render_template("sparql.html", query=query, examples=EXAMPLES, result=None, error=str(exc)), 400
        return _error(400, str(exc))
    if as_json:  # written by the worker: no term conversion on this side
        headers = {"X-Truncated": "true"} if result.endswith(b', "truncated": true}') else {}  # its last key
        return Response(result, mimetype="application/sparql-results+json", headers=headers)
    if wants_html:
        return render_template("sparql.html", query=query, examples=EXAMPLES, result=result, error=None, form=form)
    return _answer(result, form)


def _json_wanted(form: str) -> bool:
    """Whether a SELECT or ASK is to be answered in SPARQL JSON (the default), as _answer would choose."""
    if form not in ("SELECT", "ASK"):
        return False
    requested = request.args.get("format")
    if requested in ("json", "xml", "csv", "tsv"):
        return requested == "json"
    best = request.accept_mimetypes.best_match(SELECT_TYPES, default="application/sparql-results+json")
    return best in ("application/sparql-results+json", "application/json")


def _answer(result: Result, form: str) -> Response:
    headers = {"X-Truncated": "true"} if result.truncated else {}
    requested = request.args.get("format")
    if form in ("CONSTRUCT", "DESCRIBE"):
        best = {"ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples"}.get(
            requested or "", None) or request.accept_mimetypes.best_match(GRAPH_TYPES, default="text/turtle")
        fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt"}[best]
        return Response(result.graph.serialize(format=fmt), mimetype=best, headers=headers)
    best = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
            "tsv": "text/tab-separated-values"}.get(requested or "", None) or \
        request.accept_mimetypes.best_match(SELECT_TYPES, default="application/sparql-results+json")
    if best in ("application/sparql-results+xml", "application/xml"):
        return Response(to_xml(result), mimetype="application/sparql-results+xml", headers=headers)
    if best == "text/csv":
        return Response(to_csv(result), mimetype="text/csv", headers=headers)
    if best == "text/tab-separated-values":
        return Response(to_csv(result, "\t"), mimetype="text/tab-separated-values", headers=headers)
    return Response(to_json(result), mimetype="application/sparql-results+json", headers=headers)


def to_xml(result: Result) -> str:
    """SPARQL Query Results XML Format."""
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.boolean is not None:
        out.append(f"<head/><boolean>{'true' if result.boolean else 'false'}</boolean></sparql>")
        return "\n".join(out)
    truncated = '<link href="urn:kg:resultat-tronque"/>' if result.truncated else ""
    out.append("<head>" + "".join(f'<variable name="{xml_escape(v)}"/>' for v in result.vars) + truncated + "</head>")
    out.append("<results>")
    for row in result.rows:
        out.append("<result>")
        for name, term in row.items():
            if term is None:
                continue
            if isinstance(term, URIRef):
                value = f"<uri>{xml_escape(str(term))}</uri>"
            elif isinstance(term, BNode):
                value = f"<bnode>{xml_escape(str(term))}</bnode>"
            elif isinstance(term, Literal) and term.language:
                value = f'<literal xml:lang="{xml_escape(term.language)}">{xml_escape(str(term))}</literal>'
            elif isinstance(term, Literal) and term.datatype and term.datatype != XSD.string:
                value = f'<literal datatype="{xml_escape(str(term.datatype))}">{xml_escape(str(term))}</literal>'
            else:
                value = f"<literal>{xml_escape(str(term))}</literal>"
            out.append(f'<binding name="{xml_escape(name)}">{value}</binding>')
        out.append("</result>")
    out.append("</results></sparql>")
    return "\n".join(out)
