"""The SPARQL endpoint: ``sarcoma-graph serve`` (FastAPI + uvicorn) over the built store.

``create_app(settings, store, queries)`` builds the application; ``endpoint_router`` and
``endpoint_state`` host the endpoint inside another FastAPI application.
"""

from sarcoma_graph.serve.app import create_app, endpoint_router
from sarcoma_graph.serve.settings import Settings
from sarcoma_graph.serve.state import endpoint_state

__all__ = ["Settings", "create_app", "endpoint_router", "endpoint_state"]
