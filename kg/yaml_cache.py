"""Parsed YAML remembered between builds: a file whose bytes did not change is not parsed again.

At ×1000 the build reads 15,000 YAML files, and parsing them (line numbers kept) is two thirds of its YAML stage.
A parsed file is pickled under ``dist/cache/yaml/`` by the SHA-256 of its bytes and of this reader's version;
only files that parsed are remembered (a syntax error is reported from the file each time). The folder is the
build's own output, trusted as its store is. ``KG_YAML_CACHE=0`` turns it off."""

from __future__ import annotations

import hashlib
import os
import pickle
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

#: changed when what a parse gives changes: every entry is then parsed anew (so does a new PyYAML, or any change to
#: kg/records.py, which makes the LineDict and LineList a parse gives)
VERSION = b"yaml-lines-1"


@lru_cache(maxsize=1)
def _reader_version() -> bytes:
    import yaml

    records = Path(__file__).with_name("records.py").read_bytes()
    return VERSION + b" " + yaml.__version__.encode() + b" " + hashlib.sha256(records).hexdigest().encode()


def cache_wanted() -> bool:
    return os.environ.get("KG_YAML_CACHE", "1") != "0"


class YamlCache:
    """Parsed documents by digest; ``used`` the digests read or written since the cache was opened."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.used: set[str] = set()
        self.hits = self.misses = 0

    def load(self, data: bytes, parse: Callable[[bytes], Any]) -> Any:
        digest = hashlib.sha256(_reader_version() + b"\0" + data).hexdigest()
        self.used.add(digest)
        path = self.folder / f"{digest}.pickle"
        try:
            with open(path, "rb") as handle:
                doc = pickle.load(handle)
            self.hits += 1
            return doc
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            pass  # absent, or cut short by a build that stopped: parsed again
        doc = parse(data)
        self.misses += 1
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        with open(tmp, "wb") as handle:
            pickle.dump(doc, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        return doc

    def prune(self) -> None:
        """Forget the files no longer read (the cache holds the last build's files only)."""
        for path in self.folder.glob("*.pickle"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


_current: YamlCache | None = None


def current() -> YamlCache | None:
    return _current


@contextmanager
def parsed_yaml_cache(folder: Path | None) -> Iterator[YamlCache | None]:
    """While open, :func:`kg.records.read_yaml` goes through the cache in ``folder`` (None: no cache)."""
    global _current
    before = _current
    _current = YamlCache(folder) if folder is not None and cache_wanted() else None
    try:
        yield _current
    finally:
        _current = before
