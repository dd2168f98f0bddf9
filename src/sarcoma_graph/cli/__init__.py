"""The ``sarcoma-graph`` command: one subcommand per pipeline stage.

Exit codes: 0 success; 1 the data failed a check (SHACL violations, QC errors, link
mismatches); 2 bad input or usage (syntax error, missing file, unknown query); 3 an
external tool failed. Input problems are reported as one message, never a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from sarcoma_graph.cli import imports, links, output, pipeline, publish, release, serve
from sarcoma_graph.cli.common import polish_help

app = typer.Typer(
    name="sarcoma-graph",
    help="Build, reason over, validate, query, export and serve the sarcoma knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
polish_help()


@app.callback()
def _everywhere(root: Annotated[Path | None, typer.Option(
        "--root", metavar="DIR", help="Project folder (with ontology/, shapes/…) for the "
        "subcommand, as its own --root or SARCOMA_GRAPH_ROOT.")] = None) -> None:
    """Options before the subcommand (``sarcoma-graph --root DIR build``): a newcomer's
    first guess, which typer refused with "No such option"."""
    if root is not None:
        os.environ["SARCOMA_GRAPH_ROOT"] = str(root.resolve())


pipeline.register(app)
output.register(app)
release.register(app)
imports.register(app)
links.register(app)
serve.register(app)
publish.register(app)


def main() -> None:
    """Console entry point."""
    app()
