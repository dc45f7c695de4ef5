"""Issue 13: what an analyst found wrong — role line spans, nested mentions, facts not printed, data read again
against the source. Each test is named after what broke."""

from __future__ import annotations

import csv
import io

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.export import csv_tables
from kg.namespaces import KG, SCHEMA, entity_iri, fiche_iri

ROLE_LINE_START, ROLE_LINE_END = KG.lineStart, KG.lineEnd


def _table(graph, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_tables(graph)[name].lstrip("\ufeff"))))


def _fiches_of(graph, kind: str, ident: str) -> set[int]:
    return {int(str(f).rsplit("/", 1)[-1]) for f in graph.subjects(KG.involves, entity_iri(kind, ident))}


# --- bug 3: a role over two lines ----------------------------------------------------------------

def test_role_over_two_lines_keeps_its_last_line(graph):
    """Gaëlle Le Stradic is printed on line 384: her role spans 383-384, in RDF and in roles.csv."""
    role = next(r for r in graph.subjects(KG.agent, entity_iri("person", "gaelle-le-stradic"))
                if (r, RDF.type, KG.Role) in graph)
    assert (int(graph.value(role, ROLE_LINE_START)), int(graph.value(role, ROLE_LINE_END))) == (383, 384)
    rows = [r for r in _table(graph, "roles.csv") if r["nom"] == "Gaëlle Le Stradic"]
    assert [(r["fiche"], r["ligne_debut"], r["ligne_fin"]) for r in rows] == [("7", "383", "384")]
    assert "ligne" not in rows[0]


# --- bug 4: a mention inside a longer match --------------------------------------------------------

def test_nested_person_and_tool_mentions_count(graph):
    """"thèse Charlotte Dudignac" names Charlotte Dudignac; "Points de RepèrESS - Cités de l’emploi" names the scheme."""
    assert _fiches_of(graph, "person", "charlotte-dudignac") == {9}
    assert _fiches_of(graph, "concept", "cites-de-l-emploi") == {5}
    assert int(graph.value(entity_iri("person", "charlotte-dudignac"), KG.ficheTotal)) == 1
    # with the quote of the item it is printed in, like every mention
    evidence = {str(graph.value(inv, KG.evidence)) for inv in graph.subjects(KG.entity, entity_iri("person", "charlotte-dudignac"))}
    assert evidence == {"Organisation d’un webinaire sur les appels à projets (lien thèse Charlotte Dudignac)"}


def test_nested_mentions_stay_the_exception(graph):
    """A region inside an organisation's name ("CRESS Bretagne") and a shorter form of the same entity are not
    counted again; a broader tool inside a narrower tool's name is left to skos:broader."""
    bodies = [(m, graph.value(m, URIRef("http://www.w3.org/ns/oa#hasBody"))) for m in graph.subjects(RDF.type, KG.Mention)]
    assert not [m for m, body in bodies if body == entity_iri("territory", "france")]
    cooperatives = [m for m, body in bodies if body == entity_iri("concept", "cooperatives")]
    plateformes = [m for m, body in bodies if body == entity_iri("concept", "plateformes-cooperatives")]
    items_of = lambda ms: {str(m).split("/mention/")[0] for m in ms}  # noqa: E731
    assert plateformes and not items_of(plateformes) & items_of(cooperatives)


# --- provenance: what the document does not print ------------------------------------------------

def _not_printed(graph, subject) -> dict[str, tuple[str, str]]:
    return {str(graph.value(n, KG.onProperty)): (str(graph.value(n, KG.provenanceKind)), str(graph.value(n, RDFS.label)))
            for n in graph.objects(subject, KG.notPrinted)}


def test_facts_not_printed_are_marked_in_rdf(graph):
    ademe = entity_iri("organisation", "ademe")
    assert str(graph.value(ademe, RDFS.label)) == "Agence de la transition écologique"
    assert _not_printed(graph, ademe) == {str(RDFS.label): ("source-publique", "développé d'après une source publique")}
    node = next(graph.objects(ademe, KG.notPrinted))
    assert (node, RDF.type, KG.NotPrintedFact) in graph and "sigle est inchangé" in str(graph.value(node, SKOS.note))
    webinar = entity_iri("event", "webinaire-mesures-impact-territorialise-2023-11-17")
    assert _not_printed(graph, webinar) == {str(SCHEMA.startDate): ("annee-deduite", "année déduite de la section")}
    assembly = entity_iri("event", "assemblee-generale-rtes-2023")
    assert _not_printed(graph, assembly) == {str(SCHEMA.endDate): ("fin-deduite", "date de fin déduite")}
    # a printed expansion and a printed year carry no mark
    assert _not_printed(graph, entity_iri("concept", "scic")) == {}
    assert _not_printed(graph, entity_iri("event", "forum-ess-niort-2024")) == {}


def test_facts_not_printed_are_a_csv_column(graph):
    entities = {r["identifiant"]: r for r in _table(graph, "entites.csv")}
    assert entities["ademe"]["non_imprime"] == "libellé : développé d'après une source publique"
    assert entities["scic"]["non_imprime"] == ""
    events = {r["iri"].rsplit("/", 1)[-1]: r for r in _table(graph, "evenements.csv")}
    assert events["assemblee-generale-rtes-2023"]["non_imprime"] == "date de fin : date de fin déduite"
    assert events["webinaire-mesures-impact-territorialise-2023-11-17"]["non_imprime"] == "date : année déduite de la section"


# --- data read again against the source ------------------------------------------------------------

def test_niort_round_table_follows_its_section(graph):
    """Printed under "Perspectives 2024", like the Forum it belongs to and fiche 11's workshop: planned."""
    table = entity_iri("event", "table-ronde-cooperation-echelons-territoriaux-2024-01-31")
    forum = entity_iri("event", "forum-ess-niort-2024")
    assert graph.value(table, KG.eventStatus) == graph.value(forum, KG.eventStatus) == Literal("prevu")


def test_paca_corse_club_keeps_both_regions_and_its_section_status(graph):
    club = entity_iri("event", "club-collectivites-ess-qpv-paca-corse-2024-02-07")
    assert set(graph.objects(club, SCHEMA.location)) == {entity_iri("territory", "provence-alpes-cote-d-azur"),
                                                        entity_iri("territory", "corse")}
    assert graph.value(club, KG.eventStatus) == Literal("prevu")
    row = next(r for r in _table(graph, "evenements.csv") if r["iri"] == str(club))
    assert row["lieu"] in ("Corse ; Provence-Alpes-Côte d'Azur", "Provence-Alpes-Côte d'Azur ; Corse")


def test_general_assembly_gives_fiche_3_no_place(graph):
    """Fiche 3 prints "le 7 juillet" with no place: Nantes (printed by fiches 2 and 10) does not involve it."""
    assert 3 not in _fiches_of(graph, "territory", "nantes")
    assert {2, 10} <= _fiches_of(graph, "territory", "nantes")


def test_handover_is_a_note_not_a_scope(graph):
    role = next(r for r in graph.subjects(KG.agent, entity_iri("person", "patricia-andriot"))
                if (r, KG.fiche, fiche_iri("rtes-2024", 12)) in graph)
    assert graph.value(role, KG.scope) is None
    assert str(graph.value(role, SKOS.note)) == "passation à prévoir"


def test_two_anct_publications_are_one_item_and_the_2021_study_is_apart(dataset):
    publications = {e.id: e for e in dataset.of_kind("publication")}
    assert "ess-politique-de-la-ville-collection-agir" not in publications
    assert "ess-politique-de-la-ville-collection-comprendre" not in publications
    one = publications["publications-ess-politique-de-la-ville-anct-2024"]
    assert (one.data["year"], one.data["status"]) == (2024, "prevu")
    study = publications["etude-avec-le-labo-de-l-ess-2021"]
    assert set(study.data["partners"]) == {"rtes", "labo-de-l-ess"} and study.data["description"]["lines"] == (357, 357)
    assert publications["etude-du-rtes-sur-le-role-des-collectivites"].data["description"]["lines"] == (345, 347)


def test_records_the_document_does_not_support_are_gone(dataset):
    laws = {e.id: e for e in dataset.of_kind("law")}
    assert "loi-climat-resilience" not in laws
    assert "relatif" not in laws["decret-brsa"].label  # no invented title: "dès parution du décret"


def test_printed_entities_are_linked_to_their_fiche(graph):
    assert _fiches_of(graph, "law", "recommandation-ocde-ess-2022") == {12}
    assert _fiches_of(graph, "concept", "cites-de-l-emploi") == {5}
    assert _fiches_of(graph, "publication", "points-de-repress-plateformcoop") == {11}


def test_new_identifiers_with_their_scheme_match_and_source(graph):
    anct = entity_iri("organisation", "anct")
    assert graph.value(anct, KG.siren) == Literal("130026032")
    cget = URIRef("http://www.wikidata.org/entity/Q17625061")
    assert (anct, SKOS.relatedMatch, cget) in graph and (anct, SKOS.exactMatch, cget) not in graph
    bdt = entity_iri("organisation", "banque-des-territoires")
    assert graph.value(bdt, KG.siren) is None  # the Caisse des Dépôts' SIREN is not the Banque's
    assert (bdt, SKOS.relatedMatch, URIRef("https://annuaire-entreprises.data.gouv.fr/entreprise/180020026")) in graph
    rec = entity_iri("law", "recommandation-conseil-ue-ess-2023")
    assert graph.value(rec, KG.celex) == Literal("32023H01344")
    links = {str(graph.value(n, KG.linkScheme)): n for n in graph.objects(rec, KG.externalLink)}
    assert set(links) == {"celex", "eli"}
    assert graph.value(links["celex"], KG.linkTarget) == URIRef(
        "https://eur-lex.europa.eu/legal-content/FR/TXT/?uri=CELEX:32023H01344")
    assert str(graph.value(links["celex"], URIRef("http://purl.org/dc/terms/source"))) == "EUR-Lex"
    assert graph.value(entity_iri("law", "cgct"), KG.legitext) == Literal("LEGITEXT000006070633")
    marseille = entity_iri("organisation", "ville-de-marseille")
    assert (marseille, SKOS.closeMatch, URIRef("http://www.wikidata.org/entity/Q23482")) in graph
    assert (entity_iri("organisation", "ademe"), SKOS.exactMatch,
            URIRef("https://rdf.archives-nationales.culture.gouv.fr/agent/009994")) in graph


def test_csv_cells_that_look_like_formulas_are_neutralised(graph):
    """"+ de 280 participant.e.s" is printed text, not a formula for the spreadsheet that opens evenements.csv."""
    seminar = next(r for r in _table(graph, "evenements.csv") if r["iri"].endswith("seminaire-national-politique-de-la-ville-ess"))
    assert seminar["participants_imprimes"] == "'+ de 280 participant.e.s"
    for name in ("fiches.csv", "roles.csv", "entites.csv", "entites_fiches.csv", "evenements.csv"):
        for row in _table(graph, name):
            assert not [v for v in row.values() if v[:1] in ("=", "+", "-", "@")], (name, row)


def test_every_described_link_leads_to_its_record_except_a_nor(graph):
    """A NOR has no page of its own (Légifrance's /jorf/id/ takes a JORFTEXT): no address rather than a broken one."""
    nodes = list(graph.subjects(RDF.type, KG.ExternalLink))
    assert len(nodes) >= 50
    for node in nodes:
        scheme = str(graph.value(node, KG.linkScheme))
        assert (graph.value(node, KG.linkTarget) is None) == (scheme == "nor"), node
        assert str(graph.value(node, URIRef("http://purl.org/dc/terms/source")))
