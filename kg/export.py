"""Exports: Turtle, N-Triples, JSON-LD (inline context), TriG (one named graph per programme and per fiche), CSV
tables, a bundle."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.namespaces import BASE, KG, PREFIXES
import pyoxigraph as ox

from kg.store import OxigraphStore
from kg.terms import values_block

FORMATS = ("ttl", "nt", "jsonld", "trig", "csv")
SHARED_GRAPH = URIRef(BASE + "graphe/commun")
CONTEXT_URL = BASE + "contexte.jsonld"


def jsonld_context() -> dict:
    """The JSON-LD context we publish at /contexte.jsonld and embed in every JSON-LD export."""
    context: dict = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    context.update({
        "label": {"@id": "rdfs:label", "@container": "@language"},
        "ficheNumber": {"@id": "kg:ficheNumber", "@type": "xsd:integer"},
        "involves": {"@id": "kg:involves", "@type": "@id"},
    })
    return {"@context": context}


def fiche_graph_of(subject: URIRef) -> URIRef | None:
    """The fiche a node belongs to (its sections, items, roles, mentions), or None for shared nodes."""
    text = str(subject)
    marker = "/fiche/"
    if not text.startswith(BASE + "programme/") or marker not in text:
        return None
    head, rest = text.split(marker, 1)
    return URIRef(f"{head}{marker}{rest.split('/', 1)[0]}")


def to_dataset(graph: Graph) -> Dataset:
    """One named graph per fiche; everything shared (entities, events, axes) in graphe/commun (rdflib)."""
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True)
    for s, p, o in graph:
        target = fiche_graph_of(s) if isinstance(s, URIRef) else None
        ds.graph(target or SHARED_GRAPH).add((s, p, o))
    return ds


def _prefixes() -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def dump(store: "ox.Store", fmt: str) -> bytes:
    """The store's default graph in one RDF format, written by Oxigraph (fast even on large graphs)."""
    buffer = io.BytesIO()
    write_rdf(store, fmt, buffer)
    return buffer.getvalue()


def dump_to(store: "ox.Store", fmt: str, path: Path) -> None:
    """The same, straight into a file: a large graph's dump is never held in memory."""
    with open(path, "wb") as out:
        write_rdf(store, fmt, out)


def write_rdf(store: "ox.Store", fmt: str, out) -> None:
    """Write the default graph of ``store`` to the binary stream ``out`` in one of FORMATS (not csv)."""
    if fmt == "ttl":
        store.dump(out, format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=_prefixes())
    elif fmt == "nt":
        store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    elif fmt == "jsonld":
        # Oxigraph writes expanded JSON-LD (an array, full IRIs); the context we publish rides along for compaction
        context = json.dumps(jsonld_context()["@context"], ensure_ascii=False).encode("utf-8")
        out.write(b'{"@context": ' + context + b', "@graph": ')
        store.dump(out, format=ox.RdfFormat.JSON_LD, from_graph=ox.DefaultGraph())
        out.write(b"}")
    elif fmt == "trig":
        ox.serialize(_named_quads(store), out, format=ox.RdfFormat.TRIG, prefixes=_prefixes())
    else:
        raise ValueError(f"format inconnu « {fmt} » (formats : {', '.join(FORMATS)})")


PROGRAMMES = BASE + "programme/"


def named_graph_key(value: str) -> str:
    """The named graph of a subject IRI in TriG: its fiche, else its programme (a programme and its axes), else ""
    (``graphe/commun``)."""
    if not value.startswith(PROGRAMMES):
        return ""
    at = value.find("/fiche/")
    if at > 0:
        end = value.find("/", at + 7)
        return value if end < 0 else value[:end]
    return PROGRAMMES + value[len(PROGRAMMES):].split("/", 1)[0]


def _named_quads(store: "ox.Store"):
    """The default graph's triples as quads: one named graph per fiche, ``graphe/commun`` for the rest, each
    graph's triples together (subjects are grouped first, then read one by one: nothing big is held)."""
    groups: dict[str, list] = {}
    for row in store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }"):
        subject = row["s"]
        key = named_graph_key(subject.value) if type(subject) is ox.NamedNode else ""
        groups.setdefault(key, []).append(subject)
    default = ox.DefaultGraph()
    for key, subjects in groups.items():
        graph = ox.NamedNode(key or str(SHARED_GRAPH))
        for subject in subjects:
            for q in store.quads_for_pattern(subject, None, None, default):
                yield ox.Quad(q.subject, q.predicate, q.object, graph)


def serialize(graph: Graph, fmt: str) -> bytes:
    """An rdflib graph in one RDF format (through an in-memory Oxigraph store)."""
    return dump(OxigraphStore.from_graph(graph).raw, fmt)


#: The relecture column: a draft programme's rows are marked.
_RELECTURE = ('OPTIONAL { ?p kg:reviewStatus ?rs } '
              'BIND(IF(COALESCE(?rs, "relu") = "brouillon", "brouillon — à relire", "relu") AS ?relecture)')

#: The CSV tables. Every row order is total and programme first (``ORDER BY ?programme`` then every column): a table
#: of several programmes is the concatenation of each programme's rows in programme order, which is how
#: kg/table_pieces.py rebuilds it from the rows of the programmes that changed (``entites.csv`` is not per programme).
#: Each OPTIONAL holds one triple pattern (nested when one depends on another): Oxigraph then looks it up for each
#: row, where a larger OPTIONAL is evaluated over the whole store first (the rows of one programme took 0.5 s at ×100).
TABLES = {
    "fiches.csv": """
SELECT ?programme ?fiche ?titre ?axe ?statut ?ligne ?iri ?relecture WHERE {
  ?p kg:identifier ?programme . ?iri kg:programme ?p ; a kg:Fiche ; kg:ficheNumber ?fiche ; kg:axis/rdfs:label ?axe .
  """ + _RELECTURE + """
  OPTIONAL { ?iri dcterms:title ?titre } OPTIONAL { ?iri kg:ficheStatus ?statut } OPTIONAL { ?iri kg:lineStart ?ligne }
} ORDER BY ?programme ?fiche ?iri ?titre ?axe ?statut ?ligne ?relecture""",
    "roles.csv": """
SELECT ?fiche ?role ?nom ?type ?portee ?citation ?ligne_debut ?ligne_fin ?agent ?programme ?relecture WHERE {
  ?p kg:identifier ?programme . ?f kg:programme ?p ; kg:ficheNumber ?fiche .
  ?r kg:fiche ?f ; a kg:Role ; kg:roleCode ?role ; kg:quote ?citation ; kg:lineStart ?ligne_debut ; kg:lineEnd ?ligne_fin .
  """ + _RELECTURE + """
  OPTIONAL { ?r kg:agent ?agent OPTIONAL { ?agent rdfs:label ?nom } OPTIONAL { ?agent kg:entityType ?type } }
  OPTIONAL { ?r kg:scope ?portee }
} ORDER BY ?programme ?fiche ?role ?nom ?type ?portee ?citation ?ligne_debut ?ligne_fin ?agent ?relecture""",
    "entites.csv": """
SELECT ?identifiant ?libelle ?type ?sorte ?statut_des_liens ?iri WHERE {
  ?iri kg:entityType ?type ; kg:identifier ?identifiant ; rdfs:label ?libelle ; kg:linkStatus ?statut_des_liens .
  OPTIONAL { ?iri kg:kind ?sorte }
} ORDER BY ?type ?libelle ?iri ?identifiant ?sorte ?statut_des_liens""",
    "entites_fiches.csv": """
SELECT ?fiche ?type ?libelle ?par ?preuve ?ligne_debut ?ligne_fin ?iri ?programme ?relecture WHERE {
  ?p kg:identifier ?programme . ?f kg:programme ?p ; kg:ficheNumber ?fiche .
  ?inv kg:fiche ?f ; a kg:Involvement ; kg:entity ?iri ; kg:via ?par ; kg:evidence ?preuve ;
       kg:lineStart ?ligne_debut ; kg:lineEnd ?ligne_fin .
  ?iri rdfs:label ?libelle ; kg:entityType ?type .
  """ + _RELECTURE + """
} ORDER BY ?programme ?fiche ?type ?libelle ?ligne_debut ?ligne_fin ?par ?preuve ?iri ?relecture""",
    # the places of an event in one cell: grouped here, each looked up for its event (the same order in every query)
    "evenements.csv": """
SELECT ?fiche ?libelle ?sorte ?statut ?date ?date_imprimee ?annee_deduite ?participants ?precision ?participants_imprimes (GROUP_CONCAT(?un_lieu; separator=" ; ") AS ?lieu) ?iri ?programme ?relecture WHERE {
  ?p kg:identifier ?programme . ?f kg:programme ?p ; kg:ficheNumber ?fiche .
  ?iri kg:fiche ?f ; a kg:Event ; rdfs:label ?libelle ; kg:kind ?sorte ; kg:eventStatus ?statut .
  """ + _RELECTURE + """
  OPTIONAL { ?iri schema:startDate ?date OPTIONAL { ?iri kg:yearInferred ?annee_deduite } }
  OPTIONAL { ?iri kg:dateText ?date_imprimee }
  OPTIONAL { ?iri kg:participants ?participants OPTIONAL { ?iri kg:participantsPrecision ?precision }
             OPTIONAL { ?iri kg:participantsText ?participants_imprimes } }
  OPTIONAL { ?iri schema:location ?un_site OPTIONAL { ?un_site rdfs:label ?un_lieu } }
  OPTIONAL { ?iri kg:periodStart ?start }
} GROUP BY ?fiche ?libelle ?sorte ?statut ?date ?date_imprimee ?annee_deduite ?participants ?precision
  ?participants_imprimes ?iri ?programme ?relecture ?start
ORDER BY ?programme ?fiche (!BOUND(?start)) ?start ?libelle ?iri ?sorte ?statut ?date ?date_imprimee ?annee_deduite
  ?participants ?precision ?participants_imprimes ?lieu ?relecture""",
}


#: Tables whose rows get a ``non_imprime`` column: which of the row's values the document does not print, and why.
NOT_PRINTED_TABLES = ("entites.csv", "evenements.csv")
#: The property a not-printed fact is about, as the CSV names it.
PROPERTY_FR = {"http://www.w3.org/2000/01/rdf-schema#label": "libellé", "https://schema.org/startDate": "date",
               "https://schema.org/endDate": "date de fin"}


def spreadsheet_safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula ("+ de 280 participant.e.s", "=HYPERLINK(…)"): a leading quote."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _text_rows(store: OxigraphStore, query: str) -> tuple[list[str], list[list[str | None]]]:
    """A SELECT's variables and rows of plain texts (an IRI, a literal's lexical form, or None), read straight from
    Oxigraph: no rdflib term is made (at ×100 that conversion took longer than the queries)."""
    from kg.namespaces import sparql_prefixes

    answer = store.raw.query(sparql_prefixes() + query)
    names = [v.value for v in answer.variables]
    rows = [[None if term is None else term.value for term in solution] for solution in answer]
    del answer
    return names, rows


def not_printed_notes(store: OxigraphStore) -> dict[str, str]:
    """IRI -> "libellé : développé d'après une source publique" (several joined by " ; ")."""
    _, rows = _text_rows(store, """SELECT ?s ?p ?why WHERE {
  ?s kg:notPrinted ?n . ?n kg:onProperty ?p ; rdfs:label ?why } ORDER BY ?s ?p ?why""")
    out: dict[str, list[str]] = {}
    for s, p, why in rows:
        out.setdefault(s, []).append(f"{PROPERTY_FR.get(p, p)} : {why}")
    return {iri: " ; ".join(parts) for iri, parts in out.items()}


def table_rows(store: OxigraphStore, name: str, programme: str | None = None) -> tuple[list[str], list[list]]:
    """The variables and rows of one table; ``programme``: only that programme's rows (its identifier bound as
    ``?programme``, an RDF literal), in the order the whole table gives them."""
    query = TABLES[name]
    if programme is not None:
        query = values_block(query, {"programme": Literal(programme)})
    return _text_rows(store, query)


def table_head(names: list[str], name: str) -> str:
    """The byte-order mark and the header line of a table."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerow(names + (["non_imprime"] if name in NOT_PRINTED_TABLES else []))
    return buffer.getvalue()


def table_body(names: list[str], rows: list[list], name: str, notes: dict[str, str]) -> str:
    """The CSV lines of ``rows`` (each line stands alone: a table's body is its rows' bodies put end to end)."""
    extra = name in NOT_PRINTED_TABLES
    iri = names.index("iri") if extra else 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        cells = [spreadsheet_safe("" if cell is None else cell) for cell in row]
        writer.writerow(cells + ([notes.get(row[iri] or "None", "")] if extra else []))
    return buffer.getvalue()


def csv_tables(source: "Graph | OxigraphStore", only: str | None = None) -> dict[str, str]:
    """Tables an analyst opens in a spreadsheet (UTF-8 with BOM, comma-separated); ``only`` one of them."""
    store = source if isinstance(source, OxigraphStore) else OxigraphStore.from_graph(source)
    out = {}
    notes = not_printed_notes(store) if only is None or only in NOT_PRINTED_TABLES else {}
    for name in TABLES:
        if only is not None and name != only:
            continue
        names, rows = table_rows(store, name)
        out[name] = table_head(names, name) + table_body(names, rows, name, notes)
    return out


#: ``kg export --format csv`` without ``--output``: the one table written to stdout unless ``--table`` says another.
STDOUT_TABLE = "fiches"


def write_export(store: OxigraphStore, fmt: str, output: Path | None, table: str | None = None,
                 compact: bool = False) -> bytes | None:
    """``kg export``: bytes for stdout, or files written under ``output``. JSON-LD is indented unless ``compact``."""
    if fmt == "csv":
        names = [name.removesuffix(".csv") for name in TABLES]
        if table is not None and table.removesuffix(".csv") not in names:
            raise ValueError(f"table inconnue « {table} » (tables : {', '.join(names)})")
        if output is None:
            name = (table or STDOUT_TABLE).removesuffix(".csv") + ".csv"
            return csv_tables(store, only=name)[name].encode("utf-8")
        if table is not None:
            raise ValueError("--table choisit la table écrite sur la sortie standard ; avec --output, "
                             "toutes les tables sont écrites dans le dossier")
        tables = csv_tables(store)
        output.mkdir(parents=True, exist_ok=True)
        for name, text in tables.items():
            (output / name).write_text(text, encoding="utf-8")
        return None
    if table is not None:
        raise ValueError("--table ne vaut que pour le format csv")
    pretty = fmt == "jsonld" and not compact
    if output is None:
        data = dump(store.raw, fmt)
        return indent_jsonld(data) if pretty else data
    output.parent.mkdir(parents=True, exist_ok=True)
    if pretty:
        output.write_bytes(indent_jsonld(dump(store.raw, fmt)))
    else:
        dump_to(store.raw, fmt, output)
    return None


def _readable(z: zipfile.ZipFile) -> None:
    """Every member readable by all once unzipped (0644): ``writestr`` gives 0600, a temporary file may too."""
    for info in z.infolist():
        info.external_attr = (0o100644 << 16) | (info.external_attr & 0xFFFF)


def indent_jsonld(data: bytes) -> bytes:
    """JSON-LD a person can read and diff: one key per line (Oxigraph writes it all on one line)."""
    return json.dumps(json.loads(data), ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def open_bundle(folder: Path) -> zipfile.ZipFile:
    """bundle.zip begun with the graph's files and the context (the build writes them while SHACL still runs);
    :func:`write_downloads` adds the tables and the description and closes it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "contexte.jsonld").write_text(json.dumps(jsonld_context(), indent=1), encoding="utf-8")
    z = zipfile.ZipFile(folder / "bundle.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1)
    for name in ("graph.ttl", "graph.nt"):
        if (folder.parent / name).exists():
            z.write(folder.parent / name, name)
    for name in ("graph.jsonld", "graph.trig", "contexte.jsonld"):
        z.write(folder / name, name)
    return z


def write_downloads(store: OxigraphStore, folder: Path, void_graph: Graph | None = None, dumps: bool = True,
                    bundle: zipfile.ZipFile | None = None, tables: dict[str, str] | None = None) -> None:
    """Everything the "Télécharger" page offers, written once per build (``dumps=False``: graph.jsonld and
    graph.trig are there already; ``bundle``: the one :func:`open_bundle` began; ``tables``: the CSV tables,
    when already made)."""
    folder.mkdir(parents=True, exist_ok=True)
    for fmt, name in (("jsonld", "graph.jsonld"), ("trig", "graph.trig")) if dumps else ():
        dump_to(store.raw, fmt, folder / name)
    if tables is None:
        tables = csv_tables(store)
    with zipfile.ZipFile(folder / "tables.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in tables.items():
            z.writestr(name, text)
        _readable(z)
    with bundle or open_bundle(folder) as z:
        for name, text in tables.items():
            z.writestr("tables/" + name, text)
        if void_graph is not None:
            z.writestr("void.ttl", void_graph.serialize(format="turtle"))
        z.writestr("LISEZMOI.txt", "Graphe de connaissances de l'ESS territoriale — programme d'actions 2024 du RTES.\n"
                                   "graph.ttl, graph.nt, graph.jsonld : le graphe ; graph.trig : un graphe nommé par fiche ;\n"
                                   "tables/ : tables CSV (UTF-8) ; void.ttl : description DCAT/VoID.\n")
        _readable(z)


__all__ = ["FORMATS", "serialize", "write_export", "write_downloads", "open_bundle", "csv_tables", "jsonld_context", "RDF", "KG"]
