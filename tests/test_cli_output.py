"""The CLI's output as a Unix user reads it: piped into head, CSV on stdout, JSON-LD a person can read."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from rdflib import Graph

from tests.conftest import ROOT


def _kg(built, *argv: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(built), *argv], capture_output=True,
                          cwd=ROOT, **kwargs)


def test_broken_pipe_stops_quietly(built):
    """``kg … | head``: the reader goes away before kg writes; kg stops without "[Errno 32] Broken pipe"."""
    for argv in (["export", "--format", "nt"], ["query", "events"], ["stats"]):
        process = subprocess.Popen([sys.executable, "-m", "kg.cli", "--dist", str(built), *argv],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        process.stdout.close()  # the reader is gone before the first byte is written
        error = process.stderr.read().decode("utf-8")
        process.stderr.close()
        status = process.wait(timeout=120)
        assert error == "", (argv, error)
        assert status in (0, 141), (argv, status)


def test_csv_export_without_output_writes_the_fiches_table_to_stdout(built):
    result = _kg(built, "export", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8").lstrip("\ufeff"))))
    assert [int(r["fiche"]) for r in rows] == list(range(1, 15))
    roles = _kg(built, "export", "--format", "csv", "--table", "roles")
    assert roles.returncode == 0, roles.stderr
    header = roles.stdout.decode("utf-8").lstrip("\ufeff").splitlines()[0]
    assert header.startswith("fiche,role,nom")
    unknown = _kg(built, "export", "--format", "csv", "--table", "personnes", text=True)
    assert unknown.returncode == 1
    assert "table inconnue « personnes »" in unknown.stderr and "entites_fiches" in unknown.stderr


def test_jsonld_export_is_indented_unless_compact(built):
    pretty = _kg(built, "export", "--format", "jsonld")
    assert pretty.returncode == 0, pretty.stderr
    assert pretty.stdout.count(b"\n") > 1000
    compact = _kg(built, "export", "--format", "jsonld", "--compact")
    assert compact.returncode == 0, compact.stderr
    assert compact.stdout.strip().count(b"\n") == 0
    assert json.loads(pretty.stdout) == json.loads(compact.stdout)
    graph = Graph().parse(data=pretty.stdout, format="json-ld")
    assert len(graph) > 10000
