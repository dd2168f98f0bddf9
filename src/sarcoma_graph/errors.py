"""Errors a user can act on: each names the problem and where it is, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class SarcomaGraphError(Exception):
    """Base of every error the CLI and the server report as a message (no traceback)."""

    exit_code = 2


@dataclass
class RdfSyntaxError(SarcomaGraphError):
    """An RDF file does not parse: which file, line and column, and what the parser said."""

    path: Path | str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: RDF syntax error: {self.message}"


class InputError(SarcomaGraphError):
    """A missing or unusable input (file, directory, build artefact, parameter)."""


class ValidationFailed(SarcomaGraphError):
    """The data failed a check the command makes (exit 1): HermiT found the ontology
    inconsistent or a class unsatisfiable. ``validate``, ``qc`` and ``check-links`` report their
    findings as results and exit 1 themselves."""

    exit_code = 1
