"""The reader pages of external identifiers (``serve/pages/readers.py``) are the ones recorded in
``data/mappings/reader_pages.tsv`` with where each was seen; those seen in the Bioregistry are
checked against the installed Bioregistry's own ``bioregistry.json``."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from importlib import resources
from importlib.metadata import version
from pathlib import Path

import pytest

from sarcoma_graph.serve.pages.readers import READERS, reader_url

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "data" / "mappings" / "reader_pages.tsv"
REGISTRY = "bioregistry "
ROWS = list(csv.DictReader(TABLE.open(encoding="utf-8", newline=""), delimiter="\t"))


def registry() -> dict[str, object]:
    data: dict[str, object] = json.loads(
        resources.files("bioregistry").joinpath("data", "bioregistry.json").read_text("utf-8"))
    return data


def strings(node: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """``(dotted path, value)`` of every string in a JSON value."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, (*path, str(index)))
    elif isinstance(node, str):
        yield ".".join(path), node


def test_the_table_and_the_code_agree_and_say_where_each_page_was_seen():
    assert {row["prefix"]: row["template"] for row in ROWS} == READERS
    assert all(row["checked_in"].strip() for row in ROWS)
    assert all(row["template"].count("{id}") == 1 for row in ROWS)


@pytest.mark.parametrize("row", [r for r in ROWS if r["checked_in"].startswith(REGISTRY)],
                         ids=lambda r: r["prefix"])
def test_a_registry_template_is_in_the_bioregistry_file(row):
    where = row["checked_in"].split("#", 1)[1]
    key = where.split(".", 1)[0]
    record = registry()[key]
    wanted = row["template"].replace("{id}", "$1")
    found = {path for path, value in strings(record, (key,)) if value == wanted}
    assert found, f"{row['prefix']}: {wanted} is no longer in the Bioregistry: check it again"
    recorded = row["checked_in"][len(REGISTRY):].split(":", 1)[0]
    if version("bioregistry") == recorded:  # the very file the row was checked in
        assert where in found


def test_reader_urls_fill_the_local_identifier():
    assert reader_url("http://purl.obolibrary.org/obo/ECO_0000269") == \
        "https://www.ebi.ac.uk/QuickGO/term/ECO:0000269"
    assert reader_url("http://purl.obolibrary.org/obo/DOID_162") == \
        "https://www.ebi.ac.uk/ols4/ontologies/doid/terms?obo_id=DOID:162"
    # review r13 I4: Orphanet identifiers are ORDO's IRIs, HGNC's CURIE prefix is hgnc
    assert reader_url("http://www.orpha.net/ORDO/Orphanet_3389") == \
        "https://www.orpha.net/en/disease/detail/3389"
    assert reader_url("https://identifiers.org/hgnc:6342") == \
        "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:6342"
