"""The pipeline end to end on the project's own sources, through the CLI as a user runs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from sarcoma_graph.cli import app
from sarcoma_graph.plumbing.formats import RDF_SYNTAXES

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory, root) -> Path:
    build_dir = tmp_path_factory.mktemp("build")
    assert run("build", "--root", str(root), "--build-dir", str(build_dir), "-q").exit_code == 0
    assert run("reason", "--root", str(root), "--build-dir", str(build_dir), "-q").exit_code == 0
    return build_dir


def test_build_writes_one_graph_per_source(built):
    dataset = ox.Dataset(ox.parse(path=str(built / "dataset.nq"), format=ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in dataset}
    base = "https://w3id.org/sarcoma-graph/graph/"
    assert {base + "ontology", base + "curated", base + "inferred"} <= graphs
    assert (built / "manifest.json").is_file()


@pytest.mark.parametrize("command", ["validate", "qc"])
def test_checks_pass_on_curated_data(built, root, command):
    result = run(command, "--root", str(root), "--build-dir", str(built))
    assert result.exit_code == 0, result.output


def canonical(quads, keep_graphs: bool) -> set[str]:
    """Quads with RDFC-1.0 blank node labels: equal sets mean isomorphic datasets."""
    default = ox.DefaultGraph()
    dataset = ox.Dataset(q if keep_graphs else ox.Quad(q.subject, q.predicate, q.object, default)
                         for q in quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


@pytest.mark.parametrize("syntax", [s.name for s in RDF_SYNTAXES])
def test_export_is_deterministic_and_isomorphic(built, root, tmp_path, syntax):
    outputs = []
    for i in range(2):
        path = tmp_path / f"out{i}"
        result = run("export", "--root", str(root), "--build-dir", str(built), "-f", syntax,
                     "-o", str(path), "-q")
        assert result.exit_code == 0, result.output
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]
    fmt = next(s for s in RDF_SYNTAXES if s.name == syntax)
    store = list(ox.parse(path=str(built / "dataset.nq"), format=ox.RdfFormat.N_QUADS))
    exported = list(ox.parse(outputs[0], format=fmt.oxigraph))
    assert canonical(exported, fmt.datasets) == canonical(store, fmt.datasets)


def test_release_set(built, root, tmp_path):
    target = tmp_path / "release"
    result = run("release", str(target), "--root", str(root), "--build-dir", str(built))
    assert result.exit_code == 0, result.output
    names = {p.name for p in target.iterdir()}
    for stem in ("ontology", "sarcoma-graph", "shapes", "queries"):
        assert {f"{stem}.ttl", f"{stem}.nt", f"{stem}.jsonld", f"{stem}.rdf"} <= names
    sums = dict(line.split("  ")[::-1] for line in (target / "SHA256SUMS").read_text().splitlines())
    import hashlib

    for name, digest in sums.items():
        assert hashlib.sha256((target / name).read_bytes()).hexdigest() == digest
    from sarcoma_graph import __version__

    assert f"owl:versionIRI <https://w3id.org/sarcoma-graph/releases/{__version__}/ontology>" in (
        target / "ontology.ttl").read_text()


def test_edited_turtle_is_canonical(root):
    result = run("normalize", "--check", "--root", str(root))
    assert result.exit_code == 0, result.output


@pytest.fixture
def broken_project(tmp_path, root) -> Path:
    copy = tmp_path / "project"
    for part in ("ontology", "shapes", "queries", "qc", "data"):
        shutil.copytree(root / part, copy / part)
    (copy / "data" / "curated" / "broken.ttl").write_text(
        "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b \"unterminated .\n")
    return copy


def test_syntax_error_names_file_line_and_column(broken_project, tmp_path):
    result = run("build", "--root", str(broken_project), "--build-dir", str(tmp_path / "b"))
    assert result.exit_code == 2
    assert "broken.ttl:3:" in result.output
    assert "Traceback" not in result.output


def test_failed_build_keeps_previous_dataset(broken_project, tmp_path, root):
    build_dir = tmp_path / "b"
    assert run("build", "--root", str(root), "--build-dir", str(build_dir), "-q").exit_code == 0
    before = (build_dir / "dataset.nq").read_bytes()
    assert run("build", "--root", str(broken_project), "--build-dir", str(build_dir)).exit_code == 2
    assert (build_dir / "dataset.nq").read_bytes() == before
    assert not [p for p in build_dir.iterdir() if p.name.endswith(".tmp")]


def test_missing_build_is_a_clear_error(tmp_path, root):
    result = run("validate", "--root", str(root), "--build-dir", str(tmp_path / "nothing"))
    assert result.exit_code == 2
    assert "run `sarcoma-graph build` first" in result.output


def test_unknown_query_lists_the_known_ones(built, root):
    result = run("query", "no-such-query", "--root", str(root), "--build-dir", str(built))
    assert result.exit_code == 2
    assert "no query named 'no-such-query'" in result.output


def test_query_a_file_as_csv(built, root, tmp_path):
    rq = tmp_path / "count.rq"
    rq.write_text("#+ title: count\nSELECT (COUNT(*) AS ?n) WHERE { ?s a "
                  "<https://w3id.org/sarcoma-graph/ontology/Histotype> }\n")
    result = run("query", str(rq), "--format", "csv", "--root", str(root), "--build-dir", str(built))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "n"
    assert int(lines[1]) >= 19


def test_bad_param_is_reported(built, root, tmp_path):
    rq = tmp_path / "p.rq"
    rq.write_text("#+ title: p\n#+ param: s | iri | a subject\nSELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n")
    result = run("query", str(rq), "--param", "s=not an iri", "--root", str(root),
                 "--build-dir", str(built))
    assert result.exit_code == 2
    assert "needs an IRI or a prefixed name such as sggene:KIT" in result.output


def test_default_build_dir_is_inside_the_project(root, monkeypatch):
    from sarcoma_graph.project import Project

    monkeypatch.delenv("SARCOMA_GRAPH_BUILD", raising=False)
    assert Project.discover(root).build_dir == root / "build"
    monkeypatch.setenv("SARCOMA_GRAPH_BUILD", "/tmp/elsewhere")
    assert Project.discover(root).build_dir == Path("/tmp/elsewhere")


def test_stats_counts_as_entities_the_subjects_in_the_uri_space():
    """``sarcoma-graph stats`` counts entities as the VoID description does: distinct subjects
    under the dataset's void:uriSpace, not ontology terms or external IRIs."""
    from sarcoma_graph.namespaces import ID, ONTOLOGY
    from sarcoma_graph.plumbing.formats import rdf_syntax
    from sarcoma_graph.stats import compute_stats
    from sarcoma_graph.store import open_store

    store = open_store("oxigraph")
    g = "https://example.org/g"
    store.load_bytes(f"""
<{ID}agent/a> <{ONTOLOGY}hasTarget> <{ID}gene/b> <{g}> .
<{ID}agent/a> <{ONTOLOGY}p> "x" <{g}> .
<{ID}gene/b> <{ONTOLOGY}p> "y" <{g}> .
<{ONTOLOGY}Agent> <{ONTOLOGY}p> "z" <{g}> .
<http://purl.obolibrary.org/obo/NCIT_C1> <{ONTOLOGY}p> "w" <{g}> .
_:b <{ONTOLOGY}p> "v" <{g}> .
""".encode(), rdf_syntax("nquads"))
    assert compute_stats(store).entities == 2
