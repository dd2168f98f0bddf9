"""The CIViC importer: accepted evidence items of a CIViC release as evidence statements.

Modules: ``reader`` (the release's TSV tables), ``crosswalk`` (which diseases are ours, by
identifiers), ``vocab`` (terms), ``transform`` (rows to quads), ``linker`` (links to curated
statements), ``download`` (fetching a release) and ``pipeline`` (the whole import, written
atomically); the reference sets come from :mod:`sarcoma_graph.reference`. Nothing runs at import.
"""
