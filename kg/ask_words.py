"""The question box's vocabulary: folded French (and English) words that name intents, types, kinds and links."""

from __future__ import annotations

from kg.dates import MONTHS, MONTHS_EN

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
#: What happened or is planned: with them, « en 2024 » is a period of events, not the programmes of 2024.
EVENT_STATUS_WORDS = r"prevus?|prevues?|a venir|realises?|realisees?|passes?|passees?|eu lieu|planned|upcoming|held"
ROLE_WORDS = r"referents?|referentes?|role|roles|pilote|pilotes|porte|portent|responsables?|contribu\w*|anime|refere"
COUNT_WORDS = r"combien|how many|(?<!grand )nombre (?:de|d)|number of|count"
PARTNER_WORDS = r"partenaires?|partners?|organisations?|organismes?|structures?|acteurs?|organizations?"
#: Words between two names that say how to combine their fiches (checked in this order).
EXCEPT_WORDS = r"mais pas|mais sans|et pas|et non|sauf|hors|sans|excepte|but not|not|without|except"
UNION_WORDS = r"ou|or|soit"
BOTH_WORDS = r"et|and|&|ainsi que|avec|as well as|with"
#: Words that say "search the text", not "find the entity".
TEXT_WORDS = (r"le mot|les mots|le terme|les termes|l expression|contient|contiennent|contenant|le texte|texte integral|"
              r"plein texte|full text|containing|contain|contains|the word|the phrase|mot cle|mots cles")
#: Words after which a topic is named ("les fiches qui parlent de …").
TOPIC_CUES = (r"parlent|parle|parlant|traitent|traite|traitant|evoquent|evoque|evoquant|abordent|aborde|abordant|"
              r"citent|cite|citant|mentionnant|talk about|talks about|talking about|deal with|deals with|"
              r"concernent|concerne|"
              r"concernant|a propos|au sujet|sur le theme|sur|about|mention|mentions|mentionnent|mentionne|on|de|du|des|d")
#: The kind of a public body or an experiment named after its subject ("Ville de Marseille" / "Marseille",
#: "Expérimentation Territoires zéro chômeur…" / the association): one name, two entities of different kinds.
SUBJECT_WORDS = {"ville", "eurometropole", "metropole", "agglomeration", "communaute", "departement", "region",
                 "experimentation", "dispositif", "de", "du", "des", "d", "la", "le", "l"}
STOP = set("""a au aux avec ce ces cette dans de des du en est et il elle ils la le les leur leurs l d ou par pour
qu que quel quelle quels quelles qui quoi sur un une y t on se sa son ses plus moins tous toutes tout toute
the of in on and or which who what with is are to for by fiche fiches programme ess rtes""".split())
#: Words of organisation names too common to stand for the organisation on their own; topic words among them
#: ("alimentation" in "Ministère de l'Agriculture et de l'Alimentation") are searched in the text instead.
COMMON = set("""grand grande grands nombre action actions entite entites agence agences nationale national reseau
reseaux union ville villes conseil association associations collectif mouvement centre centres federation maison
societe commission commissions club clubs groupe comite ateliers atelier regions region territoire territoires
chambre chambres economie sociale solidaire solidaires europeen europeenne parlement ministere institut
universite cooperative cooperatives petites rivieres fabrique transitions chaire organisation organisations
acteurs pour enjeux ruraux agricoles alimentaire ceinture projet projets plateforme plateformes nouvelles
regional regionale regionaux developpement durable general generale internationale international
collectivites collectivite etat direction service services public publics publique communaute
alimentation agriculture cooperation economiques economique emploi emplois reemploi insertion formation
transition innovation recherche finances finance habitat logement culture sport sante numerique mobilite
jeunesse environnement energie tourisme commerce artisanat industrie agricole solidarite solidarites""".split())
#: Words that are never part of a name in a question.
IGNORE = {w for words in TYPE_WORDS for w in words.split()} | set(MONTHS) | set(MONTHS_EN) | {
    "semestre", "trimestre", "evenement", "evenements", "webinaire", "webinaires", "club", "clubs",
    "participants", "prevus", "prevu", "realises", "axes", "axe", "axis", "referent", "referents", "role", "roles",
    "liste", "list", "cherche", "recherche", "implique", "impliquent", "mentionne", "mentionnent", "sheets",
    "involve", "involves", "mention", "mentions", "apparait", "parle", "parlent", "travaille", "plus", "souvent",
    "combien", "nombre", "partenaire", "partenaires", "partners", "partner", "both", "fois", "mais", "sans", "sauf",
    "texte", "mot", "terme", "contient", "contiennent", "famille", "family", "membres", "members"}
#: Words left out of a topic searched in the text.
TOPIC_STOP = STOP | set("""quelles quels quel quelle ou where sheets sheet which what parlent parle parlant
traitent traite evoquent evoque abordent aborde concernent concerne concernant propos sujet theme about mention
mentionnent mentionne on t il elle est y a ont fait font do does fiche fiches action actions sont dont lesquelles
texte mot mots terme termes expression contient contiennent contenant containing contain contains word phrase
cle cles integral plein full text show me moi donne liste trouve trouver find cherche recherche combien how many
nombre number""".split())

EXAMPLES = [
    "Quelles fiches impliquent l'ANCT ?",
    "Qui sont les référents de la fiche 7 ?",
    "Sur quelles fiches travaille Anne-Laure Federici ?",
    "Qui réfère le plus de fiches ?",
    "Quels événements sont prévus en juin 2024 ?",
    "Quels webinaires ont réuni plus de cinquante participants ?",
    "Avec qui l'Avise apparaît-elle ?",
    "Quels sont les axes du programme ?",
    "Quelles fiches impliquent à la fois ESS France et la Banque des Territoires ?",
    "Combien de fiches dans l'axe 3 ?",
    "Quels sont les partenaires de la fiche 5 ?",
    "Quelles fiches parlent de commande publique responsable ?",
    "Liste des lois",
    "Cherche Île-de-France",
]
