"""The only prefix table, and the one place where IRIs are minted."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

#: Base of every IRI the project mints; the site serves ``BASE + path`` at ``/path``.
BASE = "https://ess-kg.example/"

KG = Namespace(BASE + "ontologie#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
ESSGLOBAL = Namespace("http://purl.org/essglobal/vocab/")
ESSGLOBAL_STANDARD = Namespace("http://purl.org/essglobal/standard/")
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, Namespace] = {
    "kg": KG,
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "sh": Namespace(str(SH)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "prov": Namespace(str(PROV)),
    "org": ORG,
    "schema": SCHEMA,
    "time": TIME,
    "eli": ELI,
    "oa": OA,
    "igeo": IGEO,
    "essglobal": ESSGLOBAL,
    "wd": WD,
}

#: Path segment of each kind of shared entity (French, as the site shows them).
ENTITY_PATHS = {
    "person": "personne",
    "organisation": "organisation",
    "law": "loi",
    "concept": "concept",
    "territory": "territoire",
    "publication": "publication",
    "event": "evenement",
}


def prefixed(iri: str) -> str:
    """``kg:Fiche`` for a known namespace (the longest that matches); the IRI itself otherwise."""
    best = max(((prefix, str(ns)) for prefix, ns in PREFIXES.items() if iri.startswith(str(ns))),
               key=lambda match: len(match[1]), default=None)
    return f"{best[0]}:{iri[len(best[1]):]}" if best else iri


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace, for queries written by hand."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def entity_iri(kind: str, ident: str) -> URIRef:
    """IRI of a shared entity: a person, organisation, law, concept, territory, publication or event."""
    return URIRef(f"{BASE}{ENTITY_PATHS[kind]}/{ident}")


def programme_iri(programme: str) -> URIRef:
    return URIRef(f"{BASE}programme/{programme}")


def axis_iri(programme: str, axis: str) -> URIRef:
    return URIRef(f"{BASE}programme/{programme}/axe/{axis}")


def fiche_iri(programme: str, number: int) -> URIRef:
    """Fiche numbers are scoped by their programme: fiche 7 of rtes-2024."""
    return URIRef(f"{BASE}programme/{programme}/fiche/{number}")


def part_iri(parent: URIRef, *segments: object) -> URIRef:
    """IRI of a part of a fiche (a section, an item, a role, a mention)."""
    return URIRef(str(parent) + "/" + "/".join(str(s) for s in segments))


CONCEPT_SCHEME = URIRef(BASE + "concept/")
SOURCE_DOCUMENT = URIRef(BASE + "source/rtes-programme-actions-2024")
