"""OpenLink Virtuoso (Debian ``virtuoso-opensource``): a private server in a temporary folder.

``virtuoso-t`` runs in the foreground with a generated ``virtuoso.ini`` whose SQL (isql) and
HTTP ports listen on 127.0.0.1 only; the release is loaded with ``ld_dir`` + ``rdf_loader_run``
through ``isql-vt``, as the README says. The SPARQL endpoint is ``http://127.0.0.1:PORT/sparql``
(read-only for the anonymous user); SQL as ``dba``/``dba`` through :meth:`Virtuoso.isql`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.engines.answers import Endpoint
from tests.engines.process import Process, free_port, run, start

SERVER, ISQL = "virtuoso-t", "isql-vt"
USER, PASSWORD = "dba", "dba"  # Virtuoso's initial account; the server only listens on loopback
INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
DirsAllowed        = {dirs}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
ThreadsPerQuery    = 2
[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {dir}
ServerThreads      = 4
[SPARQL]
ResultSetMaxRows      = 100000
MaxQueryExecutionTime = 120
"""


def available() -> bool:
    return shutil.which(SERVER) is not None and shutil.which(ISQL) is not None


@dataclass
class Virtuoso:
    """A running Virtuoso: its process (stop by PID), ports and SPARQL endpoint."""

    process: Process
    directory: Path
    sql_port: int
    http_port: int

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint("Virtuoso", f"http://127.0.0.1:{self.http_port}/sparql")

    def isql(self, sql: str) -> str:
        """Run SQL statements as dba; RuntimeError when isql reports an error."""
        output = run("isql-vt", [ISQL, f"127.0.0.1:{self.sql_port}", USER, PASSWORD,
                                 f"exec={sql}"], timeout=300)
        if "*** Error" in output:
            raise RuntimeError(f"Virtuoso rejected {sql!r}:\n{output[-2000:]}")
        return output

    def load(self, folder: Path, pattern: str, graph: str) -> None:
        """The README's load: ``ld_dir`` then ``rdf_loader_run``, then a checkpoint; checks errors."""
        self.isql(f"ld_dir('{folder}', '{pattern}', '{graph}'); rdf_loader_run(); checkpoint;")
        errors = self.isql("select ll_file, ll_error from DB.DBA.load_list where ll_error is not null;")
        if "0 Rows" not in errors:
            raise RuntimeError(f"Virtuoso could not load {folder}/{pattern}:\n{errors}")

    def stop(self) -> None:
        self.process.stop(grace=30)


def start_virtuoso(directory: Path, allowed: list[Path]) -> Virtuoso:
    """Write ``virtuoso.ini`` into ``directory`` and start ``virtuoso-t +foreground`` on it.

    ``allowed`` are the folders ``ld_dir`` may read (``DirsAllowed``).
    """
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    dirs = ", ".join([".", *(str(p) for p in allowed)])
    ini = directory / "virtuoso.ini"
    ini.write_text(INI.format(dir=directory, sql_port=sql_port, http_port=http_port, dirs=dirs))
    endpoint = Endpoint("Virtuoso", f"http://127.0.0.1:{http_port}/sparql")
    process = start("Virtuoso", [SERVER, "+foreground", "+configfile", str(ini)],
                    directory / "server.log", endpoint.answers, timeout=180, cwd=directory)
    return Virtuoso(process, directory, sql_port, http_port)
