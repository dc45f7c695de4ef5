"""Territories in the site, the query library and the question box: official hierarchy and population on the pages,
referential links described like verified ones, a région's fiches through its places (« via Toulouse »), and
« en Occitanie », « dans le Nord » in kg ask. Expected answers are read from the data and the referential table."""

from __future__ import annotations

import html
import re
import subprocess
import sys

import pytest
import yaml
from rdflib import URIRef

from kg.ask import ask
from kg.entity_page import SCHEMES
from kg.queries import QueryError, load_queries, parse_query_file, run
from kg.referential import load_referential
from kg.referential_graph import SOURCE

from .conftest import DATA, ROOT

E = "https://ess-kg.example/"
QUERIES = load_queries()
LINKS = yaml.safe_load((DATA / "reference" / "insee-links.yaml").read_text(encoding="utf-8"))["links"]
REF = load_referential(DATA / "reference" / "insee")
KINDS = {"territory": "territoire", "organisation": "organisation"}


def page_text(client, path: str) -> str:
    body = client.get(path).get_data(as_text=True)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def section(client, path: str, name: str) -> str:
    body = client.get(path).get_data(as_text=True)
    found = re.search(rf'<section class="{name}">(.*?)</section>', body, re.S)
    assert found, f"{path}: pas de section {name}"
    return found.group(1)


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def link_of(entity: str) -> dict:
    return next(link for link in LINKS if link["entity"] == entity)


def fiches(result) -> set[int]:
    return {int(str(r["fiche"])) for r in result.rows}


def fiches_of_places_in(store, departement: str) -> dict[str, set[int]]:
    """Label of each linked ville of the graph that the referential puts in ``departement`` -> its fiches."""
    out = {}
    for link in LINKS:
        if link["scheme"] == "insee-commune" and REF.communes[link["id"]]["departement"] == departement:
            kind, ident = link["entity"].split("/", 1)
            result = run(QUERIES["fiches-by-entity"], {"entity": f"{E}{KINDS[kind]}/{ident}"}, store)
            out[link["label"]] = fiches(result)
    return out


# --- the links, described --------------------------------------------------------------------------

def test_every_referential_link_is_a_described_external_link(embedded):
    rows = embedded.query("""PREFIX kg: <https://ess-kg.example/ontologie#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?entity ?scheme ?id ?match ?target ?source WHERE {
  ?entity kg:externalLink ?n . ?n a kg:ExternalLink ; kg:linkScheme ?scheme ; kg:externalId ?id ; kg:linkMatch ?match ;
     kg:linkTarget ?target ; dcterms:source ?source . }""").rows
    described = {(str(r["entity"]), str(r["scheme"]), str(r["id"]), str(r["source"])): r for r in rows}
    source = SOURCE.format(version=REF.version)
    for link in LINKS:
        kind, ident = link["entity"].split("/", 1)
        row = described[(f"{E}{KINDS[kind]}/{ident}", link["scheme"], link["id"], source)]
        assert str(row["match"]) == "exact"
        assert str(row["target"]).endswith("/" + link["id"])
        assert link["scheme"] in SCHEMES  # a French name for every scheme the referential writes


def test_toulouse_page_names_its_insee_code_in_french(client):
    link = link_of("territory/toulouse")
    shown = plain(section(client, "/territoire/toulouse", "external"))
    assert f"code INSEE de commune {link['id']} — correspondance exacte" in shown
    assert f"vérifié par : Découpage administratif d'Etalab {REF.version} (code officiel géographique de l'INSEE)" in shown
    assert "http://id.insee.fr" not in shown  # no bare IRI any more: the code, linked


# --- the hierarchy on the pages --------------------------------------------------------------------

def test_ville_page_shows_commune_epci_departement_region_with_codes_and_population(client):
    code = link_of("territory/toulouse")["id"]
    commune = REF.communes[code]
    epci = REF.epci[commune["epci"]]
    region = REF.regions[commune["region"]]
    body = section(client, "/territoire/toulouse", "hierarchy")
    rows = [plain(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)][1:]
    population = lambda n: f"{int(n):,}".replace(",", " ")  # noqa: E731 - a narrow no-break space, read as a space
    assert rows == [f"commune {commune['nom']} {code} {population(commune['population'])}",
                    f"EPCI {epci['nom']} {commune['epci']} {population(epci['population'])}",
                    f"département {REF.departements[commune['departement']]['nom']} {commune['departement']} —",
                    f"région {region['nom']} {commune['region']} —"]
    assert population(commune["population"]).replace(" ", "\u202f") in body  # French thousands
    assert 'href="/territoire/occitanie"' in body  # the région has a page in the graph: linked there
    assert f'href="http://id.insee.fr/geo/departement/{commune["departement"]}" rel="external"' in body


def test_collectivite_page_shows_the_territory_it_serves(client):
    link = link_of("organisation/eurometropole-de-strasbourg")
    body = section(client, "/organisation/eurometropole-de-strasbourg", "hierarchy")
    shown = plain(body)
    assert shown.startswith(f"Dans le découpage administratif officiel Lieu Code officiel Population "
                            f"EPCI {REF.epci[link['id']]['nom']} {link['id']}")
    assert "département Bas-Rhin 67" in shown and 'href="/territoire/grand-est"' in body
    marseille = section(client, "/organisation/ville-de-marseille", "hierarchy")
    assert 'href="/territoire/marseille"' in marseille  # the commune it serves is a territory of the graph


def test_region_page_lists_the_fiches_of_its_places_with_the_path(client, embedded):
    toulouse = fiches(run(QUERIES["fiches-by-entity"], {"entity": "Toulouse"}, embedded))
    assert toulouse
    body = section(client, "/territoire/occitanie", "rolled-up")
    for number in toulouse:
        article = re.search(rf"<article[^>]*>\s*<h3><a href=\"[^\"]*\">Fiche {number} —.*?</article>", body, re.S)
        assert article and "via Toulouse" in plain(article.group(0)), number
    assert "rolled-up" not in client.get("/territoire/toulouse").get_data(as_text=True)  # a ville has no roll-up


# --- fiches-by-entity rolls a région up --------------------------------------------------------------

def test_fiches_by_entity_rolls_occitanie_up_on_every_store(store, embedded):
    direct = fiches(run(QUERIES["fiches-by-territory"], {"territory": "Occitanie"}, embedded))
    result = run(QUERIES["fiches-by-entity"], {"entity": "Occitanie"}, store)
    assert result.vars == ["fiche", "title", "quote", "lines", "via"]
    assert fiches(result) == direct
    via = {int(str(r["fiche"])) for r in result.rows if str(r["via"]) == "via Toulouse"}
    assert via == fiches(run(QUERIES["fiches-by-entity"], {"entity": "Toulouse"}, embedded))
    assert run(QUERIES["fiches-by-entity"], {"entity": "ANCT"}, store).vars == ["fiche", "title", "quote", "lines"]


def test_kg_query_fiches_by_entity_occitanie_shows_the_path(built, embedded):
    out = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), "query", "fiches-by-entity",
                          "--param", "entity=Occitanie"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    header, *_ = out.stdout.splitlines()
    assert header.split() == ["Fiche", "Titre", "Citation", "Lignes", "Par"]
    toulouse = fiches(run(QUERIES["fiches-by-entity"], {"entity": "Toulouse"}, embedded))
    assert toulouse and {int(m) for m in re.findall(r"^(\d+) .* via Toulouse$", out.stdout, re.M)} == toulouse


def test_a_sparse_column_already_in_columns_is_a_french_error(tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("#+ summary: x\n#+ columns: [a, via]\n#+ sparse: {via: Par}\nSELECT ?a WHERE {}\n", encoding="utf-8")
    with pytest.raises(QueryError, match="bad.rq: « sparse » nomme des colonnes déjà dans « columns »"):
        parse_query_file(path)


# --- kg ask: « en Occitanie », « dans le Nord » --------------------------------------------------------

def test_ask_en_occitanie_is_the_territory_and_its_places(embedded):
    understood, result = ask("Quelles fiches en Occitanie ?", embedded)
    assert understood.intent == "fiches-by-territory"
    assert understood.params == {"territory": E + "territoire/occitanie"}
    assert "Occitanie (région 76)" in understood.explanation
    direct = fiches(run(QUERIES["fiches-by-entity"], {"entity": "Occitanie"}, embedded))
    assert fiches(result) == direct and "via Toulouse" in {str(r["via"]) for r in result.rows}


@pytest.mark.parametrize("question, code, said", [
    ("Quelles fiches dans le Nord ?", "59", "le Nord (département 59), par les lieux qu'il contient"),
    ("Que fait le réseau dans la Gironde ?", "33", "la Gironde (département 33), par les lieux qu'elle contient"),
    ("Quelles fiches en Haute-Garonne ?", "31", "Haute-Garonne (département 31), par les lieux qui s'y trouvent"),
])
def test_ask_a_departement_outside_the_graph_goes_through_the_referential(embedded, question, code, said):
    expected = fiches_of_places_in(embedded, code)
    assert any(expected.values()), code  # the data has a ville there that some fiche involves
    understood, result = ask(question, embedded)
    assert understood.status == "ok" and understood.intent == "fiches-by-area"
    assert understood.params == {"area": f"http://id.insee.fr/geo/departement/{code}"}
    assert said in understood.explanation
    assert fiches(result) == set().union(*expected.values())
    assert {str(r["via"]) for r in result.rows} == {f"via {label}" for label, found in expected.items() if found}


def test_nord_is_answered_by_roubaix_and_not_valenciennes_which_no_fiche_involves(embedded):
    expected = fiches_of_places_in(embedded, "59")
    assert set(expected) >= {"Roubaix", "Valenciennes"}
    _, result = ask("dans le Nord", embedded)
    assert {str(r["via"]) for r in result.rows} == {"via Roubaix"} and not expected["Valenciennes"]


def test_a_departement_without_places_of_the_graph_is_an_empty_answer_not_a_guess(embedded):
    understood, result = ask("Quelles fiches dans l'Ain ?", embedded)
    assert understood.intent == "fiches-by-area" and "l'Ain (département 01)" in understood.explanation
    assert result.rows == []


def test_fiches_by_area_binds_its_iri_as_a_term(embedded):
    with pytest.raises(QueryError):
        run(QUERIES["fiches-by-area"], {"area": "http://id.insee.fr/geo/departement/59> } ; DROP ALL ; #"}, embedded)
    assert run(QUERIES["fiches-by-area"], {"area": str(URIRef("http://id.insee.fr/geo/departement/59"))}, embedded).rows
