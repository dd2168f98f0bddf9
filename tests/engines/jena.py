"""Apache Jena TDB2 from Debian's ``libapache-jena-java``: ``java -cp`` over /usr/share/java.

Debian ships the jars without wrapper scripts, and its ``jena-core.jar`` moved the bundled
Xerces classes to the package ``xerces`` but left their message bundles under
``org/apache/jena/ext/xerces``: the first XSD datatype Jena builds then fails with
``RuntimeException: internal error`` (``XSSimpleTypeDecl.applyFacets1``), before any command
starts. :func:`classpath` copies those bundles to ``xerces/…`` in a folder put first on the
class path. The commands are then the README's: ``tdb2.tdbloader --loc DB FILE`` and
``tdb2.tdbquery --loc DB --set tdb:unionDefaultGraph=true --query FILE``.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from tests.engines.answers import Answer, from_json
from tests.engines.process import run

JAVA_DIR = Path("/usr/share/java")
#: Jena's jars and their dependencies (the package's Maven poms), one SLF4J binding only.
JARS = (
    "jena-base", "jena-core", "jena-iri", "jena-arq", "jena-cmds", "jena-dboe-base",
    "jena-dboe-index", "jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction",
    "jena-tdb", "jena-tdb2", "jena-rdfconnection", "slf4j-api", "slf4j-nop", "jul-to-slf4j",
    "jcl-over-slf4j", "guava", "commons-csv", "commons-io", "commons-lang3", "commons-codec",
    "commons-compress", "dexx.collection", "commons-cli", "jsonld-java", "gson", "httpclient",
    "httpcore", "httpclient-cache", "jackson-core", "jackson-databind", "jackson-annotations",
    "titanium-json-ld", "jakarta.json-api", "protobuf", "thrift", "caffeine",
)
BUNDLES = "org/apache/jena/ext/xerces/"
UNION = ("--set", "tdb:unionDefaultGraph=true")  # the README's flag for a union default graph
BATCH = Path(__file__).with_name("TdbQueryBatch.java")


def available() -> bool:
    return shutil.which("java") is not None and (JAVA_DIR / "jena-tdb2.jar").is_file()


def classpath(workdir: Path) -> str:
    """The class path: the relocated Xerces message bundles first, then the jars."""
    bundles = workdir / "xerces-messages"
    if not bundles.is_dir():
        with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith(BUNDLES) and not name.endswith("/"):
                    target = bundles / "xerces" / name.removeprefix(BUNDLES)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    missing = [j for j in JARS if not (JAVA_DIR / f"{j}.jar").is_file()]
    if missing:
        raise RuntimeError(f"jars missing from {JAVA_DIR}: {', '.join(missing)}")
    return ":".join([str(bundles), *(str(JAVA_DIR / f"{j}.jar") for j in JARS)])


def command(cp: str, name: str, *args: str) -> list[str]:
    """``java -cp CP NAME ARGS``: a Jena command as Debian installs it."""
    return ["java", "-Xmx1g", "-cp", cp, name, *args]


def tdbloader(cp: str, location: Path, *files: Path) -> None:
    """``tdb2.tdbloader --loc DB FILE…`` (README)."""
    run("tdb2.tdbloader", command(cp, "tdb2.tdbloader", "--loc", str(location),
                                  *(str(f) for f in files)), timeout=600)


def tdbquery(cp: str, location: Path, query: Path) -> Answer:
    """One ``tdb2.tdbquery --loc DB --set tdb:unionDefaultGraph=true --results=json --query F``."""
    output = run("tdb2.tdbquery", command(cp, "tdb2.tdbquery", "--loc", str(location), *UNION,
                                          "--results=json", "--query", str(query)))
    return from_json(output[output.index("{"):])


def tdbquery_batch(cp: str, location: Path, queries: dict[str, str],
                   workdir: Path) -> dict[str, Answer | RuntimeError]:
    """Every query through ``tdb2.tdbquery`` (same arguments) in one JVM; by key.

    An answer, or the RuntimeError with Jena's message for a query it rejected.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    files = {}
    for index, (key, text) in enumerate(sorted(queries.items())):
        files[key] = workdir / f"q{index:03d}.rq"
        files[key].write_text(text, encoding="utf-8")
    listing = workdir / "queries.txt"
    listing.write_text("".join(f"{p}\n" for p in files.values()))
    run("tdb2.tdbquery batch", ["java", "-Xmx1g", "-cp", cp, str(BATCH), str(listing),
                                "--loc", str(location), *UNION, "--results=json"], timeout=900)
    answers: dict[str, Answer | RuntimeError] = {}
    for key, path in files.items():
        out = Path(f"{path}.out").read_text(encoding="utf-8")
        try:
            answers[key] = from_json(out)
        except ValueError:
            error = Path(f"{path}.err").read_text(encoding="utf-8")
            answers[key] = RuntimeError(f"Jena rejected {key}: {(error or out)[-1500:]}")
    return answers
