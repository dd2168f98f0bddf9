"""Keeping Python's own overhead out of the stages that build millions of small objects."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block.

    Building a million tuples, sets and dicts (the reasoner's closure, the Turtle writer's
    index) triggers full collections that walk every one of them again and again: a third of
    the export's time. These structures hold no reference cycle, so reference counting frees
    them all the same; the collector resumes (if it was on) when the block ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def without_gc(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` under :func:`gc_paused`."""
    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with gc_paused():
            return function(*args, **kwargs)
    return run
