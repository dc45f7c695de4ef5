"""Named queries: the same correct answers from every store (embedded, in memory, a real Oxigraph server)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from rdflib import Literal, URIRef

from kg.formats import to_csv, to_json
from kg.queries import QueryError, bind, load_queries, resolve_entity, run
from kg.store import StoreError
from kg.terms import TermError, term_to_sparql, values_block

from .conftest import ROOT

QUERIES = load_queries()
INJECTIONS = ['a" } DROP ALL #', "x' } ; CLEAR ALL", "<http://evil> } SERVICE <http://127.0.0.1:1/> {",
              "ligne\nsuivante\"\"\"", "\\u0022) } #", "é" * 300]


def ask(store, name, **params):
    return run(QUERIES[name], {k: str(v) for k, v in params.items()}, store)


def column(result, name):
    return [None if row[name] is None else row[name].toPython() for row in result.rows]


def test_the_library_has_the_promised_queries():
    assert {"fiches-by-entity", "referents", "fiches-by-person", "top-referents", "events", "co-occurring",
            "axes", "entities", "search"} <= set(QUERIES)
    for query in QUERIES.values():
        assert query.summary and query.summary_en and query.columns
        for param in query.params:
            assert param.description


def test_fiches_by_entity_anct(store):
    result = ask(store, "fiches-by-entity", entity="ANCT")
    assert column(result, "fiche") == [2, 4, 5]
    assert all(isinstance(row["fiche"], Literal) and row["fiche"].datatype.endswith("#integer") for row in result.rows)
    assert "ANCT" in str(result.rows[1]["quote"])


@pytest.mark.parametrize("value", ["ANCT", "anct", "l'ANCT", "ex CGET", "Agence nationale de la cohésion des territoires",
                                   "https://ess-kg.example/organisation/anct"])
def test_entity_parameter_resolves_labels_aliases_and_iris(store, value):
    assert column(ask(store, "fiches-by-entity", entity=value), "fiche") == [2, 4, 5]


def test_fiches_mentioning_sieg(store):
    assert column(ask(store, "fiches-by-entity", entity="SIEG"), "fiche") == [2, 8, 9, 14]


def test_referents_of_fiche_7(store):
    result = ask(store, "referents", fiche=7)
    rows = {(str(r["name"]), str(r["role"])) for r in result.rows}
    assert ("Stéphane Pfeiffer", "referent-ca") in rows
    assert ("Benjamin Guéraud-Pinet", "referent-equipe") in rows
    assert str(result.rows[0]["role"]) == "referent-ca"


def test_referent_unknown_is_shown(store):
    rows = {(str(r["name"]), str(r["role"])) for r in ask(store, "referents", fiche=14).rows}
    assert rows == {("?", "referent-ca"), ("Chloé Sécher", "referent-equipe")}


def test_fiches_by_person(store):
    result = ask(store, "fiches-by-person", person="Stéphane Pfeiffer")
    assert sorted(set(column(result, "fiche"))) == [2, 3, 6, 7, 9, 11]
    assert {(r["fiche"].toPython(), str(r["role"])) for r in result.rows} >= {(7, "referent-ca"), (3, "contributeur")}


def test_top_referents(store):
    result = ask(store, "top-referents")
    assert str(result.rows[0]["name"]) == "Patricia Andriot" and result.rows[0]["fiches"].toPython() == 6
    assert column(result, "fiches") == sorted(column(result, "fiches"), reverse=True)
    team = ask(store, "top-referents", role="referent-equipe")
    assert str(team.rows[0]["name"]) == "Anne-Laure Federici"


def test_events_in_june_2024_include_partial_dates(store):
    result = ask(store, "events", **{"from": "2024-06-01", "to": "2024-06-30"})
    events = {str(e).rsplit("/", 1)[-1] for e in column(result, "event")}
    assert {"seminaire-foncier-2024-06", "club-collectivites-occitanie-2024-06", "congres-ess-france-2024-06-12"} <= events
    assert "webinaire-agrement-esus-2023-03-30" not in events
    month = ask(store, "events", **{"from": "2024-06", "to": "2024-06"})
    assert {str(e) for e in column(month, "event")} == {str(e) for e in column(result, "event")}


def test_events_filters(store):
    result = ask(store, "events", status="realise", kind="webinaire", min_participants=50)
    assert {str(r["label"]) for r in result.rows} == {
        "Webinaire sur l'agrément ESUS",
        "Webinaire pour les collectivités avec Frédéric Tiberghien sur l'évaluation de la loi ESS"}
    assert all(r["participants"].toPython() >= 50 for r in result.rows)
    planned = ask(store, "events", status="prevu")
    assert planned.rows and all(str(r["status"]) == "prevu" for r in planned.rows)


def test_co_occurring(store):
    result = ask(store, "co-occurring", entity="ANCT")
    shared = {str(r["entity"]).rsplit("/", 1)[-1]: r["shared"].toPython() for r in result.rows}
    assert shared["avise"] == 2
    assert "anct" not in shared
    assert column(result, "shared") == sorted(column(result, "shared"), reverse=True)


def test_axes(store):
    result = ask(store, "axes")
    assert column(result, "fiches") == [3, 2, 4, 2, 1, 1, 1]
    assert str(result.rows[0]["label"]) == "AXE 1 - CHANTIERS OUVERTS EN 2023"


def test_entities_of_a_type(store):
    people = ask(store, "entities", type="personne")
    assert len(people.rows) == 25 and {str(r["type"]) for r in people.rows} == {"personne"}
    assert str(people.rows[0]["label"]) == "Anne-Laure Federici"
    everything = ask(store, "entities")
    assert {str(r["type"]) for r in everything.rows} == {"organisation", "personne", "loi", "outil", "territoire",
                                                         "publication", "evenement"}


@pytest.mark.parametrize("text,label", [("ile de france", "Île-de-France"), ("federici", "Anne-Laure Federici"),
                                        ("ÉTIENNE", None), ("cget", "Agence nationale de la cohésion des territoires"),
                                        ("Scic", "Sociétés coopératives d’intérêt collectif")])
def test_search_is_case_and_accent_insensitive(store, text, label):
    labels = column(ask(store, "search", text=text), "label")
    if label is None:
        assert labels == []
    else:
        assert labels[0] == label


def test_every_query_gives_the_same_rows_on_every_store(store, embedded):
    """Run every query with its examples on this store and on the embedded one: identical rows."""
    for query in QUERIES.values():
        params = {p.name: p.example for p in query.params if p.example is not None}
        mine = run(query, params, store)
        reference = run(query, params, embedded)
        assert json.loads(to_json(mine)) == json.loads(to_json(reference)), query.name
        assert mine.vars == query.columns


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_in_text_parameters_is_a_clean_answer(store, value):
    before = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
    result = ask(store, "search", text=value)
    assert result.rows == []
    after = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
    assert before == after


@pytest.mark.parametrize("value", INJECTIONS + ["https://ess-kg.example/organisation/anct> } #"])
def test_injection_in_entity_parameters_is_a_clean_error(store, value):
    with pytest.raises(QueryError):
        ask(store, "fiches-by-entity", entity=value)


@pytest.mark.parametrize("name,params,message", [
    ("referents", {"fiche": "sept"}, "un nombre entier est attendu"),
    ("referents", {}, "le paramètre « fiche » est obligatoire (exemple : --param fiche=7)"),
    ("events", {"from": "la semaine des quatre jeudis"}, "Du : date attendue, par exemple « juin 2024 »"),
    ("events", {"from": "2024-02-30"}, "date impossible"),
    ("events", {"status": "fini"}, "valeur « fini » non permise"),
    ("top-referents", {"rol": "x"}, "paramètre inconnu « rol » (vouliez-vous dire « role » ?)"),
    ("fiches-by-entity", {"entity": "Patricia"}, "est ambigu ; précisez parmi : Patricia Andriot"),
    ("fiches-by-entity", {"entity": "Avisse"}, "entité inconnue « Avisse » ; entités proches : Avise"),
])
def test_bad_parameters_are_clear_errors(embedded, name, params, message):
    with pytest.raises(QueryError) as info:
        run(QUERIES[name], params, embedded)
    assert message in str(info.value)


def test_values_block_escapes_every_term():
    query = "SELECT ?x WHERE { ?x ?p ?text }"
    text = values_block(query, {"text": Literal('a" } DROP ALL #\n'), "iri": URIRef("https://e.org/a")})
    assert 'VALUES ?iri { <https://e.org/a> } VALUES ?text { "a\\" } DROP ALL #\\n" }' in text
    assert text.index("VALUES") > text.index("{")
    with pytest.raises(TermError):
        term_to_sparql(URIRef("https://e.org/a> } DROP ALL {"))


def test_values_block_goes_into_the_where_group_of_a_construct():
    """A CONSTRUCT's template is not its WHERE group (entity pages broke when Oxigraph switched to VALUES)."""
    query = "CONSTRUCT { ?this ?p ?o } WHERE { ?this ?p ?o }"
    out = values_block(query, {"this": URIRef("https://e.org/a")})
    assert out.startswith("CONSTRUCT { ?this ?p ?o } WHERE {\n  VALUES ?this { <https://e.org/a> }")


def test_values_block_skips_braces_in_comments_strings_and_iris():
    query = '# a { comment\nPREFIX x: <http://e.org/{x}>\nSELECT ?x WHERE { ?x ?p "{" }'
    out = values_block(query, {"x": Literal(1)})
    assert out.startswith('# a { comment\nPREFIX x: <http://e.org/{x}>\nSELECT ?x WHERE {\n  VALUES ?x {')


def test_resolve_entity_by_identifier(embedded):
    iri, label = resolve_entity(embedded, "eurometropole-de-strasbourg")
    assert label == "Eurométropole de Strasbourg"


def test_unknown_sparql_is_a_store_error(store):
    with pytest.raises(StoreError):
        store.query("SELECT ?x WHERE { ?x ")


def test_csv_and_json_formats(embedded):
    result = ask(embedded, "fiches-by-entity", entity="ANCT")
    doc = json.loads(to_json(result))
    assert doc["head"]["vars"] == ["fiche", "title", "quote", "lines"]  # JSON and CSV keep the variable names
    assert doc["results"]["bindings"][0]["fiche"] == {"type": "literal", "value": "2",
                                                      "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert to_csv(result).splitlines()[0] == "fiche,title,quote,lines"


def test_cli_query_json_and_errors(built):
    def kg(*args):
        return subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), *args],
                              capture_output=True, text=True, cwd=ROOT)
    ok = kg("query", "fiches-by-entity", "--param", "entity=ANCT", "--format", "json")
    assert ok.returncode == 0
    assert [int(b["fiche"]["value"]) for b in json.loads(ok.stdout)["results"]["bindings"]] == [2, 4, 5]
    bad = kg("query", "fiches-by-entyty")
    assert bad.returncode == 1 and bad.stderr.strip() == \
        "kg: requête inconnue « fiches-by-entyty » (vouliez-vous dire « fiches-by-entity » ?) ; voir « kg queries »"
    listing = kg("queries")
    assert all(name in listing.stdout for name in QUERIES)
    adhoc = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), "sparql", "-", "--format", "csv"],
                           input="PREFIX kg: <https://ess-kg.example/ontologie#>\nSELECT (COUNT(?f) AS ?n) WHERE { ?f a kg:Fiche }",
                           capture_output=True, text=True, cwd=ROOT)
    assert adhoc.stdout.splitlines()[1] == "14"


def test_cli_against_the_oxigraph_server(oxigraph_server):
    result = subprocess.run([sys.executable, "-m", "kg.cli", "query", "fiches-by-entity", "-p", "entity=ANCT",
                             "--format", "csv", "--store", oxigraph_server.query_url], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:] if line] == ["2", "4", "5"]


def test_remote_store_down_is_a_clear_error(tmp_path):
    from kg.store import RemoteStore
    from .conftest import _free_port

    store = RemoteStore(f"http://127.0.0.1:{_free_port()}/query", timeout=2, retries=1, backoff=0.05)
    with pytest.raises(StoreError) as info:
        store.query("ASK {}")
    assert "ne répond pas" in str(info.value) and "après 2 essai(s)" in str(info.value)


def test_readme_lists_every_named_query():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z-]+)` \|", readme, flags=re.M))
    assert listed == set(QUERIES)


def test_publish_through_sparql_update(built, tmp_path):
    """For servers without the Graph Store Protocol: CLEAR then INSERT DATA in chunks."""
    from kg.store import RemoteStore
    from .conftest import OxigraphServer

    server = OxigraphServer(tmp_path / "ox")
    try:
        result = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), "publish", "--endpoint",
                                 server.query_url, "--update-endpoint", f"{server.url}/update"],
                                capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        remote = RemoteStore(server.query_url, retries=0)
        count = remote.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"].toPython()
        assert count == int(result.stdout.split()[0]) > 10000
        assert [r["fiche"].toPython() for r in run(QUERIES["fiches-by-entity"], {"entity": "ANCT"}, remote).rows] == [2, 4, 5]
    finally:
        server.stop()


@pytest.mark.parametrize("text", ["ile de france", "federici", "ess", "e", "loi", "anct", "économie", "cress", "scic"])
def test_search_index_answers_exactly_as_the_sparql_query(embedded, built, text):
    """The in-memory index (read from the file the build writes) gives the SPARQL query's rows, in its order."""
    from kg.search import INDEX_FILE, index_for

    assert (built / "current" / INDEX_FILE).exists()
    query = QUERIES["search"]
    bindings = bind(query, {"text": text}, embedded)
    by_sparql = embedded.query(query.text, bindings).rows
    by_index = index_for(embedded).search(str(bindings["text"]))
    assert [(r["entity"], r["label"], r["type"], int(r["best"])) for r in by_sparql] == \
           [(r["entity"], r["label"], r["type"], int(r["best"])) for r in by_index]
    limited = run(query, {"text": text}, embedded, limit=2)
    assert [r["entity"] for r in limited.rows] == [r["entity"] for r in by_sparql[:2]]
    assert limited.truncated == (len(by_sparql) > 2)
