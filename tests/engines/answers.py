"""SELECT answers from any engine in one shape: SPARQL 1.1 JSON results bindings.

A term is the JSON object of the SPARQL 1.1 Query Results JSON Format (``type``, ``value``,
``datatype``, ``xml:lang``), so the embedded store, HTTP endpoints and Jena's command line
are read the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
import pyoxigraph as ox

Term = dict[str, str]


@dataclass
class Answer:
    """The variables and rows (variable → term; unbound variables absent) of a SELECT."""

    variables: list[str]
    rows: list[dict[str, Term]] = field(default_factory=list)


def from_json(data: bytes | str) -> Answer:
    """Read ``application/sparql-results+json``."""
    body = json.loads(data)
    return Answer(list(body["head"].get("vars", [])), list(body["results"]["bindings"]))


def json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Term:
    """A pyoxigraph term as a SPARQL JSON term."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    else:
        out["datatype"] = term.datatype.value
    return out


def from_store(result: object) -> Answer:
    """A ``sarcoma_graph.store`` SELECT result."""
    variables = list(result.variables)  # type: ignore[attr-defined]
    rows = [{v: json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
            for row in result.rows]  # type: ignore[attr-defined]
    return Answer(variables, rows)


@dataclass
class Endpoint:
    """A SPARQL 1.1 Protocol query endpoint."""

    name: str
    url: str

    def select(self, sparql: str, timeout: float = 60.0) -> Answer:
        """POST the query (form-encoded) and read the JSON answer; RuntimeError on an error status."""
        response = httpx.post(self.url, data={"query": sparql}, timeout=timeout,
                              headers={"Accept": "application/sparql-results+json"})
        if response.status_code != 200:
            raise RuntimeError(f"{self.name} ({self.url}) answered {response.status_code}: "
                               f"{response.text[:500]}")
        return from_json(response.content)

    def answers(self) -> bool:
        """Whether the endpoint answers a trivial query (used to wait for start-up)."""
        try:
            self.select("SELECT * WHERE {} LIMIT 1", timeout=2.0)
        except (httpx.HTTPError, RuntimeError, ValueError, KeyError):
            return False
        return True
