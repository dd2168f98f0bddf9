"""Scanning time of the SPARQL scanner against the size of the text (issue 8, defect 2).

Run: ``python bench/scanner.py``. Prints, for shapes that made the old regex lexer
quadratic and a few others, the time per size; the time per kilobyte must stay flat.
Figures depend on the machine: compare rows, not absolute numbers.
"""

from __future__ import annotations

import time

from sarcoma_graph.plumbing.scanner import scan

SHAPES = {
    "escaped quotes after a comment (old lexer: 120 KB = 40 s)": lambda n: 'ASK {} #\n"' + '\\"' * n,
    "SERVICE + VALUES (old guard: 1.29 MB = 18 s)": lambda n: (
        "SELECT * { SERVICE <http://x/> {} VALUES ?x { " + " ".join(f'"v{i}"' for i in range(n)) + "}}"),
    "chained < operators": lambda n: "ASK { FILTER(" + "?a<" * n + "1) }",
    "failed IRI openings": lambda n: "ASK { " + "<)" * n + "}",
    "nested groups": lambda n: "ASK " + "{" * n + "}" * n,
    "triples with escaped names": lambda n: "PREFIX ex: <http://e/> SELECT * { SERVICE <http://x/> {}"
    + " ?s ex:a\\# ?o ." * n + "}",
}


def main() -> None:
    for name, make in SHAPES.items():
        cells = []
        for n in (5_000, 20_000, 80_000, 320_000):
            text = make(n)
            start = time.perf_counter()
            scan(text)
            elapsed = time.perf_counter() - start
            rate = elapsed / len(text) * 1e6
            cells.append(f"{len(text) / 1000:>7.0f} KB {elapsed:6.2f} s ({rate:5.2f} µs/B)")
        print(f"{name}\n  " + "\n  ".join(cells))


if __name__ == "__main__":
    main()
