"""French dates as people write them ("juin 2024", "début 2024", "entre mars et mai") -> a period of ISO days."""

from __future__ import annotations

import calendar
import re

from kg.source import fold_key

PROGRAMME_YEAR = 2024

MONTHS = ["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
          "novembre", "decembre"]
MONTHS_EN = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
             "november", "december"]
MONTH_RE = "(?<![a-z])(?:" + "|".join(MONTHS + MONTHS_EN) + ")(?![a-z])"


def _month_bounds(year: int, month: int) -> tuple[str, str]:
    return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _month_number(word: str) -> int:
    return (MONTHS.index(word) if word in MONTHS else MONTHS_EN.index(word)) + 1


def find_period(folded: str, year_default: int = PROGRAMME_YEAR) -> tuple[str | None, str | None, str]:
    """(from, to, the words that gave them) for "en juin 2024", "entre mars et mai", "au premier semestre 2024",
    "l'an dernier", "en 2023", "après mai 2024"…; months and days are read with dateparser."""
    from dateparser.date import DateDataParser

    relative = {"l an dernier": -1, "l annee derniere": -1, "l an passe": -1, "l annee passee": -1, "last year": -1,
                "cette annee": 0, "this year": 0, "l an prochain": 1, "l annee prochaine": 1, "next year": 1}
    for words, delta in relative.items():
        if words in folded:
            year = year_default + delta
            return f"{year}-01-01", f"{year}-12-31", words
    m = re.search(rf"entre (?:le mois de )?({MONTH_RE})(?: (\d{{4}}))? et ({MONTH_RE})(?: (\d{{4}}))?", folded) or \
        re.search(rf"between ({MONTH_RE})(?: (\d{{4}}))? and ({MONTH_RE})(?: (\d{{4}}))?", folded) or \
        re.search(rf"(?:de|from) ({MONTH_RE})(?: (\d{{4}}))? (?:a|to|jusqu a) ({MONTH_RE})(?: (\d{{4}}))?", folded)
    if m:
        y2 = int(m.group(4) or m.group(2) or _year_in(folded) or year_default)
        y1 = int(m.group(2) or y2)
        return _month_bounds(y1, _month_number(m.group(1)))[0], _month_bounds(y2, _month_number(m.group(3)))[1], m.group(0)
    m = re.search(r"(premier|1er|second|deuxieme|2e|first|second) (semestre|half)(?: (?:de |of )?(\d{4}))?", folded)
    if m:
        year = int(m.group(3) or _year_in(folded) or year_default)
        first = m.group(1) in ("premier", "1er", "first")
        return (f"{year}-01-01", f"{year}-06-30", m.group(0)) if first else (f"{year}-07-01", f"{year}-12-31", m.group(0))
    m = re.search(r"(premier|1er|deuxieme|2e|troisieme|3e|quatrieme|4e|dernier) trimestre(?: (\d{4}))?", folded)
    if m:
        year = int(m.group(2) or _year_in(folded) or year_default)
        q = {"premier": 1, "1er": 1, "deuxieme": 2, "2e": 2, "troisieme": 3, "3e": 3, "quatrieme": 4, "4e": 4, "dernier": 4}[m.group(1)]
        return _month_bounds(year, 3 * q - 2)[0], _month_bounds(year, 3 * q)[1], m.group(0)
    parser = DateDataParser(languages=["fr", "en"], settings={"PREFER_DAY_OF_MONTH": "first"})
    m = re.search(rf"(?:(avant|before|apres|after|a partir de|depuis|since|jusqu a|until) )?((?:le )?(?:\d{{1,2}} )?({MONTH_RE})(?: (\d{{4}}))?)", folded)
    if m:
        year = int(m.group(4) or _year_in(folded) or year_default)
        text = f"{m.group(2).removeprefix('le ')}" + ("" if m.group(4) else f" {year}")
        data = parser.get_date_data(text)
        if data.date_obj:
            d = data.date_obj.date()
            if data.period == "day":
                start = end = d.isoformat()
            else:
                start, end = _month_bounds(d.year, d.month)
            return _open_ended(m.group(1), start, end, m.group(0))
    m = re.search(r"(?:(avant|before|apres|after|a partir de|depuis|since|jusqu a|until) )?(?:en |in |pour |de |d )?(20\d\d)\b", folded)
    if m:
        return _open_ended(m.group(1), f"{m.group(2)}-01-01", f"{m.group(2)}-12-31", m.group(0))
    return None, None, ""


def _open_ended(word: str | None, start: str, end: str, text: str) -> tuple[str | None, str | None, str]:
    if word in ("avant", "before", "jusqu a", "until"):
        return None, end, text
    if word in ("apres", "after", "a partir de", "depuis", "since"):
        return start, None, text
    return start, end, text


def _year_in(folded: str) -> str | None:
    m = re.search(r"\b(20\d\d)\b", folded)
    return m.group(1) if m else None


def form_date(raw: str, bound: str = "start") -> str | None:
    """A date typed in a form ("juin 2024", "début 2024", "le 12 juin 2024") -> the first or last ISO day of the
    period it names (``bound`` "start" or "end"), read as the question box reads it; None when it names none."""
    folded = " " + re.sub(r"[^\w+]+", " ", fold_key(raw).replace("'", " ")).strip() + " "
    start, end, _ = find_period(folded)
    if start is None or end is None:  # "avant mai" or "après mai" names one end only: not a date
        return None
    return start if bound == "start" else end
