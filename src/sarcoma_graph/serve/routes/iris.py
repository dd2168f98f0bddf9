"""The dataset's other IRIs, resolved on this server by a 303 to the document that describes
them (as w3id.org redirects the published ones): a named graph's IRI to the Graph Store, a
VoID partition's to its row on the VoID page or description, the dataset's IRI and the version
IRIs of the ontology and the dataset, for the version served, to the ontology and the VoID
description. Other versions are 404 with the version served."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sarcoma_graph import __version__
from sarcoma_graph.namespaces import GRAPH
from sarcoma_graph.serve.answer import in_worker
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.jobs import graph_named_exists
from sarcoma_graph.serve.state import State


def _see_other(location: str) -> Response:
    return Response(status_code=303, headers={"Location": location, "Vary": "Accept"})


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


async def named_graph(request: Request, state: State, name: str) -> Response:
    """``…/graph/curated``: the graph itself, from the Graph Store; 404 for a graph the store
    does not hold (review r15 N3: every name was redirected, to a 404 there)."""
    if not await in_worker(state, graph_named_exists, GRAPH + name):
        raise HttpError(404, f"this store holds no graph {GRAPH}{name}: see "
                             f"{_root(request)}/.well-known/void for its graphs")
    return _see_other(f"{_root(request)}/rdf-graph-store?graph={quote(GRAPH + name, safe='')}")


async def void_partition(request: Request, rest: str) -> Response:
    """``…/void/class/Histotype-2c1d43bb``: the VoID description, at that partition's row."""
    return _see_other(f"{_root(request)}/.well-known/void#void/{quote(rest)}")


async def dataset(request: Request) -> Response:
    """``…/dataset`` (every version; also the ontology IRI of the single-graph dumps): the VoID
    description of the dataset served."""
    return _see_other(f"{_root(request)}/.well-known/void")


RELEASED = {"ontology": "/ontology", "dataset": "/.well-known/void"}


async def release(request: Request, version: str, artefact: str) -> Response:
    """``…/releases/0.2.0/ontology`` and ``…/dataset`` (the version IRIs of the ontology and of
    the dumps): the ontology or the VoID description, when this server serves that version."""
    if artefact not in RELEASED:
        raise HttpError(404, f"this server serves no release file; the {version} release set is "
                             "published as files (sarcoma-graph release)")
    if version != __version__:
        raise HttpError(404, f"this server serves version {__version__} of the {artefact}, not "
                             f"{version}")
    return _see_other(f"{_root(request)}{RELEASED[artefact]}")


async def void_root(request: Request) -> Response:
    """``/void``: the VoID description (Starlette's own slash redirect was absolute, built from
    the client's Host header, probe r15 L4)."""
    return _see_other(f"{_root(request)}/.well-known/void")


def add_routes(router: APIRouter) -> None:
    for path, handler in (("/graph/{name:path}", named_graph), ("/void", void_root),
                          ("/void/{rest:path}", void_partition),
                          ("/dataset", dataset), ("/releases/{version}/{artefact:path}", release)):
        router.add_api_route(path, handler, methods=["GET", "HEAD"], response_class=Response,
                             tags=["linked data"], summary="Resolve an IRI of the dataset")
