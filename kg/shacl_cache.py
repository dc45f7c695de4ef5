"""The parts of the graph already found conforming, so that a rebuild validates only the parts that changed.

A part (kg/partition.py) is known by a digest of everything its verdict depends on: its triples (sorted, as
N-Triples), its focus nodes, which side of the shapes it runs, the shapes themselves and the versions of pySHACL
and rdflib. Only a part that conformed with nothing at all to report is remembered (an empty file named by the
digest, under ``dist/cache/shacl/``): a part with a violation or a warning is validated again at every build, and
its report still names the YAML lines. The partition's boundaries depend on the content (kg/partition.py), so that
a change in one programme changes the digests of the parts holding it and of the entities it points to, not the
others'. ``KG_SHACL_CACHE=0`` turns it off."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyshacl
import rdflib
from rdflib import Graph
from rdflib.compare import to_canonical_graph


def cache_wanted() -> bool:
    return os.environ.get("KG_SHACL_CACHE", "1") != "0"


class PartCache:
    """``known(part)`` before validating it, ``remember(part)`` once it conformed; ``prune`` after a build."""

    def __init__(self, folder: Path, shapes_graph: Graph):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        canonical = to_canonical_graph(shapes_graph)  # blank nodes named by their content: the same in every process
        shapes = sorted(line for line in canonical.serialize(format="nt").splitlines() if line.strip())
        salt = hashlib.sha256()
        salt.update(f"parts-1 pyshacl {pyshacl.__version__} rdflib {rdflib.__version__}\n".encode())
        salt.update("\n".join(shapes).encode("utf-8"))
        self.salt = salt.digest()

    def digest(self, triples: list, fiche_shapes: bool, focus) -> str:
        """The part's name in the cache (the order of its triples does not matter; the builder makes no blank
        node: a part that had some would only never be found again)."""
        lines = sorted({f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in triples})
        h = hashlib.sha256(self.salt)
        h.update(b"fiche\n" if fiche_shapes else b"shared\n")
        h.update("\n".join(sorted(str(n) for n in focus)).encode("utf-8") if focus is not None else b"*")
        h.update(b"\n--\n")
        h.update("\n".join(lines).encode("utf-8"))
        return h.hexdigest()

    def known(self, digest: str) -> bool:
        """Whether a part of this digest conformed before."""
        return (self.folder / digest).is_file()

    def remember(self, digest: str) -> None:
        tmp = self.folder / f".{digest}.{os.getpid()}"
        tmp.touch()
        os.replace(tmp, self.folder / digest)

    def prune(self, keep) -> int:
        """Forget every part but those of ``keep`` (the digests of the last build); how many were forgotten."""
        keep, gone = set(keep), 0
        for path in self.folder.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)
                gone += 1
        return gone


__all__ = ["PartCache", "cache_wanted"]
