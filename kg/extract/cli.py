"""The `kg extract` subcommand: arguments, progress lines, the one-line French error, exit code."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def add_parser(sub, func) -> None:
    ex = sub.add_parser("extract", help="un programme (PDF ou texte) → brouillon YAML à relire, avec rapport de relecture")
    ex.add_argument("source", help="le document : un PDF ou son texte en UTF-8")
    ex.add_argument("--programme", required=True, help="identifiant du nouveau programme (p. ex. reseau-2025)")
    ex.add_argument("--year", type=int, help="année du programme (défaut : celle de « Perspectives AAAA »)")
    ex.add_argument("--publisher", help="identifiant de l'organisation éditrice (organisations.yaml)")
    ex.add_argument("--output", "-o", help="dossier du brouillon (défaut : DATA/programmes/ID)")
    ex.add_argument("--compare", metavar="DIR", help="comparer le brouillon aux données relues de DIR (précision, rappel) "
                                                    "au lieu de l'écrire")
    ex.add_argument("--details", action="store_true", help="avec --compare : lister, champ par champ, ce qui manque "
                                                        "et ce qui est en trop, avec le texte des lignes")
    ex.set_defaults(func=func)


def run(args: argparse.Namespace) -> int:
    from kg.extract import ExtractError, extract, write_draft
    from kg.extract.compare import compare, format_rows

    data = Path(args.data)
    started = time.perf_counter()
    say = lambda line: print(f"  {line}", file=sys.stderr)  # noqa: E731
    try:
        print(f"Extraction de {args.source} :", file=sys.stderr)
        extraction = extract(Path(args.source), args.programme, data, args.year, args.publisher, say,
                             check_id=not args.compare)
        if args.compare:
            from kg.extract import known_entities
            try:
                rows = compare({"axes": extraction.draft.axes}, extraction.draft.fiches, Path(args.compare),
                               known_entities(data), extraction.draft.candidates)
            except FileNotFoundError as exc:
                raise ExtractError(str(exc)) from None
            print(format_rows(rows))
            if getattr(args, "details", False):
                from kg.extract.compare import differences, format_differences
                diffs = differences({"axes": extraction.draft.axes}, extraction.draft.fiches, Path(args.compare),
                                    known_entities(data), extraction.draft.candidates)
                print("\nÉcarts (manque : attendu, non trouvé ; en trop : trouvé, non attendu)\n")
                print(format_differences(diffs, extraction.record.lines) if diffs else "aucun")
            return 0
        output = Path(args.output) if args.output else data / "programmes" / args.programme
        write_draft(extraction, output, Path(args.source))
    except ExtractError as exc:
        print(f"kg extract : {exc}", file=sys.stderr)
        return 1
    print(f"Brouillon écrit dans {output} ({time.perf_counter() - started:.1f} s) : relisez {output / 'relecture.md'} "
          f"et {output / 'candidats.yaml'}")
    return 0
