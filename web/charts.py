"""Pictures drawn on the server as SVG (no script, no CDN); every text is escaped, every mark a link.

Every label fits inside its picture: a name too long for its room is shown as the acronym the document prints
(else cut with "…"), the full name always in the mark's <title>, which the browser shows on hover."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable

from markupsafe import Markup, escape

from kg.codes import STATUS as STATUS_NAMES
from kg.programme_names import short_name

STATUS_COLOURS = {"realise": "#1b7f5b", "prevu": "#d9822b", "propose": "#7b5ea7"}
TYPE_COLOURS = {"fiche": "#0b6e72", "organisation": "#d9822b", "personne": "#7b5ea7"}


def text_width(text: str, size: float = 12) -> float:
    """A generous estimate of a label's width in picture units (capitals and wide letters count more)."""
    wide = sum(1 for c in text if c.isupper() or c in "mwMW@%")
    narrow = sum(1 for c in text if c in "iljtf.,;:'’!|() ")
    return size * (0.78 * wide + 0.36 * narrow + 0.58 * (len(text) - wide - narrow))


def fitted(label: str, room: float, short: str | None = None, size: float = 12) -> str:
    """``label`` if it fits in ``room`` units, else its acronym, else the label cut with "…"."""
    if text_width(label, size) <= room:
        return label
    if short and text_width(short, size) <= room:
        return short
    cut = label
    while cut and text_width(cut + "…", size) > room:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def _month_index(day: str) -> float:
    d = dt.date.fromisoformat(day)
    return d.year * 12 + (d.month - 1) + (d.day - 1) / 31


def _lane_name(lane: int | tuple[str, int]) -> str:
    """'fiche 7', or 'RTC 2025 · fiche 1' on a frise spanning several programmes."""
    return f"{escape(short_name(lane[0]))} · fiche {lane[1]}" if isinstance(lane, tuple) else f"fiche {lane}"


def timeline(events: list[dict[str, Any]], path: Callable[[str], str | None]) -> Markup:
    """One lane per fiche, months across from the first to the last dated year; a mark per event, coloured by
    status, spanning its period."""
    if not events:
        return Markup("<p>Aucun événement daté.</p>")
    first = min(_month_index(e["start"]) for e in events)
    last = max(_month_index(e["end"]) for e in events)
    first = math.floor(first / 12) * 12  # whole years, ending with the last year an event reaches
    last = (math.floor(last / 12) + 1) * 12
    fiches = sorted({n for e in events for n in e["fiches"]})
    several = any(isinstance(n, tuple) for n in fiches)  # lanes of several programmes: (programme id, number)
    left, top, lane, width, right = 150 if several else 80, 40, 26, 880, 20
    scale = width / (last - first)
    height = top + lane * len(fiches) + 40
    out = [f'<svg class="chart timeline" viewBox="0 0 {left + width + right} {height}" role="img" '
           f'aria-label="Frise des événements par fiche, de {first // 12} à {last // 12 - 1}" '
           f'xmlns="http://www.w3.org/2000/svg">']
    for m in range(int(first), int(last) + 1):
        x = left + (m - first) * scale
        if m % 12 == 0:
            out.append(f'<line x1="{x:.1f}" y1="{top - 10}" x2="{x:.1f}" y2="{height - 30}" class="grid-year"/>')
            if m < last:  # the closing line of the last year has no label of its own
                out.append(f'<text x="{x + 4:.1f}" y="{top - 16}" class="axis-label">{m // 12}</text>')
        elif m < last:
            out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 30}" class="grid-month"/>')
    for i, number in enumerate(fiches):
        y = top + i * lane
        out.append(f'<text x="{left - 8}" y="{y + 16}" class="lane-label" text-anchor="end">{_lane_name(number)}</text>')
        out.append(f'<line x1="{left}" y1="{y + lane}" x2="{left + width}" y2="{y + lane}" class="lane"/>')
    for e in events:
        x1 = left + (_month_index(e["start"]) - first) * scale
        x2 = left + (_month_index(e["end"]) + 1 / 31 - first) * scale
        colour = STATUS_COLOURS[e["status"]]
        tip = escape(f'{e["label"]} — {e["date_text"] or e["date"]} — {STATUS_NAMES[e["status"]]}'
                     + (f' — {e["participants_text"]}' if e.get("participants_text") else ""))
        href = escape(path(e["iri"]) or e["iri"])
        vague = " vague" if len(e["date"] or "") < 10 else ""  # a month or a year, not a day
        for number in e["fiches"]:
            y = top + fiches.index(number) * lane + 5
            w = max(x2 - x1, 6)
            out.append(f'<a href="{href}" class="event-mark status-{e["status"]}{vague}"><title>{tip}</title>'
                       f'<rect x="{x1:.1f}" y="{y}" width="{w:.1f}" height="{lane - 10}" rx="3" fill="{colour}"/></a>')
    lx = left
    for status, colour in STATUS_COLOURS.items():
        out.append(f'<rect x="{lx}" y="{height - 22}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{lx + 16}" y="{height - 12}" class="legend">{STATUS_NAMES[status]}</text>')
        lx += 110
    out.append(f'<rect x="{lx}" y="{height - 22}" width="12" height="12" fill="#777" opacity=".4"/>'
               f'<text x="{lx + 16}" y="{height - 12}" class="legend">date au mois ou à l\'année</text>')
    out.append("</svg>")
    return Markup("".join(out))


def bars(rows: list[dict[str, Any]], path: Callable[[str], str | None], short: dict[str, str] | None = None) -> Markup:
    """Horizontal bars: organisations by number of fiches; a long name shows its acronym, the full one on hover."""
    if not rows:
        return Markup("<p>Aucune donnée.</p>")
    short = short or {}
    label_width, bar_width, row, value_room = 300, 400, 24, 40
    top = max(r["fiches"] for r in rows)
    height = row * len(rows) + 10
    out = [f'<svg class="chart bars" viewBox="0 0 {label_width + bar_width + value_room} {height}" role="img" '
           f'aria-label="Partenaires les plus impliqués" xmlns="http://www.w3.org/2000/svg">']
    for i, r in enumerate(rows):
        y = i * row + 4
        w = bar_width * r["fiches"] / top
        href = escape(path(r["iri"]) or r["iri"])
        name = fitted(r["label"], label_width - 12, short.get(r["iri"]))
        out.append(f'<a href="{href}"><title>{escape(r["label"])} : {r["fiches"]} fiche{"s" if r["fiches"] > 1 else ""}</title>'
                   f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" class="bar-label">{escape(name)}</text>'
                   f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{row - 6}" class="bar"/>'
                   f'<text x="{label_width + w + 6:.1f}" y="{y + 15}" class="bar-value">{r["fiches"]}</text></a>')
    out.append("</svg>")
    return Markup("".join(out))


def _barycentre_order(nodes: list[dict[str, Any]], rank: dict[int, int]) -> list[dict[str, Any]]:
    """Nodes sorted by the mean row of their fiches: their edges cross as little as a column allows."""
    return sorted(nodes, key=lambda n: (sum(rank[f] for f in n["fiches"]) / len(n["fiches"]), n["label"]))


def network(data: dict[str, Any], path: Callable[[str], str | None], short: dict[str, str] | None = None,
            fiche_path: Callable[[int], str] | None = None) -> Markup:
    """Laid out by type: organisations on the left, the fiches in the middle, people on the right; each side
    in the order of the fiches it shares, so that edges run mostly across; a legend on top."""
    short = short or {}
    fiches = list(data["fiches"])
    if not fiches:
        return Markup("<p>Aucune donnée.</p>")
    rank = {n: i for i, n in enumerate(fiches)}
    sides = {"organisation": _barycentre_order([n for n in data["nodes"] if n["type"] != "personne"], rank),
             "personne": _barycentre_order([n for n in data["nodes"] if n["type"] == "personne"], rank)}
    row, top, label_room = 24, 64, 250
    rows = max(len(fiches), *(len(v) for v in sides.values()), 1)
    height = top + rows * row + 16
    width = 2 * label_room + 420
    x_of = {"organisation": label_room + 14, "fiche": width / 2, "personne": width - label_room - 14}
    spread = lambda count, i: top + (i + 0.5) * rows * row / max(count, 1)  # noqa: E731 - spread over the height
    fiche_y = {n: spread(len(fiches), i) for i, n in enumerate(fiches)}
    out = [f'<svg class="chart network" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
           f'aria-label="Réseau : organisations à gauche, fiches au centre, personnes à droite" '
           f'xmlns="http://www.w3.org/2000/svg">']
    out.append(_legend(width))
    marks = []
    for kind, nodes in sides.items():
        x = x_of[kind]
        colour = TYPE_COLOURS[kind]
        toward = 1 if kind == "organisation" else -1  # the side the fiches are on
        for i, node in enumerate(nodes):
            y = spread(len(nodes), i)
            for number in node["fiches"]:
                fx = x_of["fiche"] - toward * 17
                bend = (fx - x) / 2
                out.append(f'<path d="M{x:.1f} {y:.1f} C{x + bend:.1f} {y:.1f} {fx - bend:.1f} {fiche_y[number]:.1f} '
                           f'{fx:.1f} {fiche_y[number]:.1f}" fill="none" stroke="{colour}" stroke-opacity=".45" '
                           f'stroke-width="{1.2 + 0.3 * len(node["fiches"]):.1f}"/>')
            href = escape(path(node["iri"]) or node["iri"])
            radius = min(12.0, 3 + 1.5 * len(node["fiches"]))
            anchor, dx = ("end", -radius - 5) if kind == "organisation" else ("start", radius + 5)
            name = fitted(node["label"], label_room - 20, short.get(node["iri"]), size=11)
            fiches_text = ", ".join(str(n) for n in node["fiches"])
            marks.append(f'<a href="{href}" class="node node-{escape(kind)}"><title>{escape(node["label"])} — fiches {fiches_text}</title>'
                         f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colour}"/>'
                         f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}">{escape(name)}</text></a>')
    for number, y in fiche_y.items():
        x = x_of["fiche"]
        href = escape(fiche_path(number)) if fiche_path else f"/fiche/{number}"
        marks.append(f'<a href="{href}" class="node node-fiche"><title>Fiche {number}</title>'
                     f'<circle cx="{x:.1f}" cy="{y:.1f}" r="15" fill="{TYPE_COLOURS["fiche"]}"/>'
                     f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle">{number}</text></a>')
    out.extend(marks)  # drawn over the edges
    out.append("</svg>")
    return Markup("".join(out))


def _legend(width: float) -> str:
    items = [("organisation", "organisation"), ("fiche", "fiche"), ("personne", "personne")]
    parts, x = [], 20.0  # on the left: what a phone shows before scrolling
    for kind, word in items:
        parts.append(f'<circle cx="{x:.1f}" cy="20" r="7" fill="{TYPE_COLOURS[kind]}"/>'
                     f'<text x="{x + 12:.1f}" y="24" class="legend">{word}</text>')
        x += 110
    parts.append(f'<text x="13" y="46" class="legend">'
                 f'plus le point est gros, plus il touche de fiches ; survolez un nom pour le lire en entier</text>')
    return "".join(parts)
