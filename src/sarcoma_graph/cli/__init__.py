"""The ``sarcoma-graph`` command: one subcommand per pipeline stage.

Exit codes: 0 success; 1 the data failed a check (SHACL violations, QC errors, link
mismatches); 2 bad input or usage (syntax error, missing file, unknown query); 3 an
external tool failed. Input problems are reported as one message, never a traceback.
"""

from __future__ import annotations

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
