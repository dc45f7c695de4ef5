"""The SPARQL servers of the interop matrix, started on 127.0.0.1 in a temporary folder and stopped by their id.

Virtuoso Open Source (Debian's ``virtuoso-opensource``) and Comunica's endpoint over a file (npm, pinned in
tools/comunica); `make test-interop` installs both. Used by tests/test_interop.py and by ``python -m bench``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

from kg.publish import GRAPH  # where Virtuoso keeps our triples

ROOT = Path(__file__).resolve().parent.parent
COMUNICA = ROOT / "tools" / "comunica"
VIRTUOSO = "/usr/bin/virtuoso-t"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process in its own process group: stop() ends that group, and nothing else."""

    name = "serveur"
    process: subprocess.Popen

    def _start(self, command: list[str], cwd: Path, ready_url: str, timeout: float) -> None:
        self.log_path = self.folder / "server.log"
        with open(self.log_path, "w", encoding="utf-8") as log:
            self.process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(ready_url, timeout=5).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} s'est arrêté au démarrage : {self.log_tail()}")
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} n'a pas répondu en {timeout:g} s : {self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-600:]
        except OSError:
            return ""

    def pids(self) -> list[int]:
        """The server's processes (Comunica runs a master and a worker)."""
        found = subprocess.run(["pgrep", "-g", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        return [int(p) for p in found] or [self.process.pid]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        try:  # the group's other members (a Comunica worker) may outlive the leader by a moment
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
Charset = UTF-8
[SPARQL]
; Debian's virtuoso.ini cuts every answer at 10 000 rows without saying so: our lists at ×10 are longer
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


class VirtuosoServer(Server):
    """A fresh Virtuoso database (user dba, password dba: a fresh database's, on 127.0.0.1 only)."""

    name = "Virtuoso"
    user, password = "dba", "dba"

    def __init__(self, folder: Path, timeout: float = 120):
        if not Path(VIRTUOSO).exists():
            raise RuntimeError("Virtuoso est introuvable (/usr/bin/virtuoso-t) : lancez « make test-interop », "
                               "qui installe le paquet Debian virtuoso-opensource")
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port, sql = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ini = self.folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(d=self.folder, sql=sql, http=self.port), encoding="utf-8")
        self._start([VIRTUOSO, "+foreground", "+configfile", str(ini)], self.folder,
                    f"{self.url}/sparql?query=ASK%7B%7D", timeout)

    @property
    def endpoint(self) -> str:
        return f"{self.url}/sparql"

    @property
    def graph_store(self) -> str:
        return f"{self.url}/sparql-graph-crud-auth"

    @property
    def query_url(self) -> str:
        """What ``kg serve --store`` is given: the endpoint with our named graph as the default graph and as the
        only named graph (default-graph-uri alone still lets ``GRAPH ?g`` reach Virtuoso's system graphs)."""
        graph = urllib.parse.quote(GRAPH, safe="")
        return f"{self.endpoint}?default-graph-uri={graph}&named-graph-uri={graph}"

    def publish_args(self) -> tuple[list[str], dict[str, str]]:
        """``kg publish`` arguments and environment that load our graph into this server."""
        return (["--endpoint", self.endpoint, "--graph-store", self.graph_store, "--graph", GRAPH, "--user", self.user],
                {"KG_PUBLISH_PASSWORD": self.password})

    def version(self) -> str:
        out = subprocess.run([VIRTUOSO, "-?"], capture_output=True, text=True)
        line = next((l for l in (out.stdout + out.stderr).splitlines() if "Version" in l), "")
        return line.split("Version", 1)[-1].strip().split(" ")[0].split("-")[0] or "?"


class ComunicaServer(Server):
    """Comunica's SPARQL endpoint over one N-Triples file, through tools/comunica/serve.js.

    It reads the file: there is nothing to publish into (it refuses SPARQL Update on a file source), so
    "publishing" is giving it the build's graph.nt."""

    name = "Comunica"

    def __init__(self, folder: Path, dump: Path, timeout: float = 240, query_timeout: int = 120):
        node = shutil.which("node")
        if not node or not (COMUNICA / "node_modules" / "@comunica" / "query-sparql-file").exists():
            raise RuntimeError("Comunica est introuvable (tools/comunica/node_modules) : lancez « make test-interop », "
                               "qui l'installe avec npm")
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._start([node, str(COMUNICA / "serve.js"), str(Path(dump).resolve()), "-p", str(self.port),
                     "-t", str(query_timeout)], COMUNICA, f"{self.url}/sparql?query=ASK%7B%7D", timeout)

    @property
    def query_url(self) -> str:
        return f"{self.url}/sparql"

    def version(self) -> str:
        import json

        package = COMUNICA / "node_modules" / "@comunica" / "query-sparql-file" / "package.json"
        return json.loads(package.read_text(encoding="utf-8"))["version"]
