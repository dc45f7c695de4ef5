"""What a territory's or collectivité's page adds: its official hierarchy (commune → EPCI → département → région,
with codes and populations) and, for a région or département, the fiches that involve a place inside it."""

from __future__ import annotations

from typing import Any

from rdflib import URIRef

from kg.browse import P, _py, _str
from kg.queries import load_queries
from kg.store import Store

#: Levels of the referential whose page lists the fiches of the places they contain.
ROLL_UP_LEVELS = ("région", "département")


def population_words(value: Any) -> str | None:
    """514819 → '514 819' (French thousands, a narrow no-break space)."""
    return None if value is None else f"{int(value):,}".replace(",", "\u202f")


def hierarchy(store: Store, iri: URIRef) -> list[dict[str, Any]]:
    """The referential places the entity is linked to and their ancestors, smallest first; each with the graph's page
    for it when there is one (a territory, or the collectivité serving it), else the referential's own IRI."""
    rows = store.query(load_queries()["territory-hierarchy"].text, {"entity": iri}).rows
    if not rows:
        return []
    pages: dict[str, tuple[int, str]] = {}
    for r in store.query(P + """
SELECT ?entity ?place ?page ?how WHERE {
  ?entity skos:exactMatch|schema:areaServed ?node . ?node schema:containedInPlace* ?place .
  ?page ?link ?place .
  FILTER (?link IN (skos:exactMatch, schema:areaServed))
  BIND(IF(?link = skos:exactMatch, 0, 1) AS ?how)
  ?page kg:entityType ?type .
}""", {"entity": iri}).rows:  # not a UNION of the two links, each with its BIND: Virtuoso 7.2.5 fails on it (SQ156)
        key, page = str(r["place"]), str(r["page"])
        rank = (int(str(r["how"])), page)
        if key not in pages or rank < pages[key]:
            pages[key] = rank
    out = []
    for r in rows:
        place = str(r["place"])
        page = pages.get(place, (0, place))[1]
        out.append({"place": place, "label": str(r["label"]), "level": str(r["level"]), "code": _str(r["code"]),
                    "population": population_words(_py(r["population"])), "iri": page,
                    "here": page == str(iri), "in_graph": place in pages})
    return out


def rolled_up(store: Store, iri: URIRef, levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For a région or département: the fiches involving a place or collectivité inside it, each with its path and
    quotes (from the named query ``fiches-by-entity``, whose ``via`` column says which place)."""
    if not levels or levels[0]["level"] not in ROLL_UP_LEVELS:
        return []
    rows = store.query(load_queries()["fiches-by-entity"].text, {"entity": iri}).rows
    pages = {int(str(r["n"])): str(r["f"]) for r in store.query(P + "SELECT ?f ?n WHERE { ?f kg:ficheNumber ?n }").rows}
    fiches: dict[int, dict[str, Any]] = {}
    for r in rows:
        if r["via"] is None:
            continue  # the fiches naming the territory itself: already under « Apparaît dans »
        number = int(str(r["fiche"]))
        f = fiches.setdefault(number, {"number": number, "iri": pages.get(number),
                                          "title": str(r["title"]), "quotes": []})
        first, _, last = str(r["lines"] or "").partition("–")
        quote = {"via": str(r["via"]), "text": str(r["quote"]), "first": first or None, "last": last or first or None}
        if quote not in f["quotes"]:
            f["quotes"].append(quote)
    return [fiches[n] for n in sorted(fiches)]
