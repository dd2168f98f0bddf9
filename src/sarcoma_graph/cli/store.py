"""``--store URL``: the commands that read the dataset read it from a SPARQL 1.1 server instead
of ``build/dataset.nq``. Credentials come from ``SARCOMA_GRAPH_STORE_USER``,
``SARCOMA_GRAPH_STORE_PASSWORD``, ``SARCOMA_GRAPH_STORE_TOKEN`` and ``SARCOMA_GRAPH_STORE_AUTH``
(never from the command line, where ``ps`` would show them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from sarcoma_graph.errors import InputError

if TYPE_CHECKING:
    from sarcoma_graph.project import Project
    from sarcoma_graph.store import Store
    from sarcoma_graph.store.sparql_http import SparqlHttpStore

StoreOption = Annotated[str | None, typer.Option(
    "--store", envvar="SARCOMA_GRAPH_STORE", show_default=False, metavar="URL",
    help="Read the dataset from this SPARQL 1.1 query endpoint (after `sarcoma-graph publish`) "
    "instead of build/; credentials from SARCOMA_GRAPH_STORE_USER/PASSWORD/TOKEN/AUTH.")]
StoreTimeoutOption = Annotated[float, typer.Option(
    "--store-timeout", help="Seconds to wait for the store's answer.")]


def external_store(url: str, *, timeout: float = 60.0, update_url: str | None = None,
                   gsp_url: str | None = None, auth: str | None = None, user: str | None = None,
                   scope: str | None = None, graphs_ttl: float = 0.0) -> SparqlHttpStore:
    """A :class:`SparqlHttpStore` on ``url`` (the project's graphs by default)."""
    from sarcoma_graph.namespaces import GRAPH
    from sarcoma_graph.store.http import StoreConfig
    from sarcoma_graph.store.sparql_http import SparqlHttpStore

    try:
        config = StoreConfig.from_env(url, update_url=update_url, gsp_url=gsp_url, auth=auth,
                                      user=user, timeout=timeout, graphs_ttl=graphs_ttl,
                                      scope=GRAPH if scope is None else (scope or None))
    except ValueError as error:
        raise InputError(f"--store {url}: {error}") from None
    return SparqlHttpStore(config)


def dataset_store(project: Project, store_url: str | None, timeout: float = 60.0,
                  require: str = "reason", graphs_ttl: float = 0.0) -> Store:
    """The dataset a command reads: the saved build, or the graphs published at ``store_url``."""
    from sarcoma_graph.dataset import load_dataset

    if not store_url:
        return load_dataset(project, require=require)  # type: ignore[arg-type]
    store = external_store(store_url, timeout=timeout, graphs_ttl=graphs_ttl)
    if not store.named_graphs():
        raise InputError(f"{store_url}: no graph under {store.config.scope} there; run "
                         f"`sarcoma-graph publish {store_url}` first")
    return store
