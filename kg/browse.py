"""What the site shows, as plain data: one function per page kind, each a few bound queries."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict, defaultdict
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg import codes
from kg.namespaces import KG, PREFIXES
from kg.queries import load_queries, run
from kg.source import fold_key, source_lines
from kg.store import Store

P = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())

TYPE_LABELS = {
    "organisation": ("Organisation", "Organisations"), "personne": ("Personne", "Personnes"),
    "loi": ("Texte juridique", "Textes juridiques"), "outil": ("Outil ou dispositif", "Outils et dispositifs"),
    "territoire": ("Territoire", "Territoires"), "publication": ("Publication", "Publications"),
    "evenement": ("Événement", "Événements"),
}
TYPE_PATHS = {"organisation": "organisation", "personne": "personne", "loi": "loi", "outil": "concept",
              "territoire": "territoire", "publication": "publication", "evenement": "evenement"}
SECTION_LABELS = {
    "contexte": "Contexte", "objectifs": "Objectifs", "actions": "Actions", "actions-realisees": "Actions réalisées",
    "perspectives": "Perspectives 2024", "plaidoyer": "Éléments de plaidoyer", "points-attention": "Points d'attention",
    "propositions": "Propositions", "projets": "Projets", "role-commission": "Rôle de la commission",
    "calendrier": "Calendrier",
}
ROLE_LABELS = {"referent-ca": "Référent·e CA", "referent-equipe": "Référent·e équipe", "contributeur": "Contributeur·rice"}
STATUS_LABELS = codes.STATUS
VIA_LABELS = codes.VIA


_CACHE: "OrderedDict[tuple, Any]" = OrderedDict()
_CACHE_SIZE = 2048
_CACHE_LOCK = threading.Lock()
_PENDING: dict[tuple, threading.Event] = {}


def cached(function):
    """Remember a page's data per store version: a new build (a new store) starts afresh.

    The remembered value itself is returned (no copy: copying thousands of rows cost more than the query);
    callers treat it as read-only. Callers asking for data being computed wait for it instead of computing it
    again (a visitor arriving during the warm-up, or two at once on a cold page)."""
    @functools.wraps(function)
    def wrapper(store: Store, *args, **kwargs):
        key = (function.__name__, id(store), store.version(), *[str(a) for a in args], *sorted(kwargs.items()))
        while True:
            with _CACHE_LOCK:
                if key in _CACHE:
                    _CACHE.move_to_end(key)
                    return _CACHE[key]
                pending, mine = _PENDING.get(key), False
                if pending is None:
                    pending, mine = _PENDING.setdefault(key, threading.Event()), True
            if not mine:
                pending.wait()  # then read the cache (or compute, if that computation failed)
                continue
            try:
                value = function(store, *args, **kwargs)
                with _CACHE_LOCK:
                    _CACHE[key] = value
                    while len(_CACHE) > _CACHE_SIZE:
                        _CACHE.popitem(last=False)
                return value
            finally:
                with _CACHE_LOCK:
                    _PENDING.pop(key, None)
                pending.set()
    return wrapper


def _str(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _py(node: Node | None) -> Any:
    return None if node is None else node.toPython() if isinstance(node, Literal) else str(node)


# --- home ----------------------------------------------------------------------------------------

#: Fiches shown per axis on the home page; the axis page lists them all.
HOME_FICHES_PER_AXIS = 12
#: Programmes whose axes and fiches the home page details (newest first); the others are in its list of programmes.
HOME_PROGRAMMES = 3


@cached
def overview(store: Store) -> dict[str, Any]:
    """Counts by type, and each programme with its axes and their first fiches (newest programme first)."""
    counts = store.query(P + "SELECT ?type (COUNT(?e) AS ?n) WHERE { ?e kg:entityType ?type } GROUP BY ?type").rows
    heads = store.query(P + """
SELECT ?programme ?label ?year WHERE { ?programme a kg:Programme ; rdfs:label ?label ; kg:year ?year }
ORDER BY DESC(?year) ?label""").rows
    rows = store.query(P + """
SELECT ?programme ?axis ?axisLabel ?position ?fiche ?number ?title WHERE {
  ?axis a kg:Axis ; kg:programme ?programme ; rdfs:label ?axisLabel ; kg:position ?position .
  OPTIONAL { ?fiche kg:axis ?axis ; kg:ficheNumber ?number ; rdfs:label ?title }
} ORDER BY ?position ?number""").rows
    programmes = {str(h["programme"]): {"iri": str(h["programme"]), "label": str(h["label"]), "year": str(h["year"]),
                                        "axes": {}, "fiches": 0} for h in heads}
    for r in rows:
        programme = programmes.get(str(r["programme"]))
        if programme is None:
            continue
        axis = programme["axes"].setdefault(str(r["axis"]), {"iri": str(r["axis"]), "label": str(r["axisLabel"]),
                                                              "fiches": [], "total": 0})
        if r["fiche"] is not None:
            axis["total"] += 1
            programme["fiches"] += 1
            if len(axis["fiches"]) < HOME_FICHES_PER_AXIS:
                axis["fiches"].append({"iri": str(r["fiche"]), "number": _py(r["number"]), "label": str(r["title"])})
    for programme in programmes.values():
        programme["axes"] = list(programme["axes"].values())
    by_type = {str(r["type"]): _py(r["n"]) for r in counts}
    return {"counts": [{"type": t, "label": TYPE_LABELS[t][1], "count": by_type.get(t, 0), "path": TYPE_PATHS[t]}
                       for t in TYPE_LABELS],
            "programmes": list(programmes.values()),
            "detailed": list(programmes.values())[:HOME_PROGRAMMES],
            "fiches": sum(p["fiches"] for p in programmes.values())}


# --- a fiche -------------------------------------------------------------------------------------

@cached
def fiche(store: Store, iri: URIRef) -> dict[str, Any] | None:
    """Every section, role, mention and event of one fiche."""
    head = store.query(P + """
SELECT ?this ?number ?label ?title ?status ?axis ?axisLabel ?line ?programme ?programmeLabel WHERE {
  ?this a kg:Fiche ; kg:ficheNumber ?number ; rdfs:label ?label ; kg:axis ?axis ; kg:programme ?programme .
  ?axis rdfs:label ?axisLabel . ?programme rdfs:label ?programmeLabel .
  OPTIONAL { ?this dcterms:title ?title } OPTIONAL { ?this kg:ficheStatus ?status } OPTIONAL { ?this kg:lineStart ?line }
}""", {"this": iri}).rows
    if not head:
        return None
    h = head[0]
    # Names are looked up node by node: an OPTIONAL reaching the agent's label is joined against every label
    # of the store by Oxigraph (56 ms on the ×100 graph, 1 ms this way).
    roles = store.query(P + """
SELECT ?this ?r ?code ?agent ?scope ?quote ?line ?last WHERE {
  ?r kg:fiche ?this ; kg:roleCode ?code ; kg:quote ?quote ; kg:lineStart ?line .
  OPTIONAL { ?r kg:lineEnd ?last }
  OPTIONAL { ?r kg:agent ?agent }
  OPTIONAL { ?r kg:scope ?scope }
}""", {"this": iri}).rows
    for r in roles:
        about = _properties(store, r["agent"]) if r["agent"] is not None else {}
        r["name"], r["type"] = _first(about, RDFS_LABEL), _first(about, KG.entityType)
    order = {"referent-ca": 0, "referent-equipe": 1}
    roles.sort(key=lambda r: (order.get(str(r["code"]), 2), "" if r["name"] is None else str(r["name"])))
    items = store.query(P + """
SELECT ?this ?section ?kind ?heading ?spos ?item ?ipos ?text ?first ?last WHERE {
  ?item kg:fiche ?this ; kg:section ?section ; kg:position ?ipos ; kg:text ?text ; kg:lineStart ?first ; kg:lineEnd ?last .
  ?section kg:sectionKind ?kind ; kg:position ?spos .
  OPTIONAL { ?section kg:heading ?heading }
} ORDER BY ?spos ?ipos""", {"this": iri}).rows
    mentions = store.query(P + """
SELECT ?this ?item ?entity ?label ?type ?start ?end WHERE {
  ?m kg:fiche ?this ; a kg:Mention ; oa:hasBody ?entity ; oa:hasTarget ?t .
  ?t oa:hasSource ?item ; oa:hasSelector ?sel . ?sel oa:start ?start ; oa:end ?end .
  ?entity rdfs:label ?label ; kg:entityType ?type .
}""", {"this": iri}).rows
    by_item: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in mentions:
        by_item[str(m["item"])].append({"entity": str(m["entity"]), "label": str(m["label"]), "type": str(m["type"]),
                                        "start": _py(m["start"]), "end": _py(m["end"])})
    sections: list[dict[str, Any]] = []
    for r in items:
        if not sections or sections[-1]["iri"] != str(r["section"]):
            sections.append({"iri": str(r["section"]), "kind": str(r["kind"]), "title": SECTION_LABELS[str(r["kind"])],
                             "heading": _own_heading(_str(r["heading"]), SECTION_LABELS[str(r["kind"])]), "items": []})
        found = sorted(by_item.get(str(r["item"]), []), key=lambda m: m["start"])
        sections[-1]["items"].append({"iri": str(r["item"]), "text": str(r["text"]), "first": _py(r["first"]),
                                      "last": _py(r["last"]), "segments": _segments(str(r["text"]), found)})
    events = [_event_of(store, r["event"]) for r in store.query(P + """
SELECT ?this ?event WHERE { ?event kg:fiche ?this ; a kg:Event }""", {"this": iri}).rows]
    events.sort(key=lambda r: (r["start"] is None, "" if r["start"] is None else str(r["start"]), str(r["label"])))
    involved = store.query(P + """
SELECT ?this ?entity ?label ?type (GROUP_CONCAT(DISTINCT ?via; separator=" ") AS ?vias) WHERE {
  ?inv kg:fiche ?this ; kg:entity ?entity ; kg:via ?via .
  ?entity rdfs:label ?label ; kg:entityType ?type .
} GROUP BY ?this ?entity ?label ?type ORDER BY ?type ?label""", {"this": iri}).rows
    return {
        "iri": str(iri), "number": _py(h["number"]), "label": str(h["label"]), "title": _str(h["title"]),
        "status": _str(h["status"]), "axis": {"iri": str(h["axis"]), "label": str(h["axisLabel"])},
        "programme": {"iri": str(h["programme"]), "label": str(h["programmeLabel"])}, "line": _py(h["line"]),
        "roles": [{"iri": str(r["r"]), "last": _py(r["last"]), "code": str(r["code"]), "role": ROLE_LABELS[str(r["code"])], "agent": _str(r["agent"]),
                   "name": _str(r["name"]) or "?", "type": _str(r["type"]), "scope": _str(r["scope"]),
                   "quote": str(r["quote"]), "line": _py(r["line"])} for r in roles],
        "sections": sections,
        "events": [_event_row(r) for r in events],
        "involved": [{"entity": str(r["entity"]), "label": str(r["label"]), "type": str(r["type"]),
                      "vias": str(r["vias"]).split()} for r in involved],
    }


def _own_heading(heading: str | None, title: str) -> str | None:
    """The printed heading when it says more than the section's title ("Eléments de plaidoyer :" does not)."""
    if heading is None:
        return None
    words = lambda text: [w.rstrip("s") for w in fold_key(text.rstrip(" :")).split()]  # noqa: E731
    return None if words(heading) == words(title) else heading


def _segments(text: str, mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut into plain runs and mentions (for highlighting, escaped by the template)."""
    out, at = [], 0
    for m in mentions:
        if m["start"] < at:
            continue
        if m["start"] > at:
            out.append({"text": text[at:m["start"]]})
        out.append({"text": text[m["start"]:m["end"]], "entity": m["entity"], "label": m["label"], "type": m["type"]})
        at = m["end"]
    if at < len(text):
        out.append({"text": text[at:]})
    return out


RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
SCHEMA = "https://schema.org/"


def _properties(store: Store, node: Node) -> dict[str, list[Node]]:
    """Every (predicate, objects) of one node: an index lookup, fast whatever the size of the store."""
    out: dict[str, list[Node]] = defaultdict(list)
    for row in store.query("SELECT ?this ?p ?o WHERE { ?this ?p ?o }", {"this": node}).rows:
        out[str(row["p"])].append(row["o"])
    return out


def _first(properties: dict[str, list[Node]], predicate: URIRef | str) -> Node | None:
    values = properties.get(str(predicate))
    return values[0] if values else None


def _event_of(store: Store, event: Node, about: dict[str, list[Node]] | None = None) -> dict[str, Node | None]:
    """An event's row (as ``_event_row`` reads it) from its own triples and its place's label."""
    about = _properties(store, event) if about is None else about
    place = _first(about, SCHEMA + "location")
    return {"event": event, "label": _first(about, RDFS_LABEL), "status": _first(about, KG.eventStatus),
            "kind": _first(about, KG.kind), "date": _first(about, SCHEMA + "startDate"),
            "dateText": _first(about, KG.dateText), "participants": _first(about, KG.participants),
            "participantsText": _first(about, KG.participantsText), "place": place,
            "placeLabel": _first(_properties(store, place), RDFS_LABEL) if place is not None else None,
            "start": _first(about, KG.periodStart)}


def _event_row(r: dict[str, Node | None]) -> dict[str, Any]:
    return {"iri": str(r["event"]), "label": str(r["label"]), "date": _str(r.get("date")),
            "date_text": _str(r.get("dateText")), "status": str(r["status"]),
            "status_label": STATUS_LABELS[str(r["status"])], "kind": str(r["kind"]),
            "participants": _py(r.get("participants")), "participants_text": _str(r.get("participantsText")),
            "place": _str(r.get("place")), "place_label": _str(r.get("placeLabel"))}


# --- any entity (its page: kg/entity_page.py) -----------------------------------------------------

def describe(store: Store, iri: URIRef) -> Graph:
    """The triples about an IRI, both ways (what its RDF twins serve)."""
    result = store.query(P + """
CONSTRUCT { ?this ?p ?o . ?s ?q ?this . } WHERE { { ?this ?p ?o } UNION { ?s ?q ?this } }""", {"this": iri})
    graph = result.graph if result.graph is not None else Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


DATA = Path(__file__).resolve().parent.parent / "data"


def source_text(file_name: str) -> list[str] | None:
    """The numbered lines of a source document named by its kg:fileName (a ``source/`` folder under data/, as in
    data/programmes/ID/source/), when this copy of the project has it."""
    path = (DATA.parent / file_name).resolve()
    if path.parent.name != "source" or DATA not in path.parents or not path.is_file():
        return None
    return list(source_lines(str(path)))


def exists(store: Store, iri: URIRef) -> bool:
    return bool(store.query("ASK { ?this ?p ?o }", {"this": iri}).boolean)


# --- lists, search -------------------------------------------------------------------------------

@cached
def entity_list(store: Store, etype: str) -> list[dict[str, Any]]:
    result = run(load_queries()["entities"], {"type": etype}, store)
    return [{"iri": str(r["entity"]), "label": str(r["label"]), "type": str(r["type"]), "fiches": _py(r["fiches"])}
            for r in result.rows]


@cached
def search(store: Store, text: str, limit: int = 50) -> list[dict[str, Any]]:
    """The entities whose name starts like ``text``; none for a text of punctuation only (« - », « ? »)."""
    if not fold_key(text):
        return []
    result = run(load_queries()["search"], {"text": text}, store, limit=limit)
    return [{"iri": str(r["entity"]), "label": str(r["label"]), "type": str(r["type"]),
             "type_label": TYPE_LABELS.get(str(r["type"]), ("", ""))[0]} for r in result.rows]


# --- pictures ------------------------------------------------------------------------------------

@cached
def timeline_order(store: Store) -> list[str]:
    """Dated events, by start of period then label: cheap to list however many there are."""
    rows = store.query(P + "SELECT ?event ?start ?label WHERE { ?event kg:periodStart ?start ; rdfs:label ?label }").rows
    rows.sort(key=lambda r: (str(r["start"]), str(r["label"]), str(r["event"])))
    return [str(r["event"]) for r in rows]


@cached
def timeline(store: Store, events: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The rows of the frise for these events (all dated events when None), each read node by node."""
    out = []
    for iri in timeline_order(store) if events is None else events:
        about = _properties(store, URIRef(iri))
        r = _event_of(store, URIRef(iri), about)
        links = []
        for f in about.get(str(KG.fiche), []):
            fiche_about = _properties(store, f)
            programme = _first(_properties(store, _first(fiche_about, KG.programme)), KG.identifier)
            links.append({"iri": str(f), "number": int(_first(fiche_about, KG.ficheNumber).toPython()),
                          "programme": str(programme)})
        links.sort(key=lambda x: (x["programme"], x["number"]))
        row = _event_row(r)
        row.update(start=str(r["start"]), end=str(_first(about, KG.periodEnd)), fiche_links=links)
        out.append(row)
    several = len({x["programme"] for row in out for x in row["fiche_links"]}) > 1
    for row in out:  # the frise's lanes: a fiche number, or (programme, number) when the rows span several
        row["fiches"] = sorted({(x["programme"], x["number"]) if several else x["number"] for x in row["fiche_links"]})
    return out
