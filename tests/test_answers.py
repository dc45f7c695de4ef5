"""Answers as people read them: French headers, one linked cell per entity, codes in words, quotes with their
lines, an event once with its fiches, French dates in the forms, a spreadsheet download."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import pytest
from rdflib import Literal

from kg import codes
from kg.dates import form_date
from kg.queries import QueryError, load_queries, parse_query_file, run
from kg.store import Result
from kg.tables import layout, safe_cell, to_sheet

from .conftest import ROOT

QUERIES = load_queries()
SOURCE = (ROOT / "data" / "programmes" / "rtes-2024" / "source" / "rtes-programme-actions-2024.txt").read_text(encoding="utf-8").splitlines()
P = "PREFIX kg: <https://ess-kg.example/ontologie#>\n"


def text(response) -> str:
    return response.get_data(as_text=True)


# --- headers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_labels_every_column_and_parameter_in_french(name):
    query = QUERIES[name]
    assert set(query.labels) == set(query.columns), f"{name}: #+ labels must name every column"
    assert all(label and label != column for column, label in query.labels.items())
    assert all(p.label for p in query.params), f"{name}: every parameter needs a French label (its own or its column's)"


def test_a_query_without_labels_falls_back_to_column_names(tmp_path):
    path = tmp_path / "bare.rq"
    path.write_text("#+ summary: s\n#+ columns: [a, b]\n#+ labels: {a: Alpha}\nSELECT ?a ?b WHERE {}\n", encoding="utf-8")
    query = parse_query_file(path)
    assert [query.label(c) for c in query.columns] == ["Alpha", "b"]


def test_a_parameter_named_as_a_column_reads_as_the_column(tmp_path):
    path = tmp_path / "param.rq"
    path.write_text("#+ summary: s\n#+ params:\n#+   entity: {type: entity}\n#+   n: {type: integer, label: Nombre}\n"
                    "#+ columns: [entity]\n#+ labels: {entity: Entité}\nSELECT ?entity WHERE {}\n", encoding="utf-8")
    assert [p.title() for p in parse_query_file(path).params] == ["Entité", "Nombre"]


def test_labels_naming_an_unknown_column_are_an_error(tmp_path):
    path = tmp_path / "typo.rq"
    path.write_text("#+ summary: s\n#+ columns: [a]\n#+ labels: {b: Bêta}\nSELECT ?a WHERE {}\n", encoding="utf-8")
    with pytest.raises(QueryError, match="labels.*b"):
        parse_query_file(path)


# --- one cell per entity, codes in words -----------------------------------------------------------

def test_an_iri_and_its_name_are_one_cell(embedded):
    table = layout(run(QUERIES["referents"], {"fiche": "7"}, embedded))
    assert table.headers == ["Personne", "Rôle", "Portée"]
    first = table.rows[0]
    assert (first[0].text, first[0].iri) == ("Stéphane Pfeiffer", "https://ess-kg.example/personne/stephane-pfeiffer")
    assert first[1].text == "référent CA"


def test_codes_come_from_one_table_in_words():
    assert codes.code_label("status", "prevu") == "prévu"
    assert codes.code_label("role", "referent-ca") == "référent CA"
    assert codes.code_label("kind", "congres") == "congrès"
    assert codes.code_label("type", "loi") == "texte juridique"
    assert codes.code_label("label", "prevu") == "prevu"  # a name that happens to look like a code stays as it is
    assert codes.enum_label(["realise", "prevu", "propose"], "realise") == "réalisé"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_no_answer_shows_a_raw_code(embedded, name):
    """Every code the shapes allow has words, and no cell of any example answer shows a code."""
    query = QUERIES[name]
    params = {p.name: p.example for p in query.params if p.example is not None}
    table = layout(run(query, params, embedded))
    raw = {c for family in codes.FAMILIES.values() for c, words in family.items() if words != c}
    for row in table.rows:
        for cell in row:
            assert cell.text not in raw, (name, cell.column, cell.text)


def test_every_code_the_shapes_allow_has_words():
    shapes = (ROOT / "ontology" / "shapes.ttl").read_text(encoding="utf-8")
    for path, family in (("kg:eventStatus", codes.STATUS), ("kg:roleCode", codes.ROLE)):
        allowed = re.search(rf"sh:path {path} ;[^\]]*?sh:in \(([^)]*)\)", shapes).group(1)
        assert set(re.findall(r'"([^"]+)"', allowed)) == set(family), path
    kinds = re.search(r'sh:in \( "webinaire"([^)]*)\)', shapes).group(0)
    assert set(re.findall(r'"([^"]+)"', kinds)) == set(codes.EVENT_KIND)


def test_every_quote_comes_with_its_lines_in_the_source(embedded):
    result = run(QUERIES["fiches-by-entity"], {"entity": "ANCT"}, embedded)
    assert result.rows
    for row in result.rows:
        first, _, last = str(row["lines"]).partition("–")
        span = " ".join(SOURCE[int(first) - 1: int(last or first)])
        words = str(row["quote"]).split()
        assert words[0] in span and words[-1] in span, (row["fiche"], row["lines"])


# --- an event once, with its fiches ----------------------------------------------------------------

def test_an_event_is_listed_once_with_all_its_fiches(store):
    result = run(QUERIES["events"], {}, store)
    events = [str(r["event"]) for r in result.rows]
    assert len(events) == len(set(events))
    truth: dict[str, set[int]] = {}
    for r in store.query(P + "SELECT ?e ?n WHERE { ?e a kg:Event ; kg:fiche ?f . ?f kg:ficheNumber ?n }").rows:
        truth.setdefault(str(r["e"]), set()).add(int(r["n"]))
    assert set(events) == set(truth)
    shared = 0
    for r in result.rows:
        numbers = [int(n) for n in str(r["fiches"]).split(", ")]
        assert numbers == sorted(truth[str(r["event"])])
        shared += len(numbers) > 1
    assert shared  # some events are reported by several fiches


def test_event_fiches_are_links_on_the_page(client):
    body = text(client.get("/queries/events?envoyer=1"))
    # each to its own programme's fiche (the canonical page /fiche/N redirects to)
    several = re.search(r'<td><a href="/programme/rtes-2024/fiche/(\d+)">\1</a>, '
                        r'<a href="/programme/rtes-2024/fiche/(\d+)">\2</a>', body)
    assert several, "an event with several fiches shows each as a link"
    assert "<th scope=\"col\">Fiches</th>" in body and ">prevu<" not in body and ">prévu<" in body


# --- French dates in the forms ---------------------------------------------------------------------

@pytest.mark.parametrize("words,iso", [("juin 2024", "2024-06"), ("Juin 2024", "2024-06"), ("2024", "2024"),
                                       ("début 2024", "2024"), ("en mars 2023", "2023-03")])
def test_forms_read_the_dates_the_question_box_reads(embedded, words, iso):
    said = run(QUERIES["events"], {"from": words, "to": words}, embedded)
    typed = run(QUERIES["events"], {"from": iso, "to": iso}, embedded)
    assert [r["event"] for r in said.rows] == [r["event"] for r in typed.rows]


def test_form_date_bounds():
    assert (form_date("juin 2024", "start"), form_date("juin 2024", "end")) == ("2024-06-01", "2024-06-30")
    assert form_date("le 12 juin 2024", "end") == "2024-06-12"
    assert form_date("avant mai 2024") is None and form_date("bientôt") is None


def test_a_form_with_a_french_date_answers(client):
    response = client.get("/queries/events", query_string={"from": "juin 2024", "to": "juin 2024", "envoyer": "1"})
    assert response.status_code == 200 and "Séminaire foncier" in text(response)
    bad = client.get("/queries/events", query_string={"from": "aux calendes grecques"})
    assert bad.status_code == 400 and "Du : date attendue" in text(bad)


# --- pages, CLI, downloads -------------------------------------------------------------------------

def test_canned_question_page_has_french_headers_and_one_linked_cell(client):
    body = text(client.get("/queries/referents?fiche=7"))
    head = re.search(r"<thead>(.*?)</thead>", body).group(1)
    assert re.findall(r">([^<]+)</th>", head) == ["Personne", "Rôle", "Portée"]
    assert '<td><a href="/personne/stephane-pfeiffer">Stéphane Pfeiffer</a></td><td>référent CA</td>' in body
    assert '<label for="p-fiche">Fiche' in body


def test_question_box_answer_has_french_headers(client):
    body = text(client.get("/demander", query_string={"q": "Quelles fiches impliquent l'ANCT ?"}))
    head = re.search(r'<table class="results">\s*<thead>(.*?)</thead>', body).group(1)
    assert re.findall(r">([^<]+)</th>", head) == ["Fiche", "Titre", "Citation"]  # each quote carries its lines
    assert '<a href="/programme/rtes-2024/fiche/4">4</a>' in body
    assert re.search(r'<q>Interventions ponctuelles et lien ANCT.</q> <a class="lines"[^>]*>l. 190</a>', body)
    assert re.search(r'<q>Séminaire national[^<]*</q> <a class="lines"[^>]*>l. 258–266</a>', body)


def test_search_field_of_a_canned_question_page_is_empty(client):
    """Bug: the page passed its query object under the name the layout uses for the search text."""
    body = text(client.get("/queries/events"))
    assert "NamedQuery(" not in body
    assert re.search(r'<input id="q" name="q"[^>]*value=""', body, re.S)


def test_enum_choices_are_words(client):
    body = text(client.get("/queries/events"))
    assert '<option value="congres">congrès</option>' in body and '<option value="prevu">prévu</option>' in body


def test_cli_table_speaks_french(built):
    out = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), "query", "referents",
                          "--param", "fiche=7"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    header = out.stdout.splitlines()[0].split()
    assert header == ["Personne", "Rôle", "Portée"] and "référent CA" in out.stdout


def test_spreadsheet_download_with_semicolons_and_a_bom(client):
    body = text(client.get("/queries/fiches-by-entity?entity=ANCT&envoyer=1"))
    assert 'href="/queries/fiches-by-entity.csv?entity=ANCT&amp;envoyer=1&amp;sep=%3B"' in body
    response = client.get("/queries/fiches-by-entity.csv?entity=ANCT&envoyer=1&sep=%3B")
    data = response.get_data()
    assert data.startswith("\ufeff".encode()) and response.status_code == 200
    assert 'filename="fiches-by-entity-tableur.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Fiche", "Titre", "Citation", "Lignes"] and [r[0] for r in rows[1:]] == ["2", "4", "5"]
    plain = text(client.get("/queries/fiches-by-entity.csv?entity=ANCT"))
    assert not plain.startswith("\ufeff") and plain.splitlines()[0] == "Fiche,Titre,Citation,Lignes"


@pytest.mark.parametrize("sep", [",", ";"])
def test_formula_like_cells_are_neutralised(sep):
    result = Result(["label", "quote"], [{"label": Literal("=HYPERLINK(\"http://x\")"), "quote": Literal("-2+3")},
                                         {"label": Literal("@SUM(A1)"), "quote": Literal("+33 1 23")}],
                    extra={"labels": {"label": "Nom", "quote": "Citation"}})
    rows = list(csv.reader(io.StringIO(to_sheet(result, sep).lstrip("\ufeff")), delimiter=sep))
    assert rows[1:] == [["'=HYPERLINK(\"http://x\")", "'-2+3"], ["'@SUM(A1)", "'+33 1 23"]]
    assert safe_cell("ESS France") == "ESS France"


def test_an_iri_cell_keeps_its_address_in_the_spreadsheet(embedded):
    sheet = to_sheet(run(QUERIES["referents"], {"fiche": "7"}, embedded))
    rows = list(csv.reader(io.StringIO(sheet)))
    assert rows[0] == ["Personne", "Nom", "Rôle", "Portée"]
    assert rows[1][:3] == ["https://ess-kg.example/personne/stephane-pfeiffer", "Stéphane Pfeiffer", "référent CA"]


def test_json_answers_keep_the_sparql_variable_names(client):
    doc = client.get("/queries/referents.json?fiche=7").get_json(force=True)
    assert doc["head"]["vars"] == QUERIES["referents"].columns
    assert doc["results"]["bindings"][0]["role"]["value"] == "referent-ca"


def test_readme_documents_the_json_names():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "noms des variables SPARQL" in readme



def test_readme_example_table_is_what_the_cli_prints(built):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"kg query fiches-by-entity --param entity=ANCT\n```\n```\n(.*?)```", readme, re.S).group(1)
    out = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), "query", "fiches-by-entity",
                          "--param", "entity=ANCT"], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout == shown
