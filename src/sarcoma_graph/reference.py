"""The public reference identifier sets: one folder, one parser per file, two views.

The folder is ``--reference``, else ``$SARCOMA_GRAPH_REFERENCE``, else
``../shared/data/reference`` beside the project (:func:`reference_dir`). The sets are public
downloads that the package does not ship; a missing folder or file is a message saying so.

- ``mondo_exactmatch_{ncit,doid,orphanet}.sssom.tsv``: Mondo's exact matches (SSSOM);
- ``oncotree*.json``: the OncoTree tree (the latest file by name), whose nodes carry NCIt codes;
- ``hgnc_protein-coding_gene.txt``: HGNC IDs by approved, previous and alias symbols;
- ``ncit_antineoplastic_agents.yaml``: NCIt codes of antineoplastic agents by NCIt name.

:class:`ReferenceSets` is the view ``check-links`` reads (``{IRI: Entry}`` per scheme);
:func:`load_references` the one the CIViC crosswalks read (CURIE indexes).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from sarcoma_graph.errors import InputError
from sarcoma_graph.mappings import read_sssom
from sarcoma_graph.namespaces import expand
from sarcoma_graph.plumbing.rdfio import read_text
from sarcoma_graph.project import Project

ENVIRONMENT = "SARCOMA_GRAPH_REFERENCE"
MONDO_SSSOM = "mondo_exactmatch_{}.sssom.tsv"
HGNC_FILE = "hgnc_protein-coding_gene.txt"
AGENTS_FILE = "ncit_antineoplastic_agents.yaml"
ONCOTREE_GLOB = "oncotree*.json"
_HOW = (f"pass --reference FOLDER or set ${ENVIRONMENT}; the public sets it holds are listed in "
        "the project's ../shared/data/reference/README.md")


def reference_dir(project: Project, explicit: Path | None = None) -> Path:
    """The reference folder: ``explicit``, ``$SARCOMA_GRAPH_REFERENCE``, or beside the project."""
    configured = os.environ.get(ENVIRONMENT)
    folder = explicit or (Path(configured) if configured else
                          project.root.parent / "shared" / "data" / "reference")
    if not folder.is_dir():
        raise InputError(f"{folder}: no reference folder ({_HOW})")
    return folder


def require(folder: Path, name: str) -> Path:
    """One reference file of the folder, or a message naming it."""
    path = folder / name
    if not path.is_file():
        raise InputError(f"{path}: reference file missing ({_HOW})")
    return path


def oncotree_file(folder: Path) -> Path:
    """The latest OncoTree release of the folder (file names carry the date)."""
    trees = sorted(folder.glob(ONCOTREE_GLOB))
    if not trees:
        raise InputError(f"{folder}: no {ONCOTREE_GLOB} file ({_HOW})")
    return trees[-1]


# --- one parser per file -------------------------------------------------------------------

def read_mondo_sssom(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a Mondo SSSOM file with their line numbers."""
    mapping_set = read_sssom(path)
    return list(enumerate(mapping_set.rows, start=mapping_set.first_line))


class HgncRow(NamedTuple):
    """One gene of the HGNC export."""

    line: int
    hgnc_id: str  # a CURIE with our prefix, hgnc:… (the export writes HGNC:…)
    symbol: str
    previous: tuple[str, ...]
    aliases: tuple[str, ...]


def _symbols(cell: str | None) -> tuple[str, ...]:
    return tuple(s.strip() for s in (cell or "").split(",") if s.strip())


def hgnc_curie(hgnc_id: str) -> str:
    """The CURIE of an HGNC ID as the HGNC writes it: its local identifier is the number.

    >>> hgnc_curie("HGNC:6342")
    'hgnc:6342'
    """
    return "hgnc:" + hgnc_id.strip().removeprefix("HGNC:")


def read_hgnc(path: Path) -> list[HgncRow]:
    """The HGNC export (tab-separated, one header row)."""
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""), delimiter="\t")
    try:
        return [HgncRow(line, hgnc_curie(row["HGNC ID"]), row["Approved Symbol"].strip(),
                        _symbols(row.get("Previous Symbols")), _symbols(row.get("Synonyms")))
                for line, row in enumerate(reader, start=2)]
    except KeyError as error:
        raise InputError(f"{path}: no column {error} (not an HGNC export?)") from None


def read_agents(path: Path) -> list[tuple[str, str]]:
    """``(NCIt name, NCIT:C…)`` pairs of the LinkML enumeration of antineoplastic agents."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(read_text(path), Loader=loader) or {}
    except yaml.YAMLError as error:
        raise InputError(f"{path}: does not parse as YAML: {error}") from None
    values = data.get("permissible_values") or {} if isinstance(data, dict) else {}
    return [(str(name), str(v["meaning"])) for name, v in values.items()
            if isinstance(v, dict) and v.get("meaning")]


@dataclass
class OncoTree:
    """The OncoTree hierarchy: parent, name and NCIt codes of each code."""

    parent: dict[str, str | None] = field(default_factory=dict)
    name: dict[str, str] = field(default_factory=dict)
    ncit: dict[str, list[str]] = field(default_factory=dict)  # code → NCIT:C… CURIEs
    by_ncit: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def lineage(self, code: str) -> list[str]:
        """``code`` and its ancestors, nearest first."""
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in chain:
            chain.append(current)
            current = self.parent.get(current)
        return chain


def _walk(node: dict[str, Any], parent: str | None, tree: OncoTree) -> None:
    code = str(node["code"])
    tree.parent[code] = parent
    tree.name[code] = str(node.get("name", ""))
    tree.ncit[code] = [f"NCIT:{c}" for c in (node.get("externalReferences") or {}).get("NCI") or []]
    for ncit in tree.ncit[code]:
        tree.by_ncit[ncit].append(code)
    for child in (node.get("children") or {}).values():
        _walk(child, code, tree)


def read_oncotree(path: Path) -> OncoTree:
    """The OncoTree JSON tree (``{"TISSUE": {..., "children": {...}}}``)."""
    try:
        data = json.loads(read_text(path))
        tree = OncoTree()
        for root in data.values():
            _walk(root, None, tree)
    except (ValueError, KeyError, AttributeError, TypeError) as error:
        raise InputError(f"{path}: not an OncoTree tree ({error})") from None
    return tree


# --- the view of check-links: {IRI: Entry} -----------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One identifier as a reference file gives it."""

    iri: str
    label: str
    source: str  # file:line
    previous: tuple[str, ...] = ()
    xrefs: frozenset[str] = field(default_factory=frozenset)  # IRIs it maps to


MondoTables = tuple[dict[str, Entry], dict[str, Entry]]


@dataclass
class ReferenceSets:
    """The reference files of one folder as ``{IRI: Entry}`` tables, loaded lazily."""

    folder: Path

    def _mondo(self, scheme: str, target_prefix: str) -> MondoTables:
        path = require(self.folder, MONDO_SSSOM.format(scheme))
        mondo: dict[str, set[str]] = {}
        labels: dict[str, tuple[str, str]] = {}
        targets: dict[str, Entry] = {}
        for line, row in read_mondo_sssom(path):
            m, t = expand(row["subject_id"]), expand(target_prefix + row["object_id"].split(":", 1)[1])
            mondo.setdefault(m, set()).add(t)
            labels.setdefault(m, (row.get("subject_label", ""), f"{path.name}:{line}"))
            targets[t] = Entry(t, row.get("object_label", ""), f"{path.name}:{line}",
                               xrefs=frozenset({m} | targets.get(t, Entry(t, "", "")).xrefs))
        entries = {m: Entry(m, labels[m][0], labels[m][1], xrefs=frozenset(x)) for m, x in mondo.items()}
        return entries, targets

    @cached_property
    def mondo_ncit(self) -> MondoTables:
        return self._mondo("ncit", "NCIT:")

    @cached_property
    def mondo_doid(self) -> MondoTables:
        return self._mondo("doid", "DOID:")

    @cached_property
    def mondo_orphanet(self) -> MondoTables:
        return self._mondo("orphanet", "Orphanet:")

    @cached_property
    def hgnc(self) -> dict[str, Entry]:
        path = require(self.folder, HGNC_FILE)
        return {expand(row.hgnc_id): Entry(expand(row.hgnc_id), row.symbol, f"{path.name}:{row.line}",
                                           row.previous) for row in read_hgnc(path)}

    @cached_property
    def ncit_agents(self) -> dict[str, Entry]:
        path = require(self.folder, AGENTS_FILE)
        return {expand(curie): Entry(expand(curie), name, path.name) for name, curie in read_agents(path)}

    @cached_property
    def oncotree(self) -> dict[str, Entry]:
        path = oncotree_file(self.folder)
        tree = read_oncotree(path)
        return {expand(f"oncotree:{code}"): Entry(expand(f"oncotree:{code}"), tree.name[code], path.name,
                                                  xrefs=frozenset(expand(n) for n in tree.ncit[code]))
                for code in tree.parent}


# --- the view of the CIViC crosswalks: CURIE indexes --------------------------------------------

@dataclass
class Hgnc:
    """HGNC IDs by approved symbol, and by previous or alias symbol where unambiguous."""

    approved: dict[str, str] = field(default_factory=dict)
    previous: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    alias: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def from_rows(cls, rows: list[HgncRow]) -> Hgnc:
        hgnc = cls()
        for row in rows:
            hgnc.approved[row.symbol] = row.hgnc_id
            for symbol in row.previous:
                hgnc.previous[symbol].add(row.hgnc_id)
            for symbol in row.aliases:
                hgnc.alias[symbol].add(row.hgnc_id)
        return hgnc

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
    agents: dict[str, str]  # NCIt name, lower case → NCIT:C…


def _pairs(path: Path, reverse: bool) -> dict[str, list[str]]:
    """subject → objects (or object → subjects) of an SSSOM file, sorted."""
    index: dict[str, set[str]] = defaultdict(set)
    for _, row in read_mondo_sssom(path):
        key, value = (row["object_id"], row["subject_id"]) if reverse else \
            (row["subject_id"], row["object_id"])
        index[key].add(value)
    return {key: sorted(values) for key, values in index.items()}


def load_references(folder: Path) -> References:
    """Read every reference set the crosswalks use from one folder."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no reference folder ({_HOW})")
    return References(
        doid_to_mondo=_pairs(require(folder, MONDO_SSSOM.format("doid")), reverse=True),
        mondo_to_ncit=_pairs(require(folder, MONDO_SSSOM.format("ncit")), reverse=False),
        oncotree=read_oncotree(oncotree_file(folder)),
        hgnc=Hgnc.from_rows(read_hgnc(require(folder, HGNC_FILE))),
        agents={name.lower(): curie for name, curie in read_agents(require(folder, AGENTS_FILE))},
    )
