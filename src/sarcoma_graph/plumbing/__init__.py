"""Plumbing below the store: RDF term bridges, syntaxes, file I/O, writers and the SPARQL text
scanner. Nothing here imports the store, a pipeline stage, the CLI or the server, so the layers read
plumbing → store → stages → cli / serve.
"""
