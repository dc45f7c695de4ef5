"""Bad curated data gets an error that names the file, the line, the record and the key."""

from __future__ import annotations

import pytest

from kg.load import load_dataset

from .conftest import break_fixture, load_problems


def _problems(data) -> list[str]:
    return load_problems(data, load_dataset)


def test_the_fixture_itself_loads(mini_data):
    dataset = load_dataset(mini_data)
    assert [f.number for f in dataset.fiches] == [1]


def test_yaml_syntax_error_names_file_and_line(mini_data):
    break_fixture(mini_data / "people.yaml", '{id: paul-test, label: "Paul Test"}', '{id: paul-test, label: "Paul Test"')
    problems = _problems(mini_data)
    assert len(problems) == 1
    assert problems[0].startswith(f"{mini_data / 'people.yaml'}:4: YAML invalide")


def test_unknown_key_names_the_key_and_suggests(mini_data):
    break_fixture(mini_data / "organisations.yaml", "    kind: agence-etat", "    kind: agence-etat\n    acronyme: ANCT")
    (problem,) = _problems(mini_data)
    assert "organisations.yaml:10: organisation anct: acronyme: clé inconnue (vouliez-vous dire « acronym » ?)" in problem


def test_duplicate_id(mini_data):
    break_fixture(mini_data / "people.yaml", '  - {id: paul-test, label: "Paul Test"}',
           '  - {id: paul-test, label: "Paul Test"}\n  - {id: paul-test, label: "Paul Autre"}')
    (problem,) = _problems(mini_data)
    assert "people.yaml:4: personne paul-test: id: identifiant en double 'paul-test'" in problem
    assert "people.yaml:3" in problem


def test_duplicate_yaml_key(mini_data):
    break_fixture(mini_data / "laws.yaml", '    kind: loi', '    kind: loi\n    kind: code')
    (problem,) = _problems(mini_data)
    assert "laws.yaml:5: YAML invalide : duplicate key 'kind'" in problem


def test_dangling_reference_suggests_the_closest_id(mini_data):
    break_fixture(mini_data / "fiches/01.yaml", "agent: jeanne-essai", "agent: jeanne-esai")
    (problem,) = _problems(mini_data)
    assert "fiches/01.yaml:7: fiche 1: roles[0].agent: personne ou organisation inconnu(e) « jeanne-esai »" in problem
    assert "(vouliez-vous dire « jeanne-essai » ?)" in problem


def test_impossible_date(mini_data):
    break_fixture(mini_data / "fiches/01.yaml", 'date: "2023-03-30"', 'date: "2023-02-30"')
    (problem,) = _problems(mini_data)
    assert "fiches/01.yaml:19: fiche 1, événement 1 de sections[0].items[0]: date: date impossible '2023-02-30'" in problem


def test_malformed_date(mini_data):
    break_fixture(mini_data / "fiches/01.yaml", 'date: "2024-06"', 'date: "juin 2024"')
    (problem,) = _problems(mini_data)
    assert "fiches/01.yaml:35" in problem and "date 'juin 2024' mal formée (AAAA, AAAA-MM ou AAAA-MM-JJ)" in problem


def test_quote_not_in_the_source(mini_data):
    break_fixture(mini_data / "fiches/01.yaml", "Club des collectivités en Ile-de-France", "Club des collectivités en Île-de-France")
    (problem,) = _problems(mini_data)
    assert "fiches/01.yaml:24: fiche 1: sections[0].items[1]: citation introuvable aux lignes 6-7" in problem
    assert "la source dit : 'Club des collectivités en Ile-de-France sur les SCIC'" in problem


def test_fiche_number_out_of_range(mini_data):
    break_fixture(mini_data / "fiches/01.yaml", "number: 1", "number: 15")
    (problem,) = _problems(mini_data)
    assert "fiches/01.yaml:2: fiche ?: number: attendu un entier entre 1 et 14, trouvé 15" in problem


def test_duplicate_fiche_number(mini_data):
    (mini_data / "fiches/02.yaml").write_text((mini_data / "fiches/01.yaml").read_text(encoding="utf-8")
                                              .replace("id: webinaire-essai", "id: webinaire-essai-2")
                                              .replace("id: seminaire-essai", "id: seminaire-essai-2"), encoding="utf-8")
    (problem,) = _problems(mini_data)
    assert "fiches/02.yaml:1: fiche 1: number: fiche 1 en double (déjà dans" in problem


def test_unknown_section_kind_and_role(mini_data):
    break_fixture(mini_data / "fiches/01.yaml", "kind: perspectives", "kind: perspective")
    break_fixture(mini_data / "fiches/01.yaml", "role: referent-equipe", "role: referent-équipe")
    problems = _problems(mini_data)
    assert any("sections[1].kind: valeur 'perspective' non permise (vouliez-vous dire « perspectives » ?)" in p for p in problems)
    assert any("roles[1].role: valeur 'referent-équipe' non permise (vouliez-vous dire « referent-equipe » ?)" in p for p in problems)


def test_every_problem_is_reported_at_once(mini_data):
    break_fixture(mini_data / "fiches/01.yaml", "agent: jeanne-essai", "agent: jeanne-esai")
    break_fixture(mini_data / "fiches/01.yaml", 'date: "2024-06"', 'date: "2024-13"')
    assert len(_problems(mini_data)) == 2
