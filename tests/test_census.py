"""The whole-graph targets read from the saved file (``sarcoma_graph.shacl.census``) give the
answers of the SPARQL targets they stand for, and stand only for the texts they were written
for."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import SH, URIRef

from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.shacl.census import NATIVE, Census, digest
from sarcoma_graph.shacl.engine import Data
from sarcoma_graph.shacl.model import ShapesReader
from sarcoma_graph.store import open_store
from tests.test_shapes import CASES, INVALID, VALID, load_materialised, shapes_graph

SGSH = "https://w3id.org/sarcoma-graph/shapes/"
ID = "https://w3id.org/sarcoma-graph/id/"
SG = "https://w3id.org/sarcoma-graph/ontology/"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: N-Quads a curator or an import could write, each line aimed at one corner of the targets
DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
ADVERSARIAL = f"""
<{ID}agent/a> <http://www.w3.org/2000/01/rdf-schema#label> "a"@en <urn:g1> .
<urn:x> <http://purl.org/dc/terms/relation> <{ID}gene/only-an-object> <urn:g1> .
<urn:x> <http://purl.org/dc/terms/relation> "{ID}gene/a-literal-not-an-iri" <urn:g1> .
<urn:x> <http://purl.org/dc/terms/relation> <urn:y> <{ID}graph/only-a-graph-name> .
<urn:x> <http://purl.org/dc/terms/relation> <{ID}agent/in-the-default-graph> .
<{SG}Agent> <http://www.w3.org/2000/01/rdf-schema#label> "agent"@en <urn:onto> .
<{SG}agentOf> <http://www.w3.org/2000/01/rdf-schema#label> "agent of"@en <urn:onto> .
<{ID}agent/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SG}Agent> <urn:g1> .
<{ID}agent/a> <{SG}undeclaredProperty> "x" <urn:g1> .
<{ID}agent/b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SG}UndeclaredClass> <urn:g2> .
<{ID}agent/c> <http://purl.org/dc/terms/relation> "{SG}NotAnIriSoNotATerm" <urn:g2> .
<{SG}Agent> <{SG}undeclaredOnTheOntology> <{SG}agentOf> <urn:onto> .
<urn:z> <{SG}agentOf> <{SG}undeclaredObject> <urn:g2> .
<{ID}agent> <http://purl.org/dc/terms/relation> <{ID}histotype/typed-in-another-graph> <urn:g1> .
<{ID}histotype/typed-in-another-graph> <{TYPE}> <{SG}Histotype> <urn:g2> .
<{SG}Histotype> <http://www.w3.org/2000/01/rdf-schema#label> "histotype"@en <urn:onto> .
<{ID}passage/p> <{TYPE}> <http://www.w3.org/ns/oa#SpecificResource> <urn:g2> .
<{ID}passage/q> <{TYPE}> <{SG}Agent> <urn:g2> .
<{SG}agentOf> <{TYPE}> <http://www.w3.org/2002/07/owl#ObjectProperty> <urn:onto> .
<{ID}agent/a> <{SG}agentOf> "a literal where an IRI belongs" <urn:g1> .
<{ID}agent/b> <{SG}agentOf> <{ID}agent/a> <urn:g1> .
<{ID}fact/retired> <{DEPRECATED}> "true"^^<{BOOLEAN}> <urn:g1> .
<{ID}fact/not-retired> <{DEPRECATED}> "false"^^<{BOOLEAN}> <urn:g1> .
"""
BLANK_USED = [  # each makes sgsh:BlankNodeShape select a blank node
    f"_:b1 <{SG}agentOf> <urn:y> <urn:g1> .",
    "_:b1 <http://www.w3.org/ns/oa#hasSource> <urn:y> <urn:g1> .",
    f"<urn:y> <{SG}agentOf> _:b1 <urn:g1> .",
    f"<{ID}agent/a> <http://purl.org/dc/terms/relation> _:b1 <urn:g1> .",
    f"_:b1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SG}Agent> <urn:g1> .",
    f'_:b1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "{SG}Agent" <urn:g1> .',
]
BLANK_UNUSED = [  # blank nodes the shape leaves alone (OWL axioms, other vocabularies)
    "_:r <http://www.w3.org/2002/07/owl#onProperty> <urn:p> <urn:onto> .",
    f"<{SG}Agent> <http://www.w3.org/2000/01/rdf-schema#subClassOf> _:r <urn:onto> .",
    "_:r <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<http://www.w3.org/2002/07/owl#Restriction> <urn:onto> .",
]


def _targets() -> dict[str, tuple[str, str]]:
    """Every SPARQL target of the shapes: digest -> (shape name, prefixes + text)."""
    reader = ShapesReader(shapes_graph())
    out = {}
    for node in set(shapes_graph().subjects(SH.target, None)):
        shape = reader.read(node)
        for select in shape.sparql_targets:
            out[digest(shape.prefixes + select)] = (str(node).removeprefix(SGSH),
                                                    shape.prefixes + select)
    return out


def _answers(nquads: str, tmp_path: Path) -> list[tuple[str, set, set | None]]:
    """For each native target: (shape, the SPARQL target's nodes, the census's or ``None``)."""
    saved = tmp_path / "dataset.nq"
    saved.write_text(nquads, encoding="utf-8")
    store = open_store()
    store.load_file(saved)
    data, targets = Data(store, saved), _targets()
    return [(name, data.column(targets[key][1], "this"), data.native_target(targets[key][1]))
            for key, (name, _) in NATIVE.items()]


def test_every_native_target_is_the_text_of_its_shape():
    """A shape whose target text changed is no longer answered from the census (its digest
    differs): this test then fails, to update both together."""
    targets = _targets()
    for key, (name, _) in NATIVE.items():
        assert key in targets, f"{name}: its SPARQL target changed; update shacl/census.py"
        assert targets[key][0] == name


def _same(answers: list[tuple[str, set, set | None]]) -> None:
    for name, sparql, native in answers:
        if native is None:  # only the store can name them: the SPARQL target must find some
            assert name == "BlankNodeShape" and sparql, name
        else:
            assert native == sparql, f"{name}: census {sorted(native - sparql)[:5]} " \
                                     f"SPARQL {sorted(sparql - native)[:5]}"


def test_census_answers_equal_the_sparql_targets_on_adversarial_data(tmp_path: Path):
    answers = _answers(ADVERSARIAL + "\n".join(BLANK_UNUSED) + "\n", tmp_path)
    _same(answers)
    found = {name: native for name, _, native in answers}
    assert found["CuratedEntityShape"] == {URIRef(ID + k) for k in (
        "agent/a", "gene/only-an-object", "agent/in-the-default-graph", "agent/b", "agent/c",
        "agent", "histotype/typed-in-another-graph", "passage/p", "passage/q", "fact/retired",
        "fact/not-retired")}
    assert found["EntityKindShape"] == {URIRef(ID + k) for k in (  # not id/agent: no kind
        "gene/only-an-object", "agent/in-the-default-graph", "agent/b", "agent/c", "passage/q",
        "fact/not-retired")}  # a retired IRI (owl:deprecated true) keeps no type
    assert found["UndeclaredTermShape"] == {URIRef(ID + "agent/a"), URIRef(ID + "agent/b"),
                                            URIRef("urn:z")}
    assert found["BlankNodeShape"] == set()
    assert found["ObjectPropertyValueShape"] == {URIRef(ID + "agent/a")}


@pytest.mark.parametrize("line", BLANK_USED)
def test_a_blank_node_used_so_is_left_to_the_store(line: str, tmp_path: Path):
    answers = _answers(ADVERSARIAL + line + "\n", tmp_path)
    _same(answers)
    assert {n: a for n, _, a in answers}["BlankNodeShape"] is None


@pytest.mark.parametrize("path", [CASES / "base.ttl", *VALID, *INVALID], ids=lambda p: p.stem)
def test_census_answers_equal_the_sparql_targets_on_fixture(path: Path, tmp_path: Path):
    store = open_store()
    graph = load_materialised(*((CASES / "base.ttl",) if path.name == "base.ttl"
                                else (CASES / "base.ttl", path)))
    store.load_bytes(graph.serialize(format="nt", encoding="utf-8"), rdf_syntax("ntriples"))
    with (tmp_path / "dump.nq").open("wb") as out:
        store.write_nquads(out)
    _same(_answers((tmp_path / "dump.nq").read_text(encoding="utf-8"), tmp_path))


def test_the_census_reads_only_subjects_and_objects(tmp_path: Path):
    saved = tmp_path / "d.nq"
    saved.write_text(ADVERSARIAL, encoding="utf-8")
    census = Census.read(saved)
    assert f"<{ID}graph/only-a-graph-name>".encode() not in census.ours
    assert census.undeclared() == [SG + "UndeclaredClass", SG + "undeclaredObject",
                                   SG + "undeclaredOnTheOntology", SG + "undeclaredProperty"]
