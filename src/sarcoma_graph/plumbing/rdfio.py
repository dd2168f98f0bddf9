"""Reading RDF files with errors that name file, line and column; writing files atomically.

Parsing goes through pyoxigraph (fast, precise positions). Writes go to a temporary file
beside the target and are moved into place, so a failed step never leaves half a file.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

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
    return read_rdf(path, graph)[0]


def read_rdf(path: Path, graph: str | None = None) -> tuple[list[ox.Quad], dict[str, str]]:
    """The quads of one RDF file (see :func:`read_quads`) and the prefixes it declares."""
    if not path.exists() and not path.is_symlink():
        raise InputError(f"{path}: no such file")
    try:
        syntax = rdf_syntax_for_path(path)
    except ValueError as error:
        raise InputError(f"{path}: {error}") from None
    target = ox.NamedNode(graph) if graph else None
    try:
        with opened(path) as handle:
            parser = ox.parse(handle, format=syntax.oxigraph, base_iri=path.resolve().as_uri())
            quads = list(parser)
            prefixes = dict(getattr(parser, "prefixes", {}) or {})
    except SyntaxError as error:
        raise syntax_error(path, error) from None
    except UnicodeDecodeError as error:
        raise RdfSyntaxError(path, None, None, f"not UTF-8 ({error.reason} at byte {error.start})") \
            from None
    except MemoryError as error:  # pyoxigraph's token buffer: a term (a literal) over 16 MiB
        raise RdfSyntaxError(path, None, None, f"a term too large to parse ({error})") from None
    if target is not None:
        quads = [q if not isinstance(q.graph_name, ox.DefaultGraph)
                 else ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
    return quads, prefixes


@contextlib.contextmanager
def opened(path: Path) -> Iterator[BinaryIO]:
    """``path`` open for reading; an unreadable file, a broken or looping link is an
    :class:`InputError` naming the file."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from None
    with handle:
        yield handle


def read_text(path: Path) -> str:
    """A UTF-8 text file's content; unreadable or non-UTF-8 is an :class:`InputError`."""
    with opened(path) as handle:
        data = handle.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 ({error.reason} at byte {error.start})") from None


def rdf_files(directory: Path) -> list[Path]:
    """The RDF files of a directory, sorted, recursively (hidden files and folders below
    ``directory`` excluded; the folders above it may have any name)."""
    if not directory.is_dir():
        return []
    suffixes = {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl"}
    return sorted(p for p in _walk(directory, set()) if p.suffix in suffixes
                  and (p.is_file() or p.is_symlink()))  # a broken link is reported, not skipped


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path]:
    """The entries below ``folder``, hidden ones excluded, through linked folders too (rglob
    skipped a symlinked folder in data/ without a word, probe r16 M4); a link back to a folder
    being walked is an error naming it."""
    info = folder.stat()
    key = (info.st_dev, info.st_ino)
    if key in seen:
        raise InputError(f"{folder}: a link loop (this folder is reached again through a "
                         "symbolic link); remove the link")
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        raise InputError(f"{folder}: cannot read ({error.strerror or error})") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry, seen | {key})
        else:
            yield entry


def folder_quads(directory: Path) -> list[ox.Quad]:
    """The quads of every RDF file of a directory (:func:`rdf_files`), in file order."""
    return [q for path in rdf_files(directory) for q in read_quads(path)]


_TEMP_SUFFIX = ".tmp"


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Remove the temporary files a killed writer of ``path`` left beside it.

    Their names carry the writer's process id (``.<name>.<pid>.<random>.tmp``); a file whose
    writer is still alive is kept, so two commands writing at once do not undo each other.
    """
    removed = left_by_dead_writers(path.parent, _temp_prefix(path), _TEMP_SUFFIX, unnumbered=True)
    for tmp in removed:
        tmp.unlink(missing_ok=True)
    return removed


def left_by_dead_writers(folder: Path, prefix: str, suffix: str = "",
                         unnumbered: bool = False) -> list[Path]:
    """The entries of ``folder`` named ``<prefix><pid>.<anything><suffix>`` whose writer is no
    longer running; with ``unnumbered``, also those with no process id (temporary files of
    older versions, in a folder of ours). Without it such a name is not ours and is left
    alone: ``.NAME.release-old`` beside a release may be the user's (probe r16 M2)."""
    left = []
    for entry in folder.glob(f"{glob.escape(prefix)}*{suffix}"):
        pid, dot, rest = entry.name[len(prefix):].partition(".")
        numbered = pid.isdigit() and bool(dot and rest)
        if (numbered and not process_alive(int(pid))) or (unnumbered and not numbered):
            left.append(entry)
    return left


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (someone else's counts)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds.

    A symbolic link is followed: the file it points to is replaced, not the link. An existing
    output that is not a regular file (a named pipe, ``/dev/stdout``, a device, a process
    substitution's ``/dev/fd/N``) is written through once the block succeeds, never replaced
    (review r15 H2: a rename destroyed them). A folder that cannot be created or written is an
    :class:`InputError` naming ``path``.
    """
    descriptor = _our_descriptor(path)
    if descriptor is not None or _special_file(path):
        with _written_through(path, descriptor) as tmp:
            yield tmp
        return
    path = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise IsADirectoryError(21, "is a folder")
        remove_stale_temp_files(path)
        handle, name = tempfile.mkstemp(prefix=f"{_temp_prefix(path)}{os.getpid()}.",
                                        suffix=_TEMP_SUFFIX, dir=path.parent)
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror or error})") from None
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
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror or error})") from None
    finally:
        tmp.unlink(missing_ok=True)


def _special_file(path: Path) -> bool:
    """Whether ``path`` (its links followed) exists and is neither a regular file nor a folder."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _our_descriptor(path: Path) -> int | None:
    """The file descriptor of this process that ``path`` names through its links
    (``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``), if it names one. Opening such a path
    opens its file again, truncated: ``-o /dev/stdout >> log`` replaced the log with the
    export (probe r16 M5); written through the descriptor, it appends as the shell meant."""
    names = re.compile(rf"/dev/(stdout|stderr)|/dev/fd/(\d+)|/proc/(?:self|{os.getpid()})/fd/(\d+)")
    link = Path.cwd() / path  # (not resolved: its links are read one by one)
    for _ in range(40):  # a link chain, not a loop
        match = names.fullmatch(os.path.normpath(link))
        if match:
            return {"stdout": 1, "stderr": 2}[match[1]] if match[1] else int(match[2] or match[3])
        if not link.is_symlink():
            return None
        link = link.parent / link.readlink()
    return None


@contextlib.contextmanager
def _written_through(path: Path, descriptor: int | None = None) -> Iterator[Path]:
    """Yield a temporary file; when the block succeeds, copy it into ``path`` (opened for
    writing in place, as a shell redirection does), or into this process's ``descriptor``
    (as it was opened: appending, for ``>>``). Nothing reaches ``path`` on failure."""
    handle, name = tempfile.mkstemp(prefix="sarcoma-graph-output.", suffix=_TEMP_SUFFIX)
    os.close(handle)
    tmp = Path(name)
    try:
        yield tmp
        target = os.fdopen(os.dup(descriptor), "wb") if descriptor is not None else path.open("wb")
        with tmp.open("rb") as source, target:
            shutil.copyfileobj(source, target, 1 << 20)
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror or error})") from None
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to ``path`` atomically (temporary file, fsync, rename)."""
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
