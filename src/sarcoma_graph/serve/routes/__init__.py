"""The endpoint's routes, one module per family: ``sparql`` (SPARQL 1.1 Protocol), ``graph_store``
(Graph Store Protocol), ``queries`` (named queries as REST), ``description`` (service description,
VoID), ``entities`` (dereferenceable IRIs) and ``page`` (the editor and static assets).

Each module has ``add_routes(router)``; the infrastructure they share (state, workers, caching,
negotiation, errors) lives one level up in :mod:`sarcoma_graph.serve`.
"""
