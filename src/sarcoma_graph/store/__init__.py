"""Store backends behind one interface: ``open_store("oxigraph")`` (default) or ``"rdflib"``."""

from __future__ import annotations

from pathlib import Path

from sarcoma_graph.store.base import QueryError, QueryResult, ResultTooLarge, Store, Term

BACKENDS = ("oxigraph", "rdflib")

__all__ = ["BACKENDS", "QueryError", "QueryResult", "ResultTooLarge", "Store", "Term", "open_store"]


def open_store(backend: str = "oxigraph", path: Path | None = None) -> Store:
    """A new, empty store of the named backend (in memory; on disk at ``path`` for oxigraph)."""
    if backend == "oxigraph":
        from sarcoma_graph.store.oxigraph import OxigraphStore

        return OxigraphStore(path)
    if backend == "rdflib":
        from sarcoma_graph.store.rdflib import RdflibStore

        return RdflibStore()
    raise ValueError(f"unknown store backend {backend!r} (known: {', '.join(BACKENDS)})")
