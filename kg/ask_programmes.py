"""The question box across programmes: « en 2024 », « dans le programme 2025 », « dans le programme rtc-2025 »,
« depuis 2023 » choose programmes; « quelles nouveautés dans la fiche foncier ? » asks what changed in a fiche."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Literal

from kg.ask_index import _close, tokens
from kg.ask_words import STOP
from kg.queries import load_queries, run
from kg.store import Result, Store

#: "what changed" words (folded); a fiche must be named too.
CHANGE_WORDS = (r"nouveaut\w*|nouveau|nouvelles?|nouvel|quoi de (?:neuf|9)|chang\w*|modifi\w*|evolu\w*|"
                r"differences?|what s new|new in")  # « quoi de neuf » reads « quoi de 9 » once numbers are digits
#: Words left out of a fiche's topic ("la fiche foncier").
CHANGE_STOP = STOP | set("""quelles quels quel quelle nouveautes nouveaute nouveau nouvelles nouvelle nouvel quoi neuf
change changes changee changees changement changements modification modifications modifiee modifiees evolue
evolution evolutions difference differences est ce qu qui a ont entre depuis what changed s new numero n no""".split())

FICHES = """
PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?number ?title ?programme ?year ?before ?after WHERE {
  ?f a kg:Fiche ; kg:ficheNumber ?number ; kg:programme ?p .
  ?p kg:identifier ?programme ; kg:year ?year .
  OPTIONAL { ?f dcterms:title ?title }
  OPTIONAL { { ?f kg:follows ?old } UNION { ?f kg:proposedFollows ?old }
             ?old kg:identifier ?before }
  OPTIONAL { { ?new kg:follows ?f } UNION { ?new kg:proposedFollows ?f }
             ?new kg:identifier ?after }
}"""


@dataclass
class Programmes:
    """The programmes a question names (ids, oldest first) and the words that named them."""

    ids: list[str] = field(default_factory=list)
    words: str = ""
    said: str = ""  # "en 2024 (rtc-2024, rtes-2024)", for the explanation
    message: str = ""  # a year or id with no programme: the French answer
    explicit: bool = False  # named with the word « programme » (a bare « en 2024 » may be an events period)


def programmes_of(store: Store) -> list[dict[str, str]]:
    """Every programme of the graph: id, year, label (the named query « programmes »)."""
    rows = run(load_queries()["programmes"], {}, store).rows
    return sorted(({"id": str(r["id"]), "year": str(r["year"]), "label": str(r["label"])} for r in rows),
                  key=lambda p: (p["year"], p["id"]))


def _listed(programmes: list[dict[str, str]]) -> str:
    return ", ".join(f"{p['id']} ({p['year']})" for p in programmes)


def find_programmes(folded: str, store: Store, period_too: bool = False) -> Programmes:
    """The programmes a (folded) question names; ``period_too``: a bare « en 2024 » is an events period, not this."""
    if not re.search(r"\d{4}|program", folded):  # most questions: no store asked
        return Programmes()
    every = programmes_of(store)
    by_id = {" ".join(tokens(p["id"])): p for p in every}
    named = re.search(r"(?:dans |du |de |pour |in |of )?(?:le |la |l |the )?program\w*(?: d actions?)? "
                      r"(?:de |d |of )?(" + "|".join(sorted(map(re.escape, by_id), key=len, reverse=True) or ["(?!)"]) + r")\b",
                      folded)
    if named:
        p = by_id[named.group(1)]
        return Programmes([p["id"]], named.group(0), f"programme {p['id']}", explicit=True)
    m = re.search(r"(?:dans |du |de |pour |in |of )?(?:le |la |les |l |the )?program\w* "
                  r"(?:de |d |of )?(\d{4})\b", folded)
    unknown = None if m else re.search(r"program\w* (?!(?:en|in|de|du|d|pour|of|depuis|since) )"
                                       r"([a-z][a-z0-9]* \d{4})\b", folded)
    if unknown:  # « dans le programme rtc-2030 »: an identifier the graph does not have
        typed = unknown.group(1).replace(" ", "-")
        return Programmes([], unknown.group(0), typed, f"Programme inconnu « {typed} » ; programmes : {_listed(every)}.",
                          explicit=True)
    since = None
    if not m:
        since = re.search(r"(?<![a-z])(?:depuis|since|a partir de|a compter de)(?: l an| l annee)? (\d{4})\b", folded)
        if since and period_too:
            return Programmes()
        m = since or (None if period_too else re.search(r"(?<![a-z])(?:en|in|pour|de l annee) (\d{4})\b", folded))
    if not m:
        return Programmes()
    year = m.group(1)
    chosen = [p for p in every if (p["year"] >= year if since else p["year"] == year)]
    said, explicit = f"{'depuis' if since else 'en'} {year}", "program" in m.group(0)
    if not chosen:
        return Programmes([], m.group(0), said, f"Aucun programme {said} ; programmes : {_listed(every)}.", explicit)
    return Programmes([p["id"] for p in chosen], m.group(0), f"{said} ({', '.join(p['id'] for p in chosen)})",
                      explicit=explicit)


def changes_question(folded: str, store: Store, fiche: str | None,
                     programmes: list[str]) -> tuple[dict[str, str], str] | str:
    """« qu'est-ce qui a changé dans la fiche 7 ? » -> (fiche-changes parameters, explanation), or a French message
    when no fiche fits or when the fiche has no counterpart in another programme."""
    rows = [{k: None if v is None else str(v) for k, v in r.items()} for r in store.query(FICHES).rows]
    if programmes:
        rows = [r for r in rows if r["programme"] in programmes]
    fiche_words = ""
    if fiche:
        hits = [r for r in rows if r["number"] == fiche]
        said = f"la fiche {fiche}"
    else:
        after = re.search(r"(?:fiche|sheet)s?(?: action)? (.+)$", folded)
        words = [w for w in tokens(after.group(1) if after else "") if w not in CHANGE_STOP and len(w) > 2]
        if not words:
            return "Quelle fiche ? Donnez son numéro ou des mots de son titre, par exemple : « quelles nouveautés dans la fiche foncier ? »"
        hits = [r for r in rows if all(any(_close(w, t) or t.startswith(w) for t in tokens(r["title"] or ""))
                                       for w in words)]
        said = f"la fiche « {' '.join(words)} »"
        fiche_words = " ".join(words)
    if not hits:
        where = f" dans {', '.join(programmes)}" if programmes else ""
        return (f"Pas de fiche {fiche}{where}." if fiche else
                f"Aucune fiche dont le titre contient « {fiche_words} »{where}.")
    # the newest programme whose fiche has a previous one to compare to; else one that a later fiche follows
    compared = sorted((r for r in hits if r["before"]), key=lambda r: (r["year"], r["programme"]), reverse=True) or \
        sorted((r for r in hits if r["after"]), key=lambda r: (r["year"], r["programme"]), reverse=True)
    if not compared:
        found = sorted({f"{r['programme']} (fiche {r['number']})" for r in hits})
        return (f"{said[0].upper()}{said[1:]} n'a de fiche correspondante dans aucun autre programme : rien à comparer "
                f"({', '.join(found)}).")
    r = compared[0]
    before, after = (r["before"], f"{r['programme']}/fiche/{r['number']}") if r["before"] else \
        (f"{r['programme']}/fiche/{r['number']}", r["after"])
    return ({"programme": r["programme"], "fiche": r["number"]},
            f"Ce qui a changé dans la fiche {r['number']} « {r['title'] or '(sans titre)'} » de {r['programme']} : "
            f"{_fiche_words(before)} → {_fiche_words(after)} — page : /programme/{r['programme']}/fiche/{r['number']}/changements")


def _fiche_words(ident: str) -> str:
    """ "rtc-2024/fiche/3" -> "rtc-2024 (fiche 3)"."""
    programme, _, number = ident.partition("/fiche/")
    return f"{programme} (fiche {number})"


def merged(answers: list[tuple[str, Result]]) -> Result:
    """The answers of one named query run for several programmes (programme id, answer), as one answer: rows in
    programme order, each row's programme kept, and shown first when the rows come from several programmes."""
    columns: list[str] = []
    for _, r in answers:
        columns += [c for c in r.vars if c not in columns]
    programmes = [programme for programme, r in answers for _ in r.rows]
    shown = "programme_id" not in columns and len(set(programmes)) > 1
    rows = [{**({"programme_id": Literal(programme)} if shown else {}), **{c: row.get(c) for c in columns}}
            for programme, r in answers for row in r.rows]
    labels = {"programme_id": "Programme"}
    for _, r in answers:
        labels.update(r.extra.get("labels") or {})
    columns = ["programme_id", *columns] if shown else columns
    return Result(columns, rows, any(r.truncated for _, r in answers),
                  extra={**answers[0][1].extra, "labels": {c: labels.get(c, c) for c in columns}, "programmes": programmes})


__all__ = ["CHANGE_WORDS", "Programmes", "changes_question", "find_programmes", "merged", "programmes_of"]
