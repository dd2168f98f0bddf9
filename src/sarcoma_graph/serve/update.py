"""SPARQL 1.1 Update over the protocol, and the bearer-token check every write goes through.

An update is first run in a query worker (a timed dry run on its copy of the store, the
worker retired after), so that one past the time limit is stopped without touching the
store; then it is applied to the server's store, which bumps the store version: cached
answers are dropped and the workers re-forked. The trial and the apply both run under the
write lock, and the apply only on the store version the trial ran on: a write landing between
the two made a 5 s-limited update run 57 s, untimed, on data its trial never saw (probe r16 H2).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import Response

from sarcoma_graph.dataset import unmark_store
from sarcoma_graph.serve.answer import in_worker
from sarcoma_graph.serve.errors import HttpError, query_error
from sarcoma_graph.serve.jobs import UpdateJob, apply_update, trial_update
from sarcoma_graph.serve.protocol import Operation
from sarcoma_graph.serve.settings import TOKEN_VARIABLE
from sarcoma_graph.serve.state import EndpointState
from sarcoma_graph.store import QueryError


def authorize(request: Request, state: EndpointState) -> None:
    """403 when updates are off; 401 without the right ``Authorization: Bearer`` token."""
    settings = state.settings
    if not settings.enable_updates or not settings.update_token:
        raise HttpError(403, "updates are disabled on this endpoint (start the server with "
                             f"--enable-updates and {TOKEN_VARIABLE})")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="sarcoma-graph"'}
    if scheme.lower() != "bearer" or not token.strip():
        raise HttpError(401, "an update needs an 'Authorization: Bearer <token>' header",
                        challenge)
    if not hmac.compare_digest(token.strip().encode(), settings.update_token.encode()):
        raise HttpError(401, "the bearer token is not the one configured for updates",
                        {**challenge, "WWW-Authenticate": challenge["WWW-Authenticate"]
                         + ', error="invalid_token"'})


async def apply(state: EndpointState, change: object, *args: object,
                precondition: Callable[[], Awaitable[None]] | None = None) -> None:
    """Apply a change to the server's store (``change(store, *args)``) and refresh what depends;
    ``precondition`` (which may raise) is awaited first, under the same lock, so that no other
    change comes between the check and the change."""
    async with state.write_lock:
        if precondition is not None:
            await precondition()
        await _apply_locked(state, change, *args)


async def _apply_locked(state: EndpointState, change: object, *args: object) -> None:
    """:func:`apply`'s change, the caller holding ``state.write_lock``."""
    def run() -> None:
        with state.pool.store_lock:
            unmark_store(state.store)  # an on-disk pipeline store: refilled by the next command
            change(state.store, *args)  # type: ignore[operator]
            state.describe_store()  # the self-description follows the data it describes

    state.written = True  # answers are tagged by this run from now on (see tag_version)
    try:
        await state.pool.on_large_stack(run)  # the stack the worker's trial had
    finally:
        await state.changed()


#: Trials in a row that may find the store changed under them before the update is refused.
TRIALS = 3


async def run_update(request: Request, state: EndpointState, operation: Operation) -> Response:
    """Check, time, then apply an update: 204 on success."""
    authorize(request, state)
    base = state.settings.endpoint(str(request.url).split("?")[0])
    job = UpdateJob(operation.update or "", operation.default_graphs, operation.named_graphs,
                    state.settings.service_allow, base)
    # checked and timed in a worker: a 400 or 503 there leaves the store untouched; no other
    # write comes between the trial and the apply, and the apply is on the version tried
    async with state.write_lock:
        for _ in range(TRIALS):
            text, tried = await in_worker(state, trial_update, job, retire=True, what="update")
            if tried == state.store.version:
                break
        else:
            raise HttpError(503, "the update was not applied: the store changed while it was "
                                 "being tried, each time; try again", {"Retry-After": "1"})
        try:
            await _apply_locked(state, apply_update, text, base)
        except QueryError as error:
            raise query_error(error, "update") from None
    return Response(status_code=204)
