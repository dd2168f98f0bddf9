"""Benchmark: import a whole CIViC release with --all, then reason and validate the dataset.

Reports wall time and the process's peak RSS (resource.getrusage, which includes the Rust
stores) for each stage, and with --trace the tracemalloc peak of Python allocations:

    .venv/bin/python bench/civic_import.py [RELEASE_DIR] [--reference DIR] [--sarcoma-only]
        [--trace] [--no-validate]

The import runs against a temporary copy of the project's build directory, so the project's
own build/ is left alone. Stages: import (read, crosswalk, transform, link, write civic.nq),
build (load every source and import), reason (``sarcoma_graph.reason.materialise``), validate
(``sarcoma_graph.validate.validate`` with the project's shapes/).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


TRACE = {"on": False}


def measure(name: str, action: Callable[[], object], results: list[dict]) -> object:
    """Run one stage, recording its time, the process's peak RSS and (--trace) tracemalloc's peak."""
    if TRACE["on"]:
        tracemalloc.start()
    start = time.perf_counter()
    value = action()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if TRACE["on"] else None
    tracemalloc.stop()
    results.append({"stage": name, "seconds": round(seconds, 2), "max_rss_mib": round(rss_mib(), 1),
                    "python_peak_mib": None if peak is None else round(peak, 1)})
    traced = "" if peak is None else f"  python peak {peak:7.1f} MiB"
    print(f"{name:>9}: {seconds:7.2f} s  max RSS {rss_mib():7.1f} MiB{traced}", file=sys.stderr,
          flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("release", nargs="?", type=Path,
                        default=ROOT.parent / "shared" / "data" / "civic-2024-08-01")
    parser.add_argument("--reference", type=Path, default=None)
    parser.add_argument("--sarcoma-only", action="store_true", help="Import without --all.")
    parser.add_argument("--trace", action="store_true",
                        help="Also measure Python allocations with tracemalloc (slows pyshacl ~3x).")
    parser.add_argument("--no-validate", action="store_true", help="Stop after reasoning.")
    args = parser.parse_args()
    TRACE["on"] = args.trace

    sys.path.insert(0, str(ROOT / "src"))
    from sarcoma_graph.build import build
    from sarcoma_graph.importers.civic.pipeline import import_civic
    from sarcoma_graph.project import Project
    from sarcoma_graph.reason import materialise
    from sarcoma_graph.validate import validate

    project = Project(ROOT, Path(tempfile.mkdtemp(prefix="civic-bench-")))
    results: list[dict] = []
    report = measure("import", lambda: import_civic(
        project, args.release, all_items=not args.sarcoma_only, reference_dir=args.reference),
        results)
    store, _ = measure("build", lambda: build(project), results)
    reasoning = measure("reason", lambda: materialise(store), results)
    validation = None if args.no_validate else measure(
        "validate", lambda: validate(store, project.shapes_dir), results)
    summary = {
        "release": report.release, "parsed": report.parsed, "imported": report.imported,
        "selected": report.selected, "skipped": dict(report.skipped), "links": report.links,
        "civic_quads": report.quads, "dataset_quads": store.count(),
        "inferred": reasoning.inferred,
        "shacl_violations": None if validation is None else len(validation.violations),
        "stages": results,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
