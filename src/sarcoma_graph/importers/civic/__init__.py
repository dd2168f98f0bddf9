"""The CIViC importer: accepted evidence items of a CIViC release as evidence statements.

Modules: ``reader`` (the release's TSV tables), ``reference`` (Mondo, OncoTree, HGNC and NCIt
reference sets), ``crosswalk`` (which diseases are ours, by identifiers), ``vocab`` (terms),
``transform`` (rows to quads), ``linker`` (links to curated statements), ``download`` (fetching
a release) and ``pipeline`` (the whole import, written atomically). Nothing runs at import.
"""
