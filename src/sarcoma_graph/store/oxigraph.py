"""The default backend: pyoxigraph, in memory (or on disk when given a path)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, BinaryIO, cast

import pyoxigraph as ox

from sarcoma_graph.errors import InputError
from sarcoma_graph.plumbing.formats import RdfSyntax
from sarcoma_graph.plumbing.rdfio import syntax_error
from sarcoma_graph.plumbing.scanner import has_dataset_clause
from sarcoma_graph.plumbing.sparql_errors import explain, function_call
from sarcoma_graph.store.base import (
    QueryError,
    QueryResult,
    Store,
    Term,
    check_limit,
)

_LINE_SYNTAXES = {".nq": ox.RdfFormat.N_QUADS, ".nt": ox.RdfFormat.N_TRIPLES}
#: a blank or comment line after a line break (searched from each "\n", not from every byte as a
#: multi-line "^" is: 0.7 s instead of 3.7 s for the 275 MB of a 1M-quad dataset)
_NOT_A_STATEMENT = re.compile(rb"\n[ \t\r]*(?=[#\n])")
_FIRST_NOT_A_STATEMENT = re.compile(rb"[ \t\r]*[#\n]")
_POSITION = re.compile(r"(?:at|between) (?:line )?(\d+)(?::| column )(\d+)")


def as_query_error(error: Exception, text: str | None = None, *, update: bool = False,
                   based: bool = False) -> QueryError:
    """A :class:`QueryError` with the parser's line and column when it gives them; with the
    ``text`` that failed to parse, the mistake is named where it is (:func:`explain`), and so
    is the call of a function the engine does not have (:func:`function_call`)."""
    message = str(error)
    if text is not None and isinstance(error, SyntaxError):
        said = explain(text, message, update=update, based=based)
        return QueryError(said.message, said.line, said.column)
    if text is not None:  # an evaluation error: its positions, if any, are not in the text
        called = function_call(text, message)
        return QueryError(*called) if called else QueryError(message)
    match = _POSITION.search(message)
    if match:
        return QueryError(message, int(match.group(1)), int(match.group(2)))
    return QueryError(message)


class OxigraphStore(Store):
    """pyoxigraph ``Store``; queries see the union of the named graphs as default graph."""

    backend = "oxigraph"

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path
        self._store = ox.Store(str(path)) if path else ox.Store()
        self._graph_counts: tuple[int, dict[str, int]] | None = None

    def bulk_load_file(self, path: Path) -> None:
        """Stream the saved dataset (large N-Quads) into the store (oxigraph's bulk loader:
        bounded memory), without checking IRIs and tags again, as :meth:`load_saved`."""
        try:
            self._store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)
        except SyntaxError as error:
            raise syntax_error(str(path), error) from None
        self._changed()

    def load_saved(self, path: Path) -> None:
        """The saved dataset (N-Quads) into the store, as :meth:`load_file` does but without
        counting its statements (a second pass over the file, 0.9 s at 1M quads, that loading
        the dataset for validate, qc or export does not use), and without checking each IRI and
        language tag again: the file is our own output, written from a store that checked them,
        and its checksum was compared with the manifest's (7.6 s → 5.2 s at 1M quads)."""
        self._load_native(path, ox.RdfFormat.N_QUADS, None, lenient=True)

    def _load_native(self, path: Path, syntax: ox.RdfFormat, target: ox.NamedNode | None,
                     lenient: bool = False) -> None:
        # on disk, the bulk loader (bounded memory); in memory, one transaction (faster there)
        load = self._store.bulk_load if self.path else self._store.load
        try:
            load(path=str(path), format=syntax, base_iri=path.resolve().as_uri(), to_graph=target,
                 lenient=lenient)
        except SyntaxError as error:
            raise syntax_error(str(path), error) from None
        except OSError as error:
            raise InputError(f"{path}: cannot read ({error.strerror or error})") from None
        self._changed()

    def load_file(self, path: Path, graph: str | None = None) -> int:
        """N-Quads and N-Triples (the saved dataset, imports) are parsed by oxigraph straight
        into the store, in one transaction: no Python object per quad."""
        native = path.suffix == ".nt" or (path.suffix == ".nq" and graph is None)
        if not native or not path.is_file():  # (an N-Quads file into a graph: default → graph)
            return super().load_file(path, graph)
        target = ox.NamedNode(graph) if graph and path.suffix == ".nt" else None
        self._load_native(path, _LINE_SYNTAXES[path.suffix], target)
        return _statements(path)

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        self._store.extend(quads)
        self._changed()

    def load_bytes(self, data: bytes, syntax: RdfSyntax, graph: str | None = None) -> None:
        to_graph = ox.NamedNode(graph) if graph and not syntax.datasets else None
        try:
            if to_graph is None:
                self._store.load(data, format=syntax.oxigraph)
            else:
                self._store.load(data, format=syntax.oxigraph, to_graph=to_graph)
        except SyntaxError as error:
            raise syntax_error("<input>", error) from None
        self._changed()

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        g = ox.NamedNode(graph) if graph else None
        return iter(self._store.quads_for_pattern(None, None, None, g))

    def quads_for_pattern(self, subject: ox.NamedNode | ox.BlankNode | None,
                          predicate: ox.NamedNode | None, object: Term | None,
                          graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None,
                          ) -> Iterator[ox.Quad]:
        """The engine's own pattern lookup (``None`` matches anything; a graph of
        ``DefaultGraph()`` is the default graph alone)."""
        return iter(self._store.quads_for_pattern(subject, predicate, object, graph))

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)
                      and next(iter(self._store.quads_for_pattern(None, None, None, g)), None))

    def graph_counts(self) -> dict[str, int]:
        """Counted once per store version (a scan of every quad: build's report and the
        manifest both ask)."""
        if self._graph_counts is None or self._graph_counts[0] != self.version:
            answer = self._store.query(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
            counts = {row[0].value: int(row[1].value) for row in answer  # type: ignore[union-attr]
                      if isinstance(row[0], ox.NamedNode)}
            self._graph_counts = (self.version, dict(sorted(counts.items())))
        return dict(self._graph_counts[1])

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        name = ox.NamedNode(graph)  # counted by the engine, no Python object per quad
        answer = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}")
        return int(next(iter(answer))[0].value)  # type: ignore[arg-type]

    def clear(self, graph: str | None = None) -> None:
        if graph is None:
            self._store.clear()
        else:
            self._store.remove_graph(ox.NamedNode(graph))
        self._changed()

    def settle(self) -> None:
        """On disk, compact RocksDB now (``optimize``). After a bulk load it compacts in
        background threads, and that CPU lands on whatever reads the store next: at 1M quads
        ``validate`` took 16.1 s of CPU on a freshly loaded store and 12.4 s once compacted,
        which cost 2.0 s (at 10M: 232.7 s fresh, 186.6 s once the store had settled)."""
        if self.path is not None:
            try:
                self._store.optimize()
            except OSError as error:
                raise InputError(f"{self.path}: cannot compact the store ({error})") from None

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
        answer = self._evaluate(sparql, default_graphs, named_graphs, substitutions, base_iri)
        return _materialise(answer, limit)

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
        """SELECT answers in JSON or CSV are written by pyoxigraph (the same bytes as ours, a
        third of the time) and their rows counted in the bytes (:func:`native_rows`). Only an
        answer past ``limit`` × :data:`ROW_BUDGET` bytes is stopped and run again on the
        counted path, so that no answer is held whole before its rows are known."""
        answer = self._evaluate(sparql, default_graphs, named_graphs, None, base_iri)
        native = _NATIVE.get(results_syntax)
        if native is None or not isinstance(answer, ox.QuerySolutions):
            return _materialise(answer, limit)
        output = _Capped(None if limit is None else limit * ROW_BUDGET)
        try:
            answer.serialize(cast(IO[bytes], output), format=native)
        except _Overflow:
            return self.query(sparql, default_graphs=default_graphs, named_graphs=named_graphs,
                              limit=limit, base_iri=base_iri)
        except (OSError, ValueError, TypeError, RuntimeError) as error:  # evaluation, lazily
            raise QueryError(str(error)) from None
        body = output.value()
        if limit is not None and rows_at_most(body, results_syntax) > limit:
            check_limit(native_rows(body, results_syntax), limit, "rows")
        return body

    def _evaluate(self, sparql: str, default_graphs: Sequence[str] | None,
                  named_graphs: Sequence[str] | None, substitutions: Mapping[str, Term] | None,
                  base_iri: str | None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None
        union = False
        if default_graphs is not None:
            default = [ox.NamedNode(g) for g in default_graphs]
        elif not has_dataset_clause(sparql):  # FROM/FROM NAMED win over the union default
            union = True
        named: list[ox.NamedNode | ox.BlankNode] | None = None
        if named_graphs is not None:
            named = [ox.NamedNode(g) for g in named_graphs]
        bound = {ox.Variable(k): v for k, v in substitutions.items()} if substitutions else None
        try:
            return self._store.query(
                sparql, base_iri=base_iri or None, use_default_graph_as_union=union,
                default_graph=default, named_graphs=named, substitutions=bound)
        except (SyntaxError, RuntimeError) as error:  # RuntimeError: an unknown function…
            raise as_query_error(error, sparql, based=bool(base_iri)) from None
        except (OSError, ValueError, TypeError) as error:
            raise QueryError(str(error)) from None

    def objects(self, subject: ox.NamedNode | ox.BlankNode, predicate: ox.NamedNode) -> Iterator[Term]:
        """The objects of one subject and predicate in every graph (repeated when in several):
        an index lookup, for callers that would otherwise fetch the whole predicate."""
        return (q.object for q in self._store.quads_for_pattern(subject, predicate, None, None))

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        try:
            self._store.update(sparql, base_iri=base_iri)
        except (SyntaxError, RuntimeError) as error:
            raise as_query_error(error, sparql, update=True, based=bool(base_iri)) from None
        except (OSError, ValueError) as error:
            raise QueryError(str(error)) from None
        self._changed()

    def dump(self, syntax: RdfSyntax, graph: str | None = None) -> bytes:
        out = io.BytesIO()  # dump() without an output is typed as maybe None
        if graph is not None:
            self._store.dump(out, format=syntax.oxigraph, from_graph=ox.NamedNode(graph))
            return out.getvalue()
        if not syntax.datasets:
            raise ValueError(f"{syntax.name} cannot hold named graphs: name one graph to dump")
        self._store.dump(out, format=syntax.oxigraph)
        return out.getvalue()

    def write_nquads(self, out: BinaryIO) -> None:
        self._store.dump(out, format=ox.RdfFormat.N_QUADS)


def _statements(path: Path) -> int:
    """How many statements an N-Quads/N-Triples file holds: one a line, blank and comment
    lines aside (counted in blocks, without parsing)."""
    count, tail = 0, b""
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):
            block = tail + block
            cut = block.rfind(b"\n") + 1
            block, tail = block[:cut], block[cut:]
            count += block.count(b"\n") - len(_NOT_A_STATEMENT.findall(block)) - \
                (1 if _FIRST_NOT_A_STATEMENT.match(block) else 0)
    return count + (1 if tail.strip() and not tail.lstrip().startswith(b"#") else 0)


#: Results syntaxes pyoxigraph writes exactly as plumbing.results does.
_NATIVE = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV}
#: Bytes per allowed row a native answer may take before it is stopped and counted row by row
#: (its rows are counted in its bytes when it ends under that).
ROW_BUDGET = 512
#: A JSON string (quotes inside are escaped) and a quoted CSV field (quotes inside doubled).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_CSV_QUOTED = re.compile(rb'"[^"]*(?:""[^"]*)*"')


def rows_at_most(body: bytes, syntax: str) -> int:
    """At least the rows of an answer written by pyoxigraph's JSON or CSV writer, counted
    in a few ms per MB; exact unless literals hold ``{`` (JSON) or line breaks (CSV).

    JSON: every ``{`` opens the answer, its head or results, a row, a term or a triple
    term's value, or lies in a string. A term has one ``"type":"`` (in a string every quote
    follows a backslash, so those bytes never lie in one). CSV: a row ends each line after
    the header, and a quoted field may hold more line breaks.
    """
    if syntax == "json":
        terms = body.count(b'"type":"')
        return body.count(b"{") - 3 - terms - body.count(b'"type":"triple"')
    return max(body.count(b"\n") - 1, 0)


def native_rows(body: bytes, syntax: str) -> int:
    """The rows of an answer written by pyoxigraph's JSON or CSV writer (slower than
    :func:`rows_at_most`: a pass of a regular expression).

    JSON: with every string emptied, a row is the only object that opens after ``[`` or
    ``,`` (terms open after ``:``, variables are strings). CSV: with every quoted field
    emptied, a row is a line after the header.
    """
    if syntax == "json":
        skeleton = _JSON_STRING.sub(b'""', body)
        return skeleton.count(b"[{") + skeleton.count(b",{")
    skeleton = _CSV_QUOTED.sub(b'""', body)
    return max(skeleton.count(b"\n") - 1, 0)


class _Overflow(Exception):
    """The native answer grew past its byte budget."""


class _Capped:
    """A byte sink for pyoxigraph's writers that stops them past ``cap`` bytes."""

    def __init__(self, cap: int | None) -> None:
        self.cap, self.size, self.parts = cap, 0, list[bytes]()

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.cap is not None and self.size > self.cap:
            raise _Overflow
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def value(self) -> bytes:
        return b"".join(self.parts)


def _materialise(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
                 limit: int | None) -> QueryResult:
    try:
        return _collect(answer, limit)
    except (OSError, ValueError, TypeError, RuntimeError) as error:  # evaluation, lazily (SERVICE)
        raise QueryError(str(error)) from None


def _collect(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
             limit: int | None) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = tuple(v.value for v in answer.variables)
        rows: list[tuple[Term | None, ...]] = []
        width = range(len(variables))
        for solution in answer:
            rows.append(tuple(solution[i] for i in width))
            check_limit(len(rows), limit, "rows")
        return QueryResult("select", variables=variables, rows=rows)
    triples: list[ox.Triple] = []
    for triple in answer:  # QueryTriples
        triples.append(triple)
        check_limit(len(triples), limit, "triples")
    return QueryResult("graph", triples=triples)
