"""The HTTP side of the external-store backend: where the server is, how to log in, and every
failure turned into an error that names the server (and the graph when there is one).

Nothing here knows SPARQL; :mod:`sarcoma_graph.store.sparql_http` builds the requests.
Credentials come from the environment (never from a command line a ``ps`` shows):
``SARCOMA_GRAPH_STORE_USER``, ``SARCOMA_GRAPH_STORE_PASSWORD``, ``SARCOMA_GRAPH_STORE_TOKEN``
and ``SARCOMA_GRAPH_STORE_AUTH`` (``basic``, ``digest`` or ``bearer``).

>>> StoreConfig("http://127.0.0.1:7878/query").write_url
'http://127.0.0.1:7878/query'
>>> StoreConfig("http://h/sparql", auth="digest", user="dba", secret="x").describe()
'http://h/sparql (digest auth as dba)'
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import httpx

from sarcoma_graph.errors import SarcomaGraphError

AuthKind = Literal["none", "basic", "digest", "bearer"]
AUTH_KINDS: tuple[str, ...] = ("none", "basic", "digest", "bearer")
ENV_PREFIX = "SARCOMA_GRAPH_STORE_"


class StoreUnavailable(SarcomaGraphError):
    """The store cannot be reached, or answered something no SPARQL server would."""

    exit_code = 3


class StoreRejected(SarcomaGraphError):
    """The store refused a write (a batch, a swap): its status and message."""

    exit_code = 3


class StoreAuthFailed(SarcomaGraphError):
    """The store refused the credentials (401/403): a user's input to fix."""

    exit_code = 2


@dataclass(frozen=True)
class StoreConfig:
    """Where a SPARQL 1.1 server answers, and how to authenticate to it.

    ``query_url`` takes the SPARQL 1.1 Protocol queries; ``update_url`` SPARQL Update (default:
    the query URL, as Virtuoso and Fuseki's ``/sparql`` do); ``gsp_url`` the Graph Store
    Protocol, used for bulk writes when given. ``scope`` is the IRI prefix of the named graphs
    this store works on (``None``: every named graph the server has); ``union`` says how a
    query's default graph becomes the union of those graphs: ``dataset`` sends them as the
    protocol's ``default-graph-uri``/``named-graph-uri`` (any server), ``server`` trusts the
    server's own default graph (``oxigraph serve --union-default-graph``, TDB2
    ``unionDefaultGraph``). ``graphs_ttl`` lets the listing of the named graphs that ``dataset``
    needs be reused for that many seconds (``serve --store``); 0 lists them for every query, so
    a command sees what another client published a moment before.
    """

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    auth: AuthKind = "none"
    user: str | None = None
    secret: str | None = field(default=None, repr=False)
    timeout: float = 60.0
    scope: str | None = None
    union: Literal["dataset", "server"] = "dataset"
    graphs_ttl: float = 0.0  # seconds a listing of the named graphs may be reused

    def __post_init__(self) -> None:
        for name in ("query_url", "update_url", "gsp_url"):
            url = getattr(self, name)
            if url is not None and not url.startswith(("http://", "https://")):
                raise ValueError(f"{name.replace('_', ' ')} must be an http(s) URL, got {url!r}")
        if self.auth not in AUTH_KINDS:
            raise ValueError(f"unknown auth {self.auth!r} (known: {', '.join(AUTH_KINDS)})")
        if self.auth in ("basic", "digest") and not (self.user and self.secret is not None):
            raise ValueError(f"{self.auth} auth needs a user and {ENV_PREFIX}PASSWORD")
        if self.auth == "bearer" and not self.secret:
            raise ValueError(f"bearer auth needs {ENV_PREFIX}TOKEN")
        if self.timeout <= 0:
            raise ValueError("the store timeout must be positive")

    @property
    def write_url(self) -> str:
        return self.update_url or self.query_url

    def describe(self) -> str:
        """The server as error messages name it (never the secret)."""
        who = f" as {self.user}" if self.user else ""
        return self.query_url + (f" ({self.auth} auth{who})" if self.auth != "none" else "")

    @classmethod
    def from_env(cls, query_url: str, env: Mapping[str, str] | None = None,
                 **options: object) -> StoreConfig:
        """A config whose credentials come from ``SARCOMA_GRAPH_STORE_*`` unless given."""
        env = os.environ if env is None else env
        user = options.pop("user", None) or env.get(ENV_PREFIX + "USER") or None
        auth = options.pop("auth", None) or env.get(ENV_PREFIX + "AUTH") or None
        token, password = env.get(ENV_PREFIX + "TOKEN"), env.get(ENV_PREFIX + "PASSWORD")
        if auth is None:
            auth = "bearer" if token else ("basic" if user else "none")
        secret = token if auth == "bearer" else password
        return cls(query_url, auth=auth, user=user, secret=secret, **options)  # type: ignore[arg-type]


class Connection:
    """One ``httpx.Client`` per process: a forked query worker opens its own sockets."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self._client: httpx.Client | None = None
        self._pid = 0

    def _auth(self) -> httpx.Auth | None:
        c = self.config
        if c.auth == "basic":
            return httpx.BasicAuth(c.user or "", c.secret or "")
        if c.auth == "digest":
            return httpx.DigestAuth(c.user or "", c.secret or "")
        return None

    @property
    def client(self) -> httpx.Client:
        if self._client is None or self._pid != os.getpid():
            headers = {"User-Agent": "sarcoma-graph (SPARQL 1.1 Protocol client)"}
            if self.config.auth == "bearer":
                headers["Authorization"] = f"Bearer {self.config.secret}"
            self._client = httpx.Client(auth=self._auth(), headers=headers,
                                        timeout=httpx.Timeout(self.config.timeout, connect=10.0))
            self._pid = os.getpid()
        return self._client

    def __getstate__(self) -> dict[str, object]:  # a pickled store reconnects on first use
        return {"config": self.config, "_client": None, "_pid": 0}

    def send(self, method: str, url: str, *, graph: str | None = None,
             **kwargs: object) -> httpx.Response:
        """One request, read whole; see :meth:`stream`."""
        with self.stream(method, url, graph=graph, **kwargs) as response:
            response.read()
            return response

    @contextlib.contextmanager
    def stream(self, method: str, url: str, *, graph: str | None = None,
               **kwargs: object) -> Iterator[httpx.Response]:
        """One request whose body is read as it comes; transport failures (reading included)
        and auth refusals become errors naming the server and the graph."""
        where = _where(url, graph)
        try:
            with self.client.stream(method, url, **kwargs) as response:  # type: ignore[arg-type]
                self._check_auth(response, where)
                yield response
        except httpx.TimeoutException:
            raise StoreUnavailable(f"{where}: no answer within {self.config.timeout:g} s "
                                   "(raise the store timeout?)") from None
        except httpx.HTTPError as error:
            raise StoreUnavailable(f"{where}: cannot reach the store ({error})") from None

    def _check_auth(self, response: httpx.Response, where: str) -> None:
        if response.status_code not in (401, 403):
            return
        who = f"user {self.config.user!r}" if self.config.user else "no credentials"
        raise StoreAuthFailed(f"{where}: the store refused {who} ({response.status_code} "
                              f"{response.reason_phrase}); check {ENV_PREFIX}USER, "
                              f"{ENV_PREFIX}PASSWORD or {ENV_PREFIX}TOKEN and the auth kind")


def _where(url: str, graph: str | None) -> str:
    return f"{url} (graph <{graph}>)" if graph else url


def server_message(response: httpx.Response, limit: int = 600) -> str:
    """The start of an error answer's body, on one line."""
    text = " ".join(response.text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


def rejected(response: httpx.Response, url: str, graph: str | None, what: str) -> StoreRejected:
    """The error for a write the store refused."""
    return StoreRejected(f"{_where(url, graph)}: the store rejected {what} "
                         f"({response.status_code} {response.reason_phrase}): "
                         f"{server_message(response)}")


def unexpected(response: httpx.Response, url: str, what: str) -> StoreUnavailable:
    """The error for an answer that is not what the protocol says."""
    return StoreUnavailable(f"{url}: unexpected answer to {what} ({response.status_code} "
                            f"{response.reason_phrase}, {response.headers.get('content-type', 'no type')}):"
                            f" {server_message(response, 300)}")
