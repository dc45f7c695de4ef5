"""`kg extract` on a fictional programme (tests/fixtures/extract): text path, two-column PDF path, expected YAML."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import fpdf
import pytest
import yaml

from kg.cli import main
from kg.extract import accept_candidates, extract, known_entities, write_draft
from kg.extract.compare import compare
from kg.load import ENTITY_FILES

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"
TEXT = FIXTURES / "rbcs-programme-2025.txt"
LINE, GAP = 3.5, 4.0


def render_pdf(text: str, path: Path) -> None:
    """A two-column PDF with a dated sidebar: narrow blocks share a band of two columns, wide ones run across.
    Drawn as layout software often does, not in reading order: the sidebars first, then row by row across
    both columns, so only positions tell the reading order."""
    pdf = fpdf.FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    for page_text in re.split(r"\n\n\n+", text.strip("\n")):
        pdf.add_page()
        ops: list[tuple[float, float, float, str]] = []  # y, x, size, text
        boxes: list[tuple[float, int]] = []
        y = 15.0
        band: list[list[str]] = []

        def place(lines: list[str], x: float, y: float, size: float) -> float:
            for line in lines:
                ops.append((y, x, size, line.strip()))
                y += LINE
            return y + GAP

        def flush() -> None:
            nonlocal y
            dated = [b for b in band if re.match(r"^(\d|[a-z])\S*.* [-:] ", b[0])]
            cols = [b for b in band if b not in dated]
            half = (sum(len(b) for b in cols) + 1) // 2
            left, right, count = [], [], 0
            for b in cols:
                (left if count < half else right).append(b)
                count += len(b)
            ends = []
            for blocks, x in ((left, 10), (right, 100)):
                yy = y
                for b in blocks:
                    yy = place(b, x, yy, 7)
                ends.append(yy)
            y = max(ends)
            for b in dated:  # the dated sidebar, in a narrow shaded box at the right edge
                boxes.append((y, len(b)))
                y = place(b, 165, y, 6)
            band.clear()

        for block in page_text.split("\n\n"):
            lines = block.split("\n")
            if any(len(line) > 60 for line in lines):
                flush()
                y = place(lines, 10, y, 9)
            else:
                band.append(lines)
        flush()
        pdf.set_fill_color(225, 225, 225)
        for top, count in boxes:
            pdf.rect(163, top - LINE, 45, LINE * count + 1, style="F")
        for yy, x, size, line in sorted(ops, key=lambda op: (op[1] < 160, op[0], op[1])):
            pdf.set_font("helvetica", size=size)
            pdf.text(x, yy, line)
    pdf.output(str(path))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """data/'s shared entity files, plus the fictional network (the publisher)."""
    data = tmp_path_factory.mktemp("base") / "data"
    shutil.copytree(ROOT / "data", data)
    orgs = yaml.safe_load((data / "organisations.yaml").read_text(encoding="utf-8"))
    orgs["organisations"].append({"id": "rbcs", "label": "Réseau breton des collectivités solidaires",
                                  "kind": "reseau", "aliases": ["RBCS"]})
    (data / "organisations.yaml").write_text(yaml.safe_dump(orgs, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data


def test_pdf_path_gives_the_same_draft_as_the_text_path(tmp_path, data_dir):
    pdf = tmp_path / "rbcs-programme-2025.pdf"
    render_pdf(TEXT.read_text(encoding="utf-8"), pdf)
    from_text = extract(TEXT, "rbcs-2025", data_dir, publisher="rbcs")
    from_pdf = extract(pdf, "rbcs-2025", data_dir, publisher="rbcs")
    assert from_pdf.record.pages == 6
    assert [l.strip() for l in from_pdf.record.lines] == [l.strip() for l in from_text.record.lines]
    assert from_pdf.draft.fiches == from_text.draft.fiches
    assert from_pdf.record.pdf_sha256 and from_pdf.record.pdf_sha256 != from_pdf.record.sha256


def test_fiction_against_its_expected_yaml(data_dir):
    draft = extract(TEXT, "rbcs-2025", data_dir, publisher="rbcs").draft
    rows = {r["champ"]: r for r in compare({"axes": draft.axes}, draft.fiches, FIXTURES / "rbcs-attendu",
                                           known_entities(data_dir), draft.candidates)}
    for field in ("fiches", "axes", "axe des fiches", "titres"):
        assert rows[field]["rappel"] == rows[field]["précision"] == 1.0, field
    assert rows["rôles"]["rappel"] >= 0.95 and rows["items"]["rappel"] >= 0.9
    assert rows["événements"]["rappel"] >= 0.95 and rows["événements"]["précision"] >= 0.95
    assert rows["lieux"]["rappel"] >= 0.95 and rows["dates"]["rappel"] >= 0.95
    assert rows["mentions"]["rappel"] >= 0.9 and rows["nouvelles entités"]["rappel"] >= 0.8


def test_fiction_draft_builds(tmp_path, data_dir):
    """The curator's path: the draft written to data/programmes/ID beside the 2024 programme, its candidates
    accepted into the programme's own entity files, and `kg build` takes both programmes."""
    data = tmp_path / "data"
    shutil.copytree(data_dir, data)
    draft_dir = write_draft(extract(TEXT, "rbcs-2025", data, publisher="rbcs"), data / "programmes" / "rbcs-2025", TEXT)
    accept_candidates(draft_dir, draft_dir)
    assert main(["--data", str(data), "--dist", str(tmp_path / "dist"), "build"]) == 0
