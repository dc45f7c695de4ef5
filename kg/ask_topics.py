"""Questions about more than one name, or about no name at all: two entities combined, one name for two
entities, a family, a topic searched in the text, and counts."""

from __future__ import annotations

import re
from typing import Any

from kg.ask_index import Span, family_of, index, same_subject, tokens
from kg.ask_words import BOTH_WORDS, EXCEPT_WORDS, TOPIC_CUES, TOPIC_STOP, UNION_WORDS
from kg.source import fold, fold_key
from kg.store import Result, Store

MODES = {"et": "à la fois", "ou": "l'une ou l'autre :", "sauf": "sans"}


def name(entity: dict[str, str]) -> str:
    """ "ANCT (Agence nationale de la cohésion des territoires)" when there is an acronym."""
    acronym = entity.get("acronym")
    return f"{acronym} ({entity['label']})" if acronym and acronym != entity["label"] else entity["label"]


def _has(pattern: str, text: str) -> bool:
    return re.search(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])", f" {text} ") is not None


def combination(folded: str, spans: list[Span]) -> str | None:
    """How two names are combined: "et" (both), "ou" (either), "sauf" (the first but not the second), from the
    words between them ("ESS France mais pas l'Avise") or around them ("à la fois", "both")."""
    if len(spans) != 2:
        return None
    words = tokens(folded)
    between = " ".join(words[spans[0].end:spans[1].start])
    if _has(EXCEPT_WORDS, between):
        return "sauf"
    if _has(UNION_WORDS, between) or _has(r"l un ou l autre|either", folded):
        return "ou"
    if _has(BOTH_WORDS, between) or _has(r"a la fois|both|ensemble|en commun|in common", folded):
        return "et"
    return None


def two_entities(spans: list[Span]) -> tuple[dict[str, str], dict[str, str]] | None:
    """The two entities two spans name, when each names exactly one."""
    if len(spans) == 2 and all(len(s.entities) == 1 for s in spans) and spans[0].entities != spans[1].entities:
        return spans[0].entities[0], spans[1].entities[0]
    return None


def family(folded: str, span: Span, store: Store) -> tuple[dict[str, str] | None, bool]:
    """(the family a name stands for, whether it is asked in the plural: "les CRESS", "toutes les CRESS")."""
    found = family_of(span.entities, store)
    words = tokens(folded)
    if found is None:  # one name with members of its own, asked with them: "le CSESS et ses commissions"
        parents = {f["iri"]: f for f in index(store)["families"].values()}
        if len(span.entities) == 1 and span.entities[0]["iri"] in parents and \
                _has(r"famille|family|membres|members|et ses|and its|ses commissions|toutes? les|tous les", folded):
            return parents[span.entities[0]["iri"]], True
        return None, False
    before = words[span.start - 1] if span.start else ""
    plural = before in ("les", "des", "aux", "all", "toutes", "tous", "ces", "leurs") or \
        _has(r"famille|family|membres|members|toutes les|tous les|reseau des", folded) or before not in ("la", "le", "l", "the", "une", "un")
    return found, plural


def subjects(span: Span, folded: str, store: Store) -> list[dict[str, str]]:
    """The entity a name gives and those of another kind named after the same subject, or [] when there are none."""
    if len(span.entities) != 1:
        return []
    entity = span.entities[0]
    others = same_subject(entity, " ".join(tokens(folded)[span.start:span.end]), store)
    return [entity, *others] if len(others) == 1 else []


def topic(folded: str, question: str = "") -> str:
    """The words a topic question is about ("quelles fiches parlent de l'ingénierie ?" -> "ingenierie"); words in
    quotes win ("le mot « tiers-lieux »")."""
    quoted = re.search(r"[«\"“]\s*([^»\"”]+?)\s*[»\"”]", question)
    if quoted:
        return " ".join(tokens(fold_key(quoted.group(1))))
    words = tokens(folded)
    cue = max((i for i, w in enumerate(words) if _has(TOPIC_CUES, w) and i + 1 < len(words)), default=-1)
    kept = words[cue + 1:]
    while kept and kept[0] in TOPIC_STOP:
        kept.pop(0)
    while kept and kept[-1] in TOPIC_STOP:
        kept.pop()
    return " ".join(kept)


def as_typed(question: str, words: str) -> str:
    """The words of a folded topic as the question wrote them ("ingenierie" -> "ingénierie"), else the folded words."""
    folded, origin = fold(question)
    m = re.search(r"[^a-z0-9+]+".join(re.escape(w) for w in words.split()), folded)
    if not m or not words:
        return words
    return question[origin[m.start()]:origin[m.end() - 1] + 1]


COUNTED = {  # intent -> (column counted, French noun for one, for several)
    "fiches-by-entity": ("fiche", "fiche", "fiches"), "fiches-by-entities": ("fiche", "fiche", "fiches"),
    "fiches-by-family": ("fiche", "fiche", "fiches"), "fiches-by-text": ("fiche", "fiche", "fiches"),
    "fiches-of-axis": ("fiche", "fiche", "fiches"), "fiches-by-person": ("fiche", "fiche", "fiches"),
    "partners": ("entity", "partenaire", "partenaires"), "entities": ("entity", "entité", "entités"),
    "events": ("event", "événement", "événements"), "referents": ("person", "personne", "personnes"),
    "co-occurring": ("entity", "entité", "entités"), "axes": ("axis", "axe", "axes"),
    "top-referents": ("person", "personne", "personnes"), "search": ("entity", "entité", "entités"),
}


def count_answer(intent: str, result: Result, counted: str | None = None) -> str:
    """ "3 fiches : 2, 4, 5" — the number a "combien" question asks for, then the list."""
    column, one, many = COUNTED[intent]
    if counted == "fiches" and "fiche" in result.vars:
        column, one, many = "fiche", "fiche", "fiches"
    values: list[Any] = []
    programmes = result.extra.get("programmes") or [None] * len(result.rows)
    for row, programme in zip(result.rows, programmes):
        value = row.get(column)
        if value is not None and (programme, value) not in values:  # fiche 1 of two programmes: two fiches
            values.append((programme, value))
    n = len(values)
    text = f"{n} {one if n == 1 else many}"
    if column == "fiche" and values:
        by_programme: dict[Any, list[int]] = {}
        for programme, value in values:
            by_programme.setdefault(programme, []).append(int(str(value)))
        lists = {p: ", ".join(map(str, sorted(numbers))) for p, numbers in by_programme.items()}
        text += " : " + (" ; ".join(f"{p} : {lists[p]}" for p in sorted(lists)) if len(lists) > 1 else next(iter(lists.values())))
    return text + (" (au moins : la réponse est tronquée)" if result.truncated else "")
