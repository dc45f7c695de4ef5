"""Ask in French: a sentence becomes one named query and its parameters, or a clear "I did not understand".

The vocabulary is in kg/ask_words.py, names and axes are found by kg/ask_index.py, questions about several names
or about a topic are read by kg/ask_topics.py; this module chooses the named question and says how it understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.ask_index import Span, family_of, find_axis, find_entities, index, tokens
from kg.ask_places import place_question
from kg.ask_programmes import CHANGE_WORDS, Programmes, changes_question, find_programmes, merged
from kg.ask_topics import MODES, as_typed, combination, count_answer, family, name, subjects, topic, two_entities
from kg.ask_words import (COUNT_WORDS, EVENT_KINDS, EVENT_STATUS_WORDS, EVENT_WORDS, EXAMPLES, IGNORE, PARTNER_WORDS,
                          ROLE_WORDS, STOP, TEXT_WORDS, TYPE_NAMES, TYPE_WORDS)
from kg.codes import de
from kg.dates import MONTH_RE, MONTHS, MONTHS_EN, PROGRAMME_YEAR, find_period  # noqa: F401 - re-exported, moved to kg/dates.py
from kg.queries import load_queries, run
from kg.source import fold_key
from kg.store import Result, Store

__all__ = ["EXAMPLES", "Span", "Understanding", "ask", "find_entities", "find_period", "understand"]


@dataclass
class Understanding:
    """How a question was understood: a named query and its parameters, or why not."""

    question: str
    status: str  # "ok", "ambiguous" or "unknown"
    intent: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    explanation: str = ""
    candidates: list[dict[str, str]] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    message: str = ""
    count: str | None = None  # "combien de …": what to count ("fiches" or the query's own rows)
    answer: str = ""  # for a count, the number and the list ("3 fiches : 2, 4, 5"), set once answered
    fallback: bool = False  # a text search tried because nothing else fitted: no hit means "not understood"
    programmes: list[str] = field(default_factory=list)  # several programmes asked: the query runs for each
    named: Programmes = field(default_factory=Programmes, repr=False)  # how the question named programmes


def _digits(question: str) -> str:
    """Numbers written as words become digits ("plus de cinquante" -> "plus de 50")."""
    from text_to_num import alpha2digit

    text = question.lower()
    try:
        text = alpha2digit(text, "fr")
        text = alpha2digit(text, "en")
    except Exception:  # noqa: BLE001 - a sentence text2num cannot read is left as it is
        pass
    return text


def understand(question: str, store: Store) -> Understanding:
    """Match a sentence to one named query and its parameters; never to a different question silently.

    A bare year (« en 2023 », « depuis 2024 ») names programmes, unless the question is then about events or not
    understood while the same year read as a period makes it an events question (« que s'est-il passé en 2023 ? »)."""
    q = _understand(question, store, True)
    if q.named.words and not q.named.explicit and (q.status != "ok" or q.intent == "events"):
        as_period = _understand(question, store, False)
        if as_period.status == "ok" and as_period.intent == "events":
            return as_period
    return q


def _understand(question: str, store: Store, read_programmes: bool) -> Understanding:
    q = Understanding(question=question, status="unknown", suggestions=EXAMPLES[:6])
    if not question.strip():
        q.message = "Posez une question, par exemple : « Quelles fiches impliquent l'ANCT ? »"
        return q
    # "… (Patricia Andriot)": the candidate a person chose on the page after an ambiguous answer
    chosen = re.search(r"\(([^()]+)\)\s*$", question)
    asked = question[:chosen.start()] if chosen and question[:chosen.start()].strip() else question
    folded = " " + re.sub(r"[^\w+]+", " ", fold_key(_digits(asked)).replace("'", " ")).strip() + " "
    has = lambda pattern: re.search(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])", folded) is not None  # noqa: E731
    # « en 2024 », « dans le programme rtc-2025 », « depuis 2023 »: programmes (in an events question, a bare
    # « en 2024 » stays its period); their words are then left out of the question
    chosen_programmes = find_programmes(folded, store, period_too=bool(
        has(EVENT_WORDS + "|" + EVENT_STATUS_WORDS) or any(has(p) for p, _ in EVENT_KINDS))) if read_programmes else Programmes()
    q.named = chosen_programmes
    if chosen_programmes.message:
        q.message, q.suggestions = chosen_programmes.message, []
        return q
    if chosen_programmes.words:
        folded = " " + " ".join(folded.replace(chosen_programmes.words, " ").split()) + " "
    fiche = re.search(r"(?:fiche|sheet|fiche action)s?(?: action)? (?:n |no |numero |number |#)?(\d{1,3})\b", folded)
    start, end, period_words = find_period(folded)
    kind = next((code for pattern, code in EVENT_KINDS if has(pattern)), None)
    status = ("realise" if has(r"realises?|realisees?|passes?|passees?|eu lieu|deja|held|past|done") else
              "prevu" if has(r"prevus?|prevues?|a venir|planifies?|planifiees?|programmes?|prochains?|prochaines?|planned|upcoming|future") else
              "propose" if has(r"proposes?|proposees?|proposed") else None)
    minimum = re.search(r"(?:plus de|au moins|more than|at least|over|\+ de|minimum|> ?)\s?(\d+) (?:participants?|personnes|inscrits|people|attendees)", folded)
    type_word = next((code for words, code in TYPE_WORDS.items() if has(words)), None)
    counting = has(COUNT_WORDS)
    spans = [] if fiche and has(ROLE_WORDS + r"|qui|who|" + PARTNER_WORDS) else find_entities(folded, store, IGNORE)
    if asked is not question:
        spans = _choose(spans, chosen.group(1), store)
    # spans that cover the period words or the fiche number are not entities
    spans = [s for s in spans if not (period_words and " ".join(tokens(folded)[s.start:s.end]) in period_words)]
    words_of = lambda s: " ".join(tokens(folded)[s.start:s.end])  # noqa: E731

    def one_entity(kinds: tuple[str, ...] | None = None) -> dict[str, str] | None:
        found = [s for s in spans if kinds is None or any(e["type"] in kinds for e in s.entities)]
        if not found:
            return None
        distinct = {e["iri"]: e for s in found for e in s.entities if kinds is None or e["type"] in kinds}
        if len(distinct) > 1:
            q.status = "ambiguous"
            q.suggestions = []
            q.candidates = sorted(distinct.values(), key=lambda e: e["label"])
            q.message = (f"« {' / '.join(words_of(s) for s in found)} » peut désigner plusieurs entités ; choisissez-en une."
                         if len(found) == 1 else "La question nomme plusieurs entités ; posez-la pour une seule, ou "
                         "dites « à la fois X et Y », « X ou Y », « X mais pas Y ».")
            return None
        return next(iter(distinct.values()))

    def done(intent: str, params: dict[str, str], explanation: str) -> Understanding:
        q.status, q.intent, q.params, q.explanation = "ok", intent, params, explanation
        ids = chosen_programmes.ids
        if ids and "programme" not in params:
            if any(p.name == "programme" for p in load_queries()[intent].params):
                q.params, q.programmes = ({**params, "programme": ids[0]}, []) if len(ids) == 1 else (params, ids)
                q.explanation += f" — {chosen_programmes.said}"
            else:
                q.explanation += " — sur tous les programmes (cette question ne se filtre pas par programme)"
        if counting:
            q.count = "fiches" if has(r"(?:combien|nombre) (?:de|d) fiches|how many (?:action )?sheets") else "rows"
            q.explanation += " — avec leur nombre"
        return q

    if has(CHANGE_WORDS) and (fiche or re.search(r" (?:la|le|the|cette) (?:fiche|sheet) ", folded)):
        found = changes_question(folded, store, fiche.group(1) if fiche else None, chosen_programmes.ids)
        if isinstance(found, str):
            q.message, q.suggestions = found, []
            return q
        return done("fiche-changes", *found)
    if has(TEXT_WORDS) and topic(folded, question):
        words = topic(folded, question)
        return done("fiches-by-text", {"text": words},
                    f"Fiches dont le texte parle de « {as_typed(asked, words)} » (titres et éléments des fiches)")
    if has(r"axe|axis"):
        axis, options = find_axis(folded, store, chosen_programmes.ids)
        label_words = set(axis["key"].split()) if axis else set()
        others = [s for s in spans if not set(tokens(folded)[s.start:s.end]) <= label_words | STOP]
        if axis and others:  # "les fiches de l'axe 2 qui impliquent l'ANCT": not a question the box can ask yet
            entity = others[0].entities[0]
            q.message = (f"Je ne sais pas encore croiser un axe et une entité ; voici deux questions que je sais "
                         f"poser : les fiches de l'{axis['label']}, ou les fiches qui impliquent {entity['label']}.")
            q.suggestions = [f"Quelles fiches dans l'axe {axis['number'] or axis['label']} ?",
                             f"Quelles fiches impliquent {entity['label']} ?"]
            return q
        if axis:
            if has(PARTNER_WORDS):
                return done("partners", {"axis": axis["iri"]}, f"Partenaires (organisations) des fiches de l'{axis['label']}")
            return done("fiches-of-axis", {"axis": axis["iri"]}, f"Fiches de l'{axis['label']}")
        if options and not has(r"axes"):
            q.message = "Quel axe ? Le programme en a plusieurs qui répondent à ces mots :"
            q.suggestions = [f"Fiches de l'{a['label']}" for a in options]
            return q
    if fiche and has(PARTNER_WORDS):
        return done("partners", {"fiche": fiche.group(1)}, f"Partenaires (organisations) de la fiche {fiche.group(1)}")
    if has(r"axes?|axis|axes du programme") and not spans and not fiche:
        return done("axes", {}, "Les axes du programme et leur nombre de fiches")
    if has(r"le plus|plus grand nombre|le plus de|plus souvent|the most|most|classement|palmares|top") and \
            has(ROLE_WORDS + r"|refers?|fiches|sheets"):
        role = "referent-equipe" if has(r"equipe|team") else "contributeur" if has(r"contribu\w*") else "referent-ca"
        names = {"referent-ca": "référent·e CA", "referent-equipe": "référent·e équipe", "contributeur": "contributeur·rice"}
        return done("top-referents", {"role": role}, f"Qui réfère le plus de fiches (rôle : {names[role]})")
    if fiche and has(ROLE_WORDS + r"|qui|who|refers?"):
        return done("referents", {"fiche": fiche.group(1)}, f"Référents et contributeurs de la fiche {fiche.group(1)}")
    if not fiche and not spans and has(r"referents?|referentes?|referent e s") and has(r"qui|who|quels?|quelles?|liste|list"):
        role = "referent-equipe" if has(r"equipe|team") else "referent-ca"
        return done("top-referents", {"role": role}, f"Les {'référents équipe' if role == 'referent-equipe' else 'référents CA'} "
                    "et leur nombre de fiches")
    eventish = kind or has(EVENT_WORDS) or (start or end) and not spans
    if eventish and not spans:
        params: dict[str, str] = {}
        words = []
        if start:
            params["from"] = start
        if end:
            params["to"] = end
        if start or end:
            words.append(f"période : {_period_text(start, end)}")
        if status:
            params["status"] = status
            words.append(f"statut : {dict(realise='réalisé', prevu='prévu', propose='proposé')[status]}")
        if kind:
            params["kind"] = kind
            words.append(f"sorte : {kind}")
        if minimum:
            params["min_participants"] = minimum.group(1)
            words.append(f"au moins {minimum.group(1)} participants")
        return done("events", params, "Événements" + (" — " + ", ".join(words) if words else ""))
    person_roles = has(ROLE_WORDS + r"|travaille|travaillent|works? on|involved as")
    pair, mode = two_entities(spans), combination(folded, spans)
    if pair and mode and not person_roles and not eventish:
        first, other = pair
        said = (f"Fiches qui impliquent {name(first)} sans {name(other)}" if mode == "sauf" else
                f"Fiches qui impliquent {MODES[mode]} {name(first)} {'et' if mode == 'et' else 'ou'} {name(other)}")
        return done("fiches-by-entities", {"entity": first["iri"], "other": other["iri"], "mode": mode}, said)
    if has(r"avec qui|avec quels?|avec quelles?|associes?|associees?|aux cotes|a cote|together with|along with|appears with|co occur\w*|en meme temps que|partenaires? de|apparait avec|apparaissent avec|souvent avec|with whom|alongside"):
        entity = one_entity()
        if entity:
            return done("co-occurring", {"entity": entity["iri"]}, f"Entités qui apparaissent avec : {name(entity)}")
        if q.status == "ambiguous":
            q.intent = "co-occurring"
            return q
    if has(r"cherche|recherche|trouve|search|find|look up") and not has(r"fiches?|sheets?"):
        text = re.sub(r"^.*?(?:cherche|recherche|trouve|search for|search|find|look up)\s*", "", folded).strip()
        text = " ".join(w for w in text.split() if w not in ("l", "la", "le", "les", "un", "une", "des", "the"))
        if text:
            return done("search", {"text": text}, f"Recherche : « {text} »")
    if type_word and not spans and has(r"liste|list|quels?|quelles?|toutes?|tous|which|all|combien|show|how many"):
        return done("entities", {"type": type_word}, f"Liste des {TYPE_NAMES[type_word]}, par nombre de fiches")
    if person_roles:
        person = one_entity(("personne", "organisation"))
        if person and any(e["type"] == "personne" or e["iri"].endswith("/eurometropole-de-strasbourg")
                          for s in spans for e in s.entities):
            return done("fiches-by-person", {"person": person["iri"]}, f"Fiches {de(name(person))} et ses rôles")
        if q.status == "ambiguous":
            q.intent = "fiches-by-person"
            return q
    found_place = None if eventish or person_roles else place_question(folded, spans, store)
    if found_place:
        return done(*found_place)
    if len(spans) == 1 and not eventish:
        found = _one_name_many_entities(q, folded, spans[0], store, words_of(spans[0]))
        if found:
            return done(*found)
        if q.status == "ambiguous":
            return q
    entity = one_entity()
    if entity:
        if eventish:
            q.status = "unknown"
            q.message = (f"Je ne sais pas encore filtrer les événements par entité ; voici deux questions que je "
                         f"sais poser : les fiches qui impliquent {entity['label']}, ou les événements de la période.")
            q.suggestions = [f"Quelles fiches impliquent {entity['label']} ?", "Quels événements sont prévus en juin 2024 ?"]
            return q
        return done("fiches-by-entity", {"entity": entity["iri"]}, f"Fiches qui impliquent : {name(entity)}")
    if q.status == "ambiguous":
        q.intent = "fiches-by-entity"
        return q
    subject = "" if fiche else topic(folded, question)
    if subject:  # no name, no known question: the fiches whose text says it, if any (ask() refuses otherwise)
        q.fallback = True
        return done("fiches-by-text", {"text": subject}, f"Fiches dont le texte parle de « {as_typed(asked, subject)} » "
                    "(ce n'est le nom d'aucune entité du graphe : recherche dans les titres et éléments des fiches)")
    q.message = ("Je n'ai pas compris la question. Je sais répondre, par exemple, à celles-ci :"
                 if not fiche else f"Que voulez-vous savoir de la fiche {fiche.group(1)} ? Ses référents, par exemple :")
    if fiche:
        q.suggestions = [f"Qui sont les référents de la fiche {fiche.group(1)} ?",
                         f"Quels sont les partenaires de la fiche {fiche.group(1)} ?", *EXAMPLES[:3]]
    return q


def _choose(spans: list[Span], label: str, store: Store) -> list[Span]:
    """The spans once a candidate is chosen by its label: the span that could name it names it alone."""
    key = " ".join(tokens(fold_key(label)))
    picked = [e for e in index(store)["by_key"].get(key, []) if any(e in s.entities for s in spans)]
    if not picked and (found := family_of([e for s in spans for e in s.entities], store)) and found["label"] == label:
        picked = [found]
    if not picked:
        return spans
    return [Span(s.start, s.end, picked[:1], True) if picked[0] in s.entities or len(spans) == 1 else s for s in spans]


def _one_name_many_entities(q: Understanding, folded: str, span: Span, store: Store,
                            said: str) -> tuple[str, dict[str, str], str] | None:
    """A family ("les CRESS") or one name for two entities of the same subject ("Strasbourg"): the named question
    that answers for all of them; a singular family name ("la CRESS") lists the family and its members instead."""
    found, plural = family(folded, span, store)
    if found and plural:
        return ("fiches-by-family", {"entity": found["iri"]},
                f"Fiches de la famille {name(found)} et de chacun de ses membres")
    if found:
        q.status, q.suggestions = "ambiguous", [f"Quelles fiches impliquent les {found['acronym'] or found['label']} ?"]
        q.candidates = [found, *sorted(span.entities, key=lambda e: e["label"])]
        q.message = (f"« {said} » peut désigner la famille ou l'un de ses membres ; choisissez-en un, ou demandez "
                     f"les fiches de toute la famille.")
        q.intent = "fiches-by-entity"
        return None
    both = subjects(span, folded, store)
    if both:
        first, other = both
        return ("fiches-by-entities", {"entity": first["iri"], "other": other["iri"], "mode": "ou"},
                f"« {said} » désigne deux entités de même sujet : {name(first)} et {name(other)} ; "
                "les fiches de l'une ou de l'autre, rangées par entité")
    return None


def _period_text(start: str | None, end: str | None) -> str:
    if start and end:
        return f"du {start} au {end}"
    return f"à partir du {start}" if start else f"jusqu'au {end}"


def ask(question: str, store: Store, limit: int | None = 1000) -> tuple[Understanding, Result | None]:
    """Understand and, when understood, answer with the named query (a count says its number first)."""
    understanding = understand(question, store)
    if understanding.status != "ok":
        return understanding, None
    query = load_queries()[understanding.intent]
    if understanding.programmes:  # « en 2024 » with two programmes that year: one answer for each, then one table
        result = merged([(p, run(query, {**understanding.params, "programme": p}, store, limit=limit))
                         for p in understanding.programmes])
    else:
        result = run(query, understanding.params, store, limit=limit)
    if understanding.fallback and not result.rows:
        words = as_typed(question, understanding.params["text"])
        understanding.status, understanding.intent, understanding.params = "unknown", None, {}
        understanding.explanation = ""
        understanding.message = (f"Je n'ai pas compris la question, et aucune fiche ne contient « {words} ». "
                                 "Je sais répondre, par exemple, à celles-ci :")
        return understanding, None
    if understanding.count:
        understanding.answer = count_answer(understanding.intent, result, understanding.count)
    return understanding, result
