"""A store on any SPARQL 1.1 server, through the standards only.

Reads use the SPARQL 1.1 Protocol (POST, form-encoded, with ``default-graph-uri`` and
``named-graph-uri``); writes use SPARQL 1.1 Update (``INSERT DATA``; ``INSERT … WHERE {}`` for
triples with blank nodes, whose labels only hold within one request) or, when a Graph Store
URL is configured, Graph Store Protocol ``POST``. Answers are parsed into the neutral
:class:`QueryResult` as they stream in.

How the contract's union default graph is obtained on a server that does not have one:
unless the query has ``FROM``/``FROM NAMED`` or the caller names graphs, the store lists its
named graphs (those under ``scope``) and sends them both as ``default-graph-uri`` (their RDF
merge is the default graph) and as ``named-graph-uri`` (what ``GRAPH`` can see) — so a query
on Virtuoso, whose default graph holds its own system graphs too, sees exactly the dataset.
``substitutions`` become a trailing ``VALUES`` clause of the text.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import httpx
import pyoxigraph as ox

from sarcoma_graph.plumbing.formats import RdfSyntax
from sarcoma_graph.plumbing.rdfio import syntax_error
from sarcoma_graph.plumbing.scanner import dataset_iris as dataset_clause
from sarcoma_graph.plumbing.scanner import query_form
from sarcoma_graph.store.base import (
    QueryError,
    QueryResult,
    Store,
    Term,
    check_limit,
)
from sarcoma_graph.store.http import Connection, StoreConfig, rejected, server_message, unexpected
from sarcoma_graph.store.oxigraph import as_query_error

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

#: Named graphs whose IRI starts so are a publish in progress: never part of the dataset.
STAGING = "urn:x-sarcoma-graph:staging:"
#: Named in ``default-graph-uri`` when the store has no graph: the protocol cannot say "none".
NO_GRAPH = "urn:x-sarcoma-graph:no-graph"
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
BATCH = 1000  # Virtuoso 7.2's SPARQL compiler runs out of memory on INSERT DATA of ~5000 triples
_LINE = re.compile(r"\bline (\d+)", re.I)
_RESULTS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
            "application/json": ox.QueryResultsFormat.JSON,
            "application/sparql-results+xml": ox.QueryResultsFormat.XML}


class SparqlHttpStore(Store):
    """The store interface over a SPARQL 1.1 server (Protocol + Update, optionally GSP)."""

    backend = "sparql-http"
    remote = True

    def __init__(self, config: StoreConfig) -> None:
        super().__init__()
        self.config = config
        self.connection = Connection(config)
        self._graphs: tuple[int, float, list[str]] | None = None

    # --- reading ------------------------------------------------------------------------

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
        text = with_values(sparql, substitutions) if substitutions else sparql
        if base_iri:  # as for an update: the protocol has no base parameter, the text has BASE
            text = f"BASE <{base_iri}>\n{text}"
        form: dict[str, object] = {"query": text}
        if default_graphs is None and named_graphs is None and self.config.union == "dataset":
            default_graphs, named_graphs = self._dataset(sparql)
        if default_graphs is not None or named_graphs is not None:
            # The protocol's dataset: one list given alone leaves the other empty (§2.1.4).
            form["default-graph-uri"] = list(default_graphs or ()) or [NO_GRAPH]
            form["named-graph-uri"] = list(named_graphs or ()) or [NO_GRAPH]
        return self._run(form, limit, query_form(sparql))

    def _dataset(self, sparql: str) -> tuple[list[str], list[str]]:
        """The graphs the query's dataset is made of, as protocol lists: its ``FROM``/``FROM
        NAMED`` (some servers let a union-default-graph switch override them), else the union
        of this store's named graphs."""
        clause = dataset_clause(sparql)
        if clause is not None:
            return clause
        scoped = self.named_graphs()
        return scoped, scoped

    def _run(self, form: dict[str, object], limit: int | None, form_kind: str | None = "select"
             ) -> QueryResult:
        url = self.config.query_url
        accept = RDF_ACCEPT if form_kind in ("construct", "describe") else RESULTS_ACCEPT
        with self.connection.stream("POST", url, data=form, headers={"Accept": accept}) as response:
            if response.status_code >= 400:
                response.read()
                raise answer_error(response, url, "a query")
            result = parse_answer(response, url, limit)
        if form_kind == "ask" and result.kind == "select":
            return ask_from_rows(result, url)
        return result

    def named_graphs(self) -> list[str]:
        now = time.monotonic()
        if (self._graphs and self._graphs[0] == self.version
                and now - self._graphs[1] < self.config.graphs_ttl):
            return list(self._graphs[2])
        scope = f'FILTER(STRSTARTS(STR(?g), "{_escape(self.config.scope)}"))' if self.config.scope else ""
        sparql = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {scope} }}"
        form: dict[str, object] = {"query": sparql}
        found = sorted(row[0].value for row in self._run(form, None).rows
                       if isinstance(row[0], ox.NamedNode) and not row[0].value.startswith(STAGING))
        self._graphs = (self.version, now, found)
        return list(found)

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            return self.count_graph(graph)
        return sum(self.count_graph(g) for g in self.named_graphs())

    def count_graph(self, graph: str) -> int:
        """How many triples one named graph holds (0 when it does not exist)."""
        sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        rows = self._run({"query": sparql}, None).rows
        try:
            return int(rows[0][0].value)  # type: ignore[union-attr]
        except (IndexError, AttributeError, ValueError):
            raise QueryError(f"{self.config.query_url}: a COUNT of <{graph}> gave {rows!r}") from None

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        names = [graph] if graph is not None else self.named_graphs()
        for name in names:
            expected = self.count_graph(name)
            rows = self._run({"query": f"SELECT ?s ?p ?o WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"},
                             None).rows
            if len(rows) < expected:  # Virtuoso's ResultSetMaxRows cuts answers silently
                raise QueryError(f"{self.config.query_url}: graph <{name}> has {expected} triples "
                                 f"but the store returned {len(rows)} (a server-side row limit?)")
            g = ox.NamedNode(name)
            for s, p, o in rows:
                yield ox.Quad(s, p, o, g)  # type: ignore[arg-type]

    def dump(self, syntax: RdfSyntax, graph: str | None = None) -> bytes:
        out = io.BytesIO()  # serialize() without an output is typed as maybe None
        if graph is not None:
            ox.serialize([q.triple for q in self.quads(graph)], out, format=syntax.oxigraph)
            return out.getvalue()
        if not syntax.datasets:
            raise ValueError(f"{syntax.name} cannot hold named graphs: name one graph to dump")
        ox.serialize(list(self.quads()), out, format=syntax.oxigraph)
        return out.getvalue()

    # --- writing ------------------------------------------------------------------------

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        url = self.config.write_url
        text = f"BASE <{base_iri}>\n{sparql}" if base_iri else sparql
        response = self.connection.send("POST", url, content=text.encode(),
                                        headers={"Content-Type": "application/sparql-update"})
        if response.status_code >= 300:
            raise answer_error(response, url, "an update")
        self._changed()

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        batches: dict[str | None, list[ox.Triple]] = {}
        for q in quads:
            name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None
            batch = batches.setdefault(name, [])
            batch.append(q.triple)
        for name, triples in sorted(batches.items(), key=lambda kv: kv[0] or ""):
            writer = GraphWriter(self, name)
            writer.extend(triples)
            writer.close()
        self._changed()

    def load_bytes(self, data: bytes, syntax: RdfSyntax, graph: str | None = None) -> None:
        try:
            quads = list(ox.parse(data, format=syntax.oxigraph))
        except SyntaxError as error:
            raise syntax_error("<input>", error) from None
        if graph and not syntax.datasets:
            target = ox.NamedNode(graph)
            quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
        self.add_quads(quads)

    def clear(self, graph: str | None = None) -> None:
        names = [graph] if graph is not None else self.named_graphs()
        if names:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in names))

    def settle(self) -> None:
        """Nothing: a server store keeps itself (and the pipeline never marks one)."""

    def insert(self, graph: str | None, triples: Sequence[ox.Triple]) -> None:
        """One write request: GSP ``POST`` when configured, else SPARQL Update."""
        if not triples:
            return
        if self.config.gsp_url:
            self._gsp_post(graph, triples)
        else:
            self._update_insert(graph, triples)

    def _gsp_post(self, graph: str | None, triples: Sequence[ox.Triple]) -> None:
        url = self.config.gsp_url or ""
        params = {"graph": graph} if graph else {"default": ""}
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        response = self.connection.send("POST", url, graph=graph, params=params, content=body,
                                        headers={"Content-Type": "application/n-triples"})
        if response.status_code >= 300:
            raise rejected(response, url, graph, f"a batch of {len(triples)} triples")

    def _update_insert(self, graph: str | None, triples: Sequence[ox.Triple]) -> None:
        body = " .\n".join(f"{t.subject} {t.predicate} {t.object}" for t in triples)
        if graph:
            body = f"GRAPH <{graph}> {{\n{body} }}"
        blank = any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
                    for t in triples)  # INSERT DATA may not hold blank nodes on every server
        text = (f"INSERT {{ {body} }} WHERE {{}}" if blank else f"INSERT DATA {{ {body} }}")
        url = self.config.write_url
        response = self.connection.send("POST", url, graph=graph, content=text.encode(),
                                        headers={"Content-Type": "application/sparql-update"})
        if response.status_code >= 300:
            raise rejected(response, url, graph, f"a batch of {len(triples)} triples")


class GraphWriter:
    """Batched writes into one graph: ground triples every ``size``, blank-node triples at the
    end in one request (so that a blank node keeps one identity). Memory: one batch plus the
    blank-node triples, whatever the input size."""

    def __init__(self, store: SparqlHttpStore, graph: str | None, size: int = BATCH) -> None:
        self.store, self.graph, self.size = store, graph, size
        self.ground: list[ox.Triple] = []
        self.blank: list[ox.Triple] = []
        self.sent = 0

    def add(self, triple: ox.Triple) -> None:
        if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
            self.blank.append(triple)
            return
        self.ground.append(triple)
        if len(self.ground) >= self.size:
            self.flush()

    def extend(self, triples: Iterable[ox.Triple]) -> None:
        for t in triples:
            self.add(t)

    def flush(self) -> None:
        self.store.insert(self.graph, self.ground)
        self.sent += len(self.ground)
        self.ground = []

    def close(self) -> None:
        self.flush()
        self.store.insert(self.graph, self.blank)
        self.sent += len(self.blank)
        self.blank = []


# --- answers ---------------------------------------------------------------------------------


class _Body(io.RawIOBase):
    """A streamed HTTP body as a file, for pyoxigraph's incremental parsers."""

    def __init__(self, response: httpx.Response) -> None:
        self._chunks = response.iter_bytes()
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._rest:
            try:
                self._rest = next(self._chunks)
            except StopIteration:
                return 0
        view = memoryview(buffer).cast("B")
        n = min(len(view), len(self._rest))
        view[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n


def parse_answer(response: httpx.Response, url: str, limit: int | None) -> QueryResult:
    """A protocol answer (results or RDF, by its media type) as a :class:`QueryResult`."""
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if media in _RESULTS:
            data = response.read()
            try:
                answer = ox.parse_query_results(data, format=_RESULTS[media])
                if isinstance(answer, ox.QueryBoolean):
                    return QueryResult("ask", boolean=bool(answer))
                return _solutions(answer, limit)  # parsed as the rows are read
            except SyntaxError:
                if _RESULTS[media] != ox.QueryResultsFormat.JSON:
                    raise
                return json_results(data, limit)  # blank node labels pyoxigraph refuses
        rdf = ox.RdfFormat.from_media_type(media) if media else None
        if rdf is None:
            response.read()
            raise unexpected(response, url, "a query")
        triples: list[ox.Triple] = []
        for quad in ox.parse(io.BufferedReader(_Body(response)), format=rdf):
            triples.append(quad.triple)
            check_limit(len(triples), limit, "triples")
        return QueryResult("graph", triples=triples)
    except (SyntaxError, ValueError, KeyError, TypeError) as error:
        raise QueryError(f"{url}: the store's answer ({media}) does not parse: {error}") from None


def json_results(data: bytes, limit: int | None) -> QueryResult:
    """SPARQL JSON results read term by term: Virtuoso labels blank nodes ``nodeID://b1``,
    which pyoxigraph rejects; a label becomes its characters allowed in a blank node."""
    body = json.loads(data)
    if "boolean" in body:
        return QueryResult("ask", boolean=bool(body["boolean"]))
    variables = tuple(body["head"].get("vars", []))
    rows: list[tuple[Term | None, ...]] = []
    for binding in body["results"]["bindings"]:
        rows.append(tuple(_json_term(binding[v]) if v in binding else None for v in variables))
        check_limit(len(rows), limit, "rows")
    return QueryResult("select", variables=variables, rows=rows)


def _json_term(term: dict[str, object]) -> Term:
    kind, value = term["type"], str(term["value"])
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(re.sub(r"[^A-Za-z0-9_]", "_", value) or "b")
    if "xml:lang" in term:
        return ox.Literal(value, language=str(term["xml:lang"]))
    if "datatype" in term:
        return ox.Literal(value, datatype=ox.NamedNode(str(term["datatype"])))
    return ox.Literal(value)


def ask_from_rows(result: QueryResult, url: str) -> QueryResult:
    """An ASK answered as a one-column result set (Virtuoso 7.2 writes ``__ASK_RETVAL``: one
    row holding 1 for true, no row for false) as the boolean the protocol specifies."""
    if len(result.variables) != 1 or len(result.rows) > 1:
        raise QueryError(f"{url}: an ASK query was answered with a result set "
                         f"({', '.join(result.variables)})")
    value = result.rows[0][0] if result.rows else None
    truthy = isinstance(value, ox.Literal) and value.value not in ("0", "false")
    return QueryResult("ask", boolean=truthy)


def _solutions(answer: ox.QuerySolutions, limit: int | None) -> QueryResult:
    variables = tuple(v.value for v in answer.variables)
    width = range(len(variables))
    rows: list[tuple[Term | None, ...]] = []
    for solution in answer:
        rows.append(tuple(solution[i] for i in width))
        check_limit(len(rows), limit, "rows")
    return QueryResult("select", variables=variables, rows=rows)


def answer_error(response: httpx.Response, url: str, what: str) -> Exception:
    """400: the query or update is wrong (a :class:`QueryError` with the line, and column, when
    the server gives them); anything else: the store failed or is not a SPARQL endpoint."""
    if response.status_code != 400:
        return unexpected(response, url, what)
    message = server_message(response, 2000)
    error = as_query_error(Exception(message))
    if error.line is None and (match := _LINE.search(message)):
        return QueryError(message, int(match.group(1)))
    return error


def with_values(sparql: str, substitutions: Mapping[str, Term]) -> str:
    """The query with a trailing ``VALUES`` clause binding each substituted variable.

    >>> with_values("SELECT ?s WHERE { ?s ?p ?o }", {"s": ox.NamedNode("http://e/a")})
    'SELECT ?s WHERE { ?s ?p ?o }\\nVALUES (?s) { (<http://e/a>) }'
    """
    names = sorted(substitutions)
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(str(substitutions[n]) for n in names)
    return f"{sparql.rstrip()}\nVALUES ({head}) {{ ({row}) }}"


def _escape(text: str | None) -> str:
    return (text or "").replace("\\", "\\\\").replace('"', '\\"')
