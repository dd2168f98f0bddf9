"""Dereferenceable IRIs: ``/id/…`` and ``/ontology/…`` on this server stand for the IRIs
``https://w3id.org/sarcoma-graph/id/…`` and ``…/ontology/…`` of the data.

One URL, negotiated (no 303 redirect): a browser (``Accept: text/html``) gets an HTML page,
an RDF client gets the entity's triples as subject plus the links to it (Turtle by default,
or N-Triples, JSON-LD, RDF/XML…); ``Vary: Accept`` says so to caches. Unknown entity: 404.
The ontology's namespace ``…/ontology/`` (the ``sg:`` of every ``PREFIX sg:``) is the one 303:
to ``/ontology``, the ontology that defines it, for a browser and an RDF client alike.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sarcoma_graph.namespaces import BASE, ONTOLOGY_IRI, graph_iri
from sarcoma_graph.plumbing.formats import file_name, rdf_syntax
from sarcoma_graph.plumbing.results import serialize_triples
from sarcoma_graph.serve.answer import cached, in_worker
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.jobs import graph_triples
from sarcoma_graph.serve.negotiation import HTML, RDF_OFFERS, negotiate
from sarcoma_graph.serve.pages.entity import ALTERNATES, entity_page
from sarcoma_graph.serve.pages.facts import gather
from sarcoma_graph.serve.pages.language import choose_language
from sarcoma_graph.serve.pages.ontology_index import ontology_index
from sarcoma_graph.serve.pages.plots import chain_picture
from sarcoma_graph.serve.state import EndpointState, State
from sarcoma_graph.store import Store

_SAFE_IRI = re.compile(r"^[^\s<>\"{}|\\^`]+$")
#: a percent-encoded unreserved character (RFC 3986 §2.3), which names the same IRI decoded:
#: /id/agent/%69matinib is /id/agent/imatinib (review r15 N12: it was a 404)
_UNRESERVED = re.compile(r"%(4[1-9A-Fa-f]|5[0-9Aa]|6[1-9A-Fa-f]|7[0-9Aa]|3[0-9]|2[DEde]|5[Ff]|7[Ee])")
_GRAPH = """CONSTRUCT {{ ?this ?p ?o . ?s ?q ?this }} WHERE {{ VALUES ?this {{ <{iri}> }}
  {{ ?this ?p ?o }} UNION {{ ?s ?q ?this }} }}"""
#: the same, each triple with the named graph it is in (curated, inferred, mappings…)
_QUADS = """SELECT ?s ?p ?o ?g WHERE {{ VALUES ?this {{ <{iri}> }}
  {{ GRAPH ?g {{ ?this ?p ?o }} BIND(?this AS ?s) }}
  UNION {{ GRAPH ?g {{ ?s ?p ?this }} BIND(?this AS ?o) }} }}"""


#: The named query whose rows a tumour type's chain picture shows (claims and mechanisms).
HEADLINE = "agents-targeting-causal-alterations"


def entity_html(store: Store, iri: str, lang: str, root: str,
                headline: str | None = None, footer: str = "") -> bytes | None:
    """Run in a worker: the entity's page in one language, or ``None`` if it is unknown.
    ``headline``: the text of :data:`HEADLINE` bound to this entity, for the chain picture."""
    data = gather(store, iri)
    if data is None:
        return None
    extra = ontology_index(store, lang, root) if iri == ONTOLOGY_IRI else \
        chain_picture(store, iri, lang, root, headline)
    return entity_page(data, lang, root, extra, footer).encode()


def headline_for(state: EndpointState, iri: str) -> str | None:
    """:data:`HEADLINE` bound to one tumour type, when the catalogue has it."""
    query = state.queries.get(HEADLINE)
    if query is None or "tumour" not in {p.name for p in query.parameters}:
        return None
    try:
        return query.bind({"tumour": iri})
    except ValueError:
        return None


def entity_rdf(store: Store, iri: str, syntax: str,
               prefixes: tuple[tuple[str, str], ...]) -> bytes | None:
    """Run in a worker: the entity's triples and the triples pointing to it, serialised; for
    the ontology's own IRI, the whole ontology (what Protégé or an OWL tool loading the IRI
    needs, not the few triples about the ontology header)."""
    if iri == ONTOLOGY_IRI:
        triples = graph_triples(store, graph_iri("ontology"))
    elif syntax in QUAD_SYNTAXES:  # the graph of each triple, which the syntax can carry
        return _entity_quads(store, iri, syntax, prefixes)
    else:
        triples = list(store.query(_GRAPH.format(iri=iri)).triples)
    if not triples:
        return None
    return serialize_triples(triples, rdf_syntax(syntax), dict(prefixes))


#: syntaxes in which an entity's triples keep their named graph (review r15 N14: N-Quads and
#: TriG answers merged curated, inferred and mapping triples into the default graph)
QUAD_SYNTAXES = ("nquads", "trig")


def _entity_quads(store: Store, iri: str, syntax: str,
                  prefixes: tuple[tuple[str, str], ...]) -> bytes | None:
    """Each triple in its named graph, and once in the default graph, which is their union
    as at the endpoint: a client that reads a dereferenced document's default graph
    (Comunica, rdf-dereference) found it empty (review r16 interop A5)."""
    quads = []
    for row in store.query(_QUADS.format(iri=iri)).bindings():
        s, p, o, g = row["s"], row["p"], row["o"], row["g"]
        if isinstance(s, ox.NamedNode | ox.BlankNode) and isinstance(p, ox.NamedNode) \
                and isinstance(g, ox.NamedNode) and o is not None:
            quads.append(ox.Quad(s, p, o, g))
    if not quads:
        return None
    quads += {ox.Quad(q.subject, q.predicate, q.object) for q in quads}
    return serialize_triples(sorted(quads, key=str), rdf_syntax(syntax), dict(prefixes))


async def dereference(request: Request, state: State) -> Response:
    root = request.scope.get("root_path", "").rstrip("/")
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1")[len(root):].lstrip("/")
    if path == "ontology/":  # the namespace: what defines it is the ontology
        query = request.url.query
        return RedirectResponse(root + "/ontology" + ("?" + query if query else ""), 303)
    normal = _UNRESERVED.sub(lambda m: chr(int(m.group(1), 16)), path)
    if any(segment in (".", "..") for segment in normal.split("/")):
        # an encoded dot segment names no entity: RFC 3986 §6.2.2.3 would remove it after
        # decoding, and the 301 sent /id/%2E%2E/queries out of the IRI space (probe r16 L2)
        raise HttpError(404, f"/{path} names no entity: a path of this server's IRIs has no "
                             "'.' or '..' segment")
    if normal != path:  # the same IRI (RFC 3986 §6.2.2.2): sent to its one spelling
        query = request.url.query
        return RedirectResponse(f"{root}/{normal}" + ("?" + query if query else ""), 301)
    iri = BASE + path
    if not _SAFE_IRI.match(iri):
        raise HttpError(404, f"no entity {iri}")
    name = negotiate(request, {**RDF_OFFERS, HTML: "html"})
    lang = choose_language(request.query_params.get("lang"),
                           request.headers.get("accept-language"))

    async def produce() -> bytes:
        if name == "html":
            body = await in_worker(state, entity_html, iri, lang, root,
                                   headline_for(state, iri), state.footer(root))
        else:
            body = await in_worker(state, entity_rdf, iri, name, state.prefixes)
        if body is None:
            raise HttpError(404, f"no entity {iri} in this dataset")
        return body

    media_type = HTML if name == "html" else rdf_syntax(name).media_type
    response = await cached(request, state, ("entity", iri, root, lang if name == "html" else ""),
                            media_type, produce)
    response.headers["Vary"] = "Accept, Accept-Language"
    if name != "html" and response.status_code == 200:
        # saved under the entity's name and the syntax's extension: N-Triples and N-Quads were
        # both saved as "imatinib", one over the other (review r16 browser F7); inline, so that
        # a browser still shows the syntaxes it can
        stem = re.split(r"[/#]", path.rstrip("/"))[-1] or "ontology"
        response.headers["Content-Disposition"] = f'inline; filename="{file_name(stem, name)}"'
    if name == "html":
        response.headers["Content-Language"] = lang
        if response.status_code == 200:  # where the RDF of this page is (RFC 8288)
            page = root + "/" + path
            response.headers["Link"] = ", ".join(
                f'<{page}?format={short}>; rel="alternate"; type="{media}"'
                for short, _, media in ALTERNATES)
    return response


def add_routes(router: APIRouter) -> None:
    rest = {"parameters": [{"name": "rest", "in": "path", "required": True,
                            "schema": {"type": "string"},
                            "description": "the rest of the entity's IRI after /id/ or /ontology/"}]}
    for path in ("/id/{rest:path}", "/ontology/{rest:path}", "/ontology"):
        extra = rest if "{rest" in path else None
        router.add_api_route(path, dereference, methods=["GET", "HEAD"], response_class=Response,
                             openapi_extra=extra,
                             tags=["linked data"], summary="Dereference an IRI of the dataset")
