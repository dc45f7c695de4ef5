"""Structure + events + entities → the curated YAML records of data/README.md, with review notes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.extract.entities import ORG_RE, Candidate, Known, candidates_in, make_item, speakers
from kg.extract.events import find_events
from kg.extract.ids import slug, unique
from kg.extract.structure import Structure

PERSON_NAME = re.compile(r"^[A-ZÉÈÀ][\w’'-]+(?:\s+(?:de|Le|La|Du|Van|Von)?\s*[A-ZÉÈÀ][\w’'-]+){1,3}$")


@dataclass
class Draft:
    programme: dict
    axes: list[dict]
    fiches: list[dict]
    candidates: list[Candidate]
    mentions: list[dict]  # fiche, lines, kind, id, exact
    uncertain_dates: list[dict] = field(default_factory=list)
    unused: list[tuple[int, str]] = field(default_factory=list)
    interleaved: list[dict] = field(default_factory=list)


def _q(quote) -> dict:
    return {"text": quote.text, "lines": list(quote.lines)}


def _label(text: str, limit: int = 90) -> str:
    """A list label taken from the item as printed (its first words), never rewritten."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-–( ") + "…"


def _link_sidebars(sections: list[dict]) -> None:
    """A dated line printed apart that repeats an event of its fiche ("Juin 2024 : Séminaire foncier" after
    "un séminaire foncier début juin 2024 ?") refers to it (``ref``) instead of making a second event."""
    told = [e for s in sections if s["kind"] != "calendrier" for i in s["items"] for e in i.get("events") or []
            if e.get("date")]
    for s in sections:
        if s["kind"] != "calendrier":
            continue
        for item in s["items"]:
            for n, e in enumerate(item.get("events") or []):
                same = [t for t in told if t["kind"] == e["kind"] and e.get("date") and t["date"][:7] == e["date"][:7]]
                if len(same) == 1:
                    item["events"][n] = {"ref": same[0]["id"]}


def build_draft(structure: Structure, programme_id: str, year: int, publisher: str, source_name: str,
                known: Known, taken_events: set[str] = frozenset()) -> Draft:
    """The draft records of one programme."""
    event_ids = set(taken_events)
    candidates: dict[tuple[str, str], Candidate] = {}
    mentions: list[dict] = []
    uncertain: list[dict] = []
    interleaved: list[dict] = []
    fiches = []
    for f in structure.fiches:
        roles = []
        for r in f.roles:
            agent = None
            if r.name:
                entity = known.agent(r.name)
                if entity:
                    agent = entity.id
                else:
                    kind = "person" if PERSON_NAME.match(r.name) and not ORG_RE.match(r.name) else "organisation"
                    agent = slug(r.name)
                    candidates.setdefault((kind, agent), Candidate(kind, agent, r.name, r.text, r.lines, 0.8,
                                                                   "nommé dans une ligne de rôle"))
            role = {"role": r.role, "agent": agent, "text": r.text, "lines": list(r.lines)}
            if r.scope:
                role["scope"] = r.scope
            if r.note:
                role["note"] = r.note
            roles.append(role)
        sections = []
        for s in f.sections:
            items = []
            for it in s.items:
                item = make_item(it.text, it.lines, f.number)
                record: dict = {"text": it.text, "lines": list(it.lines)}
                events = find_events(it.text, s.kind, year, it.context, known.places(item), known.names(item))
                if events and speakers(it.text, known):
                    events[0]["speakers"] = speakers(it.text, known)
                for e in events:
                    base = slug(f"{e['kind']} {programme_id} fiche {f.number} {e.get('date', '')}")
                    e_id = unique(base, event_ids)
                    record.setdefault("events", []).append({"id": e_id, "kind": e["kind"], "label": _label(it.text),
                                                            **{k: v for k, v in e.items() if k != "kind"}})
                    if e.get("year_inferred") or e.get("date_uncertain"):
                        uncertain.append({"fiche": f.number, "lines": it.lines, "date_text": e.get("date_text"),
                                          "date": e.get("date"), "inferred": bool(e.get("year_inferred")),
                                          "uncertain": bool(e.get("date_uncertain"))})
                for kind, ident, exact in known.mentions(item):
                    mentions.append({"fiche": f.number, "lines": it.lines, "kind": kind, "id": ident, "exact": exact})
                for c in candidates_in(it.text, it.lines, known):
                    candidates.setdefault((c.kind, c.id), c)
                if s.kind == "calendrier" and it.context:  # printed apart, inside another section
                    around = [x.heading for x in f.sections if x.kind == it.context and x.heading
                              and x.heading.lines[0] < it.lines[0]]
                    interleaved.append({"fiche": f.number, "lines": list(it.lines), "text": it.text,
                                        "section": it.context, "heading": around[-1].text if around else None})
                items.append(record)
            sections.append({"kind": s.kind, "heading": _q(s.heading) if s.heading else None, "items": items})
        fiche = {"programme": programme_id, "number": f.number, "axis": f.axis_id,
                 "heading": _q(f.heading), "title": _q(f.title) if f.title else None}
        if f.status:
            fiche["status"] = _q(f.status)
        fiche["roles"] = roles
        fiche["sections"] = sections
        _link_sidebars(sections)
        fiches.append(fiche)
    programme = {"id": programme_id, "label": f"Programme d'actions {year}", "year": year,
                 "fiche_count": max((f["number"] for f in fiches), default=1), "publisher": publisher,
                 "status": "brouillon",  # built and shown marked « brouillon — à relire » until a curator says relu
                 "source": f"source/{source_name}", "source_title": f"{source_name} (texte de référence du brouillon)"}
    axes = [{k: (list(v) if k == "lines" else v) for k, v in a.items() if v is not None} for a in structure.axes]
    for c in candidates.values():
        near = known.close(c.label)
        if near is not None:
            c.merge, c.merge_label = f"{near.kind}:{near.id}", near.label
    return Draft(programme, axes, fiches, list(candidates.values()), mentions, uncertain, structure.unused, interleaved)
