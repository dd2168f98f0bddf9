"""Every release file parses, without error or warning, in the tools our users load it with.

rdflib (every RDF file), Raptor (``rapper -c``; it has no JSON-LD parser), Apache Jena
``riot --strict --validate`` (Debian's ``libapache-jena-java``; JSON-LD through Jena's JSON-LD
1.0 parser, because Debian packages no Jakarta JSON provider for its JSON-LD 1.1 parser), and
the OWL API 5 (Debian's ``libowlapi-java``), which must read the ontology as OWL 2 DL in every
syntax. The Debian packages come from ``scripts/install-test-deps.sh``.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
import rdflib

from tests.conftest import require

SYNTAX = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".trig": "trig", ".rdf": "xml",
          ".jsonld": "json-ld"}
RAPPER = {".ttl": "turtle", ".nt": "ntriples", ".nq": "nquads", ".trig": "trig", ".rdf": "rdfxml"}
RDF_FILES = sorted(
    [f"ontology{e}" for e in (".ttl", ".nt", ".jsonld", ".rdf")]
    + [f"shapes{e}" for e in (".ttl", ".nt", ".jsonld", ".rdf")]
    + [f"queries{e}" for e in (".ttl", ".nt", ".jsonld", ".rdf")]
    + [f"sarcoma-graph{e}" for e in (".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf")]
    + ["sarcoma-graph.sssom.ttl", "sarcoma-graph.sssom.nt", "void.ttl", "context.jsonld"])
JAVA_DIR = Path("/usr/share/java")
OWLAPI_JARS = (
    "owlapi-distribution", "caffeine", "commons-codec", "commons-io", "commons-logging",
    "commons-rdf-api", "guava", "hppcrt", "httpclient", "httpcore", "httpclient-cache",
    "jackson-annotations", "jackson-core", "jackson-databind", "jsr305", "atinject-jsr330-api",
    "jsonld-java", "slf4j-api", "slf4j-simple", "xz", "rdf4j-model", "rdf4j-model-api",
    "rdf4j-model-vocabulary", "rdf4j-rio-api", "rdf4j-rio-datatypes", "rdf4j-rio-languages",
    "rdf4j-rio-turtle", "rdf4j-rio-trig", "rdf4j-rio-ntriples", "rdf4j-rio-nquads",
    "rdf4j-rio-rdfxml", "rdf4j-rio-jsonld", "rdf4j-util",
)
CHECKER = Path(__file__).parent / "owlapi" / "OwlDlCheck.java"
TOGETHER = Path(__file__).parent / "owlapi" / "OwlTogetherCheck.java"


def test_release_holds_the_expected_rdf_files(release_dir: Path):
    found = {p.name for p in release_dir.iterdir() if p.suffix in SYNTAX}
    assert found == set(RDF_FILES)


@pytest.mark.parametrize("name", RDF_FILES)
def test_rdflib_parses_without_warning(release_dir: Path, name: str, caplog):
    path = release_dir / name
    dataset = rdflib.Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=DeprecationWarning)  # rdflib's own API churn
        with caplog.at_level(logging.WARNING):
            dataset.parse(path, format=SYNTAX[path.suffix])
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert len(dataset) > 0 or name == "context.jsonld"


@pytest.mark.parametrize("name", [n for n in RDF_FILES if Path(n).suffix in RAPPER])
def test_raptor_parses_without_warning(release_dir: Path, name: str):
    require(shutil.which("rapper") is not None, "rapper missing: apt-get install raptor2-utils "
            "(scripts/install-test-deps.sh)")
    path = release_dir / name
    done = subprocess.run(["rapper", "-c", "-i", RAPPER[path.suffix], str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    complaints = [line for line in done.stderr.splitlines()
                  if "rapper: Parsing" not in line]  # its two progress lines
    assert done.returncode == 0 and complaints == [], done.stderr
    assert "returned 0 triples" not in done.stderr


def _riot_classpath(workdir: Path) -> str:
    """Jena's class path from the engine tests, with a logger that prints riot's warnings."""
    from tests.engines import jena

    require(jena.available(), "Apache Jena missing: apt-get install libapache-jena-java "
            "default-jre-headless (scripts/install-test-deps.sh)")
    require((JAVA_DIR / "slf4j-simple.jar").is_file(), "slf4j-simple missing (libslf4j-java)")
    return jena.classpath(workdir).replace("slf4j-nop.jar", "slf4j-simple.jar")


@pytest.fixture(scope="module")
def riot_cp(tmp_path_factory) -> str:
    return _riot_classpath(tmp_path_factory.mktemp("riot"))


def _riot(cp: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["java", "-cp", cp, "riotcmd.riot", "--strict", "--validate", *args],
                          capture_output=True, text=True, timeout=300, check=False)


def _riot_by_file(done: subprocess.CompletedProcess[str]) -> dict[str, list[str]]:
    """riot's messages per file (it announces each file with an INFO line)."""
    out: dict[str, list[str]] = {"": []}
    current = ""
    for line in (done.stdout + done.stderr).splitlines():
        if "INFO org.apache.jena.riot - File: " in line:
            current = Path(line.split("File: ", 1)[1]).name
            out[current] = []
        else:
            out[current].append(line)
    return out


@pytest.mark.slow
def test_riot_strict_accepts_every_file(release_dir: Path, riot_cp: str):
    """One JVM per parser: the Turtle family and RDF/XML, then JSON-LD (1.0 parser)."""
    plain = [n for n in RDF_FILES if not n.endswith(".jsonld")]
    jsonld = [n for n in RDF_FILES if n.endswith(".jsonld")]
    for names, options in ((plain, ()), (jsonld, ("--syntax=JSONLD10",))):
        done = _riot(riot_cp, *options, *(str(release_dir / n) for n in names))
        messages = _riot_by_file(done)
        assert sorted(messages) == sorted(["", *names])
        assert {name: lines for name, lines in messages.items() if lines} == {}
        assert done.returncode == 0


@pytest.mark.slow
def test_riot_reports_what_it_rejects(tmp_path: Path, riot_cp: str):
    """The check above can fail: riot names the line of ``sh:path a`` (issue 10's bug)."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://x.org/s> <http://www.w3.org/ns/shacl#path> a .\n")
    done = _riot(riot_cp, str(bad))
    assert done.returncode != 0 and "line: 1" in done.stderr


def _owlapi_classpath() -> str:
    require(shutil.which("java") is not None and (JAVA_DIR / "owlapi-distribution.jar").is_file(),
            "the OWL API missing: apt-get install libowlapi-java default-jdk-headless "
            "(scripts/install-test-deps.sh)")
    missing = [j for j in OWLAPI_JARS if not (JAVA_DIR / f"{j}.jar").is_file()]
    assert missing == [], f"jars missing from {JAVA_DIR}"
    return ":".join(str(JAVA_DIR / f"{j}.jar") for j in OWLAPI_JARS)


def _owl_dl_check(*paths: Path, checker: Path = CHECKER) -> dict[str, list[str]]:
    """Run a checker (Java's single-file launcher) on the files; its lines per file."""
    java_modules = subprocess.run(["java", "--list-modules"], capture_output=True, text=True,
                                  check=False).stdout
    require("jdk.compiler" in java_modules, f"a JDK is needed to run {checker.name}: apt-get "
            "install default-jdk-headless (scripts/install-test-deps.sh)")
    done = subprocess.run(["java", "-cp", _owlapi_classpath(), str(checker), *map(str, paths)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    out: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        if line.startswith("file: "):
            current = out.setdefault(line.removeprefix("file: "), [])
        else:
            current.append(line)
    return out


@pytest.mark.slow
def test_owlapi_reads_the_ontology_as_owl2_dl(release_dir: Path):
    names = ("ontology.ttl", "ontology.rdf", "ontology.nt", "ontology.jsonld")
    report = _owl_dl_check(*(release_dir / n for n in names))
    assert sorted(report) == sorted(names)
    axioms = set()
    for name, lines in report.items():
        problems = [line for line in lines if line.startswith(("unparsed:", "violation:"))]
        assert problems == [], f"{name}: {problems[:10]}"
        assert "OWL 2 DL: yes" in lines, name
        axioms.add(next(line for line in lines if line.startswith("axioms:")))
    assert len(axioms) == 1, f"the syntaxes give different ontologies: {axioms}"


@pytest.mark.slow
def test_owlapi_check_can_fail(tmp_path: Path):
    """The profile check above is real: reserved vocabulary as a class is not OWL 2 DL."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                   "<http://x.org/o> a owl:Ontology .\n"
                   "<http://x.org/i> a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> .\n")
    (lines,) = _owl_dl_check(bad).values()
    assert "OWL 2 DL: no" in lines


@pytest.mark.slow
def test_owlapi_opens_the_ontology_and_the_dumps_together(release_dir: Path):
    """Review r13 I5: the dumps carried the ontology's IRI and version IRI, so an OWL API
    manager holding ``ontology.ttl`` refused them (OWLOntologyAlreadyExistsException). Each
    dump is now the ontology ``…/dataset``, whose import of the ontology's version IRI the
    release's XML catalogue resolves to ``ontology.ttl``."""
    from sarcoma_graph import __version__
    from sarcoma_graph.namespaces import DATASET_IRI, ONTOLOGY_IRI, version_iri

    dumps = ("sarcoma-graph.ttl", "sarcoma-graph.rdf", "sarcoma-graph.nt")
    report = _owl_dl_check(*(release_dir / n for n in ("ontology.ttl", *dumps)), checker=TOGETHER)
    ontology = f"{ONTOLOGY_IRI} {version_iri(__version__)}"
    assert report["ontology.ttl"][0] == f"id: {ontology}"
    for name in dumps:
        lines = report[name]
        assert lines[0] == f"id: {DATASET_IRI} {version_iri(__version__, 'dataset')}", name
        assert f"imports: {version_iri(__version__)}" in lines, name
        assert f"closure: {ontology}" in lines, name
