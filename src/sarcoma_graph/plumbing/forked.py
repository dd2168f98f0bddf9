"""Jobs run by forked worker processes (one per CPU, :data:`WORKERS` at most), results in order.

Used by ``build``: the import pieces are parsed and sorted, then the sort's buckets merged, by
two workers while this process only gathers. Without ``fork`` (or with one CPU, or one job)
the jobs run here, one after the other, with the same results.

>>> with forked_map(abs, [-1, 2]) as results:
...     list(results)
[1, 2]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

J = TypeVar("J")
R = TypeVar("R")

#: Worker processes at most (the build machines have two cores; more adds memory, not speed).
WORKERS = min(2, os.cpu_count() or 1)


@contextmanager
def forked_map(function: Callable[[J], R], jobs: Sequence[J]) -> Iterator[Iterator[R]]:
    """``map(function, jobs)``, in forked workers when that can help; leaving the block waits
    for the workers (a job's error is raised where its result is taken)."""
    if len(jobs) > 1 and WORKERS > 1 and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
            yield pool.map(function, jobs)
    else:
        yield map(function, jobs)
