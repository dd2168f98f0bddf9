"""What every subcommand shares: options, the project, progress display, error reporting."""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, ParamSpec

import typer
from rich import box
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from sarcoma_graph.errors import SarcomaGraphError
from sarcoma_graph.project import Project

P = ParamSpec("P")

RootOption = Annotated[Path | None, typer.Option(
    "--root", help="Project folder (with ontology/, shapes/…); default: found from the cwd.",
    file_okay=False)]
BuildOption = Annotated[Path | None, typer.Option(
    "--build-dir", help="Where generated artefacts go; default: <root>/build.", file_okay=False)]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors and results.")]

err = Console(stderr=True, highlight=False)
#: Results. Piped, nothing is cut: lines are as long as their content (no terminal width).
out = Console(highlight=False, soft_wrap=True,
              width=None if sys.stdout.isatty() else 1_000_000)


def table(*headers: str) -> Table:
    """A results table whose cells wrap (``fold``) rather than cut an IRI with an ellipsis."""
    grid = Table(box=box.HEAVY_HEAD if sys.stdout.isatty() else None)
    for header in headers:
        grid.add_column(header, overflow="fold", no_wrap=False)
    return grid


def _display_type(self: typer.core.TyperOption, ctx: object) -> str | None:
    """Help metavars: none for a flag, the declared ``metavar`` (choices) as is, else the type."""
    if getattr(self, "is_flag", False):
        return None
    if self.metavar is not None:
        return self.metavar
    shown = typer.core.TyperOption.display_type(self, ctx)  # type: ignore[arg-type]
    if shown and self.multiple:
        shown = shown.replace("list[", "").replace("]>", ">") + "…"
    return shown


def polish_help() -> None:
    """Help without ``<bool>`` on flags and with choices as metavars (called once by the app)."""
    typer.core.TyperOption.display_type_rich = _display_type  # type: ignore[method-assign]


def project(root: Path | None, build_dir: Path | None) -> Project:
    return Project.discover(root, build_dir)


def command(function: Callable[P, None]) -> Callable[P, None]:
    """The error boundary of one subcommand: a :class:`SarcomaGraphError` becomes one red line
    and its exit code, Ctrl-C exit 130; anything else is a bug and keeps its traceback."""

    @functools.wraps(function)
    def boundary(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            function(*args, **kwargs)
        except SarcomaGraphError as error:
            err.print(f"[bold red]error:[/] {error}", markup=True, highlight=False)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted; nothing was written")
            raise typer.Exit(130) from None

    return boundary


@contextlib.contextmanager
def step(description: str, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A spinner with elapsed time for one pipeline step; yields a callback for sub-steps.

    Piped (no terminal), the progress is plain lines, each with the elapsed time."""
    if quiet:
        yield lambda _msg: None
        return
    if not sys.stderr.isatty():
        started = time.monotonic()
        err.print(f"{description} …", markup=False)

        def note(message: str) -> None:
            err.print(f"{description}: {message} ({time.monotonic() - started:.1f} s)",
                      markup=False)
        yield note
        err.print(f"{description}: done ({time.monotonic() - started:.1f} s)", markup=False)
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(description, total=None)
        yield lambda msg: progress.update(task, description=f"{description}: {msg}")
        progress.update(task, description=f"{description}: done", total=1, completed=1)
