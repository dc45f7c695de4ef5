"""The text of record: a UTF-8 text as is, or a PDF's text layer put in reading order (columns, sidebar)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


class ExtractError(Exception):
    """A document that cannot be read: the message is one French line naming the file."""


@dataclass
class Record:
    name: str  # file name of the text of record (source/<name>)
    text: str
    lines: list[str]
    sha256: str  # of the text of record
    pdf_sha256: str | None
    pages: int


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_record(path: Path) -> Record:
    """Read SOURCE (PDF or UTF-8 text) into numbered lines; errors say which file and which line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path} : fichier illisible ({exc.strerror})") from None
    if not data.strip():
        raise ExtractError(f"{path} : fichier vide")
    if data.startswith(b"%PDF"):
        text, pages = pdf_text(path)
        name = path.stem + ".txt"
        return Record(name, text, text.split("\n"), _sha(text.encode("utf-8")), _sha(data), pages)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ExtractError(f"{path}:{line} : le texte n'est pas en UTF-8 (octet {data[exc.start]:#04x}) ; "
                           f"convertissez-le, par exemple avec « iconv -f latin1 -t utf-8 »") from None
    text = text.removeprefix("\ufeff")
    return Record(path.name, text, text.split("\n"), _sha(text.encode("utf-8")), None, text.count("\f") + 1)


def pdf_text(path: Path) -> tuple[str, int]:
    """A PDF's words in reading order: per page, full-width rows as they come; in a band of columns, the
    left column, then the right one, then a narrow sidebar; a vertical gap becomes a blank line."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(path)
        pages_out = []
        with pdf:
            for page in pdf.pages:
                pages_out.append(_page_text(page))
    except PDFPasswordIncorrect:
        raise ExtractError(f"{path} : PDF chiffré (protégé par un mot de passe) : impossible d'en lire le texte") from None
    except ExtractError:
        raise
    except Exception as exc:  # pdfminer raises many kinds for a damaged or encrypted file
        kind = "chiffré" if "crypt" in repr(exc).lower() or "password" in repr(exc).lower() else "illisible"
        raise ExtractError(f"{path} : PDF {kind} ({type(exc).__name__})") from None
    if not any(p.strip() for p in pages_out):
        raise ExtractError(f"{path} : ce PDF n'a pas de couche texte (image seule ?) : passez-le d'abord à l'OCR")
    return "\n\n\n\n".join(p.strip("\n") for p in pages_out) + "\n", len(pages_out)


def _rows(words: list[dict]) -> list[list[dict]]:
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - w["top"]) < 2:
            rows[-1].append(w)
        else:
            rows.append([w])
    return rows


def _segments(row: list[dict]) -> list[list[dict]]:
    """Words of one printed row split where the gap is wider than a column gutter."""
    segs: list[list[dict]] = []
    for w in sorted(row, key=lambda w: w["x0"]):
        if segs and w["x0"] - segs[-1][-1]["x1"] < 12:
            segs[-1].append(w)
        else:
            segs.append([w])
    return segs


def _page_text(page) -> str:
    width = float(page.width)
    words = page.extract_words(keep_blank_chars=False, use_text_flow=False, extra_attrs=["size"])
    side = width * 0.74
    # each segment: (top, bottom, x0, text, zone)
    full, cols = [], []
    for row in _rows(words):
        for seg in _segments(row):
            x0, x1 = seg[0]["x0"], seg[-1]["x1"]
            text = " ".join(w["text"] for w in seg)
            item = (seg[0]["top"], seg[0]["bottom"], x0, text)
            if x0 < width * 0.3 and x1 > width * 0.45:  # crosses the gutter: a row across the page
                full.append(item)
            else:
                zone = 0 if x0 < width * 0.45 else (2 if x0 >= side else 1)
                cols.append(item + (zone,))
    # bands: stretches of column rows between two full-width rows
    out: list[str] = []
    full.sort()
    cols.sort()
    bounds = [f[0] for f in full] + [float("inf")]
    last_bottom = None
    fi = 0
    ci = 0
    while fi < len(full) or ci < len(cols):
        if ci < len(cols) and (fi >= len(full) or cols[ci][0] < full[fi][0]):
            limit = bounds[fi]
            band = []
            while ci < len(cols) and cols[ci][0] < limit:
                band.append(cols[ci])
                ci += 1
            for zone in (0, 1, 2):
                items = [b for b in band if b[4] == zone]
                if items:
                    # the first column goes on from the row above; the next one starts after a blank line
                    last_bottom = _emit(out, items, last_bottom if zone == 0 else None)
        else:
            last_bottom = _emit(out, [full[fi]], last_bottom)
            fi += 1
    return "\n".join(out)


def _emit(out: list[str], items: list[tuple], last_bottom: float | None) -> float | None:
    for it in items:
        top, bottom, text = it[0], it[1], it[3]
        height = bottom - top
        if last_bottom is not None and top - last_bottom > height * 0.9:
            out.append("")
        elif last_bottom is None and out and out[-1] != "":
            out.append("")
        out.append(text)
        last_bottom = bottom
    return last_bottom
