"""The release set as a contract: its description, checksums, permissions, licences, citation."""

from __future__ import annotations

import hashlib
import json
import re
import stat
import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from sarcoma_graph import __version__
from sarcoma_graph.describe import release_date
from sarcoma_graph.errors import InputError

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
RELEASE = f"https://w3id.org/sarcoma-graph/releases/{__version__}/"


def one(store: ox.Store, sparql: str) -> list[ox.QuerySolution]:
    return list(store.query("PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: "
                            "<http://purl.org/dc/terms/> PREFIX void: <http://rdfs.org/ns/void#> "
                            "PREFIX spdx: <http://spdx.org/rdf/terms#> " + sparql))


@pytest.fixture(scope="module")
def void(release_dir: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(release_dir / "void.ttl"), format=ox.RdfFormat.TURTLE)
    return store


def test_sha256sums_cover_every_file(release_dir: Path):
    listed = {}
    for line in (release_dir / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.name for p in release_dir.iterdir()} - {"SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((release_dir / name).read_bytes()).hexdigest() == digest, name


def test_release_is_world_readable(release_dir: Path):
    mode = stat.S_IMODE(release_dir.stat().st_mode)
    assert mode & 0o005 == 0o005, oct(mode)
    for path in release_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o004, path.name


def test_release_ships_licence_citation_and_changelog(release_dir: Path, root: Path):
    for name in ("LICENSE-DATA", "CITATION.cff", "CHANGELOG.md"):
        assert (release_dir / name).read_bytes() == (root / name).read_bytes()


def test_description_names_version_date_licence_endpoint(void: ox.Store, root: Path):
    (row,) = one(void, """SELECT ?d ?v ?issued ?lic ?ep ?n WHERE { ?d a dcat:Dataset, void:Dataset ;
        dcat:version ?v ; dct:issued ?issued ; dct:license ?lic ; void:sparqlEndpoint ?ep ;
        void:triples ?n ; dct:creator ?c }""")
    assert row["d"].value == RELEASE + "dataset"
    assert row["v"].value == __version__
    assert row["issued"].value == release_date(root / "CHANGELOG.md", __version__)
    assert row["issued"].datatype.value.endswith("#date")
    assert row["lic"].value == "https://creativecommons.org/licenses/by/4.0/"
    assert row["ep"].value == "https://w3id.org/sarcoma-graph/sparql"


def test_description_counts_the_dataset(void: ox.Store, release_dir: Path):
    (row,) = one(void, "SELECT ?n WHERE { ?d void:triples ?n }")
    quads = sum(1 for _ in ox.parse(path=str(release_dir / "sarcoma-graph.nq"),
                                    format=ox.RdfFormat.N_QUADS))
    assert int(row["n"].value) == quads


def test_every_file_is_a_distribution_with_size_and_checksum(void: ox.Store, release_dir: Path):
    rows = one(void, """SELECT ?url ?size ?sum ?media WHERE { ?d dcat:distribution ?x .
        ?x dcat:downloadURL ?url ; dcat:byteSize ?size ; dcat:mediaType ?media ;
           spdx:checksum [ spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue ?sum ] }""")
    described = {r["url"].value.removeprefix(RELEASE): r for r in rows}
    assert set(described) == {p.name for p in release_dir.iterdir()} - {"SHA256SUMS", "void.ttl"}
    for name, r in described.items():
        data = (release_dir / name).read_bytes()
        assert int(r["size"].value) == len(data), name
        assert r["sum"].value == hashlib.sha256(data).hexdigest(), name
        assert r["media"].value.startswith("https://www.iana.org/assignments/media-types/"), name


def test_dumps_and_examples(void: ox.Store, release_dir: Path):
    dumps = {r["u"].value.removeprefix(RELEASE) for r in one(void, "SELECT ?u { ?d void:dataDump ?u }")}
    assert dumps == {f"sarcoma-graph{e}" for e in (".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf")}
    examples = {r["e"].value for r in one(void, """SELECT ?e {
        ?d <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?e .
        ?e a <http://www.w3.org/ns/shacl#SPARQLExecutable> }""")}
    catalogue = ox.Store()
    catalogue.load(path=str(release_dir / "queries.ttl"), format=ox.RdfFormat.TURTLE)
    published = {r["e"].value for r in catalogue.query(
        "SELECT ?e { ?e a <http://www.w3.org/ns/shacl#SPARQLExecutable> }")}
    assert examples == published and len(examples) >= 20


# --- JSON-LD ----------------------------------------------------------------------------------------

def test_every_jsonld_file_has_the_context(release_dir: Path):
    context = json.loads((release_dir / "context.jsonld").read_text())["@context"]
    assert context["owl"] == "http://www.w3.org/2002/07/owl#"
    assert not {"http", "https", "_"} & set(context)
    for path in release_dir.glob("*.jsonld"):
        if path.name != "context.jsonld":
            assert json.loads(path.read_text())["@context"] == context, path.name


def test_the_context_expands_obo_curies_in_json_ld_1_1(release_dir: Path):
    """Review r13 I3: OBO namespaces end in ``_``, which JSON-LD 1.1 takes as a prefix only
    with ``"@prefix": true``; "CHEBI:45783" stayed a string in rdflib, oxigraph and pyld."""
    context = json.loads((release_dir / "context.jsonld").read_text())["@context"]
    document = json.dumps({"@context": context, "@id": "CHEBI:45783", "NCIT:C3750": {"@id": "hgnc:6342"}})
    found = [(q.subject.value, q.predicate.value) for q in ox.parse(document.encode(),
                                                                       format=ox.RdfFormat.JSON_LD)]
    obo = "http://purl.obolibrary.org/obo/"
    assert found == [(obo + "CHEBI_45783", obo + "NCIT_C3750")]
    for name, term in context.items():
        namespace = term if isinstance(term, str) else term["@id"]
        assert isinstance(term, str) == namespace.endswith(tuple(":/?#[]@")), name


def test_ontology_jsonld_has_no_named_graph_but_the_dataset_keeps_them(release_dir: Path):
    ontology = json.loads((release_dir / "ontology.jsonld").read_text())["@graph"]
    assert ontology and not any("@graph" in node for node in ontology)
    dataset = json.loads((release_dir / "sarcoma-graph.jsonld").read_text())["@graph"]
    assert {node["@id"] for node in dataset if "@graph" in node} >= {
        "https://w3id.org/sarcoma-graph/graph/ontology", "https://w3id.org/sarcoma-graph/graph/curated"}
    parsed = list(ox.parse(path=str(release_dir / "ontology.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert parsed and all(isinstance(q.graph_name, ox.DefaultGraph) for q in parsed)


# --- licences, citation, changelog -----------------------------------------------------------------

def test_licences_agree_with_pyproject_and_readme(root: Path):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT AND CC-BY-4.0"
    assert sorted(project["license-files"]) == ["LICENSE", "LICENSE-DATA"]
    assert (root / "LICENSE").read_text().startswith("MIT License\n")
    data = (root / "LICENSE-DATA").read_text()
    assert "CC-BY-4.0" in data and "https://creativecommons.org/licenses/by/4.0/legalcode" in data
    readme = (root / "README.md").read_text()
    assert "Code: MIT" in readme and "CC BY 4.0" in readme


def test_citation_cff_matches_the_release(root: Path):
    cff = yaml.safe_load((root / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == __version__
    assert str(cff["date-released"]) == release_date(root / "CHANGELOG.md", __version__)
    assert cff["license"] == "CC-BY-4.0"
    assert cff["title"] and cff["authors"] and cff["message"]


def test_changelog_has_an_entry_per_version(root: Path, tmp_path: Path):
    text = (root / "CHANGELOG.md").read_text()
    assert re.search(rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text, re.M)
    with pytest.raises(InputError, match=r"no entry '## \[9\.9\.9\]"):
        release_date(root / "CHANGELOG.md", "9.9.9")
    with pytest.raises(InputError, match="missing"):
        release_date(tmp_path / "CHANGELOG.md", __version__)


def test_unreleased_changelog_entries_are_counted(tmp_path: Path):
    """Review r13 F1: a build claimed version 0.1.0 while the changelog listed later changes;
    `release` warns when [Unreleased] holds entries."""
    from sarcoma_graph.describe import unreleased_notes

    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## [Unreleased]\n\n### Fixed\n- one\n- two\n  more\n\n"
                         "## [0.2.0] - 2026-11-29\n\n### Added\n- old\n")
    assert unreleased_notes(changelog) == 2
    changelog.write_text("# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-11-29\n- old\n")
    assert unreleased_notes(changelog) == 0


# --- where a release may be written (review r15 H3, M1, L1) --------------------------------

def _release_into(store, target: Path, tmp_path: Path) -> list[Path]:
    from sarcoma_graph.namespaces import prefix_map
    from sarcoma_graph.project import Project
    from sarcoma_graph.release import write_release

    project = Project.discover(Path(__file__).resolve().parents[1], build_dir=tmp_path / "build")
    return write_release(store, project, target, prefix_map(), [])


def test_a_folder_that_is_not_a_release_is_refused_and_kept(curated_store, tmp_path):
    """H3: a folder of the user's was deleted whole, exit 0. Now it is refused, untouched."""
    mine = tmp_path / "mywork"
    (mine / "sub").mkdir(parents=True)
    (mine / "thesis.txt").write_text("draft")
    with pytest.raises(InputError, match="is not a release set"):
        _release_into(curated_store, mine, tmp_path)
    assert (mine / "thesis.txt").read_text() == "draft" and (mine / "sub").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mywork"]  # no work folder left


def test_a_previous_release_is_replaced_but_not_one_with_a_file_added(curated_store, release_dir,
                                                                     tmp_path):
    import shutil

    previous = tmp_path / "release"
    shutil.copytree(release_dir, previous)
    (previous / "ontology.ttl").write_text("# an older set's file, listed in its SHA256SUMS\n")
    files = _release_into(curated_store, previous, tmp_path)
    assert (previous / "ontology.ttl").read_text() == (release_dir / "ontology.ttl").read_text()
    assert {p.name for p in files} == {p.name for p in release_dir.iterdir()}
    (previous / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match=r"notes\.txt"):
        _release_into(curated_store, previous, tmp_path)
    assert (previous / "notes.txt").read_text() == "mine"


def test_a_path_through_a_file_is_a_message(curated_store, tmp_path):
    """M1: a release under a file was a traceback and exit 1."""
    (tmp_path / "afile").write_text("")
    with pytest.raises(InputError, match="cannot write"):
        _release_into(curated_store, tmp_path / "afile" / "rel", tmp_path)


def test_the_work_folder_of_a_killed_release_is_removed_by_the_next(curated_store, tmp_path):
    """L1: a release stopped by SIGTERM left its hidden work folder, and they piled up."""
    import subprocess

    finished = subprocess.Popen(["true"])
    finished.wait()
    stale = tmp_path / f".rel.release-{finished.pid}.abcd1234"
    stale.mkdir()
    (stale / "void.ttl").write_text("half a release")
    _release_into(curated_store, tmp_path / "rel", tmp_path)
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rel"]


def test_a_mapping_set_whose_version_is_not_the_releases_is_refused(curated_store, tmp_path):
    """Review r15 N8: mapping_set_version was an IRI naming no file, and nothing checked that
    it followed the release; it is now the version string, checked like the ontology's IRI."""
    import shutil

    from sarcoma_graph.namespaces import prefix_map
    from sarcoma_graph.project import Project
    from sarcoma_graph.release import write_release

    root = Path(__file__).resolve().parents[1]
    copy = tmp_path / "project"
    for name in ("ontology", "shapes", "queries", "data"):
        shutil.copytree(root / name, copy / name)
    for name in ("CHANGELOG.md", "CITATION.cff", "LICENSE", "LICENSE-DATA", "README.md"):
        shutil.copyfile(root / name, copy / name)
    sssom = copy / "data" / "mappings" / "sarcoma-graph.sssom.tsv"
    sssom.write_text(sssom.read_text().replace(f"# mapping_set_version: {__version__}\n",
                                               "# mapping_set_version: 0.0.1\n"))
    project = Project.discover(copy, build_dir=tmp_path / "build")
    with pytest.raises(InputError, match=r"mapping_set_version is 0\.0\.1"):
        write_release(curated_store, project, tmp_path / "release", prefix_map(), [])
    assert not (tmp_path / "release").exists()


def test_the_release_says_every_curated_triple_as_its_source_writes_it(release_dir: Path,
                                                                       root: Path):
    """A store keeps some literals in another form (``xsd:nonNegativeInteger`` as
    ``xsd:integer``, ``17.0`` as ``17``), so a source written otherwise came out changed in
    every release file (interop r15 N6): the sources are kept in the form the store keeps."""
    released = {q.triple for q in ox.parse(path=str(release_dir / "sarcoma-graph.nq"),
                                           format=ox.RdfFormat.N_QUADS)}
    changed = []
    for path in sorted((root / "data" / "curated").glob("*.ttl")):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE,
                             base_iri=path.resolve().as_uri()):
            if quad.triple not in released:
                changed.append(f"{path.name}: {quad.triple}")
    assert not changed, "\n".join(changed[:10])


def test_description_chains_every_release_with_its_date_and_notes(void: ox.Store, root: Path):
    """Review r16 questions F3: what changed between releases is asked of the description
    (DCAT 3 versioning, adms:versionNotes), as the changelog says it."""
    from sarcoma_graph.describe import release_history

    history = release_history(root / "CHANGELOG.md", upto=__version__)
    rows = one(void, """PREFIX adms: <http://www.w3.org/ns/adms#>
        SELECT ?version ?issued ?notes ?previous WHERE {
          ?release dcat:version ?version ; dct:issued ?issued ; adms:versionNotes ?notes .
          OPTIONAL { ?release dcat:previousVersion/dcat:version ?previous } }""")
    found = {r["version"].value: r for r in rows}
    assert list(found) and set(found) == {r.version for r in history}
    for newer, older in zip(history, (*history[1:], None), strict=True):
        row = found[newer.version]
        assert row["issued"].value == newer.issued
        assert newer.notes.splitlines()[0] in row["notes"].value
        assert (row["previous"].value if row["previous"] else None) == \
            (older.version if older else None)


def test_a_download_folder_with_its_own_sha256sums_is_refused_and_kept(curated_store, tmp_path):
    """Probe r16 H3: a folder with a SHA256SUMS listing its files (how most downloads are
    published) passed for a release set and was deleted. A release set is one whose listed
    void.ttl describes this dataset."""
    import hashlib

    downloads = tmp_path / "dl"
    downloads.mkdir()
    (downloads / "distro.iso").write_bytes(b"precious iso")
    (downloads / "void.ttl").write_text("<https://example.org/d> a <http://rdfs.org/ns/void#Dataset> .\n")
    (downloads / "SHA256SUMS").write_text("".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
        for p in sorted(downloads.iterdir())))
    with pytest.raises(InputError, match="is not a release set"):
        _release_into(curated_store, downloads, tmp_path)
    assert (downloads / "distro.iso").read_bytes() == b"precious iso"


def test_folders_beside_the_release_that_it_did_not_make_are_kept(curated_store, tmp_path):
    """Probe r16 M2: `.NAME.old` (a fixed name) and `.NAME.release-<no process id>` beside the
    release were removed whatever they held."""
    backup, other = tmp_path / ".rel.old", tmp_path / ".rel.release-old"
    for folder in (backup, other):
        folder.mkdir()
        (folder / "notes.txt").write_text("mine")
    _release_into(curated_store, tmp_path / "rel", tmp_path)
    _release_into(curated_store, tmp_path / "rel", tmp_path)  # replaces the first
    assert (backup / "notes.txt").read_text() == "mine"
    assert (other / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".rel.old", ".rel.release-old", "rel"]


def test_the_shapes_say_which_release_they_are(release_dir: Path):
    """Review r16 interop A10: shapes.ttl had a licence but no version, so a report made with a
    downloaded copy could not say which release's shapes it used."""
    store = ox.Store()
    store.load(path=str(release_dir / "shapes.ttl"), format=ox.RdfFormat.TURTLE)
    rows = list(store.query("PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT ?info ?iri "
                            "WHERE { ?s a owl:Ontology ; owl:versionInfo ?info ; owl:versionIRI ?iri }"))
    assert [(r["info"].value, r["iri"].value) for r in rows] == [(__version__, RELEASE + "shapes")]
