"""A programme's part of the graph remembered between builds: a rebuild makes again only the programmes whose inputs
changed, and takes the others' triples, N-Triples and counts as an earlier build made them.

A part is named by the SHA-256 of everything its triples can depend on, read from the files themselves (never
from modification times): the project's code and library versions; where the data folder is and where the build
runs from (file names are written from them); every data file outside ``programmes/`` (the
shared entities, the referentials); the programme's folder and source; the folder of the reference programme (its
names are the mention matcher's); the entity files and programme.yaml of every programme folder (a draft's own
entities: an entity two programmes describe is written with the first, a territory's parent may be one; a source
document two programmes cite is written with the first); the folder of the programme's
previous programme (the proposed correspondences); whether it is the reference. When in doubt a part is made
again. Entries live in ``dist/cache/programmes/`` (pickles: the build's own output, trusted as its store is),
pruned to the last build's parts; ``KG_PROGRAMME_CACHE=0`` turns it off."""

from __future__ import annotations

import hashlib
import os
import pickle
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from kg.records import ENTITY_FILES

#: what the cache holds changes shape: every entry is made again
VERSION = "programme-part-4"


def cache_wanted() -> bool:
    return os.environ.get("KG_PROGRAMME_CACHE", "1") != "0"


@dataclass
class MadePart:
    """One programme's part as the build made it: the triples written (after the shared filters), the provenance
    marks in the order they were made (replayed with ``setdefault``), the fiches of each entity (for the totals),
    and, once written, the digest of its N-Triples (copied from the earlier build's graph.nt) and its counts
    (kg/dumps.py ``Tally``)."""

    triples: list
    marks: list
    fiches_of: dict
    own: list = field(default_factory=list)  # its own entities' triples, written or not (those seen)
    linked: list = field(default_factory=list)  # the shared part's: the entities the referential links
    sha256: str | None = None  # of its N-Triples, once written
    tally: Any = None
    placed: Any = None  # where the SHACL split places it (kg/splitter.py ``Placed``, without its triples)
    #: where its triples are kept: a part taken from the cache reads them only when asked (``all_triples``)
    source: Path | None = None
    source_size: int = 0

    def all_triples(self) -> list:
        if self.triples is None:
            with open(self.source, "rb") as handle:
                self.triples = _from_table(*pickle.load(handle))
        return self.triples

    def __getstate__(self) -> dict:
        """Without the triples (kept in a file of their own), the own entities' as a table of distinct terms and an
        array of their numbers (read back in C loops)."""
        state = dict(self.__dict__)
        state["triples"] = state["source"] = None
        state["own"] = _as_table(self.own)
        return state

    def __setstate__(self, state: dict) -> None:
        state["own"] = _from_table(*state["own"])
        self.__dict__.update(state)


def _as_table(triples: list) -> tuple[list, array]:
    numbers: dict[int, int] = {}
    terms: list = []
    flat = array("I")
    for triple in triples:
        for term in triple:
            n = numbers.get(id(term))
            if n is None:
                n = numbers[id(term)] = len(terms)
                terms.append(term)
            flat.append(n)
    return terms, flat


def _from_table(terms: list, flat: array) -> list:
    numbered = map(terms.__getitem__, flat)
    return list(zip(numbered, numbered, numbered))


def _uri(value: str) -> URIRef:
    """An IRI the build made and checked already: not checked again."""
    return str.__new__(URIRef, value)


def _literal(lexical: str, language, datatype, value, ill_typed) -> Literal:
    """A literal as the build made it (its Python value kept): not parsed again."""
    literal = str.__new__(Literal, lexical)
    literal._language, literal._datatype, literal._value, literal._ill_typed = language, datatype, value, ill_typed
    return literal


class _TermPickler(pickle.Pickler):
    """rdflib terms pickled as their parts: unpickling them is 2× faster than through their constructors."""

    def reducer_override(self, obj):
        kind = type(obj)
        if kind is URIRef:
            return _uri, (str(obj),)
        if kind is Literal:
            return _literal, (str(obj), obj._language, obj._datatype, obj._value, obj._ill_typed)
        return NotImplemented


def _digest_files(paths) -> str:
    """SHA-256 of the files' relative names and bytes, in name order."""
    h = hashlib.sha256()
    for name, path in sorted(paths):
        h.update(name.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def _files_under(folder: Path, root: Path, skip: Path | None = None):
    for path in folder.rglob("*"):
        if path.is_file() and not (skip is not None and path.is_relative_to(skip)):
            yield path.relative_to(root).as_posix(), path


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The project's code (every module of kg/) and the RDF libraries' versions."""
    import pyoxigraph
    import rdflib

    package = Path(__file__).parent
    files = ((p.relative_to(package).as_posix(), p) for p in package.rglob("*.py"))
    return hashlib.sha256(f"{VERSION} {rdflib.__version__} {pyoxigraph.__version__} {_digest_files(files)}"
                          .encode()).hexdigest()


@dataclass
class PartCache:
    """The keys of a multi-programme dataset's parts, and the parts found or kept under ``folder``."""

    folder: Path
    root: Path
    used: set[str] = field(default_factory=set)
    made: int = 0  # programmes made in this build, and taken as an earlier build made them (the shared part apart)
    reused: int = 0
    read: int = 0  # reused programmes whose triples the build read all the same (counted by the build)

    def __post_init__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self._folders: dict[Path, str] = {}
        # where the data is, and where the build runs from: file names in the triples (kg:fileName) and in the
        # provenance marks are written from them
        self.place = f"{self.root.resolve()} {Path.cwd()}"
        programmes = self.root / "programmes"
        self.shared = _digest_files(_files_under(self.root, self.root, skip=programmes))
        self.own = _digest_files((n, p) for n, p in _files_under(programmes, self.root)
                                 if (p.name in ENTITY_FILES or p.name == "programme.yaml") and p.parent.parent == programmes)

    def folder_digest(self, programme: dict | None) -> str:
        """The digest of a programme's folder (its id, checked), and of its source when it lies elsewhere."""
        if programme is None:
            return ""
        folder = self.root / "programmes" / programme["id"]
        if folder not in self._folders:
            files = list(_files_under(folder, self.root))
            source = (folder / str(programme.get("source", ""))).resolve()
            if source.is_file() and not source.is_relative_to(folder.resolve()):
                files.append(("source:" + str(source), source))
            self._folders[folder] = _digest_files(files)
        return self._folders[folder]

    def key(self, part, reference, previous) -> str:
        text = " ".join((code_digest(), self.place, self.shared, self.own, self.folder_digest(part.programme),
                         self.folder_digest(reference.programme), self.folder_digest(previous and previous.programme),
                         "reference" if part is reference else "other"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def shared_key(self) -> str:
        """The shared part's: the shared files, and which entities the programmes describe themselves."""
        return hashlib.sha256(" ".join((code_digest(), self.place, self.shared, self.own, "commun"))
                              .encode("utf-8")).hexdigest()

    def get(self, key: str) -> MadePart | None:
        """The part kept under ``key`` (its triples read only when asked), or None."""
        self.used.add(key)
        source = self.folder / f"{key}.triples"
        try:
            with open(self.folder / f"{key}.pickle", "rb") as handle:
                part = pickle.load(handle)
            if source.stat().st_size != part.source_size:
                return None
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
            return None  # absent, or cut short by a build that stopped: made again
        part.source = source
        return part

    def put(self, key: str, part: MadePart) -> None:
        """Keep ``part``: its triples first, then what names them (a part is found only once both are whole)."""
        self.used.add(key)
        triples = self.folder / f"{key}.triples"
        part.source_size = self._write(triples, _as_table(part.all_triples()))
        self._write(self.folder / f"{key}.pickle", part)

    @staticmethod
    def _write(path: Path, value) -> int:
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        with open(tmp, "wb") as handle:
            _TermPickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
            size = handle.tell()
        os.replace(tmp, path)
        return size

    def prune(self) -> None:
        for path in self.folder.iterdir():
            if path.suffix in (".pickle", ".triples") and path.stem not in self.used:
                path.unlink(missing_ok=True)


__all__ = ["MadePart", "PartCache", "cache_wanted", "code_digest"]
