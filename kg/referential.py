"""France's official administrative division (Etalab's ``@etalab/decoupage-administratif``) as a compact table.

``python -m kg.referential derive`` fetches the npm package at its pinned version (``npm pack``), checks the
tarball against the registry's sha512, and writes the few columns the graph needs as tab-separated files under
``data/reference/insee/`` with ``SOURCE.yaml`` (version, checksums). The table is committed: a fresh clone
builds without the network. ``load_referential`` reads it back.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
#: The registry's ``dist.integrity`` for the pinned version (``npm view @etalab/decoupage-administratif@6.0.0 dist``).
INTEGRITY = "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="
TABLE_DIR = Path("data") / "reference" / "insee"
COLUMNS = {
    "regions": ("code", "nom"),
    "departements": ("code", "nom", "region"),
    "epci": ("siren", "nom", "type", "population"),
    "communes": ("code", "nom", "departement", "region", "siren", "epci", "population"),
}


class ReferentialError(Exception):
    """The package could not be fetched, or its checksum does not match."""


@dataclass
class Referential:
    """The table read back: rows as dicts, keyed by code (SIREN for EPCI)."""

    version: str
    source: str
    regions: dict[str, dict] = field(default_factory=dict)
    departements: dict[str, dict] = field(default_factory=dict)
    epci: dict[str, dict] = field(default_factory=dict)
    communes: dict[str, dict] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How a link cites it: « découpage administratif Etalab 6.0.0 (npm, sha512 …) »."""
        return f"{self.source} {self.version}"


def integrity_of(data: bytes) -> str:
    """npm's ``integrity`` string of a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _rows(files: dict[str, list]) -> dict[str, list[tuple]]:
    """The compact rows of the package's JSON files: current communes only, EPCI membership folded in."""
    epci_of: dict[str, str] = {}
    for e in files["epci"]:
        for member in e.get("membres") or []:
            epci_of[member["code"]] = e["code"]
    communes = [(c["code"], c["nom"], c.get("departement", ""), c.get("region", ""), c.get("siren", ""),
                 epci_of.get(c["code"], ""), str(c.get("population", "")))
                for c in files["communes"] if c.get("type") == "commune-actuelle"]
    return {
        "regions": [(r["code"], r["nom"]) for r in files["regions"]],
        "departements": [(d["code"], d["nom"], d["region"]) for d in files["departements"]],
        "epci": [(e["code"], e["nom"], e["type"], str(e.get("populationMunicipale", ""))) for e in files["epci"]],
        "communes": sorted(communes),
    }


def derive_from_tarball(tarball: Path, out: Path, expected: str | None = INTEGRITY, version: str = VERSION) -> dict:
    """Check the tarball, write the compact table and ``SOURCE.yaml`` into ``out``; what SOURCE.yaml says."""
    data = tarball.read_bytes()
    integrity = integrity_of(data)
    if expected and integrity != expected:
        raise ReferentialError(f"{tarball.name} : somme de contrôle inattendue ({integrity[:20]}…, attendu {expected[:20]}…)")
    files = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for name in COLUMNS:
            member = tar.extractfile(f"package/data/{name}.json")
            if member is None:
                raise ReferentialError(f"{tarball.name} : package/data/{name}.json absent")
            files[name] = json.load(member)
    out.mkdir(parents=True, exist_ok=True)
    sums = {}
    for name, rows in _rows(files).items():
        text = "\t".join(COLUMNS[name]) + "\n" + "".join("\t".join(row) + "\n" for row in rows)
        (out / f"{name}.tsv").write_text(text, encoding="utf-8")
        sums[f"{name}.tsv"] = hashlib.sha256(text.encode()).hexdigest()
    source = {
        "package": PACKAGE, "version": version, "license": "MIT", "registry": "https://registry.npmjs.org/",
        "tarball": f"https://registry.npmjs.org/{PACKAGE}/-/{PACKAGE.split('/')[1]}-{version}.tgz",
        "integrity": integrity,
        "derived_by": "python -m kg.referential derive",
        "kept": "communes actuelles (sans communes associées/déléguées ni arrondissements municipaux), EPCI, "
                "départements, régions ; population municipale",
        "sha256": sums,
    }
    header = "# Table dérivée du découpage administratif d'Etalab : ne pas modifier à la main (voir README).\n"
    (out / "SOURCE.yaml").write_text(header + yaml.safe_dump(source, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return source


def npm_pack(version: str = VERSION, into: Path | None = None) -> Path:
    """``npm pack`` the pinned version into a folder; the tarball's path."""
    into = into or Path(tempfile.mkdtemp(prefix="kg-referential-"))
    try:
        done = subprocess.run(["npm", "pack", f"{PACKAGE}@{version}", "--silent"], cwd=into,
                              capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ReferentialError(f"npm pack {PACKAGE}@{version} impossible : {error}") from error
    if done.returncode != 0:
        raise ReferentialError(f"npm pack {PACKAGE}@{version} a échoué : {done.stderr.strip()[:200]}")
    return into / done.stdout.strip().splitlines()[-1]


def check_table(folder: Path) -> list[str]:
    """Files of the table whose content no longer matches SOURCE.yaml (edited by hand or stale)."""
    source = yaml.safe_load((folder / "SOURCE.yaml").read_text(encoding="utf-8"))
    return [name for name, digest in source["sha256"].items()
            if hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest]


def _read(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:] if line]


@lru_cache(maxsize=4)
def load_referential(folder: Path | str = TABLE_DIR) -> Referential:
    """The committed table (cached: it does not change while the process runs)."""
    folder = Path(folder)
    source = yaml.safe_load((folder / "SOURCE.yaml").read_text(encoding="utf-8"))
    ref = Referential(version=source["version"], source="découpage administratif Etalab (npm " + source["package"] + ")")
    for name in COLUMNS:
        rows = _read(folder / f"{name}.tsv")
        key = "siren" if name == "epci" else "code"
        for row in rows:
            if "population" in row:
                row["population"] = int(row["population"]) if row["population"] else None
        setattr(ref, name, {row[key]: row for row in rows})
    return ref


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.referential", description="Le référentiel géographique officiel.")
    sub = parser.add_subparsers(dest="command", required=True)
    derive = sub.add_parser("derive", help="dériver la table de data/reference/insee/ du paquet npm épinglé")
    derive.add_argument("--tarball", type=Path, help="un .tgz déjà téléchargé (sinon : npm pack)")
    derive.add_argument("--out", type=Path, default=TABLE_DIR)
    args = parser.parse_args(argv)
    try:
        tarball = args.tarball or npm_pack()
        source = derive_from_tarball(tarball, args.out)
    except (ReferentialError, OSError) as error:
        print(f"kg.referential : {error}", file=sys.stderr)
        return 1
    ref = load_referential.__wrapped__(args.out)
    print(f"{PACKAGE} {source['version']} ({source['integrity'][:27]}…) → {args.out} : "
          f"{len(ref.communes)} communes, {len(ref.epci)} EPCI, {len(ref.departements)} départements, {len(ref.regions)} régions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
