"""`kg extract`: a programme document (PDF or text) → a draft of the curated YAML records, with a review report.

Stages, one module each: text (text of record), structure (+ lines, roles), dates, events, entities, draft,
report, compare. Nothing downstream learns whether a file was typed or extracted."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from kg.extract.draft import Draft, build_draft
from kg.extract.entities import Known
from kg.extract.report import markdown, review_data
from kg.extract.structure import StructureError, pages, read_structure
from kg.extract.text import ExtractError, Record, read_record

__all__ = ["ExtractError", "Extraction", "extract", "write_draft", "known_entities"]


@dataclass
class Extraction:
    record: Record
    draft: Draft


def known_entities(data: Path) -> Known:
    """The entities of the graph's shared files (people, organisations, laws…) of a data folder."""
    from kg.load import DataError
    from kg.programmes import load_data

    try:
        return Known(load_data(data).entities)
    except DataError as exc:
        raise ExtractError(f"{data} : les données existantes ne se chargent pas ({exc.problems[0]})") from None


def existing_programmes(data: Path) -> set[str]:
    ids = set()
    for path in [data / "programme.yaml", *sorted((data / "programmes").glob("*/programme.yaml"))]:
        if path.exists():
            ids.add(str((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("programme", {}).get("id")))
    ids.update(p.name for p in (data / "programmes").glob("*") if p.is_dir())
    return ids


def _year(record: Record, year: int | None) -> int:
    if year:
        return year
    m = re.search(r"Perspectives\s+((?:19|20)\d\d)", record.text)
    if m:
        return int(m.group(1))
    raise ExtractError(f"{record.name} : année du programme introuvable (aucun « Perspectives AAAA ») : donnez --year")


def extract(source: Path, programme: str, data: Path, year: int | None = None, publisher: str | None = None,
            progress: Callable[[str], None] = lambda line: None, check_id: bool = True) -> Extraction:
    """Read, structure and enrich one document; nothing is written."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", programme):
        raise ExtractError(f"identifiant de programme invalide « {programme} » (minuscules, chiffres et tirets)")
    if check_id and programme in existing_programmes(data):
        raise ExtractError(f"{data} : le programme « {programme} » existe déjà : choisissez un autre identifiant")
    if publisher is None:
        raise ExtractError(f"{source} : éditeur du programme manquant : donnez --publisher (un identifiant d'organisation)")
    record = read_record(source)
    count = record.pages if record.pdf_sha256 else len(pages(record.lines))
    progress(f"texte : {count} page(s) lue(s), {len(record.lines)} lignes")
    try:
        structure = read_structure(record.lines)
    except StructureError as exc:
        raise ExtractError(f"{source}:1 : {exc}") from None
    progress(f"structure : {len(structure.fiches)} fiches, {len(structure.axes)} axes")
    known = known_entities(data)
    if known.entities.get(("organisation", publisher)) is None:
        raise ExtractError(f"{source} : éditeur inconnu « {publisher} » : ce n'est pas une organisation de {data}/organisations.yaml")
    draft = build_draft(structure, programme, _year(record, year), publisher, record.name, known)
    items = [i for f in draft.fiches for s in f["sections"] for i in s["items"]]
    progress(f"items : {len(items)} ; rôles : {sum(len(f['roles']) for f in draft.fiches)}")
    progress(f"événements : {sum(len(i.get('events') or []) for i in items)} "
             f"({len(draft.uncertain_dates)} dates incertaines ou déduites)")
    progress(f"mentions d'entités connues : {len(draft.mentions)}")
    progress(f"nouvelles entités à relire : {len(draft.candidates)} ; lignes non utilisées : {len(draft.unused)}")
    return Extraction(record, draft)


class _Dumper(yaml.SafeDumper):
    """Line spans and id lists on one line (``lines: [303, 303]``), as curators write them."""


_Dumper.add_representer(list, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", v, flow_style=bool(v) and all(isinstance(x, (int, str)) for x in v)))


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


def write_draft(extraction: Extraction, output: Path, source: Path) -> Path:
    """Write DIR/programme.yaml, fiches/NN.yaml, source/, candidats.yaml, relecture.md — all or nothing."""
    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise ExtractError(f"{output} : le dossier existe déjà et n'est pas vide : rien n'est écrit")
    draft, record = extraction.draft, extraction.record
    tmp = Path(tempfile.mkdtemp(prefix=".extract-", dir=output.parent if output.parent.exists() else None))
    try:
        (tmp / "fiches").mkdir()
        (tmp / "source").mkdir()
        (tmp / "source" / record.name).write_text(record.text, encoding="utf-8")
        sums = [f"{record.sha256}  {record.name}"]
        if record.pdf_sha256:
            sums.append(f"{record.pdf_sha256}  {source.name}")
        (tmp / "source" / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
        (tmp / "programme.yaml").write_text("# Brouillon écrit par `kg extract` : à relire (voir relecture.md).\n"
                                            + _dump({"programme": draft.programme, "axes": draft.axes}), encoding="utf-8")
        for fiche in draft.fiches:
            (tmp / "fiches" / f"{fiche['number']:02d}.yaml").write_text(_dump(fiche), encoding="utf-8")
        kinds = {"person": "people", "organisation": "organisations", "law": "laws"}
        cands: dict[str, list] = {}
        for c in draft.candidates:
            cands.setdefault(kinds[c.kind], []).append(
                {"id": c.id, "label": c.label, "status": "a-relire", "confidence": c.confidence,
                 "quote": {"text": c.quote, "lines": list(c.lines)}, "note": c.note,
                 **({"merge_with": c.merge} if c.merge else {}),
                 **({"aliases": [{"text": c.label, "lines": [c.alias_line]}]} if c.alias_line else {})})
        (tmp / "candidats.yaml").write_text("# Entités nouvelles proposées : à relire, puis à ajouter aux fichiers partagés.\n"
                                            + _dump(cands), encoding="utf-8")
        (tmp / "relecture.md").write_text(markdown(draft, str(source)), encoding="utf-8")
        (tmp / "relecture.json").write_text(json.dumps(review_data(draft, str(source)), ensure_ascii=False, indent=1),
                                            encoding="utf-8")
        if output.exists():
            output.rmdir()
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(output)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return output


def accept_candidates(draft_dir: Path, data: Path) -> None:
    """Add a draft's candidates (review keys dropped) to the entity files of ``data``: the programme's own folder
    (data/programmes/ID, whose entity files quote its own source) or a folder of shared entity files."""
    cands = yaml.safe_load((Path(draft_dir) / "candidats.yaml").read_text(encoding="utf-8")) or {}
    for top_key, records in cands.items():
        path = Path(data) / f"{top_key}.yaml"
        doc = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {top_key: []}
        have = {r["id"] for r in doc[top_key]}
        for r in records:
            if r["id"] not in have:
                rec = {"id": r["id"], "label": r["label"], **({"aliases": r["aliases"]} if r.get("aliases") else {})}
                if top_key == "organisations":
                    rec["kind"] = "autre"
                if top_key == "laws":
                    rec["kind"] = "loi"
                doc[top_key].append(rec)
        path.write_text(_dump(doc), encoding="utf-8")
