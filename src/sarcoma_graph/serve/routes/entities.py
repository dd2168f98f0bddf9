"""Dereferenceable IRIs: ``/id/…`` and ``/ontology/…`` on this server stand for the IRIs
``https://w3id.org/sarcoma-graph/id/…`` and ``…/ontology/…`` of the data.

One URL, negotiated (no 303 redirect): a browser (``Accept: text/html``) gets an HTML page,
an RDF client gets the entity's triples as subject plus the links to it (Turtle by default,
or N-Triples, JSON-LD, RDF/XML…); ``Vary: Accept`` says so to caches. Unknown entity: 404.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sarcoma_graph.namespaces import BASE, RDF, RDFS, SKOS, sparql_prologue
from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.plumbing.results import serialize_triples
from sarcoma_graph.serve import jobs
from sarcoma_graph.serve.answer import cached, in_worker
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.html import Link, entity_page
from sarcoma_graph.serve.negotiation import HTML, RDF_OFFERS, available, pick
from sarcoma_graph.serve.state import State
from sarcoma_graph.store import Store

_SAFE_IRI = re.compile(r"^[^\s<>\"{}|\\^`]+$")
_LABELS = (RDFS.label, SKOS.prefLabel)
_TYPE = RDF.type
_LABEL = "rdfs:label|skos:prefLabel"
_PROLOGUE = sparql_prologue("rdfs", "skos")
_OUT = _PROLOGUE + """SELECT ?p ?o (SAMPLE(?pl) AS ?plabel) (SAMPLE(?ol) AS ?olabel) WHERE {{
  VALUES ?this {{ <{iri}> }} ?this ?p ?o
  OPTIONAL {{ ?p {label} ?pl }} OPTIONAL {{ ?o {label} ?ol }}
}} GROUP BY ?p ?o ORDER BY ?p ?o LIMIT 2000"""
_IN = _PROLOGUE + """SELECT ?p ?o (SAMPLE(?pl) AS ?plabel) (SAMPLE(?ol) AS ?olabel) WHERE {{
  VALUES ?this {{ <{iri}> }} ?o ?p ?this
  OPTIONAL {{ ?p {label} ?pl }} OPTIONAL {{ ?o {label} ?ol }}
}} GROUP BY ?p ?o ORDER BY ?p ?o LIMIT 500"""
_GRAPH = """CONSTRUCT {{ ?this ?p ?o . ?s ?q ?this }} WHERE {{ VALUES ?this {{ <{iri}> }}
  {{ ?this ?p ?o }} UNION {{ ?s ?q ?this }} }}"""


def _links(store: Store, template: str, iri: str) -> list[Link]:
    rows = store.query(template.format(iri=iri, label=_LABEL)).bindings()
    return [Link(r["p"], r["o"], getattr(r.get("plabel"), "value", None),
                 getattr(r.get("olabel"), "value", None)) for r in rows]


def entity_html(store: Store, iri: str, root: str) -> bytes | None:
    """Run in a worker: the entity's page, or ``None`` if the store does not mention it."""
    outgoing, incoming = _links(store, _OUT, iri), _links(store, _IN, iri)
    if not outgoing and not incoming:
        return None
    label = next((x.value.value for x in outgoing if x.property.value in _LABELS
                  and isinstance(x.value, ox.Literal)), None)
    types = [x for x in outgoing if x.property.value == _TYPE]
    return entity_page(iri, label, types, outgoing, incoming, root).encode()


def entity_rdf(store: Store, iri: str, syntax: str) -> bytes | None:
    """Run in a worker: the entity's triples and the triples pointing to it, serialised."""
    triples = list(store.query(_GRAPH.format(iri=iri)).triples)
    if not triples:
        return None
    return serialize_triples(triples, rdf_syntax(syntax), jobs.PREFIXES)


async def dereference(request: Request, state: State) -> Response:
    root = request.scope.get("root_path", "").rstrip("/")
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1")[len(root):].lstrip("/")
    iri = BASE + path
    if not _SAFE_IRI.match(iri):
        raise HttpError(404, f"no entity {iri}")
    offers = {**RDF_OFFERS, HTML: "html"}
    name = pick(request.headers.get("accept"), offers)
    if name is None:
        raise HttpError(406, available(offers))

    async def produce() -> bytes:
        if name == "html":
            body = await in_worker(state, entity_html, iri, root)
        else:
            body = await in_worker(state, entity_rdf, iri, name)
        if body is None:
            raise HttpError(404, f"no entity {iri} in this dataset")
        return body  # type: ignore[return-value]

    media_type = HTML if name == "html" else rdf_syntax(name).media_type
    return await cached(request, state, ("entity", iri, root), media_type, produce)


def add_routes(router: APIRouter) -> None:
    for path in ("/id/{rest:path}", "/ontology/{rest:path}", "/ontology"):
        router.add_api_route(path, dereference, methods=["GET", "HEAD"], response_class=Response,
                             tags=["linked data"], summary="Dereference an IRI of the dataset")
