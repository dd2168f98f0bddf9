"""The store interface every backend implements, and the neutral query result.

Terms crossing the interface are pyoxigraph terms (``NamedNode``, ``BlankNode``,
``Literal``, ``Triple``, ``Quad``): one model for every backend, so that results from
any backend serialise to the same bytes. Queries see the union of all named graphs as
their default graph unless ``default_graphs`` narrows it (SPARQL 1.1 Protocol
``default-graph-uri``); ``named_graphs`` narrows what ``GRAPH`` can see.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO, ClassVar

import pyoxigraph as ox

from sarcoma_graph.errors import SarcomaGraphError
from sarcoma_graph.plumbing.formats import RdfSyntax
from sarcoma_graph.plumbing.oxterms import Term
from sarcoma_graph.plumbing.rdfio import read_quads
from sarcoma_graph.plumbing.values import QueryKind, QueryResult

__all__ = ["QueryError", "QueryKind", "QueryResult", "Store", "Term", "check_limit"]



class QueryError(SarcomaGraphError):
    """A query or update that cannot run: syntax error (with position) or evaluation error."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{self.message}{where}"


class ResultTooLarge(SarcomaGraphError):
    """The result has more rows or triples than the configured limit."""


class Store(abc.ABC):
    """A quad store that answers SPARQL 1.1. Every backend passes ``tests/test_store_contract.py``."""

    backend: ClassVar[str]
    #: Whether reading the store opens network connections (query workers must keep the network).
    remote: ClassVar[bool] = False

    def __init__(self) -> None:
        self.version = 0  # bumped on every change; keys caches and ETags

    def _changed(self) -> None:
        self.version += 1

    @abc.abstractmethod
    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (in one transaction where the backend has them)."""

    @abc.abstractmethod
    def load_bytes(self, data: bytes, syntax: RdfSyntax, graph: str | None = None) -> None:
        """Parse and add a serialisation; triple syntaxes go into ``graph`` (default graph if None)."""

    def load_file(self, path: Path, graph: str | None = None) -> int:
        """Parse one file (errors name file, line and column) and add it; returns the quad count."""
        quads = read_quads(path, graph)
        self.add_quads(quads)
        return len(quads)

    @abc.abstractmethod
    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """All quads, or those of one named graph."""

    @abc.abstractmethod
    def named_graphs(self) -> list[str]:
        """The IRIs of the non-empty named graphs, sorted."""

    @abc.abstractmethod
    def count(self, graph: str | None = None) -> int:
        """How many quads in the store, or in one named graph."""

    def graph_counts(self) -> dict[str, int]:
        """How many quads each non-empty named graph holds, by graph IRI (sorted)."""
        return {g: self.count(g) for g in self.named_graphs()}

    @abc.abstractmethod
    def clear(self, graph: str | None = None) -> None:
        """Remove everything, or one named graph."""

    @abc.abstractmethod
    def settle(self) -> None:
        """After a large write: let the engine do now the upkeep it would otherwise do in the
        background while the next command reads (nothing, for an engine without any)."""

    @abc.abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        limit: int | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL 1.1 query. Raises :class:`QueryError` or :class:`ResultTooLarge`.

        ``substitutions`` pre-bind variables (SEP-0007); a substituted variable must be in the
        query's projection. ``FROM``/``FROM NAMED`` name graphs of the store and override the
        union default; ``default_graphs``/``named_graphs`` (the protocol's lists) override both.
        Relative IRIs are resolved against ``base_iri`` (an error without one).
        """

    def query_serialised(
        self,
        sparql: str,
        results_syntax: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        limit: int | None = None,
        base_iri: str | None = None,
    ) -> QueryResult | bytes:
        """:meth:`query`, or a SELECT answer already written in ``results_syntax`` (a
        :data:`sarcoma_graph.plumbing.formats.RESULTS_SYNTAXES` name) by a backend that can
        write it natively, byte for byte as :func:`sarcoma_graph.plumbing.results.
        serialize_results` would. The same errors and the same ``limit``."""
        return self.query(sparql, default_graphs=default_graphs, named_graphs=named_graphs,
                          limit=limit, base_iri=base_iri)

    @abc.abstractmethod
    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Apply a SPARQL 1.1 Update atomically (relative IRIs against ``base_iri``).
        Raises :class:`QueryError`."""

    @abc.abstractmethod
    def dump(self, syntax: RdfSyntax, graph: str | None = None) -> bytes:
        """Serialise everything (dataset syntaxes) or one graph."""

    def write_nquads(self, out: BinaryIO) -> None:
        """Stream every quad to ``out`` as N-Quads (in no particular order)."""
        ox.serialize(self.quads(), out, format=ox.RdfFormat.N_QUADS)


def check_limit(count: int, limit: int | None, what: str) -> None:
    """Raise :class:`ResultTooLarge` once ``count`` passes ``limit``."""
    if limit is not None and count > limit:
        raise ResultTooLarge(f"the result has more than {limit} {what}; narrow the query or add LIMIT")
