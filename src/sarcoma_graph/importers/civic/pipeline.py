"""The CIViC import: read a release, crosswalk, transform, link, and write ``civic.nq`` atomically.

The output is one N-Quads file, ``build/imports/civic.nq``, every quad in the named graph
``graph_iri("civic")``, lines sorted (the same release gives the same bytes). It is written
to a temporary file and moved into place at the end: a failure leaves the previous file as it
was. The returned :class:`ImportReport` counts what was parsed, selected, skipped (by reason,
with each skipped evidence ID) and linked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from sarcoma_graph.errors import InputError
from sarcoma_graph.importers.civic.alterations import curated_alterations
from sarcoma_graph.importers.civic.crosswalk import (
    Crosswalk,
    ProjectMappings,
    normalise_curie,
    read_project_mappings,
)
from sarcoma_graph.importers.civic.linker import count_links, link_quads
from sarcoma_graph.importers.civic.reader import Release, read_release
from sarcoma_graph.importers.civic.transform import Context, Skip, release_quads, transform_row
from sarcoma_graph.namespaces import SKOS, compress, entity_iri, graph_iri
from sarcoma_graph.plumbing.rdfio import atomic_output
from sarcoma_graph.project import Project
from sarcoma_graph.reference import load_references, reference_dir
from sarcoma_graph.store import Store

Progress = Callable[[str], None]
OUTPUT_NAME = "civic.nq"
_CHUNK = 1 << 16
SKOS_EXACT = SKOS.exactMatch


def _noop(_: str) -> None:
    return None


@dataclass
class ImportReport:
    """What one import did: counts, skipped items with reasons, match paths, links and notes."""

    release: str
    source: Path
    output: Path | None = None
    parsed: int = 0
    selected: int = 0
    imported: int = 0
    quads: int = 0
    skips: list[Skip] = field(default_factory=list)
    matches: Counter[str] = field(default_factory=Counter)
    links: dict[str, int] = field(default_factory=lambda: {"supports": 0, "disputes": 0})
    notes: Counter[str] = field(default_factory=Counter)

    @property
    def skipped(self) -> Counter[str]:
        """Skipped items by reason."""
        return Counter(skip.reason for skip in self.skips)


def output_path(project: Project) -> Path:
    """Where the import writes: ``build/imports/civic.nq``."""
    return project.imports_dir / OUTPUT_NAME


def sorted_lines(quads: Iterable[ox.Quad]) -> list[bytes]:
    """The quads as sorted, distinct N-Quads lines."""
    data = ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS) or b""
    return sorted(set(data.splitlines()))


def write_lines(handle: BinaryIO, lines: list[bytes]) -> None:
    """Write N-Quads lines in chunks."""
    for start in range(0, len(lines), _CHUNK):
        handle.write(b"".join(line + b"\n" for line in lines[start:start + _CHUNK]))


def write_nquads(path: Path, quads: Iterable[ox.Quad]) -> int:
    """Write sorted N-Quads atomically; return the number of lines."""
    lines = sorted_lines(quads)
    with atomic_output(path) as tmp, tmp.open("wb") as handle:
        write_lines(handle, lines)
    return len(lines)


def known_subjects(store: Store) -> frozenset[str]:
    """IRIs the ontology or the curated data describe (the import links to them only)."""
    graphs = " ".join(f"<{graph_iri(g)}>" for g in ("ontology", "curated"))
    result = store.query(f"SELECT DISTINCT ?s WHERE {{ VALUES ?g {{ {graphs} }} "
                         "GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }")
    return frozenset(b["s"] for b in result.texts())


def add_store_mappings(maps: ProjectMappings, store: Store) -> None:
    """Histotype and agent ``skos:exactMatch`` triples of the built sources, as CURIEs."""
    histotype, agent = entity_iri("histotype", ""), entity_iri("agent", "")
    query = (f"SELECT ?s ?o WHERE {{ ?s <{SKOS_EXACT}> ?o . FILTER(isIRI(?o) && "
             f"(STRSTARTS(STR(?s), \"{histotype}\") || STRSTARTS(STR(?s), \"{agent}\"))) }}")
    for binding in store.query(query).texts():
        curie = compress(binding["o"])
        if curie:
            index = maps.histotypes if binding["s"].startswith(histotype) else maps.agents
            index[normalise_curie(curie)].add(binding["s"])


def curated_store(project: Project, backend: str, progress: Progress) -> Store:
    """The build of the project's edited sources, without any previous CIViC import."""
    from sarcoma_graph.build import build

    store, _ = build(project, backend, progress)
    store.clear(graph_iri("civic"))
    return store


def transform_rows(ctx: Context, release: Release, report: ImportReport) -> None:
    """Transform every evidence row, recording skips and match kinds."""
    seen: set[str] = set()
    for row in release.evidence.rows:
        eid = (row.get("evidence_id") or "").strip()
        outcome = _check_id(eid, seen) or transform_row(ctx, row)
        if isinstance(outcome, Skip):
            report.skips.append(outcome)
            continue
        report.imported += 1
        report.matches[outcome.kind] += 1
        report.selected += int(outcome.selected)


def _check_id(eid: str, seen: set[str]) -> Skip | None:
    if not eid.isdigit():
        return Skip(eid or "?", "invalid-evidence-id", f"evidence_id {eid!r} is not a number")
    if eid in seen:
        return Skip(eid, "duplicate-evidence-id", f"evidence_id {eid} appears more than once")
    seen.add(eid)
    return None


def _release_date(release: Release, date: str | None) -> str:
    found = date or release.date
    if not found:
        raise InputError(f"{release.directory}: the file names carry no release date; pass --date")
    return found


def prepare(project: Project, release: Release, date: str, options: dict[str, object],
            progress: Progress) -> tuple[Context, Store]:
    """The transform context (crosswalks, known entities) and the store of the curated data."""
    progress("reading the reference sets")
    explicit = options.get("reference_dir")
    refs = load_references(reference_dir(project, Path(str(explicit)) if explicit else None))
    maps = read_project_mappings(sorted(project.mappings_dir.glob("*.sssom.tsv")))
    store = curated_store(project, str(options.get("backend", "oxigraph")), progress)
    add_store_mappings(maps, store)
    ctx = Context(release, Crosswalk(refs, maps), date, graph_iri("civic"),
                  bool(options.get("all_items")), known_subjects(store),
                  alterations=curated_alterations(store))
    return ctx, store


def import_civic(project: Project, source: Path, *, all_items: bool = False,
                 reference_dir: Path | None = None, date: str | None = None,
                 backend: str = "oxigraph", progress: Progress = _noop,
                 write: bool = True) -> ImportReport:
    """Import a CIViC release folder into ``build/imports/civic.nq``; return the report."""
    progress("reading the release")
    release = read_release(source)
    report = ImportReport(_release_date(release, date), source, parsed=len(release.evidence.rows))
    options: dict[str, object] = {"reference_dir": reference_dir, "backend": backend, "all_items": all_items}
    ctx, store = prepare(project, release, report.release, options, progress)
    progress("transforming evidence items")
    transform_rows(ctx, release, report)
    release_quads(ctx, f"CIViC release {report.release}")
    progress("linking to curated statements")
    store.add_quads(ctx.quads)
    links = link_quads(store)
    report.links, report.notes = count_links(links), ctx.notes
    if write:
        progress(f"writing {OUTPUT_NAME}")
        report.output = output_path(project)
        report.quads = write_nquads(report.output, [*ctx.quads, *links])
    return report
