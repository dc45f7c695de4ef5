"""Verified links to open identifiers -> RDF: how each scheme becomes an IRI, and how strong the match is."""

from __future__ import annotations

import re
from typing import Any, Callable

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.namespaces import ESSGLOBAL_STANDARD, KG, WD

#: scheme -> the IRI the identifier names (the thing itself, or its official record).
LINK_IRI: dict[str, Callable[[str], URIRef]] = {
    "wikidata": lambda i: WD[i],
    "ror": lambda i: URIRef(i),
    "legifrance": lambda i: URIRef(f"https://www.legifrance.gouv.fr/jorf/id/{i}"),
    "eli": lambda i: URIRef(i),
    "insee-cog-region": lambda i: URIRef(f"http://id.insee.fr/geo/region/{i}"),
    "essglobal": lambda i: ESSGLOBAL_STANDARD[i],
    "anf-agent": lambda i: URIRef(i),
}
#: scheme -> the public page where a person reads the record (for identifiers that are codes, not IRIs).
LINK_PAGE: dict[str, Callable[[str], URIRef]] = {
    "siren": lambda i: URIRef(f"https://annuaire-entreprises.data.gouv.fr/entreprise/{i}"),
    "celex": lambda i: URIRef(f"https://eur-lex.europa.eu/legal-content/FR/TXT/?uri=CELEX:{i}"),
    "legitext": lambda i: URIRef(f"https://www.legifrance.gouv.fr/codes/texte_lc/{i}"),
}
#: scheme -> the property carrying the code itself, only when the match is exact (a parent's SIREN is not ours).
LINK_LITERAL = {"siren": KG.siren, "nor": KG.nor, "celex": KG.celex, "legitext": KG.legitext}
#: how strong the match is -> the SKOS mapping property; "related" (a parent, a predecessor) is never exactMatch.
MATCH_PROPERTY = {"exact": SKOS.exactMatch, "close": SKOS.closeMatch, "related": SKOS.relatedMatch}
LINK_SCHEMES = tuple(dict.fromkeys([*LINK_IRI, *LINK_LITERAL]))
LINK_MATCHES = tuple(MATCH_PROPERTY)


def link_node(entity: URIRef, scheme: str, ident: str) -> URIRef:
    """IRI of the description of one link: a fragment of the entity's page (``…/organisation/anct#lien-siren-130026032``)."""
    return URIRef(f"{entity}#lien-{scheme}-{re.sub(r'[^A-Za-z0-9]+', '-', ident.rsplit('/', 1)[-1]).strip('-')}")


def link_target(scheme: str, ident: str) -> URIRef | None:
    """Where the identifier leads: its IRI, or the public page of a code (SIREN, CELEX, LEGITEXT); a NOR has none
    of its own (its text's JORFTEXT link is the page)."""
    if scheme in LINK_IRI:
        return LINK_IRI[scheme](ident)
    return LINK_PAGE[scheme](ident) if scheme in LINK_PAGE else None


def link_triples(entity: URIRef, link: dict[str, Any]) -> list[tuple[URIRef, URIRef, Any]]:
    """One verified link: the SKOS mapping, the code when exact, and a described link node (scheme, code, match, source)."""
    scheme, ident, match = link["scheme"], link["id"], link["match"]
    target = link_target(scheme, ident)
    out: list[tuple[URIRef, URIRef, Any]] = []
    if target is not None and (scheme in LINK_IRI or match != "exact"):
        out.append((entity, MATCH_PROPERTY[match], target))
    if scheme in LINK_LITERAL and match == "exact":
        out.append((entity, LINK_LITERAL[scheme], Literal(ident)))
    out.append((entity, KG.linkVerification, Literal(f"{scheme} {ident} — {link['verified']}")))
    return out + described_link(entity, scheme, ident, match, link["verified"], target, link.get("note"))


def described_link(entity: URIRef, scheme: str, ident: str, match: str, source: str, target: URIRef | None = None,
                   note: str | None = None) -> list[tuple[URIRef, URIRef, Any]]:
    """The ``kg:externalLink`` node of one link: scheme, code, strength, where it leads, who verified it, a note."""
    node = link_node(entity, scheme, ident)
    out: list[tuple[URIRef, URIRef, Any]] = [
        (entity, KG.externalLink, node), (node, RDF.type, KG.ExternalLink),
        (node, KG.linkScheme, Literal(scheme)), (node, KG.externalId, Literal(ident)),
        (node, KG.linkMatch, Literal(match)), (node, DCTERMS.source, Literal(source))]
    if target is not None:
        out.append((node, KG.linkTarget, target))
    if note:
        out.append((node, SKOS.note, Literal(note)))
    return out
