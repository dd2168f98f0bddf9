"""``sarcoma-graph release DIR``: the versioned release set of the reasoned dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sarcoma_graph.cli.common import BuildOption, QuietOption, RootOption, command, err, project
from sarcoma_graph.project import Project
from sarcoma_graph.store import Store

TargetArgument = Annotated[Path, typer.Argument(
    help="Folder to write the release set into: new, empty, or a release set written before "
    "(replaced whole).", file_okay=False,
    metavar="DIR")]


def release_cmd(target: TargetArgument, root: RootOption = None, build_dir: BuildOption = None,
                quiet: QuietOption = False) -> None:
    """Write the release set (every syntax, SSSOM, SPARQL examples, VoID/DCAT, checksums) into DIR."""
    from sarcoma_graph.dataset import load_dataset
    from sarcoma_graph.release import check_target

    proj = project(root, build_dir)
    check_target(target.resolve())  # before the dataset is loaded: a refusal costs nothing
    write(load_dataset(proj), proj, target, quiet)


def write(store: Store, proj: Project, target: Path, quiet: bool) -> None:
    """The release set of ``store`` into ``target`` (shared with ``export --release``)."""
    from sarcoma_graph import __version__
    from sarcoma_graph.catalogue import load_catalogue
    from sarcoma_graph.describe import unreleased_notes
    from sarcoma_graph.namespaces import BASE, prefix_map
    from sarcoma_graph.release import write_release
    from sarcoma_graph.sparql_examples import catalogue_quads

    quads = catalogue_quads(load_catalogue(proj.queries_dir), BASE + "sparql")
    files = write_release(store, proj, target, prefix_map(), quads)
    pending = unreleased_notes(proj.root / "CHANGELOG.md")
    if pending:  # said even with --quiet: the set's version does not describe its contents
        err.print(f"warning: CHANGELOG.md has {pending} unreleased entries, so this set, which "
                  f"says version {__version__}, holds changes that version does not name; cut a "
                  "version first (a '## [X.Y.Z] - date' entry, the version in pyproject.toml, "
                  "src/sarcoma_graph/__init__.py, the ontology's owl:versionIRI and the SSSOM "
                  "mapping_set_version)")
    if not quiet:
        err.print(f"release: {len(files)} files → {target}")


def register(app: typer.Typer) -> None:
    """Add ``release`` to the app."""
    app.command("release")(command(release_cmd))
