"""``sarcoma-graph publish URL``: load the release (or the built dataset) into a SPARQL 1.1 server.

Exit codes: 0 published; 2 bad input (file, syntax, options, refused credentials); 3 the store
failed (unreachable, rejected a batch or the swap, answered nonsense). On any failure nothing
is published: the graphs the store served before stay as they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sarcoma_graph.cli.common import BuildOption, QuietOption, RootOption, command, err, project, step

_HELP = """Publish the dataset to a SPARQL 1.1 server: each named graph is loaded under a staging
name in batches (streamed: memory does not grow with the input), its count checked, then all are
swapped in with one SPARQL Update (MOVE). URL is the query endpoint; writes go to --update-url
(default: URL) or, with --gsp-url, to the Graph Store Protocol. Credentials:
SARCOMA_GRAPH_STORE_USER, SARCOMA_GRAPH_STORE_PASSWORD, SARCOMA_GRAPH_STORE_TOKEN.

Virtuoso: URL http://host:8890/sparql --update-url http://host:8890/sparql-auth --auth digest.
Oxigraph server: URL http://host:7878/query --update-url http://host:7878/update."""


def publish_cmd(
    url: Annotated[str, typer.Argument(help="The store's SPARQL query endpoint.", show_default=False)],
    source: Annotated[Path | None, typer.Option(
        "--from", help="A release folder (its sarcoma-graph.nq) or an .nq/.trig file; default: the "
        "built dataset (build/dataset.nq).")] = None,
    graph: Annotated[str | None, typer.Option(
        "--graph", help="The graph IRI for a triple-only file (.ttl, .nt, .rdf).")] = None,
    update_url: Annotated[str | None, typer.Option(
        "--update-url", help="SPARQL Update endpoint (default: URL).")] = None,
    gsp_url: Annotated[str | None, typer.Option(
        "--gsp-url", help="Graph Store Protocol endpoint: batches are POSTed there.")] = None,
    auth: Annotated[str | None, typer.Option(
        "--auth", help="none, basic, digest or bearer (default: SARCOMA_GRAPH_STORE_AUTH, or "
        "basic with a user, bearer with a token).")] = None,
    user: Annotated[str | None, typer.Option(
        "--user", help="User name (default: SARCOMA_GRAPH_STORE_USER); the password comes from "
        "SARCOMA_GRAPH_STORE_PASSWORD.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Triples per request.")]
    = 1000,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for each answer.")]
    = 120.0,
    root: RootOption = None,
    build_dir: BuildOption = None,
    quiet: QuietOption = False,
) -> None:
    """Publish the dataset to a SPARQL 1.1 server (staged, then swapped in)."""
    from sarcoma_graph.cli.store import external_store
    from sarcoma_graph.dataset import check_stage
    from sarcoma_graph.publish import publish, read_quads, source_file

    if source is None:
        proj = project(root, build_dir)
        check_stage(proj, "reason")
        path = proj.dataset_path
    else:
        path = source_file(source)
    store = external_store(url, timeout=timeout, update_url=update_url, gsp_url=gsp_url,
                           auth=auth, user=user, scope="")
    with step(f"publish {path.name} → {url}", quiet) as progress:
        report = publish(store, read_quads(path, graph), batch_size, progress)
    if not quiet:
        for name, count in report.graphs.items():
            err.print(f"  <{name}>: {count} triples")
        merged = report.sent - report.triples
        note = f"; {merged} duplicate triples of the input merged" if merged else ""
        err.print(f"published {report.triples} triples in {len(report.graphs)} graphs to "
                  f"{report.server} ({report.seconds:.1f} s{note})")


def register(app: typer.Typer) -> None:
    """Add the ``publish`` command."""
    app.command("publish", help=_HELP)(command(publish_cmd))
