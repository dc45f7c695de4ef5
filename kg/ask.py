"""Ask in French: a sentence becomes one named query and its parameters, or a clear "I did not understand"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.dates import MONTH_RE, MONTHS, MONTHS_EN, PROGRAMME_YEAR, find_period  # noqa: F401 - re-exported, moved to kg/dates.py
from kg.queries import load_queries, run
from kg.source import fold_key
from kg.store import Result, Store

TYPE_WORDS = {  # folded words -> entity type code of the `entities` query
    "organisations": "organisation", "organismes": "organisation", "structures": "organisation",
    "partenaires": "organisation", "organizations": "organisation",
    "personnes": "personne", "people": "personne", "gens": "personne", "elus": "personne",
    "lois": "loi", "textes juridiques": "loi", "textes de loi": "loi", "laws": "loi",
    "outils": "outil", "dispositifs": "outil", "formes juridiques": "outil", "tools": "outil",
    "territoires": "territoire", "regions": "territoire", "villes": "territoire", "lieux": "territoire",
    "places": "territoire", "publications": "publication", "evenements": "evenement", "events": "evenement",
}
TYPE_NAMES = {"organisation": "organisations", "personne": "personnes", "loi": "textes juridiques",
              "outil": "outils et dispositifs", "territoire": "territoires", "publication": "publications",
              "evenement": "événements"}
EVENT_KINDS = [
    (r"webinaires?|webinars?", "webinaire"), (r"clubs?", "club"), (r"seminaires?|seminars?", "seminaire"),
    (r"ateliers?|workshops?", "atelier"), (r"tables? rondes?|round tables?", "table-ronde"),
    (r"rencontres?|meetings?", "rencontre"), (r"reunions?", "reunion"), (r"salons?", "salon"),
    (r"voyages? apprenants?|study trips?", "voyage-apprenant"), (r"congres", "congres"),
    (r"journees?", "journee"), (r"forums?", "forum"), (r"groupes? de travail", "groupe-de-travail"),
    (r"interventions?", "intervention"), (r"assemblees? generales?", "assemblee-generale"),
]
EVENT_WORDS = r"evenements?|events?|manifestations?|rendez vous|dates?|agenda|calendrier"
ROLE_WORDS = r"referents?|referentes?|role|roles|pilote|pilotes|porte|portent|responsables?|contribu\w*|anime|refere"
STOP = set("""a au aux avec ce ces cette dans de des du en est et il elle ils la le les leur leurs l d ou par pour
qu que quel quelle quels quelles qui quoi sur un une y t on se sa son ses plus moins tous toutes tout toute
the of in on and or which who what with is are to for by fiche fiches programme ess rtes""".split())
#: Words of organisation names too common to stand for the organisation on their own.
COMMON = set("""grand grande grands nombre action actions entite entites agence agences nationale national reseau
reseaux union ville villes conseil association associations collectif mouvement centre centres federation maison
societe commission commissions club clubs groupe comite ateliers atelier regions region territoire territoires
chambre chambres economie sociale solidaire solidaires europeen europeenne parlement ministere institut
universite cooperative cooperatives petites rivieres fabrique transitions chaire organisation organisations
acteurs pour enjeux ruraux agricoles alimentaire ceinture projet projets plateforme plateformes nouvelles
regional regionale regionaux developpement durable general generale internationale international
collectivites collectivite etat direction service services public publics publique communaute""".split())

EXAMPLES = [
    "Quelles fiches impliquent l'ANCT ?",
    "Qui sont les référents de la fiche 7 ?",
    "Sur quelles fiches travaille Anne-Laure Federici ?",
    "Qui réfère le plus de fiches ?",
    "Quels événements sont prévus en juin 2024 ?",
    "Quels webinaires ont réuni plus de cinquante participants ?",
    "Avec qui l'Avise apparaît-elle ?",
    "Quels sont les axes du programme ?",
    "Liste des lois",
    "Cherche Île-de-France",
]


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


@dataclass
class Span:
    start: int
    end: int
    entities: list[dict[str, str]]
    exact: bool


# --- the entity index ----------------------------------------------------------------------------

_INDEX: dict[str, Any] = {}

LOOKUP = """PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?label ?type ?key ?acronym WHERE {
  ?entity kg:searchKey ?key ; rdfs:label ?label ; kg:entityType ?type . OPTIONAL { ?entity kg:acronym ?acronym }
}"""


ACRONYMS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entity (MIN(?alias) AS ?alt) WHERE {
  ?entity skos:altLabel ?alias . FILTER (REGEX(STR(?alias), "^[A-Z][A-Z0-9+]{1,7}$"))
} GROUP BY ?entity"""


def _index(store: Store) -> dict[str, Any]:
    """Keys and distinctive words of every entity, cached per store version."""
    version = f"{id(store)}:{store.version()}"
    if _INDEX.get("version") == version:
        return _INDEX
    by_key: dict[str, list[dict[str, str]]] = {}
    by_word: dict[str, dict[str, dict[str, str]]] = {}
    for row in store.query(LOOKUP).rows:
        entity = {"iri": str(row["entity"]), "label": str(row["label"]), "type": str(row["type"]),
                  "acronym": str(row["acronym"]) if row.get("acronym") is not None else ""}
        if entity["type"] == "evenement":
            continue  # events are asked for by period and kind, not by name
        key = str(row["key"])
        if entity not in by_key.setdefault(key, []):
            by_key[key].append(entity)
        if entity["type"] in ("personne", "organisation", "territoire"):
            shortest = 4 if entity["type"] == "personne" else 5
            for word in key.split():
                if len(word) >= shortest and word not in STOP and word not in COMMON:
                    by_word.setdefault(word, {})[entity["iri"]] = entity
    acronyms = {str(r["entity"]): str(r["alt"]) for r in store.query(ACRONYMS).rows}
    for found in by_key.values():
        for entity in found:
            if not entity["acronym"] and entity["iri"] in acronyms:
                entity["acronym"] = acronyms[entity["iri"]]
    _INDEX.clear()
    _INDEX.update(version=version, by_key=by_key, by_word=by_word,
                  words=[w for w, found in by_word.items() if len(found) <= 3])
    return _INDEX


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9+]+", text)


def find_entities(folded: str, store: Store, ignore: set[str]) -> list[Span]:
    """Longest spans of the question that name an entity: exact keys first, then distinctive words
    (tolerant of small typos: "federicci", "eurometropole")."""
    from rapidfuzz import fuzz, process

    index = _index(store)
    tokens = _tokens(folded)
    taken = [False] * len(tokens)
    spans: list[Span] = []
    for n in range(min(8, len(tokens)), 0, -1):
        for i in range(len(tokens) - n + 1):
            if any(taken[i:i + n]):
                continue
            words = tokens[i:i + n]
            if all(w in STOP for w in words) or (n == 1 and words[0] in ignore):
                continue
            key = " ".join(words)
            if key in index["by_key"]:
                spans.append(Span(i, i + n, index["by_key"][key], True))
                taken[i:i + n] = [True] * n
    for i, word in enumerate(tokens):
        if taken[i] or len(word) < 4 or word in STOP or word in ignore:
            continue
        match = word if word in index["by_word"] else None
        if match is None and len(word) >= 6:
            best = process.extractOne(word, index["words"], scorer=fuzz.ratio, score_cutoff=85)
            match = best[0] if best else None
        if match and len(index["by_word"][match]) <= 3:
            spans.append(Span(i, i + 1, list(index["by_word"][match].values()), False))
            taken[i] = True
    spans.sort(key=lambda s: s.start)
    return spans


# --- periods, numbers ----------------------------------------------------------------------------

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


# --- understanding -------------------------------------------------------------------------------

def understand(question: str, store: Store) -> Understanding:
    """Match a sentence to one named query and its parameters; never to a different question silently."""
    q = Understanding(question=question, status="unknown", suggestions=EXAMPLES[:6])
    if not question.strip():
        q.message = "Posez une question, par exemple : « Quelles fiches impliquent l'ANCT ? »"
        return q
    folded = " " + re.sub(r"[^\w+]+", " ", fold_key(_digits(question)).replace("'", " ")).strip() + " "
    has = lambda pattern: re.search(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])", folded) is not None  # noqa: E731
    fiche = re.search(r"(?:fiche|sheet|fiche action)s?(?: action)? (?:n |no |numero |number |#)?(\d{1,3})\b", folded)
    start, end, period_words = find_period(folded)
    kind = next((code for pattern, code in EVENT_KINDS if has(pattern)), None)
    status = ("realise" if has(r"realises?|realisees?|passes?|passees?|eu lieu|deja|held|past|done") else
              "prevu" if has(r"prevus?|prevues?|a venir|planifies?|planifiees?|programmes?|prochains?|prochaines?|planned|upcoming|future") else
              "propose" if has(r"proposes?|proposees?|proposed") else None)
    minimum = re.search(r"(?:plus de|au moins|more than|at least|over|\+ de|minimum|> ?)\s?(\d+) (?:participants?|personnes|inscrits|people|attendees)", folded)
    type_word = next((code for words, code in TYPE_WORDS.items() if has(words)), None)
    ignore = {w for words in TYPE_WORDS for w in words.split()} | set(MONTHS) | set(MONTHS_EN) | {
        "semestre", "trimestre", "evenement", "evenements", "webinaire", "webinaires", "club", "clubs",
        "participants", "prevus", "prevu", "realises", "axes", "axe", "referent", "referents", "role", "roles",
        "liste", "list", "cherche", "recherche", "implique", "impliquent", "mentionne", "mentionnent", "sheets",
        "involve", "involves", "mention", "mentions", "apparait", "parle", "parlent", "travaille", "plus", "souvent"}
    spans = [] if fiche and has(ROLE_WORDS + r"|qui|who") else find_entities(folded, store, ignore)
    # spans that cover the period words or the fiche number are not entities
    spans = [s for s in spans if not (period_words and " ".join(_tokens(folded)[s.start:s.end]) in period_words)]

    def one_entity(kinds: tuple[str, ...] | None = None) -> dict[str, str] | None:
        found = [s for s in spans if kinds is None or any(e["type"] in kinds for e in s.entities)]
        if not found:
            return None
        distinct = {e["iri"]: e for s in found for e in s.entities if kinds is None or e["type"] in kinds}
        if len(distinct) > 1:
            q.status = "ambiguous"
            q.suggestions = []
            q.candidates = sorted(distinct.values(), key=lambda e: e["label"])
            words = [" ".join(_tokens(folded)[s.start:s.end]) for s in found]
            q.message = (f"« {' / '.join(words)} » peut désigner plusieurs entités ; choisissez-en une."
                         if len(found) == 1 else "La question nomme plusieurs entités ; posez-la pour une seule.")
            return None
        return next(iter(distinct.values()))

    def done(intent: str, params: dict[str, str], explanation: str) -> Understanding:
        q.status, q.intent, q.params, q.explanation = "ok", intent, params, explanation
        return q

    if has(r"axes?|axis|axes du programme") and not spans and not fiche:
        return done("axes", {}, "Les axes du programme et leur nombre de fiches")
    if has(r"le plus|plus grand nombre|le plus de|plus souvent|the most|most|classement|palmares|top") and \
            has(ROLE_WORDS + r"|refers?|fiches|sheets"):
        role = "referent-equipe" if has(r"equipe|team") else "contributeur" if has(r"contribu\w*") else "referent-ca"
        names = {"referent-ca": "référent·e CA", "referent-equipe": "référent·e équipe", "contributeur": "contributeur·rice"}
        return done("top-referents", {"role": role}, f"Qui réfère le plus de fiches (rôle : {names[role]})")
    if fiche and has(ROLE_WORDS + r"|qui|who|refers?"):
        return done("referents", {"fiche": fiche.group(1)}, f"Référents et contributeurs de la fiche {fiche.group(1)}")
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
    if has(r"avec qui|avec quels?|avec quelles?|associes?|associees?|aux cotes|a cote|together with|along with|appears with|co occur\w*|en meme temps que|partenaires? de|apparait avec|apparaissent avec|souvent avec|with whom|alongside"):
        entity = one_entity()
        if entity:
            return done("co-occurring", {"entity": entity["iri"]}, f"Entités qui apparaissent avec : {_name(entity)}")
        if q.status == "ambiguous":
            q.intent = "co-occurring"
            return q
    if has(r"cherche|recherche|trouve|search|find|look up") and not has(r"fiches?|sheets?"):
        text = re.sub(r"^.*?(?:cherche|recherche|trouve|search for|search|find|look up)\s*", "", folded).strip()
        text = " ".join(w for w in text.split() if w not in ("l", "la", "le", "les", "un", "une", "des", "the"))
        if text:
            return done("search", {"text": text}, f"Recherche : « {text} »")
    if type_word and not spans and has(r"liste|list|quels?|quelles?|toutes?|tous|which|all|combien|show"):
        return done("entities", {"type": type_word}, f"Liste des {TYPE_NAMES[type_word]}, par nombre de fiches")
    person_roles = has(ROLE_WORDS + r"|travaille|travaillent|works? on|involved as")
    if person_roles:
        person = one_entity(("personne", "organisation"))
        if person and any(e["type"] == "personne" or e["iri"].endswith("/eurometropole-de-strasbourg")
                          for s in spans for e in s.entities):
            return done("fiches-by-person", {"person": person["iri"]}, f"Fiches de {_name(person)} et ses rôles")
        if q.status == "ambiguous":
            q.intent = "fiches-by-person"
            return q
    entity = one_entity()
    if entity:
        if eventish:
            q.status = "unknown"
            q.message = (f"Je ne sais pas encore filtrer les événements par entité ; voici deux questions que je "
                         f"sais poser : les fiches qui impliquent {entity['label']}, ou les événements de la période.")
            q.suggestions = [f"Quelles fiches impliquent {entity['label']} ?", "Quels événements sont prévus en juin 2024 ?"]
            return q
        return done("fiches-by-entity", {"entity": entity["iri"]}, f"Fiches qui impliquent : {_name(entity)}")
    if q.status == "ambiguous":
        q.intent = "fiches-by-entity"
        return q
    q.message = ("Je n'ai pas compris la question. Je sais répondre, par exemple, à celles-ci :"
                 if not fiche else f"Que voulez-vous savoir de la fiche {fiche.group(1)} ? Ses référents, par exemple :")
    if fiche:
        q.suggestions = [f"Qui sont les référents de la fiche {fiche.group(1)} ?", *EXAMPLES[:4]]
    return q


def _name(entity: dict[str, str]) -> str:
    """ "ANCT (Agence nationale de la cohésion des territoires)" when there is an acronym."""
    acronym = entity.get("acronym")
    return f"{acronym} ({entity['label']})" if acronym and acronym != entity["label"] else entity["label"]


def _period_text(start: str | None, end: str | None) -> str:
    if start and end:
        return f"du {start} au {end}"
    return f"à partir du {start}" if start else f"jusqu'au {end}"


def ask(question: str, store: Store, limit: int | None = 1000) -> tuple[Understanding, Result | None]:
    """Understand and, when understood, answer with the named query."""
    understanding = understand(question, store)
    if understanding.status != "ok":
        return understanding, None
    query = load_queries()[understanding.intent]
    return understanding, run(query, understanding.params, store, limit=limit)
