"""The ``kg`` command: a thin layer over the kg package. Errors are one clear line and exit 1."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kg import __version__
from kg.programme_names import folder_programmes, in_brackets

DEFAULT_LIMIT = 10_000
#: The exit status of a Unix tool whose reader went away (``kg … | head``): 128 + SIGPIPE.
BROKEN_PIPE_STATUS = 141


def _params(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise SystemExit(f"kg: --param attend NOM=VALEUR, pas « {pair} »")
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


#: the build's stages as ``kg build`` names them (manifest.json keeps the short keys)
STAGES_FR = {"yaml": "lecture YAML", "rdf": "triplets", "shacl": "SHACL", "nt": "N-Triples",
             "split": "parties SHACL", "shacl_wait": "attente SHACL", "store": "magasin", "tables": "tables CSV",
             "dump_wait": "attente Turtle/JSON-LD/TriG", "exports": "autres exports"}


def cmd_build(args: argparse.Namespace) -> int:
    from kg.build import build

    result = build(args.data, args.dist)
    timings = ", ".join(f"{STAGES_FR.get(k, k)} {v:.2f} s".replace(".", ",") for k, v in result.timings.items())
    print(f"Graphe construit : {result.triples} triplets → {result.path} ({timings})")
    if result.yaml_files:
        files = result.yaml_files
        print(f"YAML : {files['parsed']} fichier(s) lu(s), {files['cached']} inchangé(s) depuis un build précédent "
              f"(lecture reprise)")
    if result.programme_parts:
        made = result.programme_parts
        print(f"Programmes : {made['made']} construit(s), {made['reused']} inchangé(s) depuis un build précédent "
              f"(triplets repris)")
    if result.shacl_parts:
        parts = result.shacl_parts
        print(f"SHACL : {parts['validated']} partie(s) validée(s), {parts['cached']} inchangée(s) depuis un build "
              f"précédent (déjà conformes)")
    made = result.store or {}
    if made.get("made") == "difference":
        print(f"Magasin : mis à jour depuis le build précédent ({made['pieces_changed']} partie(s) changée(s), "
              f"{made['removed']} triplet(s) retiré(s), {made['added']} ajouté(s))")
    elif made:
        print(f"Magasin : chargé en entier ({made['why']})")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from kg.build import check

    _, count, report, _ = check(args.data)
    print(report.text())
    if report.conforms:
        print(f"{count} triplets vérifiés.")
    return 0 if report.conforms else 1


def cmd_stats(args: argparse.Namespace) -> int:
    from kg.formats import render
    from kg.store import open_store

    store = open_store(args.store, args.dist)
    counts = store.query("""SELECT ?class (COUNT(?s) AS ?count) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?count)""")
    types = store.query("""PREFIX kg: <https://ess-kg.example/ontologie#>
        SELECT ?type (COUNT(?s) AS ?count) WHERE { ?s kg:entityType ?type } GROUP BY ?type ORDER BY DESC(?count)""")
    total = store.query("SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }")
    if args.format == "json":
        print(json.dumps({"triples": int(total.rows[0]["triples"]),
                          "classes": {str(r["class"]): int(r["count"]) for r in counts.rows},
                          "types": {str(r["type"]): int(r["count"]) for r in types.rows}}, indent=1))
        return 0
    print(f"Triplets : {total.rows[0]['triples']}\n\nEntités par type :")
    print(render(types, "table"))
    print("\nNœuds par classe :")
    print(render(counts, "table"))
    return 0


def cmd_queries(args: argparse.Namespace) -> int:
    from kg.queries import load_queries

    for query in load_queries().values():
        params = " ".join(f"{p.name}={'…' if p.required else '[…]'}" for p in query.params)
        print(f"{query.name:<18} {query.summary}" + (f"   [{params}]" if params else ""))
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from kg.formats import render
    from kg.queries import QueryError, load_queries, run
    from kg.store import open_store

    queries = load_queries()
    if args.name not in queries:
        import difflib

        close = difflib.get_close_matches(args.name, list(queries), n=1)
        hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
        raise QueryError(f"requête inconnue « {args.name} »{hint} ; voir « kg queries »")
    result = run(queries[args.name], _params(args.param), open_store(args.store, args.dist), limit=args.limit)
    print(render(result, args.format))
    return 0


def cmd_sparql(args: argparse.Namespace) -> int:
    from kg.formats import render
    from kg.store import open_store

    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    result = open_store(args.store, args.dist).query(text, limit=args.limit)
    if result.graph is not None:
        print(result.graph.serialize(format="turtle"))
    else:
        print(render(result, args.format))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from kg.store import RemoteStore

    dump = Path(args.dist) / "current" / "graph.nt"
    if not dump.exists():
        raise SystemExit(f"kg: aucun graphe construit dans {args.dist} : lancez d'abord « kg build »")
    data = dump.read_bytes()
    password = os.environ.get("KG_PUBLISH_PASSWORD")  # never on the command line, where `ps` shows it
    if args.update_endpoint:
        from kg.publish import publish_by_update

        publish_by_update(args.update_endpoint, data, timeout=args.timeout, graph_iri=args.graph, user=args.user,
                          password=password)
    else:
        RemoteStore(args.endpoint, timeout=args.timeout).publish(data, graph_iri=args.graph, graph_store=args.graph_store,
                                                                 user=args.user, password=password)
    lines = data.count(b"\n")
    print(f"{lines} triplets publiés sur {args.endpoint}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from waitress import serve
    from waitress.server import create_server

    from kg.memory import limit_arenas
    from web import create_app
    from web.fast_sparql import install

    limit_arenas()  # before the warm-up's and waitress's threads exist
    app = create_app({"DIST": args.dist, "STORE": args.store, "DATA": args.data})
    app.extensions["kg_store"].get()  # fail now, with a clear message, if nothing is built
    print(f"Graphe servi sur http://{args.host}:{args.port}/ (Ctrl-C pour arrêter)", flush=True)
    serve(app, host=args.host, port=args.port, threads=args.threads, ident="kg", clear_untrusted_proxy_headers=True,
          _server=lambda app, **kw: install(create_server(app, **kw), app))  # /sparql's fast path (web/fast_sparql.py)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kg.export import write_export
    from kg.queries import QueryError
    from kg.store import open_store

    store = open_store(args.store, args.dist)
    try:
        if args.programme:  # one programme, with the entities it involves (kg/programme_export.py)
            from kg.programme_export import programme_subset
            store = programme_subset(store, args.programme)
        data = write_export(store, args.format, Path(args.output) if args.output else None,
                            table=args.table, compact=args.compact)
    except (ValueError, QueryError) as exc:
        print(f"kg: {exc}", file=sys.stderr)
        return 1
    if data is not None:
        sys.stdout.buffer.write(data)
    else:
        print(f"Export {args.format} écrit dans {args.output}", file=sys.stderr)
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    from kg.link import link_referential, propose, write_review
    from kg.programmes import load_data

    if args.referentiel:
        print(link_referential(Path(args.data)))
        return 0
    proposals = propose(load_data(args.data), args.endpoint, batch=args.batch, timeout=args.timeout,
                        pause=args.pause)
    write_review(proposals, Path(args.output), args.endpoint)
    total = sum(len(p.candidates) for p in proposals)
    print(f"{total} candidat(s) pour {len(proposals)} entité(s) écrits dans {args.output} — à relire ; "
          "rien n'a été écrit dans data/.")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from kg.ask import ask
    from kg.formats import render
    from kg.queries import load_queries
    from kg.store import open_store

    understanding, result = ask(args.question, open_store(args.store, args.dist), limit=args.limit)
    if result is None:
        print(understanding.message, file=sys.stderr)
        for candidate in understanding.candidates:
            print(f"  - {candidate['label']} <{candidate['iri']}>", file=sys.stderr)
        for example in understanding.suggestions:
            print(f"  « {example} »", file=sys.stderr)
        return 1
    if args.format == "table":
        print(f"Compris : {understanding.explanation}")
        if understanding.answer:
            print(f"Réponse : {understanding.answer}")
        params = " ".join(f"--param {k}={v}" for k, v in understanding.params.items())
        runs = [f"{params} --param programme={p}" for p in understanding.programmes] or [params]  # one per programme
        print("(" + " ; ".join(f"kg query {understanding.intent} {r}".replace("  ", " ").strip() for r in runs) + ")\n")
    print(render(result, args.format))
    if args.sparql:
        print("\n" + load_queries()[understanding.intent].text)
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from kg.extract.cli import run

    return run(args)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kg", description="Graphe de connaissances de l'ESS territoriale"
                                + in_brackets(folder_programmes("data")) + ".")
    p.add_argument("--version", action="version", version=f"kg {__version__}")
    p.add_argument("--data", default="data", help="dossier des données YAML (défaut : data)")
    p.add_argument("--dist", default="dist", help="dossier de sortie du build (défaut : dist)")
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("build", help="YAML → RDF → SHACL → dist/ (atomique)").set_defaults(func=cmd_build)
    sub.add_parser("validate", help="vérifier les données et les formes SHACL sans rien écrire").set_defaults(func=cmd_validate)

    def store_arg(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--store", default=None,
                        help="magasin : chemin du magasin embarqué (défaut : le dernier build), « memory », ou URL d'un point SPARQL")

    def answer_args(sp: argparse.ArgumentParser) -> None:
        """--format, --limit and --store, for every command that prints an answer."""
        sp.add_argument("--format", "-f", choices=("table", "json", "csv", "tsv"), default="table")
        sp.add_argument("--limit", type=int, default=DEFAULT_LIMIT)
        store_arg(sp)

    s = sub.add_parser("stats", help="nombre d'entités par type et de nœuds par classe")
    store_arg(s)
    s.add_argument("--format", choices=("table", "json"), default="table")
    s.set_defaults(func=cmd_stats)

    sub.add_parser("queries", help="les questions nommées").set_defaults(func=cmd_queries)

    q = sub.add_parser("query", help="poser une question nommée")
    q.add_argument("name")
    q.add_argument("--param", "-p", action="append", default=[], metavar="NOM=VALEUR")
    answer_args(q)
    q.set_defaults(func=cmd_query)

    sp = sub.add_parser("sparql", help="une requête SPARQL libre (fichier ou - pour l'entrée standard)")
    sp.add_argument("file")
    answer_args(sp)
    sp.set_defaults(func=cmd_sparql)

    ak = sub.add_parser("ask", help="poser une question en français (« quelles fiches impliquent l'ANCT ? »)")
    ak.add_argument("question")
    ak.add_argument("--sparql", action="store_true", help="afficher aussi la requête SPARQL")
    answer_args(ak)
    ak.set_defaults(func=cmd_ask)

    sv = sub.add_parser("serve", help="servir le site et le point SPARQL (waitress, 127.0.0.1 par défaut)")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--threads", type=int, default=8)
    store_arg(sv)
    sv.set_defaults(func=cmd_serve)

    ex = sub.add_parser("export", help="exporter le graphe : ttl, nt, jsonld, trig ou csv")
    ex.add_argument("--format", "-f", choices=("ttl", "nt", "jsonld", "trig", "csv"), default="ttl")
    ex.add_argument("--output", "-o", help="fichier (dossier pour csv : toutes les tables) ; la sortie standard par défaut")
    ex.add_argument("--table", default=None, metavar="NOM",
                    help="csv sur la sortie standard : la table écrite (fiches par défaut ; roles, entites, "
                         "entites_fiches, evenements)")
    ex.add_argument("--compact", action="store_true", help="JSON-LD sur une seule ligne (indenté par défaut)")
    ex.add_argument("--store", default=None, help="chemin d'un magasin embarqué (défaut : le dernier build)")
    ex.add_argument("--programme", default=None, help="un seul programme (identifiant, p. ex. rtes-2024) et ses entités")
    ex.set_defaults(func=cmd_export)

    ln = sub.add_parser("link", help="proposer des liens Wikidata à relire (n'écrit jamais dans data/)")
    ln.add_argument("--endpoint", default="https://query.wikidata.org/sparql")
    ln.add_argument("--output", "-o", default="review/propositions-liens.yaml")
    ln.add_argument("--batch", type=int, default=20, help="noms par requête")
    ln.add_argument("--timeout", type=float, default=30.0)
    ln.add_argument("--pause", type=float, default=1.0, help="secondes entre deux requêtes")
    ln.add_argument("--referentiel", action="store_true", help="lier au référentiel officiel (INSEE, SIREN), hors ligne")
    ln.set_defaults(func=cmd_link)

    from kg.extract.cli import add_parser as add_extract
    add_extract(sub, cmd_extract)

    pub = sub.add_parser("publish", help="charger le graphe dans un point SPARQL (Graph Store Protocol)")
    pub.add_argument("--endpoint", required=True, help="URL du point de requête, p. ex. http://127.0.0.1:7878/query")
    pub.add_argument("--graph-store", help="adresse Graph Store Protocol du serveur (défaut : ENDPOINT/../store, "
                                           "comme Oxigraph ; Fuseki : …/DATASET/data)")
    pub.add_argument("--update-endpoint", help="charger par SPARQL Update (CLEAR puis INSERT DATA) à cette adresse, "
                                               "pour un serveur sans Graph Store Protocol")
    pub.add_argument("--graph", help="graphe nommé où publier (défaut : le graphe par défaut ; Virtuoso : "
                                     "https://ess-kg.example/jeu-de-donnees, interrogé avec ?default-graph-uri=)")
    pub.add_argument("--user", help="utilisateur HTTP (Digest ou Basic) ; mot de passe dans KG_PUBLISH_PASSWORD")
    pub.add_argument("--timeout", type=float, default=60.0)
    pub.set_defaults(func=cmd_publish)
    return p


def main(argv: list[str] | None = None) -> int:
    from kg.build import BuildError
    from kg.load import DataError
    from kg.queries import QueryError
    from kg.store import StoreError
    from kg.terms import TermError

    args = parser().parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at interpreter exit
        return status
    except BrokenPipeError:
        return _reader_gone()
    except DataError as exc:
        print(f"kg: {len(exc.problems)} problème(s) dans les données :", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except BuildError as exc:
        print(f"kg: build refusé, le dernier build reste en place.\n{exc}", file=sys.stderr)
        return 1
    except (QueryError, StoreError, TermError, OSError) as exc:
        print(f"kg: {exc}", file=sys.stderr)
        return 1


def _reader_gone() -> int:
    """The reader of our output went away (``kg … | head``): stop quietly, as Unix tools do."""
    # Python would flush stdout again at exit and print "Exception ignored … BrokenPipeError": point it at devnull
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return BROKEN_PIPE_STATUS


if __name__ == "__main__":
    sys.exit(main())
