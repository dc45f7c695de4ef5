"""The graph builder: checked records -> RDF triples (rdflib terms), with mentions and fiche-level involvement."""
from __future__ import annotations

import calendar
from pathlib import PurePosixPath
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from kg.identifiers import link_triples
from kg.load import Dataset, Entity, Event, Fiche, Item, Where
from kg.mentions import Mention
from kg.namespaces import (
    BASE, CONCEPT_SCHEME, ESSGLOBAL_STANDARD, KG, OA, ORG, PREFIXES, SCHEMA, SOURCE_DOCUMENT, WD,
    axis_iri, entity_iri, fiche_iri, part_iri, programme_iri,
)
from kg.provenance import not_printed
from kg.source import fold_key

FR = "fr"
CLASS_OF = {
    "person": FOAF.Person, "organisation": ORG.Organization, "law": KG.Law, "concept": SKOS.Concept,
    "territory": KG.Territory, "publication": KG.Publication, "event": KG.Event,
}
#: The public name of each entity type (query parameters, URLs, CSV): French codes.
TYPE_CODE = {
    "person": "personne", "organisation": "organisation", "law": "loi", "concept": "outil",
    "territory": "territoire", "publication": "publication", "event": "evenement",
}
def _date_literal(value: str) -> Literal:
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}[len(value)]
    return Literal(value, datatype=datatype)


def period(value: str, end: bool = False) -> str:
    """First (or last) day of a date written as YYYY, YYYY-MM or YYYY-MM-DD."""
    parts = [int(p) for p in value.split("-")]
    year, month, day = parts[0], parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None
    if day:
        return value
    if not end:
        return f"{year:04d}-{month or 1:02d}-01"
    month = month or 12
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


class _Builder:
    def __init__(self, dataset: Dataset, parents: dict[URIRef, URIRef] | None = None):
        self.ds = dataset
        self.parents = parents
        # a plain list: the build converts it to Oxigraph and validates it in a worker, never holding an rdflib graph
        self.triples: list[tuple[Any, URIRef, Any]] = []
        self.pid = dataset.programme.get("id")
        self.involvements: dict[tuple[URIRef, URIRef], list[tuple[str, str, tuple[int, int]]]] = {}
        # one Python object per distinct term: a node named in ten triples is stored once (less memory)
        self.terms: dict[Any, Any] = {}
        # the programme's source document: one per programme under data/programmes/ (same IRI for rtes-2024)
        source = dataset.programme.get("source_file")
        self.source = URIRef(f"{BASE}source/{PurePosixPath(source).stem}") if source else SOURCE_DOCUMENT
        self.fiches_of: dict[URIRef, set[URIRef]] = {}  # entity -> fiches, for kg:ficheTotal
        self.totals = True  # False when several programmes are built: the totals are counted over all of them
        self.marks: list | None = None  # the provenance marks made, in order (a programme part kept for a rebuild)

    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        if o is None:
            return
        if not isinstance(o, (URIRef, Literal, BNode)):
            o = Literal(o)
        terms = self.terms
        self.triples.append((terms.setdefault(s, s), p, terms.setdefault(o, o)))

    def extend(self, triples) -> None:
        for s, p, o in triples:
            self.add(s, p, o)

    def mark(self, iri: URIRef, where: Where) -> None:
        self.ds.provenance.setdefault(str(iri), where)
        if self.marks is not None:
            self.marks.append((str(iri), where))

    def lines(self, iri: URIRef, span: tuple[int, int]) -> None:
        self.add(iri, KG.lineStart, Literal(span[0]))
        self.add(iri, KG.lineEnd, Literal(span[1]))
        self.add(iri, DCTERMS.source, self.source)

    def prints(self, number: int, span: tuple[int, int]) -> bool:
        """Whether lines ``span`` lie inside one of fiche ``number``'s items."""
        return any(it.lines[0] <= span[0] and span[1] <= it.lines[1]
                   for f in self.ds.fiches if f.number == number for it in f.items)

    def involve(self, fiche: URIRef, entity: URIRef, via: str, quote: str, span: tuple[int, int]) -> None:
        self.involvements.setdefault((fiche, entity), []).append((via, quote, span))

    # -- programme, axes, source ------------------------------------------------------------------
    def programme(self) -> None:
        prog = self.ds.programme
        iri = programme_iri(self.pid)
        self.add(iri, RDF.type, KG.Programme)
        self.add(iri, KG.identifier, Literal(self.pid))
        self.add(iri, RDFS.label, Literal(prog["label"], lang=FR))
        self.add(iri, KG.year, Literal(str(prog["year"]), datatype=XSD.gYear))
        self.add(iri, KG.ficheCount, Literal(prog.get("fiche_count", 14)))
        self.add(iri, DCTERMS.publisher, entity_iri("organisation", prog["publisher"]))
        self.add(iri, KG.reviewStatus, Literal(prog.get("status", "relu")))
        self.add(iri, DCTERMS.source, self.source)
        self.add(self.source, RDF.type, KG.SourceDocument)
        self.add(self.source, RDFS.label, Literal(prog.get("source_title", prog["source"]), lang=FR))
        self.add(self.source, KG.fileName, Literal(prog.get("source_file") or "data/" + prog["source"]))
        self.mark(iri, Where(prog.get("file", "data/programme.yaml"), 1, "programme"))
        for position, axis in enumerate(self.ds.axes, start=1):
            a = axis_iri(self.pid, axis["id"])
            self.add(a, RDF.type, KG.Axis)
            self.add(a, RDFS.label, Literal(axis["label"], lang=FR))
            self.add(a, KG.programme, iri)
            self.add(a, KG.position, Literal(position))
            if axis.get("number"):
                self.add(a, KG.axisNumber, Literal(axis["number"]))
            self.lines(a, axis["lines"])
            self.mark(a, axis["where"])

    # -- shared entities ----------------------------------------------------------------------------
    def entity(self, e: Entity) -> None:
        iri = entity_iri(e.kind, e.id)
        self.mark(iri, e.where)
        self.add(iri, RDF.type, CLASS_OF[e.kind])
        self.add(iri, KG.entityType, Literal(TYPE_CODE[e.kind]))
        self.add(iri, KG.identifier, Literal(e.id))
        self.add(iri, RDFS.label, Literal(e.label, lang=FR))
        self.add(iri, SKOS.prefLabel, Literal(e.label, lang=FR))
        keys = {fold_key(e.label)}
        for alias in e.aliases:
            if alias.lines:  # an alias that means this entity only at some lines is for mentions, not search
                continue
            self.add(iri, SKOS.altLabel, Literal(alias.text, lang=FR))
            keys.add(fold_key(alias.text))
        for key in sorted(keys):
            self.add(iri, KG.searchKey, Literal(key))
        d = e.data
        if d.get("kind"):
            self.add(iri, KG.kind, Literal(d["kind"]))
        if d.get("description"):
            self.add(iri, DCTERMS.description, Literal(d["description"]["text"], lang=FR))
            if d["description"].get("lines"):
                self.add(iri, KG.descriptionLineStart, Literal(d["description"]["lines"][0]))
                self.add(iri, KG.descriptionLineEnd, Literal(d["description"]["lines"][1]))
        for key, prop in (("acronym", KG.acronym), ("expansion_source", KG.expansionSource),
                          ("short_label", KG.shortLabel), ("number", KG.lawNumber),
                          ("status", KG.publicationStatus), ("insee_region", KG.codeINSEE)):
            if d.get(key):
                self.add(iri, prop, Literal(d[key]))
        if d.get("date"):
            self.add(iri, KG.date, _date_literal(d["date"]))
        if d.get("year"):
            self.add(iri, KG.year, Literal(str(d["year"]), datatype=XSD.gYear))
        if e.kind == "concept":
            self.add(iri, SKOS.inScheme, CONCEPT_SCHEME)
        if d.get("part_of"):
            prop = {"organisation": ORG.subOrganizationOf, "territory": KG.partOf, "publication": DCTERMS.isPartOf}[e.kind]
            self.add(iri, prop, entity_iri(e.kind, d["part_of"]))
        if d.get("broader"):
            self.add(iri, SKOS.broader, entity_iri("concept", d["broader"]))
        if d.get("related_law"):
            self.add(iri, KG.relatedLaw, entity_iri("law", d["related_law"]))
        if d.get("publisher"):
            self.add(iri, DCTERMS.publisher, entity_iri("organisation", d["publisher"]))
        for partner in d.get("partners") or []:  # made in partnership ("RTES partenaire de l'étude avec le Labo de l'ESS")
            self.add(iri, DCTERMS.contributor, entity_iri("organisation", partner))
        for person in d.get("authors") or []:
            self.add(iri, DCTERMS.creator, entity_iri("person", person))
        for about in d.get("about") or []:
            kind = next(k for k in ("organisation", "concept", "territory", "law") if (k, about) in self.ds.entities)
            self.add(iri, DCTERMS.subject, entity_iri(kind, about))
        if d.get("expansion_source") == "public":
            self.extend(not_printed(iri, RDFS.label, "source-publique", d.get("expansion_note")))
        for link in d.get("links") or []:
            self.extend(link_triples(iri, link))
        linked = any(link["match"] != "related" for link in d.get("links") or [])  # a parent's identifier is not ours
        self.add(iri, KG.linkStatus, Literal("lie" if linked else "non-lie"))

    # -- fiches ---------------------------------------------------------------------------------------
    def fiche(self, f: Fiche) -> None:
        iri = fiche_iri(self.pid, f.number)
        self.mark(iri, f.where)
        d = f.data
        self.add(iri, RDF.type, KG.Fiche)
        self.add(iri, KG.programme, programme_iri(self.pid))
        self.add(iri, KG.ficheNumber, Literal(f.number))
        self.add(iri, KG.axis, axis_iri(self.pid, d["axis"]))
        self.add(iri, KG.identifier, Literal(f"{self.pid}/fiche/{f.number}"))
        if self.ds.programme.get("status") == "brouillon":
            self.add(iri, KG.reviewStatus, Literal("brouillon"))
        if f.data.get("follows"):  # declared in the fiche: the same fiche in an earlier programme
            self.add(iri, KG.follows, fiche_iri(*f.data["follows"][:2]))
        if f.data.get("proposed_follows"):  # proposed by kg/programmes.py from number, axis and title
            self.add(iri, KG.proposedFollows, fiche_iri(*f.data["proposed_follows"][:2]))
        if d["heading"]:
            self.lines(iri, d["heading"]["lines"])
        if d["title"]:
            self.add(iri, DCTERMS.title, Literal(d["title"]["text"], lang=FR))
            self.add(iri, KG.titleLineStart, Literal(d["title"]["lines"][0]))
            self.add(iri, RDFS.label, Literal(f"Fiche {f.number} — {d['title']['text']}", lang=FR))
            self.add(iri, KG.untitled, Literal(False))
        else:
            self.add(iri, RDFS.label, Literal(f"Fiche {f.number} (sans titre)", lang=FR))
            self.add(iri, KG.untitled, Literal(True))
        if d.get("status"):
            self.add(iri, KG.ficheStatus, Literal(d["status"]["text"], lang=FR))
        for n, role in enumerate(d["roles"], start=1):
            r = part_iri(iri, "role", n)
            self.mark(r, Where(f.where.file, role["line"], f"fiche {f.number}, rôle {n}"))
            self.add(r, RDF.type, KG.Role)
            self.add(r, KG.fiche, iri)
            self.add(r, KG.roleCode, Literal(role["role"]))
            self.add(r, KG.quote, Literal(role["quote"]["text"], lang=FR))
            self.lines(r, role["quote"]["lines"])
            if role["scope"]:
                self.add(r, KG.scope, Literal(role["scope"], lang=FR))
            if role["note"]:
                self.add(r, SKOS.note, Literal(role["note"], lang=FR))
            if role["agent"]:
                kind = "person" if ("person", role["agent"]) in self.ds.entities else "organisation"
                agent = entity_iri(kind, role["agent"])
                self.add(r, KG.agent, agent)
                self.involve(iri, agent, "role", role["quote"]["text"], role["quote"]["lines"])
            else:
                self.add(r, KG.agentUnknown, Literal(True))
        for section in f.sections:
            s = part_iri(iri, "section", section["index"])
            self.add(s, RDF.type, KG.Section)
            self.add(s, KG.fiche, iri)
            self.add(s, KG.sectionKind, Literal(section["kind"]))
            self.add(s, KG.position, Literal(section["index"]))
            if section["heading"]:
                self.add(s, KG.heading, Literal(section["heading"]["text"], lang=FR))
                self.lines(s, section["heading"]["lines"])
            for item in section["items"]:
                self.item(item, s)

    def item_iri(self, item: Item) -> URIRef:
        return part_iri(fiche_iri(self.pid, item.fiche), "section", item.section_index, "item", item.index)

    def item(self, item: Item, section: URIRef) -> None:
        i = self.item_iri(item)
        self.mark(i, item.where)
        self.add(i, RDF.type, KG.TextItem)
        self.add(i, KG.section, section)
        self.add(i, KG.fiche, fiche_iri(self.pid, item.fiche))
        self.add(i, KG.sectionKind, Literal(item.section))
        self.add(i, KG.position, Literal(item.index))
        self.add(i, KG.text, Literal(item.text, lang=FR))
        self.lines(i, item.lines)

    # -- events ---------------------------------------------------------------------------------------
    def event(self, ev: Event) -> None:
        iri = entity_iri("event", ev.id)
        d = ev.data
        self.mark(iri, ev.where)
        self.add(iri, RDF.type, KG.Event)
        self.add(iri, KG.entityType, Literal("evenement"))
        self.add(iri, KG.identifier, Literal(ev.id))
        self.add(iri, KG.kind, Literal(d["kind"]))
        self.add(iri, RDFS.label, Literal(d["label"], lang=FR))
        self.add(iri, KG.searchKey, Literal(fold_key(d["label"])))
        self.add(iri, KG.linkStatus, Literal("non-lie"))
        if d.get("title"):
            self.add(iri, DCTERMS.title, Literal(d["title"], lang=FR))
        if d.get("date"):
            self.add(iri, SCHEMA.startDate, _date_literal(d["date"]))
            self.add(iri, KG.periodStart, Literal(period(d["date"]), datatype=XSD.date))
            last = d.get("end") or d["date"]
            self.add(iri, KG.periodEnd, Literal(period(last, end=True), datatype=XSD.date))
            self.add(iri, KG.datePrecision, Literal({10: "jour", 7: "mois", 4: "annee"}[len(d["date"])]))
            self.add(iri, KG.yearInferred, Literal(bool(d.get("year_inferred"))))
            if d.get("year_inferred"):
                self.extend(not_printed(iri, SCHEMA.startDate, "annee-deduite"))
        if d.get("end"):
            self.add(iri, SCHEMA.endDate, _date_literal(d["end"]))
            if d.get("end_inferred"):
                self.extend(not_printed(iri, SCHEMA.endDate, "fin-deduite", d.get("note")))
        if d.get("date_text"):
            self.add(iri, KG.dateText, Literal(d["date_text"], lang=FR))
        if d.get("date_uncertain"):
            self.add(iri, KG.dateUncertain, Literal(True))
        self.add(iri, KG.eventStatus, Literal(d["status"]))
        if d.get("participants"):
            p = d["participants"]
            self.add(iri, KG.participantsText, Literal(p["text"], lang=FR))
            self.add(iri, KG.participants, Literal(p["count"]))
            self.add(iri, KG.participantsPrecision, Literal(p["precision"]))
        if d.get("online") is not None:
            self.add(iri, KG.online, Literal(d["online"]))
        if d.get("note"):
            self.add(iri, SKOS.note, Literal(d["note"], lang=FR))
        if d.get("part_of"):
            self.add(iri, SCHEMA.superEvent, entity_iri("event", d["part_of"]))
        quote = d.get("quote")
        if quote:
            self.add(iri, KG.quote, Literal(quote["text"], lang=FR))
            self.lines(iri, quote["lines"])
        for item in ev.items:
            self.add(iri, KG.reportedIn, self.item_iri(item))
        links: list[tuple[URIRef, URIRef]] = []
        for place in [d["place"]] if isinstance(d.get("place"), str) else d.get("place") or []:
            links.append((SCHEMA.location, entity_iri("territory", place)))
        links += [(SCHEMA.organizer, entity_iri("organisation", o)) for o in d.get("organisers") or []]
        links += [(KG.coOrganizer, entity_iri("organisation", o)) for o in d.get("co_organisers") or []]
        links += [(SCHEMA.performer, entity_iri("person", p)) for p in d.get("speakers") or []]
        for prop, target in links:
            self.add(iri, prop, target)
        for number in sorted(ev.fiches):
            fiche = fiche_iri(self.pid, number)
            self.add(iri, KG.fiche, fiche)
            self.add(fiche, KG.hasEvent, iri)
            # only the fiche's own lines are evidence: a place printed in fiche 2 is not fiche 3's
            own = [(it.text, it.lines) for it in ev.items if it.fiche == number]
            if not own and quote and self.prints(number, quote["lines"]):
                own = [(quote["text"], quote["lines"])]
            for text, span in own[:1]:
                for _, target in links:
                    self.involve(fiche, target, "evenement", text, span)

    # -- mentions and involvement -------------------------------------------------------------------
    def mentions(self, mentions: list[Mention]) -> None:
        counters: dict[URIRef, int] = {}
        for m in mentions:
            item = self.item_iri(m.item)
            counters[item] = counters.get(item, 0) + 1
            a = part_iri(item, "mention", counters[item])
            target, quote_sel, pos_sel = part_iri(a, "cible"), part_iri(a, "citation"), part_iri(a, "position")
            entity = entity_iri(m.entity.kind, m.entity.id)
            fiche = fiche_iri(self.pid, m.item.fiche)
            self.add(a, RDF.type, OA.Annotation)
            self.add(a, RDF.type, KG.Mention)
            self.add(a, OA.motivatedBy, OA.identifying)
            self.add(a, OA.hasBody, entity)
            self.add(a, OA.hasTarget, target)
            self.add(a, KG.fiche, fiche)
            self.add(target, RDF.type, OA.SpecificResource)
            self.add(target, OA.hasSource, item)
            self.add(target, OA.hasSelector, quote_sel)
            self.add(target, OA.hasSelector, pos_sel)
            self.add(quote_sel, RDF.type, OA.TextQuoteSelector)
            self.add(quote_sel, OA.exact, Literal(m.exact))
            self.add(quote_sel, OA.prefix, Literal(m.prefix))
            self.add(quote_sel, OA.suffix, Literal(m.suffix))
            self.add(pos_sel, RDF.type, OA.TextPositionSelector)
            # xsd:integer, not nonNegativeInteger: Oxigraph stores the derived type as xsd:integer anyway
            self.add(pos_sel, OA.start, Literal(m.start))
            self.add(pos_sel, OA.end, Literal(m.end))
            self.involve(fiche, entity, "mention", m.item.text, m.item.lines)

    def involvement(self) -> None:
        # a fiche that involves a commission of the CSESS involves the CSESS too
        parents = self.parents if self.parents is not None else _parents(self.ds)
        for (fiche, entity), evidence in list(self.involvements.items()):
            parent = parents.get(entity)
            while parent is not None:
                for _, quote, span in evidence:
                    self.involve(fiche, parent, "sous-organisation", quote, span)
                parent = parents.get(parent)
        fiches_of = self.fiches_of
        for fiche, entity in self.involvements:
            fiches_of.setdefault(entity, set()).add(fiche)
        for event in self.ds.events.values():
            fiches_of.setdefault(entity_iri("event", event.id), set()).update(
                fiche_iri(self.pid, n) for n in event.fiches)
        # stored, not counted at query time: lists sorted by number of fiches stay fast on a large graph
        for e in (list(self.ds.entities.values()) + list(self.ds.events.values())) if self.totals else ():
            iri = entity_iri(getattr(e, "kind", "event"), e.id)
            self.add(iri, KG.ficheTotal, Literal(len(fiches_of.get(iri, ()))))
        for (fiche, entity), evidence in sorted(self.involvements.items()):
            self.add(fiche, KG.involves, entity)
            order = {"mention": 0, "role": 1, "evenement": 2, "sous-organisation": 3}
            seen = set()
            for via, quote, span in sorted(evidence, key=lambda e: (order[e[0]], e[2])):
                if (via, quote) in seen:
                    continue
                seen.add((via, quote))
                inv = part_iri(fiche, "implique", entity.split("/")[-2], entity.split("/")[-1], len(seen))
                self.add(inv, RDF.type, KG.Involvement)
                self.add(inv, KG.fiche, fiche)
                self.add(inv, KG.entity, entity)
                self.add(inv, KG.via, Literal(via))
                self.add(inv, KG.evidence, Literal(quote, lang=FR))
                self.add(inv, KG.rank, Literal(len(seen)))
                self.lines(inv, span)


def _parents(dataset: Dataset) -> dict[URIRef, URIRef]:
    """Organisation -> the organisation it is part of (a fiche that involves a commission involves its parent)."""
    return {entity_iri("organisation", e.id): entity_iri("organisation", e.data["part_of"])
            for e in dataset.of_kind("organisation") if e.data.get("part_of")}
