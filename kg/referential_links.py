"""Match the graph's French territories and collectivités to the official referential (kg/referential.py).

An exact, unique match on the normalised name and the kind (narrowed by the région or département the data
gives) is a link; several candidates, or a name that is not an official one (a brand: "Grand Albigeois"),
is a proposal for a person to review, never a link. ``kg link --referentiel`` writes both files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg.load import Dataset, Entity
from kg.referential import Referential
from kg.source import fold_key

LINKS_FILE = Path("reference") / "insee-links.yaml"  # under the data folder: the build reads it
REVIEW_FILE = Path("review") / "referentiel-propositions.yaml"
#: The referential's kind for each territory kind of data/territories.yaml.
TERRITORY_KINDS = {"ville": "commune", "departement": "departement", "region": "region", "intercommunalite": "epci"}
SCHEME_OF = {"commune": "insee-commune", "departement": "insee-departement", "region": "insee-region", "epci": "siren"}
KIND_FR = {"commune": "commune", "departement": "département", "region": "région", "epci": "EPCI"}
#: How the referential abbreviates the legal form of an EPCI (``CA de l'Albigeois``).
EPCI_FORMS = {"ca": "communaute d'agglomeration", "cc": "communaute de communes", "cu": "communaute urbaine"}
#: A collectivité named after its commune: "Ville de Marseille".
COMMUNE_ORG = re.compile(r"^(ville|mairie|commune) (de |d'|du )?")
GENERIC = {"grand", "agglomeration", "communaute", "metropole", "de", "la", "le", "les", "l", "du", "des", "d",
           "communes", "pays", "ca", "cc", "cu", "et", "en", "sur", "ville"}


@dataclass
class Link:
    entity: str          # "territory/toulouse"
    label: str
    scheme: str          # insee-commune | insee-departement | insee-region | siren
    id: str
    kind: str            # the referential's kind: commune | departement | region | epci
    name: str            # the referential's name
    parent: str          # département (communes) or région (départements) code; "" otherwise
    verified: str

    def record(self) -> dict:
        return {"entity": self.entity, "label": self.label, "scheme": self.scheme, "id": self.id, "kind": self.kind,
                "name": self.name, "parent": self.parent, "verified": self.verified}


@dataclass
class Proposal:
    entity: str
    label: str
    reason: str
    candidates: list[dict] = field(default_factory=list)


@dataclass
class Matching:
    links: list[Link] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    unmatched: list[tuple[str, str, str]] = field(default_factory=list)  # (entity, label, why)


def epci_key(name: str) -> str:
    """An EPCI name folded, its legal form spelled out and a trailing "(C2A)" dropped."""
    key = fold_key(re.sub(r"\s*\([^)]*\)\s*$", "", name))
    first, _, rest = key.partition(" ")
    return f"{EPCI_FORMS[first]} {rest}" if first in EPCI_FORMS and rest else key


def _names(entity: Entity) -> list[str]:
    return list(dict.fromkeys([entity.label, *(a.text for a in entity.aliases if not a.lines)]))


def _candidate(ref: Referential, kind: str, code: str) -> dict:
    row = getattr(ref, "epci" if kind == "epci" else kind + "s")[code]
    parent = row.get("departement") or row.get("region") or ""
    out = {"scheme": SCHEME_OF[kind], "id": code, "name": row["nom"], "kind": kind, "parent": parent}
    if kind == "commune":
        out["region"] = row["region"]
    return out


def candidates(ref: Referential, kind: str, names: list[str], region: str = "", departement: str = "") -> list[dict]:
    """Rows of ``kind`` whose normalised name is one of ``names``, inside the région/département when given."""
    keys = {epci_key(n) if kind == "epci" else fold_key(n) for n in names}
    table = getattr(ref, "epci" if kind == "epci" else kind + "s")
    found = []
    for code, row in table.items():
        if (epci_key(row["nom"]) if kind == "epci" else fold_key(row["nom"])) not in keys:
            continue
        if kind == "commune" and ((region and row["region"] != region) or (departement and row["departement"] != departement)):
            continue
        if kind == "departement" and region and row["region"] != region:
            continue
        found.append(_candidate(ref, kind, code))
    return sorted(found, key=lambda c: c["id"])


def _context(dataset: Dataset, entity: Entity, linked: dict[str, Link]) -> tuple[str, str, bool]:
    """The région and département codes the data gives for ``entity`` (by its part_of chain), and whether the
    chain reaches France (Bruxelles, Dakar: not in the French referential)."""
    region = departement = ""
    french = False
    parent = entity.data.get("part_of")
    seen = set()
    while parent and parent not in seen:
        seen.add(parent)
        if parent == "france":
            french = True
        up = dataset.entities.get(("territory", parent))
        if up is None:
            break
        code = linked.get(f"territory/{parent}")
        if up.data.get("kind") == "region" and not region:
            region = up.data.get("insee_region") or (code.id if code else "")
            french = True
        if up.data.get("kind") == "departement" and not departement and code:
            departement = code.id
            french = True
        parent = up.data.get("part_of")
    return region, departement, french


def _brand_candidates(ref: Referential, label: str) -> list[dict]:
    """EPCIs sharing a distinctive word with a brand name, or containing a commune named by it."""
    words = {w for w in re.split(r"[ ']", fold_key(label)) if w and w not in GENERIC}
    found = {}
    for siren, row in ref.epci.items():
        if words & set(re.split(r"[ ']", epci_key(row["nom"]))):
            found[siren] = _candidate(ref, "epci", siren)
    for row in ref.communes.values():
        if row["epci"] and fold_key(row["nom"]) in words:
            found[row["epci"]] = dict(_candidate(ref, "epci", row["epci"]), why=f"contient la commune {row['nom']}")
    return sorted(found.values(), key=lambda c: c["id"])


def match(dataset: Dataset, ref: Referential) -> Matching:
    """Links and proposals for every territory (ville, département, région, intercommunalité) and every
    collectivité organisation of ``dataset``."""
    out = Matching()
    linked: dict[str, Link] = {}
    source = f"{ref.label}"
    territories = sorted((e for e in dataset.of_kind("territory") if e.data.get("kind") in TERRITORY_KINDS),
                         key=lambda e: list(TERRITORY_KINDS).index(e.data["kind"]) * -1)  # régions first
    for entity in territories:
        key = f"territory/{entity.id}"
        kind = TERRITORY_KINDS[entity.data["kind"]]
        region, departement, french = _context(dataset, entity, linked)
        if not french:
            out.unmatched.append((key, entity.label, "hors de France"))
            continue
        found = candidates(ref, kind, _names(entity), region, departement)
        _decide(out, linked, entity, key, found, source, region, departement)
    for entity in sorted(dataset.of_kind("organisation"), key=lambda e: e.id):
        if entity.data.get("kind") != "collectivite":
            continue
        key = f"organisation/{entity.id}"
        commune = COMMUNE_ORG.match(fold_key(entity.label))
        if commune:
            found = candidates(ref, "commune", [fold_key(entity.label)[commune.end():]])
            found = [dict(c, scheme="siren", id=ref.communes[c["id"]]["siren"], insee=c["id"]) for c in found]
        else:
            found = candidates(ref, "epci", _names(entity))
        if found:
            _decide(out, linked, entity, key, found, source, "", "")
            continue
        brands = _brand_candidates(ref, entity.label)
        if brands:
            out.proposals.append(Proposal(key, entity.label, "nom d'usage (marque), pas le nom officiel : à vérifier", brands))
        else:
            out.unmatched.append((key, entity.label, "aucun candidat dans le référentiel"))
    return out


def _decide(out: Matching, linked: dict[str, Link], entity: Entity, key: str, found: list[dict], source: str,
            region: str, departement: str) -> None:
    if len(found) == 1:
        c = found[0]
        where = f" (département {departement})" if departement else f" (région {region})" if region else " en France"
        link = Link(key, entity.label, c["scheme"], c["id"], c["kind"], c["name"], c["parent"],
                    (f"{source} : commune {c['insee']} de même nom, seul candidat en France" if c.get("insee")
                     else f"{source} : nom et type identiques, seul candidat{where}"))
        out.links.append(link)
        linked[key] = link
    elif found:
        out.proposals.append(Proposal(key, entity.label, f"{len(found)} candidats de même nom : préciser le département", found))
    else:
        out.unmatched.append((key, entity.label, "aucun candidat de même nom et de même type"))


def write_files(matching: Matching, ref: Referential, data_dir: Path, review: Path, accepted: list | None = None) -> None:
    """The links file the build reads (with a person's ``accepted`` entries kept) and the review file."""
    path = data_dir / LINKS_FILE
    if accepted is None:
        accepted = read_links(path)[1]
    header = ("# Liens au référentiel officiel, écrits par « kg link --referentiel » : ne pas modifier `links`.\n"
              "# `accepted` : propositions (review/referentiel-propositions.yaml) qu'une personne a vérifiées et recopiées,\n"
              "# même forme que `links`, avec `verified: \"<qui a vérifié, où>\"`.\n")
    doc = {"referential": {"source": ref.source, "version": ref.version},
           "links": [link.record() for link in matching.links], "accepted": accepted}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=140), encoding="utf-8")
    review.parent.mkdir(parents=True, exist_ok=True)
    head = ("# Propositions de liens au référentiel officiel (kg link --referentiel) : rien n'est lié tant qu'une\n"
            f"# personne n'a pas vérifié. Référentiel : {ref.label}.\n"
            f"# Pour accepter : recopiez le candidat dans {LINKS_FILE.as_posix()} (sous data/), rubrique `accepted`.\n")
    body = {"proposals": [{"entity": p.entity, "label": p.label, "reason": p.reason, "candidates": p.candidates}
                          for p in matching.proposals],
            "unmatched": [{"entity": e, "label": label, "reason": why} for e, label, why in matching.unmatched]}
    review.write_text(head + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=140), encoding="utf-8")


def read_links(path: Path) -> tuple[list[dict], list[dict]]:
    """(links, accepted) of the links file; two empty lists when there is none."""
    if not path.exists():
        return [], []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(doc.get("links") or []), list(doc.get("accepted") or [])


#: The entity types of the coverage table, in French.
TYPE_FR = {"organisation": "organisations", "territory": "territoires", "law": "lois", "concept": "outils",
           "person": "personnes", "publication": "publications"}


def coverage(dataset: Dataset, matching: Matching, referential: bool = True,
             accepted: list[dict] = ()) -> list[tuple[str, int, int, int]]:
    """(type, linked, proposed, none) per entity type: linked by a verified identifier in the YAML or, with
    ``referential``, by the referential (links and what a person accepted); proposed to a reviewer; neither."""
    linked = {link.entity for link in matching.links} | {a["entity"] for a in accepted} if referential else set()
    proposed = {p.entity for p in matching.proposals} if referential else set()
    rows = []
    for kind, name in TYPE_FR.items():
        entities = dataset.of_kind(kind)
        yes = sum(1 for e in entities if e.data.get("links") or f"{kind}/{e.id}" in linked)
        maybe = sum(1 for e in entities if not (e.data.get("links") or f"{kind}/{e.id}" in linked)
                    and f"{kind}/{e.id}" in proposed)
        rows.append((name, yes, maybe, len(entities) - yes - maybe))
    return rows
