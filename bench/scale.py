"""Synthetic data shaped like data/ at ×N the real graph, deterministic from a seed.

    python -m bench.scale 10 bench/work/x10     # writes programme.yaml, fiches/, people.yaml … and source/

A ×N dataset has one programme of 14·N fiches, N times the people, organisations, laws, tools, territories,
publications and events of the real one, roles on every fiche, events with partial dates and participant counts,
and item texts (one per line of a synthetic source) that name entities, so that mentions are found as in data/.
"""

from __future__ import annotations

import random
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
            ("perspectives", "Perspectives 2024 :"), ("plaidoyer", "Eléments de plaidoyer :")]
PER_FACTOR = {"people": 25, "organisations": 78, "laws": 13, "concepts": 66, "territories": 30, "publications": 37}


def word(n: int, length: int = 5) -> str:
    """A made-up word, distinct for each n (a base-30 number written in syllables)."""
    parts = []
    for _ in range(length):
        parts.append(SYLLABLES[n % len(SYLLABLES)])
        n //= len(SYLLABLES)
    return "".join(parts)


def generate(factor: int, out: Path, seed: int = 2024) -> dict[str, int]:
    """Write a ×factor dataset under ``out``; returns how many records of each kind it wrote."""
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "fiches").mkdir(exist_ok=True)
    (out / "source").mkdir(exist_ok=True)
    for old in (out / "fiches").glob("*.yaml"):
        old.unlink()
    n = {k: v * factor for k, v in PER_FACTOR.items()}
    people = [{"id": f"personne-{i}", "label": f"{FIRST[i % len(FIRST)]} {word(i).capitalize()}"}
              for i in range(n["people"])]
    orgs = [{"id": "rtes", "label": "Réseau des collectivités Territoriales pour une Économie Solidaire",
             "aliases": ["RTES"], "kind": "reseau"}]
    orgs += [{"id": f"org-{i}", "label": f"Association {word(i + 1_000_000).capitalize()}",
              "aliases": [word(i + 1_000_000).upper()], "kind": "association"}
             for i in range(n["organisations"] - 1)]
    laws = [{"id": f"loi-{i}", "label": f"Loi {word(i + 2_000_000).capitalize()}", "aliases": [f"loi {word(i + 2_000_000)}"],
             "kind": "loi"} for i in range(n["laws"])]
    concepts = [{"id": f"outil-{i}", "label": f"Dispositif {word(i + 3_000_000).capitalize()}",
                 "aliases": [word(i + 3_000_000).upper() + "X"], "kind": "dispositif"} for i in range(n["concepts"])]
    territories = [{"id": f"territoire-{i}", "label": f"{word(i + 4_000_000).capitalize()}ville", "kind": "ville"}
                   for i in range(n["territories"])]
    publications = [{"id": f"publication-{i}", "label": f"RepèrESS {word(i + 5_000_000).capitalize()}", "kind": "repress",
                     "publisher": "rtes"} for i in range(n["publications"])]
    fiche_count = 14 * factor
    lines: list[str] = []

    def emit(text: str) -> tuple[int, int]:
        lines.append(text)
        return (len(lines), len(lines))

    axes = []
    for a in range(7):
        label = f"AXE {a + 1} - CHANTIER {word(a + 6_000_000).upper()}"
        axes.append({"id": f"axe-{a + 1}", "number": a + 1, "label": label, "lines": list(emit(label))})
    holders: set[str] = set()
    event_count = 0
    for f in range(1, fiche_count + 1):
        heading = f"Fiche action n°{f}"
        h = emit(heading)
        title = f"Chantier {word(f + 7_000_000).capitalize()} et coopération"
        t = emit(title)
        ca = rnd.sample(people, 2)
        team = rnd.choice(people)
        contributor = rnd.choice(orgs[1:])
        roles = []
        for role, agent in (("referent-ca", ca[0]), ("referent-ca", ca[1]), ("referent-equipe", team),
                            ("contributeur", contributor)):
            prefix = {"referent-ca": "Référent CA", "referent-equipe": "Référent équipe", "contributeur": "Autres contributeurs"}[role]
            text = f"{prefix} : {agent['label']}."
            roles.append({"role": role, "agent": agent["id"], "text": text, "lines": list(emit(text))})
            holders.add(agent["id"])
        sections = []
        for kind, heading_text in SECTIONS:
            head = emit(heading_text)
            items = []
            for _ in range(rnd.randint(3, 5)):
                # one or two names per item, as in the real fiches (about 1.6 mentions per item)
                pools = rnd.sample([orgs, concepts, territories, laws, publications], rnd.choice([1, 2]))
                named = [rnd.choice(pool) for pool in pools]
                names = [e["aliases"][0] if e.get("aliases") and rnd.random() < 0.5 else e["label"] for e in named]
                text = f"Travail avec {names[0]}" + (f" sur {names[1]}." if len(names) > 1 else ".")
                item: dict = {"text": text, "lines": list(emit(text))}
                if kind in ("actions-realisees", "perspectives") and rnd.random() < 0.6:
                    year = 2023 if kind == "actions-realisees" else 2024
                    month, day = rnd.randint(1, 12), rnd.randint(1, 28)
                    ekind = rnd.choice(KINDS)
                    precision = rnd.choice(["day", "day", "month", "year"])
                    date_text = {"day": f"le {day} {MONTHS[month - 1]} {year}", "month": f"en {MONTHS[month - 1]} {year}",
                                 "year": f"en {year}"}[precision]
                    date = {"day": f"{year}-{month:02d}-{day:02d}", "month": f"{year}-{month:02d}", "year": str(year)}[precision]
                    count = rnd.choice([25, 40, 70, 100, 280])
                    participants = rnd.choice([(f"{count} participant.e.s", "exact"), (f"une centaine de participant.e.s", "approximate"),
                                               (f"+ de {count} participant.e.s", "minimum")])
                    if participants[1] == "approximate":
                        count = 100
                    place = rnd.choice(territories)
                    text = (f"{KIND_WORDS[ekind]} {word(event_count + 8_000_000)} {date_text} à {place['label']} "
                            f"avec {rnd.choice(orgs)['label']} ({participants[0]})")
                    item = {"text": text, "lines": list(emit(text)), "events": [{
                        "id": f"evenement-{event_count}", "kind": ekind, "label": f"{KIND_WORDS[ekind]} {word(event_count + 8_000_000)}",
                        "date": date, "date_text": date_text, "participants": {"text": participants[0], "count": count,
                                                                              "precision": participants[1]},
                        "place": place["id"], "organisers": ["rtes"]}]}
                    event_count += 1
                items.append(item)
            sections.append({"kind": kind, "heading": {"text": heading_text, "lines": list(head)}, "items": items})
        fiche = {"programme": "synthese", "number": f, "axis": f"axe-{(f - 1) % 7 + 1}",
                 "heading": {"text": heading, "lines": list(h)}, "title": {"text": title, "lines": list(t)},
                 "roles": roles, "sections": sections}
        (out / "fiches" / f"{f:05d}.yaml").write_text(yaml.safe_dump(fiche, allow_unicode=True, sort_keys=False),
                                                      encoding="utf-8")
    # every person holds a role somewhere, as the shapes require
    unused = [p for p in people if p["id"] not in holders]
    for start in range(0, len(unused), 3):
        f = 1 + (start // 3) % fiche_count
        path = out / "fiches" / f"{f:05d}.yaml"
        fiche = yaml.safe_load(path.read_text(encoding="utf-8"))
        for person in unused[start:start + 3]:
            text = f"Autres contributeurs : {person['label']}."
            fiche["roles"].append({"role": "contributeur", "agent": person["id"], "text": text, "lines": list(emit(text))})
        path.write_text(yaml.safe_dump(fiche, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (out / "source" / "synthese.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    programme = {"programme": {"id": "synthese", "label": f"Programme synthétique ×{factor}", "year": 2024,
                               "fiche_count": fiche_count, "publisher": "rtes", "source": "source/synthese.txt"},
                 "axes": axes}
    files = {"programme.yaml": programme, "people.yaml": {"people": people}, "organisations.yaml": {"organisations": orgs},
             "laws.yaml": {"laws": laws}, "concepts.yaml": {"concepts": concepts},
             "territories.yaml": {"territories": territories}, "publications.yaml": {"publications": publications}}
    for name, doc in files.items():
        (out / name).write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    (out / "events.yaml").unlink(missing_ok=True)
    return {"fiches": fiche_count, "events": event_count, "lines": len(lines), **n}


if __name__ == "__main__":
    factor = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"bench/work/x{factor}")
    print(generate(factor, target))
