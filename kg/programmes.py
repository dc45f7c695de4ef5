"""Several programmes in one graph: every folder under data/programmes/, entities shared by id.

The shared entity files at the top of data/ (people, organisations, laws, concepts, territories, publications,
events) quote the source of one programme, named in data/shared.yaml (``quotes_from``). Each programme folder
holds its programme.yaml, fiches/, source/ and, optionally, its own entity files (a draft from ``kg extract``):
an entity described there must agree with every other description of the same id.
"""

from __future__ import annotations

import dataclasses
import difflib
from functools import lru_cache
from pathlib import Path

from kg.load import DataError, Dataset, Entity, Fiche, differs, load_dataset, read_yaml, _relative
from kg.source import fold_key

#: a proposed correspondence needs at least this score (0–1: title 0.6, axis 0.25, same number 0.15)
PROPOSAL_THRESHOLD = 0.5


def load_data(root: Path | str = "data") -> Dataset:
    """Every programme under ``root/programmes/`` (or the one-programme layout of a fixture), checked together.

    One programme: its Dataset, exactly as the one-programme layout gives it. Several: a Dataset whose ``parts``
    are the programmes (``entities`` and ``events`` the union of theirs, one ``provenance`` for all)."""
    root = Path(root)
    folder = root / "programmes"
    if not folder.is_dir():
        return load_dataset(root)
    dirs = sorted(d for d in folder.iterdir() if d.is_dir())
    if not dirs:
        raise DataError([f"{_relative(folder)}: aucun programme (un dossier par programme, avec son programme.yaml)"])
    reference = _quotes_from(root, dirs)
    problems: list[str] = []
    parts: list[Dataset] = []
    try:
        first = load_dataset(root, reference)
    except DataError as exc:
        raise DataError(exc.problems) from None
    shared = {key: e for key, e in first.entities.items() if key not in first.own}
    others = {key: _without_line_aliases(e) for key, e in shared.items()}
    for d in dirs:
        if d == reference:
            parts.append(first)
            continue
        try:
            parts.append(load_dataset(root, d, shared=others))
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(problems)
    problems += _check_together(parts, root)
    if problems:
        raise DataError(problems)
    propose_correspondences(parts)
    if len(parts) == 1:
        return parts[0]
    entities: dict[tuple[str, str], Entity] = dict(first.entities)
    events = {}
    for part in parts:  # the other programmes add their own entities only (the rest is the shared files)
        entities.update({k: e for k, e in part.own.items() if k not in entities})
        events.update(part.events)
        part.reference = part is first
    whole = Dataset(root, first.source_path, {}, [], [], entities, events, parts=parts)
    for part in parts:
        part.provenance = whole.provenance
    return whole


def _quotes_from(root: Path, dirs: list[Path]) -> Path:
    """The programme whose source the shared files quote: data/shared.yaml, or the only programme."""
    shared_file = root / "shared.yaml"
    if not shared_file.exists():
        if len(dirs) == 1:
            return dirs[0]
        raise DataError([f"{_relative(shared_file)}: fichier absent : « quotes_from: ID » dit de quel programme "
                         f"les fichiers partagés citent la source"])
    doc = read_yaml(shared_file, _relative(shared_file)) or {}
    wanted = doc.get("quotes_from") if isinstance(doc, dict) else None
    line = getattr(doc, "key_lines", {}).get("quotes_from", 1)
    match = [d for d in dirs if d.name == wanted]
    if not match:
        names = ", ".join(d.name for d in dirs)
        raise DataError([f"{_relative(shared_file)}:{line}: quotes_from: programme inconnu {wanted!r} "
                         f"(programmes : {names})"])
    return match[0]


def _without_line_aliases(entity: Entity) -> Entity:
    """An alias valid at some lines only is a line of the reference source: not for another programme's text."""
    return dataclasses.replace(entity, aliases=[a for a in entity.aliases if a.lines is None])


def _check_together(parts: list[Dataset], root: Path) -> list[str]:
    """Folder names, programme ids, entities and events across programmes; declared ``follows``."""
    problems: list[str] = []
    by_id: dict[str, Dataset] = {}
    for part in parts:
        pid, file = part.programme.get("id"), part.programme.get("file")
        folder = Path(file).parent.name
        if pid != folder:
            problems.append(f"{file}:1: programme : l'identifiant {pid!r} doit être le nom de son dossier ({folder!r})")
        if pid in by_id:
            problems.append(f"{file}:1: programme : identifiant {pid!r} en double (déjà dans {by_id[pid].programme['file']})")
        by_id[pid] = part
    own: dict[tuple[str, str], Entity] = {}
    for part in parts:
        for key, entity in part.own.items():
            if key in own and own[key] is not entity:
                problem = differs(own[key], entity)
                if problem:
                    problems.append(problem)
            own.setdefault(key, entity)
    events = {}
    for part in parts:
        for ident, event in part.events.items():
            if ident in events:
                problems.append(f"{event.where}: id: événement {ident!r} décrit aussi dans {events[ident].where.file}:"
                                f"{events[ident].where.line} (un identifiant d'événement vaut pour tous les programmes)")
            events.setdefault(ident, event)
    for part in parts:
        for fiche in part.fiches:
            if not fiche.data.get("follows"):
                continue
            target, number, line = fiche.data["follows"]
            earlier = by_id.get(target)
            if earlier is None:
                close = difflib.get_close_matches(target, sorted(set(by_id) - {part.programme['id']}), n=1)
                hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
                problems.append(f"{fiche.where.file}:{line}: fiche {fiche.number}: follows: programme inconnu {target!r}{hint}")
            elif number not in {f.number for f in earlier.fiches}:
                problems.append(f"{fiche.where.file}:{line}: fiche {fiche.number}: follows: le programme {target} "
                                f"n'a pas de fiche {number}")
    return problems


# --- which fiche of the previous programme is "the same" ------------------------------------------

def _title(fiche: Fiche) -> str:
    return fold_key(fiche.data["title"]["text"]) if fiche.data.get("title") else ""


def similarity(later: Fiche, earlier: Fiche, axes_later: dict[str, str], axes_earlier: dict[str, str]) -> float:
    """0–1: title (folded) 0.6, axis label 0.25, same number 0.15."""
    return _score(_title(later), _title(earlier), fold_key(axes_later.get(later.data["axis"], "")),
                  fold_key(axes_earlier.get(earlier.data["axis"], "")), later.number == earlier.number)


def _score(title: str, title_before: str, axis: str, axis_before: str, same_number: bool,
           at_least: float = -1.0) -> float:
    """:func:`similarity` of texts already folded (each folded once per programme, not once per pair); -1 when it
    is sure to be below ``at_least`` (told by difflib's upper bound, without the full comparison of the titles)."""
    rest = 0.25 * _ratio(axis, axis_before) + 0.15 * same_number
    if not title:
        return round(rest, 3)
    matcher = difflib.SequenceMatcher(None, title, title_before)
    if round(0.6 * matcher.quick_ratio() + rest, 3) < at_least:
        return -1.0
    return round(0.6 * matcher.ratio() + rest, 3)


@lru_cache(maxsize=4096)
def _ratio(text: str, text_before: str) -> float:
    """difflib's ratio of two axis labels (a programme has a handful: each pair is compared once)."""
    return difflib.SequenceMatcher(None, text, text_before).ratio()


def _folded(part: Dataset) -> dict[int, tuple[str, str]]:
    """Fiche number -> (folded title, folded axis label)."""
    axes = {a["id"]: fold_key(a["label"]) for a in part.axes}
    return {f.number: (_title(f), axes.get(f.data["axis"], "")) for f in part.fiches}


def previous_programme(part: Dataset, parts: list[Dataset]) -> Dataset | None:
    """The latest earlier programme of the same publisher."""
    year, publisher = int(part.programme["year"]), part.programme["publisher"]
    earlier = [p for p in parts if p.programme["publisher"] == publisher and int(p.programme["year"]) < year]
    return max(earlier, key=lambda p: int(p.programme["year"]), default=None)


def propose_correspondences(parts: list[Dataset]) -> None:
    """For each fiche that declares no ``follows``: the most similar fiche of the previous programme of the same
    publisher, when similar enough and not declared by another fiche; stored as ``proposed_follows``
    (programme, number, score) and published as kg:proposedFollows (a proposal, to be confirmed)."""
    for part in parts:
        before = previous_programme(part, parts)
        if before is None:
            continue
        now, then = _folded(part), _folded(before)
        taken = {f.data["follows"][1] for f in part.fiches
                 if f.data.get("follows") and f.data["follows"][0] == before.programme["id"]}
        for fiche in part.fiches:
            if fiche.data.get("follows"):
                continue
            title, axis = now[fiche.number]
            best = None  # the highest score, the lowest number among equals
            for old in before.fiches:
                if old.number in taken:
                    continue
                score = _score(title, then[old.number][0], axis, then[old.number][1], fiche.number == old.number,
                               at_least=best[0] if best else -1.0)
                if best is None or (score, -old.number) > (best[0], -best[1]):
                    best = (score, old.number)
            if best is None:
                continue
            score, number = best
            if score >= PROPOSAL_THRESHOLD:
                fiche.data["proposed_follows"] = (before.programme["id"], number, score)
