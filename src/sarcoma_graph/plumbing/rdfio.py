"""Reading RDF files with errors that name file, line and column; writing files atomically.

Parsing goes through pyoxigraph (fast, precise positions). Writes go to a temporary file
beside the target and are moved into place, so a failed step never leaves half a file.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from sarcoma_graph.errors import InputError, RdfSyntaxError
from sarcoma_graph.plumbing.formats import rdf_syntax_for_path

_POSITION = re.compile(r"line (\d+) column (\d+)")


def syntax_error(path: Path | str, error: SyntaxError) -> RdfSyntaxError:
    """Turn a pyoxigraph ``SyntaxError`` into an error naming file, line and column."""
    line, column = error.lineno, error.offset
    message = str(error.msg if hasattr(error, "msg") else error)
    if line is None:
        match = _POSITION.search(message)
        if match:
            line, column = int(match.group(1)), int(match.group(2))
    message = re.sub(r"^Parser error (between|at) [^:]*: ", "", message)
    return RdfSyntaxError(path, line, column, message)


def read_quads(path: Path, graph: str | None = None) -> list[ox.Quad]:
    """Parse one RDF file into quads, into ``graph`` (for triple syntaxes) when given."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        syntax = rdf_syntax_for_path(path)
    except ValueError as error:
        raise InputError(f"{path}: {error}") from None
    target = ox.NamedNode(graph) if graph else None
    try:
        with path.open("rb") as handle:
            quads = list(ox.parse(handle, format=syntax.oxigraph,
                                  base_iri=path.resolve().as_uri()))
        if target is None:
            return quads
        return [q if not isinstance(q.graph_name, ox.DefaultGraph)
                else ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
    except SyntaxError as error:
        raise syntax_error(path, error) from None
    except UnicodeDecodeError as error:
        raise RdfSyntaxError(path, None, None, f"not UTF-8 ({error.reason} at byte {error.start})") \
            from None


def rdf_files(directory: Path) -> list[Path]:
    """The RDF files of a directory, sorted, recursively (hidden files excluded)."""
    if not directory.is_dir():
        return []
    suffixes = {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl"}
    return sorted(p for p in directory.rglob("*") if p.suffix in suffixes
                  and p.is_file() and not any(part.startswith(".") for part in p.parts))


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)  # mkstemp creates 0600; a written file gets the usual mode
    try:
        yield tmp
        with tmp.open("rb+") as stream:
            os.fsync(stream.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to ``path`` atomically (temporary file, fsync, rename)."""
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
