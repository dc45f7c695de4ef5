"""Identifiers for a draft: lowercase ASCII slugs, unique where they must be."""

from __future__ import annotations

import re
import unicodedata


def slug(text: str, words: int | None = None) -> str:
    """"Ville de Marseille" → "ville-de-marseille" (the id rule of data/README.md)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    parts = re.findall(r"[a-z0-9]+", ascii_text)
    return "-".join(parts[:words] if words else parts)


def unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… when taken; the result is added to ``taken``."""
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    taken.add(ident)
    return ident
