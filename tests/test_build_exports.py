"""The build's CSV tables and search index, read straight from Oxigraph's terms, are those the old way gave (every
answer made into rdflib terms, then written): on the real data and on the three programmes of the fixtures."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from kg.export import NOT_PRINTED_TABLES, PROPERTY_FR, TABLES, csv_tables, spreadsheet_safe
from kg.namespaces import sparql_prefixes
from kg.search import INDEX_FILE, INDEX_QUERY, SearchIndex
from kg.store import OxigraphStore


def _tables_the_old_way(store: OxigraphStore) -> dict[str, str]:
    """The tables as kg/export.py wrote them before: ``Store.query`` rows of rdflib terms, ``str`` of each."""
    notes: dict[str, list[str]] = {}
    for row in store.query(sparql_prefixes() + """SELECT ?s ?p ?why WHERE {
  ?s kg:notPrinted ?n . ?n kg:onProperty ?p ; rdfs:label ?why } ORDER BY ?s ?p""").rows:
        notes.setdefault(str(row["s"]), []).append(f"{PROPERTY_FR.get(str(row['p']), str(row['p']))} : {row['why']}")
    joined = {iri: " ; ".join(parts) for iri, parts in notes.items()}
    out = {}
    for name, query in TABLES.items():
        result = store.query(sparql_prefixes() + query)
        extra = name in NOT_PRINTED_TABLES
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.vars + (["non_imprime"] if extra else []))
        for row in result.rows:
            cells = [spreadsheet_safe("" if row[v] is None else str(row[v])) for v in result.vars]
            writer.writerow(cells + ([joined.get(str(row["iri"]), "")] if extra else []))
        out[name] = buffer.getvalue()
    return out


def _index_the_old_way(store: OxigraphStore) -> dict:
    old = SearchIndex.from_rows(store.query(sparql_prefixes() + INDEX_QUERY).rows)
    return {"entities": [list(e) for e in old.entities], "keys": [[k, o] for k, o in zip(old.keys, old.owners)]}


def _check_build(dist) -> None:
    current = dist / "current"
    store = OxigraphStore(current / "store")
    old = _tables_the_old_way(store)
    assert all(text.count("\r\n") > 1 for text in old.values())  # every table has rows to compare
    assert csv_tables(store) == old
    with zipfile.ZipFile(current / "telecharger" / "tables.zip") as z:
        assert {name: z.read(name).decode("utf-8") for name in z.namelist()} == old
    new = SearchIndex.from_oxigraph(store)
    assert {"entities": [list(e) for e in new.entities], "keys": [[k, o] for k, o in zip(new.keys, new.owners)]} \
        == _index_the_old_way(store)
    assert json.loads((current / INDEX_FILE).read_text(encoding="utf-8")) == _index_the_old_way(store)


def test_tables_and_search_index_of_the_real_data_are_those_of_the_old_way(built):
    _check_build(built)


def test_tables_and_search_index_of_three_programmes_are_those_of_the_old_way(three_built):
    _check_build(three_built)
