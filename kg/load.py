"""Curated YAML -> checked records. Every error names the file, the line, the record and the key.

The records and the YAML reader are in kg/records.py, the checks of each kind of record in kg/load_check.py."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from kg.load_check import (  # noqa: F401 - the checks, as kg.load always offered them
    COMMON_KEYS, EVENT_KEYS, EXTRA_KEYS, FICHE_KEYS, FOLLOWS, PROGRAMME_STATUS, _check_entity, _check_event,
    _check_fiche, _check_links, _Checker,
)
from kg.records import (  # noqa: F401 - the records, imported from here by the rest of the project
    DATE, ENTITY_FILES, EVENT_KINDS, EVENT_STATUS, KIND_NAMES_FR, KINDS, PRECISIONS, ROLE_CODES, SECTION_KINDS,
    SECTION_STATUS, SLUG, Alias, DataError, Dataset, Entity, Event, Fiche, Item, LineDict, LineList, Where, read_yaml,
)
from kg.source import source_lines

# --- the whole dataset --------------------------------------------------------------------------

def _relative(path: Path) -> str:
    """A path as the curator would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_dataset(root: Path | str = "data", folder: Path | None = None,
                 shared: dict[tuple[str, str], Entity] | None = None) -> Dataset:
    """Read every YAML file of one programme, check it, and return the cross-referenced dataset.

    Without ``folder``, ``root`` holds everything (``programme.yaml``, ``fiches/``, ``source/`` and the entity files).
    With ``folder`` (``data/programmes/ID``, see kg/programmes.py), the programme is read there, with its own optional
    entity files; the shared entity files at the top of ``root`` are read too unless ``shared`` gives them already
    read (their quotes belong to another programme's source)."""
    root = Path(root)
    home = folder or root
    rel = _relative
    prog_file = home / "programme.yaml"
    if not prog_file.exists():
        raise DataError([f"{rel(prog_file)}: fichier absent (le programme et ses axes)"])
    top = read_yaml(prog_file, rel(prog_file))
    ck_source = home / str((top or {}).get("programme", {}).get("source", "source/rtes-programme-actions-2024.txt"))
    if not ck_source.exists():
        raise DataError([f"{rel(prog_file)}: programme.source: fichier source introuvable {ck_source}"])
    ck = _Checker(root, source_lines(str(ck_source)))

    pwhere = Where(rel(prog_file), getattr(top, "line", 1), "programme")
    programme: dict[str, Any] = {}
    axes: list[dict[str, Any]] = []
    if ck.keys(top, pwhere, "", {"programme", "axes"}, {"programme", "axes"}):
        prog = top["programme"]
        if ck.keys(prog, pwhere, "programme.", {"id", "label", "year", "publisher", "source", "source_title", "fiche_count",
                                                "status"},
                   {"id", "label", "year", "publisher", "source"} | ({"status"} if folder else set())):
            programme = dict(prog)
            # brouillon: a draft (kg extract) not yet reviewed; the old one-programme layout is reviewed data
            programme["status"] = ck.enum(prog.get("status", "relu"), PROGRAMME_STATUS, pwhere, "programme.status",
                                          ck.line_of(prog, "status", 1)) or "brouillon"
            programme["file"] = rel(prog_file)
            if folder:
                programme["source_file"] = f"{root.name}/{folder.relative_to(root).as_posix()}/{prog.get('source')}"
            programme["fiche_count"] = ck.integer(prog.get("fiche_count", 14), pwhere, "programme.fiche_count",
                                                  ck.line_of(prog, "fiche_count", 1), 1) or 14
            ck.ref(prog.get("publisher"), ("organisation",), pwhere, "programme.publisher", ck.line_of(prog, "publisher", 1))
        for i, axis in enumerate(top.get("axes") or []):
            awhere = Where(pwhere.file, getattr(axis, "line", 1), f"axe {i + 1}")
            if not ck.keys(axis, awhere, "", {"id", "number", "label", "lines"}, {"id", "label", "lines"}):
                continue
            quote = ck.quoted({"text": axis.get("label"), "lines": axis.get("lines")}, awhere, "label", awhere.line)
            if quote and ck.slug(axis.get("id"), awhere, "id", awhere.line):
                axes.append({"id": axis["id"], "number": axis.get("number"), "label": quote["text"],
                             "lines": quote["lines"], "where": awhere})
    pid = programme.get("id", "rtes-2024")

    # the shared entities as given, not a copy per programme (1,000 programmes of 250,000 entities): copied only
    # when this programme adds its own
    entities: dict[tuple[str, str], Entity] = shared if shared is not None else {}
    own: dict[tuple[str, str], Entity] = {}
    files = [] if shared is not None else [(root / name, name, top_key, kind, False)
                                           for name, (top_key, kind) in ENTITY_FILES.items()]
    if folder:
        files += [(folder / name, name, top_key, kind, True) for name, (top_key, kind) in ENTITY_FILES.items()]
    for path, name, top_key, kind, optional in files:
        if not path.exists():
            if not optional:
                ck.problems.append(f"{rel(path)}: fichier absent (les entités de type {KIND_NAMES_FR[kind]})")
            continue
        label = rel(path)  # once per file: it resolves the path on disk
        doc = read_yaml(path, label)
        fwhere = Where(label, 1, name)
        if not ck.keys(doc, fwhere, "", {top_key}, {top_key}):
            continue
        for rec in doc.get(top_key) or []:
            where = Where(label, getattr(rec, "line", 1), f"{KIND_NAMES_FR[kind]} {rec.get('id') if isinstance(rec, dict) else '?'}")
            entity = _check_entity(ck, kind, rec, where)
            if entity is None:
                continue
            if optional and (kind, entity.id) in entities and (kind, entity.id) not in own:
                problem = differs(entities[(kind, entity.id)], entity)
                if problem:
                    ck.problems.append(problem)
                own[(kind, entity.id)] = entities[(kind, entity.id)]
                continue
            if (kind, entity.id) in entities:
                ck.problem(where, "id", f"identifiant en double {entity.id!r} (déjà en {entities[(kind, entity.id)].where.file}:"
                                        f"{entities[(kind, entity.id)].where.line})", ck.line_of(rec, "id", where.line))
                continue
            if entities is shared:
                entities = dict(shared)
            entities[(kind, entity.id)] = entity
            if optional:
                own[(kind, entity.id)] = entity

    events: dict[str, Event] = {}
    event_refs: list[tuple[str, int, Item, Where]] = []
    shared_events = root / "events.yaml"
    if shared_events.exists() and shared is None:
        doc = read_yaml(shared_events, rel(shared_events))
        for rec in (doc or {}).get("events") or []:
            where = Where(rel(shared_events), getattr(rec, "line", 1), f"événement {rec.get('id') if isinstance(rec, dict) else '?'}")
            data = _check_event(ck, rec, where, None, extra={"text", "lines", "fiches"})
            if not data or not data.get("id"):
                continue
            quote = ck.quoted({"text": rec.get("text"), "lines": rec.get("lines")}, where, "text", where.line)
            data["quote"] = quote
            fiches = {n for n in rec.get("fiches") or []
                      if ck.integer(n, where, "fiches", where.line, 1, programme.get("fiche_count", 14))}
            if data["id"] in events:
                ck.problem(where, "id", f"identifiant d'événement en double {data['id']!r}")
                continue
            events[data["id"]] = Event(data["id"], data, fiches, [], where)

    fiches: list[Fiche] = []
    seen_numbers: dict[int, str] = {}
    axis_ids = {a["id"] for a in axes}
    for path in sorted((home / "fiches").glob("*.yaml")):
        label = rel(path)
        doc = read_yaml(path, label)
        fiche = _check_fiche(ck, doc, label, pid, axis_ids, events, event_refs, programme.get("fiche_count", 14))
        if fiche is None:
            continue
        if fiche.number in seen_numbers:
            ck.problem(fiche.where, "number", f"fiche {fiche.number} en double (déjà dans {seen_numbers[fiche.number]})")
            continue
        seen_numbers[fiche.number] = f"{fiche.where.file}:{getattr(doc, 'key_lines', {}).get('number', fiche.where.line)}"
        fiches.append(fiche)
    fiches.sort(key=lambda f: f.number)

    for ident, number, item, where in event_refs:
        if ident not in events:
            close = difflib.get_close_matches(ident, sorted(events), n=1)
            hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
            ck.problem(where, "ref", f"événement inconnu {ident!r}{hint}")
            continue
        events[ident].fiches.add(number)
        events[ident].items.append(item)

    def known(kind: str, ident: str) -> bool:
        return ident in events if kind == "event" else (kind, ident) in entities

    for kinds, ident, where, key in ck.refs:  # looked up one by one: a programme among many reads no full list
        if any(known(k, ident) for k in kinds):
            continue
        pool = sorted({i for k, i in entities if k in kinds} | (set(events) if "event" in kinds else set()))
        close = difflib.get_close_matches(ident, pool, n=1, cutoff=0.6)
        hint = f" (vouliez-vous dire « {close[0]} » ?)" if close else ""
        names = " ou ".join(KIND_NAMES_FR[k] for k in kinds)
        ck.problems.append(f"{where}: {key}: {names} inconnu(e) « {ident} »{hint}")

    if ck.problems:
        raise DataError(ck.problems)
    return Dataset(root, ck_source, programme, axes, fiches, entities, events, own=own)


def differs(first: Entity, second: Entity) -> str | None:
    """A one-line French error when two files describe the same entity differently (None when they agree).

    Compared: label, aliases (their text) and every key but the quoted description (its lines belong to each
    file's own source)."""
    def facts(e: Entity) -> tuple:
        data = {k: v for k, v in e.data.items() if k != "description"}
        return e.label, sorted({a.text for a in e.aliases}), sorted(data.items(), key=lambda kv: kv[0])
    if facts(first) == facts(second):
        return None
    what = next(k for k, a, b in zip(("label", "aliases", "données"), facts(first), facts(second)) if a != b)
    return (f"{second.where.file}:{second.where.line}: {second.where.record}: décrit autrement que dans "
            f"{first.where.file}:{first.where.line} ({what} différent)")
