"""Each SHACL shape: a valid fixture, and invalid fixtures that each state the exact violation expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.graph import build_graph
from kg.load import load_dataset
from kg.namespaces import PREFIXES
from kg.validate import SHAPES, validate

from .conftest import MINI

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "shapes").glob("*.ru"))
SH = "http://www.w3.org/ns/shacl#"


def _expand(term: str) -> str | None:
    if term == "-":
        return None
    prefix, local = term.split(":", 1)
    if prefix == "e":
        return "https://ess-kg.example/" + local
    return str(PREFIXES[prefix]) + local


def _expected(path: Path) -> set[tuple[str, str | None, str]]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            focus, prop, component = line.split(":", 1)[1].split()
            out.add((_expand(focus), _expand(prop), component + "ConstraintComponent"))
    return out


@pytest.fixture(scope="module")
def mini_graph() -> tuple[Graph, dict]:
    dataset = load_dataset(MINI)
    return build_graph(dataset), dataset.provenance


def test_fixture_glob_matches():
    assert len(FIXTURES) >= 20


def test_valid_fixture_conforms(mini_graph):
    graph, provenance = mini_graph
    report = validate(graph, provenance)
    assert report.conforms, report.text()


def test_real_data_conforms(graph, dataset):
    report = validate(graph, dataset.provenance)
    assert report.conforms, report.text()


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_invalid_fixture_gives_the_expected_violation(mini_graph, fixture):
    graph, provenance = mini_graph
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.update(fixture.read_text(encoding="utf-8"))
    report = validate(broken, provenance)
    assert not report.conforms
    got = {(v.focus, v.path, v.component) for v in report.violations}
    assert got == _expected(fixture), report.text()
    assert all(v.message and not v.message.startswith("violation") for v in report.violations)


def test_every_shape_has_an_invalid_fixture():
    """Every NodeShape of shapes.ttl is broken by at least one fixture."""
    shapes = Graph().parse(SHAPES)
    targets = {str(t) for t in shapes.objects(None, URIRef(SH + "targetClass"))}
    broken_focus_types = set()
    mini = build_graph(load_dataset(MINI))
    for fixture in FIXTURES:
        for focus, _, _ in _expected(fixture):
            broken_focus_types |= {str(t) for t in mini.objects(URIRef(focus), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))}
    broken_focus_types.add("http://xmlns.com/foaf/0.1/Person")  # the person-without-role fixture adds its own person
    assert targets - broken_focus_types == set()


def test_violations_name_the_yaml_file_and_line(mini_graph):
    graph, provenance = mini_graph
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.update((Path(__file__).parent / "fixtures/shapes/role-bad-code.ru").read_text(encoding="utf-8"))
    report = validate(broken, provenance)
    text = report.text()
    assert "fiches/01.yaml:7: fiche 1, rôle 1" in text
    assert "Le rôle est referent-ca, referent-equipe ou contributeur." in text


def test_the_build_worker_finds_the_same_violations(mini_graph, monkeypatch):
    """A large graph is checked by a forked worker, part after part: same report as the whole graph at once."""
    import kg.validate as validate_module

    graph, provenance = mini_graph
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    for name in ("role-bad-code", "event-bad-status", "fiche-duplicate-number"):
        broken.update((Path(__file__).parent / "fixtures" / "shapes" / f"{name}.ru").read_text(encoding="utf-8"))
    whole = validate(broken, provenance)
    monkeypatch.setattr(validate_module, "PARALLEL_FROM", 0)
    pending = validate_module.start_validation(list(broken), provenance)
    assert pending.children  # really forked
    in_worker = pending.result()
    key = lambda r: sorted((v.focus, v.path, v.component, v.message) for v in r.violations)  # noqa: E731
    assert not in_worker.conforms and key(in_worker) == key(whole) and len(whole.violations) >= 3


@pytest.mark.parametrize("name", ["fiche-without-referent-ca", "fiche-without-referent-equipe"])
def test_programme_check_names_the_fiche_without_referent(mini_graph, name):
    """The referent check runs once per programme; its violation names the fiche at fault."""
    graph, provenance = mini_graph
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.update((Path(__file__).parent / "fixtures" / "shapes" / f"{name}.ru").read_text(encoding="utf-8"))
    report = validate(broken, provenance)
    assert [v.value for v in report.violations] == ["<https://ess-kg.example/programme/mini-2024/fiche/1>"]
    assert report.violations[0].message.startswith("Une fiche a au moins un rôle de référent CA")
