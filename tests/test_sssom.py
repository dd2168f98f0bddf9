"""The SSSOM mapping set: valid for sssom-py, lossless through RDF, justified like a curator would.

sssom-py (the reference implementation) validates the TSV, reads back the release's
SSSOM/RDF and its own RDF form: rows, comments, ``sssom:NoTermFound`` rows and the set's
metadata (licence, creators, description, version) must all come back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sarcoma_graph.mappings import read_sssom

MAPPINGS = Path(__file__).resolve().parents[1] / "data" / "mappings"
SET_KEYS = ("mapping_set_id", "license", "creator_id", "mapping_set_description",
            "mapping_set_version", "mapping_set_title", "publication_date")
# Look-up traces that are not a curator's evidence (issue 10).
TRACES = re.compile(r"budget|search tool|hit id|read_file|find_string|look-up|shared/data/",
                    re.IGNORECASE)


def sssom_files() -> list[Path]:
    return sorted(MAPPINGS.glob("*.sssom.tsv"))


def _rows(msdf) -> list[tuple]:
    """Rows with every CURIE expanded (each side may compress differently), record_id aside."""
    frame = msdf.df.fillna("").astype(str)
    out = []
    for row in frame.to_dict("records"):
        row.pop("record_id", None)
        for key in ("subject_id", "predicate_id", "object_id", "mapping_justification"):
            row[key] = msdf.converter.expand(row[key]) or row[key]
        out.append(tuple(sorted(row.items())))
    return sorted(out)


def _metadata(msdf) -> dict[str, object]:
    meta = {k: msdf.metadata.get(k) for k in SET_KEYS}
    meta["creator_id"] = sorted(msdf.converter.expand(c) or c for c in meta["creator_id"] or [])
    return meta


@pytest.mark.parametrize("path", sssom_files(), ids=lambda p: p.name)
def test_sssom_validate_passes(path: Path):
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    results = validate(parse_sssom_table(path), fail_on_error=False)
    problems = {str(kind): report.results for kind, report in results.items() if report.results}
    assert problems == {}


@pytest.mark.parametrize("path", sssom_files(), ids=lambda p: p.name)
def test_creators_are_curies_of_the_curie_map(path: Path):
    mapping_set = read_sssom(path)
    creators = mapping_set.metadata["creator_id"]
    assert creators
    for creator in creators:
        prefix, _, local = str(creator).partition(":")
        assert local and prefix in mapping_set.curie_map and not local.startswith("//"), creator


@pytest.mark.parametrize("path", sssom_files(), ids=lambda p: p.name)
def test_comments_read_as_curator_evidence(path: Path):
    for row in read_sssom(path).rows:
        comment = row["comment"]
        assert not TRACES.search(comment), comment
        if row["object_id"].lower() != "sssom:notermfound":
            assert comment.startswith(row["object_id"] + " listed in "), comment
        else:
            assert comment.startswith(("[", "Searched ")), comment


def test_release_rdf_reads_back_in_sssom_py_without_loss(release_dir: Path):
    from sssom.parsers import parse_sssom_rdf, parse_sssom_table

    for tsv in sorted(release_dir.glob("*.sssom.tsv")):
        table = parse_sssom_table(tsv)
        rdf = parse_sssom_rdf(tsv.with_suffix(".ttl"))
        assert _rows(rdf) == _rows(table)
        assert _metadata(rdf) == _metadata(table)
        assert any("NoTermFound" in str(r) for r in _rows(rdf))
        assert rdf.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"


@pytest.mark.parametrize("path", sssom_files(), ids=lambda p: p.name)
def test_sssom_py_own_rdf_round_trip_is_lossless(path: Path, tmp_path: Path):
    from sssom.parsers import parse_sssom_rdf, parse_sssom_table
    from sssom.writers import write_rdf

    table = parse_sssom_table(path)
    out = tmp_path / "set.ttl"
    with out.open("w") as handle:
        write_rdf(table, handle)
    back = parse_sssom_rdf(out)
    assert _rows(back) == _rows(table)
    assert _metadata(back) == _metadata(table)
