"""The SHACL shapes' IRIs, dereferenced: ``…/shapes/GeneShape`` and its property shapes
``…/shapes/GeneShape-label`` are what a validation report cites as ``sh:sourceShape``.

One URL, negotiated like an entity's (``Vary: Accept``): an RDF client gets the shape's
concise bounded description (its triples, and those of the blank nodes under them: lists,
nested shapes), a browser a page with that description in Turtle and links to the shapes it
names. ``…/shapes`` alone is every shape. The shapes are those ``serve`` read from the
project's ``shapes/`` at start-up; an unknown shape is 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import anyio
import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from sarcoma_graph.export import serialize_quads
from sarcoma_graph.namespaces import BASE, RDF, RDFS, SH
from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.plumbing.oxterms import text
from sarcoma_graph.plumbing.results import serialize_triples
from sarcoma_graph.serve.answer import cached
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.negotiation import HTML, RDF_OFFERS, negotiate
from sarcoma_graph.serve.pages.layout import document
from sarcoma_graph.serve.state import State

SHAPES = BASE + "shapes/"


Subject = ox.NamedNode | ox.BlankNode | ox.Triple


def by_subject(triples: Sequence[ox.Triple]) -> dict[Subject, list[ox.Triple]]:
    """The triples grouped by subject (built once, when the routes are made)."""
    index: dict[Subject, list[ox.Triple]] = {}
    for triple in triples:
        index.setdefault(triple.subject, []).append(triple)
    return index


def described(index: dict[Subject, list[ox.Triple]], iri: str) -> list[ox.Triple]:
    """The concise bounded description of the resource ``iri``: its triples, then recursively
    those of every blank node they reach (``iri`` compared as text: any text is safe)."""
    subject = next((s for s in index if isinstance(s, ox.NamedNode) and s.value == iri), None)
    if subject is None:
        return []
    out: list[ox.Triple] = []
    todo: list[Subject] = [subject]
    seen: set[Subject] = {subject}
    while todo:
        for triple in index.get(todo.pop(), []):
            out.append(triple)
            if isinstance(triple.object, ox.BlankNode) and triple.object not in seen:
                seen.add(triple.object)
                todo.append(triple.object)
    return out


def _page(name: str, triples: list[ox.Triple], turtle: bytes, root: str, footer: str) -> str:
    """A shape's page: its label and comment, the shapes it names, its Turtle."""
    about = {t.predicate.value: text(t.object) for t in triples
             if t.predicate.value in (RDFS.label, RDFS.comment, SH.message)}
    named = sorted({t.object.value for t in triples if isinstance(t.object, ox.NamedNode)
                    and t.object.value.startswith(SHAPES) and t.object.value != SHAPES + name})
    links = "".join(f'<li><a href="{escape(root)}/shapes/{escape(iri[len(SHAPES):])}">'
                    f"{escape(iri[len(SHAPES):])}</a></li>" for iri in named)
    body = (f"<h1>{escape(about.get(RDFS.label, name))}</h1>"
            f"<p><code>{escape(SHAPES + name)}</code>: a SHACL shape of sarcoma-graph "
            f'(<a href="{escape(root)}/shapes">all shapes</a>).</p>'
            + "".join(f"<p>{escape(about[key])}</p>" for key in (RDFS.comment, SH.message)
                      if key in about)
            + (f"<h2>Shapes it names</h2><ul>{links}</ul>" if links else "")
            + f"<h2>Turtle</h2><pre>{escape(turtle.decode())}</pre>")
    return document(about.get(RDFS.label, name), body, root, footer=footer)


def _index(triples: Sequence[ox.Triple], root: str, footer: str) -> str:
    """Every node shape, with its label, linked."""
    labels = {text(t.subject): text(t.object) for t in triples
              if t.predicate.value == RDFS.label and isinstance(t.subject, ox.NamedNode)}
    nodes = sorted(t.subject.value for t in triples if t.predicate.value == RDF.type
                   and t.object == ox.NamedNode(SH.NodeShape) and isinstance(t.subject, ox.NamedNode))
    rows = "".join(f'<li><a href="{escape(root)}/shapes/{escape(iri[len(SHAPES):])}">'
                   f"{escape(iri[len(SHAPES):])}</a> — {escape(labels.get(iri, ''))}</li>"
                   for iri in nodes if iri.startswith(SHAPES))
    return document("SHACL shapes", f"<h1>SHACL shapes</h1><p>{len(nodes)} node shapes; "
                                    f"each IRI is what a validation report cites.</p><ul>{rows}</ul>",
                    root, footer=footer)


def used_prefixes(prefixes: Sequence[tuple[str, str]],
                  triples: Sequence[ox.Triple]) -> dict[str, str]:
    """The prefixes whose namespace one of the triples' IRIs starts with: a shape's Turtle
    declares those, not the project's sixty."""
    iris = {term.value for t in triples for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode)}
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    return {name: space for name, space in prefixes if any(i.startswith(space) for i in iris)}


async def _answer(request: Request, state: State, name: str,
                  triples: Sequence[ox.Triple]) -> Response:
    """The shape ``name`` (or every shape, ``name`` empty) in the syntax negotiated: written in
    a thread once per syntax and kept in the answer cache, with an ``ETag`` (review r15 M5:
    every request serialised the 93 KB afresh beside the event loop)."""
    root = str(request.scope.get("root_path", "")).rstrip("/")
    syntax = negotiate(request, {**RDF_OFFERS, HTML: "html"})
    # the charset is added by send() (review r16 interop A2: it was said twice)
    media_type = HTML if syntax == "html" else rdf_syntax(syntax).media_type
    prefixes, footer = tuple(state.prefixes), state.footer(root)

    async def produce() -> bytes:
        return await anyio.to_thread.run_sync(_body, syntax, name, triples, root, prefixes, footer)

    return await cached(request, state, ("shapes", name, root), media_type, produce)


def _body(syntax: str, name: str, triples: Sequence[ox.Triple], root: str,
          known: Sequence[tuple[str, str]], footer: str = "") -> bytes:
    prefixes = used_prefixes([*known, ("sgsh", SHAPES)], triples)
    if syntax == "html" and not name:
        return _index(triples, root, footer).encode()
    if syntax in ("html", "turtle"):  # the canonical writer: sorted, lists written as lists
        turtle = serialize_quads([ox.Quad(t.subject, t.predicate, t.object) for t in triples],
                                 rdf_syntax("turtle"), prefixes)
        return _page(name, list(triples), turtle, root, footer).encode() if syntax == "html" \
            else turtle
    return serialize_triples(list(triples), rdf_syntax(syntax), prefixes)


def add_routes(router: APIRouter, shapes: Sequence[ox.Triple]) -> None:
    """``/shapes`` and ``/shapes/{name}`` over the shapes read at start-up."""
    index = by_subject(shapes)

    async def every_shape(request: Request, state: State) -> Response:
        return await _answer(request, state, "", shapes)

    async def one_shape(request: Request, state: State, name: str) -> Response:
        triples = described(index, SHAPES + name)
        if not triples:
            root = str(request.scope.get("root_path", "")).rstrip("/")
            raise HttpError(404, f"no shape {SHAPES}{name}: see {root}/shapes for the shapes")
        return await _answer(request, state, name, triples)

    for path, handler in (("/shapes", every_shape), ("/shapes/{name}", one_shape)):
        router.add_api_route(path, handler, methods=["GET", "HEAD"], response_class=Response,
                             tags=["linked data"], summary="A SHACL shape, by its IRI")
