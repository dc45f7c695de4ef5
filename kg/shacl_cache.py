"""The parts of the graph already found conforming, so that a rebuild validates only the parts that changed.

A part (kg/partition.py) is known by a digest of everything its verdict depends on: its triples (sorted, as
N-Triples), its focus nodes, which side of the shapes it runs, the shapes themselves and the versions of pySHACL
and rdflib. A fiche batch, programme part or entity batch is known fiche by fiche, programme by programme or
segment of nodes by segment (its segments, kg/splitter.py: each one's verdict is its own), so that a rebuild
validates only those that changed; a segment is also known by its programme's key (kg/chunk_cache.py) and the classes it cites, a file
holding the digest of its triples, so that a reused programme's triples need not even be read. Only a part that conformed with nothing at all to report is remembered (an empty file named by the
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

    def composite(self, segment, fiche_shapes: bool) -> str | None:
        """A segment's name (kg/splitter.py: a fiche or a programme) by its programme's key and the classes it
        cites, when it has a key: it is known without reading its triples. A programme's key names its triples
        (the premise of kg/chunk_cache.py); the classes it points to come from other programmes and shared files,
        so they are named by their text."""
        if segment.key is None:
            return None
        h = hashlib.sha256(self.salt)
        h.update(b"keys\nfiche\n" if fiche_shapes else b"keys\nshared\n")
        focus = segment.focus
        h.update("\n".join(sorted(str(n) for n in focus)).encode("utf-8") if focus is not None else b"*")
        h.update(f"\n--\n{segment.key} {segment.node}\n--\n".encode("utf-8"))
        h.update("\n".join(sorted({f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in segment.context})).encode("utf-8"))
        return h.hexdigest()

    def known(self, digest: str) -> bool:
        """Whether a part of this digest conformed before."""
        return (self.folder / digest).is_file()

    def content_of(self, composite: str) -> str | None:
        """The digest of the triples of the part named ``composite``, when that part conformed before."""
        try:
            content = (self.folder / composite).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return content if len(content) == 64 and self.known(content) else None

    def remember(self, digest: str, content: str = "") -> None:
        """``digest`` conformed; ``content``: the digest of its triples, when ``digest`` names it by its keys."""
        tmp = self.folder / f".{digest}.{os.getpid()}"
        tmp.write_text(content, encoding="ascii")
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
