"""Subcommands that read the built dataset and write results: query and export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sarcoma_graph.cli.common import (
    BuildOption,
    QuietOption,
    RootOption,
    command,
    err,
    out,
    project,
    table,
)
from sarcoma_graph.cli.store import StoreOption, StoreTimeoutOption, dataset_store
from sarcoma_graph.errors import InputError

if TYPE_CHECKING:
    from sarcoma_graph.catalogue import NamedQuery
    from sarcoma_graph.plumbing.formats import RdfSyntax
    from sarcoma_graph.project import Project
    from sarcoma_graph.store import QueryError, Store

QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "rdfxml")


def _params(values: list[str]) -> dict[str, str]:
    pairs = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"--param needs key=value, got {item!r}")
        if key.strip() in pairs:  # as the HTTP route says (probe r15 L3: the last one won)
            raise InputError(f"--param {key.strip()!r} is given more than once")
        pairs[key.strip()] = value
    return pairs


def query_cmd(
    name: Annotated[str | None, typer.Argument(
        help="A query name from queries/ or a path to a .rq file.", metavar="NAME")] = None,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", metavar="KEY=VALUE",
                                                    help="key=value (repeatable).")]
    = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="|".join(QUERY_FORMATS),
                                     help=", ".join(QUERY_FORMATS))] = "table",
    list_: Annotated[bool, typer.Option("--list", "-l", help="List the named queries.")] = False,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=0, help="At most this many rows (one page, in the query's order).")] = None,
    offset: Annotated[int | None, typer.Option(
        "--offset", min=0, help="Skip this many rows first (with --limit: the next page).")] = None,
    store_url: StoreOption = None,
    store_timeout: StoreTimeoutOption = 60.0,
    root: RootOption = None,
    build_dir: BuildOption = None,
) -> None:
    """Run a named query (or any .rq file) over the built dataset (or --store) and print the result."""
    from sarcoma_graph.catalogue import find_query, paged
    from sarcoma_graph.store import QueryError

    proj = project(root, build_dir)
    if list_:
        _list_queries(proj.queries_dir)
        return
    if name is None:
        raise InputError("name a query (see `sarcoma-graph query --list`)")
    named = find_query(proj.queries_dir, name)
    values = _params(param or [])
    text = _bind(named, values)
    try:
        text = paged(text, limit, offset)
    except ValueError as error:
        raise InputError(f"{named.path}: {error}") from None
    if fmt not in QUERY_FORMATS:
        raise InputError(f"unknown --format {fmt!r} (known: {', '.join(QUERY_FORMATS)})")
    store = dataset_store(proj, store_url, store_timeout)
    try:
        result = store.query(text)
    except QueryError as error:
        raise _in_file(named, text, error) from None
    _print_result(result, fmt)
    _note_missing_graphs(store, named)
    _note_absent_iris(store, named, values)


def _note_absent_iris(store: Store, named: NamedQuery, values: dict[str, str]) -> None:
    """On stderr: the IRIs given as parameters that name nothing in the dataset."""
    from sarcoma_graph.catalogue import absent_iris

    for iri in absent_iris(store, named, values):
        err.print(f"note: nothing in the dataset is called <{iri}>: check the spelling "
                  "(`sarcoma-graph query` answers about what the graph names)", soft_wrap=True)


def _note_missing_graphs(store: Store, named: NamedQuery) -> None:
    """On stderr, after the answer: the graphs the query needs (``#+ needs:``) that the dataset
    lacks, so that an empty or partial answer is not read as a finding (review r15 F4)."""
    from sarcoma_graph.namespaces import graph_iri

    lacking = [name for name in named.needs
               if not store.query(f"ASK {{ GRAPH <{graph_iri(name)}> {{ ?s ?p ?o }} }}").boolean]
    if lacking:
        err.print(f"note: {named.name} needs the named graph {' and '.join(lacking)}, which the "
                  "dataset does not hold: its answer is empty or incomplete. Add CIViC with "
                  "`sarcoma-graph import civic DIR`, then `build`.", soft_wrap=True)


def _in_file(named: NamedQuery, sent: str, error: QueryError) -> InputError:
    """A syntax error as ``file:line:column: message``, for an editor to jump to: the lines a
    bound ``VALUES`` block added to the text sent are taken off again."""
    where = str(named.path)
    if error.line is not None:
        line = _file_line(named.text, sent, error.line)
        if line is not None:
            where += f":{line}" + (f":{error.column}" if error.column is not None else "")
    return InputError(f"{where}: {error.message}")


def _file_line(original: str, sent: str, line: int) -> int | None:
    """The file's line for a line of the sent text (``None``: a line of the added block)."""
    same = next((i for i, (a, b) in enumerate(zip(original, sent, strict=False)) if a != b),
                min(len(original), len(sent)))
    first_changed = original.count("\n", 0, same) + 1
    added = sent.count("\n") - original.count("\n")
    if line < first_changed or not added:
        return line
    if line < first_changed + added:
        return None
    return line - added


def _list_queries(folder: Path) -> None:
    """Every named query: name, parameters and title (full, never cut)."""
    from sarcoma_graph.catalogue import load_catalogue

    grid = table("name", "parameters", "title")
    for query in load_catalogue(folder):
        grid.add_row(query.name, ", ".join(p.name for p in query.parameters), query.title)
    out.print(grid)


def _bind(named: NamedQuery, values: dict[str, str]) -> str:
    """The query text with the parameters as VALUES (standard SPARQL, see catalogue.py)."""
    try:
        return named.bind(values)
    except ValueError as error:
        raise InputError(str(error)) from None


def _print_result(result: object, fmt: str) -> None:
    from sarcoma_graph.namespaces import prefix_map
    from sarcoma_graph.plumbing.formats import rdf_syntax, results_syntax
    from sarcoma_graph.plumbing.results import NotInXml, serialize_graph, serialize_results

    try:
        if result.kind == "graph":  # type: ignore[attr-defined]
            syntax = rdf_syntax("turtle" if fmt in ("table", "json", "csv", "tsv", "xml") else fmt)
            body = serialize_graph(result, syntax, prefix_map())  # type: ignore[arg-type]
        elif fmt == "table":
            _table(result)
            return
        elif fmt not in ("csv", "tsv", "json", "xml"):
            raise InputError(f"a SELECT/ASK result cannot be written as {fmt}")
        else:
            body = serialize_results(result, results_syntax(fmt))  # type: ignore[arg-type]
    except NotInXml as error:  # said before a byte is written
        raise InputError(str(error).replace("ask for", "use --format")) from None
    sys.stdout.buffer.write(body)


def _table(result: object) -> None:
    from sarcoma_graph.namespaces import compress

    if result.kind == "ask":  # type: ignore[attr-defined]
        out.print("true" if result.boolean else "false")  # type: ignore[attr-defined]
        return
    grid = table(*result.variables)  # type: ignore[attr-defined]
    for row in result.rows:  # type: ignore[attr-defined]
        cells = []
        for term in row:
            text = "" if term is None else term.value
            cells.append((compress(text) or text) if term is not None and hasattr(term, "value")
                         and type(term).__name__ == "NamedNode" else text)
        grid.add_row(*cells)
    out.print(grid)
    err.print(f"{len(result.rows)} row(s)")  # type: ignore[attr-defined]


def export_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f",
                                     metavar="turtle|ntriples|nquads|trig|jsonld|rdfxml",
                                     help="turtle, ntriples, nquads, trig, jsonld, rdfxml")]
    = "turtle",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write (default, or -: stdout).")]
    = None,
    graph: Annotated[list[str] | None, typer.Option("--graph", "-g", metavar="NAME|IRI",
                                                     help="Named graph (repeatable): "
                                                     "a name like curated or a full IRI.")] = None,
    release: Annotated[Path | None, typer.Option("--release", hidden=True, file_okay=False,
                                                 help="Same as `sarcoma-graph release DIR`.")] = None,
    store_url: StoreOption = None,
    store_timeout: StoreTimeoutOption = 60.0,
    root: RootOption = None,
    build_dir: BuildOption = None,
    quiet: QuietOption = False,
) -> None:
    """Write the dataset (or some graphs) deterministically; the release set is `release DIR`."""
    from sarcoma_graph.export import export
    from sarcoma_graph.namespaces import prefix_map

    proj = project(root, build_dir)
    if output == Path("-"):  # the usual spelling of standard output (rapper, riot, curl)
        output = None
    if release is None and store_url is None and _syntax(fmt).name == "turtle":
        chosen = _saved_graphs(proj, graph)
        if chosen is not None:  # streamed from the saved file: no store to load or open
            _export_turtle(None, chosen, output, quiet, proj.dataset_path)
            return
    store = dataset_store(proj, store_url, store_timeout)
    if release is not None:  # the older spelling of `sarcoma-graph release DIR`
        from sarcoma_graph.cli.release import write

        write(store, proj, release, quiet)
        return
    syntax = _syntax(fmt)
    names = _graph_names(graph, store.named_graphs())
    if syntax.name == "turtle" and hasattr(store, "_store"):  # streamed: bounded memory
        from sarcoma_graph.dataset import store_dir

        # an on-disk store opened by load_dataset holds the saved dataset: read its file
        saved = proj.dataset_path if store_url is None and store_dir() is not None else None
        _export_turtle(store, names or store.named_graphs(), output, quiet, saved)
        return
    _write(export(store, syntax, prefix_map(), names), output, quiet)


def _write(data: bytes, output: Path | None, quiet: bool) -> None:
    from sarcoma_graph.plumbing.rdfio import write_atomic

    if output is None:
        sys.stdout.buffer.write(data)
    else:
        write_atomic(output, data)
        if not quiet:
            err.print(f"wrote {len(data)} bytes → {output}")


def _saved_graphs(proj: Project, graph: list[str] | None) -> list[str] | None:
    """The named graphs to write as Turtle straight from the saved dataset's file (sorted
    N-Quads, checked against its manifest), in memory or on-disk mode alike: the streamed
    writer reads it twice and holds a few subjects at a time. ``None``: the manifest does not
    list its graphs (ask a store)."""
    from sarcoma_graph.dataset import check_stage

    manifest = check_stage(proj, "reason")
    if not manifest.graphs:
        return None
    present = sorted(g for g, n in manifest.graphs.items() if n)
    return _graph_names(graph, present) or present


def _graph_names(graph: list[str] | None, present: list[str]) -> list[str] | None:
    """The ``--graph`` options as graph IRIs (``None``: every graph); 2 for one not present."""
    from sarcoma_graph.namespaces import GRAPH, graph_iri

    names = [g if g.startswith(("http:", "https:")) else graph_iri(g) for g in graph or []] or None
    unknown = [g for g in names or [] if g not in present]
    if unknown:
        known = ", ".join(g.removeprefix(GRAPH) for g in present)
        raise InputError(f"no graph {', '.join(unknown)} (known: {known})")
    return names


def _syntax(fmt: str) -> RdfSyntax:
    from sarcoma_graph.plumbing.formats import rdf_syntax

    try:
        return rdf_syntax(fmt)
    except ValueError as error:
        raise InputError(str(error)) from None


def _export_turtle(store: Any, graphs: list[str], output: Path | None, quiet: bool,
                   saved: Path | None = None) -> None:
    """Canonical Turtle written as it is made (sorted on disk): the same bytes as the in-memory
    writer, with memory bounded at any size; a file appears whole or not at all. ``saved``: the
    saved dataset the store holds, read instead of the store."""
    from sarcoma_graph.namespaces import prefix_map
    from sarcoma_graph.plumbing.rdfio import atomic_output
    from sarcoma_graph.plumbing.turtle_stream import write_canonical_turtle

    if output is None:
        write_canonical_turtle(store, graphs, prefix_map(), sys.stdout.buffer, dataset=saved)
        return
    with atomic_output(output) as tmp, tmp.open("wb") as handle:
        write_canonical_turtle(store, graphs, prefix_map(), handle, dataset=saved)
    if not quiet:
        err.print(f"wrote {output.stat().st_size} bytes → {output}")


def register(app: typer.Typer) -> None:
    """Add query and export to the app."""
    app.command("query")(command(query_cmd))
    app.command("export")(command(export_cmd))
