"""The curated data against the source document: verbatim quotes, coverage, counts and facts read from it."""

from __future__ import annotations

import hashlib
import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kg.namespaces import KG, SCHEMA, entity_iri, fiche_iri
from kg.source import fold_key, join_lines, normalise_space, source_lines

from .conftest import DATA, ROOT


def test_source_is_the_untouched_copy():
    expected, name = (ROOT / "data/programmes/rtes-2024/source/SHA256SUMS").read_text().split()
    assert hashlib.sha256((ROOT / name).read_bytes()).hexdigest() == expected


def test_fourteen_fiches_in_seven_axes(dataset):
    assert [f.number for f in dataset.fiches] == list(range(1, 15))
    assert len(dataset.axes) == 7
    per_axis = {}
    for fiche in dataset.fiches:
        per_axis.setdefault(fiche.data["axis"], []).append(fiche.number)
    assert per_axis == {"axe-1": [1, 2, 3], "axe-2": [4, 5], "axe-3": [6, 7, 8, 9], "axe-4": [10, 11],
                        "axe-5": [12], "axe-transversal-structuration": [13], "axe-transversal-formation": [14]}


def _quotes(dataset):
    """Every (text, (first, last)) the data quotes, with where it was written."""
    for axis in dataset.axes:
        yield axis["label"], axis["lines"], axis["where"]
    for fiche in dataset.fiches:
        for key in ("heading", "title", "status"):
            if fiche.data.get(key):
                yield fiche.data[key]["text"], fiche.data[key]["lines"], fiche.where
        for role in fiche.data["roles"]:
            yield role["quote"]["text"], role["quote"]["lines"], fiche.where
        for section in fiche.sections:
            if section["heading"]:
                yield section["heading"]["text"], section["heading"]["lines"], fiche.where
            for item in section["items"]:
                yield item.text, item.lines, item.where
    for entity in dataset.entities.values():
        desc = entity.data.get("description")
        if desc and desc.get("lines"):
            yield desc["text"], desc["lines"], entity.where


def test_every_quote_is_verbatim_at_its_lines(dataset):
    lines = source_lines(str(dataset.source_path))
    checked = 0
    for text, span, where in _quotes(dataset):
        assert normalise_space(text) in join_lines(lines, *span), f"{where}: {text!r} not at lines {span}"
        checked += 1
    assert checked > 300


def test_event_texts_are_printed_in_their_items(dataset):
    """A printed title, date or participant count is found in the text that reports the event."""
    for event in dataset.events.values():
        texts = [it.text for it in event.items] + ([event.data["quote"]["text"]] if event.data.get("quote") else [])
        folded = [fold_key(t) for t in texts]
        for key in ("date_text", "title"):
            if event.data.get(key) and key != "title":
                assert any(fold_key(event.data[key]) in f for f in folded), f"{event.where}: {key}"
        if event.data.get("participants"):
            assert any(fold_key(event.data["participants"]["text"]) in f for f in folded), str(event.where)


def test_no_line_of_the_source_is_left_out(dataset):
    """Every printed line is quoted somewhere, except repeated axis banners, empty "Actions :" and page numbers."""
    lines = source_lines(str(dataset.source_path))
    covered = set()
    for _, span, _ in _quotes(dataset):
        covered.update(range(span[0], span[1] + 1))
    axis_labels = {a["label"] for a in dataset.axes}
    missing = [(n, line) for n, line in enumerate(lines, 1)
               if line.strip() and n not in covered
               and line.strip() not in axis_labels and line.strip() != "Actions :" and not re.fullmatch(r"p\.\d+", line.strip())]
    assert missing == []


def test_people_in_the_text_are_all_there(dataset):
    """Every person named in a role line or in the text is a person of the graph."""
    names = {e.label for e in dataset.of_kind("person")}
    for name in ["Mahel Coppey", "Anne-Laure Federici", "Benjamin Guéraud-Pinet", "Stéphane Pfeiffer",
                 "Antoine Dubois", "Arnaud Magloire", "Patricia Nedel", "Patricia Andriot", "Madi Moussa Velou",
                 "Valérie Têtu", "Nicole Miquel-Belaud", "Siham Labich", "Chloé Sécher", "Christiane Bouchart",
                 "Maud Caruhel", "Gaëlle Le Stradic", "Isabelle Hardy", "Emeline Baume", "Florentin Letissier",
                 "Sandra Guilmin", "Laurent Dubost", "Pierre-Alain Simon", "Frédéric Tiberghien",
                 "Charlotte Dudignac", "Patrick Klein"]:
        assert name in names


@pytest.mark.parametrize("printed", [
    "ANCT", "ex CGET", "Avise", "CNFPT", "ESS France", "France urbaine", "CRESS Bretagne", "CSESS", "ANRU",
    "Banque des Territoires", "Mouvement des Régies", "Labo de l'ESS", "Coorace", "MES", "CGSCOP", "CG Scop",
    "URSCOP", "Grand Albigeois", "rESS'ources", "CRESS Occitanie", "Fédération des EPL", "Régions de France",
    "CGDD", "Ademe", "Club EFC Ile-de-France", "Union du réemploi solidaire", "Mouvement Sol", "Coop des Communs",
    "APES", "Fabrique des transitions", "TETRIS", "OIT", "OCDE", "ONU", "GSEF", "IdéalCo", "IRA HDF", "CAPVM",
    "Eurométropole de Strasbourg", "Ville de Marseille", "Valenciennes Agglomération",
    "Université Polytechnique Hauts-de-France", "Les Petites Rivières", "Terre de Liens", "Ikos", "Collectif Abbal",
    "Parkour 59", "Recycl'Occ Textile", "Les Imaginations Fertiles", "PTCE Sud Aquitaine", "Ateliers du Rond-Point",
    "Ceinture Alimentaire Nantes", "TRESSONS", "ANIMERA", "PlateformCoop", "AMIF",
])
def test_every_organisation_printed_is_findable(dataset, printed):
    keys = {fold_key(a.text) for e in dataset.of_kind("organisation") for a in [*e.aliases]} | \
           {fold_key(e.label) for e in dataset.of_kind("organisation")}
    assert fold_key(printed) in keys or any(fold_key(printed) in k.split(" ") or fold_key(printed) in k for k in keys)


@pytest.mark.parametrize("printed,kind", [
    ("loi ESS", "law"), ("NOTRe", "law"), ("AGEC", "law"), ("PACTE", "law"), ("CGCT", "law"), ("RGEC", "law"),
    ("SCIC", "concept"), ("Scic", "concept"), ("PTCE", "concept"), ("SPASER", "concept"), ("SIEG", "concept"),
    ("agrément ESUS", "concept"), ("BRSA", "concept"), ("OFS", "concept"), ("TZCLD", "concept"), ("CAE", "concept"),
    ("tiers-lieux", "concept"), ("MLC", "concept"), ("CPO", "concept"), ("ZAN", "concept"), ("SSIG", "concept"),
    ("Île-de-France", "territory"), ("Occitanie", "territory"), ("Nantes", "territory"), ("Dakar", "territory"),
    ("RepèrESS", "publication"), ("Points de RepèrESS", "publication"), ("Déniché pour Vous", "publication"),
])
def test_laws_tools_territories_publications_are_findable(dataset, printed, kind):
    keys = {fold_key(a.text) for e in dataset.of_kind(kind) for a in e.aliases} | {fold_key(e.label) for e in dataset.of_kind(kind)}
    assert fold_key(printed) in keys


def test_aliases_are_recorded(dataset):
    anct = dataset.entities[("organisation", "anct")]
    assert {"ANCT", "ex CGET"} <= {a.text for a in anct.aliases}
    scic = dataset.entities[("concept", "scic")]
    assert {"SCIC", "Scic"} <= {a.text for a in scic.aliases}
    cgscop = {fold_key(a.text) for a in dataset.entities[("organisation", "cgscop")].aliases}
    assert {"cgscop", "cg scop et scic"} <= cgscop


def test_fiches_twelve_to_fourteen_have_no_title(graph):
    for number in (12, 13, 14):
        fiche = fiche_iri("rtes-2024", number)
        assert graph.value(fiche, KG.untitled) == Literal(True)
        assert (fiche, URIRef("http://purl.org/dc/terms/title"), None) not in graph
    assert graph.value(fiche_iri("rtes-2024", 10), KG.ficheStatus) == Literal("Exploratoire", lang="fr")


def _roles(graph, number):
    fiche = fiche_iri("rtes-2024", number)
    out = set()
    for role in graph.subjects(KG.fiche, fiche):
        if (role, RDF.type, KG.Role) in graph:
            agent = graph.value(role, KG.agent)
            out.add((str(graph.value(role, KG.roleCode)), str(agent).rsplit("/", 1)[-1] if agent else "?",
                     str(graph.value(role, KG.scope) or "")))
    return out


def test_roles_as_printed(graph):
    assert ("referent-ca", "stephane-pfeiffer", "") in _roles(graph, 7)
    assert ("referent-ca", "eurometropole-de-strasbourg", "") in _roles(graph, 3)
    assert ("referent-ca", "?", "") in _roles(graph, 14)
    assert ("referent-ca", "antoine-dubois", "sur MLC") in _roles(graph, 11)
    # "(passation à prévoir)" is a note about a handover, not a scope (issue 13)
    assert ("referent-ca", "patricia-andriot", "") in _roles(graph, 12)
    andriot = next(r for r in graph.subjects(KG.agent, URIRef("https://ess-kg.example/personne/patricia-andriot"))
                   if (r, KG.fiche, fiche_iri("rtes-2024", 12)) in graph)
    assert str(graph.value(andriot, URIRef("http://www.w3.org/2004/02/skos/core#note"))) == "passation à prévoir"
    assert ("referent-ca", "isabelle-hardy", "en particulier sur EGA/éco/socio/conditionnalité des aides") in _roles(graph, 8)
    assert ("referent-equipe", "pierre-alain-simon", "") in _roles(graph, 13)
    assert {r for r in _roles(graph, 1) if r[0] == "referent-equipe"} == {
        ("referent-equipe", "anne-laure-federici", ""), ("referent-equipe", "benjamin-gueraud-pinet", "")}


def test_participants_keep_number_and_precision(graph):
    def event(ident):
        iri = entity_iri("event", ident)
        return (int(graph.value(iri, KG.participants)), str(graph.value(iri, KG.participantsPrecision)),
                str(graph.value(iri, KG.participantsText)))
    assert event("seminaire-national-politique-de-la-ville-ess") == (280, "minimum", "+ de 280 participant.e.s")
    assert event("rencontre-scic-et-collectivites-grand-albigeois")[:2] == (100, "approximate")
    assert event("webinaire-agrement-esus-2023-03-30")[:2] == (70, "exact")


def test_partial_dates_and_inferred_years(graph):
    iri = entity_iri("event", "webinaire-agrement-esus-2023-03-30")
    assert graph.value(iri, SCHEMA.startDate) == Literal("2023-03-30", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    assert graph.value(iri, KG.yearInferred) == Literal(True)
    seminar = entity_iri("event", "seminaire-foncier-2024-06")
    assert str(graph.value(seminar, SCHEMA.startDate)) == "2024-06"
    assert str(graph.value(seminar, KG.periodStart)) == "2024-06-01"
    assert str(graph.value(seminar, KG.periodEnd)) == "2024-06-30"


def test_an_event_seen_from_two_fiches_is_one_event(graph):
    roubaix = entity_iri("event", "rencontre-filieres-ess-roubaix-2023")
    assert {int(graph.value(f, KG.ficheNumber)) for f in graph.objects(roubaix, KG.fiche)} == {3, 9}
    niort = entity_iri("event", "forum-ess-niort-2024")
    children = set(graph.subjects(SCHEMA.superEvent, niort))
    assert {int(graph.value(f, KG.ficheNumber)) for c in children for f in graph.objects(c, KG.fiche)} == {1, 11}


def test_every_event_status_is_known(graph):
    statuses = {str(o) for o in graph.objects(None, KG.eventStatus)}
    assert statuses <= {"realise", "prevu", "propose"} and {"realise", "prevu"} <= statuses


def _verified_identifiers() -> set[str]:
    """Every identifier of data/reference/verified-links.yaml (the project's copy of the shared reference)."""
    import yaml

    ref = yaml.safe_load((DATA / "reference" / "verified-links.yaml").read_text(encoding="utf-8"))
    ids = {row["qid"] for row in ref["wikidata"]}
    for row in ref["other_ids"]:
        ids |= {row[k] for k in ("ror", "siren") if k in row}
        ids |= {row["ror"].rsplit("/", 1)[-1]} if "ror" in row else set()
    for row in ref["laws"]:
        ids |= {row[k] for k in ("jorftext", "nor", "eli_alias") if k in row and row[k] != "unverified"}
    ids |= set(ref["insee_regions"])
    ids |= {row["id"] for row in ref["more_ids"]}
    ids |= {c["code"] for c in ref["essglobal"]["concepts"]}
    return ids


def test_links_are_only_the_verified_ones(dataset):
    """Every external identifier in the data is in the verified list; an ELI is built from a verified NOR."""
    import yaml

    verified = _verified_identifiers()
    laws = yaml.safe_load((DATA / "reference" / "verified-links.yaml").read_text(encoding="utf-8"))["laws"]
    nors = {row["nor"] for row in laws if row["nor"] != "unverified"}
    checked = 0
    for entity in dataset.entities.values():
        for link in entity.data.get("links") or []:
            checked += 1
            if link["scheme"] == "eli" and link["id"] not in verified:
                match = re.fullmatch(r"https://www\.legifrance\.gouv\.fr/eli/loi/\d{4}/\d{1,2}/\d{1,2}/([A-Z0-9]+)/jo/texte", link["id"])
                assert match and match.group(1) in nors, f"{entity.where}: {link['id']}"
                continue
            assert link["id"] in verified, f"{entity.where}: {link['id']} is not in the verified list"
            assert link["verified"], entity.where
    assert checked >= 20
    # the Banque des Territoires carries its parent's SIREN as a related link only, never as its own
    assert {(l["scheme"], l["match"]) for l in dataset.entities[("organisation", "banque-des-territoires")].data["links"]} == {
        ("siren", "related")}


def test_more_ids_are_in_the_data_with_their_match(dataset):
    """Each ``more_ids`` row of the verified list whose entity is in the graph is a link with the same scheme and match
    (a "related" row never becomes exact); rows for no entity, or for an entity absent from the graph, are not used."""
    import yaml

    ref = yaml.safe_load((DATA / "reference" / "verified-links.yaml").read_text(encoding="utf-8"))
    by_id = {e.id: e for e in dataset.entities.values()}
    rows = [r for r in ref["more_ids"] if r["entity"] in by_id]
    assert len(rows) >= 18
    for row in rows:
        links = {(l["scheme"], l["id"]): l["match"] for l in by_id[row["entity"]].data["links"]}
        assert links.get((row["scheme"], row["id"])) == row["match"], row
    assert "commission-europeenne" not in by_id
    used = {l["id"] for e in dataset.entities.values() for l in e.data.get("links") or []}
    assert not {r["id"] for r in ref["more_ids"] if r["entity"] is None} & used
    verified = {(r["entity"], r["scheme"], r["id"]): r.get("match") for r in ref["more_ids"]}
    for entity in dataset.entities.values():
        for link in entity.data.get("links") or []:
            if link["match"] == "related" or link["id"] in {r["id"] for r in ref["more_ids"]}:
                # an identifier of more_ids goes on its own entity, with its own match, and nowhere else
                assert verified.get((entity.id, link["scheme"], link["id"])) == link["match"], entity.where


def test_the_reference_copy_is_the_shared_one():
    text = (DATA / "reference" / "verified-links.yaml").read_text(encoding="utf-8")
    assert "Q586704" in text and "JORFTEXT000029313296" in text


def test_entities_without_verified_link_say_so(graph):
    statuses = {str(s) for s in graph.objects(None, KG.linkStatus)}
    assert statuses == {"lie", "non-lie"}
    # the ANCT has had a verified SIREN since issue 13; the Banque des Territoires has only its parent's (related)
    assert str(graph.value(entity_iri("organisation", "anct"), KG.linkStatus)) == "lie"
    assert str(graph.value(entity_iri("organisation", "banque-des-territoires"), KG.linkStatus)) == "non-lie"
    assert str(graph.value(entity_iri("organisation", "eurometropole-de-strasbourg"), KG.linkStatus)) == "lie"


def test_mentions_point_at_the_exact_quote(graph):
    """Each mention's TextPositionSelector cuts exactly its TextQuoteSelector out of its item's text."""
    oa = "http://www.w3.org/ns/oa#"
    count = 0
    for mention in graph.subjects(RDF.type, KG.Mention):
        target = graph.value(mention, URIRef(oa + "hasTarget"))
        item = graph.value(target, URIRef(oa + "hasSource"))
        text = str(graph.value(item, KG.text))
        selectors = list(graph.objects(target, URIRef(oa + "hasSelector")))
        exact = next(str(graph.value(s, URIRef(oa + "exact"))) for s in selectors if graph.value(s, URIRef(oa + "exact")))
        start = next(int(graph.value(s, URIRef(oa + "start"))) for s in selectors if graph.value(s, URIRef(oa + "start")) is not None)
        end = next(int(graph.value(s, URIRef(oa + "end"))) for s in selectors if graph.value(s, URIRef(oa + "end")) is not None)
        assert text[start:end] == exact
        count += 1
    assert count > 300


def test_longest_mention_wins(graph):
    """"CRESS Bretagne" is the CRESS, not the region; "ESS France" is not France."""
    assert not list(graph.subjects(KG.involves, entity_iri("territory", "france")))


def test_data_readme_documents_every_section_kind():
    from kg.load import SECTION_KINDS

    text = (DATA / "README.md").read_text(encoding="utf-8")
    for kind in SECTION_KINDS:
        assert f"`{kind}`" in text


def test_folding_drops_accents_and_case_and_keeps_where_each_character_came_from():
    """fold (memoised per character) and fold_text (for names) give the definition, character by character and on
    mixed texts: accents dropped, lower case, spaces and hyphens as one space."""
    import random
    import unicodedata

    from kg.source import fold, fold_text

    folded, origin = fold("Île-de-France  –  l’Économie")
    assert folded == "ile de france l'economie" and fold_text("Île-de-France  –  l’Économie") == folded
    assert origin[:4] == [0, 1, 2, 3] and folded[14] == "l" and origin[14] == 18  # the spaces and dash were one
    for code in range(0x20, 0x3000):
        char = chr(code)
        if char in "-‐‑‒–—" or char.isspace() or char in "’‘ʼ“”«»":
            continue
        expected = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)).lower()
        assert fold(char) == (expected, [0] * len(expected)) and fold_text(char) == expected, repr(char)
    random.seed(7)
    pool = [chr(c) for c in range(0x20, 0x600)] + list(" \t-–’") * 40
    for _ in range(2000):
        text = "".join(random.choice(pool) for _ in range(30))
        assert fold_text(text) == fold(text)[0], repr(text)
