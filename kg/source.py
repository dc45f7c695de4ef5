"""The source document: its lines, the quote-joining rule, and accent/case folding for matching."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "«": '"', "»": '"'})
_HYPHENS = "-‐‑‒–—"


@lru_cache(maxsize=8)
def source_lines(path: str) -> tuple[str, ...]:
    """The lines of a source file (1-based: line N is ``lines[N - 1]``)."""
    return tuple(Path(path).read_text(encoding="utf-8").split("\n"))


def join_lines(lines: tuple[str, ...] | list[str], first: int, last: int) -> str:
    """Lines ``first..last`` joined by the rule of data/README.md (a word cut by ``-`` glues)."""
    out = ""
    for number in range(first, last + 1):
        text = lines[number - 1].strip()
        if not out:
            out = text
        elif out.endswith("-") and not out.endswith(" -"):
            out += text  # a word cut at the end of a column line
        else:
            out += " " + text
    return _SPACES.sub(" ", out)


def normalise_space(text: str) -> str:
    return _SPACES.sub(" ", text.strip())


class _Folded(dict):
    """A character -> its folded form (accents dropped, lower case), computed once per character."""

    def __missing__(self, char: str) -> str:
        if char in _HYPHENS or char.isspace():
            folded = " "
        else:
            folded = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)).lower()
        self[char] = folded
        return folded


class _FoldedByCode(dict):
    """The same, by code point (what ``str.translate`` asks for)."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _FOLDED[chr(code)]
        return folded


_FOLDED = _Folded()
_FOLDED_BY_CODE = _FoldedByCode()
_SPACE_RUNS = re.compile(" {2,}")


def fold(text: str) -> tuple[str, list[int]]:
    """Lower-case, accent-free, hyphen-as-space text, with the origin index of each folded char."""
    out: list[str] = []
    origin: list[int] = []
    folded_of = _FOLDED
    for index, char in enumerate(text.translate(_APOSTROPHES)):
        folded = folded_of[char]
        if folded == " ":  # a space or hyphen (no other character folds to a space)
            if out and out[-1] == " ":
                continue
            out.append(" ")
            origin.append(index)
            continue
        for c in folded:
            out.append(c)
            origin.append(index)
    return "".join(out), origin


def fold_text(text: str) -> str:
    """``fold(text)[0]`` without the origins (quicker: for names looked up, not quoted)."""
    return _SPACE_RUNS.sub(" ", text.translate(_APOSTROPHES).translate(_FOLDED_BY_CODE))


def fold_key(text: str) -> str:
    """The folded form used as a search key ("Île-de-France" -> "ile de france")."""
    return fold_text(text).strip()
