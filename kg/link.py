"""Propose links to open identifiers (Wikidata by default) for a person to review; never writes a link itself."""

from __future__ import annotations

import difflib
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Literal

from kg.load import Dataset
from kg.source import fold_key
from kg.store import RemoteStore
from kg.terms import term_to_sparql

WIKIDATA = "https://query.wikidata.org/sparql"
USER_AGENT = "kg-ess/0.1 (graphe de l'ESS territoriale; propositions de liens relues à la main)"
KINDS = ("organisation", "law", "concept")

CANDIDATES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
SELECT ?name ?item ?label ?description ?how WHERE {
  VALUES ?name { %s }
  { ?item rdfs:label ?name . BIND("libellé" AS ?how) } UNION { ?item skos:altLabel ?name . BIND("alias" AS ?how) }
  OPTIONAL { ?item rdfs:label ?label . FILTER (LANG(?label) = "fr") }
  OPTIONAL { ?item schema:description ?description . FILTER (LANG(?description) = "fr") }
}"""


@dataclass
class Proposal:
    kind: str
    id: str
    label: str
    candidates: list[dict] = field(default_factory=list)


def _names(entity) -> list[str]:
    return list(dict.fromkeys([entity.label, *(a.text for a in entity.aliases if not a.lines)]))


def propose(dataset: Dataset, endpoint: str = WIKIDATA, batch: int = 20, timeout: float = 30.0, retries: int = 3,
            pause: float = 1.0, agent: str = USER_AGENT) -> list[Proposal]:
    """Candidates for every organisation, law and concept that has no verified Wikidata link yet."""
    store = RemoteStore(endpoint, timeout=timeout, retries=retries, backoff=1.0, agent=agent)
    # a SIREN or a related item (a predecessor's) is not a Wikidata link: the entity still gets candidates
    todo = [e for e in dataset.entities.values() if e.kind in KINDS and not any(
        link["scheme"] == "wikidata" and link["match"] != "related" for link in e.data.get("links") or [])]
    by_name: dict[str, list] = {}
    for entity in todo:
        for name in _names(entity):
            by_name.setdefault(name, []).append(entity)
    proposals = {(e.kind, e.id): Proposal(e.kind, e.id, e.label) for e in todo}
    names = sorted(by_name)
    for start in range(0, len(names), batch):
        chunk = names[start:start + batch]
        values = " ".join(term_to_sparql(Literal(n, lang=lang)) for n in chunk for lang in ("fr", "en"))
        result = store.query(CANDIDATES % values)
        for row in result.rows:
            name = str(row["name"])
            qid = str(row["item"]).rsplit("/", 1)[-1]
            for entity in by_name.get(name, []):
                proposal = proposals[(entity.kind, entity.id)]
                score = _score(entity.label, name, str(row.get("label") or name), str(row.get("how")))
                known = next((c for c in proposal.candidates if c["id"] == qid), None)
                if known and known["score"] >= score:
                    continue
                if known:
                    proposal.candidates.remove(known)
                proposal.candidates.append({
                    "id": qid, "iri": str(row["item"]), "label": str(row.get("label") or name),
                    "description": str(row["description"]) if row.get("description") is not None else "",
                    "score": score, "matched": f"{name} ({row.get('how')})"})
        if pause and start + batch < len(names):
            time.sleep(pause)
    for proposal in proposals.values():
        proposal.candidates.sort(key=lambda c: (-c["score"], c["id"]))
    return [p for p in proposals.values() if p.candidates]


def _score(our_label: str, matched: str, their_label: str, how: str) -> float:
    """1.0 for our full label as their label; less for an alias, and by how alike the two labels are."""
    base = 1.0 if fold_key(matched) == fold_key(our_label) else 0.8
    if how == "alias":
        base -= 0.1
    alike = difflib.SequenceMatcher(None, fold_key(our_label), fold_key(their_label)).ratio()
    return round(base * (0.5 + 0.5 * alike), 3)


def write_review(proposals: list[Proposal], path: Path, endpoint: str) -> None:
    """The review file: a person accepts a candidate by copying it into the entity's YAML."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# Propositions de liens, interrogé : {endpoint}\n"
              "# Rien n'a été écrit dans data/. Pour accepter un candidat, recopiez-le dans l'enregistrement de\n"
              "# l'entité : links: [{scheme: wikidata, id: Q…, match: exact, verified: \"<qui a vérifié, où>\"}]\n")
    doc = {"proposals": [{"entity": f"{p.kind}/{p.id}", "label": p.label, "candidates": p.candidates} for p in proposals]}
    path.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")


def link_referential(data_dir: Path, review: Path = Path("review") / "referentiel-propositions.yaml") -> str:
    """``kg link --referentiel``: match against the committed official referential, write the links file the
    build reads and the review file; what was linked and proposed, as printed."""
    from kg.programmes import load_data
    from kg.referential import load_referential
    from kg.referential_links import KIND_FR, LINKS_FILE, coverage, match, read_links, write_files

    ref = load_referential(data_dir / "reference" / "insee")
    dataset = load_data(data_dir)
    matching = match(dataset, ref)
    write_files(matching, ref, data_dir, review)
    lines = [f"Référentiel : {ref.label}", f"Liés ({len(matching.links)}) :"]
    lines += [f"  {link.label} → {KIND_FR[link.kind]} {link.name} ({link.scheme} {link.id})" for link in matching.links]
    lines.append(f"Propositions à relire ({len(matching.proposals)}) :")
    for proposal in matching.proposals:
        names = " ; ".join(f"{c['name']} ({c['scheme']} {c['id']})" for c in proposal.candidates[:5])
        lines.append(f"  {proposal.label} : {proposal.reason} — {names}")
    lines.append(f"Sans candidat ({len(matching.unmatched)}) : " + ", ".join(f"{label} ({why})" for _, label, why in matching.unmatched))
    lines.append(f"Écrit : {(data_dir / LINKS_FILE).as_posix()} (lu par kg build) et {review.as_posix()}.")
    before = coverage(dataset, matching, referential=False)
    after = coverage(dataset, matching, accepted=read_links(data_dir / LINKS_FILE)[1])
    lines += ["", "Couverture (liés / proposés / sans lien), sans puis avec le référentiel :"]
    lines += [f"  {b[0]:<14} {b[1]:>3} / {b[2]:>3} / {b[3]:>3}   →   {a[1]:>3} / {a[2]:>3} / {a[3]:>3}"
              for b, a in zip(before, after)]
    return "\n".join(lines)
