"""Shared fixtures: the project root, the shared data beside it, and store factories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SARCOMA_GRAPH_SHARED", ROOT.parent / "shared"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, how_to_fix: str) -> None:
    """Skip on a user's machine when a dependency is missing; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing dependency under CI: {how_to_fix}")
    pytest.skip(how_to_fix)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared() -> Path:
    require(SHARED.is_dir(), f"../shared is missing beside the project ({SHARED}); "
            "clone the project next to its shared/ folder")
    return SHARED
