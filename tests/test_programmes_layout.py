"""The 2024 programme moved to data/programmes/rtes-2024/: the same graph, triple for triple, but for what the move
itself changes (the source file's path) and the review status the layout adds."""

from __future__ import annotations

import shutil

from rdflib import Literal, URIRef

from kg.graph import build_triples
from kg.load import load_dataset
from kg.namespaces import KG, programme_iri
from kg.programmes import load_data

from .conftest import DATA

SOURCE = URIRef("https://ess-kg.example/source/rtes-programme-actions-2024")


def _one_folder_layout(tmp_path):
    """data/ as it was before the move: programme.yaml, fiches/ and source/ at the top, next to the entity files."""
    old = tmp_path / "data"
    old.mkdir()
    for path in DATA.glob("*.yaml"):
        if path.name != "shared.yaml":
            shutil.copy(path, old / path.name)
    programme = DATA / "programmes" / "rtes-2024"
    shutil.copytree(programme / "fiches", old / "fiches")
    shutil.copytree(programme / "source", old / "source")
    shutil.copytree(DATA / "reference", old / "reference")  # the verified and referential links
    text = (programme / "programme.yaml").read_text(encoding="utf-8")
    (old / "programme.yaml").write_text(text.replace("  status: relu\n", ""), encoding="utf-8")
    return old


def test_the_move_changes_only_the_source_path(tmp_path):
    before = set(build_triples(load_dataset(_one_folder_layout(tmp_path))))
    after = set(build_triples(load_data(DATA)))
    assert before - after == {(SOURCE, KG.fileName, Literal("data/source/rtes-programme-actions-2024.txt"))}
    assert after - before == {
        (SOURCE, KG.fileName, Literal("data/programmes/rtes-2024/source/rtes-programme-actions-2024.txt"))}
    # the one triple this work adds to the 2024 graph (either layout): the programme is reviewed
    assert (programme_iri("rtes-2024"), KG.reviewStatus, Literal("relu")) in before & after


def test_the_source_iri_and_fiche_iris_are_unchanged(graph):
    assert (programme_iri("rtes-2024"), URIRef("http://purl.org/dc/terms/source"), SOURCE) in graph
    assert (URIRef("https://ess-kg.example/programme/rtes-2024/fiche/7"), KG.ficheNumber, Literal(7)) in graph
