"""External identifiers as the community writes them (review r13, I4).

Our CURIE prefixes are the ones sssom-py's converter (the Bioregistry's) gives for our IRIs, so
that a merge of our mapping set with Mondo's, or any other SSSOM set, has one prefix per
resource; and our Orphanet identifiers are ORDO's IRIs, the ones Mondo and ORDO write, so that
a join by IRI with their data finds the same diseases.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from sarcoma_graph.mappings import NO_TERM, MappingSet, read_sssom
from sarcoma_graph.namespaces import PROJECT_PREFIXES, W3C_PREFIXES, prefix_map

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = sorted((ROOT / "data" / "mappings").glob("*.sssom.tsv"))
MONDO_ORPHANET = "mondo_exactmatch_orphanet.sssom.tsv"
#: Prefixes of our own IRIs and of the vocabularies the SSSOM format itself uses.
NOT_EXTERNAL = frozenset({*PROJECT_PREFIXES, *W3C_PREFIXES, "sarcomagraph"})


@cache
def sssom_converter() -> Any:
    from sssom.context import get_converter

    return get_converter()


def object_iris(mapping_set: MappingSet) -> list[tuple[str, str]]:
    """``(CURIE, IRI)`` of every object of a mapping set, expanded with its own curie_map."""
    return [(row["object_id"], mapping_set.expand(row["object_id"], line))
            for line, row in enumerate(mapping_set.rows, start=mapping_set.first_line)
            if row["object_id"].lower() not in NO_TERM]


@pytest.mark.parametrize("path", MAPPINGS, ids=lambda p: p.name)
def test_our_prefixes_are_the_ones_sssom_py_gives_for_our_iris(path: Path) -> None:
    """sssom-py compresses each of our object IRIs to exactly the prefix our CURIE has."""
    mapping_set = read_sssom(path)
    used = set()
    for curie, iri in object_iris(mapping_set):
        prefix = curie.split(":", 1)[0]
        used.add(prefix)
        theirs = sssom_converter().compress(iri)
        assert theirs is not None and theirs.split(":", 1)[0] == prefix, (curie, iri, theirs)
    external = set(mapping_set.curie_map) - NOT_EXTERNAL
    assert external <= used, f"curie_map prefixes no object uses: {sorted(external - used)}"


@pytest.mark.parametrize("path", MAPPINGS, ids=lambda p: p.name)
def test_the_writers_prefixes_are_the_curie_maps(path: Path) -> None:
    """The Turtle, JSON-LD and SSSOM/RDF writers (the project's prefix map) name each external
    namespace of the mapping set as its curie_map does."""
    ours = {uri: prefix for prefix, uri in prefix_map().items()}
    for prefix, uri in read_sssom(path).curie_map.items():
        if prefix not in NOT_EXTERNAL:
            assert ours.get(uri) == prefix, (prefix, uri, ours.get(uri))


def test_our_orphanet_objects_are_iris_of_mondos_orphanet_mappings(shared: Path) -> None:
    """A join by IRI with Mondo's (and ORDO's) Orphanet identifiers finds our histotypes: each
    mapping set is expanded with its own curie_map."""
    mondo = read_sssom(shared / "data" / "reference" / MONDO_ORPHANET)
    theirs = {iri for _, iri in object_iris(mondo)}
    assert "http://www.orpha.net/ORDO/Orphanet_3389" in theirs  # Mondo's form, as its file writes it
    (ours,) = [read_sssom(path) for path in MAPPINGS]
    rows = list(enumerate(ours.rows, start=ours.first_line))
    orphanet = {ours.expand(row["object_id"], line): row["subject_id"] for line, row in rows
                if row["object_id"].split(":", 1)[0].lower() == "orphanet"}
    assert sum(subject.startswith("sgid:histotype/") for subject in orphanet.values()) >= 15
    assert set(orphanet) <= theirs, f"not Mondo's Orphanet IRIs: {sorted(set(orphanet) - theirs)[:5]}"


def _validation_problems(msdf: Any) -> dict[str, object]:
    from sssom.validators import validate

    results = validate(msdf, fail_on_error=False)
    return {str(kind): report.results for kind, report in results.items() if report.results}


def test_sssom_validate_accepts_the_releases_mapping_set_and_its_merge_with_mondos(
        release_dir: Path, shared: Path) -> None:
    """sssom-py's validator reads the release's SSSOM/TSV; merged with Mondo's Orphanet set
    (sssom-py's ``merge_msdf``) it is still valid, and each resource has one prefix in the
    merge's rows (never ``ORPHANET:`` beside ``Orphanet:``)."""
    import bioregistry
    from sssom.parsers import parse_sssom_table
    from sssom.util import merge_msdf

    files = sorted(release_dir.glob("*.sssom.tsv"))
    assert files
    mondo = parse_sssom_table(shared / "data" / "reference" / MONDO_ORPHANET)
    for path in files:
        ours = parse_sssom_table(path)
        assert _validation_problems(ours) == {}, path.name
        merged = merge_msdf(ours, mondo)
        assert _validation_problems(merged) == {}, path.name
        used = {str(curie).split(":", 1)[0] for column in ("subject_id", "object_id")
                for curie in merged.df[column] if ":" in str(curie)}
        by_resource: dict[str, set[str]] = {}
        for prefix in used:
            by_resource.setdefault(bioregistry.normalize_prefix(prefix) or prefix, set()).add(prefix)
        assert {r: p for r, p in by_resource.items() if len(p) > 1} == {}, path.name


def test_the_releases_json_ld_context_has_the_curie_maps_prefixes(release_dir: Path) -> None:
    context = json.loads((release_dir / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    (mapping_set,) = [read_sssom(path) for path in MAPPINGS]
    for prefix, uri in mapping_set.curie_map.items():
        if prefix not in NOT_EXTERNAL:
            term = context.get(prefix)
            assert (term if isinstance(term, str) else (term or {}).get("@id")) == uri, prefix
    assert "ORPHANET" not in context and "HGNC" not in context


def test_normalize_rewrites_a_declared_prefix_with_the_maps_name() -> None:
    """An edited Turtle file that declares ``ONCOTREE:`` is written with the map's ``oncotree:``."""
    from sarcoma_graph.normalise import merged_prefixes

    oncotree = prefix_map()["oncotree"]
    merged = merged_prefixes({"ONCOTREE": oncotree, "ex": "http://example.org/"})
    assert "ONCOTREE" not in merged and merged["oncotree"] == oncotree
    assert merged["ex"] == "http://example.org/"
