"""The build's Oxigraph store made by difference from the previous good build's, when that is cheaper than a bulk
load of the whole graph.nt.

The previous store is copied by a RocksDB checkpoint (``Store.backup`` on a read-only opening: hard links to its
immutable files, so it is never modified, and a server may keep reading it). graph.nt is written part after part
and the manifest says where each part is and its SHA-256 (``pieces``): only the parts whose digest changed, which are
new or which disappeared are read (by offset, in both graph.nt files), and the N-Triples lines that differ are
removed from or added to the copy. A part does not deduplicate against the others: a line gone from one part is
removed only when no other part of the new graph.nt still has it.

Any doubt (no previous build, no pieces, no store, no graph.nt, another pyoxigraph, blank nodes, too much changed,
a count that does not add up) and the store is bulk-loaded from graph.nt, as before."""

from __future__ import annotations

import json
import mmap
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.store import OxigraphStore

NT = ox.RdfFormat.N_TRIPLES
#: above this share of the new graph's triples in changed lines, a bulk load is cheaper (measured: a line removed
#: or added costs 30 to 60 µs, a triple bulk-loaded about 10 µs)
BULK_FROM_SHARE = 0.25
#: above this share in changed parts, the parts are not even read (reading and comparing a line costs about a tenth
#: of loading it, but both versions of a part are held in memory at once)
READ_UP_TO_SHARE = 0.5
#: more added triples than this go through the bulk writer (``extend`` is one transaction held in memory)
EXTEND_UP_TO = 100_000


@dataclass
class StoreMade:
    """The store opened read-write, its number of triples, and what the manifest records of how it was made."""

    store: OxigraphStore
    triples: int
    record: dict


def make_store(path: Path, nt: Path, pieces: list[dict], previous: Path | None) -> StoreMade:
    """The store of ``nt`` at ``path``: by difference from the build folder ``previous`` when it can, else loaded
    whole. ``pieces``: the new graph.nt's parts (GraphWriter.pieces)."""
    why, old = _why_not_difference(pieces, previous)
    if why is None:
        try:
            made = _by_difference(path, nt, pieces, previous, old)
        except (_Bulk, OSError) as exc:
            why = str(exc) if isinstance(exc, _Bulk) else f"mise à jour du magasin impossible : {exc}"
        else:
            return made
        shutil.rmtree(path, ignore_errors=True)
    return _bulk(path, nt, why)


class _Bulk(Exception):
    """Why the difference was given up (the store is then loaded whole)."""


def _bulk(path: Path, nt: Path, why: str) -> StoreMade:
    store = OxigraphStore(path, read_only=False)
    store.load_file(nt)
    return StoreMade(store, store.triples(), {"made": "bulk", "why": why, "pyoxigraph": ox.__version__})


def _why_not_difference(pieces: list[dict], previous: Path | None) -> tuple[str | None, dict]:
    """Why the store cannot be made by difference (None: it can), and the previous manifest."""
    if os.environ.get("KG_STORE_DIFF", "1") == "0":
        return "KG_STORE_DIFF=0", {}
    if previous is None or not previous.is_dir():
        return "pas de build précédent", {}
    try:
        old = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "manifeste du build précédent illisible", {}
    old_pieces = old.get("pieces")
    if not old_pieces or not pieces:
        return "pas de parties (pieces) dans le manifeste du build précédent", {}
    if old.get("store", {}).get("pyoxigraph") != ox.__version__:
        return "magasin précédent écrit par une autre version de pyoxigraph (ou inconnue)", {}
    if not (previous / "store").is_dir():
        return "pas de magasin dans le build précédent", {}
    old_nt = previous / "graph.nt"
    if not old_nt.is_file() or old_nt.stat().st_size != _end(old_pieces):
        return "graph.nt du build précédent absent ou différent de son manifeste", {}
    if len({p["name"] for p in old_pieces}) < len(old_pieces) or len({p["name"] for p in pieces}) < len(pieces):
        return "noms de parties en double", {}
    if not isinstance(old.get("triples"), int):
        return "nombre de triplets du build précédent inconnu", {}
    changed = _changed(old_pieces, pieces)
    total = sum(p["triples"] for p in pieces)
    touched = sum(max((a or {}).get("triples", 0), (b or {}).get("triples", 0)) for a, b in changed)
    if touched > READ_UP_TO_SHARE * total:
        return (f"{len(changed)} partie(s) changée(s), {touched} triplets sur {total} : chargement complet moins "
                f"cher"), {}
    return None, old


def _end(pieces: list[dict]) -> int:
    return max(p["offset"] + p["length"] for p in pieces)


def _changed(old_pieces: list[dict], pieces: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """(old part, new part) for each part whose digest changed, which is new (old: None) or gone (new: None); a part
    moved in the file with the same digest is unchanged."""
    old = {p["name"]: p for p in old_pieces}
    new = {p["name"]: p for p in pieces}
    pairs = [(old.get(name), piece) for name, piece in new.items()
             if name not in old or old[name]["sha256"] != piece["sha256"]]
    return pairs + [(piece, None) for name, piece in old.items() if name not in new]


def _lines(nt: Path, piece: dict | None) -> set[bytes]:
    """The N-Triples lines of one part, read by offset."""
    if piece is None or not piece["length"]:
        return set()
    with open(nt, "rb") as handle:
        handle.seek(piece["offset"])
        data = handle.read(piece["length"])
    if len(data) != piece["length"] or not data.endswith(b"\n"):
        raise _Bulk("partie de graph.nt tronquée")
    return set(data[:-1].split(b"\n"))


def _by_difference(path: Path, nt: Path, pieces: list[dict], previous: Path, old: dict) -> StoreMade:
    changed = _changed(old["pieces"], pieces)
    gone, added = set(), set()
    for old_piece, new_piece in changed:  # one part at a time: a part's two versions in memory, no more
        before, after = _lines(previous / "graph.nt", old_piece), _lines(nt, new_piece)
        gone |= before - after
        added |= after - before
        del before, after
    gone -= added  # moved from one changed part to another
    total = sum(p["triples"] for p in pieces)
    if len(gone) + len(added) > BULK_FROM_SHARE * total:
        raise _Bulk(f"{len(gone) + len(added)} lignes changées sur {total} : chargement complet moins cher")
    gone -= _found_in(nt, gone)  # still in another part of the new graph: stays in the store
    removed_triples, added_triples = _parsed(gone), _parsed(added)
    _copy_store(previous / "store", path)
    store = OxigraphStore(path, read_only=False)
    try:
        raw = store.raw
        for triple in removed_triples:
            raw.remove(ox.Quad(triple.subject, triple.predicate, triple.object))
        new = [q for q in (ox.Quad(t.subject, t.predicate, t.object) for t in added_triples) if q not in raw]
        if len(new) > EXTEND_UP_TO:
            raw.bulk_extend(new)
        else:
            raw.extend(new)
        raw.flush()
        triples = store.triples()
        expected = old["triples"] - len(removed_triples) + len(new)
        if triples != expected:  # the previous store was not its manifest's graph: start again from graph.nt
            raise _Bulk(f"magasin précédent incohérent : {triples} triplets au lieu de {expected}")
    except BaseException:
        store.close()
        raise
    record = {"made": "difference", "from": previous.name, "pieces_changed": len(changed),
              "removed": len(removed_triples), "added": len(new), "pyoxigraph": ox.__version__}
    return StoreMade(store, triples, record)


def _copy_store(source: Path, target: Path) -> None:
    """A RocksDB checkpoint of the previous store, opened read-only: hard links to its immutable files (same file
    system), nothing written in ``source``."""
    try:
        previous = ox.Store.read_only(str(source))
        try:
            previous.backup(str(target))
        finally:
            del previous
    except OSError as exc:
        raise _Bulk(f"copie du magasin précédent impossible : {exc}") from None


def _found_in(nt: Path, lines: set[bytes]) -> set[bytes]:
    """The lines that are whole lines of the N-Triples file: one search in C over the file per subject (a line
    starts with its subject, and the lines gone from a changed part have few subjects: a fiche's item, totals)."""
    if not lines or not nt.stat().st_size:
        return set()
    by_subject: dict[bytes, set[bytes]] = {}
    for line in lines:
        by_subject.setdefault(line.split(b" ", 1)[0] + b" ", set()).add(line)
    found = set()
    with open(nt, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for subject, wanted in by_subject.items():
            for begin in _line_starts(data, subject):
                end = data.find(b"\n", begin)
                line = data[begin:end if end >= 0 else len(data)]
                if line in wanted:
                    found.add(line)
                    if wanted <= found:
                        break
    return found


def _line_starts(data: mmap.mmap, subject: bytes):
    """Where the lines that begin with ``subject`` (followed by its space) begin."""
    if data[:len(subject)] == subject:
        yield 0
    at = data.find(b"\n" + subject)
    while at >= 0:
        yield at + 1
        at = data.find(b"\n" + subject, at + 1)


def _parsed(lines: set[bytes]) -> list[ox.Triple]:
    """The triples of these lines; blank nodes are relabelled by a bulk load, so they cannot be found again."""
    if not lines:
        return []
    try:
        triples = list(ox.parse(input=b"\n".join(lines) + b"\n", format=NT))
    except SyntaxError as exc:
        raise _Bulk(f"ligne N-Triples illisible : {exc}") from None
    if any(type(t.subject) is ox.BlankNode or type(t.object) is ox.BlankNode for t in triples):
        raise _Bulk("nœuds anonymes dans les lignes changées")
    return triples


__all__ = ["StoreMade", "make_store", "BULK_FROM_SHARE", "READ_UP_TO_SHARE"]
