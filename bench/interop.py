"""The interop servers as columns of the bench: the same SPARQL texts on the same data, in Virtuoso and Comunica.

    python -m bench --scales real --interop    # `make test-interop` installs the two servers first
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from bench.servers import GRAPH, ComunicaServer, VirtuosoServer

ROOT = Path(__file__).resolve().parent.parent
SERVERS = ("virtuoso", "comunica")


def interop_times(dist: Path, texts: dict[str, str], runs: int, sparql_times) -> dict:
    """p50/p95 of each text on each interop server (``sparql_times(port, route, text, runs)`` from the bench),
    plus how long loading took and the servers' memory."""
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-interop-") as folder:
        for name in SERVERS:
            started = time.monotonic()
            if name == "virtuoso":
                server = VirtuosoServer(Path(folder) / name)
            else:
                server = ComunicaServer(Path(folder) / name, dist / "current" / "graph.nt")
            try:
                if name == "virtuoso":
                    arguments, env = server.publish_args()
                    subprocess.run([sys.executable, "-m", "kg.cli", "--dist", str(dist), "publish", *arguments], cwd=ROOT,
                                   env={**os.environ, **env}, check=True, capture_output=True)
                    route = "/sparql?" + urllib.parse.urlencode({"default-graph-uri": GRAPH, "named-graph-uri": GRAPH})
                else:
                    route = "/sparql"
                loaded = round(time.monotonic() - started, 1)
                times = {q: sparql_times(server.port, route, text, runs) for q, text in texts.items()}
                out[name] = {"version": server.version(), "ready_s": loaded, "sparql": times,
                             "rss_mb": round(sum(_rss_kb(pid) for pid in server.pids()) / 1024, 1)}
            finally:
                server.stop()
    return out


def interop_table(report: dict) -> list[str]:
    heads = [f"{n} {v['version']} p50" for n, v in report.items()]
    lines = [f"{'même SPARQL':<18} " + " ".join(f"{h:>24} {'p95':>7}" for h in heads)]
    names = sorted(next(iter(report.values()))["sparql"])
    for q in names:
        cells = []
        for v in report.values():
            s = v["sparql"][q]
            cells.append(f"{s['p50'] if s['p50'] is not None else 'refus ' + str(s.get('refused')):>24} {s.get('p95', ''):>7}")
        lines.append(f"{q:<18} " + " ".join(cells))
    lines.append("prêt (démarrage + chargement) : " + " ; ".join(f"{n} {v['ready_s']} s, {v['rss_mb']} Mo RSS"
                                                              for n, v in report.items()))
    return lines


def _rss_kb(pid: int) -> int:
    try:
        return next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0
