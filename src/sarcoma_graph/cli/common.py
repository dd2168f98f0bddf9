"""What every subcommand shares: options, the project, progress display, error reporting."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, ParamSpec

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

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
out = Console(highlight=False, soft_wrap=True)


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
    """A spinner with elapsed time for one pipeline step; yields a callback for sub-steps."""
    if quiet or not sys.stderr.isatty():
        yield lambda _msg: None
        if not quiet:
            err.print(f"{description}: done")
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(description, total=None)
        yield lambda msg: progress.update(task, description=f"{description}: {msg}")
        progress.update(task, description=f"{description}: done", total=1, completed=1)
