"""SPARQL 1.1 Graph Store HTTP Protocol at ``/rdf-graph-store`` (``?graph=IRI`` or ``?default``).

GET/HEAD are open like queries (run in a worker, negotiated, cached). PUT, POST and DELETE
need updates enabled and the bearer token; each change bumps the store version. ``?default``
is the store's own default graph (empty after a build: queries see the union of the named
graphs instead). POST without a target creates a new graph and answers 201 with its
``Location``. The payload is parsed before anything is removed, so a bad body changes nothing,
and in a query worker, under the time and memory limits of a query.

Writes evaluate ``If-Match`` and ``If-None-Match`` (RFC 9110 §13.1) against the tags a GET of
the graph gives now, in any syntax: a client that read a graph can replace it only if nobody
changed the store since (412 otherwise), and ``If-None-Match: *`` creates a graph only if it
does not exist. The tags follow the store's version, so a change to another graph also fails
``If-Match``: a conservative check, never a lost update.
"""

from __future__ import annotations

import enum
import re
import uuid
from urllib.parse import quote

import anyio
import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sarcoma_graph import __version__
from sarcoma_graph.namespaces import GRAPH, SERVICE_GRAPH
from sarcoma_graph.plumbing.formats import file_name as rdf_file_name
from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.serve.answer import cached, in_worker
from sarcoma_graph.serve.cache import digest, etag_for, named_tags, strong_tags
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.jobs import dump_graph, graph_exists
from sarcoma_graph.serve.negotiation import RDF_OFFERS, negotiate
from sarcoma_graph.serve.protocol import (
    BodyCount,
    body_slot,
    check_iri,
    media_type,
    read_body,
    url_pairs,
)
from sarcoma_graph.serve.state import EndpointState, State
from sarcoma_graph.serve.update import apply, authorize
from sarcoma_graph.store import Store

ALLOW = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
class _Missing(enum.Enum):
    """Neither ``graph=`` nor ``default`` was given."""

    MISSING = enum.auto()


_MISSING = _Missing.MISSING


def target(request: Request) -> str | _Missing | None:
    """The graph IRI, ``None`` for ``?default``, or ``_MISSING`` when neither is given."""
    pairs = url_pairs(request.scope)
    graphs = [v for k, v in pairs if k == "graph"]
    default = any(k == "default" for k, _ in pairs)
    if any(k == "default" and v for k, v in pairs):  # "?default=no" is not "no default"
        raise HttpError(400, "'default' takes no value: write ?default for the default graph, "
                             "or ?graph=IRI for a named one")
    if len(graphs) + default > 1:
        raise HttpError(400, "name one graph: either one 'graph=' or 'default'")
    if graphs:
        check_iri(graphs[0], "graph")
    return graphs[0] if graphs else None if default else _MISSING


async def read_graph(request: Request, state: State) -> Response:
    graph = target(request)
    if graph is _MISSING:
        raise HttpError(400, "name the graph with ?graph=IRI or ?default")
    name = negotiate(request, RDF_OFFERS)

    async def produce() -> bytes:
        body = await in_worker(state, dump_graph, graph, name, state.prefixes)
        if body is None:
            raise HttpError(404, f"no graph <{graph}> in this store")
        return body

    response = await cached(request, state, _key(graph), rdf_syntax(name).media_type, produce)
    if response.status_code == 200:  # a file, saved under a name that says what it holds
        response.headers["Content-Disposition"] = f'attachment; filename="{file_name(graph, name)}"'
    return response


def file_name(graph: str | None, syntax: str) -> str:
    """``sarcoma-graph-curated-0.5.0.ttl``: the graph's name (its IRI after the project's graph
    namespace, else its last segment; ``default`` for the default graph), the release and the
    syntax's extension (review r16 browser F4: every dump was saved as ``rdf-graph-store.rdf``)."""
    if graph is None:
        local = "default"
    elif graph.startswith(GRAPH):
        local = graph[len(GRAPH):]
    else:
        local = re.split(r"[/#:]", graph.rstrip("/#"))[-1]
    # (formats.file_name keeps the stem to safe characters)
    return rdf_file_name(f"sarcoma-graph-{local[:80] or 'graph'}-{__version__}", syntax)


def _key(graph: str | None) -> tuple[str, str | None]:
    return ("graph-store", graph)


def current_tags(state: EndpointState, graph: str | None) -> set[str]:
    """The tags a GET of the graph would carry now, one per syntax (none when tags are off)."""
    if not state.settings.etags:
        return set()
    kinds = {rdf_syntax(name).media_type for name in RDF_OFFERS.values()}
    return {etag_for(digest((state.tag_version, _key(graph), kind))) for kind in kinds}


def check_preconditions(request: Request, state: EndpointState, graph: str | None,
                        exists: bool) -> None:
    """412 when ``If-Match`` or ``If-None-Match`` fails for a write (RFC 9110 §13.1.1-2:
    If-Match first; a graph that does not exist has no current tag)."""
    if_match, if_none = request.headers.get("if-match"), request.headers.get("if-none-match")
    if if_match is not None:
        tags = current_tags(state, graph) if exists else set()
        named = strong_tags(if_match)
        if not (("*" in named and exists) or named & tags):
            raise HttpError(412, "If-Match failed: " + (
                "the graph does not exist" if not exists else
                "the store changed since you read the graph (its tag is not the one you "
                "sent); GET it again, then write"))
    if if_none is not None:
        named = named_tags(if_none)
        if ("*" in named and exists) or (exists and named & current_tags(state, graph)):
            raise HttpError(412, "If-None-Match failed: " + (
                "the graph exists already" if "*" in named else
                "the graph is still the one you read"))


async def _payload(request: Request, state: EndpointState, graph: str | None,
                   count: BodyCount) -> list[ox.Quad]:
    kind, charset = media_type(request.headers.get("content-type"))
    try:
        syntax = rdf_syntax(kind)
    except ValueError:
        raise HttpError(415, f"cannot read RDF of type {kind or '(none)'!r}; send "
                             + ", ".join(RDF_OFFERS)) from None
    body = await read_body(request, state.settings.max_body, count)
    if charset not in ("utf-8", "utf8", "us-ascii", "ascii"):
        raise HttpError(415, f"RDF payloads are UTF-8, not {charset}")
    to = ox.NamedNode(graph) if graph else ox.DefaultGraph()

    # relative IRIs resolve against the graph's IRI, or the request's URL for ?default
    base = graph or str(request.url).split("?")[0]

    if syntax.oxigraph == ox.RdfFormat.RDF_XML and b"<!ENTITY" in body:
        # entities declared in the payload expand when parsed: 537 bytes became a 100 MB
        # literal past --max-body (nested entities), parsed in the server process
        raise HttpError(400, "the RDF/XML payload declares XML entities (<!ENTITY …>): they "
                             "are not accepted; send the document with them expanded")

    # parsed in a worker, under the time limit (nested RDF/XML parses in quadratic time: 4.6 MB
    # took 210 s in the server process, probe r13 M2), and handed back as flat Turtle, which
    # parses in linear time
    try:
        triples = await in_worker(state, parse_payload, body, syntax.name, base,
                                  advice="send the graph in smaller parts, or as N-Triples",
                                  what="reading of the graph sent")
    except PayloadError as error:
        raise HttpError(400, str(error)) from None
    quads = await anyio.to_thread.run_sync(
        lambda: list(ox.parse(triples, format=ox.RdfFormat.TURTLE)))
    return [ox.Quad(q.subject, q.predicate, q.object, to) for q in quads]


class PayloadError(ValueError):
    """A Graph Store payload that does not parse, or holds named graphs (raised in a worker)."""


def parse_payload(store: Store, body: bytes, syntax_name: str, base: str) -> bytes:
    """Run in a worker: the payload's triples as flat Turtle with the payload's own prefixes
    (subjects and predicates said once, no nesting: it parses in linear time). As N-Triples,
    a 0.4 MB payload of 60,000 objects of two 2 KB IRIs became 250 MB and the worker ran out
    of memory handing it back (probe r16 M6)."""
    syntax = rdf_syntax(syntax_name)
    try:
        parser = ox.parse(body, format=syntax.oxigraph, base_iri=base)
        quads = list(parser)
    except SyntaxError as error:
        raise PayloadError(f"the {syntax.name} payload does not parse: {error}") from None
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        raise PayloadError("the payload holds named graphs; send one graph's triples")
    prefixes = dict(getattr(parser, "prefixes", {}) or {})
    return ox.serialize([q.triple for q in quads], format=ox.RdfFormat.TURTLE,
                        prefixes=prefixes) or b""


def _replace(store: Store, graph: str | None, quads: list[ox.Quad], keep: bool) -> None:
    if not keep:
        if graph is None:
            store.update("CLEAR SILENT DEFAULT")
        else:
            store.clear(graph)
    store.add_quads(quads)


async def write_graph(request: Request, state: State) -> Response:
    authorize(request, state)
    graph = target(request)
    headers = {}
    if graph is _MISSING:
        if request.method != "POST":
            raise HttpError(400, "name the graph with ?graph=IRI or ?default")
        graph = f"{GRAPH}upload/{uuid.uuid4()}"
        headers["Location"] = f"{request.url_for('graph_store')}?graph={quote(graph, safe='')}"
    assert graph is None or isinstance(graph, str)
    if graph == SERVICE_GRAPH and state.settings.service_graph:
        # rewritten by the server after every change: a write was answered 204 and discarded
        # (probe r16 L2)
        raise HttpError(403, f"<{graph}> is this server's description of itself, written by "
                             "the server after every change: write to another graph")
    existed = graph is None or await in_worker(state, graph_exists, graph)
    conditional = "if-match" in request.headers or "if-none-match" in request.headers

    async def precondition() -> None:
        """Checked again under the write lock: the store may have changed meanwhile."""
        exists = graph is None or await in_worker(state, graph_exists, graph)
        check_preconditions(request, state, graph, exists)

    check_preconditions(request, state, graph, existed)  # before reading a body in vain
    if request.method == "DELETE":
        if not existed:
            raise HttpError(404, f"no graph <{graph}> in this store")
        await apply(state, _replace, graph, [], False,
                    precondition=precondition if conditional else None)
        return Response(status_code=204)
    with body_slot(request, 4 * state.settings.max_body) as count:  # chunked too (probe r16 H1)
        quads = await _payload(request, state, graph, count)
    if not quads and "Location" in headers:
        raise HttpError(400, "the payload holds no triple: no graph was created (a named graph "
                             "exists in this store while it holds a triple)")
    await apply(state, _replace, graph, quads, request.method == "POST",
                precondition=precondition if conditional else None)
    # a named graph exists while it holds a triple: an empty payload creates none (not 201)
    return Response(status_code=201 if quads and not existed else 204, headers=headers)


async def options() -> Response:
    return Response(status_code=204, headers={"Allow": ALLOW})


def add_routes(router: APIRouter) -> None:
    router.add_api_route("/rdf-graph-store", read_graph, methods=["GET", "HEAD"],
                         name="graph_store", response_class=Response, tags=["graph store"],
                         summary="Get a graph (SPARQL 1.1 Graph Store HTTP Protocol)")
    router.add_api_route("/rdf-graph-store", write_graph, methods=["PUT", "POST", "DELETE"],
                         response_class=Response, tags=["graph store"],
                         summary="Replace, add to or delete a graph (needs the update token)")
    router.add_api_route("/rdf-graph-store", options, methods=["OPTIONS"], include_in_schema=False)
