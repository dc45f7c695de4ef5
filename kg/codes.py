"""The one table of French words for the graph's codes (statuses, roles, kinds, entity types), for people."""

from __future__ import annotations

from kg.source import fold

STATUS = {"realise": "réalisé", "prevu": "prévu", "propose": "proposé"}
ROLE = {"referent-ca": "référent CA", "referent-equipe": "référent équipe", "contributeur": "contributeur"}
EVENT_KIND = {
    "webinaire": "webinaire", "club": "club", "seminaire": "séminaire", "atelier": "atelier",
    "table-ronde": "table ronde", "rencontre": "rencontre", "reunion": "réunion", "salon": "salon",
    "voyage-apprenant": "voyage apprenant", "congres": "congrès", "journee": "journée", "forum": "forum",
    "groupe-de-travail": "groupe de travail", "intervention": "intervention", "assemblee-generale": "assemblée générale",
}
ENTITY_TYPE = {
    "organisation": "organisation", "personne": "personne", "loi": "texte juridique", "outil": "outil ou dispositif",
    "territoire": "territoire", "publication": "publication", "evenement": "événement",
}
VIA = {"mention": "nommé dans le texte", "role": "rôle sur la fiche", "evenement": "organise ou accueille un événement",
       "sous-organisation": "par une de ses sous-organisations"}

# which code family a column of a named query holds, by the column's name
FAMILIES = {"status": STATUS, "role": ROLE, "kind": EVENT_KIND, "type": ENTITY_TYPE, "via": VIA}


def code_label(column: str, value: str) -> str:
    """The French words for a code in this column; any other value unchanged."""
    return FAMILIES.get(column, {}).get(value, value)


def enum_label(values: list[str], value: str) -> str:
    """The French words for one value of a form's list (whatever family it belongs to)."""
    for family in FAMILIES.values():
        if set(values) <= set(family):
            return family.get(value, value)
    return value


__all__ = ["ENTITY_TYPE", "EVENT_KIND", "FAMILIES", "ROLE", "STATUS", "VIA", "code_label", "enum_label"]


def de(name: str) -> str:
    """French 'de' before a name: "d'Anne-Laure", "de Stéphane", "du Labo", "des CRESS", "de la Ville"."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if name.lower().startswith(article):
            return contracted + name[len(article):]
    first = fold(name[:1])[0]
    return ("d'" if first and first in "aeiouyh" else "de ") + name
