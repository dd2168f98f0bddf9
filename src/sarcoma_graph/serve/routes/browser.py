"""A query answer for a browser's address bar: when the client ranks HTML above every
results and RDF syntax (a browser does; SPARQL clients do not), the answer is a page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from sarcoma_graph.catalogue import paged
from sarcoma_graph.serve.answer import in_worker
from sarcoma_graph.serve.errors import HttpError
from sarcoma_graph.serve.jobs import QueryJob, run_query
from sarcoma_graph.serve.negotiation import (
    HTML,
    RDF_OFFERS,
    RESULTS_OFFERS,
    VARY,
    accept_of,
    asks_for_html,
    pick,
    prefers_html,
)
from sarcoma_graph.serve.pages.results import results_page
from sarcoma_graph.serve.state import EndpointState
from sarcoma_graph.store import Store

OFFERS = {**RESULTS_OFFERS, **RDF_OFFERS}


def wants_page(request: Request) -> bool:
    """Whether this request should get the answer as a page: HTML ranked first, by a browser
    navigating (``Sec-Fetch-Dest: document``, or XHTML accepted as browsers announce it). A
    SPARQL client that merely lists ``text/html`` first still gets results or RDF; ``format=html``
    in the URL asks for the page outright."""
    accept = request.headers.get("accept") or ""
    try:  # a bad URL (format=, encoding, too many parameters) is answered as text, from here
        navigating = request.headers.get("sec-fetch-dest") == "document" or \
            "application/xhtml+xml" in accept or asks_for_html(request)
        if navigating:
            return prefers_html(request, OFFERS)
        asked = accept_of(request)
    except HttpError:
        return False
    # a client that takes HTML and none of the data syntaxes gets the page, not a 406
    return pick(asked, OFFERS) is None and pick(asked, {HTML: "html"}) == "html"


#: The most rows a page shows (the file formats give the whole answer)
PAGE_ROWS = 1000


async def page_answer(request: Request, state: EndpointState, job: QueryJob,
                      title: str, intro: str = "") -> Response:
    """Run the query and send it as a page (``intro``: HTML under the title). The page is made
    in the worker, from at most :data:`PAGE_ROWS` rows: a page built in the server from a whole
    answer took 2.9 GB and stalled every client (probe r12, H1)."""
    settings = state.settings  # the guard runs in the worker (run_query)
    shown = job.sparql  # the page shows and links the text as sent, not the paged one
    try:
        text = paged(job.sparql, limit=PAGE_ROWS + 1)  # one more: says whether there are more
    except ValueError:  # the query sets its own LIMIT or OFFSET (capped by --max-results)
        text = job.sparql
    job = QueryJob(text, job.default_graphs, job.named_graphs, settings.max_results,
                   "json", "turtle", state.prefixes, settings.service_allow,
                   settings.endpoint(str(request.url).split("?")[0]))
    root = request.scope.get("root_path", "").rstrip("/")
    page = await in_worker(state, render_page, job, shown, title, root, intro,
                           state.footer(root), gone=request.is_disconnected)
    return HTMLResponse(page, headers={"Vary": VARY, "Cache-Control": "no-cache"})


def render_page(store: Store, job: QueryJob, shown: str, title: str, root: str,
                intro: str, footer: str = "") -> str:
    """Run in a worker: the answer to ``job`` as a page of at most :data:`PAGE_ROWS` rows
    (``shown``: the query text the page gives)."""
    kind, body, _ = run_query(store, job)
    return results_page(title, shown, kind, body, root, intro, PAGE_ROWS, footer)
