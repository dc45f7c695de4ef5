"""The checks of each kind of record: small specs walked by ``_Checker``, every problem collected with its place."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any

from kg.identifiers import LINK_MATCHES, LINK_SCHEMES
from kg.records import (
    DATE, EVENT_KINDS, EVENT_STATUS, KINDS, PRECISIONS, ROLE_CODES, SECTION_KINDS, SECTION_STATUS, SLUG,
    Alias, Entity, Event, Fiche, Item, LineDict, Where,
)
from kg.source import join_lines, normalise_space

# --- checking ---------------------------------------------------------------------------------

class _Checker:
    """Walks records against small specs, collecting every problem."""

    def __init__(self, root: Path, source: tuple[str, ...]):
        self.root = root
        self.source = source
        self.problems: list[str] = []
        self.refs: list[tuple[tuple[str, ...], str, Where, str]] = []

    def problem(self, where: Where, key: str, message: str, line: int | None = None) -> None:
        place = f"{where.file}:{line or where.line}: {where.record}"
        self.problems.append(f"{place}: {key}: {message}" if key else f"{place}: {message}")

    def line_of(self, mapping: Any, key: str, default: int) -> int:
        if isinstance(mapping, LineDict):
            return mapping.key_lines.get(key, mapping.line)
        return default

    def keys(self, mapping: Any, where: Where, path: str, allowed: set[str], required: set[str]) -> bool:
        if not isinstance(mapping, dict):
            self.problem(where, path, f"attendu une table de clés, trouvé {type(mapping).__name__}")
            return False
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
                self.problem(where, f"{path}{key}", f"clé inconnue{hint}", self.line_of(mapping, key, where.line))
        for key in sorted(required - set(mapping)):
            self.problem(where, f"{path}{key}", "clé obligatoire absente")
        return True

    def text(self, value: Any, where: Where, key: str, line: int) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(where, key, f"attendu un texte non vide, trouvé {value!r}", line)
            return None
        return value

    def lines(self, value: Any, where: Where, key: str, line: int) -> tuple[int, int] | None:
        ok = (isinstance(value, list) and len(value) == 2
              and all(isinstance(v, int) and not isinstance(v, bool) for v in value))
        if not ok or not (1 <= value[0] <= value[1] <= len(self.source)):
            self.problem(where, key, f"attendu [première, dernière] ligne entre 1 et {len(self.source)}, "
                                     f"trouvé {value!r}", line)
            return None
        return (value[0], value[1])

    def quote(self, text: str, span: tuple[int, int], where: Where, key: str, line: int) -> None:
        printed = join_lines(self.source, *span)
        if normalise_space(text) not in printed:
            self.problem(where, key, f"citation introuvable aux lignes {span[0]}-{span[1]} de la source : "
                                     f"{text!r} (la source dit : {printed[:160]!r})", line)

    def quoted(self, value: Any, where: Where, key: str, line: int) -> dict[str, Any] | None:
        """A {text, lines} mapping whose text is found verbatim at those lines."""
        if not self.keys(value, where, key + ".", {"text", "lines"}, {"text", "lines"}):
            return None
        text = self.text(value.get("text"), where, key + ".text", self.line_of(value, "text", line))
        span = self.lines(value.get("lines"), where, key + ".lines", self.line_of(value, "lines", line))
        if text is None or span is None:
            return None
        self.quote(text, span, where, key, self.line_of(value, "text", line))
        return {"text": normalise_space(text), "lines": span}

    def slug(self, value: Any, where: Where, key: str, line: int) -> str | None:
        if not isinstance(value, str) or not SLUG.match(value):
            self.problem(where, key, f"identifiant invalide {value!r} (minuscules, chiffres et tirets)", line)
            return None
        return value

    def enum(self, value: Any, allowed: tuple[str, ...], where: Where, key: str, line: int) -> str | None:
        if value not in allowed:
            close = difflib.get_close_matches(str(value), allowed, n=1)
            hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
            self.problem(where, key, f"valeur {value!r} non permise{hint} ; valeurs permises : {', '.join(allowed)}", line)
            return None
        return value

    def date(self, value: Any, where: Where, key: str, line: int) -> str | None:
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if isinstance(value, dt.date):
            text = value.isoformat()
        match = DATE.match(text or "")
        if not match:
            self.problem(where, key, f"date {value!r} mal formée (AAAA, AAAA-MM ou AAAA-MM-JJ)", line)
            return None
        year, month, day = match.groups()
        try:
            dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError as exc:
            self.problem(where, key, f"date impossible {text!r} ({exc})", line)
            return None
        return text

    def boolean(self, value: Any, where: Where, key: str, line: int) -> bool | None:
        if not isinstance(value, bool):
            self.problem(where, key, f"attendu true ou false, trouvé {value!r}", line)
            return None
        return value

    def integer(self, value: Any, where: Where, key: str, line: int, low: int = 0, high: int | None = None) -> int | None:
        if not isinstance(value, int) or isinstance(value, bool) or value < low or (high is not None and value > high):
            bounds = f"entre {low} et {high}" if high is not None else f"≥ {low}"
            self.problem(where, key, f"attendu un entier {bounds}, trouvé {value!r}", line)
            return None
        return value

    def ref(self, value: Any, kinds: tuple[str, ...], where: Where, key: str, line: int) -> str | None:
        ident = self.slug(value, where, key, line)
        if ident:
            self.refs.append((kinds, ident, Where(where.file, line, where.record), key))
        return ident

    def ref_list(self, value: Any, kinds: tuple[str, ...], where: Where, key: str, line: int) -> list[str]:
        if not isinstance(value, list):
            self.problem(where, key, f"attendu une liste d'identifiants, trouvé {value!r}", line)
            return []
        return [r for i, v in enumerate(value) if (r := self.ref(v, kinds, where, f"{key}[{i}]", line))]


# --- specs of shared entities -------------------------------------------------------------------

COMMON_KEYS = {"id", "label", "aliases", "description", "links", "link_status"}
EXTRA_KEYS = {
    "person": set(),
    "organisation": {"kind", "acronym", "expansion_source", "expansion_note", "part_of"},
    "law": {"kind", "short_label", "number", "date", "expansion_source"},
    "concept": {"kind", "broader", "expansion_source", "related_law"},
    "territory": {"kind", "insee_region", "part_of"},
    "publication": {"kind", "publisher", "partners", "authors", "part_of", "year", "status", "about",
                    "expansion_source"},
}


def _check_entity(ck: _Checker, kind: str, rec: Any, where: Where) -> Entity | None:
    allowed = COMMON_KEYS | EXTRA_KEYS[kind]
    required = {"id", "label"} | ({"kind"} if "kind" in EXTRA_KEYS[kind] else set())
    if not ck.keys(rec, where, "", allowed, required):
        return None
    line = lambda k: ck.line_of(rec, k, where.line)  # noqa: E731
    ident = ck.slug(rec.get("id"), where, "id", line("id"))
    label = ck.text(rec.get("label"), where, "label", line("label"))
    data: dict[str, Any] = {}
    aliases: list[Alias] = []
    for i, alias in enumerate(rec.get("aliases") or []):
        key = f"aliases[{i}]"
        if isinstance(alias, str) and alias.strip():
            aliases.append(Alias(alias.strip()))
        elif isinstance(alias, dict) and ck.keys(alias, where, key + ".", {"text", "lines"}, {"text", "lines"}):
            text = ck.text(alias.get("text"), where, key + ".text", line("aliases"))
            spans = alias.get("lines")
            if text and isinstance(spans, list) and all(isinstance(n, int) for n in spans) and spans:
                for n in spans:
                    aliases.append(Alias(text.strip(), (n, n)))
            else:
                ck.problem(where, key + ".lines", f"attendu une liste de numéros de ligne, trouvé {spans!r}", line("aliases"))
        else:
            ck.problem(where, key, f"attendu un texte ou {{text, lines}}, trouvé {alias!r}", line("aliases"))
    if "description" in rec:
        desc = rec["description"]
        if isinstance(desc, str):
            data["description"] = {"text": desc, "lines": None}
        else:
            data["description"] = ck.quoted(desc, where, "description", line("description"))
    if "kind" in rec:
        data["kind"] = ck.enum(rec["kind"], KINDS[kind], where, "kind", line("kind"))
    data["links"] = _check_links(ck, rec.get("links"), where, line("links"))
    if "link_status" in rec:
        data["link_status"] = ck.enum(rec["link_status"], ("verified", "unverified"), where, "link_status", line("link_status"))
    for key in ("acronym", "expansion_source", "expansion_note", "short_label", "number", "status"):
        if key in rec:
            data[key] = ck.text(str(rec[key]) if rec[key] is not None else None, where, key, line(key))
    if "date" in rec:
        data["date"] = ck.date(rec["date"], where, "date", line("date"))
    if "year" in rec:
        data["year"] = ck.integer(rec["year"], where, "year", line("year"), 1900, 2100)
    if "insee_region" in rec:
        data["insee_region"] = ck.text(str(rec["insee_region"]), where, "insee_region", line("insee_region"))
    part_of_kind = {"organisation": "organisation", "territory": "territory", "publication": "publication"}
    if "part_of" in rec:
        data["part_of"] = ck.ref(rec["part_of"], (part_of_kind[kind],), where, "part_of", line("part_of"))
    if "broader" in rec:
        data["broader"] = ck.ref(rec["broader"], ("concept",), where, "broader", line("broader"))
    if "related_law" in rec:
        data["related_law"] = ck.ref(rec["related_law"], ("law",), where, "related_law", line("related_law"))
    if "publisher" in rec:
        data["publisher"] = ck.ref(rec["publisher"], ("organisation",), where, "publisher", line("publisher"))
    if "partners" in rec:
        data["partners"] = ck.ref_list(rec["partners"], ("organisation",), where, "partners", line("partners"))
    if "authors" in rec:
        data["authors"] = ck.ref_list(rec["authors"], ("person",), where, "authors", line("authors"))
    if "about" in rec:
        data["about"] = ck.ref_list(rec["about"], ("organisation", "concept", "territory", "law"), where, "about", line("about"))
    if ident is None or label is None:
        return None
    return Entity(kind, ident, normalise_space(label), aliases, data, where)


def _check_links(ck: _Checker, links: Any, where: Where, line: int) -> list[dict[str, str]]:
    out = []
    for i, link in enumerate(links or []):
        key = f"links[{i}]"
        if not ck.keys(link, where, key + ".", {"scheme", "id", "match", "verified", "note"}, {"scheme", "id", "match", "verified"}):
            continue
        scheme = ck.enum(link.get("scheme"), LINK_SCHEMES, where, key + ".scheme", line)
        match = ck.enum(link.get("match"), LINK_MATCHES, where, key + ".match", line)
        ident = ck.text(str(link.get("id")), where, key + ".id", line)
        verified = ck.text(link.get("verified"), where, key + ".verified", line)
        if scheme and match and ident and verified:
            out.append({"scheme": scheme, "id": ident, "match": match, "verified": verified,
                        "note": ck.text(link["note"], where, key + ".note", line) if link.get("note") is not None else None})
    return out


# --- events -------------------------------------------------------------------------------------

EVENT_KEYS = {"id", "kind", "label", "title", "date", "end", "date_text", "year_inferred", "end_inferred",
              "date_uncertain",
              "status", "participants", "place", "online", "organisers", "co_organisers", "speakers",
              "part_of", "note"}


def _check_event(ck: _Checker, rec: Any, where: Where, default_status: str | None,
                 extra: set[str] = frozenset()) -> dict[str, Any] | None:
    if not ck.keys(rec, where, "", EVENT_KEYS | extra, {"id", "kind", "label"}):
        return None
    line = lambda k: ck.line_of(rec, k, where.line)  # noqa: E731
    data: dict[str, Any] = {"id": ck.slug(rec.get("id"), where, "id", line("id")),
                            "kind": ck.enum(rec.get("kind"), EVENT_KINDS, where, "kind", line("kind")),
                            "label": ck.text(rec.get("label"), where, "label", line("label"))}
    for key in ("title", "date_text", "note"):
        if key in rec:
            data[key] = ck.text(rec[key], where, key, line(key))
    for key in ("date", "end"):
        if key in rec:
            data[key] = ck.date(rec[key], where, key, line(key))
    if data.get("date") and data.get("end") and data["end"] < data["date"]:
        ck.problem(where, "end", f"la fin {data['end']} précède le début {data['date']}", line("end"))
    if "end" in rec and "date" not in rec:
        ck.problem(where, "end", "une fin sans date de début", line("end"))
    for key in ("year_inferred", "end_inferred", "date_uncertain", "online"):
        if key in rec:
            data[key] = ck.boolean(rec[key], where, key, line(key))
    status = rec.get("status", default_status)
    if status is None:
        ck.problem(where, "status", "statut obligatoire ici (realise, prevu ou propose) : la section ne le donne pas", where.line)
    else:
        data["status"] = ck.enum(status, EVENT_STATUS, where, "status", line("status"))
    if "participants" in rec:
        p = rec["participants"]
        key = "participants"
        if ck.keys(p, where, key + ".", {"text", "count", "precision"}, {"text", "count", "precision"}):
            data[key] = {"text": ck.text(p.get("text"), where, key + ".text", line(key)),
                         "count": ck.integer(p.get("count"), where, key + ".count", line(key), 1),
                         "precision": ck.enum(p.get("precision"), PRECISIONS, where, key + ".precision", line(key))}
    if "place" in rec:  # one territory, or several when the text prints several ("région PACA - Corse")
        data["place"] = (ck.ref_list(rec["place"], ("territory",), where, "place", line("place"))
                         if isinstance(rec["place"], list) else ck.ref(rec["place"], ("territory",), where, "place", line("place")))
    for key, kinds in (("organisers", ("organisation",)), ("co_organisers", ("organisation",)),
                       ("speakers", ("person",))):
        if key in rec:
            data[key] = ck.ref_list(rec[key], kinds, where, key, line(key))
    if "part_of" in rec:
        data["part_of"] = ck.ref(rec["part_of"], ("event",), where, "part_of", line("part_of"))
    return data


# --- fiches -------------------------------------------------------------------------------------

FICHE_KEYS = {"programme", "number", "axis", "heading", "title", "status", "roles", "sections", "follows"}
FOLLOWS = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)/([1-9][0-9]*)$")
PROGRAMME_STATUS = ("brouillon", "relu")


def _check_fiche(ck: _Checker, rec: Any, file: str, programme: str, axes: set[str],
                 events: dict[str, Event], event_refs: list[tuple[str, int, Item, Where]],
                 fiche_count: int = 14) -> Fiche | None:
    where = Where(file, getattr(rec, "line", 1), "fiche ?")
    if not ck.keys(rec, where, "", FICHE_KEYS, FICHE_KEYS - {"status", "follows"}):
        return None
    line = lambda k: ck.line_of(rec, k, where.line)  # noqa: E731
    number = ck.integer(rec.get("number"), where, "number", line("number"), 1, fiche_count)
    if number is None:
        return None
    where = Where(file, where.line, f"fiche {number}")
    if rec.get("programme") != programme:
        ck.problem(where, "programme", f"programme inconnu {rec.get('programme')!r} (attendu {programme!r})", line("programme"))
    if rec.get("axis") not in axes:
        close = difflib.get_close_matches(str(rec.get("axis")), sorted(axes), n=1)
        hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
        ck.problem(where, "axis", f"axe inconnu {rec.get('axis')!r}{hint}", line("axis"))
    data: dict[str, Any] = {"programme": programme, "axis": rec.get("axis"),
                            "heading": ck.quoted(rec.get("heading"), where, "heading", line("heading")),
                            "title": None if rec.get("title") is None else ck.quoted(rec["title"], where, "title", line("title"))}
    if rec.get("status") is not None:
        data["status"] = ck.quoted(rec["status"], where, "status", line("status"))
    if "follows" in rec:  # the same fiche in an earlier programme: "rtes-2023/7"
        match = FOLLOWS.match(str(rec["follows"]))
        if match:
            data["follows"] = (match.group(1), int(match.group(2)), line("follows"))
        else:
            ck.problem(where, "follows", f"attendu « programme/numéro » (ex. rtes-2023/7), trouvé {rec['follows']!r}",
                       line("follows"))
    roles = []
    for i, role in enumerate(rec.get("roles") or []):
        key = f"roles[{i}]"
        rline = getattr(role, "line", line("roles"))
        rwhere = Where(file, rline, where.record)
        if not ck.keys(role, rwhere, key + ".", {"role", "agent", "text", "lines", "scope", "note"}, {"role", "agent", "text", "lines"}):
            continue
        code = ck.enum(role.get("role"), ROLE_CODES, rwhere, key + ".role", rline)
        agent = None if role.get("agent") is None else ck.ref(role["agent"], ("person", "organisation"), rwhere, key + ".agent", rline)
        quote = ck.quoted({"text": role.get("text"), "lines": role.get("lines")}, rwhere, key, rline)
        # scope: what the agent contributes ("partages d'expériences"); note: anything else printed ("passation à prévoir")
        for part, what in (("scope", "portée"), ("note", "note")):
            value = role.get(part)
            if value is not None and quote and normalise_space(str(value)) not in quote["text"] and \
                    normalise_space(str(value)) not in join_lines(ck.source, *quote["lines"]):
                ck.problem(rwhere, f"{key}.{part}", f"{what} {value!r} introuvable dans la citation du rôle", rline)
        if code and quote:
            roles.append({"role": code, "agent": agent, "quote": quote, "scope": role.get("scope"), "note": role.get("note"),
                          "line": rline})
    data["roles"] = roles
    sections, items = [], []
    for s_index, section in enumerate(rec.get("sections") or [], start=1):
        skey = f"sections[{s_index - 1}]"
        swhere = Where(file, getattr(section, "line", line("sections")), where.record)
        if not ck.keys(section, swhere, skey + ".", {"kind", "heading", "items"}, {"kind", "items"}):
            continue
        kind = ck.enum(section.get("kind"), SECTION_KINDS, swhere, skey + ".kind", swhere.line)
        heading = None if section.get("heading") is None else ck.quoted(section["heading"], swhere, skey + ".heading", swhere.line)
        section_items = []
        for i_index, item in enumerate(section.get("items") or [], start=1):
            ikey = f"{skey}.items[{i_index - 1}]"
            iwhere = Where(file, getattr(item, "line", swhere.line), where.record)
            if not ck.keys(item, iwhere, ikey + ".", {"text", "lines", "events"}, {"text", "lines"}):
                continue
            quote = ck.quoted({"text": item.get("text"), "lines": item.get("lines")}, iwhere, ikey, iwhere.line)
            if not quote or not kind:
                continue
            it = Item(number, kind, i_index, s_index, quote["text"], quote["lines"], iwhere)
            section_items.append(it)
            for e_index, ev in enumerate(item.get("events") or []):
                ewhere = Where(file, getattr(ev, "line", iwhere.line), f"fiche {number}, événement {e_index + 1} de {ikey}")
                if isinstance(ev, dict) and set(ev) == {"ref"}:
                    event_refs.append((str(ev["ref"]), number, it, ewhere))
                    continue
                edata = _check_event(ck, ev, ewhere, SECTION_STATUS.get(kind))
                if not edata or not edata.get("id"):
                    continue
                ewhere.record = f"fiche {number}, événement {edata['id']}"
                if edata["id"] in events:
                    ck.problem(ewhere, "id", f"identifiant d'événement en double (déjà en {events[edata['id']].where})")
                    continue
                events[edata["id"]] = Event(edata["id"], edata, {number}, [it], ewhere)
        sections.append({"kind": kind, "heading": heading, "items": section_items, "index": s_index})
        items.extend(section_items)
    return Fiche(number, data, sections, items, where)
