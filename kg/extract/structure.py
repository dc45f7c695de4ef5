"""Numbered lines → fiches, axes, titles, roles, sections and items (one item = one printed bullet)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.extract.lines import (AXIS_RE, HEADING_RE, NOISE_RE, ROLE_START_RE, SECTION_RE, STATUS_WORDS, WIDE,
                              _titlecase, is_calendar_line, section_kind, starts_listed_item, starts_new_item, title_like)
from kg.extract.ids import slug
from kg.extract.roles import Role, parse_roles
from kg.source import join_lines


class StructureError(ValueError):
    """The text is not a programme of fiches (no "Fiche action n°N" heading)."""


@dataclass
class Quote:
    text: str
    lines: tuple[int, int]


@dataclass
class ItemDraft:
    text: str
    lines: tuple[int, int]
    context: str | None = None  # for a dated line printed apart: the section it was printed in
    events: list = field(default_factory=list)


@dataclass
class SectionDraft:
    kind: str
    heading: Quote | None
    items: list[ItemDraft]


@dataclass
class FicheDraft:
    number: int
    heading: Quote
    title: Quote | None
    status: Quote | None
    axis: Quote | None
    roles: list[Role]
    sections: list[SectionDraft]
    page: tuple[int, int]
    axis_id: str | None = None


@dataclass
class Structure:
    fiches: list[FicheDraft]
    axes: list[dict]  # id, number, label, lines (first printing)
    unused: list[tuple[int, str]]  # (line, why) for every printed line no element accounts for


def pages(lines: list[str]) -> list[tuple[int, int]]:
    """1-based (first, last) of each page: pages are separated by two or more blank lines."""
    out, start, blanks = [], None, 0
    for number, text in enumerate(lines, start=1):
        if text.strip():
            if start is None:
                start = number
            elif blanks >= 2:
                out.append((start, last))
                start = number
            last, blanks = number, 0
        else:
            blanks += 1
    if start is not None:
        out.append((start, last))
    return out


class _Page:
    """One page read line by line; what is not yet placed waits as an orphan block with its context."""

    def __init__(self, lines: list[str], first: int, last: int):
        self.lines, self.first, self.last = lines, first, last
        self.heading: tuple[int, re.Match] | None = None
        self.glued: list[int] = []  # lines of a title glued before the heading
        self.status: Quote | None = None
        self.title: Quote | None = None
        self.axis: Quote | None = None
        self.axis_lines: list[int] = []
        self.role_lines: list[int] = []
        self.sections: list[dict] = []  # kind, heading (line, text), entries [(line, prefix) | None]
        self.calendar: list[dict] = []
        self.orphans: list[dict] = []  # context, entries
        self.noise: list[int] = []
        self.current: dict | None = None
        self.cal: dict | None = None
        self.orphan: dict | None = None
        self.context = "page"
        self.in_roles = False

    def text(self, number: int) -> str:
        return self.lines[number - 1].strip()

    def close(self, context: str) -> None:
        self.current, self.cal, self.orphan, self.in_roles = None, None, None, False
        self.context = context

    def read(self) -> None:
        for n in range(self.first, self.last + 1):
            self.line(n)

    def line(self, n: int) -> None:
        s = self.text(n)
        if not s:
            self.in_roles, self.cal, self.orphan = False, None, None
            if self.current is not None:
                self.current["entries"].append(None)
            return
        if NOISE_RE.match(s):
            self.noise.append(n)
            return
        m = HEADING_RE.search(s)
        if m and self.heading is None:
            self.heading = (n, m)
            if s[:m.start()].strip() and self.orphan and self.orphan["entries"]:
                # the lines just above, in the same block, are the start of a title glued to the heading
                block = self.orphan["entries"]
                take = [e for e in block[-2:] if e and e[0] >= n - 2]
                self.glued = [e[0] for e in take]
                del block[len(block) - len(take):]
            self.close("heading")
            return
        if AXIS_RE.match(s):
            self.axis_lines.append(n)
            self.close("axis")
            return
        if ROLE_START_RE.match(s) or (self.in_roles and not SECTION_RE.match(s)):
            self.close("roles")
            self.role_lines.append(n)
            self.in_roles = True
            return
        m = SECTION_RE.match(s)
        if m:
            self.close("section")
            self.current = {"kind": section_kind(m), "heading": (n, m.group("heading")), "entries": []}
            self.sections.append(self.current)
            if m.group("rest").strip():
                self.current["entries"].append((n, s[:m.start("rest")]))
            return
        started = self.current is not None and any(self.current["entries"])
        if is_calendar_line(s) and (self.current is None or started):
            context = self.current["kind"] if self.current else None
            self.close("calendar")
            self.cal = {"context": context, "entries": [(n, "")]}
            self.calendar.append(self.cal)
            return
        if self.cal is not None:
            if not starts_new_item(self.text(self.cal["entries"][-1][0]), s):
                self.cal["entries"].append((n, ""))
                return
            self.cal = None
        if self.current is not None:
            entries = self.current["entries"]
            narrow = all(len(self.text(e[0])) <= WIDE for e in entries if e)
            if any(entries) and entries[-1] is None and narrow and len(s) > WIDE:
                self.close("section-end")  # a full-width paragraph after a column: the column's list is over
            else:
                entries.append((n, ""))
                return
        if self.orphan is None:
            self.orphan = {"context": self.context, "entries": []}
            self.orphans.append(self.orphan)
        self.orphan["entries"].append((n, ""))


def page_width(lines: list[str]) -> int:
    """The longest printed line: how wide a line across the page gets."""
    return max((len(t.strip()) for t in lines), default=0)


def _items(lines: list[str], entries: list, context: str | None = None) -> list[ItemDraft]:
    """Bullets rebuilt from a section's lines: a blank line or a new bullet's first line ends an item."""
    texts = [len(lines[e[0] - 1].strip()) for e in entries if e]
    width = page_width(lines) if texts and max(texts) > WIDE else None
    groups: list[list[tuple[int, str]]] = []
    prev = None
    listing = False  # inside a list that a line ending in ":" opened, whose bullets start lower case
    last_text = ""  # the last printed line, across a blank one
    for e in entries:
        if e is None:
            prev = None
            listing = listing and last_text.rstrip().endswith(":")
            continue
        before, line = (lines[prev[0] - 1] if prev else ""), lines[e[0] - 1]
        if prev is None or starts_new_item(before, line, width) or (listing and starts_listed_item(before, line)):
            if last_text.rstrip().endswith(":"):
                # a list's bullets share their case: "Favoriser…" / "durable avec…" is one capitalised bullet
                listing = not _titlecase(line.split()[0]) if line.split() else False
            groups.append([])
        last_text = line
        groups[-1].append(e)
        prev = e
    items = []
    for g in groups:
        first, last = g[0][0], g[-1][0]
        text = join_lines(lines, first, last)
        prefix = g[0][1].strip()
        if prefix:
            text = text[len(prefix):].strip()
        if text:
            items.append(ItemDraft(text, (first, last), context))
    return items


def _quote(lines: list[str], first: int, last: int, text: str | None = None) -> Quote:
    return Quote(text if text is not None else join_lines(lines, first, last), (first, last))


def _axis_id(m: re.Match) -> str:
    if m.group("n"):
        return f"axe-{m.group('n')}"
    word = slug(m.group("label")).split("-")[0]
    return f"axe-transversal-{word}"


def _fiche(lines: list[str], page: _Page) -> FicheDraft:
    n, m = page.heading
    s = page.text(n)
    prefix, suffix = s[:m.start()].strip(), s[m.end():].strip(" :-–")
    heading = _quote(lines, n, n, m.group(0))
    title = status = None
    if prefix:
        glued = page.glued
        if prefix.lower() in STATUS_WORDS:
            status = _quote(lines, n, n, prefix)
            if glued:
                title = _quote(lines, glued[0], glued[-1])
        else:
            first = glued[0] if glued else n
            title = _quote(lines, first, n, join_lines(lines, first, n)[:-len(join_lines(lines, n, n))] + prefix)
    elif page.glued:
        page.orphans.insert(0, {"context": "page", "entries": [(g, "") for g in page.glued]})
    if suffix:
        title = _quote(lines, n, n, suffix)
    if title is None:
        for block in page.orphans:
            texts = [page.text(e[0]) for e in block["entries"]]
            if block["context"] in ("axis", "calendar", "page") and title_like(texts):
                first, last = block["entries"][0][0], block["entries"][-1][0]
                title = _quote(lines, first, last)
                page.orphans.remove(block)
                break
    axis = None
    if page.axis_lines:
        a = page.axis_lines[0]
        axis = _quote(lines, a, a)
    roles: list[Role] = []
    if page.role_lines:
        blocks: list[list[int]] = []
        for r in page.role_lines:
            if blocks and r == blocks[-1][-1] + 1:
                blocks[-1].append(r)
            else:
                blocks.append([r])
        for b in blocks:
            roles.extend(parse_roles(lines, b[0], b[-1])[0])
    sections: list[SectionDraft] = []
    empty_actions = next((sec for sec in page.sections if sec["kind"] == "actions" and not any(sec["entries"])), None)
    for sec in page.sections:
        items = _items(lines, sec["entries"])
        if items:
            line, text = sec["heading"]
            sections.append(SectionDraft(sec["kind"], _quote(lines, line, line, text), items))
    opening = [b for b in page.orphans if b["context"] in ("heading", "roles")]
    rest = [b for b in page.orphans if b not in opening]
    if opening:
        items = [i for b in opening for i in _items(lines, b["entries"])]
        actions_heading = None
        if empty_actions:
            line, text = empty_actions["heading"]
            actions_heading = _quote(lines, line, line, text)
        sections.append(SectionDraft("actions", actions_heading, items))
    rest_items = [i for b in rest for i in _items(lines, b["entries"])]
    if rest_items:
        sections.append(SectionDraft("contexte", None, rest_items))
    if page.calendar:
        items = []
        for c in page.calendar:
            items.extend(_items(lines, c["entries"], c["context"]))
        sections.append(SectionDraft("calendrier", None, items))
    return FicheDraft(int(m.group(1)), heading, title, status, axis, roles, sections, (page.first, page.last))


def read_structure(lines: list[str]) -> Structure:
    """Fiches, axes and the lines nothing accounts for, from the numbered lines of a programme."""
    fiches, axes, seen_axes = [], [], {}
    used: set[int] = set()
    noise: list[int] = []
    for first, last in pages(lines):
        page = _Page(lines, first, last)
        page.read()
        for a in page.axis_lines:
            m = AXIS_RE.match(page.text(a))
            key = m.group("label").strip()
            if key not in seen_axes:
                seen_axes[key] = _axis_id(m)
                axes.append({"id": seen_axes[key], "number": int(m.group("n")) if m.group("n") else None,
                             "label": page.text(a), "lines": (a, a)})
            used.add(a)
        noise.extend(page.noise)
        if page.heading is None:  # a page with no fiche heading: its lines are listed as unused
            continue
        fiche = _fiche(lines, page)
        fiche.axis_id = seen_axes[AXIS_RE.match(fiche.axis.text).group("label").strip()] if fiche.axis else None
        fiches.append(fiche)
        used.update(range(fiche.heading.lines[0], fiche.heading.lines[1] + 1))
        for q in [fiche.title, fiche.status] + [r for r in fiche.roles]:
            if q is not None:
                used.update(range(q.lines[0], q.lines[1] + 1))
        for sec in fiche.sections:
            if sec.heading:
                used.update(range(sec.heading.lines[0], sec.heading.lines[1] + 1))
            for it in sec.items:
                used.update(range(it.lines[0], it.lines[1] + 1))
        for sec in page.sections:  # empty headings ("Actions :" with nothing under it) are read, not lost
            used.add(sec["heading"][0])
    if not fiches:
        raise StructureError("aucun titre de fiche (« Fiche action n°N ») dans le texte")
    unused = [(n, "numéro de page" if n in noise else "hors de toute fiche")
              for n, text in enumerate(lines, start=1) if text.strip() and n not in used]
    return Structure(sorted(fiches, key=lambda f: f.number), axes, unused)
