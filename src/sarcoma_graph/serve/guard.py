"""What a request may make the server do beyond its store: no ``LOAD``, ``SERVICE`` only to
allowed endpoints, and no text nested or chained deeper than the engine's stack allows.
(``FROM``/``FROM NAMED`` name graphs of the store and never fetch.)

pyoxigraph really calls a ``SERVICE`` endpoint over HTTP, so every endpoint is checked before
the text runs, with :mod:`sarcoma_graph.plumbing.scanner` (linear, reads keywords the way
the engines do). The check runs in the query worker, under the job's time limit, never on
the server's event loop; :class:`Refused` travels back from the worker and becomes a 400.
"""

from __future__ import annotations

import re

from sarcoma_graph.plumbing.scanner import Facts, position, scan, unescape
from sarcoma_graph.store import QueryError

#: Brackets inside brackets: pyoxigraph's recursive parser overflows its stack in the thousands.
DEPTH_LIMIT = 128
#: Operators, separators, UNION/OPTIONAL… in one text (left-deep trees: same overflow).
CHAIN_LIMIT = 4000
_WATCHED = re.compile(r"service|load", re.I)


class Refused(Exception):
    """A text the server will not run (a 400); picklable, so a worker can raise it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[type[Refused], tuple[str]]:
        return Refused, (self.message,)


class ServiceFailed(Exception):
    """An allowed ``SERVICE`` endpoint failed while the text ran: the remote's fault, not the
    client's (a 502); picklable, so a worker can raise it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[type[ServiceFailed], tuple[str]]:
        return ServiceFailed, (self.message,)


def service_failure(error: QueryError, facts: Facts) -> ServiceFailed | None:
    """``error`` as a failure of the text's ``SERVICE`` endpoints, when it is one: the text
    calls an (allowed) endpoint and the engine failed while running it, not while reading it
    (a syntax error or an unknown function has a position in the text). pyoxigraph reports
    the remote's redirects, HTTP errors, refused connections and unreadable answers so."""
    endpoints = [f"<{service.iri}>" for service in facts.services if service.iri]
    if not endpoints or error.line is not None or error.message.startswith("The custom function"):
        return None
    return ServiceFailed(f"the SERVICE endpoint {', '.join(endpoints)} failed (a remote failure, "
                         f"not a fault of the query): {error.message}")


def check(text: str, allowed: tuple[str, ...], update: bool = False) -> Facts:
    """The facts of the text; :class:`Refused` unless it is safe to run."""
    facts = scan(text, quick=(DEPTH_LIMIT, CHAIN_LIMIT))
    what = "update" if update else "query"
    if facts.depth > DEPTH_LIMIT:  # the scanner stops there: the real depth is not known
        raise Refused(f"the {what} nests brackets more than {DEPTH_LIMIT} deep{_where(text, facts)}"
                      f"; this endpoint allows {DEPTH_LIMIT}")
    if facts.chain > CHAIN_LIMIT:
        raise Refused(f"the {what} has more than {CHAIN_LIMIT} operators and pattern separators"
                      f"{_where(text, facts)}; this endpoint allows {CHAIN_LIMIT} (send several "
                      "smaller requests)")
    if update and facts.load:
        raise Refused("LOAD is not allowed on this endpoint (the server fetches no URL); "
                      "send the data with the Graph Store protocol instead")
    if update and facts.services:
        raise Refused("SERVICE is not allowed in an update on this endpoint: an update is run "
                      "and timed on a copy of the store, then applied to the store, and a remote "
                      "endpoint need not answer the second time as it did the first; ask the "
                      "remote in a query, then send its answer as INSERT DATA")
    if facts.ambiguous is not None and _WATCHED.search(unescape(text)):
        line, column = position(text, facts.ambiguous)
        raise Refused(f"the '<' at line {line}, column {column} reads either as an IRI or as "
                      "the less-than operator, and the engines differ; put spaces around the "
                      "operator or write the IRI where an operator cannot be")
    _check_services(facts, allowed)
    return facts


def _where(text: str, facts: Facts) -> str:
    """Where the text went past a limit, when the scanner saw it in the text as sent."""
    if facts.crossed is None:
        return ""
    line, column = position(text, facts.crossed)
    return f" (the limit is passed at line {line}, column {column}, at '{text[facts.crossed]}')"


def _check_services(facts: Facts, allowed: tuple[str, ...]) -> None:
    names = ", ".join(allowed) or "none"
    for service in facts.services:
        if service.problem == "variable":
            raise Refused("SERVICE with a variable endpoint is not allowed; name an allowed "
                          f"endpoint (allowed: {names})")
        if service.iri is None:
            raise Refused(f"SERVICE is not allowed here: its endpoint cannot be checked "
                          f"({service.problem}); write it as an absolute IRI (allowed: {names})")
        if service.iri not in allowed:
            raise Refused(f"SERVICE <{service.iri}> is not allowed on this endpoint "
                          f"(allowed: {names})")
