"""Canonical form of the edited Turtle files (curated data, ontology, shapes)."""

from __future__ import annotations

from pathlib import Path

from sarcoma_graph.namespaces import prefix_map
from sarcoma_graph.plumbing.rdfio import read_quads, write_atomic
from sarcoma_graph.plumbing.turtle import canonical_turtle, leading_comments
from sarcoma_graph.project import Project


def edited_turtle_files(project: Project) -> list[Path]:
    """The hand-edited Turtle files that must stay canonical."""
    dirs = (project.curated_dir, project.ontology_dir)
    return sorted(p for d in dirs for p in d.rglob("*.ttl"))


def file_prefixes(path: Path) -> dict[str, str]:
    """The registry prefix map plus the prefixes the file itself declares."""
    import rdflib

    declared = dict(rdflib.Graph().parse(path, format="turtle").namespaces())
    merged = dict(prefix_map())
    for name, namespace in declared.items():
        if name and name not in merged:
            merged[name] = str(namespace)
    return merged


def canonical_text(path: Path) -> str:
    """The canonical text of one Turtle file (syntax errors name file, line and column)."""
    quads = read_quads(path)
    text = path.read_text(encoding="utf-8")
    return canonical_turtle(quads, file_prefixes(path), leading_comments(text))


def normalize_file(path: Path, write: bool = True) -> bool:
    """Whether the file was not canonical; rewrite it (atomically) when ``write``."""
    canonical = canonical_text(path)
    if path.read_text(encoding="utf-8") == canonical:
        return False
    if write:
        write_atomic(path, canonical.encode())
    return True
