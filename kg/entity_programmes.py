"""An entity across programmes: its fiches grouped by programme (newest year first) and counted per year."""

from __future__ import annotations

from typing import Any

from kg.programme_filter import programmes
from kg.store import Store


def across_programmes(store: Store, fiches: list[dict[str, Any]], roles: list[dict[str, Any]]) -> dict[str, Any]:
    """The entity page's fiches and roles, their programmes, and the bar of fiches per year (when the graph holds
    several programmes; with one, the page is as it always was)."""
    known = programmes(store)
    order = {p["iri"]: i for i, p in enumerate(known)}  # newest year first, then publisher
    by_iri = {p["iri"]: p for p in known}
    for row in (*fiches, *roles):
        about = by_iri.get(row["programme"], {})
        row["programme_short"], row["draft"] = about.get("short", ""), about.get("draft", False)
        row["source"] = about.get("source")
    roles.sort(key=lambda r: order.get(r["programme"], len(order)))  # stable: by number inside a programme
    groups: dict[str, dict[str, Any]] = {}
    for f in sorted(fiches, key=lambda f: order.get(f["programme"], len(order))):
        about = by_iri.get(f["programme"], {"iri": f["programme"], "label": f["programme"], "year": "", "draft": False,
                                            "publisher": "", "id": "", "short": "", "source": None})
        groups.setdefault(f["programme"], {"programme": about, "fiches": []})["fiches"].append(f)
    return {"fiches": fiches, "roles": roles, "several_programmes": len(known) > 1,
            "by_programme": list(groups.values()),
            "per_year": per_year(fiches, known) if len(known) > 1 else []}


def per_year(fiches: list[dict[str, Any]], known: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every year of the graph's programmes, oldest first, with the number of fiches of that year naming the entity
    and its share of the largest count (the bar's length, 0–100)."""
    year_of = {p["iri"]: p["year"] for p in known}
    counts = {year: 0 for year in sorted({p["year"] for p in known})}
    for f in fiches:
        year = year_of.get(f["programme"])
        if year in counts:
            counts[year] += 1
    top = max(counts.values(), default=0) or 1
    return [{"year": year, "count": n, "share": round(100 * n / top)} for year, n in counts.items()]


def with_sources(store: Store, event: dict[str, Any]) -> dict[str, Any]:
    """An event's quotes, each with the source document of its programme (its line numbers link there)."""
    by_iri = {p["iri"]: p for p in programmes(store)}
    for q in event["quotes"]:
        q["source"] = by_iri.get(q.pop("programme") or "", {}).get("source")
    return event
