"""Subject blocks sorted by IRI from runs on disk (``plumbing/block_runs.py``): copied when the
runs follow each other, merged when a late IRI sorts among earlier runs."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from sarcoma_graph.plumbing.block_runs import SortedBlocks, UnsortedLinesError


def written(blocks: list[tuple[bytes, str]], folder: Path, run_bytes: int, skip: int = 0) -> bytes:
    sorter = SortedBlocks(folder, run_bytes)
    sorter.add_all(blocks)
    out = io.BytesIO()
    sorter.write(out, skip)
    return out.getvalue()


def expected(blocks: list[tuple[bytes, str]], skip: int = 0) -> bytes:
    return b"".join(b"\n\n" + block.encode() for _, block in sorted(blocks))[skip:]


def line_ordered(keys: list[str]) -> list[tuple[bytes, str]]:
    """Blocks in the order of their N-Quads lines (``<key> ...``), which is not IRI order when
    one IRI is a prefix of another followed by a character below ``>``."""
    ordered = sorted(keys, key=lambda k: f"<{k}> ")
    return [(k.encode(), f"<{k}>\n    :p \"{k}\" .") for k in ordered]


@pytest.mark.parametrize("run_bytes", [1, 40, 100, 300, 10_000])
@pytest.mark.parametrize("skip", [0, 2])
def test_runs_of_many_blocks_give_the_blocks_in_iri_order(tmp_path, run_bytes, skip):
    keys = [f"x:s{i}" for i in range(30)] + [f"x:s{i}/{j}" for i in range(0, 30, 3) for j in range(4)]
    keys += [f"x:s{i}-{j}" for i in range(0, 30, 7) for j in range(3)]
    blocks = line_ordered(keys)
    assert [k for k, _ in blocks] != sorted(k for k, _ in blocks)  # some IRIs arrive late
    assert written(blocks, tmp_path, run_bytes, skip) == expected(blocks, skip)


def test_runs_in_random_order_are_merged(tmp_path):
    rng = random.Random(7)
    blocks = [(f"x:{n:05d}".encode(), f"<x:{n:05d}> :p {n} .") for n in range(400)]
    rng.shuffle(blocks)
    assert written(blocks, tmp_path, 500) == expected(blocks)


def test_one_subject_in_two_runs_is_an_error(tmp_path):
    blocks = [(b"x:a", "<x:a> :p 1 ."), (b"x:b", "<x:b> :p 2 ."), (b"x:c", "<x:c> :p 3 ."),
              (b"x:a", "<x:a> :p 4 .")]
    with pytest.raises(UnsortedLinesError, match="x:a"):
        written(blocks, tmp_path, 20)
