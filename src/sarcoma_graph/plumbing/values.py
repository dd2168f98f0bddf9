"""The neutral query result every backend gives: SELECT rows, an ASK boolean, or triples.

>>> r = QueryResult("select", ("x",), [(ox.Literal("1"),), (None,)])
>>> len(r), list(r.bindings())
(2, [{'x': <Literal value=1 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>}, {}])
>>> list(r.texts())
[{'x': '1'}, {}]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox

from sarcoma_graph.plumbing.oxterms import Term, text

QueryKind = Literal["select", "ask", "graph"]


@dataclass
class QueryResult:
    """A materialised query result: SELECT rows, an ASK boolean, or CONSTRUCT/DESCRIBE triples."""

    kind: QueryKind
    variables: tuple[str, ...] = ()
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    def __len__(self) -> int:
        if self.kind == "select":
            return len(self.rows)
        if self.kind == "graph":
            return len(self.triples)
        return 1

    def bindings(self) -> Iterator[dict[str, Term]]:
        """SELECT rows as ``{variable: term}``, unbound variables left out."""
        for row in self.rows:
            yield {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}

    def texts(self) -> Iterator[dict[str, str]]:
        """SELECT rows as ``{variable: lexical value}`` (IRI, blank-node label, literal's form)."""
        for row in self.bindings():
            yield {v: text(t) for v, t in row.items()}
