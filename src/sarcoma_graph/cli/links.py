"""``check-links``: external identifiers checked against public reference sets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sarcoma_graph.cli.common import BuildOption, QuietOption, RootOption, command, err, out, project


def check_links_cmd(
    reference: Annotated[Path | None, typer.Option(
        "--reference", help="Folder of reference sets (default: $SARCOMA_GRAPH_REFERENCE or "
        "../shared/data/reference).",
        file_okay=False)] = None,
    show_info: Annotated[bool, typer.Option("--info", help="Also list info findings.")] = False,
    root: RootOption = None,
    build_dir: BuildOption = None,
    quiet: QuietOption = False,
) -> None:
    """Check every external identifier of the built graph; exit 1 on an error finding."""
    from sarcoma_graph.dataset import load_dataset
    from sarcoma_graph.links.check import ERROR, INFO, check_links
    from sarcoma_graph.namespaces import compress
    from sarcoma_graph.reference import ReferenceSets, reference_dir

    proj = project(root, build_dir)
    folder = reference_dir(proj, reference)
    store = load_dataset(proj, require="build")
    findings = check_links(store, ReferenceSets(folder))
    shown = [f for f in findings if show_info or f.severity != INFO]
    if shown:
        table = Table("severity", "entity", "identifier", "problem", "reference")
        for f in shown:
            table.add_row(f.severity, compress(f.entity) or f.entity, compress(f.target) or f.target,
                          f.problem, f.reference)
        out.print(table)
    errors = sum(1 for f in findings if f.severity == ERROR)
    if not quiet:
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
        err.print(f"check-links: {counts['error']} error(s), {counts['warning']} warning(s), "
                  f"{counts['info']} info")
    if errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add check-links to the app."""
    app.command("check-links")(command(check_links_cmd))
