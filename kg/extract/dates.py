"""Dates and counts as the genre prints them: "le 18 ou 20 juin 2024", "septembre/octobre ?", "+ de 280"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MONTHS = {"janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
          "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12, "décembre": 12}
_MONTH = r"(?:janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)"
_DAY = r"(?:1er|[12]?\d|3[01])"
_YEAR = r"(?:19|20)\d\d"
# The forms, most precise first; each alternative is one printed date.
DATE_RE = re.compile(
    r"(?P<text>"
    r"(?:(?:le|les|du|au)\s+)?(?P<d1>" + _DAY + r")(?:\s*(?P<sep>&|et|ou|au|-)\s*(?P<d2>" + _DAY + r"))?\s+"
    r"(?P<m>" + _MONTH + r")(?:\s+(?P<y>" + _YEAR + r"))?"
    r"|(?:(?:en|d[ée]but|fin|mi-?)\s+)?(?P<m1>" + _MONTH + r")\s*(?P<msep>/|ou|et|-)\s*(?P<m2>" + _MONTH + r")(?:\s+(?P<y2>" + _YEAR + r"))?"
    r"|(?:(?P<qual>en|d[ée]but|fin|mi-?)\s+)?(?P<m3>" + _MONTH + r")(?:\s+(?P<y3>" + _YEAR + r"))?"
    r"|(?P<sem>1er|2e|2nd|premier|second)\s+semestre\s+(?P<y4>" + _YEAR + r")"
    r"|(?:en\s+)?(?P<y5>" + _YEAR + r")(?![/\d])"
    r")"
    r"(?P<unsure>\s*\?|\s*\(sous r[ée]serve\))?",
    re.IGNORECASE)


@dataclass
class PrintedDate:
    """One printed date: what the YAML event needs, and where it was printed."""

    text: str
    start: int
    end: int
    date: str
    until: str | None = None
    year_inferred: bool = False
    uncertain: bool = False
    extra: dict = field(default_factory=dict)


def _year_for(section: str, programme_year: int) -> int:
    """The year a date without one belongs to: realised actions are the year before the programme's."""
    return programme_year - 1 if section == "actions-realisees" else programme_year


def _month(name: str) -> int:
    return MONTHS[name.lower()]


def find_dates(text: str, section: str, year: int) -> list[PrintedDate]:
    """Every date printed in ``text``, with the year inferred from the section when it is not printed."""
    found = []
    for m in DATE_RE.finditer(text):
        if not _word_bounded(text, m.start(), m.end("text")):
            continue
        g = m.groupdict()
        unsure = bool(g["unsure"])
        span_end = m.end() if unsure else m.end("text")
        printed = text[m.start():span_end].strip()
        y_text = g["y"] or g["y2"] or g["y3"] or g["y4"] or g["y5"]
        y = int(y_text) if y_text else _year_for(section, year)
        inferred = y_text is None
        until = None
        if g["d1"]:
            d1 = 1 if g["d1"].lower() == "1er" else int(g["d1"])
            month = _month(g["m"])
            date = f"{y:04d}-{month:02d}-{d1:02d}"
            if g["d2"]:
                d2 = 1 if g["d2"].lower() == "1er" else int(g["d2"])
                if g["sep"].lower() == "ou":  # "le 18 ou 20 juin": only the month is sure
                    date, unsure = f"{y:04d}-{month:02d}", True
                elif d2 > d1:
                    until = f"{y:04d}-{month:02d}-{d2:02d}"
        elif g["m1"]:
            date = f"{y:04d}-{_month(g['m1']):02d}"
            if g["msep"].lower() == "ou" or g["msep"] == "/":
                unsure = unsure or g["msep"].lower() == "ou"
            if _month(g["m2"]) > _month(g["m1"]):
                until = f"{y:04d}-{_month(g['m2']):02d}"
        elif g["m3"]:
            if not g["qual"] and not y_text and not g["m3"][0].isupper():
                continue  # a bare month word inside a sentence ("mai" alone) is too weak without "en"
            date = f"{y:04d}-{_month(g['m3']):02d}"
        elif g["sem"]:
            date = f"{y:04d}"
        else:
            date = f"{y:04d}"
        found.append(PrintedDate(printed, m.start(), m.start() + len(printed), date, until, inferred, unsure))
    return found


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def parse_date(text: str, section: str = "perspectives", year: int = 2024) -> PrintedDate | None:
    """The first date printed in ``text`` (``parse_date("le 18 ou 20 juin 2024")`` → 2024-06, uncertain)."""
    dates = find_dates(text, section, year)
    return dates[0] if dates else None


# --- counts -------------------------------------------------------------------------------------

_APPROX = {"dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40,
           "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000}
COUNT_RE = re.compile(
    r"(?P<text>(?P<qual>\+\s*de|plus\s+d[e’']\s*(?:une?\s+)?|au\s+moins|environ|pr[èe]s\s+d[e’']\s*(?:une?\s+)?|une?\s+)?\s*"
    r"(?P<n>\d[\d\s]*\d|\d+|" + "|".join(_APPROX) + r")s?\s+(?:de\s+|d['’]\s*)?"
    r"(?P<what>particip\w*(?:\.\w+)*|particpants|personnes|inscrit\w*(?:\.\w+)*|élu\w*(?:\.\w+)*))",
    re.IGNORECASE)


@dataclass
class PrintedCount:
    text: str
    start: int
    count: int
    precision: str  # exact | minimum | approximate


def find_counts(text: str) -> list[PrintedCount]:
    """Every head count printed in ``text``: "70 participant.e.s", "+ de 280", "une quarantaine de"."""
    out = []
    for m in COUNT_RE.finditer(text):
        n = m.group("n").lower()
        qual = (m.group("qual") or "").lower().strip()
        if n in _APPROX:
            count, precision = _APPROX[n], "approximate"
        else:
            count, precision = int(re.sub(r"\s", "", n)), "exact"
        if qual.startswith(("+", "plus", "au moins")):
            precision = "minimum"
        elif qual.startswith(("environ", "pr")):
            precision = "approximate"
        printed = m.group("text").strip()
        if qual.startswith(("une", "un ")) and n not in _APPROX:
            printed = printed.split(None, 1)[1]
        out.append(PrintedCount(printed, m.start("text") + (len(m.group("text")) - len(m.group("text").lstrip())),
                                count, precision))
    return out
