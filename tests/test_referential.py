"""The official referential: its table, exact links only, proposals for the rest, hierarchy, roll-ups, population."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from kg.programmes import load_data
from kg.namespaces import KG, SCHEMA, entity_iri
from kg.queries import load_queries, run
from kg.referential import INTEGRITY, VERSION, ReferentialError, check_table, derive_from_tarball, integrity_of, load_referential
from kg.referential_links import LINKS_FILE, TERRITORY_KINDS, candidates, match, read_links
from kg.source import fold_key

from .conftest import DATA, ROOT

TABLE = DATA / "reference" / "insee"


@pytest.fixture(scope="module")
def ref():
    return load_referential(TABLE)


@pytest.fixture(scope="module")
def matching(dataset, ref):
    return match(dataset, ref)


def _region_of(dataset, entity) -> str:
    """The région code the curated data gives (its part_of chain), or ""."""
    parent = entity.data.get("part_of")
    while parent:
        up = dataset.entities.get(("territory", parent))
        if up is None:
            return ""
        if up.data.get("insee_region"):
            return up.data["insee_region"]
        parent = up.data.get("part_of")
    return ""


# --- the table --------------------------------------------------------------------------------------------

def test_the_table_is_the_pinned_package_untouched():
    source = yaml.safe_load((TABLE / "SOURCE.yaml").read_text(encoding="utf-8"))
    assert (source["version"], source["integrity"]) == (VERSION, INTEGRITY)
    assert check_table(TABLE) == []


def test_the_table_covers_france(ref):
    assert len(ref.communes) > 34_000 and len(ref.epci) > 1_200
    assert ref.regions["76"]["nom"] == "Occitanie"
    assert ref.communes["31555"]["departement"] == "31" and ref.departements["31"]["region"] == "76"


def _tarball(path, communes, epci) -> bytes:
    files = {"communes": communes, "epci": epci,
             "departements": [{"code": "81", "nom": "Tarn", "region": "76"}],
             "regions": [{"code": "76", "nom": "Occitanie"}]}
    with tarfile.open(path, "w:gz") as tar:
        for name, rows in files.items():
            data = json.dumps(rows).encode()
            info = tarfile.TarInfo(f"package/data/{name}.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path.read_bytes()


def test_derive_keeps_current_communes_and_their_epci(tmp_path):
    communes = [
        {"code": "81004", "nom": "Albi", "departement": "81", "region": "76", "type": "commune-actuelle",
         "siren": "218100049", "population": 49000},
        {"code": "81999", "nom": "Vieux-Bourg", "departement": "81", "region": "76", "type": "commune-deleguee"},
    ]
    epci = [{"code": "200000001", "nom": "CA de l'Albigeois", "type": "CA", "populationMunicipale": 80000,
             "membres": [{"code": "81004"}]}]
    data = _tarball(tmp_path / "p.tgz", communes, epci)
    source = derive_from_tarball(tmp_path / "p.tgz", tmp_path / "out", expected=integrity_of(data), version="0.0.1")
    assert source["integrity"] == integrity_of(data)
    table = load_referential.__wrapped__(tmp_path / "out")
    assert list(table.communes) == ["81004"]
    assert table.communes["81004"]["epci"] == "200000001" and table.epci["200000001"]["population"] == 80000
    assert check_table(tmp_path / "out") == []
    (tmp_path / "out" / "communes.tsv").write_text("code\tnom\n", encoding="utf-8")
    assert check_table(tmp_path / "out") == ["communes.tsv"]


def test_derive_refuses_a_tarball_with_another_checksum(tmp_path):
    _tarball(tmp_path / "p.tgz", [], [])
    with pytest.raises(ReferentialError, match="somme de contrôle"):
        derive_from_tarball(tmp_path / "p.tgz", tmp_path / "out", expected=INTEGRITY)
    assert not (tmp_path / "out").exists()


# --- links and proposals ----------------------------------------------------------------------------------

def test_the_links_file_is_what_the_matcher_gives_today(matching):
    links, _ = read_links(DATA / LINKS_FILE)
    assert links == [link.record() for link in matching.links]


def test_no_wrong_link(dataset, ref):
    """Each link compared with the referential's name, kind and parent."""
    links, accepted = read_links(DATA / LINKS_FILE)
    assert links
    for link in links + accepted:
        kind, ident = link["entity"].split("/")
        entity = dataset.entities[(kind, ident)]
        names = {fold_key(entity.label)} | {fold_key(a.text) for a in entity.aliases}
        if kind == "territory":
            assert TERRITORY_KINDS[entity.data["kind"]] == link["kind"], link
        else:
            assert entity.data["kind"] == "collectivite" and link["kind"] in ("commune", "epci"), link
        if link["kind"] == "commune":
            row = ref.communes[link["id"]] if kind == "territory" else next(
                r for r in ref.communes.values() if r["siren"] == link["id"])
            assert fold_key(row["nom"]) in names or fold_key("Ville de " + row["nom"]) in names, link
            assert row["departement"] == link["parent"], link
            if _region_of(dataset, entity):
                assert row["region"] == _region_of(dataset, entity), link
        elif link["kind"] == "region":
            assert fold_key(ref.regions[link["id"]]["nom"]) in names
            assert entity.data["insee_region"] == link["id"]  # the verified list says the same
        elif link["kind"] == "epci":
            from kg.referential_links import epci_key
            assert epci_key(ref.epci[link["id"]]["nom"]) in {epci_key(n) for n in [entity.label] + [a.text for a in entity.aliases]}
            for existing in entity.data.get("links") or []:
                if existing["scheme"] == "siren":
                    assert existing["id"] == link["id"]  # Eurométropole: the verified SIREN is the referential's


def test_every_french_territory_and_collectivite_is_linked_or_proposed(dataset, matching):
    done = {link.entity for link in matching.links} | {p.entity for p in matching.proposals}
    abroad = {entity for entity, _, why in matching.unmatched if why == "hors de France"}
    for entity in dataset.of_kind("territory"):
        if entity.data.get("kind") in TERRITORY_KINDS and f"territory/{entity.id}" not in abroad:
            assert f"territory/{entity.id}" in done, entity.id
    for entity in dataset.of_kind("organisation"):
        if entity.data.get("kind") == "collectivite":
            assert f"organisation/{entity.id}" in done, entity.id
    assert abroad == {"territory/dakar", "territory/bruxelles", "territory/liege"}


def test_a_brand_name_goes_to_proposals_never_to_links(matching, graph):
    proposals = {p.entity: p for p in matching.proposals}
    assert [c["id"] for c in proposals["organisation/grand-albigeois"].candidates] == ["248100737"]
    assert [c["id"] for c in proposals["organisation/valenciennes-agglomeration"].candidates] == ["245901160"]
    linked = {link.entity for link in matching.links}
    assert not linked & {"organisation/grand-albigeois", "organisation/valenciennes-agglomeration"}
    albi = entity_iri("organisation", "grand-albigeois")
    assert graph.value(albi, KG.siren) is None and str(graph.value(albi, KG.linkStatus)) == "non-lie"


def test_a_homonym_commune_is_told_apart_by_its_departement(ref):
    everywhere = candidates(ref, "commune", ["Saint-Denis"])
    in_occitanie = candidates(ref, "commune", ["Saint-Denis"], region="76")
    assert len(everywhere) > len(in_occitanie) == 2  # one in the Aude, one in the Gard
    assert [c["id"] for c in candidates(ref, "commune", ["Saint-Denis"], region="76", departement="11")] == ["11339"]


def test_homonyms_in_the_data_link_only_when_the_departement_is_given(tmp_path, ref):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    with open(data / "territories.yaml", "a", encoding="utf-8") as out:
        out.write('  - {id: aude, label: "Aude", kind: departement, part_of: occitanie}\n'
                  '  - {id: saint-denis-aude, label: "Saint-Denis", kind: ville, part_of: aude}\n'
                  '  - {id: saint-denis-occitanie, label: "Saint-Denis", kind: ville, part_of: occitanie}\n')
    result = match(load_data(data), ref)
    links = {link.entity: link for link in result.links}
    assert (links["territory/aude"].scheme, links["territory/aude"].id) == ("insee-departement", "11")
    assert (links["territory/saint-denis-aude"].scheme, links["territory/saint-denis-aude"].id) == ("insee-commune", "11339")
    proposal = next(p for p in result.proposals if p.entity == "territory/saint-denis-occitanie")
    assert [c["id"] for c in proposal.candidates] == ["11339", "30247"]
    assert "territory/saint-denis-occitanie" not in links


def test_kg_link_referentiel_prints_and_writes_both_files(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / LINKS_FILE).unlink()
    done = subprocess.run([sys.executable, "-m", "kg.cli", "--data", str(data), "link", "--referentiel"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Toulouse → commune Toulouse (insee-commune 31555)" in done.stdout
    assert "Grand Albigeois : nom d'usage (marque)" in done.stdout
    assert (data / LINKS_FILE).read_text(encoding="utf-8") == (DATA / LINKS_FILE).read_text(encoding="utf-8")
    review = yaml.safe_load((tmp_path / "review" / "referentiel-propositions.yaml").read_text(encoding="utf-8"))
    assert {p["entity"] for p in review["proposals"]} == {"organisation/grand-albigeois", "organisation/valenciennes-agglomeration"}


# --- the graph --------------------------------------------------------------------------------------------

def test_hierarchy_only_for_the_graph_and_its_ancestors(graph, ref):
    toulouse = entity_iri("territory", "toulouse")
    commune = URIRef("http://id.insee.fr/geo/commune/31555")
    assert (toulouse, SKOS.exactMatch, commune) in graph
    assert str(graph.value(toulouse, KG.linkStatus)) == "lie"
    parents = set(graph.objects(commune, SCHEMA.containedInPlace))
    assert URIRef("http://id.insee.fr/geo/departement/31") in parents
    assert (URIRef("http://id.insee.fr/geo/departement/31"), SCHEMA.containedInPlace, URIRef("http://id.insee.fr/geo/region/76")) in graph
    assert graph.value(commune, KG.population) == Literal(ref.communes["31555"]["population"])
    communes = {s for s in graph.subjects(None, None) if str(s).startswith("http://id.insee.fr/geo/commune/")}
    assert len(communes) == 14  # 13 villes, Marseille once for the city and its collectivité
    # Aix-Marseille-Provence spans three départements: it is contained in none of them
    amp = URIRef("https://annuaire-entreprises.data.gouv.fr/entreprise/" + ref.communes["13055"]["epci"])
    assert list(graph.objects(amp, SCHEMA.containedInPlace)) == []


def test_occitanie_rolls_up_the_fiches_of_toulouse(embedded, graph):
    rows = run(load_queries()["fiches-by-territory"], {"territory": "Occitanie"}, embedded).rows
    got = {(int(r["fiche"]), str(r["via"])) for r in rows}
    assert (5, "via Toulouse") in got
    involving = {int(graph.value(f, KG.ficheNumber)) for name in ("occitanie", "toulouse")
                 for f in graph.subjects(KG.involves, entity_iri("territory", name))}
    assert {n for n, _ in got} == involving == {4, 5, 6, 13}


def test_population_covered_counts_each_place_once(embedded, ref):
    rows = {str(r["code"]): r for r in run(load_queries()["territories"], {"level": "region"}, embedded).rows}
    strasbourg_metropole = ref.epci["246700488"]["population"]  # Strasbourg counted inside its EPCI
    assert int(rows["44"]["population"]) == strasbourg_metropole + ref.communes["52269"]["population"]
    assert int(rows["93"]["population"]) == ref.communes["13055"]["population"]  # the city and its collectivité
    assert int(rows["76"]["places"]) == 1 and int(rows["76"]["fiches"]) == 4
    assert "81" not in rows and "27" in rows  # Bourgogne-Franche-Comté: only through Dijon


# --- the map ----------------------------------------------------------------------------------------------

def test_the_map_links_each_region_and_colours_it_by_fiches(client):
    from web.carte import SHADES

    page = client.get("/carte")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<a href="/territoire/occitanie" class="region" data-code="76">' in html
    assert '<a href="#region-28" class="region" data-code="28">' in html  # Normandie: no page, its table row
    normandie = html.split('data-code="28">', 1)[1].split("</a>", 1)[0]
    assert f'fill="{SHADES[0]}"' in normandie and "Normandie : 0 fiche" in normandie
    assert html.count('class="region"') == 19


def test_the_readme_coverage_table_is_today_s(dataset, matching):
    from kg.referential_links import coverage

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for before, after in zip(coverage(dataset, matching, referential=False), coverage(dataset, matching)):
        assert f"| {before[0]} | {before[1]} | {before[2]} | {before[3]} | {after[1]} | {after[2]} | {after[3]} |" in readme


def test_a_territory_page_can_show_its_hierarchy_and_population(embedded, ref):
    rows = run(load_queries()["territory-hierarchy"], {"entity": "Toulouse"}, embedded).rows
    epci = ref.communes["31555"]["epci"]
    assert [(str(r["level"]), str(r["code"])) for r in rows] == [
        ("commune", "31555"), ("EPCI", epci), ("département", "31"), ("région", "76")]
    assert int(rows[0]["population"]) == ref.communes["31555"]["population"]
    assert int(rows[1]["population"]) == ref.epci[epci]["population"]
