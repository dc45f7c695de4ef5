"""Synthetic data shaped like data/ at ×N the real graph, deterministic from a seed.

    python -m bench.scale 10 bench/work/x10     # writes shared.yaml, people.yaml … and programmes/<id>/

A ×N dataset has N programmes of 14 fiches (one folder each under ``programmes/``, with its programme.yaml, fiches/
and source/, as data/ is laid out), published by several networks over several years, some fiches declaring
``follows:`` the same fiche of the publisher's previous year. The shared entity files at the top hold N times the
people, organisations, laws, tools, territories and publications of the real graph; every fiche has roles, events
with partial dates and participant counts, and item texts (one per line of its programme's source) that name
entities, so that mentions are found as in data/.
"""

from __future__ import annotations

import math
import random
import shutil
import sys
from pathlib import Path

import yaml

SYLLABLES = ["ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru", "sa", "te", "vi", "zo", "ka", "mo", "ne",
             "pa", "ri", "so", "tu", "va", "le", "mi", "no", "pe", "ro", "se", "ti", "vo"]
FIRST = ["Camille", "Dominique", "Claude", "Alix", "Sacha", "Maxime", "Morgane", "Yannick", "Loïc", "Sandrine",
         "Élodie", "Grégoire", "Hélène", "Jérôme", "Céline", "Agnès", "Benoît", "Noémie", "Thérèse", "Raphaël"]
KINDS = ["webinaire", "club", "seminaire", "atelier", "table-ronde", "rencontre", "reunion", "salon"]
KIND_WORDS = {"webinaire": "Webinaire", "club": "Club des collectivités", "seminaire": "Séminaire", "atelier": "Atelier",
              "table-ronde": "Table ronde", "rencontre": "Rencontre", "reunion": "Réunion", "salon": "Salon"}
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
          "décembre"]
SECTIONS = [("contexte", "Contexte :"), ("objectifs", "Objectifs :"), ("actions-realisees", "Actions réalisées :"),
            ("perspectives", "Perspectives :"), ("plaidoyer", "Eléments de plaidoyer :")]
PER_FACTOR = {"people": 25, "organisations": 78, "laws": 13, "concepts": 66, "territories": 30, "publications": 37}
FICHES = 14  # per programme, as the real one
LAST_YEAR = 2024
FOLLOWS_SHARE = 0.3  # of a programme's fiches declare the same fiche of the publisher's previous year
ENTITY_FILES = ("people", "organisations", "laws", "concepts", "territories", "publications")


def _dump(doc: dict) -> str:
    """YAML as a curator writes it (libyaml's writer when there: the ×1000 data is 14,000 files)."""
    return yaml.dump(doc, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True, sort_keys=False,
                     width=200)


def word(n: int, length: int = 5) -> str:
    """A made-up word, distinct for each n (a base-30 number written in syllables)."""
    parts = []
    for _ in range(length):
        parts.append(SYLLABLES[n % len(SYLLABLES)])
        n //= len(SYLLABLES)
    return "".join(parts)


def publisher_count(factor: int) -> int:
    """Several publishers, several years each: about √N networks (2 at least)."""
    return max(2, round(math.sqrt(factor))) if factor > 1 else 1


def programme_plan(factor: int) -> list[tuple[str, str, int]]:
    """(programme id, publisher id, year) of each programme: publisher k's programmes are consecutive years."""
    publishers = publisher_count(factor)
    plan = []
    for i in range(factor):
        k, back = i % publishers, i // publishers
        publisher = "rtes" if k == 0 else f"reseau-{k}"
        year = LAST_YEAR - back
        plan.append((f"{publisher}-{year}", publisher, year))
    return sorted(plan, key=lambda p: (p[1], p[2]))


def _clean(out: Path) -> None:
    """Nothing left of an earlier layout or size (one programme at the top, more programmes than now)."""
    for name in ("programme.yaml", "events.yaml", "shared.yaml"):
        (out / name).unlink(missing_ok=True)
    for name in ("fiches", "source", "programmes"):
        if (out / name).exists():
            shutil.rmtree(out / name)


def _entities(n: dict[str, int], publishers: int) -> dict[str, list[dict]]:
    people = [{"id": f"personne-{i}", "label": f"{FIRST[i % len(FIRST)]} {word(i).capitalize()}"}
              for i in range(n["people"])]
    orgs = [{"id": "rtes", "label": "Réseau des collectivités Territoriales pour une Économie Solidaire",
             "aliases": ["RTES"], "kind": "reseau"}]
    orgs += [{"id": f"reseau-{k}", "label": f"Réseau {word(k + 900_000).capitalize()} des collectivités",
              "aliases": [f"R{word(k + 900_000).upper()}"], "kind": "reseau"} for k in range(1, publishers)]
    orgs += [{"id": f"org-{i}", "label": f"Association {word(i + 1_000_000).capitalize()}",
              "aliases": [word(i + 1_000_000).upper()], "kind": "association"}
             for i in range(max(0, n["organisations"] - len(orgs)))]
    laws = [{"id": f"loi-{i}", "label": f"Loi {word(i + 2_000_000).capitalize()}", "aliases": [f"loi {word(i + 2_000_000)}"],
             "kind": "loi"} for i in range(n["laws"])]
    concepts = [{"id": f"outil-{i}", "label": f"Dispositif {word(i + 3_000_000).capitalize()}",
                 "aliases": [word(i + 3_000_000).upper() + "X"], "kind": "dispositif"} for i in range(n["concepts"])]
    territories = [{"id": f"territoire-{i}", "label": f"{word(i + 4_000_000).capitalize()}ville", "kind": "ville"}
                   for i in range(n["territories"])]
    publications = [{"id": f"publication-{i}", "label": f"RepèrESS {word(i + 5_000_000).capitalize()}", "kind": "repress",
                     "publisher": "rtes"} for i in range(n["publications"])]
    return {"people": people, "organisations": orgs, "laws": laws, "concepts": concepts, "territories": territories,
            "publications": publications}


class _Programme:
    """One programme being written: its source lines, axes and fiches."""

    def __init__(self, pid: str, publisher: str, year: int):
        self.id, self.publisher, self.year = pid, publisher, year
        self.lines: list[str] = []
        self.fiches: list[dict] = []
        self.axes = [{"id": f"axe-{a + 1}", "number": a + 1, "label": (label := f"AXE {a + 1} - CHANTIER {word(a + 6_000_000).upper()}"),
                      "lines": list(self.emit(label))} for a in range(7)]

    def emit(self, text: str) -> tuple[int, int]:
        self.lines.append(text)
        return (len(self.lines), len(self.lines))


def generate(factor: int, out: Path, seed: int = 2024) -> dict[str, int]:
    """Write a ×factor dataset under ``out``; returns how many records of each kind it wrote."""
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    n = {k: v * factor for k, v in PER_FACTOR.items()}
    publishers = publisher_count(factor)
    entities = _entities(n, publishers)
    people, orgs = entities["people"], entities["organisations"]
    pools = [orgs, entities["concepts"], entities["territories"], entities["laws"], entities["publications"]]
    holders: set[str] = set()
    event_count = 0
    programmes: list[_Programme] = []
    previous: dict[str, _Programme] = {}  # publisher -> its programme of the year before
    for pid, publisher, year in programme_plan(factor):
        prog = _Programme(pid, publisher, year)
        before = previous.get(publisher)
        for f in range(1, FICHES + 1):
            heading = f"Fiche action n°{f}"
            h = prog.emit(heading)
            title = f"Chantier {word(f + 7_000_000).capitalize()} et coopération"
            t = prog.emit(title)
            roles = []
            for role, agent in (("referent-ca", (ca := rnd.sample(people, 2))[0]), ("referent-ca", ca[1]),
                                ("referent-equipe", rnd.choice(people)), ("contributeur", rnd.choice(orgs[1:]))):
                prefix = {"referent-ca": "Référent CA", "referent-equipe": "Référent équipe",
                          "contributeur": "Autres contributeurs"}[role]
                text = f"{prefix} : {agent['label']}."
                roles.append({"role": role, "agent": agent["id"], "text": text, "lines": list(prog.emit(text))})
                holders.add(agent["id"])
            sections = []
            for kind, heading_text in SECTIONS:
                head = prog.emit(heading_text)
                items = []
                for _ in range(rnd.randint(3, 5)):
                    # one or two names per item, as in the real fiches (about 1.6 mentions per item)
                    named = [rnd.choice(pool) for pool in rnd.sample(pools, rnd.choice([1, 2]))]
                    names = [e["aliases"][0] if e.get("aliases") and rnd.random() < 0.5 else e["label"] for e in named]
                    text = f"Travail avec {names[0]}" + (f" sur {names[1]}." if len(names) > 1 else ".")
                    item: dict = {"text": text, "lines": list(prog.emit(text))}
                    if kind in ("actions-realisees", "perspectives") and rnd.random() < 0.6:
                        item = _event_item(rnd, prog, kind, event_count, entities)
                        event_count += 1
                    items.append(item)
                sections.append({"kind": kind, "heading": {"text": heading_text, "lines": list(head)}, "items": items})
            fiche = {"programme": pid, "number": f, "axis": f"axe-{(f - 1) % 7 + 1}"}
            if before is not None and rnd.random() < FOLLOWS_SHARE:
                fiche["follows"] = f"{before.id}/{f}"
            fiche.update({"heading": {"text": heading, "lines": list(h)}, "title": {"text": title, "lines": list(t)},
                          "roles": roles, "sections": sections})
            prog.fiches.append(fiche)
        previous[publisher] = prog
        programmes.append(prog)
    # every person holds a role somewhere, as the shapes require
    unused = [p for p in people if p["id"] not in holders]
    all_fiches = [(prog, fiche) for prog in programmes for fiche in prog.fiches]
    for start in range(0, len(unused), 3):
        prog, fiche = all_fiches[(start // 3) % len(all_fiches)]
        for person in unused[start:start + 3]:
            text = f"Autres contributeurs : {person['label']}."
            fiche["roles"].append({"role": "contributeur", "agent": person["id"], "text": text,
                                   "lines": list(prog.emit(text))})
    lines = 0
    for prog in programmes:
        _write_programme(out / "programmes" / prog.id, prog, factor)
        lines += len(prog.lines)
    (out / "shared.yaml").write_text(f"# the shared files quote no line: any programme will do\n"
                                     f"quotes_from: {programmes[0].id}\n", encoding="utf-8")
    for name in ENTITY_FILES:
        (out / f"{name}.yaml").write_text(_dump({name: entities[name]}), encoding="utf-8")
    return {"programmes": factor, "publishers": publishers, "fiches": FICHES * factor, "events": event_count,
            "lines": lines, **n}


def _event_item(rnd: random.Random, prog: _Programme, kind: str, number: int, entities: dict[str, list[dict]]) -> dict:
    """An item that reports an event (partial date, participants, place, organised by the publisher)."""
    year = prog.year - 1 if kind == "actions-realisees" else prog.year
    month, day = rnd.randint(1, 12), rnd.randint(1, 28)
    ekind = rnd.choice(KINDS)
    precision = rnd.choice(["day", "day", "month", "year"])
    date_text = {"day": f"le {day} {MONTHS[month - 1]} {year}", "month": f"en {MONTHS[month - 1]} {year}",
                 "year": f"en {year}"}[precision]
    date = {"day": f"{year}-{month:02d}-{day:02d}", "month": f"{year}-{month:02d}", "year": str(year)}[precision]
    count = rnd.choice([25, 40, 70, 100, 280])
    participants = rnd.choice([(f"{count} participant.e.s", "exact"), ("une centaine de participant.e.s", "approximate"),
                               (f"+ de {count} participant.e.s", "minimum")])
    if participants[1] == "approximate":
        count = 100
    place = rnd.choice(entities["territories"])
    label = f"{KIND_WORDS[ekind]} {word(number + 8_000_000)}"
    text = f"{label} {date_text} à {place['label']} avec {rnd.choice(entities['organisations'])['label']} ({participants[0]})"
    return {"text": text, "lines": list(prog.emit(text)), "events": [{
        "id": f"evenement-{number}", "kind": ekind, "label": label, "date": date, "date_text": date_text,
        "participants": {"text": participants[0], "count": count, "precision": participants[1]},
        "place": place["id"], "organisers": [prog.publisher]}]}


def _write_programme(folder: Path, prog: _Programme, factor: int) -> None:
    (folder / "fiches").mkdir(parents=True)
    (folder / "source").mkdir()
    for fiche in prog.fiches:
        (folder / "fiches" / f"{fiche['number']:02d}.yaml").write_text(
            _dump(fiche), encoding="utf-8")
    (folder / "source" / f"{prog.id}.txt").write_text("\n".join(prog.lines) + "\n", encoding="utf-8")
    programme = {"programme": {"id": prog.id, "label": f"Programme synthétique {prog.year} ({prog.publisher}, ×{factor})",
                               "year": prog.year, "fiche_count": FICHES, "status": "relu", "publisher": prog.publisher,
                               "source": f"source/{prog.id}.txt"},
                 "axes": prog.axes}
    (folder / "programme.yaml").write_text(_dump(programme),
                                           encoding="utf-8")


if __name__ == "__main__":
    factor = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"bench/work/x{factor}")
    print(generate(factor, target))
