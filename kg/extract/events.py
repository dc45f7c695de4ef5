"""Events inside an item: each printed date with the kind of event it dates, the undated ones by their word."""

from __future__ import annotations

import re

from kg.extract.dates import find_counts, find_dates

# the genre's words for an event → the event kind of data/README.md
KIND_WORDS = [
    (r"tables?[ -]rondes?", "table-ronde"), (r"webinaires?", "webinaire"), (r"clubs?", "club"),
    (r"s[ée]minaires?", "seminaire"), (r"ateliers?", "atelier"), (r"rencontres?", "rencontre"),
    (r"r[ée]unions?", "reunion"), (r"salons?", "salon"), (r"voyages?\s+apprenants?", "voyage-apprenant"),
    (r"congr[èe]s", "congres"), (r"journ[ée]es?", "journee"), (r"forums?", "forum"),
    (r"groupes?\s+de\s+travail", "groupe-de-travail"), (r"interventions?", "intervention"),
    (r"assembl[ée]es?\s+g[ée]n[ée]rales?", "assemblee-generale"), (r"visites?\s+apprenantes?", "voyage-apprenant"),
    # "un temps de présentation dédié", "temps d'échange": a meeting named by its purpose
    (r"temps\s+d['’]\s*[ée]changes?|temps\s+de\s+(?:pr[ée]sentation|rencontre|partage)", "rencontre"),
]
KIND_RE = re.compile(r"(?<![\w-])(?:" + "|".join(f"(?P<k{i}>{p})" for i, (p, _) in enumerate(KIND_WORDS)) + r")(?![\w-])",
                     re.IGNORECASE)
# "lors de l'Assemblée générale", "aux Salons", "dans le cadre du Forum": the frame, not the event itself
FRAME_BEFORE = re.compile(r"(?:lors\s+d[eu]s?|lors\s+de\s+la|lors\s+de\s+l['’]|aux?|à\s+la|à\s+l['’]|dans\s+le\s+cadre\s+d[ue]s?|"
                          r"au\s+sein\s+d[ue]s?)\s*$", re.IGNORECASE)
EVENT_SECTIONS = {"actions-realisees", "perspectives", "projets", "propositions", "calendrier"}
GENERIC_PLURAL = re.compile(r"(?:\bdes|\bles|\bentre|\baux|\bces|\bnos|\bnouveaux|\bnouvelles|\bdeux|\bcertain(?:e)?s|"
                            r"\bplusieurs|\bquelques)\s*$", re.IGNORECASE)
PLANNING = {"perspectives", "projets", "propositions"}
# "Intervention du réseau lors de rencontres organisées par A et B": the events are the frame's, one per organiser
INTERVENTION_FRAME = re.compile(r"^interventions?\b[^.;()]{0,40}?\blors\s+(?:d['’]\s*une?|de\s+la|de\s+l['’]|du|des|de)\s*$", re.IGNORECASE)
ORGANISED_BY = re.compile(r"^\w*\s+organis[ée]e?s?\s+par\s+(?P<who>[^.;()]+)", re.IGNORECASE)
COMPLEMENT = re.compile(r"^\s*(?:du|des|de\s+la|de\s+l['’]\s*)\s*$", re.IGNORECASE)
SECTION_STATUS = {"actions-realisees": "realise", "perspectives": "prevu", "projets": "prevu", "propositions": "propose"}
ONLINE_RE = re.compile(r"\ben\s+visio(?:conf[ée]rence)?\b|\ben\s+ligne\b|\bvisioconf[ée]rence\b", re.IGNORECASE)
PLACE_BEFORE = re.compile(r"(?:\bà|\ben|\bau|\ben\s+r[ée]gion|\bde)\s*$", re.IGNORECASE)


def _kind(m: re.Match) -> str:
    return next(kind for i, (_, kind) in enumerate(KIND_WORDS) if m.group(f"k{i}"))


ROLE_TITLE_BEFORE = re.compile(r"\b(?:pr[ée]sident(?:e)?|membre|pilote|animat(?:eur|rice)|co-?pr[ée]sident(?:e)?)s?\s+"
                               r"(?:du|de\s+la|de\s+l['’]|des)\s*$", re.IGNORECASE)
DATE_LEAD = re.compile(r"^\s*\S.{0,40}?\s[-–:]\s*$")


def event_kinds(text: str) -> list[tuple[int, str]]:
    """(position, kind) of each event word that names an event of the item. Left out: a frame named after
    the event ("atelier lors de l'Assemblée générale"), a person's title ("président du GT"), and a
    capitalised word inside the sentence, which names an organisation ("avec Club EFC"). An intervention
    at a frame ("Intervention du réseau lors de rencontres") gives way to the frame: the event is the frame's."""
    out: list[tuple[int, str, int]] = []
    for m in KIND_RE.finditer(text):
        word = m.group()
        if word.isupper() and word != "GT":
            continue
        before = text[:m.start()]
        if out and COMPLEMENT.match(text[out[-1][2]:m.start()]):
            continue  # "Réunion du groupe de travail": one event, the head's; the rest says whose
        if out and out[-1][1] == "intervention" and INTERVENTION_FRAME.search(text[out[-1][0]:m.start()]):
            out[-1] = (m.start(), _kind(m), m.end())
            continue
        if out and FRAME_BEFORE.search(before):
            continue
        if ROLE_TITLE_BEFORE.search(before):
            continue
        if word[0].isupper() and word != "GT" and before.strip() and not DATE_LEAD.match(before) \
                and not FRAME_BEFORE.search(before) and not before.rstrip().endswith((":", "(", "-", "–")):
            continue
        out.append((m.start(), _kind(m), m.end()))
    return [(pos, kind) for pos, kind, _ in out]


def _organisers(text: str, end: int) -> int:
    """How many organisers "organisées par A et B" names right after a plural event word (1 when none)."""
    m = ORGANISED_BY.match(text[end:])
    if not m:
        return 1
    return 1 + len(re.findall(r"\s+et\s+|,\s*", m.group("who").strip()))


def named_events(text: str, names: list[tuple[int, int, str]], dates) -> list[tuple[int, str]]:
    """(position, kind) of a known name that calls itself an event ("… Forum", "… Congrès") printed with a year
    right after it ("GSEF 2023", "du GSEF en 2025"): the edition of that year is the event."""
    out = []
    for start, end, label in names:
        m = KIND_RE.search(label)
        if m and any(0 <= d.start - end <= 4 for d in dates):
            out.append((start, _kind(m)))
    return out


def find_events(text: str, section: str, year: int, context: str | None = None,
                places: list[tuple[int, int, str]] = (), names: list[tuple[int, int, str]] = ()) -> list[dict]:
    """The events an item reports: one per printed date (its kind from the word before it), one per undated
    event word; status from the section; head count, place and "en visio" when printed near it.
    ``names``: (start, end, label) of the known organisations the item prints, whose label may name an event."""
    status_section = context if section == "calendrier" and context else section
    kinds = event_kinds(text)
    if names and section in EVENT_SECTIONS:
        kinds = sorted(set(kinds) | set(named_events(text, names, find_dates(text, status_section, year))))
    if not kinds or section not in EVENT_SECTIONS:
        return []
    status = SECTION_STATUS.get(status_section) or ("realise" if status_section == "actions-realisees" else "prevu")
    dates = find_dates(text, status_section, year)
    full = [d for d in dates if not re.fullmatch(r"(?:en\s+)?\d{4}", d.text)]
    # a bare year dates an event only when nothing more precise is printed ("Salons des Maires 2023")
    dates = full or [d for d in dates if not _in_name(text, d.start)]
    events: list[dict] = []
    used = set()
    for d in dates:
        before = [k for k in kinds if k[0] < d.start]
        kind = (before[-1] if before else kinds[0])
        used.add(kind)
        events.append({"kind": kind[1], "pos": kind[0], "end_pos": d.end, "date": d, "anchor": (d.start, d.end)})
    for k in kinds:
        if k in used:
            continue
        if any(abs(k[0] - other[0]) < 30 and other[0] < k[0] for other in kinds if other != k):
            continue  # "intervention aux rencontres": one event, named twice
        word = KIND_RE.match(text, k[0])
        word = word.group() if word else ""
        plural = word.lower().endswith(("s", "x")) and not re.search(r"(?:\d+|deux|trois|quatre)\s*$", text[:k[0]])
        # a plan that opens on plural events ("Webinaires dédiés (…)", "webinaires ouverts"): events to hold
        planned = plural and not text[:k[0]].strip() and status_section in PLANNING
        framed = plural and len(kinds) == 1 and re.search(r"\blors\s+d\w*\s*$", text[:k[0]])
        if any(e["kind"] == k[1] for e in events) or (not planned and not framed and
                                                      (GENERIC_PLURAL.search(text[:k[0]]) or plural)):
            continue  # the same event named again, or events in general ("les clubs", "Interventions ponctuelles")
        for _ in range(_organisers(text, k[0] + len(word)) if framed else 1):
            events.append({"kind": k[1], "pos": k[0], "end_pos": k[0], "date": None, "anchor": (k[0], k[0])})
    events.sort(key=lambda e: e["pos"])
    counts = find_counts(text)
    out = []
    for i, e in enumerate(events):
        nxt = events[i + 1]["pos"] if i + 1 < len(events) else len(text)
        data: dict = {"kind": e["kind"]}
        d = e["date"]
        if d:
            data["date"] = d.date
            if d.until:
                data["end"] = d.until
            data["date_text"] = d.text
            if d.year_inferred:
                data["year_inferred"] = True
            if d.uncertain:
                data["date_uncertain"] = True
        data["status"] = status
        mine = [c for c in counts if e["pos"] <= c.start < nxt] or ([c for c in counts] if len(events) == 1 else [])
        if mine:
            c = mine[0]
            data["participants"] = {"text": c.text, "count": c.count, "precision": c.precision}
        segment_end = max(nxt, e["end_pos"])
        place = _place(text, e, events, places)
        if place:
            data["place"] = place
        if ONLINE_RE.search(text[e["pos"]:segment_end + 20]):
            data["online"] = True
        out.append(data)
    return out


PLACE_LINK = re.compile(r"^\s*(?:-|–|/|,|et)\s*$")
# "le 31 janvier 2024 lors du Forum de Niort": the frame's place is the event's
FRAME_PLACE = re.compile(r"^\s*(?:lors|dans\s+le\s+cadre)\s+d\S*\s+(?:\S+\s+){0,3}(?:de|à|d['’])\s*$", re.IGNORECASE)
NAME_SPAN = re.compile(r"^[^,.;:()]{0,45}$")
IN_NAME_BEFORE = re.compile(r"(?:\ben|\bà)\s*$", re.IGNORECASE)  # "Club … en Bretagne"; "de X" may be an organisation


def _place(text: str, event: dict, events: list[dict], places: list[tuple[int, int, str]]) -> str | list[str] | None:
    """The territory printed next to an event: after its date ("le 21 mars 2023 à Lyon", "… lors du Forum de
    Niort"), in its name ("Club des collectivités en Ile-de-France"), right after its word ("voyage apprenant
    Strasbourg") or right before its date ("(Tarnos en mai"); with the places printed joined to it ("PACA - Corse")."""
    start, end = event["anchor"]
    word_end = event["pos"] + len(KIND_RE.match(text, event["pos"]).group()) if KIND_RE.match(text, event["pos"]) else end
    others = [e["anchor"] for e in events if e is not event]
    low = max([a[1] for a in others if a[1] <= start], default=0)
    high = min([a[0] for a in others if a[0] >= end], default=len(text))
    found = []  # (rank, distance, index): right after the date first, then a frame, the name, before the date
    for i, (p_start, p_end, ident) in enumerate(places):
        if not (low <= p_start and p_end <= high):
            continue
        before = bool(PLACE_BEFORE.search(text[:p_start]))
        distance = p_start - end if p_start >= end else start - p_end
        if before and p_start >= end and distance <= 6:
            found.append((0, distance, i))
        elif p_start >= end and FRAME_PLACE.match(text[end:p_start]):
            found.append((1, distance, i))
        elif p_start >= word_end and not (word_end <= start < p_start) and (
                not text[word_end:p_start].strip()
                or (IN_NAME_BEFORE.search(text[:p_start]) and NAME_SPAN.match(text[word_end:p_start]))):
            found.append((2, distance, i))  # in the event's name, or right after its word
        elif event["date"] and p_end <= start and not text[p_end:start].strip():
            found.append((3, distance, i))  # "(Tarnos en mai"
        elif before and distance <= 15:
            found.append((4, distance, i))
    best = min(found, default=None)
    if best is None:
        return None
    return _joined(text, places, best[2])


def _joined(text: str, places: list[tuple[int, int, str]], i: int) -> str | list[str]:
    """The place at ``i`` with the places printed joined to it by "-", "/", "," or "et", in printed order."""
    first = last = i
    while first > 0 and PLACE_LINK.match(text[places[first - 1][1]:places[first][0]]):
        first -= 1
    while last + 1 < len(places) and PLACE_LINK.match(text[places[last][1]:places[last + 1][0]]):
        last += 1
    idents = list(dict.fromkeys(p[2] for p in places[first:last + 1]))
    return idents[0] if len(idents) == 1 else idents


def _in_name(text: str, start: int) -> bool:
    """A bare year right after a law or a report name ("loi ESS 2014") dates the text, not an event."""
    return bool(re.search(r"(?:loi|décret|rapport|plan|programme)\b[^,.;()]{0,15}$", text[:start], re.IGNORECASE))
