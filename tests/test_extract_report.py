"""relecture.md, the review report of a draft (issue 14 item 6), on the fictional document and the 2024 text:
new entities with quotes and merges, unsure dates, lines printed apart inside a section, unused lines, counts."""

from __future__ import annotations

import re

from kg.extract import extract
from kg.extract.report import markdown

from .conftest import ROOT
from .test_extract_fiction import TEXT, data_dir  # noqa: F401 - the fixture: data/ plus the fictional network

SOURCE = ROOT / "data" / "programmes" / "rtes-2024" / "source" / "rtes-programme-actions-2024.txt"


def _section(report: str, title: str) -> list[str]:
    """The bullet lines under the heading that starts with ``title``."""
    part = report.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    return [line for line in part.splitlines() if line.startswith("- ")]


def test_report_of_the_fictional_document(data_dir):  # noqa: F811 - the imported fixture
    draft = extract(TEXT, "rbcs-2025", data_dir, publisher="rbcs").draft
    report = markdown(draft, str(TEXT))
    # each fiche's counts side by side, and their total
    rows = [line for line in report.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == len(draft.fiches) == 6
    items = sum(len(s["items"]) for f in draft.fiches for s in f["sections"])
    assert re.search(rf"\| \*\*Total\*\* \| 6 fiches \| \d+ \| \d+ \| {items} \|", report)
    # new entities: kind in French, quote at its lines, a proposed merge; weak ones listed apart
    proposed = _section(report, "Nouvelles entités à confirmer")
    ctlm = next(line for line in proposed if "`ctlm`" in line)
    assert "(organisation," in ctlm and "« Le Collectif des tiers-lieux du Morbihan (CTLM) »" in ctlm
    assert "lignes 51–52" in ctlm and "fusion possible avec « Tiers-lieux »" in ctlm
    assert any("(personne, `gwenaelle-morvan`" in line for line in proposed)
    assert not any("(person," in line for line in report.splitlines())  # no English code
    weak = _section(report, "Sigles et noms à regarder")
    assert all("confiance 0.3" in line or "confiance 0.1" in line for line in weak) and weak
    assert len(proposed) + len(weak) == len(draft.candidates)
    # unsure or inferred dates, the dated sidebar with the section it is printed inside, unused lines
    dates = _section(report, "Dates incertaines")
    assert "- fiche 1, lignes 24–24 : « septembre/octobre ? » → 2025-09 (année déduite de la section, date incertaine)" in dates
    assert _section(report, "Lignes datées imprimées à part") == [
        "- fiche 5, lignes 119–119 : « 1er semestre 2025 : guide des élus » — au milieu de la section « Objectifs »"]
    assert "## Lignes qu'aucun élément n'utilise (0)" in report


def test_report_of_the_2024_text():
    draft = extract(SOURCE, "essai-2024", ROOT / "data", publisher="rtes").draft
    report = markdown(draft, str(SOURCE))
    apart = _section(report, "Lignes datées imprimées à part")
    assert apart == [
        "- fiche 2, lignes 111–111 : « Juin 2024 : Séminaire foncier » — au milieu de la section « Eléments de plaidoyer »",
        "- fiche 5, lignes 250–251 : « 1er semestre 2024 : 2 publications Comprendre et Agir » — au milieu de la "
        "section « Eléments de plaidoyer »",
        "- fiche 14, lignes 848–848 : « 14 décembre : Intervention à l’IRA HDF » — au milieu de la section « Actions réalisées »"]
    assert _section(report, "Lignes qu'aucun élément n'utilise") == ["- ligne 310 : numéro de page"]
    faq = next(line for line in _section(report, "Nouvelles entités à confirmer") if "`faq`" in line)
    assert "« Foire au Questions (FAQ) »" in faq and "fusion possible avec « FAQ juridique »" in faq
    assert "« le 18 ou 20 juin 2024 » → 2024-06 (date incertaine)" in report
    assert len([line for line in report.splitlines() if re.match(r"\| \d+ \|", line)]) == 14
