"""The site through Flask's test client: every route and format, content negotiation, the endpoint."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from rdflib import Graph

from kg.graph import build_graph
from kg.load import load_dataset
from kg.queries import load_queries
from kg.store import MemoryStore

from .conftest import MINI

ENTITY_PAGES = ["/organisation/anct", "/personne/stephane-pfeiffer", "/loi/loi-ess-2014", "/concept/scic",
                "/territoire/ile-de-france", "/publication/repress", "/evenement/forum-ess-niort-2024",
                "/programme/rtes-2024/axe/axe-1", "/programme/rtes-2024", "/programme/rtes-2024/fiche/7"]
RDF_TYPES = {"ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
             "nt": ("application/n-triples", "nt")}


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/liste/organisations", "/liste/personnes", "/liste/lois", "/liste/outils",
                                  "/liste/territoires", "/liste/publications", "/liste/evenements", "/recherche?q=anct",
                                  "/questions", "/frise", "/partenaires", "/matrice", "/reseau", "/sparql", *ENTITY_PAGES])
def test_every_page_answers_in_french(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    body = text(response)
    assert '<html lang="fr">' in body
    assert "Content-Security-Policy" in response.headers
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body), "inline script"


@pytest.mark.parametrize("path", ENTITY_PAGES)
@pytest.mark.parametrize("suffix", ["ttl", "jsonld", "nt"])
def test_rdf_twins_by_suffix_and_by_accept(client, path, suffix):
    mimetype, fmt = RDF_TYPES[suffix]
    for response in (client.get(f"{path}.{suffix}"), client.get(path, headers={"Accept": mimetype})):
        assert response.status_code == 200 and response.mimetype == mimetype
        graph = Graph().parse(data=response.get_data(), format=fmt)
        assert len(graph) > 3
        iri = "https://ess-kg.example" + path
        assert any(str(s) == iri for s in graph.subjects())


@pytest.mark.parametrize("path", ENTITY_PAGES)
def test_json_twin(client, path):
    for response in (client.get(f"{path}.json"), client.get(path, headers={"Accept": "application/json"})):
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert response.get_json()["iri"] == "https://ess-kg.example" + path


def test_unknown_entity_and_route_give_a_helpful_404(client):
    for path in ("/organisation/nexiste-pas", "/nulle-part", "/organisation/nexiste-pas.ttl", "/programme/rtes-2024/fiche/99"):
        response = client.get(path)
        assert response.status_code == 404, path
    body = text(client.get("/organisation/nexiste-pas"))
    assert "Page introuvable" in body and "/recherche?q=nexiste%20pas" in body


def test_fiche_page_shows_everything(client):
    body = text(client.get("/programme/rtes-2024/fiche/7"))
    assert "Fiche action n°7 — Sociétés Coopératives d’Intérêt Collectif - SCIC" in body
    assert "Stéphane Pfeiffer" in body and "Référent·e CA" in body and "partages d&#39;expériences" in body
    for section in ("Contexte", "Objectifs", "Actions réalisées", "Perspectives 2024", "Éléments de plaidoyer", "Points d&#39;attention"):
        assert f"<h2>{section}" in body
    assert '<a class="mention t-loi" href="/loi/cgct" title="Code général des collectivités territoriales"><mark>CGCT</mark></a>' in body
    assert "l. 429" in body
    assert "Webinaire avec la CGSCOP" in body


def test_untitled_fiche_and_unknown_referent(client):
    body = text(client.get("/programme/rtes-2024/fiche/14"))
    assert "(sans titre dans le document)" in body
    assert "? (non renseigné dans le document)" in body


def test_entity_page_appears_in_with_quotes_and_incoming_counts(client):
    body = text(client.get("/organisation/anct"))
    assert "Apparaît dans 3 fiches" in body
    for number in (2, 4, 5):
        assert f'href="/programme/rtes-2024/fiche/{number}"' in body
    assert "Interventions ponctuelles et lien <mark>ANCT</mark>." in body  # the name is highlighted in its quotes
    assert "Liens entrants" in body and "implique" in body
    # the ANCT has a verified SIREN since issue 13; the Banque des Territoires has only its parent's (related)
    assert "Pas encore lié à un identifiant externe vérifié" in text(client.get("/organisation/banque-des-territoires"))
    linked = text(client.get("/organisation/eurometropole-de-strasbourg"))
    assert 'href="http://www.wikidata.org/entity/Q586704"' in linked


def test_incoming_links_are_counted(client):
    data = client.get("/personne/anne-laure-federici.json").get_json()
    incoming = {link["predicate_label"]: link["count"] for link in data["incoming"]}
    # links from nameless nodes (involvements, roles) show their fiches, or go when "implique" already lists them
    assert incoming["implique"] == 9 and not {"entité", "agent", "impliqué dans", "rôle dans"} & set(incoming)


def test_lists_are_sortable(client):
    by_fiches = client.get("/liste/personnes?format=json").get_json()
    assert by_fiches[0]["label"] == "Anne-Laure Federici"
    by_name = client.get("/liste/personnes?format=json&tri=nom").get_json()
    assert [r["label"] for r in by_name] == sorted((r["label"] for r in by_name), key=str.casefold)
    assert client.get("/liste/personnes?tri=n'importe").status_code == 400
    assert client.get("/liste/inconnus").status_code == 404


def test_search_and_suggestions(client):
    assert "Île-de-France" in text(client.get("/recherche?q=ile+de+france"))
    assert "Anne-Laure Federici" in text(client.get("/recherche?q=federici"))
    suggestions = client.get("/suggestions?q=cget").get_json()
    assert suggestions[0] == {"label": "Agence nationale de la cohésion des territoires", "type": "Organisation",
                              "url": "/organisation/anct"}
    assert client.get("/suggestions?q=").get_json() == []
    assert client.get("/recherche?q=anct&aller=1").headers["Location"].endswith("/organisation/anct")


def test_every_named_query_has_a_form(client):
    listing = text(client.get("/questions"))
    for name, query in load_queries().items():
        assert f'href="/queries/{name}"' in listing
        page = text(client.get(f"/queries/{name}"))
        for param in query.params:
            assert f'name="{param.name}"' in page
        assert "La requête SPARQL" in page


def test_canned_question_answers_with_links_and_downloads(client):
    body = text(client.get("/queries/fiches-by-entity?entity=ANCT&envoyer=1"))
    assert "3 lignes" in body and "Interventions ponctuelles et lien ANCT." in body
    assert 'href="/queries/fiches-by-entity.csv?entity=ANCT&amp;envoyer=1"' in body
    rows = list(csv.reader(io.StringIO(text(client.get("/queries/fiches-by-entity.csv?entity=ANCT")))))
    assert rows[0] == ["Fiche", "Titre", "Citation", "Lignes"] and [r[0] for r in rows[1:]] == ["2", "4", "5"]
    doc = client.get("/queries/fiches-by-entity.json?entity=ANCT").get_json(force=True)
    assert [int(b["fiche"]["value"]) for b in doc["results"]["bindings"]] == [2, 4, 5]
    people = text(client.get("/queries/referents?fiche=7"))
    assert 'href="/personne/stephane-pfeiffer">Stéphane Pfeiffer</a>' in people


def test_canned_question_errors_are_clean(client):
    response = client.get("/queries/fiches-by-entity?entity=Patricia")
    assert response.status_code == 400 and "est ambigu" in text(response)
    assert client.get("/queries/fiches-by-entity.json?entity=").status_code == 400
    assert client.get("/queries/inconnue").status_code == 404


# --- the SPARQL endpoint -------------------------------------------------------------------------

SELECT = "PREFIX kg: <https://ess-kg.example/ontologie#> SELECT ?n WHERE { ?f kg:ficheNumber ?n } ORDER BY ?n"


@pytest.mark.parametrize("accept,check", [
    ("application/sparql-results+json", lambda r: len(json.loads(r.get_data())["results"]["bindings"]) == 14),
    ("application/sparql-results+xml", lambda r: r.get_data(as_text=True).count("<result>") == 14),
    ("text/csv", lambda r: r.get_data(as_text=True).splitlines()[1] == "1"),
    ("text/tab-separated-values", lambda r: r.get_data(as_text=True).splitlines()[0] == "?n"),
])
def test_endpoint_select_formats(client, accept, check):
    for response in (client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": accept}),
                     client.post("/sparql", data={"query": SELECT}, headers={"Accept": accept}),
                     client.post("/sparql", data=SELECT, content_type="application/sparql-query", headers={"Accept": accept})):
        assert response.status_code == 200 and response.mimetype == accept
        assert check(response)


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/n-triples", "nt")])
def test_endpoint_construct_formats(client, accept, fmt):
    query = "DESCRIBE <https://ess-kg.example/concept/scic>"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    assert len(Graph().parse(data=response.get_data(), format=fmt)) > 3


def test_endpoint_ask_and_service_description_and_html(client):
    ask = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"})
    assert ask.get_json(force=True)["boolean"] is True
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert description.mimetype == "text/turtle" and "sd:Service" in text(description)
    page = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and "14 lignes" in text(page)


@pytest.mark.parametrize("query,status", [
    ("INSERT DATA { <http://a> <http://b> <http://c> }", 403),
    ("DROP ALL", 403),
    ("LOAD <http://example.org/x>", 403),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 403),
    ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", 403),
    ("SELECT ?x WHERE { ?x ", 400),
])
def test_endpoint_refuses_updates_outbound_and_broken_queries(client, query, status):
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == status
    assert response.mimetype == "text/plain" and text(response).strip()
    update = client.post("/sparql", data="DROP ALL", content_type="application/sparql-update")
    assert update.status_code == 403


def test_endpoint_caps_rows_and_says_so(built):
    from web import create_app

    small = create_app({"DIST": str(built), "ROW_LIMIT": 5}).test_client()
    response = small.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "application/sparql-results+json"})
    doc = json.loads(response.get_data())
    assert len(doc["results"]["bindings"]) == 5 and doc["truncated"] is True
    assert response.headers["X-Truncated"] == "true"


def test_every_literal_is_escaped():
    """A label carrying markup is shown as text, never as HTML."""
    from web import create_app

    graph = build_graph(load_dataset(MINI))
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS

    person = URIRef("https://ess-kg.example/personne/jeanne-essai")
    graph.remove((person, RDFS.label, None))
    graph.add((person, RDFS.label, Literal('<script>alert("x")</script>', lang="fr")))
    client = create_app({"STORE": MemoryStore(graph)}).test_client()
    for path in ("/personne/jeanne-essai", "/programme/mini-2024/fiche/1", "/liste/personnes"):
        body = text(client.get(path))
        assert "<script>alert" not in body
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body or "&lt;script&gt;alert(&quot;x&quot;)" in body


def test_long_lists_and_the_frise_come_in_pages(client, monkeypatch):
    """On a large graph a list or the frise shows one page at a time, with links that keep the sort order."""
    import web.pages

    monkeypatch.setattr(web.pages, "PAGE_SIZE", 10)
    everything = client.get("/liste/organisations?format=json&tri=nom").get_json()
    pages = -(-len(everything) // 10)
    first = client.get("/liste/organisations?tri=nom").get_data(as_text=True)
    assert f"Page 1 sur {pages}" in first
    assert first.count('<td class="num">') == 10
    assert 'href="?tri=nom&amp;page=2" rel="next"' in first
    last = client.get(f"/liste/organisations?tri=nom&page={pages}").get_data(as_text=True)
    assert last.count('<td class="num">') == len(everything) - 10 * (pages - 1)
    assert everything[-1]["label"] in html.unescape(last) and 'rel="prev"' in last and 'rel="next"' not in last
    for bad in (pages + 1, 0, "x"):
        assert client.get(f"/liste/organisations?page={bad}").status_code == 404
    frise = client.get("/frise?page=2").get_data(as_text=True)
    assert "Page 2 sur" in frise
    assert len(re.findall(r'<tr class="status-', frise)) == 10


def test_home_page_has_a_section_per_programme_and_shortens_long_axes(built, monkeypatch):
    """Two programmes: one section each (newest first); an axis with more fiches than shown links to its page."""
    import re

    from kg import browse
    from kg.store import OxigraphStore
    from web import create_app

    text = (built / "current" / "graph.nt").read_text(encoding="utf-8")
    other = (text.replace("programme/rtes-2024", "programme/autre-2025")
                 .replace('"2024"^^<http://www.w3.org/2001/XMLSchema#gYear>', '"2025"^^<http://www.w3.org/2001/XMLSchema#gYear>')
                 .replace("Programme d'actions 2024 du RTES", "Programme d'actions 2025 d'un autre réseau"))
    store = OxigraphStore(None, read_only=False)
    store.load_ntriples((text + other).encode("utf-8"))
    monkeypatch.setattr(browse, "HOME_FICHES_PER_AXIS", 2)
    page = create_app({"STORE": store, "TESTING": True, "WARM_UP": False}).test_client().get("/").get_data(as_text=True)
    assert "<h1>L'économie sociale et solidaire des collectivités, en graphe</h1>" in page
    sections = re.findall(r'<h2><a href="(/programme/[^"]+)">([^<]+)</a> — (\d+) fiches, (\d+) axes</h2>', page)
    assert sections == [("/programme/autre-2025", "Programme d&#39;actions 2025 d&#39;un autre réseau", "14", "7"),
                        ("/programme/rtes-2024", "Programme d&#39;actions 2024 du RTES", "14", "7")]
    # axe 3 has fiches 6 to 9: two shown, then a link to the axis page for the other two, in each programme
    assert page.count('<a href="/programme/rtes-2024/axe/axe-3">… et 2 autres fiches de l\'axe</a>') == 1
    assert page.count('<a href="/programme/autre-2025/axe/axe-3">… et 2 autres fiches de l\'axe</a>') == 1
    assert page.count('<a href="/programme/rtes-2024/axe/axe-1">… et 1 autre fiche de l\'axe</a>') == 1
    assert len(re.findall(r'href="/programme/rtes-2024/fiche/\d+"', page)) < 14
    assert "autres programmes, dans la liste" not in page


def test_home_page_details_the_newest_programmes_only(built, monkeypatch):
    """A hundred programmes: the home page details the newest few, the others are in its list by publisher and year."""
    from kg import browse
    from kg.store import OxigraphStore
    from web import create_app

    text = (built / "current" / "graph.nt").read_text(encoding="utf-8")
    copies = [text.replace("programme/rtes-2024", f"programme/copie-{n}") for n in range(4)]
    store = OxigraphStore(None, read_only=False)
    store.load_ntriples("".join([text, *copies]).encode("utf-8"))
    monkeypatch.setattr(browse, "HOME_PROGRAMMES", 2)
    page = create_app({"STORE": store, "TESTING": True, "WARM_UP": False}).test_client().get("/").get_data(as_text=True)
    assert page.count(" fiches, 7 axes</h2>") == 2
    assert "… et 3 autres programmes, dans la liste par réseau et par année ci-dessus." in page


# --- issue 13: what an analyst sees -------------------------------------------------------------

def _properties_table(body: str) -> str:
    """The readable part of the "Propriétés" section (before its folded technical details)."""
    section = body[body.index('<section class="properties">'):]
    return section[:section.index("<details")]


def test_canned_question_page_header_search_field_is_empty_not_the_query_object(client):
    body = text(client.get("/queries/events"))
    assert "NamedQuery" not in body
    assert re.search(r'<input id="q" name="q"[^>]*value=""', body)
    assert re.search(r'<input id="q" name="q"[^>]*value="anct"', text(client.get("/recherche?q=anct")))


def test_fiche_part_iris_are_fiche_anchors_with_rdf_twins(client):
    response = client.get("/programme/rtes-2024/fiche/2/section/4/item/2")
    assert response.status_code == 303 and response.headers["Location"] == "/programme/rtes-2024/fiche/2#item-4-2"
    fiche = text(client.get("/programme/rtes-2024/fiche/2"))
    assert 'id="item-4-2"' in fiche and 'id="section-4"' in fiche and 'id="entites"' in fiche
    assert 'id="role-1"' in fiche
    turtle = client.get("/programme/rtes-2024/fiche/2/section/4/item/2.ttl")
    assert turtle.status_code == 200 and "RepèrESS Foncier" in text(turtle)
    assert client.get("/programme/rtes-2024/fiche/2/section/99/item/1").status_code == 404
    assert 'href="/programme/rtes-2024/fiche/2#item-4-2"' in text(client.get("/evenement/seminaire-foncier-2024-06"))


def test_concept_scheme_source_document_and_ontology_examples_are_pages(client):
    scheme = client.get("/concept/")
    assert scheme.status_code == 200 and "Outils, dispositifs et formes juridiques" in text(scheme)
    assert client.get("/concept/.ttl").status_code == 200
    source = text(client.get("/source/rtes-programme-actions-2024"))
    assert 'id="l383"' in source and "Gaëlle Le Stradic" in source
    assert 'href="/source/rtes-programme-actions-2024#l383"' in text(client.get("/programme/rtes-2024/fiche/7"))
    ontology = text(client.get("/ontologie"))
    assert re.search(r'href="/programme/rtes-2024/fiche/\d+#role-\d+"', ontology)  # a role is a row of its fiche


def test_entity_properties_show_what_a_person_wants_and_fold_internal_keys(client):
    body = text(client.get("/organisation/anct"))
    table = _properties_table(body)
    for wanted in ("<th>nom</th>", "<th>autres noms</th>", "<th>sigle</th>", "<th>sorte</th>", "agence de l&#39;État"):
        assert wanted in table, wanted
    for internal in ("clé de recherche", "statut du lien", "source du développé", "https://ess-kg.example/ontologie#",
                     "agence-etat", "identifiant"):
        assert internal not in table, internal
    details = body[body.index("<details"):body.index("</details>")]
    assert "Détails techniques" in details and "clé de recherche" in details and "source du développé" in details
    event = _properties_table(text(client.get("/evenement/rencontre-filieres-ess-roubaix-2023")))
    assert "<th>année déduite</th>" not in event and "false" not in event and "realise" not in event
    assert "14 avril 2023" in event


def test_incoming_links_without_a_source_are_gone(client):
    for path in ("/organisation/anct", "/personne/anne-laure-federici"):
        incoming = text(client.get(path)).split("<h2>Liens entrants</h2>")[1]
        assert "<th>entité</th>" not in incoming and "<th>mention de</th>" not in incoming and "<th>agent</th>" not in incoming
        rows = re.findall(r"<tr><th>.*?</th><td class=\"num\">\d+</td>\s*<td>(.*?)</td></tr>", incoming, re.S)
        assert rows and all("<a " in row for row in rows)


def test_fiches_sorted_by_number_everywhere(client):
    body = text(client.get("/personne/anne-laure-federici"))
    for part in (body.split("<h2>Liens entrants</h2>")[1], body.split('<section class="appears">')[1], body):
        numbers = [int(n) for n in re.findall(r'href="/programme/rtes-2024/fiche/(\d+)"', part)]
        first_seen = list(dict.fromkeys(numbers))
        assert first_seen == sorted(first_seen) and 10 in first_seen and 4 in first_seen


def test_entity_name_marked_in_its_quotes_and_escaped(client):
    body = text(client.get("/publication/points-de-repress-monnaies-locales-complementaires-collectivites"))
    assert "<mark>Points de RepèrESS “Monnaies locales complémentaires &amp; Collectivités”</mark>" in body
    anct = text(client.get("/organisation/anct"))
    assert "l’<mark>ANCT</mark> (<mark>ex CGET</mark>)" in anct


def test_facts_not_printed_in_the_document_carry_their_provenance(client):
    assert "développé d&#39;après une source publique" in text(client.get("/organisation/anct"))
    assert "développé d&#39;après une source publique" not in text(client.get("/personne/stephane-pfeiffer"))
    inferred = text(client.get("/evenement/rencontre-filieres-ess-roubaix-2023"))
    assert "année déduite de la section" in inferred and 'class="provenance"' in inferred
    assert "année déduite de la section" not in text(client.get("/evenement/forum-ess-niort-2024"))


def test_a_law_named_from_a_public_source_says_so_under_its_title(client):
    """The OECD recommendation's title is not printed (the document says « l'OCDE »): the page says so at the top."""
    body = text(client.get("/loi/recommandation-ocde-ess-2022"))
    line = body.split('<p class="provenance-line">', 1)[1].split("</p>", 1)[0]
    assert "nom développé d&#39;après une source publique" in line
    assert 'class="provenance-line"' not in text(client.get("/loi/loi-ess-2014"))  # its title is a verified Légifrance one
    month = text(client.get("/evenement/seminaire-foncier-2024-06"))
    assert "du 1er juin 2024 au 30 juin 2024 (bornes déduites de la précision de la date" in month


def test_person_roles_event_source_and_axis_contents(client):
    person = text(client.get("/personne/maud-caruhel"))
    assert "Fiches de Maud Caruhel et ses rôles" in person
    assert "Référent·e CA" in person and "en particulier sur EGA/éco/socio/conditionnalité des aides" in person
    assert "Fiches d&#39;Anne-Laure Federici et ses rôles" in text(client.get("/personne/anne-laure-federici"))
    event = text(client.get("/evenement/seminaire-foncier-2024-06"))
    assert "Statut : <strong class=\"status-prevu\">prévu</strong>" in event and "daté du mois : juin 2024" in event
    assert "début juin 2024 ?</q>" in event and ">l. 77–79</a>" in event
    assert "daté seulement de l&#39;année 2023" in text(client.get("/evenement/atelier-scic-salon-des-maires-2023"))
    assert "daté du jour : 31 janvier 2024" in text(client.get("/evenement/forum-ess-niort-2024"))
    axis = text(client.get("/programme/rtes-2024/axe/axe-1"))
    assert '<p class="crumbs">Axe</p>' in axis and "Ressource" not in axis
    assert "Fiches de l'axe (3)" in axis and "Partenaires de l'axe" in axis
    assert 'href="/organisation/anct"' in axis.split("Partenaires de l'axe")[1]


def test_favicon_publications_link_elision_and_single_section_heading(client):
    home = text(client.get("/"))
    assert 'rel="icon" href="/static/favicon.svg"' in home and 'href="/liste/publications"' in home
    for path in ("/static/favicon.svg", "/favicon.ico"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        response.close()
    from kg.entity_page import de
    assert [de(n) for n in ("Anne-Laure", "Hélène", "Élodie", "Stéphane", "Le Labo", "Les CRESS")] == \
        ["d'Anne-Laure", "d'Hélène", "d'Élodie", "de Stéphane", "du Labo", "des CRESS"]
    fiche = text(client.get("/programme/rtes-2024/fiche/7"))
    assert "<h2>Éléments de plaidoyer</h2>" in fiche and "« Eléments de plaidoyer" not in fiche
    assert "« Point d’attention" not in fiche


def test_entity_page_lists_each_verified_identifier_with_its_strength(client):
    """The more_ids schemes (SIREN, CELEX, Archives nationales) and a 'related' link shown as not the same entity."""
    anct = client.get("/organisation/anct").get_data(as_text=True)
    assert 'href="https://annuaire-entreprises.data.gouv.fr/entreprise/130026032"' in anct
    assert "apparentée (pas la même entité)" in anct and "Q17625061" in anct
    law = client.get("/loi/recommandation-conseil-ue-ess-2023").get_data(as_text=True)
    assert "CELEX (EUR-Lex)" in law and "32023H01344" in law
    bdt = client.get("/organisation/banque-des-territoires").get_data(as_text=True)
    assert "180020026" in bdt and "Pas encore lié" in bdt  # the parent's SIREN is not its own link
