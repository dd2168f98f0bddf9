"""One vocabulary: the namespace objects, the prefix map derived from them, and every PREFIX line
of the query files and every vocabulary IRI of the code agreeing with them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sarcoma_graph import namespaces
from sarcoma_graph.namespaces import OWL, RDF, SG, Namespace, prefix_map

ROOT = Path(__file__).resolve().parents[1]
PREFIX_LINE = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
QUERY_FILES = sorted([*ROOT.glob("queries/*.rq"), *ROOT.glob("qc/*.rq")])


def test_namespace_terms_are_plain_iris():
    assert RDF.type == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert OWL.term("Class") == OWL + "Class"
    assert SG.Agent.startswith(namespaces.BASE)
    assert type(RDF.type) is str
    with pytest.raises(AttributeError):
        RDF._private  # noqa: B018 - private names are not terms


def test_prefix_map_holds_the_namespace_objects():
    mapping = prefix_map()
    declared = {name: value for name, value in vars(namespaces).items() if isinstance(value, Namespace)}
    for prefix, iri in mapping.items():
        assert isinstance(iri, str) and iri.endswith(("/", "#", "_", ":", "=")), (prefix, iri)
    written = {str(ns) for name, ns in declared.items() if name not in ("FORMATS", "SPARQL_RESULTS")}
    assert written <= set(mapping.values())


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_query_prefixes_agree_with_the_prefix_map(path):
    declared = PREFIX_LINE.findall(path.read_text(encoding="utf-8"))
    assert declared or "PREFIX" not in path.read_text(encoding="utf-8")
    mapping = prefix_map()
    for prefix, iri in declared:
        assert prefix in mapping, f"{path.name}: PREFIX {prefix}: is not in the project's prefix map"
        assert iri == mapping[prefix], (f"{path.name}: PREFIX {prefix}: <{iri}> but the map says "
                                        f"<{mapping[prefix]}>")


def test_the_query_files_are_found():
    assert len(QUERY_FILES) > 20


#: Vocabulary namespaces that only namespaces.py may spell out.
SPELLED = re.compile("|".join(re.escape(str(ns)) for ns in (
    namespaces.RDF, namespaces.RDFS, namespaces.OWL, namespaces.XSD, namespaces.SKOS,
    namespaces.DCTERMS, namespaces.PROV, namespaces.SH, namespaces.VOID, namespaces.SD,
    namespaces.SCHEMA, namespaces.SSSOM, namespaces.FORMATS, namespaces.BASE)))
#: Modules under concurrent rework when this test was written (their branches own them); each
#: entry is a debt to pay, not a licence.
NOT_YET = {"shacl/model.py", "shacl/engine.py", "serve/html.py"}


def code_strings(tree: ast.AST) -> list[ast.Constant]:
    """The string constants of a module that are not docstrings (those may show IRIs)."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_module_types_a_vocabulary_iri():
    offenders = []
    package = ROOT / "src" / "sarcoma_graph"
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if name == "namespaces.py" or name in NOT_YET:
            continue
        for node in code_strings(ast.parse(path.read_text(encoding="utf-8"))):
            if SPELLED.search(node.value):
                offenders.append(f"{name}:{node.lineno}: {node.value[:80]!r}")
    assert offenders == []


def test_no_term_is_read_through_a_str_method_name():
    """``DCTERMS.title`` is ``str.title``, not the term: such names go through ``.term()``."""
    names = [name for name, value in vars(namespaces).items() if isinstance(value, Namespace)]
    methods = [m for m in dir(str) if not m.startswith("_")]
    pattern = re.compile(rf"\b({'|'.join(names)})\.({'|'.join(methods)})\b")
    offenders = [f"{path.name}:{number}" for path in sorted((ROOT / "src").rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if pattern.search(line) and path.name != "namespaces.py"]
    assert offenders == []


def test_compress_without_the_registry_agrees_with_the_converter() -> None:
    """The registry-free path for W3C and project IRIs gives the converter's CURIE, and no
    registry URI prefix lies inside one of those namespaces (else it could be the longer match)."""
    from sarcoma_graph import namespaces

    own = {**namespaces.W3C_PREFIXES, **namespaces.PROJECT_PREFIXES}
    registry = set(namespaces.prefix_map().values()) - set(own.values())
    assert registry, "the prefix map has registry prefixes"
    for uri_prefix in sorted(registry):
        inside = [ns for ns in own.values() if uri_prefix.startswith(ns) and uri_prefix != ns]
        assert not inside, f"registry prefix {uri_prefix} inside {inside}"
        assert not uri_prefix.startswith(namespaces.BASE), uri_prefix
        assert uri_prefix.startswith(("http://", "https://")), uri_prefix
    for namespace in own.values():
        for local in ("Agent", "x", "a-b.c", "histotype/chordoma", "C3868", "_1"):
            iri = namespace + local
            assert namespaces.compress(iri) == namespaces.converter().compress(iri), iri
    for iri in (namespaces.BASE + "shapes/AgentShape", namespaces.BASE + "releases/0.1.0",
                namespaces.ONTOLOGY_IRI, "http://purl.obolibrary.org/obo/NCIT_C3868",
                "a label", "urn:todo:x", ""):
        assert namespaces.compress(iri) == namespaces.converter().compress(iri), iri


def test_starting_a_command_imports_no_registry_library() -> None:
    """Every stage is its own process: ``curies`` (0.35 s) and ``bioregistry`` (2 s) are
    imported only by the code that needs them, not by the CLI's start."""
    import subprocess
    import sys

    code = ("import sys, sarcoma_graph.cli; "
            "print(sorted(m for m in ('curies', 'bioregistry') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
