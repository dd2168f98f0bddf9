"""RDF and SPARQL-results syntaxes: names, media types, file extensions, engine formats.

One table serves the CLI (``--format``), the exporter and the endpoint's content negotiation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

T = TypeVar("T")


@dataclass(frozen=True)
class RdfSyntax:
    """One RDF serialisation."""

    name: str
    media_type: str
    extension: str
    oxigraph: ox.RdfFormat
    rdflib: str
    datasets: bool  # can carry named graphs
    aliases: tuple[str, ...] = ()


RDF_SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax("turtle", "text/turtle", ".ttl", ox.RdfFormat.TURTLE, "turtle", False,
              ("application/x-turtle", "text/n3", "text/rdf+n3")),
    RdfSyntax("ntriples", "application/n-triples", ".nt", ox.RdfFormat.N_TRIPLES, "nt", False,
              ("text/plain",)),
    RdfSyntax("nquads", "application/n-quads", ".nq", ox.RdfFormat.N_QUADS, "nquads", True,
              ("text/x-nquads",)),
    RdfSyntax("trig", "application/trig", ".trig", ox.RdfFormat.TRIG, "trig", True),
    RdfSyntax("jsonld", "application/ld+json", ".jsonld", ox.RdfFormat.JSON_LD, "json-ld", True,
              ("application/json",)),
    RdfSyntax("rdfxml", "application/rdf+xml", ".rdf", ox.RdfFormat.RDF_XML, "xml", False,
              ("application/xml", "text/xml", ".owl")),
)


@dataclass(frozen=True)
class ResultsSyntax:
    """One SPARQL query results serialisation (SELECT / ASK)."""

    name: str
    media_type: str
    extension: str
    oxigraph: ox.QueryResultsFormat
    aliases: tuple[str, ...] = ()


RESULTS_SYNTAXES: tuple[ResultsSyntax, ...] = (
    ResultsSyntax("json", "application/sparql-results+json", ".srj", ox.QueryResultsFormat.JSON,
                  ("application/json",)),
    ResultsSyntax("xml", "application/sparql-results+xml", ".srx", ox.QueryResultsFormat.XML,
                  ("application/xml", "text/xml")),
    ResultsSyntax("csv", "text/csv", ".csv", ox.QueryResultsFormat.CSV),
    ResultsSyntax("tsv", "text/tab-separated-values", ".tsv", ox.QueryResultsFormat.TSV),
)


def _find(table: tuple[T, ...], name_or_type: str, what: str) -> T:
    key = name_or_type.strip().lower()
    for syntax in table:
        if key in (syntax.name, syntax.media_type, syntax.extension, *syntax.aliases):  # type: ignore[attr-defined]
            return syntax
    known = ", ".join(s.name for s in table)  # type: ignore[attr-defined]
    raise ValueError(f"unknown {what} {name_or_type!r} (known: {known})")


def rdf_syntax(name_or_type: str) -> RdfSyntax:
    """Find an RDF syntax by name, media type, alias or file extension."""
    return _find(RDF_SYNTAXES, name_or_type, "RDF syntax")


def file_name(stem: str, syntax: str) -> str:
    """A file name for an answer in ``syntax``: ``stem`` kept to letters, digits, ``.``, ``_``
    and ``-`` (120 at most), then the syntax's extension (``imatinib.nt``); what a browser
    saves under ``Content-Disposition`` (review r16 browser F4, F7).

    >>> file_name("gist (1)", "application/n-quads")
    'gist-1.nq'
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:120] or "data"
    return safe + rdf_syntax(syntax).extension


def rdf_syntax_for_path(path: Path) -> RdfSyntax:
    """The RDF syntax of a file, from its extension."""
    return rdf_syntax(path.suffix)


def results_syntax(name_or_type: str) -> ResultsSyntax:
    """Find a SPARQL results syntax by name or media type."""
    return _find(RESULTS_SYNTAXES, name_or_type, "SPARQL results syntax")
