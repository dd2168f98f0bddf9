"""Where a project's edited sources and generated artefacts live.

Edited sources: ``ontology/``, ``shapes/``, ``queries/``, ``qc/``, ``data/curated/``,
``data/mappings/``. Generated: ``build/`` (the dataset between stages, imports, reports) and
release directories. A source checkout is found from the working directory upwards; an
installed wheel carries the edited sources as package resources.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sarcoma_graph.errors import InputError


@dataclass(frozen=True)
class Project:
    """The edited sources of the graph and the build directory for generated artefacts."""

    root: Path
    build_dir: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def qc_dir(self) -> Path:
        return self.root / "qc"

    @property
    def curated_dir(self) -> Path:
        return self.root / "data" / "curated"

    @property
    def mappings_dir(self) -> Path:
        return self.root / "data" / "mappings"

    @property
    def imports_dir(self) -> Path:
        """Imported sources, one N-Quads file per source (written by ``import``)."""
        return self.build_dir / "imports"

    @property
    def dataset_path(self) -> Path:
        """The built dataset handed from stage to stage and loaded by ``serve``."""
        return self.build_dir / "dataset.nq"

    @property
    def manifest_path(self) -> Path:
        return self.build_dir / "manifest.json"

    @classmethod
    def discover(cls, root: Path | None = None, build_dir: Path | None = None) -> Project:
        """The project at ``root``, ``$SARCOMA_GRAPH_ROOT``, a parent of the cwd, or the package."""
        candidates = [root] if root else []
        if os.environ.get("SARCOMA_GRAPH_ROOT"):
            candidates.append(Path(os.environ["SARCOMA_GRAPH_ROOT"]))
        if not candidates:
            cwd = Path.cwd().resolve()
            candidates += [cwd, *cwd.parents]
            candidates.append(Path(__file__).resolve().parent / "resources")  # installed wheel
        for candidate in candidates:
            if _is_project(candidate):
                env_build = os.environ.get("SARCOMA_GRAPH_BUILD")
                build = build_dir or (Path(env_build) if env_build else _default_build(candidate))
                return cls(candidate, build)
        raise InputError(_not_found(candidates[0]))


def _is_project(folder: Path) -> bool:
    return (folder / "ontology").is_dir() and (folder / "shapes").is_dir()


def _not_found(where: Path) -> str:
    """The message for a folder that holds no project, with the checkout to use if there is one.

    The editable checkout this package is installed from is never picked silently: building
    there from elsewhere would overwrite its dataset.
    """
    message = f"{where}: no sarcoma-graph project here or above (a folder with ontology/ and shapes/)"
    checkout = Path(__file__).resolve().parents[2]
    if _is_project(checkout):
        return (f"{message}; this command is installed from the checkout {checkout}: "
                f"run it there or pass --root {checkout}")
    return f"{message}; run from a clone of the project or pass --root"


def _default_build(root: Path) -> Path:
    if (root / "pyproject.toml").is_file():
        return root / "build"
    return Path.cwd() / "build"  # an installed package writes beside the user
