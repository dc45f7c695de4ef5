"""How the programmes of a graph are named in a title: « RTES 2024 » for one, « 3 programmes » for several."""

from __future__ import annotations

import re
from pathlib import Path

#: A programme id is the publisher's id and the year (data/README.md): rtes-2024, rtc-2025.
PROGRAMME_ID = re.compile(r"^(?P<publisher>.+)-(?P<year>\d{4})$")


def short_name(identifier: str) -> str:
    """'rtes-2024' → 'RTES 2024'; an id of another shape is shown as it is."""
    m = PROGRAMME_ID.match(identifier)
    return f"{m['publisher'].upper()} {m['year']}" if m else identifier


def programmes_words(identifiers: list[str]) -> str:
    """The programmes in a few words: 'RTES 2024' for one, '3 programmes' for several."""
    if len(identifiers) == 1:
        return short_name(identifiers[0])
    return f"{len(identifiers)} programmes" if identifiers else "aucun programme"


def in_brackets(identifiers: list[str]) -> str:
    """' (RTES 2024)' after a name, or nothing when no programme is known."""
    return f" ({programmes_words(identifiers)})" if identifiers else ""


def folder_programmes(data: Path | str = "data") -> list[str]:
    """The programme ids of a data folder (one folder per programme under programmes/), without reading them."""
    folder = Path(data) / "programmes"
    return sorted(d.name for d in folder.iterdir() if (d / "programme.yaml").is_file()) if folder.is_dir() else []


def dataset_subtitle(programmes: list[dict], lang: str = "fr") -> str:
    """What a dataset title says after its name: the programme's own label for one, their number otherwise."""
    if len(programmes) == 1:
        if lang == "fr":
            label = str(programmes[0]["label"])
            return label[:1].lower() + label[1:]
        return f"{short_name(str(programmes[0]['id']))} action programme"
    return f"{len(programmes)} programmes d'actions" if lang == "fr" else f"{len(programmes)} action programmes"
