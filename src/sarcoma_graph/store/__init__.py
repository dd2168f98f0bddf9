"""Store backends behind one interface: the embedded pyoxigraph store (``open_store()``) and any
SPARQL 1.1 server (:class:`sarcoma_graph.store.sparql_http.SparqlHttpStore`). Both pass
``tests/test_store_contract.py``.

The rdflib backend was retired once the external-store backend passed the same contract: it
proved nothing the HTTP backend does not (a second, independent engine behind the interface),
answered 10–100× slower, and needed its own workarounds (``FROM`` fetching the web, dataset
views). rdflib stays a dependency for pyshacl and owlready2 (:mod:`sarcoma_graph.plumbing.terms`).
"""

from __future__ import annotations

from pathlib import Path

from sarcoma_graph.errors import InputError
from sarcoma_graph.store.base import QueryError, QueryResult, ResultTooLarge, Store, Term

BACKENDS = ("oxigraph",)

__all__ = ["BACKENDS", "QueryError", "QueryResult", "ResultTooLarge", "Store", "Term", "open_store"]


def open_store(backend: str = "oxigraph", path: Path | None = None) -> Store:
    """A new, empty embedded store (in memory; on disk at ``path``)."""
    if backend == "oxigraph":
        from sarcoma_graph.store.oxigraph import OxigraphStore

        return OxigraphStore(path)
    if backend == "rdflib":
        raise InputError("the rdflib store backend was retired: use the default (oxigraph), or "
                         "--store URL to work on another SPARQL 1.1 server")
    raise InputError(f"unknown store backend {backend!r} (known: {', '.join(BACKENDS)})")
