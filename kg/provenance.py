"""Facts that the source document does not print (an expansion from a public source, an inferred year, a deduced
end date): each is described by its own node, so RDF, pages and CSV can say so."""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.namespaces import KG, prefixed

#: kind of fact -> the French explanation a reader sees next to it.
EXPLANATION = {
    "source-publique": "développé d'après une source publique",
    "annee-deduite": "année déduite de la section",
    "fin-deduite": "date de fin déduite",
}


def not_printed(subject: URIRef, prop: URIRef, kind: str, note: str | None = None) -> list[tuple[URIRef, URIRef, Any]]:
    """``subject``'s value of ``prop`` is not printed in the document: why (``kind``), in French, with a note."""
    node = URIRef(f"{subject}#non-imprime-{prefixed(str(prop)).replace(':', '-')}")
    out = [(subject, KG.notPrinted, node), (node, RDF.type, KG.NotPrintedFact), (node, KG.onProperty, prop),
           (node, KG.provenanceKind, Literal(kind)), (node, RDFS.label, Literal(EXPLANATION[kind], lang="fr"))]
    if note:
        out.append((node, SKOS.note, Literal(note, lang="fr")))
    return out
