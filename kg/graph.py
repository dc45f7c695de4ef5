"""Checked records -> RDF triples, whole or part after part (a build goes programme by programme); each part is made
by the builder of kg/graph_builder.py."""

from __future__ import annotations

from typing import Any, Iterator, NamedTuple

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from kg.chunk_cache import MadePart, PartCache
from kg.graph_builder import CLASS_OF, FR, TYPE_CODE, _Builder, _parents, period  # noqa: F401 - offered here too
from kg.load import Dataset
from kg.mentions import Matcher, find_mentions
from kg.programmes import previous_programme
from kg.namespaces import CONCEPT_SCHEME, KG, PREFIXES, entity_iri
from kg.referential_graph import referential_triples


def graph_of(triples) -> Graph:
    """An rdflib graph of ``triples``, with the project's prefixes."""
    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    add = graph.store.add  # Graph.add only re-checks that each term is an rdflib term, which the builder ensures
    for triple in triples:
        add(triple, graph)
    return graph


def build_graph(dataset: Dataset) -> Graph:
    """The whole graph of a checked dataset; fills ``dataset.provenance`` (IRI -> YAML place)."""
    return graph_of(build_triples(dataset))


def build_triples(dataset: Dataset) -> list[tuple[Any, URIRef, Any]]:
    """The triples of a checked dataset (a triple may come twice); fills ``dataset.provenance``."""
    return [t for _, triples in triple_chunks(dataset) for t in triples]


class Chunk(NamedTuple):
    """A part of the graph; with a cache of programme parts, the programme's ``made`` part, its ``key`` and whether
    it was ``reused`` from an earlier build (then its triples were not made again, and are not read unless asked:
    ``triples`` is None)."""

    name: str
    triples: list
    made: MadePart | None = None
    key: str | None = None
    reused: bool = False

    def all_triples(self) -> list:
        """The triples; a reused part's (``triples`` None) are read from the cache only when asked for."""
        return self.triples if self.triples is not None else self.made.all_triples()


def triple_chunks(dataset: Dataset, cache: PartCache | None = None) -> Iterator[tuple[str, list[tuple[Any, URIRef, Any]]]]:
    """The triples part after part, each made when asked for: ``("commun", …)`` first (the shared entities, the
    referential links), then one part per programme (its programme, axes, fiches, events, mentions, involvements,
    its own entities), then ``("totaux", …)`` (kg:ficheTotal, counted over every programme). One programme: a
    single part, the whole graph. Fills ``dataset.provenance``. With ``cache`` (kg/chunk_cache.py), each part is a
    :class:`Chunk`, and a programme whose inputs did not change is taken from it instead of being made again."""
    if not dataset.parts:
        yield dataset.programme.get("id", "programme"), _build_one(dataset).triples
        return
    key = cache.shared_key() if cache is not None else None
    made = cache.get(key) if key is not None else None
    reused = made is not None
    if reused:
        _replay(dataset, made)
    else:
        made = _made_shared(dataset, cache is not None)
    linked = set(made.linked)
    yield Chunk("commun", made.triples, made, key, reused) if cache is not None else ("commun", made.triples)
    del made
    parents = _parents(dataset)
    matchers: dict[str, Matcher] = {}
    reference = next(part for part in dataset.parts if part.reference)
    seen_own: set = set()
    fiches_of: dict[URIRef, set[URIRef]] = {}
    for part in dataset.parts:
        key = cache.key(part, reference, previous_programme(part, dataset.parts)) if cache is not None else None
        made = cache.get(key) if key is not None else None
        if made is not None:  # as an earlier build made it: its provenance marks, its own entities seen, its fiches
            _replay(dataset, made)
            seen_own.update(made.own)
            reused = True
            cache.reused += 1
        else:
            made = _made_part(part, parents, _matcher(part, reference, matchers), seen_own, linked, cache is not None)
            reused = False
            if cache is not None:
                cache.made += 1
        for iri, fiches in made.fiches_of.items():
            fiches_of.setdefault(iri, set()).update(fiches)
        if cache is None:
            yield part.programme["id"], made.triples
        else:
            yield Chunk(part.programme["id"], made.triples, made, key, reused)
        del made
    totals = []
    for e in list(dataset.entities.values()) + list(dataset.events.values()):
        iri = entity_iri(getattr(e, "kind", "event"), e.id)
        totals.append((iri, KG.ficheTotal, Literal(len(fiches_of.get(iri, ())))))
    yield Chunk("totaux", totals) if cache is not None else ("totaux", totals)


def _replay(dataset: Dataset, made: MadePart) -> None:
    """The provenance marks of a part taken from the cache, as its builder made them."""
    setdefault = dataset.provenance.setdefault
    for iri, where in made.marks:
        setdefault(iri, where)


def _made_shared(dataset: Dataset, keep_marks: bool) -> MadePart:
    """The shared part: every entity no programme describes itself, the concept scheme, the referential links."""
    own_keys = {key for part in dataset.parts for key in part.own}
    shared = _Builder(dataset)
    shared.marks = [] if keep_marks else None
    for key, entity in dataset.entities.items():
        if key not in own_keys:  # a programme's own entities are made with that programme (its own description)
            shared.entity(entity)
    shared.add(CONCEPT_SCHEME, RDF.type, SKOS.ConceptScheme)
    shared.add(CONCEPT_SCHEME, RDFS.label, Literal("Outils, dispositifs et formes juridiques de l'ESS", lang=FR))
    referential = referential_triples(dataset, shared.triples)
    linked = list(dict.fromkeys(t[0] for t in referential if t[1] == KG.linkStatus))
    return MadePart(shared.triples + referential, shared.marks or [], {}, linked=linked)


def _made_part(part: Dataset, parents: dict, matcher: Matcher, seen_own: set, linked: set,
               keep_marks: bool) -> MadePart:
    """One programme's triples (its own entities' only when no earlier programme wrote them), with the provenance
    marks made on the way when ``keep_marks``."""
    b = _Builder(part, parents)
    b.totals = False
    b.marks = [] if keep_marks else None
    b.programme()
    for entity in part.own.values():
        b.entity(entity)
    own = b.triples[:]  # an entity two programmes describe alike: its triples come once
    b.triples[:] = [t for t in own if t not in seen_own]
    seen_own.update(own)
    for fiche in part.fiches:
        b.fiche(fiche)
    for event in part.events.values():
        b.event(event)
    b.mentions([m for fiche in part.fiches for item in fiche.items for m in matcher.find(item)])
    b.involvement()
    triples = b.triples
    if linked:  # an entity the referential links is "lie", whichever programme describes it
        triples = [t for t in triples if not (t[1] == KG.linkStatus and t[0] in linked and str(t[2]) == "non-lie")]
    return MadePart(triples, b.marks or [], b.fiches_of, own=own)


def _matcher(part: Dataset, reference: Dataset, matchers: dict[str, Matcher]) -> Matcher:
    """The mention matcher of a programme. Made once for the reference programme (every name of 250,000 entities
    at ×1000 is folded: minutes), and derived from it for the programmes that see the shared entities only: the
    same names without the reference's own entities and without the aliases valid at lines of its source."""
    if part.own and part is not reference:
        return Matcher(list(part.entities.values()))
    if "reference" not in matchers:
        matchers["reference"] = Matcher(list(reference.entities.values()))
    if part is reference:
        return matchers["reference"]
    if "shared" not in matchers:
        shared = matchers["shared"] = Matcher([])
        for words, found in matchers["reference"].by_key.items():
            kept = [(e, a) for e, a in found if a.lines is None and (e.kind, e.id) not in reference.own]
            if kept:
                shared.by_key[words] = kept
        shared.longest = max((len(k) for k in shared.by_key), default=0)
    return matchers["shared"]


def _build_one(dataset: Dataset, totals: bool = True) -> "_Builder":
    b = _Builder(dataset)
    b.totals = totals
    b.programme()
    for entity in dataset.entities.values():
        b.entity(entity)
    for fiche in dataset.fiches:
        b.fiche(fiche)
    for event in dataset.events.values():
        b.event(event)
    b.mentions(find_mentions(dataset))
    b.involvement()
    b.add(CONCEPT_SCHEME, RDF.type, SKOS.ConceptScheme)
    b.add(CONCEPT_SCHEME, RDFS.label, Literal("Outils, dispositifs et formes juridiques de l'ESS", lang=FR))
    b.triples.extend(referential_triples(dataset, b.triples))  # INSEE/SIREN links and hierarchy (kg/referential_graph.py)
    return b


__all__ = ["build_graph", "build_triples", "triple_chunks", "graph_of", "period", "TYPE_CODE", "PROV", "SKOS"]
