"""What an endpoint is configured with (the ``serve`` command's options)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sarcoma_graph.describe import Release

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TOKEN_VARIABLE = "SARCOMA_GRAPH_UPDATE_TOKEN"


@dataclass(frozen=True)
class Settings:
    """Limits and switches of one endpoint; the defaults are safe for a public read-only server.

    ``timeout`` bounds every query (seconds, waiting for a worker included). ``max_results``
    bounds rows/triples of an answer, ``max_body`` the bytes of a request body,
    ``query_memory`` the bytes a query worker may allocate past its size when it started (0:
    no limit; past it the query fails and the worker is replaced), ``max_answer_bytes`` the
    bytes of an answer a worker sends back. Updates and
    Graph Store writes need ``enable_updates`` and a bearer ``update_token``. ``SERVICE`` may
    only call endpoints in ``service_allow``. ``base_url`` is the public URL of the server
    (for ``sd:endpoint`` and ``void:sparqlEndpoint``); by default it comes from each request.
    ``etags`` off (with ``cache_entries=0``) in front of an external store: other clients change
    it without this server knowing, so no answer may be reused.
    ``per_client``, ``lanes``, ``lane_timeout`` and ``queue_wait`` share the workers between
    clients (:class:`sarcoma_graph.serve.pool.Admission`).
    ``license`` is the data licence the VoID and every page's footer give, ``citation`` the
    footer's "cite as" line (from the project's ``CITATION.cff``; none without it).
    ``service_graph`` loads the self-description graph (VoID, examples, prefixes) into an
    embedded store (:mod:`sarcoma_graph.serve.service_graph`); its IRIs name the endpoint
    ``base_url``, else ``listen_url`` (where ``serve`` listens), as ``/sparql``.
    """

    timeout: float = 30.0
    max_results: int | None = 100_000
    max_body: int = 10 * 1024 * 1024
    query_memory: int = 1024 * 1024 * 1024
    max_answer_bytes: int = 256 * 1024 * 1024
    enable_updates: bool = False
    update_token: str | None = None
    service_allow: tuple[str, ...] = ()
    base_url: str | None = None
    workers: int = field(default_factory=lambda: max(os.cpu_count() or 1, 2))
    cache_entries: int = 2048
    cache_bytes: int = 64 * 1024 * 1024
    per_client: int | None = None
    lanes: int = 1
    lane_timeout: float = 3.0
    queue_wait: float = 5.0
    license: str = LICENSE
    citation: str | None = None
    history: tuple[Release, ...] = ()
    etags: bool = True
    service_graph: bool = True
    listen_url: str | None = None

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError("the query timeout must be positive")
        if self.query_memory < 0 or self.max_answer_bytes < 1:
            raise ValueError("the query memory must be 0 (no limit) or more, and the answer "
                             "byte limit positive")
        if self.workers < 1:
            raise ValueError("at least one query worker is needed")
        if self.enable_updates and not self.update_token:
            raise ValueError(f"updates need a bearer token: set {TOKEN_VARIABLE}")
        for url in self.service_allow:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"--service-allow needs an http(s) URL, got {url!r}")

    def stored_endpoint(self) -> str:
        """The endpoint URL written into the stored self-description graph."""
        from sarcoma_graph.namespaces import BASE

        return self.endpoint((self.listen_url or BASE).rstrip("/") + "/sparql")

    def endpoint(self, request_url: str) -> str:
        """The public URL of ``/sparql``: from ``base_url`` when set, else from the request."""
        if self.base_url:
            return self.base_url.rstrip("/") + "/sparql"
        return request_url
