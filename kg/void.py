"""The dataset description (DCAT and VoID) that every build writes beside its dumps."""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD

from kg.namespaces import BASE, KG, PREFIXES, SOURCE_DOCUMENT, entity_iri
from kg.programme_names import dataset_subtitle

VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef(BASE + "jeu-de-donnees")
LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
DUMPS = {"graph.ttl": "text/turtle", "graph.nt": "application/n-triples", "graph.jsonld": "application/ld+json",
         "graph.trig": "application/trig", "tables.zip": "application/zip"}


STATISTICS = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "entities": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s <%s> ?t }" % KG.entityType,
    "subjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    "properties": "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",
    "classes": "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "types": "SELECT ?t (COUNT(*) AS ?n) WHERE { ?s <%s> ?t } GROUP BY ?t" % KG.entityType,
    # one subset per programme (its fiches counted: cheap on a large graph, unlike its triples)
    "programmes": """SELECT ?p ?id ?label ?year ?status (COUNT(?f) AS ?n) WHERE {
  ?p a <%(kg)sProgramme> ; <%(kg)sidentifier> ?id ; <%(rdfs)slabel> ?label ; <%(kg)syear> ?year .
  OPTIONAL { ?p <%(kg)sreviewStatus> ?status }
  OPTIONAL { ?f <%(kg)sprogramme> ?p ; a <%(kg)sFiche> }
} GROUP BY ?p ?id ?label ?year ?status ORDER BY ?id""" % {"kg": KG, "rdfs": RDFS},
}


def statistics(store: "ox.Store") -> dict:
    """Counts for the description, computed by Oxigraph (iterating an rdflib graph is slow at scale)."""
    def rows(name):
        return list(store.query(STATISTICS[name], use_default_graph_as_union=False))

    def number(name):
        return int(rows(name)[0]["n"].value)

    return {"triples": number("triples"), "entities": number("entities"), "subjects": number("subjects"),
            "properties": {URIRef(r["p"].value) for r in rows("properties")},
            "classes": {URIRef(r["c"].value): int(r["n"].value) for r in rows("classes")},
            "types": {r["t"].value: int(r["n"].value) for r in rows("types")},
            "programmes": [{"iri": URIRef(r["p"].value), "id": r["id"].value, "label": r["label"].value,
                            "year": r["year"].value, "status": r["status"].value if r["status"] else "relu",
                            "fiches": int(r["n"].value)} for r in rows("programmes")]}


def describe_dataset(stats: dict, built: dt.datetime | None = None) -> Graph:
    """DCAT + VoID (title, publisher, source, licence, dates, counts per class, endpoint, examples, vocabularies)
    from the :func:`statistics` of the store."""
    built = built or dt.datetime.now()
    d = Graph()
    d.bind("void", VOID)
    d.bind("dcat", DCAT)
    d.bind("dcterms", DCTERMS)
    d.bind("foaf", FOAF)
    d.bind("kg", KG)
    d.add((DATASET, RDF.type, DCAT.Dataset))
    d.add((DATASET, RDF.type, VOID.Dataset))
    d.add((DATASET, DCTERMS.title, Literal("Graphe de connaissances de l'ESS territoriale — " + dataset_subtitle(stats["programmes"]), lang="fr")))
    d.add((DATASET, DCTERMS.title, Literal("Knowledge graph of the local social and solidarity economy — " + dataset_subtitle(stats["programmes"], "en"), lang="en")))
    d.add((DATASET, DCTERMS.description, Literal(
        "Les 14 fiches action du programme 2024 du RTES (Réseau des collectivités Territoriales pour une Économie "
        "Solidaire), leurs axes, référents, partenaires, lois, outils, territoires, publications et événements ; "
        "chaque fait cite la ligne du document source dont il vient.", lang="fr")))
    d.add((DATASET, DCTERMS.publisher, entity_iri("organisation", "rtes")))
    d.add((entity_iri("organisation", "rtes"), RDF.type, FOAF.Organization))
    d.add((entity_iri("organisation", "rtes"), FOAF.name, Literal("RTES — Réseau des collectivités Territoriales pour une Économie Solidaire", lang="fr")))
    d.add((DATASET, DCTERMS.source, SOURCE_DOCUMENT))
    d.add((SOURCE_DOCUMENT, RDFS.label, Literal("Programme d'actions 2024 du RTES (texte extrait du PDF)", lang="fr")))
    d.add((DATASET, DCTERMS.license, LICENCE))
    d.add((DATASET, DCTERMS.created, Literal(built.date().isoformat(), datatype=XSD.date)))
    d.add((DATASET, DCTERMS.modified, Literal(built.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)))
    d.add((DATASET, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/FRA")))
    d.add((DATASET, DCAT.keyword, Literal("économie sociale et solidaire", lang="fr")))
    d.add((DATASET, DCAT.keyword, Literal("collectivités territoriales", lang="fr")))
    d.add((DATASET, VOID.sparqlEndpoint, URIRef(BASE + "sparql")))
    d.add((DATASET, VOID.uriSpace, Literal(BASE)))
    d.add((DATASET, VOID.triples, Literal(stats["triples"])))
    d.add((DATASET, VOID.entities, Literal(stats["entities"])))
    d.add((DATASET, VOID.distinctSubjects, Literal(stats["subjects"])))
    d.add((DATASET, VOID.properties, Literal(len(stats["properties"]))))
    for example in ("programme/rtes-2024/fiche/7", "organisation/anct", "concept/scic", "loi/loi-ess-2014"):
        d.add((DATASET, VOID.exampleResource, URIRef(BASE + example)))
    used = {str(p) for p in stats["properties"]} | {str(c) for c in stats["classes"]}
    for prefix, ns in sorted(PREFIXES.items()):
        if any(u.startswith(str(ns)) for u in used) and prefix not in ("rdf", "rdfs", "xsd"):
            d.add((DATASET, VOID.vocabulary, URIRef(str(ns))))
    for cls, count in sorted(stats["classes"].items()):
        part = URIRef(f"{BASE}jeu-de-donnees/classe/{_local(cls)}")
        d.add((DATASET, VOID.classPartition, part))
        d.add((part, VOID["class"], cls))
        d.add((part, VOID.entities, Literal(count)))
    for etype, count in sorted(stats["types"].items()):
        part = URIRef(f"{BASE}jeu-de-donnees/type/{etype}")
        d.add((DATASET, VOID.subset, part))
        d.add((part, RDF.type, VOID.Dataset))
        d.add((part, RDFS.label, Literal(etype)))
        d.add((part, VOID.entities, Literal(count)))
    for programme in stats.get("programmes", ()):
        part = URIRef(f"{BASE}jeu-de-donnees/programme/{programme['id']}")
        d.add((DATASET, VOID.subset, part))
        d.add((part, RDF.type, VOID.Dataset))
        d.add((part, RDF.type, DCAT.Dataset))
        title = programme["label"] + (" (brouillon — à relire)" if programme["status"] == "brouillon" else "")
        d.add((part, DCTERMS.title, Literal(title, lang="fr")))
        d.add((part, FOAF.primaryTopic, programme["iri"]))
        d.add((part, KG.reviewStatus, Literal(programme["status"])))
        d.add((part, DCTERMS.temporal, Literal(programme["year"], datatype=XSD.gYear)))
        d.add((part, VOID.uriSpace, Literal(str(programme["iri"]) + "/")))
        d.add((part, VOID.exampleResource, programme["iri"]))
        fiches = URIRef(f"{part}/classe/kg-Fiche")
        d.add((part, VOID.classPartition, fiches))
        d.add((fiches, VOID["class"], KG.Fiche))
        d.add((fiches, VOID.entities, Literal(programme["fiches"])))
    for name, media in DUMPS.items():
        dist = URIRef(f"{BASE}telecharger/{name}")
        d.add((DATASET, DCAT.distribution, dist))
        d.add((dist, RDF.type, DCAT.Distribution))
        d.add((dist, DCAT.downloadURL, dist))
        d.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        d.add((dist, DCTERMS.license, LICENCE))
        if media != "application/zip":
            d.add((DATASET, VOID.dataDump, dist))
    return d


def _local(iri: URIRef) -> str:
    text = str(iri)
    for prefix, ns in PREFIXES.items():
        if text.startswith(str(ns)):
            return f"{prefix}-{text[len(str(ns)):]}"
    return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


__all__ = ["describe_dataset", "statistics", "DATASET", "VOID", "BNode"]
