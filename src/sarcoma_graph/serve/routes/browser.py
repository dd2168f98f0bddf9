"""A query answer for a browser's address bar: when the client ranks HTML above every
results and RDF syntax (a browser does; SPARQL clients do not), the answer is a page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from sarcoma_graph.serve.answer import in_worker
from sarcoma_graph.serve.jobs import QueryJob, run_query
from sarcoma_graph.serve.negotiation import (
    RDF_OFFERS,
    RESULTS_OFFERS,
    VARY,
    asks_for_html,
    prefers_html,
)
from sarcoma_graph.serve.pages.results import results_page
from sarcoma_graph.serve.state import EndpointState

OFFERS = {**RESULTS_OFFERS, **RDF_OFFERS}


def wants_page(request: Request) -> bool:
    """Whether this request should get the answer as a page: HTML ranked first, by a browser
    navigating (``Sec-Fetch-Dest: document``, or XHTML accepted as browsers announce it). A
    SPARQL client that merely lists ``text/html`` first still gets results or RDF; ``format=html``
    in the URL asks for the page outright."""
    accept = request.headers.get("accept") or ""
    navigating = request.headers.get("sec-fetch-dest") == "document" or \
        "application/xhtml+xml" in accept or asks_for_html(request)
    return navigating and prefers_html(request, OFFERS)


async def page_answer(request: Request, state: EndpointState, job: QueryJob,
                      title: str, intro: str = "") -> Response:
    """Run the query (JSON results, Turtle for graphs) and send it as a page (``intro``: HTML
    under the title)."""
    settings = state.settings  # the guard runs in the worker (run_query)
    job = QueryJob(job.sparql, job.default_graphs, job.named_graphs, settings.max_results,
                   "json", "turtle", state.prefixes, settings.service_allow,
                   settings.endpoint(str(request.url).split("?")[0]))
    kind, body, _ = await in_worker(state, run_query, job)
    root = request.scope.get("root_path", "").rstrip("/")
    page = results_page(title, job.sparql, kind, body, root, intro)
    return HTMLResponse(page, headers={"Vary": VARY, "Cache-Control": "no-cache"})
