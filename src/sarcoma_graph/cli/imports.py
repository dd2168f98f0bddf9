"""``sarcoma-graph import``: import external knowledge bases (``import civic PATH|URL``).

Exit codes: 0 imported; 2 bad input (not a release folder, bad date, missing reference set);
3 the release could not be downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sarcoma_graph.cli.common import BuildOption, QuietOption, RootOption, command, err, project, step
from sarcoma_graph.errors import InputError

if TYPE_CHECKING:
    from sarcoma_graph.importers.civic.pipeline import ImportReport

SourceArgument = Annotated[str | None, typer.Argument(
    help="A folder with a CIViC release's TSV summaries, or a civicdb.org/downloads URL.",
    show_default=False)]
AllOption = Annotated[bool, typer.Option(
    "--all", help="Import every evidence item, not only those about sarcomas.")]
DateOption = Annotated[str | None, typer.Option(
    "--date", help="Release date YYYY-MM-DD: download that release (or date a folder).")]
ReferenceOption = Annotated[Path | None, typer.Option(
    "--reference", help="Folder of reference sets (default: $SARCOMA_GRAPH_REFERENCE or "
    "../shared/data/reference).", file_okay=False)]
ShowSkipsOption = Annotated[bool, typer.Option(
    "--show-skips", help="List every skipped evidence item with its reason.")]


def resolve_source(source: str | None, date: str | None) -> tuple[Path, str | None]:
    """The release folder (downloading a URL or a dated release) and the date to use."""
    from sarcoma_graph.importers.civic import download

    if source and not source.startswith(("http://", "https://")):
        path = Path(source)
        if not path.is_dir():
            raise InputError(f"{path}: no such folder (expected a CIViC release folder or a URL)")
        return path, download.parse_date(date).isoformat() if date else None
    if source:
        when = download.date_from_url(source)
    elif date:
        when = download.parse_date(date)
    else:
        raise InputError("give a CIViC release folder, a download URL or --date YYYY-MM-DD")
    return download.fetch_release(when), when.isoformat()


def print_report(report: ImportReport, show_skips: bool) -> None:
    """The counts of an import on stderr: parsed, imported, skips by reason, matches, links."""
    err.print(f"CIViC {report.release}: parsed {report.parsed} evidence items, imported "
              f"{report.imported} ({report.selected} about sarcomas), skipped {len(report.skips)}")
    table = Table("skip reason", "items", title="skipped")
    for reason, count in sorted(report.skipped.items()):
        table.add_row(reason, str(count))
    if report.skips:
        err.print(table)
    for kind, count in sorted(report.matches.items()):
        err.print(f"  disease match {kind}: {count}")
    err.print(f"  links to curated statements: {report.links['supports']} supports, "
              f"{report.links['disputes']} disputes")
    if show_skips:
        for skip in report.skips:
            err.print(f"  EID{skip.evidence_id}: {skip.reason}: {skip.detail}", markup=False)
    if report.output:
        err.print(f"wrote {report.quads} quads → {report.output}")


def civic_cmd(source: SourceArgument = None, all_items: AllOption = False, date: DateOption = None,
              reference: ReferenceOption = None, show_skips: ShowSkipsOption = False,
              root: RootOption = None, build_dir: BuildOption = None,
              quiet: QuietOption = False) -> None:
    """Import the accepted evidence items of a CIViC release into build/imports/civic.nq."""
    from sarcoma_graph.importers.civic.pipeline import import_civic

    proj = project(root, build_dir)
    folder, when = resolve_source(source, date)
    with step("import civic", quiet) as progress:
        report = import_civic(proj, folder, all_items=all_items,
                                                  reference_dir=reference, date=when,
                                                  progress=progress)
    if not quiet:
        print_report(report, show_skips)


def register(app: typer.Typer) -> None:
    """Add the ``import`` command group to the app."""
    group = typer.Typer(name="import", help="Import external knowledge bases (CIViC).",
                        no_args_is_help=True)
    group.command("civic")(command(civic_cmd))
    app.add_typer(group, name="import")
