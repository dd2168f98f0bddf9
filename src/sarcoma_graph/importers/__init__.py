"""Importers of external knowledge bases into one N-Quads file each (``build/imports/<name>.nq``).

Each importer reads a source release, maps it onto the project's model through identifier
crosswalks and writes its named graph atomically; the build loads the file as it is.
"""
