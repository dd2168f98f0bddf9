"""Subcommands for the pipeline stages: build, reason, validate, qc, stats, normalize."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from sarcoma_graph.cli.common import (
    BuildOption,
    QuietOption,
    RootOption,
    command,
    err,
    out,
    project,
    step,
    table,
)
from sarcoma_graph.cli.store import StoreOption, StoreTimeoutOption, dataset_store
from sarcoma_graph.errors import ValidationFailed
from sarcoma_graph.namespaces import graph_iri

BackendOption = Annotated[str, typer.Option(
    "--backend", metavar="oxigraph", help="Store backend: oxigraph (rdflib was retired; see --store).")]


def build_cmd(root: RootOption = None, build_dir: BuildOption = None,
              backend: BackendOption = "oxigraph", quiet: QuietOption = False) -> None:
    """Assemble ontology, curated data, mappings and imports into build/dataset.nq."""
    from sarcoma_graph.build import build_saved

    proj = project(root, build_dir)
    with step("build", quiet) as progress:
        path, report = build_saved(proj, backend, progress)
    if not quiet:
        for name, count in report.graphs.items():
            err.print(f"  {name}: {count} triples")
        err.print(f"built {report.total} quads from {len(report.files)} files → {path}")


def reason_cmd(root: RootOption = None, build_dir: BuildOption = None,
               backend: BackendOption = "oxigraph", quiet: QuietOption = False) -> None:
    """Materialise OWL 2 RL entailments into the inferences graph; check the TBox with HermiT."""
    from sarcoma_graph.dataset import (
        Since,
        load_dataset,
        read_manifest,
        save_dataset,
        unmark_store,
    )
    from sarcoma_graph.plumbing.terms import triples_graph
    from sarcoma_graph.reason import INFERRED, materialise
    from sarcoma_graph.tbox import start_tbox_check

    proj = project(root, build_dir)
    store = load_dataset(proj, backend, require="build")
    loaded = read_manifest(proj)  # saving merges the file it came from with the new inferences
    # HermiT (Java, on the asserted ontology) runs while the main thread materialises
    hermit = start_tbox_check(triples_graph(store.quads(graph_iri("ontology"))))
    with step("reason: OWL 2 RL materialisation", quiet):
        unmark_store(store)  # the inferences graph changes from here until the save
        report = materialise(store, dataset=proj.dataset_path)
    with step("reason: HermiT check of the ontology", quiet):
        tbox = hermit.result()
    if tbox.skipped:
        err.print(f"notice: HermiT check skipped — {tbox.skipped}")
    elif not quiet:
        err.print(f"HermiT: {tbox.classes} classes, consistent={tbox.consistent}, "
                  f"{len(tbox.unsatisfiable)} unsatisfiable, "
                  f"{len(tbox.inferred_subclasses)} inferred subclass axioms "
                  f"({tbox.seconds:.1f} s)")
    if not tbox.ok:
        reasons = ", ".join(tbox.unsatisfiable) or "the ontology is inconsistent"
        raise ValidationFailed(f"HermiT: {reasons}")
    save_dataset(store, proj, "reason", Since(loaded.sha256, INFERRED) if loaded else None)
    if not quiet:
        err.print(f"inferred {report.inferred} triples in {report.rounds} rounds "
                  f"({report.seconds:.1f} s)")


def validate_cmd(root: RootOption = None, build_dir: BuildOption = None,
                 fmt: Annotated[str, typer.Option("--format", metavar="text|turtle|json|csv",
                                                  help="text, turtle, json or csv")] = "text",
                 engine: Annotated[str, typer.Option(
                     "--engine", metavar="auto|fast|pyshacl",
                     help="auto (default), fast (SPARQL on the store) or pyshacl")] = "auto",
                 quiet: QuietOption = False) -> None:
    """Validate the built (and reasoned) dataset against shapes/; exit 1 on violations."""
    from sarcoma_graph.dataset import load_dataset
    from sarcoma_graph.validate import validate

    proj = project(root, build_dir)
    store = load_dataset(proj)
    with step("validate (SHACL)", quiet):
        # the store was just filled from (or checked against) the saved file: it holds it
        report = validate(store, proj.shapes_dir, engine, saved=proj.dataset_path)
    if report.notice:
        err.print(f"notice: {report.notice}", markup=False)
    if fmt == "turtle":
        print_document(report.to_turtle())
    elif fmt == "json":
        print_document(report.to_json())
    elif fmt == "csv":
        _print_csv(["severity", "focus", "path", "value", "shape", "message"],
                   [[r.severity, r.focus, r.path, r.value, r.shape, r.message]
                    for r in report.results])
    elif fmt != "text":
        err.print(f"error: unknown --format {fmt!r}; use text, turtle, json or csv")
        raise typer.Exit(2)
    else:
        _print_violations(report.results, quiet)
    if not report.conforms:
        raise typer.Exit(1)


def _print_findings(findings: list[Any], columns: list[str]) -> None:
    """A table in a terminal; piped, the same columns as plain lines, tab-separated under a
    header line (rich took 3 s to lay out the 6k findings of 1M quads, 30 s for 60k at 10M)."""
    from rich.control import strip_control_codes

    from sarcoma_graph.namespaces import compress

    def cells(f: Any) -> list[str]:
        return [f.check, f.severity, *(compress(v) or v if v else ""
                                       for v in (f.entity, f.property, f.value))]

    if out.is_terminal:
        grid = table(*columns)
        for f in findings:
            grid.add_row(*cells(f))
        out.print(grid)
        return
    lines = ["\t".join(columns)]
    lines += ["\t".join(" ".join(strip_control_codes(c).split()) for c in cells(f))
              for f in findings]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def print_document(text: str) -> None:
    """A machine-readable report on stdout exactly as written, then a blank line (as rich
    printed it): rich would turn ``:smile:`` in a value into an emoji, and rendering the 18k
    results of 1M quads took it 4 s."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _print_violations(results: list[Any], quiet: bool) -> None:
    if not results:
        if not quiet:
            err.print("conforms: no SHACL violation")
        return
    if out.is_terminal:
        out.print(violations_text(results, markup=True))
    else:  # piped: the same text without rich's rendering (4 s for 18k results at 1M quads)
        sys.stdout.write(violations_text(results, markup=False) + "\n")
        sys.stdout.flush()
    violations = sum(1 for r in results if r.severity == "Violation")
    err.print(f"{violations} violation(s), {len(results) - violations} other result(s)")


def violations_text(results: list[Any], markup: bool) -> str:
    """The text report: rich markup for a terminal, or the plain text rich would print from it
    (control characters it strips stripped, tabs expanded as it does)."""
    from rich.control import strip_control_codes
    from rich.markup import escape

    from sarcoma_graph.namespaces import compress

    def plain(text: str) -> str:
        return escape(text) if markup else strip_control_codes(text).expandtabs(8)

    lines = []  # one print: thousands of results printed one line at a time took seconds
    for r in results:
        style = "bold red" if r.severity == "Violation" else "yellow"
        focus = compress(r.focus) or r.focus
        lines.append(f"[{style}]{r.severity}[/] {focus}" if markup else plain(f"{r.severity} {focus}"))
        for label, value in (("path", r.path), ("value", r.value), ("shape", r.shape)):
            if value:
                lines.append(plain(f"  {label}: {compress(value) or value}"))
        lines.append(plain(f"  {r.message}") + "\n")
    return "\n".join(lines)


def _print_csv(headers: list[str], rows: Sequence[Sequence[object]]) -> None:
    """Rows as CSV on stdout (full IRIs, nothing cut)."""
    import csv

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([["" if v is None else str(v) for v in row] for row in rows])


def qc_cmd(root: RootOption = None, build_dir: BuildOption = None,
           store_url: StoreOption = None, store_timeout: StoreTimeoutOption = 60.0,
           fmt: Annotated[str, typer.Option("--format", metavar="text|json|csv",
                                            help="text (a table), json or csv")] = "text",
           quiet: QuietOption = False) -> None:
    """Run the SPARQL quality checks of qc/ (on the build, or --store); exit 1 if a check of
    severity error fails."""
    from sarcoma_graph.qc import run_qc

    proj = project(root, build_dir)
    store = dataset_store(proj, store_url, store_timeout)
    with step("qc", quiet):
        report = run_qc(store, proj.qc_dir)
    if fmt not in ("text", "json", "csv"):
        err.print(f"error: unknown --format {fmt!r}; use text, json or csv")
        raise typer.Exit(2)
    columns = ["check", "severity", "entity", "property", "value"]
    rows = [[f.check, f.severity, f.entity, f.property, f.value] for f in report.findings]
    if fmt == "json":
        import json

        out.print(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], indent=1,
                             ensure_ascii=False), markup=False)
    elif fmt == "csv":
        _print_csv(columns, rows)
    elif report.findings:
        _print_findings(report.findings, columns)
    if not quiet:
        err.print(f"{len(report.checks)} checks, {len(report.errors)} error(s), "
                  f"{len(report.findings) - len(report.errors)} warning/info finding(s)")
    if not report.passed:
        raise typer.Exit(1)


def stats_cmd(root: RootOption = None, build_dir: BuildOption = None,
              fmt: Annotated[str, typer.Option("--format", metavar="text|json",
                                               help="text or json")] = "text",
              store_url: StoreOption = None, store_timeout: StoreTimeoutOption = 60.0,
              quiet: QuietOption = False) -> None:
    """Counts per named graph, class and property (VoID-style), of the build or --store."""
    import dataclasses
    import json

    from sarcoma_graph.stats import compute_stats

    proj = project(root, build_dir)
    store = dataset_store(proj, store_url, store_timeout, require="build")
    with step("stats", quiet):
        stats = compute_stats(store)
    if fmt == "json":
        out.print(json.dumps(dataclasses.asdict(stats), indent=2), markup=False)
        return
    out.print(f"triples: {stats.triples}   entities: {stats.entities}")
    for title, rows in (("graph", list(stats.graphs.items())), ("class", stats.classes),
                        ("property", stats.properties)):
        grid = table(title, "count")
        for name, count in rows:
            grid.add_row(name, str(count))
        out.print(grid)


def normalise_cmd(
    paths: Annotated[list[Path] | None, typer.Argument(help="Turtle files (default: all edited)")]
    = None,
    check: Annotated[bool, typer.Option("--check", help="Only report files not canonical.")]
    = False,
    root: RootOption = None,
) -> None:
    """Rewrite edited Turtle files in canonical form (or, with --check, list those that are not)."""
    from sarcoma_graph.normalise import comments_dropped, edited_turtle_files, normalise_file

    proj = project(root, None)
    files = paths or edited_turtle_files(proj)
    dropped = {p: comments_dropped(p) for p in files}
    changed = [p for p in files if normalise_file(p, write=not check)]
    for path in changed:
        lost = dropped[path]
        note = (f" ({'drops' if check else 'dropped'} {lost} comment line{'s' * (lost != 1)} "
                "below the header: the canonical form keeps only the header's; keep notes in "
                "sg:curatorNote or rdfs:comment)") if lost else ""
        err.print(f"{'not canonical' if check else 'normalised'}: {path}{note}")
    if check and changed:
        err.print("run `sarcoma-graph normalize` to rewrite them")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the pipeline subcommands to the app."""
    app.command("build")(command(build_cmd))
    app.command("reason")(command(reason_cmd))
    app.command("validate")(command(validate_cmd))
    app.command("qc")(command(qc_cmd))
    app.command("stats")(command(stats_cmd))
    app.command("normalize")(command(normalise_cmd))
