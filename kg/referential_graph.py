"""The referential links and the administrative hierarchy as triples, for the entities of the graph only.

Reads ``<data>/reference/insee-links.yaml`` (written by ``kg link --referentiel``, plus what a person accepted)
and the committed table ``<data>/reference/insee/``. Vocabulary: INSEE's geographic ontology for the places
(``igeo:Commune``, ``igeo:Departement``, ``igeo:Region``, ``igeo:codeINSEE``, ``igeo:nom``), schema.org for the
hierarchy (``schema:containedInPlace``, child -> parent), for EPCI (``schema:AdministrativeArea``) and for the
territory a collectivité serves (``schema:areaServed``); ``kg:population`` (the INSEE municipal population the
referential gives) has no standard equivalent.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.identifiers import described_link
from kg.load import Dataset
from kg.namespaces import IGEO, KG, SCHEMA, entity_iri
from kg.referential import Referential, load_referential
from kg.referential_links import LINKS_FILE, read_links

SIREN_PAGE = "https://annuaire-entreprises.data.gouv.fr/entreprise/{}"  # the siren scheme of verified-links.yaml
#: Who verified a link written by ``kg link --referentiel`` (an accepted proposal names its person instead).
SOURCE = "Découpage administratif d'Etalab {version} (code officiel géographique de l'INSEE)"


def place_iri(kind: str, code: str) -> URIRef:
    """INSEE's code-based IRI of a commune, département or région; the public SIREN page of an EPCI."""
    if kind == "epci":
        return URIRef(SIREN_PAGE.format(code))
    return URIRef(f"http://id.insee.fr/geo/{kind}/{code}")


class _Places:
    """The nodes of the hierarchy, each described once, with its ancestors."""

    def __init__(self, ref: Referential):
        self.ref = ref
        self.triples: list[tuple] = []
        self.done: set[tuple[str, str]] = set()
        self._epci_departements: dict[str, set[str]] | None = None  # EPCI SIREN -> départements of its members

    def add(self, kind: str, code: str) -> URIRef:
        iri = place_iri(kind, code)
        if (kind, code) in self.done:
            return iri
        self.done.add((kind, code))
        t = self.triples.append
        row = getattr(self.ref, "epci" if kind == "epci" else kind + "s")[code]
        t((iri, RDFS.label, Literal(row["nom"], lang="fr")))
        t((iri, IGEO.nom, Literal(row["nom"], lang="fr")))
        if kind == "epci":
            t((iri, RDF.type, SCHEMA.AdministrativeArea))
            t((iri, KG.siren, Literal(code)))
            t((iri, KG.epciType, Literal(row["type"])))
            departements = self.epci_departements().get(code, set())
            if len(departements) == 1:  # an EPCI across départements (Aix-Marseille-Provence) is in none of them
                t((iri, SCHEMA.containedInPlace, self.add("departement", next(iter(departements)))))
        else:
            t((iri, RDF.type, {"commune": IGEO.Commune, "departement": IGEO.Departement, "region": IGEO.Region}[kind]))
            t((iri, IGEO.codeINSEE, Literal(code)))
        if row.get("population") is not None:
            t((iri, KG.population, Literal(row["population"])))
        if kind == "commune":
            t((iri, SCHEMA.containedInPlace, self.add("departement", row["departement"])))
            if row["epci"]:
                t((iri, SCHEMA.containedInPlace, self.add("epci", row["epci"])))
        if kind == "departement" and row["region"] in self.ref.regions:
            t((iri, SCHEMA.containedInPlace, self.add("region", row["region"])))
        return iri

    def epci_departements(self) -> dict[str, set[str]]:
        if self._epci_departements is None:
            self._epci_departements = {}
            for row in self.ref.communes.values():
                if row["epci"]:
                    self._epci_departements.setdefault(row["epci"], set()).add(row["departement"])
        return self._epci_departements


def referential_triples(dataset: Dataset, existing: list | None = None) -> list[tuple]:
    """Links, hierarchy and populations for ``dataset``; with ``existing`` (the graph's triples), also drops the
    "non-lie" status of the entities this links. Nothing when the data folder has no links file."""
    root = Path(dataset.root)
    links, accepted = read_links(root / LINKS_FILE)
    if not links and not accepted:
        return []
    ref = load_referential(root / "reference" / "insee")
    places = _Places(ref)
    out: list[tuple] = []
    linked = set()
    for link in links + accepted:
        kind, ident = link["entity"].split("/", 1)
        if (kind, ident) not in dataset.entities:
            continue  # an entity removed from the data since the links were written
        iri = entity_iri(kind, ident)
        linked.add(iri)
        out.append((iri, KG.linkVerification, Literal(f"{link['scheme']} {link['id']} — {link['verified']}")))
        out.append((iri, KG.linkStatus, Literal("lie")))
        if link["kind"] == "epci" or (kind == "organisation" and link["kind"] == "commune"):
            out.append((iri, KG.siren, Literal(link["id"])))
            code = link["id"] if link["kind"] == "epci" else next(
                c for c, row in ref.communes.items() if row["siren"] == link["id"])
            prop = SCHEMA.areaServed if kind == "organisation" else SKOS.exactMatch
            out.append((iri, prop, places.add(link["kind"], code)))
        else:
            out.append((iri, SKOS.exactMatch, places.add(link["kind"], link["id"])))  # its code: igeo:codeINSEE there
        out += _described(iri, link, ref.version, accepted=link in accepted)
    if existing is not None and linked:
        status = KG.linkStatus
        existing[:] = [t for t in existing if not (t[1] == status and t[0] in linked and str(t[2]) == "non-lie")]
    return out + places.triples


def _described(iri: URIRef, link: dict, version: str, accepted: bool) -> list[tuple]:
    """The link as a described ``kg:externalLink`` node, like a verified identifier's: the referential is the
    source of an automatic link (its reason the note), the person who accepted a proposal the source of the other."""
    scheme, code = link["scheme"], link["id"]
    target = URIRef(SIREN_PAGE.format(code)) if scheme == "siren" else place_iri(link["kind"], code)
    if accepted:
        return described_link(iri, scheme, code, "exact", link["verified"], target)
    reason = link["verified"].split(" : ", 1)[-1] if " : " in link["verified"] else None
    return described_link(iri, scheme, code, "exact", SOURCE.format(version=version), target, reason)
