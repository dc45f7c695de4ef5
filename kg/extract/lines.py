"""What one printed line is, in the genre of action-programme fiches: heading, axis banner, role, section…"""

from __future__ import annotations

import re

from kg.extract.dates import DATE_RE

HEADING_RE = re.compile(r"Fiche\s+action\s+n\s*[°ºo]\s*(\d+)", re.IGNORECASE)
AXIS_RE = re.compile(r"^AXE\s+(?:(?P<n>\d+)|(?P<t>TRANSVERSAL))\s*[-–:]\s*(?P<label>\S.*)$")
ROLE_LABEL_RE = re.compile(
    r"(?P<label>R[ée]f[ée]rent(?:e)?s?\s+(?P<which>CA|[ée]quipe)|(?:Autres?\s+)?[Cc]ontributeur(?:rice)?s?)"
    r"(?P<qualifier>[^:.]{0,40}?)\s*:")
ROLE_START_RE = re.compile(r"^(?:R[ée]f[ée]rent(?:e)?s?\s+(?:CA|[ée]quipe)|Autres?\s+contributeur)")
SECTION_KINDS = [  # printed heading → section kind (data/README.md)
    (r"Actions\s+r[ée]alis[ée]es|Actions\s+men[ée]es|R[ée]alisations", "actions-realisees"),
    (r"Perspectives(?:\s+\d{4})?", "perspectives"),
    (r"[EÉ]l[ée]ments\s+de\s+plaidoyer", "plaidoyer"),
    (r"Points?\s+d[’']attention|Vigilances?", "points-attention"),
    (r"Propositions?", "propositions"),
    (r"Contexte", "contexte"),
    (r"Objectifs?", "objectifs"),
    (r"Projets?", "projets"),
    (r"R[ôo]le\s+de\s+la\s+commission", "role-commission"),
    (r"Actions?", "actions"),
]
SECTION_RE = re.compile(r"^(?P<heading>(?:" + "|".join(f"(?P<k{i}>{p})" for i, (p, _) in enumerate(SECTION_KINDS))
                        + r")\s*:)\s*(?P<rest>.*)$")
NOISE_RE = re.compile(r"^(?:p\.?\s*\d+|\d{1,3}|page\s+\d+(?:\s*/\s*\d+)?)$", re.IGNORECASE)
# A fiche's printed status, glued to its heading ("ExploratoireFiche action n°10"): the genre's words.
STATUS_WORDS = {"exploratoire", "nouveau", "nouvelle", "en cours", "prioritaire", "expérimental", "expérimentale",
                "permanent", "permanente", "émergent", "émergente", "reconduit", "reconduite"}
FUNCTION_WORDS = {"de", "du", "des", "d", "la", "le", "les", "l", "et", "à", "au", "aux", "avec", "pour", "en", "par",
                  "sur", "dans", "un", "une", "ou", "entre", "vers", "chez", "sous", "&", "ses", "son", "sa", "leur",
                  "leurs", "nos", "notre", "ce", "cette", "ces", "qui", "que", "dont", "+", "-", "–", "(", "/", "lors",
                  "afin", "ainsi", "mais", "ni", "y", "compris", "notamment", "dès", "depuis"}
# a noun the genre prints before a name ("du projet" / "PlateformCoop piloté par…"): the name goes on below
NAME_HEADS = {"projet", "programme", "dispositif", "réseau", "collectif", "label", "plateforme", "guide", "outil",
              "site", "fonds", "contrat", "appel", "pacte", "plan", "chantier", "festival", "association"}
# words that call for the next one ("ouverts plus" / "largement")
CALLING_WORDS = {"plus", "moins", "très", "aussi", "si", "trop", "bien", "tout", "toute", "tous", "toutes"}
WIDE = 75  # characters: a line longer than this was printed across the page, not in a column


def section_kind(match: re.Match) -> str:
    return next(kind for i, (_, kind) in enumerate(SECTION_KINDS) if match.group(f"k{i}"))


def is_calendar_line(text: str) -> bool:
    """A dated line printed apart: "12 & 13 juin - Congrès", "Juin 2024 : Séminaire", "septembre/octobre ? - …"."""
    m = DATE_RE.match(text)
    return bool(m) and bool(re.match(r"\s*[-–:]\s+\S", text[m.end():]))


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'&+./-]+|\S", text)


def _titlecase(word: str) -> bool:
    word = word.strip("“”\"'’(),.;").split("-")[0]
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


def _bare(word: str) -> str:
    """A word without its elided article ("d’une" → "une", "l’Université" → "Université")."""
    word = word.strip("“”\"(),;")
    for apostrophe in ("’", "'"):
        if apostrophe in word[:3]:
            word = word.split(apostrophe, 1)[1] or word
    return word


def _acronym(word: str) -> bool:
    word = word.strip("“”\"'’(),.;:+")
    return len(word) >= 2 and word.isupper()


def starts_new_item(prev: str, nxt: str, width: int | None = None) -> bool:
    """Does line ``nxt`` start a new bullet after ``prev``, inside one block of a section?
    ``width``: the block's widest line when it is printed across the page (paragraphs), else None."""
    prev, nxt = prev.strip(), nxt.strip()
    letters = [c for c in nxt if c.isalnum()]
    first = letters[0] if letters else nxt[0]
    ends_sentence = prev[-1] in ".;:!?…" or prev.endswith((")", "»", "”"))
    if first.islower() or nxt[0] in "(,;.)&" or (first.isdigit() and not ends_sentence):
        return False
    if prev.endswith("-") and not prev.endswith(" -"):
        return False  # a word cut at the column's edge
    words, next_words = _words(prev), _words(nxt)
    last = _bare(words[-1])
    if last.lower() in FUNCTION_WORDS or prev.endswith(("’", "'")):
        return False
    if len(next_words) == 1 and not ends_sentence:
        return False  # a lone word ("TZCLD", "France") closes the line above
    if last.lower() in NAME_HEADS and not ends_sentence:
        return False  # "du projet" / "PlateformCoop piloté par…": the name of the thing goes on
    if prev.endswith(",") and re.match(r"^(?:\S+\s+){0,2}[^\s,]+,", nxt):
        return False  # an enumeration going on ("Bordeaux," / "Lyon, Nantes")
    if prev.endswith(",") and _names_listed(prev) and _titlecase(next_words[0]):
        return False  # a list of names going on ("Terre de Liens, Ceinture Alimentaire Nantes," / "Ateliers du…")
    if width:  # a paragraph across the page: a sentence's end, or room left on the line, ends a bullet
        return ends_sentence or len(prev) < (0.9 if prev.endswith(",") else 0.8) * width
    if ends_sentence or prev.endswith(","):
        return True
    second = next_words[1] if len(next_words) > 1 else ""
    name_goes_on = second[:1] in "(,)" or _titlecase(_bare(second)) or _acronym(second)
    if _titlecase(_bare(words[-1])) and _titlecase(next_words[0]) and name_goes_on:
        return False  # a name broken across lines ("Valenciennes" / "Agglomération (avec")
    if _acronym(words[-1]) and _acronym(next_words[0]):
        return False  # "PO FEDER" / "FSE+"
    return True


def _names_listed(line: str) -> bool:
    """The line ends on two or more comma-separated capitalised names ("Terre de Liens, Ceinture Nantes,")."""
    parts = [p.strip() for p in line.rstrip(",").split(",")]
    tail = [p for p in parts[-2:] if p]
    return len(tail) == 2 and all(_titlecase(p.split()[0]) or _acronym(p.split()[0]) for p in tail)


def starts_listed_item(prev: str, nxt: str) -> bool:
    """Inside a list a line ending in ":" opens, does a line that starts lower case start a new bullet?
    ("GT avec quelques collectivités" / "webinaires sur le sujet ouverts plus" / "largement" / "publication…")"""
    prev, nxt = prev.strip(), nxt.strip()
    words, next_words = _words(prev), _words(nxt)
    if not words or not next_words or not nxt[0].islower() or prev.endswith(("-", "’", "'", ",")):
        return False
    last = _bare(words[-1]).lower()
    if last in FUNCTION_WORDS or last in CALLING_WORDS or len(next_words) == 1:
        return False
    return _bare(next_words[0]).lower() not in FUNCTION_WORDS


def title_like(texts: list[str]) -> bool:
    """A short standalone line or two, with no sentence ending: a fiche's title."""
    if not 1 <= len(texts) <= 2:
        return False
    joined = " ".join(t.strip() for t in texts)
    return (joined[0].isupper() and len(joined) <= 110 and not joined.endswith((".", ":", ",", ";"))
            and all(len(t.strip()) <= WIDE for t in texts))
