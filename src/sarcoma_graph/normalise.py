"""Canonical form of the edited Turtle files of ``data/curated/`` and ``ontology/``.

The shapes are not rewritten: their hand-made order and comments are their documentation.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from sarcoma_graph.namespaces import prefix_map
from sarcoma_graph.plumbing.rdfio import read_rdf, read_text, write_atomic
from sarcoma_graph.plumbing.turtle import CanonicalTurtleError, canonical_turtle, leading_comments
from sarcoma_graph.project import Project


def edited_turtle_files(project: Project) -> list[Path]:
    """The hand-edited Turtle files that must stay canonical."""
    dirs = (project.curated_dir, project.ontology_dir)
    return sorted(p for d in dirs for p in d.rglob("*.ttl"))


def merged_prefixes(declared: dict[str, str]) -> dict[str, str]:
    """The registry prefix map plus the prefixes a file itself declares (the map wins, for a
    name and for a namespace: a file that still declares ``ONCOTREE:`` is rewritten with the
    map's ``oncotree:``)."""
    merged = dict(prefix_map())
    namespaces = set(merged.values())
    for name, namespace in declared.items():
        if name and name not in merged and namespace not in namespaces:
            merged[name] = namespace
    return merged


def canonical_text(path: Path) -> str:
    """The canonical text of one Turtle file (syntax errors name file, line and column)."""
    quads, declared = read_rdf(path)
    text = read_text(path)
    try:
        return canonical_turtle(as_stored(quads), merged_prefixes(declared),
                                leading_comments(text))
    except CanonicalTurtleError as error:
        raise CanonicalTurtleError(f"{path}: {error}") from None


def as_stored(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads as a store keeps them: Oxigraph (and so the build, the endpoint and every
    release file) writes ``"514"^^xsd:nonNegativeInteger`` as ``"514"^^xsd:integer`` and
    ``"17.0"^^xsd:decimal`` as ``"17"^^xsd:decimal``; a source written so says what the
    release says (interop r15 N6: the release had changed 103 curated literals)."""
    store = ox.Store()
    store.extend(quads)
    return list(store)


def comments_dropped(path: Path) -> int:
    """The ``#`` comment lines below the file's header, which the canonical form does not keep
    (probe r16 L2: ``normalize`` deleted a curator's comment without a word)."""
    lines = read_text(path).splitlines()
    header = len(leading_comments("\n".join(lines)))
    return sum(1 for line in lines[header:] if line.lstrip().startswith("#"))


def normalise_file(path: Path, write: bool = True) -> bool:
    """Whether the file was not canonical; rewrite it (atomically) when ``write``."""
    canonical = canonical_text(path)
    if read_text(path) == canonical:
        return False
    if write:
        write_atomic(path, canonical.encode())
    return True
