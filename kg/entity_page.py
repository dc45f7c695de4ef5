"""What an entity page shows, as plain data: what a person reads apart from the internal keys, with provenance."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef

from kg.codes import de  # noqa: F401 - the site's template filter
from kg.entity_programmes import across_programmes, with_sources
from kg.entity_territory import hierarchy, rolled_up
from kg.browse import P, ROLE_LABELS, STATUS_LABELS, TYPE_LABELS, VIA_LABELS, _py, _str, cached
from kg.namespaces import KG, PREFIXES
from kg.source import fold
from kg.store import Store

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"
K = str(KG)

#: What a person reads, in this order and with these French names; every other property is a technical detail.
SHOWN = {
    RDFS_LABEL: "nom", SKOS + "altLabel": "autres noms", K + "acronym": "sigle", K + "kind": "sorte",
    DCT + "title": "titre", K + "shortLabel": "nom court", DCT + "description": "description",
    K + "lawNumber": "numéro du texte", K + "nor": "NOR", K + "siren": "SIREN", K + "codeINSEE": "code INSEE",
    K + "date": "date", K + "year": "année", K + "eventStatus": "statut", SCHEMA + "startDate": "date",
    SCHEMA + "endDate": "date de fin", K + "dateText": "date imprimée", K + "participantsText": "participants",
    K + "online": "en ligne", SCHEMA + "location": "lieu", SCHEMA + "organizer": "organisateur",
    K + "coOrganizer": "co-organisateur", SCHEMA + "performer": "intervenant", SCHEMA + "superEvent": "dans le cadre de",
    "http://www.w3.org/ns/org#subOrganizationOf": "fait partie de", K + "partOf": "fait partie de",
    DCT + "isPartOf": "fait partie de", SKOS + "broader": "notion plus large", K + "relatedLaw": "texte lié",
    DCT + "publisher": "éditeur", DCT + "creator": "auteur", DCT + "subject": "sujet",
    K + "publicationStatus": "statut de publication", SKOS + "note": "note", K + "programme": "programme",
    K + "axisNumber": "numéro d'axe", K + "ficheCount": "nombre de fiches", DCT + "source": "source",
    K + "fileName": "fichier",
    SKOS + "exactMatch": "identifiant externe (exact)", SKOS + "closeMatch": "identifiant externe (proche)",
}
_ORDER = {p: i for i, p in enumerate(SHOWN)}
#: Incoming links whose subjects have no name: shown as the fiches they belong to, under a name a person reads.
INCOMING_NAMES = {K + "entity": "impliqué dans", OA + "hasBody": "nommé dans", K + "agent": "rôle dans"}
#: Codes of kinds whose French words need more than hyphens turned into spaces.
KIND_WORDS = {
    "agence-etat": "agence de l'État", "ministere": "ministère", "federation": "fédération", "collectivite": "collectivité",
    "cooperative": "coopérative", "etablissement-public": "établissement public", "universite": "université",
    "institution-europeenne": "institution européenne", "reglement-ue": "règlement de l'UE", "texte-ue": "texte de l'UE",
    "decret": "décret", "region": "région", "departement": "département", "intercommunalite": "intercommunalité",
    "repress": "RepèrESS", "points-de-repress": "Points de RepèrESS", "deniche-pour-vous": "Déniché pour vous",
    "etude": "étude", "these": "thèse", "synthese": "synthèse", "repertoire": "répertoire", "seminaire": "séminaire",
    "reunion": "réunion", "congres": "congrès", "journee": "journée", "assemblee-generale": "assemblée générale",
    "notion": "notion", "politique-publique": "politique publique", "instance-consultative": "instance consultative",
}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
PUBLIC_EXPANSION = "développé d'après une source publique (le document n'imprime que le sigle)"
PUBLIC_NAME = "nom développé d'après une source publique (le document ne l'imprime pas sous cette forme)"
YEAR_INFERRED = "année déduite de la section (non imprimée dans le document)"


def date_words(value: str) -> str:
    """'2024-06-12' → '12 juin 2024', '2024-06' → 'juin 2024', '2024' → '2024'."""
    parts = value.split("-")
    if len(parts) >= 2 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        month = MONTHS[int(parts[1]) - 1]
        if len(parts) == 3 and parts[2].isdigit():
            day = int(parts[2])
            return f"{'1er' if day == 1 else day} {month} {parts[0]}"
        return f"{month} {parts[0]}"
    return value


def natural_key(label: str) -> list[Any]:
    """Sort key putting 'Fiche 4' before 'Fiche 10'."""
    return [int(t) if t.isdigit() else t.casefold() for t in re.split(r"(\d+)", label)]


def highlight(text: str, names: list[str]) -> list[dict[str, Any]]:
    """The quote cut into runs, those naming the entity marked (accents and case ignored, whole words only)."""
    folded, origin = fold(text)
    spans: list[tuple[int, int]] = []
    for name in sorted({fold(n)[0].strip() for n in names if n}, key=len, reverse=True):
        for m in re.finditer(r"(?<![0-9a-z])" + re.escape(name) + r"(?![0-9a-z])", folded):
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            if all(end <= s or start >= e for s, e in spans):
                spans.append((start, end))
    out, at = [], 0
    for start, end in sorted(spans):
        if start > at:
            out.append({"text": text[at:start]})
        out.append({"text": text[start:end], "mark": True})
        at = end
    if at < len(text):
        out.append({"text": text[at:]})
    return out


@dataclass
class Statement:
    predicate: str
    predicate_label: str
    value: str
    value_label: str | None
    is_iri: bool
    lang: str | None = None
    datatype: str | None = None
    note: str | None = None  # provenance of a fact the document does not print


def _label(ontology_labels: dict[str, str], predicate: str) -> str:
    if predicate in ontology_labels:
        return ontology_labels[predicate]
    for prefix, ns in PREFIXES.items():
        if predicate.startswith(str(ns)):
            return f"{prefix}:{predicate[len(str(ns)):]}"
    return predicate


def _shown_value(predicate: str, o: Any) -> str:
    text = str(o)
    if isinstance(o, Literal) and isinstance(o.toPython(), bool):
        return "oui" if o.toPython() else "non"
    if predicate == K + "eventStatus":
        return STATUS_LABELS.get(text, text)
    if predicate == K + "kind":
        return KIND_WORDS.get(text, text.replace("-", " "))
    if predicate in (K + "date", SCHEMA + "startDate", SCHEMA + "endDate"):
        return date_words(text)
    return text


@cached
def entity(store: Store, iri: URIRef, ontology_labels: dict[str, str]) -> dict[str, Any] | None:
    """Label, type, readable properties and technical details, incoming links, appearances with quotes."""
    out_rows = store.query(P + """
SELECT ?this ?p ?o ?oLabel WHERE { ?this ?p ?o . OPTIONAL { ?o rdfs:label ?oLabel } }""", {"this": iri}).rows
    if not out_rows:
        return None
    values: dict[str, list[Any]] = defaultdict(list)
    for r in out_rows:
        values[str(r["p"])].append(r["o"])
    first = {p: str(v[0]) for p, v in values.items()}
    public = first.get(K + "expansionSource") == "public"
    shown: list[Statement] = []
    technical: list[Statement] = []
    for r in out_rows:
        p, o = str(r["p"]), r["o"]
        is_iri = isinstance(o, URIRef)
        plain = Statement(p, _label(ontology_labels, p), str(o), _str(r["oLabel"]), is_iri,
                          getattr(o, "language", None), _str(getattr(o, "datatype", None)))
        if p in SHOWN:
            note = None
            if p == RDFS_LABEL and public:
                note = PUBLIC_EXPANSION if K + "acronym" in values else PUBLIC_NAME
            if p in (SCHEMA + "startDate",) and first.get(K + "yearInferred") == "true":
                note = YEAR_INFERRED
            value = str(o) if is_iri else _shown_value(p, o)
            shown.append(Statement(p, SHOWN[p], value, _str(r["oLabel"]), is_iri, None, None, note))
        if p not in SHOWN or p in (K + "kind", K + "eventStatus", SCHEMA + "startDate", SCHEMA + "endDate"):
            technical.append(plain)
    # ties ("SCIC" and "Scic") by the raw value: engines give them in any order
    shown.sort(key=lambda s: (_ORDER[s.predicate], natural_key(s.value_label or s.value), s.value))
    technical.sort(key=lambda s: (s.predicate_label, s.value_label or s.value, s.value))
    label = first.get(RDFS_LABEL, str(iri))
    etype = first.get(K + "entityType")
    types = [str(t) for t in values.get(RDF_TYPE, [])]
    class_label = next((ontology_labels[t] for t in types if t in ontology_labels), "")
    names = [label, *(str(v) for v in values.get(SKOS + "altLabel", [])), *(str(v) for v in values.get(K + "acronym", []))]
    return {
        "iri": str(iri), "label": label, "type": etype,
        "type_label": TYPE_LABELS.get(etype or "", ("", ""))[0] or class_label,
        "kind": _shown_value(K + "kind", values[K + "kind"][0]) if K + "kind" in values else None,
        "properties": shown, "rows": _rows(shown), "technical": technical,
        "incoming": _incoming(store, iri, ontology_labels),
        **across_programmes(store, _appearances(store, iri, names), _roles(store, iri) if etype == "personne" else []),
        "external": _external(store, iri, [(str(o), p) for p in (SKOS + "exactMatch", SKOS + "closeMatch")
                                           for o in values.get(p, []) if isinstance(o, URIRef)]),
        "link_status": first.get(K + "linkStatus"),
        "provenance": [(PUBLIC_EXPANSION if K + "acronym" in values else PUBLIC_NAME)] if public else [],
        "event": with_sources(store, _event(store, iri, first)) if etype == "evenement" else None,
        "axis": _axis(store, iri) if K + "Axis" in types else None,
        **_territory(store, iri, etype),
    }


def _territory(store: Store, iri: URIRef, etype: str | None) -> dict[str, Any]:
    """A territory's or collectivité's official hierarchy; a région's or département's fiches through its places."""
    levels = hierarchy(store, iri) if etype in ("territoire", "organisation") else []
    return {"hierarchy": levels, "rolled_up": rolled_up(store, iri, levels) if etype == "territoire" else []}


def _rows(statements: list[Statement]) -> list[dict[str, Any]]:
    """Statements under one French name (in the order of SHOWN) as one row of the table."""
    rows: list[dict[str, Any]] = []
    for s in statements:
        if rows and rows[-1]["label"] == s.predicate_label:
            rows[-1]["values"].append(s)
        else:
            rows.append({"label": s.predicate_label, "values": [s]})
    return rows


def _incoming(store: Store, iri: URIRef, ontology_labels: dict[str, str]) -> list[dict[str, Any]]:
    """Incoming links by property; a subject without a name is shown as the fiche it belongs to (or left out)."""
    rows = store.query(P + """
SELECT ?this ?p ?s ?sLabel ?fiche ?ficheLabel WHERE {
  ?s ?p ?this . OPTIONAL { ?s rdfs:label ?sLabel }
  OPTIONAL { ?s kg:fiche ?fiche . ?fiche rdfs:label ?ficheLabel }
} LIMIT 5000""", {"this": iri}).rows
    by_p: dict[str, dict[str, Any]] = {}
    for r in rows:
        p = str(r["p"])
        if r["sLabel"] is not None:
            source, name = str(r["s"]), str(r["sLabel"])
        elif r["ficheLabel"] is not None:
            source, name = str(r["fiche"]), str(r["ficheLabel"])
        else:
            continue
        link = by_p.setdefault(p, {"predicate": p, "predicate_label": INCOMING_NAMES.get(p) or _label(ontology_labels, p),
                                   "subjects": set(), "items": {}})
        link["subjects"].add(str(r["s"]))
        link["items"][source] = name
    out = []
    for link in by_p.values():
        items = sorted(({"iri": i, "label": n} for i, n in _told_apart(link.pop("items")).items()),
                       key=lambda x: natural_key(x["label"]))
        count = len(link.pop("subjects"))  # popped first: a set in the page's JSON came in any order
        out.append({**link, "count": count, "items": items})
    out.sort(key=lambda x: (x["predicate"] != K + "involves", -x["count"], x["predicate_label"]))
    seen: set[tuple[str, ...]] = set()
    kept = []
    for link in out:  # the same fiches reached by another path (involvement, mention, role) say nothing new
        sources = tuple(i["iri"] for i in link["items"])
        if link["predicate"] in INCOMING_NAMES and sources in seen:
            continue
        seen.add(sources)
        kept.append(link)
    return kept


def _told_apart(names: dict[str, str]) -> dict[str, str]:
    """Two sources of one name (fiche 1 of two programmes) get their programme's id after it."""
    seen: dict[str, int] = defaultdict(int)
    for name in names.values():
        seen[name] += 1
    return {iri: f"{name} ({iri.split('/programme/', 1)[1].split('/', 1)[0]})"
            if seen[name] > 1 and "/programme/" in iri else name for iri, name in names.items()}


def _appearances(store: Store, iri: URIRef, names: list[str]) -> list[dict[str, Any]]:
    rows = store.query(P + """
SELECT ?this ?fiche ?number ?ficheLabel ?programme ?via ?evidence ?first ?last WHERE {
  ?inv kg:entity ?this ; kg:fiche ?fiche ; kg:via ?via ; kg:evidence ?evidence ; kg:lineStart ?first ; kg:lineEnd ?last .
  ?fiche kg:ficheNumber ?number ; rdfs:label ?ficheLabel ; kg:programme ?programme .
}""", {"this": iri}).rows
    # ties: any order elsewhere
    rows.sort(key=lambda r: (int(str(r["number"])), str(r["programme"]), int(str(r["first"])), str(r["via"])))
    fiches: dict[str, dict[str, Any]] = {}
    for r in rows:
        f = fiches.setdefault(str(r["fiche"]), {"iri": str(r["fiche"]), "number": _py(r["number"]),
                                                "label": str(r["ficheLabel"]), "programme": str(r["programme"]),
                                                "quotes": []})
        via = VIA_LABELS[str(r["via"])]
        same = next((q for q in f["quotes"] if q["text"] == str(r["evidence"])), None)
        if same is None:
            f["quotes"].append({"text": str(r["evidence"]), "segments": highlight(str(r["evidence"]), names),
                                "via": via, "first": _py(r["first"]), "last": _py(r["last"])})
        elif via not in same["via"]:
            same["via"] += " ; " + via
    return list(fiches.values())


def _roles(store: Store, iri: URIRef) -> list[dict[str, Any]]:
    """A person's roles: fiche, role, scope, quote and lines."""
    rows = store.query(P + """
SELECT ?this ?fiche ?number ?ficheLabel ?programme ?code ?scope ?quote ?first ?last WHERE {
  ?r kg:agent ?this ; kg:fiche ?fiche ; kg:roleCode ?code ; kg:quote ?quote ; kg:lineStart ?first .
  ?fiche kg:ficheNumber ?number ; rdfs:label ?ficheLabel ; kg:programme ?programme .
  OPTIONAL { ?r kg:lineEnd ?last } OPTIONAL { ?r kg:scope ?scope }
}""", {"this": iri}).rows
    rows.sort(key=lambda r: (int(str(r["number"])), str(r["programme"]), str(r["code"]), int(str(r["first"])),
                             str(r.get("scope") or "")))
    return [{"fiche": str(r["fiche"]), "fiche_label": str(r["ficheLabel"]), "programme": str(r["programme"]),
             "role": ROLE_LABELS.get(str(r["code"]), str(r["code"])),
             "scope": _str(r["scope"]), "quote": str(r["quote"]), "first": _py(r["first"]),
             "last": _py(r["last"]) if r["last"] is not None else _py(r["first"])} for r in rows]


PRECISION_WORDS = {"jour": "daté du jour : {date}", "mois": "daté du mois : {date}", "annee": "daté seulement de l'année {date}"}


def _event(store: Store, iri: URIRef, first: dict[str, str]) -> dict[str, Any]:
    """An event's status, date in words with its provenance, and the lines it comes from."""
    start, precision = first.get(SCHEMA + "startDate"), first.get(K + "datePrecision")
    date = PRECISION_WORDS[precision].format(date=date_words(start)) if start and precision in PRECISION_WORDS else \
        "sans date dans le document"
    notes = []
    if first.get(K + "yearInferred") == "true":
        notes.append(YEAR_INFERRED)
    if first.get(K + "dateUncertain") == "true":
        notes.append("date incertaine dans le document")
    period = None
    if first.get(K + "periodStart") and first.get(K + "periodEnd") and precision in ("mois", "annee"):
        period = (f"période couverte : du {date_words(first[K + 'periodStart'])} au {date_words(first[K + 'periodEnd'])}"
                  " (bornes déduites de la précision de la date, non imprimées)")
    sources = store.query(P + """
SELECT ?this ?item ?text ?first ?last ?fiche ?programme WHERE {
  ?this kg:reportedIn ?item . ?item kg:text ?text ; kg:lineStart ?first ; kg:lineEnd ?last ; kg:fiche ?fiche .
  ?fiche kg:programme ?programme .
}""", {"this": iri}).rows
    quotes = [{"text": str(r["text"]), "first": _py(r["first"]), "last": _py(r["last"]), "item": str(r["item"]),
               "programme": str(r["programme"])} for r in sources]
    if not quotes and first.get(K + "quote"):
        quotes.append({"text": first[K + "quote"], "first": first.get(K + "lineStart"), "last": first.get(K + "lineEnd"),
                       "item": None, "programme": None})
    quotes.sort(key=lambda q: (int(q["first"] or 0), q["text"]))
    status = first.get(K + "eventStatus", "")
    return {"status": STATUS_LABELS.get(status, status), "status_code": status, "date": date, "notes": notes,
            "period": period, "quotes": quotes}


def _axis(store: Store, iri: URIRef) -> dict[str, Any]:
    """An axis's fiches (by number) and the organisations they involve (by number of fiches)."""
    fiches = store.query(P + """
SELECT ?this ?fiche ?number ?label WHERE { ?fiche kg:axis ?this ; kg:ficheNumber ?number ; rdfs:label ?label }""",
                         {"this": iri}).rows
    fiches.sort(key=lambda r: int(str(r["number"])))
    partners = store.query(P + """
SELECT ?this ?entity ?label (COUNT(DISTINCT ?fiche) AS ?n) WHERE {
  ?fiche kg:axis ?this ; kg:involves ?entity . ?entity kg:entityType "organisation" ; rdfs:label ?label .
} GROUP BY ?this ?entity ?label""", {"this": iri}).rows
    partners.sort(key=lambda r: (-int(str(r["n"])), str(r["label"]).casefold()))
    return {"fiches": [{"iri": str(r["fiche"]), "label": str(r["label"])} for r in fiches],
            "partners": [{"iri": str(r["entity"]), "label": str(r["label"]), "fiches": _py(r["n"])} for r in partners]}


#: The French names of identifier schemes, and of how strongly a link matches.
SCHEMES = {"wikidata": "Wikidata", "ror": "ROR", "siren": "SIREN", "legifrance": "Légifrance", "nor": "NOR",
           "eli": "ELI", "insee-cog-region": "code INSEE de région", "essglobal": "ESSGlobal",
           "anf-agent": "Archives nationales", "celex": "CELEX (EUR-Lex)", "legitext": "Légifrance (code)",
           "insee-commune": "code INSEE de commune", "insee-departement": "code INSEE de département",
           "insee-region": "code INSEE de région"}
MATCHES = {"exact": "exacte", "close": "proche", "related": "apparentée (pas la même entité)"}


def _external(store: Store, iri: URIRef, matches: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Verified identifiers: each described link (scheme, code, strength, source, note), then any other match IRI."""
    rows = store.query(P + """
SELECT ?this ?link ?scheme ?id ?match ?target ?source ?note WHERE {
  ?this kg:externalLink ?link . ?link kg:linkScheme ?scheme ; kg:externalId ?id ; kg:linkMatch ?match .
  OPTIONAL { ?link kg:linkTarget ?target } OPTIONAL { ?link dcterms:source ?source } OPTIONAL { ?link skos:note ?note }
}""", {"this": iri}).rows
    links = [{"scheme": SCHEMES.get(str(r["scheme"]), str(r["scheme"])), "id": str(r["id"]),
              "iri": _str(r.get("target")), "match": MATCHES.get(str(r["match"]), str(r["match"])),
              "source": _str(r.get("source")), "note": _str(r.get("note")),
              "anchor": str(r["link"]).partition("#")[2]} for r in rows]
    links.sort(key=lambda x: (x["match"] != "exacte", x["scheme"], x["id"], x["anchor"]))  # anchor: engines tie otherwise
    described = {x["iri"] for x in links}
    for target, p in matches:
        if target not in described:
            links.append({"scheme": "", "id": target, "iri": target, "source": None, "note": None, "anchor": "",
                          "match": "exacte" if p.endswith("exactMatch") else "proche"})
    return _one_line_per_code(links)


def _one_line_per_code(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One code verified twice (verified-links.yaml and the INSEE referential): one line, both sources, in order."""
    merged: dict[tuple, dict[str, Any]] = {}
    for x in links:
        same = merged.setdefault((x["scheme"], x["id"], x["iri"], x["match"]), x)
        if same is not x:
            same["source"] = " ; ".join(sorted(s for s in (same["source"], x["source"]) if s)) or None
            same["note"] = min((n for n in (same["note"], x["note"]) if n), default=None)
    return list(merged.values())
