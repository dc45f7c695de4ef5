"""Precision and recall of a draft against curated records of the same document, field by field."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from kg.extract.entities import Known, make_item


def read_records(root: Path) -> tuple[dict, list[dict], dict[str, dict]]:
    """programme.yaml, fiches/*.yaml and the shared events (for ``ref``) of a programme folder (data/programmes/ID,
    whose shared events are in data/events.yaml) or of a one-programme data folder."""
    if not (root / "programme.yaml").exists():
        raise FileNotFoundError(f"{root} : pas de programme.yaml (donnez le dossier d'un programme, data/programmes/ID)")
    top = yaml.safe_load((root / "programme.yaml").read_text(encoding="utf-8"))
    fiches = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((root / "fiches").glob("*.yaml"))]
    shared = {}
    events = root / "events.yaml" if (root / "events.yaml").exists() else root.parent.parent / "events.yaml"
    if root.parent.name == "programmes" or (root / "events.yaml").exists():
        if events.exists():
            shared = {e["id"]: e for e in (yaml.safe_load(events.read_text(encoding="utf-8")) or {}).get("events") or []}
    for f in fiches:  # a ref may also name an event written in another item
        for s in f.get("sections") or []:
            for it in s["items"]:
                for e in it.get("events") or []:
                    if "id" in e:
                        shared.setdefault(e["id"], e)
    return top, fiches, shared


# an event's status when its record leaves it out: the section's (data/README.md)
DEFAULT_STATUS = {"actions-realisees": "realise", "perspectives": "prevu", "projets": "prevu", "propositions": "propose"}


def _shared(fiches: list[dict]) -> dict[str, dict]:
    """The events written in an item, by id: what a ``ref`` elsewhere names."""
    return {e["id"]: e for f in fiches for s in f.get("sections") or [] for it in s["items"]
            for e in it.get("events") or [] if "id" in e}


def _keys(top: dict, fiches: list[dict], shared: dict[str, dict], known: Known) -> dict[str, Counter]:
    keys: dict[str, Counter] = {name: Counter() for name in
                                ("fiches", "axes", "axe des fiches", "titres", "rôles", "items", "événements",
                                 "dates", "statuts", "participants", "lieux", "mentions")}
    for a in top.get("axes") or []:
        keys["axes"][(a["id"], a["label"], tuple(a["lines"]))] += 1
    for f in fiches:
        n = f["number"]
        keys["fiches"][n] += 1
        keys["axe des fiches"][(n, f["axis"])] += 1
        t = f.get("title")
        keys["titres"][(n, t["text"] if t else None, tuple(t["lines"]) if t else None)] += 1
        for r in f.get("roles") or []:
            keys["rôles"][(n, r["role"], r["agent"], r.get("scope"))] += 1
        for s in f.get("sections") or []:
            for it in s["items"]:
                lines = tuple(it["lines"])
                keys["items"][(n, lines)] += 1
                for m in known.mentions(make_item(it["text"], lines, n)):
                    keys["mentions"][(n, lines, m[0], m[1])] += 1
                for e in it.get("events") or []:
                    if "ref" in e:
                        e = shared.get(e["ref"], {})
                    status = e.get("status") or DEFAULT_STATUS.get(s.get("kind"))
                    key = (n, lines, e.get("date"))
                    keys["événements"][key] += 1
                    keys["dates"][key + (e.get("end"), bool(e.get("date_uncertain")), bool(e.get("year_inferred")))] += 1
                    keys["statuts"][key + (status,)] += 1
                    keys["participants"][key + ((e.get("participants") or {}).get("count"),)] += 1
                    place = e.get("place")  # one place, or several (a club of two régions)
                    keys["lieux"][key + (tuple(sorted(place)) if isinstance(place, list) else place,)] += 1
    return keys


PROPOSED = 0.5  # candidates below this confidence are listed for a look, not proposed: they are not counted


def _candidates(path: Path) -> Counter:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return Counter((key, r["id"]) for key, records in (doc or {}).items() for r in records or [])


EVENT_FIELDS = ("dates", "statuts", "participants", "lieux")


def _field_keys(draft_top: dict, draft_fiches: list[dict], root: Path, known: Known,
                candidates: list | None) -> list[tuple[str, Counter, Counter]]:
    """(field, expected keys, found keys); event fields only over the events both sides have."""
    top, fiches, shared = read_records(root)
    expected = _keys(top, fiches, shared, known)
    found = _keys(draft_top, draft_fiches, _shared(draft_fiches), known)
    files = {"person": "people", "organisation": "organisations", "law": "laws"}
    expected["nouvelles entités"] = _candidates(root / "candidats.yaml")
    found["nouvelles entités"] = Counter((files[c.kind], c.id) for c in candidates or [] if c.confidence >= PROPOSED)
    out = []
    for name in expected:
        exp, got = expected[name], found[name]
        if name in EVENT_FIELDS:
            # over the events both sides have (same fiche, item and date): is this field right?
            matched = expected["événements"] & found["événements"]
            exp = Counter({k: v for k, v in exp.items() if k[:3] in matched})
            got = Counter({k: v for k, v in got.items() if k[:3] in matched})
        out.append((name, exp, got))
    return out


def compare(draft_top: dict, draft_fiches: list[dict], root: Path, known: Known,
            candidates: list | None = None) -> list[dict]:
    """One row per field: expected, found, right, precision, recall (event fields: over the matched events).
    New entities: against ROOT/candidats.yaml (none expected when the folder has none: all are known)."""
    rows = []
    for name, exp, got in _field_keys(draft_top, draft_fiches, root, known, candidates):
        right = sum((exp & got).values())
        n_exp, n_got = sum(exp.values()), sum(got.values())
        rows.append({"champ": name, "attendus": n_exp, "trouvés": n_got, "justes": right,
                     "précision": right / n_got if n_got else 1.0, "rappel": right / n_exp if n_exp else 1.0})
    return rows


def differences(draft_top: dict, draft_fiches: list[dict], root: Path, known: Known,
                candidates: list | None = None) -> list[dict]:
    """Per field, the keys expected but not found (« manque ») and found but not expected (« en trop »)."""
    out = []
    for name, exp, got in _field_keys(draft_top, draft_fiches, root, known, candidates):
        for side, keys in (("manque", exp - got), ("en trop", got - exp)):
            for key in sorted(keys, key=repr):
                out.append({"champ": name, "écart": side, "clé": key})
    return out


def _describe(key) -> str:
    """A key as a person reads it: "fiche 3, lignes 120–122 : 2023-06-12, prevu"."""
    if not isinstance(key, tuple):
        return f"fiche {key}"
    if len(key) >= 2 and isinstance(key[0], int) and isinstance(key[1], tuple) and len(key[1]) == 2 \
            and all(isinstance(x, int) for x in key[1]):
        rest = ", ".join("—" if v is None else str(v) for v in key[2:])
        return f"fiche {key[0]}, lignes {key[1][0]}–{key[1][1]}" + (f" : {rest}" if rest else "")
    return " ; ".join("—" if v is None else str(v) for v in key)


def format_differences(diffs: list[dict], lines: list[str] | None = None) -> str:
    """The differences, grouped by field, each with the printed text of its lines when given."""
    out = []
    current = None
    for d in diffs:
        if d["champ"] != current:
            current = d["champ"]
            out.append(f"\n{current} :")
        out.append(f"  {d['écart']:<7} {_describe(d['clé'])}")
        key = d["clé"]
        if lines and isinstance(key, tuple) and len(key) >= 2 and isinstance(key[1], tuple) and len(key[1]) == 2 \
                and all(isinstance(x, int) for x in key[1]):
            text = " ".join(lines[i - 1].strip() for i in range(key[1][0], key[1][1] + 1) if 0 < i <= len(lines))
            out.append(f"          « {text[:160]}{'…' if len(text) > 160 else ''} »")
    return "\n".join(out).lstrip("\n")


def format_rows(rows: list[dict]) -> str:
    """The comparison as a table a person reads."""
    out = [f"{'champ':<16} {'attendus':>8} {'trouvés':>8} {'justes':>7} {'précision':>10} {'rappel':>8}"]
    for r in rows:
        out.append(f"{r['champ']:<16} {r['attendus']:>8} {r['trouvés']:>8} {r['justes']:>7} "
                   f"{r['précision']:>9.1%} {r['rappel']:>8.1%}")
    return "\n".join(out)
