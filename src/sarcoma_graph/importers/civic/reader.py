"""Reading a CIViC release: its TSV summary tables, parsed as real TSV.

CIViC writes its tables tab-separated with one header row. A field may hold quotes in the
middle of the text (kept as they are) and, in some releases, newlines: a field wrapped in
double quotes is read RFC 4180-style (quotes doubled inside, newlines kept), and a record cut
short by a bare newline is joined with the physical lines that follow until it has as many
fields as the header. Errors name the file and line.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sarcoma_graph.errors import InputError

#: The tables of a release: key → file name suffix (``<dd-Mon-YYYY>-<suffix>.tsv``).
TABLES = {
    "evidence": "ClinicalEvidenceSummaries",
    "profiles": "MolecularProfileSummaries",
    "variants": "VariantSummaries",
    "genes": "GeneSummaries",
    "assertions": "AssertionSummaries",
}
REQUIRED_TABLES = ("evidence", "profiles", "variants")
EVIDENCE_COLUMNS = ("evidence_id", "molecular_profile_id", "disease", "doid", "evidence_type",
                    "evidence_level", "evidence_direction", "significance", "evidence_statement")
_DATE_IN_NAME = re.compile(r"(\d{2}-[A-Z][a-z]{2}-\d{4})")


@dataclass
class Table:
    """One TSV table: its header and rows (each a column → value dict) with their first lines."""

    path: Path
    header: list[str]
    rows: list[dict[str, str]]
    lines: list[int] = field(default_factory=list)


@dataclass
class Release:
    """The tables of one CIViC release, indexed for the transform."""

    directory: Path
    date: str | None
    evidence: Table
    profiles: dict[str, dict[str, str]]
    variants: dict[str, dict[str, str]]
    genes: dict[str, dict[str, str]]


def _records(handle: Iterator[str], quoting: Literal[0, 1, 2, 3]) -> Iterator[tuple[int, list[str]]]:
    """Records of a TSV stream with the line each starts on (quoted fields may span lines)."""
    reader = csv.reader(handle, delimiter="\t", quotechar='"', doublequote=True, strict=True,
                        quoting=quoting)
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as error:
        raise InputError(f"line {reader.line_num}: {error}") from None


def _join_short(records: Iterator[tuple[int, list[str]]], width: int,
                path: Path) -> Iterator[tuple[int, list[str]]]:
    """Join records cut short by a bare newline inside a field with the records that follow."""
    pending: tuple[int, list[str]] | None = None
    for line, record in records:
        if pending is not None:
            start, fields = pending
            record = [*fields[:-1], f"{fields[-1]}\n{record[0] if record else ''}", *record[1:]]
            line = start
        if len(record) < width:
            pending = (line, record)
            continue
        pending = None
        if len(record) > width:
            raise InputError(f"{path}:{line}: {len(record)} fields where the header has {width}")
        yield line, record
    if pending is not None:
        raise InputError(f"{path}:{pending[0]}: the last record has {len(pending[1])} fields "
                         f"where the header has {width}")


def _parse(path: Path, quoting: Literal[0, 1, 2, 3]) -> Table:
    """Parse one TSV table with one quoting convention."""
    with path.open(encoding="utf-8", newline="") as handle:
        records = _records(handle, quoting)
        first = next(records, None)
        if first is None or not first[1]:
            raise InputError(f"{path}: empty file (no header row)")
        header = [name.strip() for name in first[1]]
        table = Table(path, header, [])
        for line, record in _join_short(records, len(header), path):
            if any(value.strip() for value in record):
                table.rows.append(dict(zip(header, record, strict=True)))
                table.lines.append(line)
    return table


def read_table(path: Path) -> Table:
    """Parse one TSV table: quoted fields first; if that fails, every quote as plain text."""
    csv.field_size_limit(1 << 28)
    try:
        try:
            return _parse(path, csv.QUOTE_MINIMAL)
        except InputError:
            return _parse(path, csv.QUOTE_NONE)
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error})") from None
    except InputError as error:
        message = str(error)
        raise InputError(message if message.startswith(str(path)) else f"{path}: {message}") \
            from None


def find_tables(directory: Path) -> dict[str, Path]:
    """The release's table files by key; an :class:`InputError` if a required one is missing."""
    if not directory.is_dir():
        raise InputError(f"{directory}: no such directory")
    found: dict[str, Path] = {}
    for key, suffix in TABLES.items():
        matches = sorted(directory.glob(f"*{suffix}.tsv"))
        if len(matches) > 1:
            raise InputError(f"{directory}: several *{suffix}.tsv files; keep one release per folder")
        if matches:
            found[key] = matches[0]
    missing = [f"*-{TABLES[k]}.tsv" for k in REQUIRED_TABLES if k not in found]
    if missing:
        raise InputError(f"{directory}: not a CIViC release folder (missing {', '.join(missing)})")
    return found


def release_date(paths: dict[str, Path]) -> str | None:
    """The release date (YYYY-MM-DD) written in the evidence file name (``01-Aug-2024-…``)."""
    match = _DATE_IN_NAME.search(paths["evidence"].name)
    if not match:
        return None
    return dt.datetime.strptime(match.group(1), "%d-%b-%Y").date().isoformat()


def _index(table: Table, key: str) -> dict[str, dict[str, str]]:
    if key not in table.header:
        raise InputError(f"{table.path}: no column {key!r}")
    return {row[key].strip(): row for row in table.rows}


def read_rows(path: Path) -> Table:
    """A table that must hold rows: a header alone (a truncated download) is an error, since
    importing it would replace the previous import with nothing."""
    table = read_table(path)
    if not table.rows:
        raise InputError(f"{path}: a header and no row; a CIViC release table is never empty "
                         "(a truncated download?)")
    return table


def read_release(directory: Path) -> Release:
    """Read the tables of a release folder (evidence, molecular profiles, variants, genes)."""
    paths = find_tables(directory)
    evidence = read_rows(paths["evidence"])
    missing = [c for c in EVIDENCE_COLUMNS if c not in evidence.header]
    if missing:
        raise InputError(f"{paths['evidence']}: no column(s) {', '.join(missing)}")
    genes = _index(read_rows(paths["genes"]), "name") if "genes" in paths else {}
    return Release(directory, release_date(paths), evidence,
                   _index(read_rows(paths["profiles"]), "molecular_profile_id"),
                   _index(read_rows(paths["variants"]), "variant_id"), genes)
