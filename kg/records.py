"""The checked records (programme, fiches, items, entities, events) and the YAML reader that keeps line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg import yaml_cache

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

ROLE_CODES = ("referent-ca", "referent-equipe", "contributeur")
SECTION_KINDS = (
    "contexte", "objectifs", "actions", "actions-realisees", "perspectives", "plaidoyer",
    "points-attention", "propositions", "projets", "role-commission", "calendrier",
)
SECTION_STATUS = {"actions-realisees": "realise", "perspectives": "prevu", "projets": "prevu",
                  "propositions": "propose"}
EVENT_KINDS = (
    "webinaire", "club", "seminaire", "atelier", "table-ronde", "rencontre", "reunion", "salon",
    "voyage-apprenant", "congres", "journee", "forum", "groupe-de-travail", "intervention",
    "assemblee-generale",
)
EVENT_STATUS = ("realise", "prevu", "propose")
PRECISIONS = ("exact", "minimum", "approximate")
KINDS = {
    "organisation": ("agence-etat", "administration", "ministere", "instance-consultative", "reseau",
                     "association", "federation", "collectivite", "entreprise", "cooperative",
                     "etablissement-public", "organisation-internationale", "institution-europeenne",
                     "universite", "projet", "autre"),
    "law": ("loi", "code", "reglement-ue", "decret", "texte-ue", "texte-international"),
    "concept": ("forme-juridique", "dispositif", "outil", "politique-publique", "label", "notion"),
    "territory": ("region", "departement", "ville", "intercommunalite", "pays", "zone"),
    "publication": ("repress", "points-de-repress", "deniche-pour-vous", "guide", "rapport", "avis",
                    "newsletter", "etude", "faq", "mooc", "video", "these", "catalogue", "collection",
                    "site", "synthese", "charte", "tribune", "repertoire"),
}

#: file name -> (top-level key, entity kind)
ENTITY_FILES = {
    "people.yaml": ("people", "person"),
    "organisations.yaml": ("organisations", "organisation"),
    "laws.yaml": ("laws", "law"),
    "concepts.yaml": ("concepts", "concept"),
    "territories.yaml": ("territories", "territory"),
    "publications.yaml": ("publications", "publication"),
}
KIND_NAMES_FR = {"person": "personne", "organisation": "organisation", "law": "loi",
                 "concept": "concept", "territory": "territoire", "publication": "publication",
                 "event": "événement"}


class DataError(Exception):
    """One or more problems in the curated data, each naming file, line and record."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# --- YAML with line numbers -------------------------------------------------------------------

class LineDict(dict):
    """A mapping that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    line: int = 0


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: 5× faster, same marks
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    seq = LineList(loader.construct_object(child, deep=True) for child in node.value)
    seq.line = node.start_mark.line + 1
    return seq


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_yaml(path: Path, label: str) -> Any:
    """Parse one YAML file (through the build's cache of parsed files, when open); a syntax error becomes a
    DataError naming file and line."""
    try:
        cache = yaml_cache.current()
        if cache is not None:
            return cache.load(path.read_bytes(), _parse_bytes)
        return _parse(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = exc.problem or exc.context or "invalid YAML"
        raise DataError([f"{label}:{line}: YAML invalide : {what}"]) from None


def _parse(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def _parse_bytes(data: bytes) -> Any:
    """The same from the file's bytes, newlines read as ``Path.read_text`` reads them."""
    return _parse(data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"))


# --- records ----------------------------------------------------------------------------------

@dataclass
class Where:
    """Where a record was written: file, line, and how a person names it."""

    file: str
    line: int
    record: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.record}"


@dataclass
class Alias:
    text: str
    lines: tuple[int, int] | None = None  # None: valid everywhere


@dataclass
class Entity:
    kind: str
    id: str
    label: str
    aliases: list[Alias]
    data: dict[str, Any]
    where: Where


@dataclass
class Item:
    fiche: int
    section: str
    index: int  # 1-based within its section
    section_index: int  # 1-based position of the section in the fiche
    text: str
    lines: tuple[int, int]
    where: Where


@dataclass
class Event:
    id: str
    data: dict[str, Any]
    fiches: set[int]
    items: list[Item]
    where: Where


@dataclass
class Fiche:
    number: int
    data: dict[str, Any]
    sections: list[dict[str, Any]]
    items: list[Item]
    where: Where


@dataclass
class Dataset:
    """Everything curated, checked and cross-referenced."""

    root: Path
    source_path: Path
    programme: dict[str, Any]
    axes: list[dict[str, Any]]
    fiches: list[Fiche]
    entities: dict[tuple[str, str], Entity]  # (kind, id) -> entity
    events: dict[str, Event]
    provenance: dict[str, Where] = field(default_factory=dict)  # IRI -> where, filled by the graph
    #: several programmes (data/programmes/*, kg/programmes.py): one Dataset each; empty for one programme
    parts: list["Dataset"] = field(default_factory=list)
    #: entities read from the programme's own folder (not from the shared files at the top of data/)
    own: dict[tuple[str, str], Entity] = field(default_factory=dict)
    #: False for a programme that sees the shared entities without the aliases valid at lines of another source
    reference: bool = True

    def of_kind(self, kind: str) -> list[Entity]:
        return [e for (k, _), e in self.entities.items() if k == kind]
