"""`kg extract` speed on the 2024 text (model/matcher loading included) and its round-trip figures: a table."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract import extract, known_entities  # noqa: E402
from kg.extract.compare import compare, format_rows  # noqa: E402

SOURCE = ROOT / "data" / "source" / "rtes-programme-actions-2024.txt"


def main(runs: int = 3) -> None:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        extraction = extract(SOURCE, "rtes-2024", ROOT / "data", publisher="rtes", check_id=False)
        times.append(time.perf_counter() - started)
    print(f"{'mesure':<40} {'valeur':>10}")
    print(f"{'extraction du texte 2024 (meilleure)':<40} {min(times):>8.2f} s")
    print(f"{'extraction du texte 2024 (pire)':<40} {max(times):>8.2f} s")
    print(f"{'lignes lues':<40} {len(extraction.record.lines):>10}")
    print()
    rows = compare({"axes": extraction.draft.axes}, extraction.draft.fiches, ROOT / "data", known_entities(ROOT / "data"),
                   extraction.draft.candidates)
    print(format_rows(rows))


if __name__ == "__main__":
    main()
