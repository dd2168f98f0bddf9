"""Answering a query: check it, negotiate, look in the cache, run it in a worker, send it.

Error mapping: syntax/evaluation error 400 (with line and column), nothing acceptable 406,
result larger than ``max_results`` 422, timeout or no free worker 503.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar, TypeVarTuple, Unpack

from fastapi import Request
from fastapi.responses import Response

from sarcoma_graph.plumbing.formats import rdf_syntax, results_syntax
from sarcoma_graph.plumbing.results import NotInXml
from sarcoma_graph.serve.cache import Answer, digest, etag_for, etag_matches
from sarcoma_graph.serve.errors import HttpError, query_error
from sarcoma_graph.serve.guard import Refused, ServiceFailed
from sarcoma_graph.serve.jobs import QueryJob, run_query
from sarcoma_graph.serve.negotiation import (
    RDF_OFFERS,
    RESULTS_OFFERS,
    VARY,
    accept_of,
    available,
    pick,
)
from sarcoma_graph.serve.pool import Busy, ClientGone, Gone, JobTimeout, OutOfMemory, WorkerDied
from sarcoma_graph.serve.state import EndpointState
from sarcoma_graph.store import QueryError, ResultTooLarge, Store

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

_TEXTUAL = ("text/", "application/sparql-results+", "application/ld+json", "application/n-",
            "application/trig", "application/rdf+xml")


NARROW = ("narrow its patterns: give a subject or object, join patterns on shared variables, "
          "bound property paths (p* walks everything); LIMIT helps only a query that does not "
          "sort, group or count")


def content_type(media_type: str) -> str:
    """The ``Content-Type`` header: every textual syntax we send is UTF-8."""
    return f"{media_type}; charset=utf-8" if media_type.startswith(_TEXTUAL) else media_type


def revalidates(request: Request) -> bool:
    """Whether ``If-None-Match`` may give a 304: on GET and HEAD only (RFC 9110 §13.2.2; a
    POST query is answered in full, not 304, whatever it sends)."""
    return request.method in ("GET", "HEAD")


def send(request: Request, answer: Answer, status: int = 200) -> Response:
    """The response for an answer; 304 when the client has it. (For HEAD the server sends the
    same headers and drops the body, as uvicorn does for every HEAD answer.)"""
    headers = {"Vary": VARY, "Cache-Control": "no-cache"}
    if answer.etag:  # none in front of an external store, which others may change
        headers["ETag"] = answer.etag
    if answer.etag and revalidates(request) and \
            etag_matches(request.headers.get("if-none-match"), answer.etag):
        return Response(status_code=304, headers=headers)
    return Response(answer.body, status, headers, content_type(answer.media_type))


async def cached(request: Request, state: EndpointState, key: Hashable, media_type: str,
                 produce: Callable[[], Awaitable[bytes]]) -> Response:
    """Serve ``produce()`` through the answer cache and ``ETag``/``If-None-Match``."""
    key = digest((state.tag_version, key, media_type))  # once: the cache and the tag share it
    etag = etag_for(key) if state.settings.etags else ""
    if etag and revalidates(request) and \
            etag_matches(request.headers.get("if-none-match"), etag, star=False):
        return send(request, Answer(media_type, b"", etag))
    answer = state.cache.get(key)
    if answer is None:
        answer = Answer(media_type, await produce(), etag)
        state.cache.put(key, answer)
    return send(request, answer)


async def in_worker(state: EndpointState, function: Callable[[Store, Unpack[Ts]], T],
                    *args: *Ts, timeout: float | None = None, retire: bool = False,
                    gone: Gone | None = None, advice: str | Callable[[], str] = NARROW,
                    what: str = "query") -> T:
    """Run a job in a query worker, mapping its failures to HTTP errors; ``gone`` (the
    request's ``is_disconnected``) stops the job when its client has left; ``advice`` (or a
    function giving it, called only then) follows a time-out."""
    limit = timeout or state.settings.timeout
    try:
        return await state.pool.run(function, *args, timeout=limit, retire=retire, gone=gone)
    except ClientGone as error:
        raise HttpError(503, str(error)) from None
    except Busy as error:
        raise HttpError(503, str(error), {"Retry-After": str(error.retry_after)}) from None
    except Refused as error:
        raise HttpError(400, error.message) from None
    except ServiceFailed as error:
        raise HttpError(502, error.message) from None
    except JobTimeout as error:
        said = advice() if callable(advice) else advice
        raise HttpError(503, f"the {what} was stopped: it ran past the time limit ({error}); "
                             f"{said}") from None
    except OutOfMemory as error:
        raise HttpError(503, str(error)) from None
    except WorkerDied as error:
        raise HttpError(503, f"{error}; try again") from None
    except QueryError as error:
        raise query_error(error, what) from None
    except ResultTooLarge as error:
        raise HttpError(422, str(error)) from None
    except NotInXml as error:
        raise HttpError(406, str(error)) from None
    except UnicodeError as error:  # a text that is no Unicode reached the engine: the client's
        raise HttpError(400, f"the request holds text that is not valid Unicode ({error})") from None


#: a SERVICE call's endpoint IRI, found by a regular expression (C speed on any length): the
#: advice after a time-out needs no exact parse, and a scan of a 10 MB text on the event loop
#: stalled every client for 16 s (probe r13 H1)
_SERVICE_IRI = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?<([^<>\s]*)>", re.IGNORECASE)


def _advice(text: str) -> str:
    """What to do about a query that ran out of time: a query calling SERVICE may have spent
    it waiting for the remote endpoint, which narrowing its own patterns does not help."""
    remote = sorted({f"<{iri}>" for iri in _SERVICE_IRI.findall(text)})[:3]
    if not remote:
        return NARROW
    return (f"the time may have gone waiting for {', '.join(remote)} (a SERVICE endpoint): ask "
            f"it for less, or try later; or {NARROW}")


def negotiate(request: Request) -> tuple[str, str]:
    """The results and RDF syntaxes for the client's ``Accept``; 406 when it takes none of ours.

    A client that accepts only SPARQL results formats but sends a CONSTRUCT (rdflib's
    SPARQLStore sets ``Accept`` from its configured format, not from the query form) gets the
    form's default syntax rather than a 406, and the other way round.
    """
    accept = accept_of(request)
    results, graph = pick(accept, RESULTS_OFFERS), pick(accept, RDF_OFFERS)
    if results is None and graph is None:
        raise HttpError(406, available({**RESULTS_OFFERS, **RDF_OFFERS}))
    return results or "json", graph or "turtle"


async def answer_query(request: Request, state: EndpointState, job: QueryJob) -> Response:
    """The full answer to a query (from the cache when the same request was answered)."""
    results, graph = negotiate(request)
    settings = state.settings
    job = QueryJob(job.sparql, job.default_graphs, job.named_graphs, settings.max_results,
                   results, graph, state.prefixes, settings.service_allow,
                   settings.endpoint(str(request.url).split("?")[0]))
    key = job.cache_key(state.tag_version)
    # An answer that may change between runs (NOW, RAND, UUID…, or a remote SERVICE's data)
    # has no tag and is not cached: a client must not be told by a 304 that its old answer is
    # still the answer. The worker decides (it parses the text); so a tag a client sends, or
    # an answer in the cache, can only come from an answer the worker found fixed.
    etag = etag_for(key) if state.settings.etags else ""
    if etag and revalidates(request) and \
            etag_matches(request.headers.get("if-none-match"), etag, star=False):
        return send(request, Answer("", b"", etag))
    answer = state.cache.get(key)
    if answer is None:
        kind, body, volatile = await in_worker(state, run_query, job,
                                               gone=request.is_disconnected,
                                               advice=lambda: _advice(job.sparql))
        syntax = rdf_syntax(graph) if kind == "graph" else results_syntax(results)
        answer = Answer(syntax.media_type, body, "" if volatile else etag)
        if not volatile:
            state.cache.put(key, answer)
    return send(request, answer)
