"""The public reference sets the CIViC import crosswalks through (read from a folder, never copied).

- ``mondo_exactmatch_doid.sssom.tsv``: DOID → Mondo; ``mondo_exactmatch_ncit.sssom.tsv``: Mondo → NCIt;
- ``oncotree_*.json``: the OncoTree tree, whose nodes carry NCIt codes;
- ``hgnc_protein-coding_gene.txt``: HGNC IDs by approved, previous and alias symbols;
- ``ncit_antineoplastic_agents.yaml``: NCIt codes of antineoplastic agents by NCIt name.
"""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sarcoma_graph.errors import InputError
from sarcoma_graph.mappings import read_sssom
from sarcoma_graph.project import Project

DOID_SSSOM = "mondo_exactmatch_doid.sssom.tsv"
NCIT_SSSOM = "mondo_exactmatch_ncit.sssom.tsv"
HGNC_FILE = "hgnc_protein-coding_gene.txt"
AGENTS_FILE = "ncit_antineoplastic_agents.yaml"
ONCOTREE_GLOB = "oncotree*.json"


@dataclass
class OncoTree:
    """The OncoTree hierarchy: parent of each code, and the codes carrying each NCIt code."""

    parent: dict[str, str | None] = field(default_factory=dict)
    by_ncit: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def lineage(self, code: str) -> list[str]:
        """``code`` and its ancestors, nearest first."""
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent.get(current)
        return chain


@dataclass
class Hgnc:
    """HGNC IDs by approved symbol, and by previous or alias symbol where unambiguous."""

    approved: dict[str, str] = field(default_factory=dict)
    previous: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    alias: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def lookup(self, symbol: str) -> str | None:
        """The HGNC CURIE of a symbol: approved first, then a unique previous or alias symbol."""
        if symbol in self.approved:
            return self.approved[symbol]
        for index in (self.previous, self.alias):
            ids = index.get(symbol, set())
            if len(ids) == 1:
                return next(iter(ids))
        return None


@dataclass
class References:
    """Every reference set the crosswalks use."""

    doid_to_mondo: dict[str, list[str]]
    mondo_to_ncit: dict[str, list[str]]
    oncotree: OncoTree
    hgnc: Hgnc
    agents: dict[str, str]


def default_reference_dir(project: Project) -> Path:
    """``$SARCOMA_GRAPH_REFERENCE``, else ``../shared/data/reference`` beside the project."""
    configured = os.environ.get("SARCOMA_GRAPH_REFERENCE")
    return Path(configured) if configured else project.root.parent / "shared" / "data" / "reference"


def _pairs(path: Path, reverse: bool) -> dict[str, list[str]]:
    """subject → objects (or object → subjects) of an SSSOM file, sorted."""
    index: dict[str, set[str]] = defaultdict(set)
    for row in read_sssom(path).rows:
        key, value = (row["object_id"], row["subject_id"]) if reverse else \
            (row["subject_id"], row["object_id"])
        index[key].add(value)
    return {key: sorted(values) for key, values in index.items()}


def _walk(node: dict, parent: str | None, tree: OncoTree) -> None:
    code = node["code"]
    tree.parent[code] = parent
    for ncit in (node.get("externalReferences") or {}).get("NCI", []):
        tree.by_ncit[f"NCIT:{ncit}"].append(code)
    for child in (node.get("children") or {}).values():
        _walk(child, code, tree)


def read_oncotree(path: Path) -> OncoTree:
    """The OncoTree JSON tree (``{"TISSUE": {..., "children": {...}}}``)."""
    tree = OncoTree()
    data = json.loads(path.read_text(encoding="utf-8"))
    for root in data.values():
        _walk(root, None, tree)
    return tree


def _symbols(cell: str) -> list[str]:
    return [s.strip() for s in cell.split(",") if s.strip()]


def read_hgnc(path: Path) -> Hgnc:
    """The HGNC export (tab-separated, one header row)."""
    hgnc = Hgnc()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            hgnc_id = row["HGNC ID"].strip()
            hgnc.approved[row["Approved Symbol"].strip()] = hgnc_id
            for symbol in _symbols(row.get("Previous Symbols") or ""):
                hgnc.previous[symbol].add(hgnc_id)
            for symbol in _symbols(row.get("Synonyms") or ""):
                hgnc.alias[symbol].add(hgnc_id)
    return hgnc


def read_agents(path: Path) -> dict[str, str]:
    """NCIt agent name (lower case) → ``NCIT:C…`` from the LinkML enumeration."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    values = data.get("permissible_values") or {}
    return {name.lower(): str(v["meaning"]) for name, v in values.items()
            if isinstance(v, dict) and v.get("meaning")}


def _require(directory: Path, name: str) -> Path:
    path = directory / name
    if not path.is_file():
        raise InputError(f"{path}: reference file missing (see ../shared/data/reference/README.md; "
                         "set SARCOMA_GRAPH_REFERENCE or pass --reference)")
    return path


def load_references(directory: Path) -> References:
    """Read every reference set from one folder."""
    if not directory.is_dir():
        raise InputError(f"{directory}: no reference folder (pass --reference or set "
                         "SARCOMA_GRAPH_REFERENCE)")
    trees = sorted(directory.glob(ONCOTREE_GLOB))
    if not trees:
        raise InputError(f"{directory}: no {ONCOTREE_GLOB} file")
    return References(
        doid_to_mondo=_pairs(_require(directory, DOID_SSSOM), reverse=True),
        mondo_to_ncit=_pairs(_require(directory, NCIT_SSSOM), reverse=False),
        oncotree=read_oncotree(trees[-1]),
        hgnc=read_hgnc(_require(directory, HGNC_FILE)),
        agents=read_agents(_require(directory, AGENTS_FILE)),
    )
