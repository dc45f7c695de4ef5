"""The production server (`kg serve`, waitress) from outside: SPARQLWrapper and plain HTTP with Accept headers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper
from rdflib import Graph

QUERY = """PREFIX kg: <https://ess-kg.example/ontologie#>
SELECT ?n WHERE { ?f kg:involves <https://ess-kg.example/organisation/anct> ; kg:ficheNumber ?n } ORDER BY ?n"""


def wrapper(live_server, fmt):
    sparql = SPARQLWrapper(live_server.url + "/sparql")
    sparql.setQuery(QUERY)
    sparql.setReturnFormat(fmt)
    return sparql


def test_sparqlwrapper_json(live_server):
    doc = wrapper(live_server, JSON).queryAndConvert()
    assert [int(b["n"]["value"]) for b in doc["results"]["bindings"]] == [2, 4, 5]


def test_sparqlwrapper_xml(live_server):
    dom = wrapper(live_server, XML).queryAndConvert()
    assert [node.firstChild.data for node in dom.getElementsByTagName("literal")] == ["2", "4", "5"]


def test_sparqlwrapper_csv(live_server):
    body = wrapper(live_server, CSV).queryAndConvert().decode()
    assert body.split() == ["n", "2", "4", "5"]


def test_sparqlwrapper_post_and_construct(live_server):
    sparql = SPARQLWrapper(live_server.url + "/sparql")
    sparql.setMethod("POST")
    sparql.setQuery("DESCRIBE <https://ess-kg.example/organisation/anct>")
    sparql.setReturnFormat(TURTLE)
    graph = Graph().parse(data=sparql.queryAndConvert(), format="turtle")
    assert len(graph) > 10


def test_sparqlwrapper_update_is_refused(live_server):
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    sparql = SPARQLWrapper(live_server.url + "/sparql")
    sparql.setMethod("POST")
    sparql.setQuery("DELETE WHERE { ?s ?p ?o }")
    sparql.setReturnFormat(JSON)
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)):
        sparql.queryAndConvert()
    assert wrapper(live_server, JSON).queryAndConvert()["results"]["bindings"]


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/n-triples", "nt")])
def test_iris_dereference_with_each_accept_header(live_server, accept, fmt):
    request = urllib.request.Request(live_server.url + "/programme/rtes-2024/fiche/7", headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers.get_content_type() == accept
        graph = Graph().parse(data=response.read(), format=fmt)
    assert len(graph) > 20


def test_html_for_browsers_and_json_for_programs(live_server):
    with urllib.request.urlopen(urllib.request.Request(live_server.url + "/organisation/anct",
                                                       headers={"Accept": "text/html,application/xhtml+xml"})) as r:
        assert r.headers.get_content_type() == "text/html"
    with urllib.request.urlopen(live_server.url + "/organisation/anct.json") as r:
        assert json.loads(r.read())["label"] == "Agence nationale de la cohésion des territoires"
