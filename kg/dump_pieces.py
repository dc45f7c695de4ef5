"""graph.ttl, graph.jsonld and graph.trig written part after part, each part's text taken from the last build when that
part of graph.nt did not change: a rebuild serialises the changed programmes only.

Each file is its header, then the parts' texts one after the other (Turtle and TriG allow a subject or a named graph
in several places; the JSON-LD array holds one node object per subject and part). ``pieces.json`` beside
manifest.json says where each part's text is in each file, with the digest of the part's N-Triples and of the
code that wrote it; a part is copied only when both are the same."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pyoxigraph as ox

from kg.chunk_cache import code_digest
from kg.export import SHARED_GRAPH, jsonld_context, named_graph_key
from kg.namespaces import PREFIXES

NT = ox.RdfFormat.N_TRIPLES
#: file (relative to the build folder) -> format
FILES = {"graph.ttl": "ttl", "telecharger/graph.jsonld": "jsonld", "telecharger/graph.trig": "trig"}


def _prefixes() -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def _header() -> bytes:
    """The prefix lines at the top of the Turtle and TriG files."""
    return "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in _prefixes().items()).encode("utf-8")


def _quads(triples):
    """The triples in their named graph: their fiche, their programme, else graphe/commun (as kg/dumps.py)."""
    graphs: dict[str, ox.NamedNode] = {}
    shared = ox.NamedNode(str(SHARED_GRAPH))
    subject, graph = None, shared
    for triple in triples:
        if triple.subject != subject:
            subject = triple.subject
            key = named_graph_key(subject.value) if type(subject) is ox.NamedNode else ""
            graph = shared if not key else graphs.get(key) or graphs.setdefault(key, ox.NamedNode(key))
        yield ox.Quad(subject, triple.predicate, triple.object, graph)


def part_text(nt: bytes, fmt: str) -> bytes:
    """One part's text in ``fmt``, without the file's header (for JSON-LD: its node objects, comma-separated)."""
    out = io.BytesIO()
    triples = ox.parse(nt, format=NT)
    if fmt == "ttl":
        ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes=_prefixes())
    elif fmt == "trig":
        ox.serialize(_quads(triples), out, format=ox.RdfFormat.TRIG, prefixes=_prefixes())
    else:
        ox.serialize(triples, out, format=ox.RdfFormat.JSON_LD)
    text = out.getvalue()
    if fmt == "jsonld":
        if not (text.startswith(b"[") and text.endswith(b"]")):
            raise ValueError("JSON-LD inattendu : un tableau était attendu")
        return text[1:-1]
    at = 0
    for _ in range(len(PREFIXES) if text else 0):  # Oxigraph writes the prefixes in an order of its own
        if not text.startswith(b"@prefix ", at):
            raise ValueError(f"{fmt} inattendu : l'en-tête des préfixes a changé")
        at = text.index(b"\n", at) + 1
    return text[at:]


def _opening(fmt: str) -> bytes:
    if fmt == "jsonld":
        context = json.dumps(jsonld_context()["@context"], ensure_ascii=False).encode("utf-8")
        return b'{"@context": ' + context + b', "@graph": ['
    return _header()


def _earlier(previous: Path | None) -> dict:
    """(file, part name) -> (path of the earlier file, its piece), when the earlier build's code was this one."""
    if previous is None:
        return {}
    try:
        recorded = json.loads((previous / "pieces.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if recorded.get("code") != code_digest():
        return {}
    return {(name, piece["name"]): (previous / name, piece)
            for name, pieces in recorded.get("files", {}).items() for piece in pieces}


def read_piece(path: Path, offset: int, length: int, sha256: str) -> bytes | None:
    """The bytes an earlier build wrote at ``offset`` of ``path``; None when the file no longer holds them."""
    try:
        with open(path, "rb") as old:
            old.seek(offset)
            data = old.read(length)
    except OSError:
        return None
    if len(data) != length or hashlib.sha256(data).hexdigest() != sha256:
        return None
    return data


def _copied(path: Path, piece: dict) -> bytes | None:
    return read_piece(path, piece["offset"], piece["length"], piece["text_sha256"])


def write_pieced(folder: Path, pieces: list[dict], previous: Path | None) -> dict[str, int]:
    """Write graph.ttl, telecharger/graph.jsonld, telecharger/graph.trig and pieces.json in the build ``folder``
    from its graph.nt and ``pieces``; ``previous`` the last good build. The number of parts serialised and copied."""
    earlier = _earlier(previous)
    counts = {"serialised": 0, "copied": 0}
    recorded: dict[str, list[dict]] = {}
    (folder / "telecharger").mkdir(parents=True, exist_ok=True)
    outs = {name: open(folder / name, "wb") for name in FILES}
    started = set()  # the files whose JSON-LD array has a node object already
    try:
        for name, fmt in FILES.items():
            outs[name].write(_opening(fmt))
            recorded[name] = []
        with open(folder / "graph.nt", "rb") as nt:
            for piece in pieces:
                source = None
                for name, fmt in FILES.items():
                    path, old = earlier.get((name, piece["name"]), (None, None))
                    text = _copied(path, old) if old is not None and old["sha256"] == piece["sha256"] else None
                    if text is None:
                        if source is None:
                            nt.seek(piece["offset"])
                            source = nt.read(piece["length"])
                        text = part_text(source, fmt)
                        counts["serialised"] += 1
                    else:
                        counts["copied"] += 1
                    out = outs[name]
                    if fmt == "jsonld" and text:
                        if name in started:
                            out.write(b",")
                        started.add(name)
                    recorded[name].append({"name": piece["name"], "sha256": piece["sha256"], "offset": out.tell(),
                                           "length": len(text), "text_sha256": hashlib.sha256(text).hexdigest()})
                    out.write(text)
        outs["telecharger/graph.jsonld"].write(b"]}")
    finally:
        for out in outs.values():
            out.close()
    (folder / "pieces.json").write_text(json.dumps({"code": code_digest(), "files": recorded}), encoding="utf-8")
    return counts


__all__ = ["FILES", "part_text", "read_piece", "write_pieced"]
