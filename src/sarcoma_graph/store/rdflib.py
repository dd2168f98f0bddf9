"""The second backend: rdflib's in-memory ``Dataset`` (what pyshacl and owlready2 exchange).

Slow next to pyoxigraph, but pure Python and the reference for rdflib users. ``FROM``/``FROM
NAMED`` name graphs of this store (rdflib would otherwise fetch them from the web), and the
protocol's default/named graph lists are honoured by evaluating over a view of those graphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql import prepareQuery, prepareUpdate
from rdflib.plugins.sparql.sparql import SPARQLError

from sarcoma_graph.plumbing.formats import RdfSyntax
from sarcoma_graph.plumbing.rdfio import syntax_error
from sarcoma_graph.plumbing.terms import to_ox, to_rdflib
from sarcoma_graph.store.base import QueryError, QueryResult, Store, Term, check_limit


class RdflibStore(Store):
    """rdflib ``Dataset`` with the union of named graphs as the query default graph."""

    backend = "rdflib"

    def __init__(self) -> None:
        super().__init__()
        self._ds = Dataset(default_union=True)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        for q in quads:
            graph_name = to_rdflib(q.graph_name) or DATASET_DEFAULT_GRAPH_ID
            self._ds.graph(graph_name).add((to_rdflib(q.subject), to_rdflib(q.predicate),
                                            to_rdflib(q.object)))
        self._changed()

    def load_bytes(self, data: bytes, syntax: RdfSyntax, graph: str | None = None) -> None:
        try:
            quads = list(ox.parse(data, format=syntax.oxigraph))
        except SyntaxError as error:
            raise syntax_error("<input>", error) from None
        if graph:
            target = ox.NamedNode(graph)
            quads = [q if not isinstance(q.graph_name, ox.DefaultGraph)
                     else ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
        self.add_quads(quads)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        for s, p, o, g in self._ds.quads((None, None, None, URIRef(graph) if graph else None)):
            name = g.identifier if isinstance(g, Graph) else g
            graph_term = (ox.DefaultGraph() if name in (None, DATASET_DEFAULT_GRAPH_ID)
                          else ox.NamedNode(str(name)))
            yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph_term)

    def named_graphs(self) -> list[str]:
        return sorted(str(g.identifier) for g in self._ds.graphs()
                      if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return sum(len(g) for g in self._ds.graphs())
        return len(self._ds.graph(URIRef(graph)))

    def clear(self, graph: str | None = None) -> None:
        if graph is None:
            self._ds = Dataset(default_union=True)
        else:
            self._ds.remove_graph(self._ds.graph(URIRef(graph)))
        self._changed()

    def _view(self, default_graphs: Sequence[str] | None,
              named_graphs: Sequence[str] | None) -> Dataset:
        if default_graphs is None and named_graphs is None:
            return self._ds
        view = Dataset(default_union=False)
        sources = (self._ds.graphs() if default_graphs is None
                   else [self._ds.graph(URIRef(g)) for g in default_graphs])
        default = view.graph(DATASET_DEFAULT_GRAPH_ID)
        for g in sources:
            for triple in g:
                default.add(triple)
        names = (named_graphs if named_graphs is not None
                 else [str(g.identifier) for g in self._ds.graphs()
                       if g.identifier != DATASET_DEFAULT_GRAPH_ID])
        for name in names:
            target = view.graph(URIRef(name))
            for triple in self._ds.graph(URIRef(name)):
                target.add(triple)
        return view

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
        try:
            prepared = prepareQuery(sparql, base=base_iri)
        except ParseException as error:
            raise QueryError(f"error at {error.lineno}:{error.col}: {error.msg}",
                             error.lineno, error.col) from None
        clause = prepared.algebra.get("datasetClause")
        if clause:  # FROM / FROM NAMED name graphs of this store; nothing is fetched
            if default_graphs is None and named_graphs is None:  # the protocol's lists win
                default_graphs = [str(d.default) for d in clause if d.get("default") is not None]
                named_graphs = [str(d.named) for d in clause if d.get("named") is not None]
            prepared.algebra["datasetClause"] = None
        bindings = {k: to_rdflib(v) for k, v in (substitutions or {}).items()}
        try:
            result = self._view(default_graphs, named_graphs).query(prepared, initBindings=bindings)
            return _materialise(result, limit)
        except (SPARQLError, ValueError, TypeError, KeyError) as error:
            raise QueryError(f"query evaluation failed: {error}") from None

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        try:
            prepared = prepareUpdate(sparql, base=base_iri)
        except ParseException as error:
            raise QueryError(f"error at {error.lineno}:{error.col}: {error.msg}",
                             error.lineno, error.col) from None
        snapshot = Dataset(default_union=True)
        for quad in self._ds.quads():
            snapshot.add(quad)
        try:
            self._ds.update(prepared)
        except (SPARQLError, ValueError, TypeError, KeyError) as error:
            self._ds = snapshot  # all or nothing
            raise QueryError(f"update failed: {error}") from None
        self._changed()

    def dump(self, syntax: RdfSyntax, graph: str | None = None) -> bytes:
        if graph is None and not syntax.datasets:
            raise ValueError(f"{syntax.name} cannot hold named graphs: name one graph to dump")
        quads = list(self.quads(graph))
        if graph is not None:
            return ox.serialize([q.triple for q in quads], format=syntax.oxigraph)
        return ox.serialize(quads, format=syntax.oxigraph)


def _materialise(result: object, limit: int | None) -> QueryResult:
    kind = result.type  # type: ignore[attr-defined]
    if kind == "ASK":
        return QueryResult("ask", boolean=bool(result.askAnswer))  # type: ignore[attr-defined]
    if kind == "SELECT":
        variables = tuple(str(v) for v in result.vars)  # type: ignore[attr-defined]
        rows = []
        for row in result:  # type: ignore[attr-defined]
            rows.append(tuple(to_ox(t) for t in row))
            check_limit(len(rows), limit, "rows")
        return QueryResult("select", variables=variables, rows=rows)
    triples = []
    for s, p, o in result.graph:  # type: ignore[attr-defined]
        triples.append(ox.Triple(to_ox(s), to_ox(p), to_ox(o)))
        check_limit(len(triples), limit, "triples")
    return QueryResult("graph", triples=triples)
