"""Pictures drawn on the server as SVG (no script, no CDN); every text is escaped, every mark a link."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable

from markupsafe import Markup, escape

STATUS_COLOURS = {"realise": "#1b7f5b", "prevu": "#d9822b", "propose": "#7b5ea7"}
STATUS_NAMES = {"realise": "réalisé", "prevu": "prévu", "propose": "proposé"}


def _month_index(day: str) -> float:
    d = dt.date.fromisoformat(day)
    return d.year * 12 + (d.month - 1) + (d.day - 1) / 31


def timeline(events: list[dict[str, Any]], path: Callable[[str], str | None]) -> Markup:
    """One lane per fiche, months across; a mark per event, coloured by status, spanning its period."""
    if not events:
        return Markup("<p>Aucun événement daté.</p>")
    first = min(_month_index(e["start"]) for e in events)
    last = max(_month_index(e["end"]) for e in events) + 1 / 31
    first = math.floor(first / 12) * 12  # whole years
    last = math.ceil(last / 12) * 12
    fiches = sorted({n for e in events for n in e["fiches"]})
    left, top, lane, width = 80, 40, 26, 880
    scale = width / (last - first)
    height = top + lane * len(fiches) + 40
    out = [f'<svg class="chart timeline" viewBox="0 0 {left + width + 20} {height}" role="img" '
           f'aria-label="Frise des événements par fiche" xmlns="http://www.w3.org/2000/svg">']
    for m in range(int(first), int(last) + 1):
        x = left + (m - first) * scale
        if m % 12 == 0:
            out.append(f'<line x1="{x:.1f}" y1="{top - 10}" x2="{x:.1f}" y2="{height - 30}" class="grid-year"/>')
            out.append(f'<text x="{x + 4:.1f}" y="{top - 16}" class="axis-label">{m // 12}</text>')
        elif m < last:
            out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 30}" class="grid-month"/>')
    for i, number in enumerate(fiches):
        y = top + i * lane
        out.append(f'<text x="{left - 8}" y="{y + 16}" class="lane-label" text-anchor="end">fiche {number}</text>')
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


def bars(rows: list[dict[str, Any]], path: Callable[[str], str | None]) -> Markup:
    """Horizontal bars: organisations by number of fiches."""
    if not rows:
        return Markup("<p>Aucune donnée.</p>")
    label_width, bar_width, row = 330, 480, 24
    top = max(r["fiches"] for r in rows)
    height = row * len(rows) + 10
    out = [f'<svg class="chart bars" viewBox="0 0 {label_width + bar_width + 60} {height}" role="img" '
           f'aria-label="Partenaires les plus impliqués" xmlns="http://www.w3.org/2000/svg">']
    for i, r in enumerate(rows):
        y = i * row + 4
        w = bar_width * r["fiches"] / top
        href = escape(path(r["iri"]) or r["iri"])
        out.append(f'<a href="{href}"><title>{escape(r["label"])} : {r["fiches"]} fiche(s)</title>'
                   f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" class="bar-label">{escape(_cut(r["label"], 48))}</text>'
                   f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{row - 6}" class="bar"/>'
                   f'<text x="{label_width + w + 6:.1f}" y="{y + 15}" class="bar-value">{r["fiches"]}</text></a>')
    out.append("</svg>")
    return Markup("".join(out))


def network(data: dict[str, Any], path: Callable[[str], str | None]) -> Markup:
    """Fiches on an inner ring, the organisations and people they share on an outer ring; all clickable."""
    size, centre = 900, 450
    inner, outer = 170, 390
    fiches, nodes = data["fiches"], data["nodes"]
    fpos = {n: (centre + inner * math.cos(2 * math.pi * i / len(fiches) - math.pi / 2),
                centre + inner * math.sin(2 * math.pi * i / len(fiches) - math.pi / 2)) for i, n in enumerate(fiches)}
    npos = {}
    for i, node in enumerate(nodes):
        angle = 2 * math.pi * i / max(1, len(nodes)) - math.pi / 2
        npos[node["iri"]] = (centre + outer * math.cos(angle), centre + outer * math.sin(angle), angle)
    out = [f'<svg class="chart network" viewBox="-130 -40 {size + 260} {size + 80}" role="img" '
           f'aria-label="Réseau des fiches, partenaires et personnes" xmlns="http://www.w3.org/2000/svg">']
    for number, iri in data["edges"]:
        (x1, y1), (x2, y2, _) = fpos[number], npos[iri]
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="edge"/>')
    for node in nodes:
        x, y, angle = npos[node["iri"]]
        href = escape(path(node["iri"]) or node["iri"])
        anchor = "start" if math.cos(angle) >= 0 else "end"
        dx = 9 if anchor == "start" else -9
        rotate = math.degrees(angle) if anchor == "start" else math.degrees(angle) + 180
        fiches_text = ", ".join(str(n) for n in node["fiches"])
        out.append(f'<a href="{href}" class="node node-{escape(node["type"])}"><title>{escape(node["label"])} — fiches {fiches_text}</title>'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4 + len(node["fiches"])}"/>'
                   f'<text x="{x + dx:.1f}" y="{y + 3:.1f}" text-anchor="{anchor}" '
                   f'transform="rotate({rotate:.1f} {x:.1f} {y:.1f})">{escape(_cut(node["label"], 28))}</text></a>')
    for number, (x, y) in fpos.items():
        out.append(f'<a href="/fiche/{number}" class="node node-fiche"><title>Fiche {number}</title>'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="16"/><text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle">{number}</text></a>')
    out.append("</svg>")
    return Markup("".join(out))


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
