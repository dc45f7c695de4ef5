"""fiche-changes and entity-timeline after their rewrite for many programmes (issue 15): the cases the fixtures'
expected answers (tests/test_programme_queries.py) do not reach, the same on rdflib and Oxigraph."""

from __future__ import annotations

from kg.graph import build_graph
from kg.programmes import load_data
from kg.queries import load_queries, run
from kg.store import MemoryStore, OxigraphStore

QUERIES = load_queries()


def rows(store, name, **params):
    return [tuple("" if v is None else str(v) for v in row.values())
            for row in run(QUERIES[name], {k: str(v) for k, v in params.items()}, store).rows]


def test_fiche_changes_unknown_referent_still_reads_as_a_question_mark(three_data):
    """The rewrite looks a referent up as a known agent or ``kg:agentUnknown`` (no OPTIONAL in its UNION): a
    referent the document leaves blank ("Référent CA : ?") keeps its row, on rdflib as on Oxigraph."""
    fiche = three_data / "programmes" / "rtc-2025" / "fiches" / "03.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8").replace("number: 3\n", "number: 3\nfollows: rtc-2024/4\n"),
                     encoding="utf-8")
    graph = build_graph(load_data(three_data))
    memory, oxigraph = MemoryStore(graph), OxigraphStore.from_graph(graph)
    answer = rows(memory, "fiche-changes", programme="rtc-2025", fiche=3)
    assert answer == rows(oxigraph, "fiche-changes", programme="rtc-2025", fiche=3)
    referents = [(r[0], r[1], r[2], r[3], r[4]) for r in answer if r[0] == "référents"]
    assert ("référents", "retiré", "? (référent CA)", "Référent CA : ?", "l. 41") in referents
    assert ("référents", "gardé", "Inès Rahmani (référent équipe)", "Référent équipe : Inès Rahmani.", "l. 42") \
        in referents


def test_entity_timeline_role_and_mention_rows_on_both_engines(three_graph):
    """A role involvement is joined to its role in its own branch now: every kind of row (role, mention, event)
    and the order stay the same on rdflib and Oxigraph."""
    memory, oxigraph = MemoryStore(three_graph), OxigraphStore.from_graph(three_graph)
    for entity in ("ANCT", "Hugo Lanternier", "Ville de Poitiers"):
        answer = rows(memory, "entity-timeline", entity=entity)
        assert answer and answer == rows(oxigraph, "entity-timeline", entity=entity)
    roles = {r[5] for r in rows(oxigraph, "entity-timeline", entity="ANCT")}
    assert {"contributeur", "mentionné(e)"} <= roles
