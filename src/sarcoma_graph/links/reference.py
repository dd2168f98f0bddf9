"""Public reference identifier sets, read from a folder (``../shared/data/reference`` by default).

Each loader returns ``{identifier IRI: Entry}``; nothing is read until asked for.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from sarcoma_graph.errors import InputError
from sarcoma_graph.namespaces import expand


@dataclass(frozen=True)
class Entry:
    """One identifier as a reference file gives it."""

    iri: str
    label: str
    source: str  # file:line
    previous: tuple[str, ...] = ()
    xrefs: frozenset[str] = field(default_factory=frozenset)  # IRIs it maps to


def _sssom_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8") as handle:
        lines = handle.readlines()
    start = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    reader = csv.DictReader(lines[start:], delimiter="\t")
    return [(start + 2 + i, row) for i, row in enumerate(reader)]


@dataclass
class ReferenceSets:
    """The reference files of one folder, loaded lazily."""

    folder: Path

    def _file(self, name: str) -> Path:
        path = self.folder / name
        if not path.is_file():
            raise InputError(f"{path}: reference file missing (see {self.folder}/README.md)")
        return path

    def _mondo(self, name: str, target_prefix: str) -> tuple[dict[str, Entry], dict[str, Entry]]:
        path = self._file(name)
        mondo: dict[str, set[str]] = {}
        labels: dict[str, tuple[str, str]] = {}
        targets: dict[str, Entry] = {}
        for line, row in _sssom_rows(path):
            m, t = expand(row["subject_id"]), expand(target_prefix + row["object_id"].split(":", 1)[1])
            mondo.setdefault(m, set()).add(t)
            labels.setdefault(m, (row["subject_label"], f"{path.name}:{line}"))
            targets[t] = Entry(t, row["object_label"], f"{path.name}:{line}",
                               xrefs=frozenset({m} | targets.get(t, Entry(t, "", "")).xrefs))
        entries = {m: Entry(m, labels[m][0], labels[m][1], xrefs=frozenset(x)) for m, x in mondo.items()}
        return entries, targets

    @cached_property
    def mondo_ncit(self) -> tuple[dict[str, Entry], dict[str, Entry]]:
        return self._mondo("mondo_exactmatch_ncit.sssom.tsv", "NCIT:")

    @cached_property
    def mondo_doid(self) -> tuple[dict[str, Entry], dict[str, Entry]]:
        return self._mondo("mondo_exactmatch_doid.sssom.tsv", "DOID:")

    @cached_property
    def mondo_orphanet(self) -> tuple[dict[str, Entry], dict[str, Entry]]:
        return self._mondo("mondo_exactmatch_orphanet.sssom.tsv", "ORPHANET:")

    @cached_property
    def hgnc(self) -> dict[str, Entry]:
        path = self._file("hgnc_protein-coding_gene.txt")
        out = {}
        with path.open(encoding="utf-8") as handle:
            for line, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
                iri = expand(row["HGNC ID"])
                previous = tuple(s.strip() for s in (row["Previous Symbols"] or "").split(",") if s.strip())
                out[iri] = Entry(iri, row["Approved Symbol"], f"{path.name}:{line}", previous)
        return out

    @cached_property
    def ncit_agents(self) -> dict[str, Entry]:
        path = self._file("ncit_antineoplastic_agents.yaml")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out = {}
        for name, value in (data.get("permissible_values") or {}).items():
            meaning = (value or {}).get("meaning")
            if meaning:
                out[expand(meaning)] = Entry(expand(meaning), str(name), path.name)
        return out

    @cached_property
    def oncotree(self) -> dict[str, Entry]:
        path = self._file("oncotree_2025_10_03.json")
        out: dict[str, Entry] = {}

        def walk(node: dict) -> None:
            refs = node.get("externalReferences") or {}
            xrefs = frozenset(expand(f"NCIT:{c}") for c in refs.get("NCI", []) or [])
            iri = expand(f"ONCOTREE:{node['code']}")
            out[iri] = Entry(iri, node.get("name", ""), path.name, xrefs=xrefs)
            for child in (node.get("children") or {}).values():
                walk(child)

        for top in json.loads(path.read_text(encoding="utf-8")).values():
            walk(top)
        return out
