"""The SPARQL JSON the query worker writes from Oxigraph's terms is the document kg.formats.to_json writes."""

from __future__ import annotations

import json

from kg.formats import to_json
from kg.queries import bind, load_queries
from kg.sandbox import json_answer
from kg.terms import values_block


def test_worker_json_is_the_same_document_for_every_named_query(embedded):
    for query in load_queries().values():
        params = {p.name: p.example for p in query.params if p.example is not None}
        text = values_block(query.text, bind(query, params, embedded))
        for limit in (1000, 2):
            mine = json.loads(json_answer(embedded, text, limit))
            reference = json.loads(to_json(embedded.query(text, limit=limit)))
            assert mine == reference, (query.name, limit)


def test_worker_json_says_truncated_past_the_row_cap_and_answers_ask(embedded):
    every = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    assert json.loads(json_answer(embedded, every, 3))["truncated"] is True
    assert len(json.loads(json_answer(embedded, every, 3))["results"]["bindings"]) == 3
    assert json.loads(json_answer(embedded, "ASK { ?s ?p ?o }", 10)) == {"head": {}, "boolean": True}
    assert json.loads(json_answer(embedded, "ASK { <urn:nothing> ?p ?o }", 10))["boolean"] is False
