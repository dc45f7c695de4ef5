"""`kg extract`: time on the 2024 text (entity loading included), round-trip figures against data/, and the
reading order of a two-column PDF with a sidebar by each PDF library. Prints tables; no asserts."""

from __future__ import annotations

import difflib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract import extract, known_entities  # noqa: E402
from kg.extract.compare import compare, format_rows  # noqa: E402
from kg.extract.text import pdf_text  # noqa: E402

SOURCE = ROOT / "data" / "programmes" / "rtes-2024" / "source" / "rtes-programme-actions-2024.txt"
FICTION = ROOT / "tests" / "fixtures" / "extract" / "rbcs-programme-2025.txt"


def timing(runs: int = 3):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        extraction = extract(SOURCE, "rtes-2024", ROOT / "data", publisher="rtes", check_id=False)
        times.append(time.perf_counter() - started)
    print(f"{'mesure':<44} {'valeur':>10}")
    print(f"{'extraction du texte 2024 (meilleure de 3)':<44} {min(times):>8.2f} s")
    print(f"{'extraction du texte 2024 (pire de 3)':<44} {max(times):>8.2f} s")
    print(f"{'lignes lues':<44} {len(extraction.record.lines):>10}")
    return extraction


def order_score(expected: list[str], got: list[str]) -> float:
    """Share of the printed lines read in the right order (longest common subsequence of non-blank lines)."""
    a = [line.strip() for line in expected if line.strip()]
    b = [line.strip() for line in got if line.strip()]
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def reading_order() -> None:
    from tests.test_extract_fiction import render_pdf
    import pdfplumber
    import pypdfium2

    expected = FICTION.read_text(encoding="utf-8").split("\n")
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "fiction.pdf"
        render_pdf(FICTION.read_text(encoding="utf-8"), pdf)
        started = time.perf_counter()
        ours = pdf_text(pdf)[0].split("\n")
        ours_time = time.perf_counter() - started
        started = time.perf_counter()
        with pdfplumber.open(pdf) as doc:
            plumber = "\n".join(p.extract_text() or "" for p in doc.pages).split("\n")
        plumber_time = time.perf_counter() - started
        started = time.perf_counter()
        doc = pypdfium2.PdfDocument(str(pdf))
        pdfium = "\n".join(page.get_textpage().get_text_range() for page in doc).replace("\r", "").split("\n")
        pdfium_time = time.perf_counter() - started
        doc.close()
    print(f"\n{'lecture du PDF fictif (2 colonnes + encadré)':<44} {'ordre':>8} {'temps':>9}")
    for name, lines, spent in (("pdfplumber, colonnes puis encadré (kg)", ours, ours_time),
                               ("pdfplumber extract_text (par rangées)", plumber, plumber_time),
                               ("pypdfium2 get_text_range (flux du PDF)", pdfium, pdfium_time)):
        print(f"{name:<44} {order_score(expected, lines):>7.1%} {spent:>7.2f} s")


def fiction() -> None:
    """The fictional programme against its expected YAML (tests/fixtures/extract/rbcs-attendu)."""
    import shutil

    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(ROOT / "data", data)
        orgs = yaml.safe_load((data / "organisations.yaml").read_text(encoding="utf-8"))
        orgs["organisations"].append({"id": "rbcs", "label": "Réseau breton des collectivités solidaires",
                                      "kind": "reseau", "aliases": ["RBCS"]})
        (data / "organisations.yaml").write_text(yaml.safe_dump(orgs, allow_unicode=True, sort_keys=False),
                                                 encoding="utf-8")
        draft = extract(FICTION, "rbcs-2025", data, publisher="rbcs").draft
        rows = compare({"axes": draft.axes}, draft.fiches, FICTION.parent / "rbcs-attendu", known_entities(data),
                       draft.candidates)
    print("\ndocument fictif (rbcs-programme-2025.txt) face à rbcs-attendu/")
    print(format_rows(rows))


def main() -> None:
    extraction = timing()
    print()
    rows = compare({"axes": extraction.draft.axes}, extraction.draft.fiches, ROOT / "data" / "programmes" / "rtes-2024",
                   known_entities(ROOT / "data"), extraction.draft.candidates)
    print(format_rows(rows))
    fiction()
    reading_order()


if __name__ == "__main__":
    main()
