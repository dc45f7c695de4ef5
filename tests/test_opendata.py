"""Exports parse back to the same graph, JSON-LD expands offline, VoID counts match, kg link only proposes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from rdflib import Dataset, Graph

from kg.export import FORMATS, csv_tables, serialize, to_dataset
from kg.void import DATASET, VOID

from .conftest import DATA, ROOT, OxigraphServer


def triples(graph: Graph) -> set:
    return set(graph)


def test_graph_has_no_blank_nodes_so_set_equality_is_isomorphism(graph):
    from rdflib import BNode

    assert not any(isinstance(t, BNode) for triple in graph for t in triple)


@pytest.mark.parametrize("fmt,parse_as", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_every_export_parses_back_to_the_same_graph(graph, fmt, parse_as):
    back = Graph().parse(data=serialize(graph, fmt), format=parse_as)
    assert triples(back) == triples(graph)


def test_trig_has_one_named_graph_per_fiche_and_the_same_triples(graph):
    ds = Dataset()
    ds.parse(data=serialize(graph, "trig"), format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    fiches = {f"https://ess-kg.example/programme/rtes-2024/fiche/{n}" for n in range(1, 15)}
    assert fiches <= names and "https://ess-kg.example/graphe/commun" in names
    union = {(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))}
    assert union == triples(graph)
    fiche7 = ds.graph(__import__("rdflib").URIRef("https://ess-kg.example/programme/rtes-2024/fiche/7"))
    assert all(str(s).startswith("https://ess-kg.example/programme/rtes-2024/fiche/7") for s in fiche7.subjects())


def test_jsonld_expands_with_pyld_without_fetching(graph):
    from pyld import jsonld

    def refuse(url, options=None):
        raise AssertionError(f"remote fetch attempted: {url}")

    doc = json.loads(serialize(graph, "jsonld"))
    assert isinstance(doc["@context"], dict)
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": refuse})
    back = Graph().parse(data=nquads, format="nt")
    assert len(back) == len(graph)
    expanded = jsonld.expand(doc, {"documentLoader": refuse})
    assert any(node.get("@id") == "https://ess-kg.example/organisation/anct" for node in expanded)


def test_csv_tables_open_in_a_spreadsheet(graph):
    tables = csv_tables(graph)
    fiches = list(csv.DictReader(io.StringIO(tables["fiches.csv"].lstrip("\ufeff"))))
    assert [int(r["fiche"]) for r in fiches] == list(range(1, 15))
    assert fiches[6]["titre"] == "Sociétés Coopératives d’Intérêt Collectif - SCIC"
    roles = list(csv.DictReader(io.StringIO(tables["roles.csv"].lstrip("\ufeff"))))
    assert {"fiche": "7", "role": "referent-ca", "nom": "Stéphane Pfeiffer"}.items() <= next(
        r for r in roles if r["fiche"] == "7" and r["role"] == "referent-ca").items()
    involved = list(csv.DictReader(io.StringIO(tables["entites_fiches.csv"].lstrip("\ufeff"))))
    assert sorted({int(r["fiche"]) for r in involved if r["iri"].endswith("/organisation/anct")}) == [2, 4, 5]
    events = list(csv.DictReader(io.StringIO(tables["evenements.csv"].lstrip("\ufeff"))))
    seminar = next(r for r in events if r["iri"].endswith("seminaire-national-politique-de-la-ville-ess"))
    assert (seminar["participants"], seminar["precision"]) == ("280", "minimum")


def test_cli_export_formats(built, tmp_path):
    for fmt in FORMATS:
        out = tmp_path / ("tables" if fmt == "csv" else f"graph.{fmt}")
        result = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), "export", "--format", fmt,
                                 "--output", str(out)], capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        assert out.exists()
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == [
        "entites.csv", "entites_fiches.csv", "evenements.csv", "fiches.csv", "roles.csv"]
    stdout = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), "export", "--format", "nt"],
                            capture_output=True, cwd=ROOT)
    assert len(Graph().parse(data=stdout.stdout, format="nt")) > 10000
    refused = subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), "export", "--format", "csv",
                              "--output", str(tmp_path / "t"), "--table", "roles"], capture_output=True, text=True, cwd=ROOT)
    assert refused.returncode == 1 and "avec --output, toutes les tables" in refused.stderr


def test_void_counts_equal_the_store_counts(built, embedded):
    void = Graph().parse(built / "current" / "void.ttl")
    total = embedded.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"].toPython()
    assert int(void.value(DATASET, VOID.triples)) == total
    for part in void.objects(DATASET, VOID.classPartition):
        cls = void.value(part, VOID["class"])
        count = embedded.query("SELECT (COUNT(?s) AS ?n) ?c WHERE { ?s a ?c } GROUP BY ?c", {"c": cls}).rows[0]["n"].toPython()
        assert int(void.value(part, VOID.entities)) == count, cls
    entities = embedded.query("PREFIX kg: <https://ess-kg.example/ontologie#> "
                              "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s kg:entityType ?t }").rows[0]["n"].toPython()
    assert int(void.value(DATASET, VOID.entities)) == entities
    for prop in ("title", "description", "publisher", "source", "license", "created"):
        assert void.value(DATASET, __import__("rdflib").namespace.DCTERMS[prop]) is not None, prop
    assert void.value(DATASET, VOID.sparqlEndpoint) is not None and void.value(DATASET, VOID.exampleResource) is not None


def test_downloads_and_bundle(client):
    page = client.get("/telecharger").get_data(as_text=True)
    for name in ("graph.ttl", "graph.nt", "graph.jsonld", "graph.trig", "tables.zip", "void.ttl", "bundle.zip"):
        assert f'href="/telecharger/{name}"' in page
        with client.get(f"/telecharger/{name}") as response:
            assert response.status_code == 200 and response.get_data()
    with client.get("/telecharger/bundle.zip") as response:
        bundle = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert {"graph.ttl", "graph.nt", "graph.jsonld", "graph.trig", "void.ttl", "tables/fiches.csv"} <= set(bundle.namelist())
    assert client.get("/telecharger/../manifest.json").status_code == 404


@pytest.mark.parametrize("name", ["bundle.zip", "tables.zip"])
def test_zip_members_are_readable_once_unzipped(client, name):
    """Bug: members written from text had mode 0600, unreadable by others once unzipped."""
    with client.get(f"/telecharger/{name}") as response:
        members = zipfile.ZipFile(io.BytesIO(response.get_data())).infolist()
    assert members and {oct((m.external_attr >> 16) & 0o777) for m in members} == {oct(0o644)}


def test_void_and_dataset_pages(client):
    turtle = client.get("/.well-known/void")
    assert turtle.mimetype == "text/turtle"
    assert "void:classPartition" in turtle.get_data(as_text=True)
    assert "Entités par type" in client.get("/dataset").get_data(as_text=True)


def test_ontology_documentation_and_turtle(client):
    page = client.get("/ontologie").get_data(as_text=True)
    for term in ("kg:Fiche", "kg:involves", "kg:Event", "kg:participantsPrecision"):
        assert f"<code>{term}</code>" in page
    assert "Action sheet" in page and "Chaque événement est rattaché à au moins une fiche." in page
    turtle = client.get("/ontologie", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle" and len(Graph().parse(data=turtle.get_data(), format="turtle")) > 300


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_kg_link_proposes_candidates_from_a_local_server_and_writes_nothing_to_data(tmp_path):
    server = OxigraphServer(tmp_path / "wd")
    try:
        from kg.store import RemoteStore

        fixture = Graph().parse(Path(__file__).parent / "fixtures" / "wikidata" / "labels.ttl")
        RemoteStore(server.query_url).publish(fixture)
        before = _tree_hash(DATA)
        review = tmp_path / "review.yaml"
        result = subprocess.run([sys.executable, "-m", "kg.cli", "link", "--endpoint", server.query_url,
                                 "--output", str(review), "--pause", "0", "--batch", "7"],
                                capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        assert "rien n'a été écrit dans data/" in result.stdout
        assert _tree_hash(DATA) == before
        doc = yaml.safe_load(review.read_text(encoding="utf-8"))
        by_entity = {p["entity"]: p for p in doc["proposals"]}
        anct = by_entity["organisation/anct"]["candidates"]
        assert anct[0]["id"] == "Q9000001" and anct[0]["score"] == 1.0
        assert anct[0]["description"].startswith("établissement public français")
        assert {c["id"] for c in anct} == {"Q9000001", "Q9000002"}
        assert "concept/ptce" in by_entity
        assert "organisation/eurometropole-de-strasbourg" not in by_entity  # already linked: not proposed again
    finally:
        server.stop()
