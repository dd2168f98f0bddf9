"""Reasoning in batches (bounded memory, used above a size) gives the whole graph's closure:
the same inferences graph, the same report, on the curated build, on a synthetic graph and on
random graphs over a TBox with chains, transitive, symmetric and inverse properties."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sarcoma_graph.namespaces import graph_iri
from sarcoma_graph.reason import materialise
from sarcoma_graph.reason_batches import joining_predicates
from sarcoma_graph.store import open_store

INFERRED = graph_iri("inferred")
EX = "http://example.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def inferred(store) -> set:
    return {(q.subject, q.predicate, q.object) for q in store.quads(INFERRED)}


def both_ways(store, batch_triples: int) -> tuple:
    """(whole-graph inferences, report) and (batched inferences, report) of one store."""
    whole = materialise(store)
    first = inferred(store)
    batched = materialise(store, batch_triples=batch_triples)
    return (first, whole), (inferred(store), batched)


def assert_same(store, batch_triples: int) -> None:
    (first, whole), (second, batched) = both_ways(store, batch_triples)
    assert second == first
    assert batched.by_predicate == whole.by_predicate
    assert (batched.inferred, batched.asserted) == (whole.inferred, whole.asserted)


def test_curated_build_in_small_batches(root):
    from sarcoma_graph.build import build
    from sarcoma_graph.project import Project

    store, _ = build(Project.discover(root))
    assert_same(store, 300)


def _synthetic(root: Path):
    spec = importlib.util.spec_from_file_location("synthetic", root / "bench" / "synthetic.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["synthetic"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_synthetic_graph_in_batches(root, tmp_path):
    from sarcoma_graph.build import build
    from sarcoma_graph.dataset import save_dataset
    from sarcoma_graph.project import Project

    project = Project.discover(root, build_dir=tmp_path)
    store, _ = build(project)
    save_dataset(store, project, "build")
    target = tmp_path / "synthetic.nq"
    _synthetic(root).write(project.dataset_path, target, 25_000)
    store.load_file(target)
    assert store.count() > 20_000
    assert_same(store, 4_000)


TBOX = f"""
@prefix ex: <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:hasTarget rdfs:range ex:Gene ; owl:inverseOf ex:isTargetOf .
ex:bindsTo rdfs:subPropertyOf ex:hasTarget .
ex:affects owl:inverseOf ex:isAlteredIn ; rdfs:domain ex:Alteration .
ex:targetsAlteration owl:propertyChainAxiom ( ex:hasTarget ex:isAlteredIn ) ;
    rdfs:subPropertyOf ex:acts .
ex:reaches owl:propertyChainAxiom ( ex:targetsAlteration ex:causes ) .
ex:subtypeOf a owl:TransitiveProperty ; rdfs:domain ex:Tumour .
ex:near a owl:SymmetricProperty .
ex:linked owl:propertyChainAxiom ( ex:near ex:subtypeOf ) .
ex:Gene rdfs:subClassOf ex:Thing .
"""
PROPERTIES = ["hasTarget", "isTargetOf", "bindsTo", "affects", "isAlteredIn", "causes",
              "subtypeOf", "near", "label", "acts"]


def _store(tbox: str, triples: list[tuple[int, str, int]]) -> object:
    store = open_store("oxigraph")
    store.load_bytes(tbox.encode(), _turtle(), graph_iri("ontology"))
    quads = []
    for s, p, o in triples:
        obj = ox.Literal(f"v{o}") if p == "label" else ox.NamedNode(f"{EX}n{o}")
        if p == "type":  # asserted where a range or a domain also puts it
            quads.append(ox.Quad(ox.NamedNode(f"{EX}n{s}"), ox.NamedNode(RDF_TYPE),
                                 ox.NamedNode(f"{EX}{'Gene' if o % 2 else 'Tumour'}"),
                                 ox.NamedNode(graph_iri("curated"))))
            continue
        quads.append(ox.Quad(ox.NamedNode(f"{EX}n{s}"), ox.NamedNode(EX + p), obj,
                             ox.NamedNode(graph_iri("curated" if s % 2 else "other"))))
    store.add_quads(quads)
    return store


def _turtle():
    from sarcoma_graph.plumbing.formats import rdf_syntax

    return rdf_syntax("turtle")


def test_joining_predicates_follow_inverses_subproperties_and_chains(tmp_path):
    store = _store(TBOX, [])
    from sarcoma_graph.reason_batches import _triples, schema_lines

    dump = tmp_path / "dump.nq"
    with dump.open("wb") as handle:
        store.write_nquads(handle)
    schema = schema_lines(dump)
    assert schema is not None
    joining = joining_predicates(_triples(schema))
    assert joining is not None
    names = {j.removeprefix(EX) for j in joining}
    # the chains' middle nodes are reached through hasTarget (and its sub-property bindsTo),
    # isAlteredIn's inverse affects, targetsAlteration (a chain head) and the transitive,
    # symmetric ones; labels and causes (last member, at the object end) do not join
    assert {"hasTarget", "bindsTo", "affects", "targetsAlteration", "subtypeOf", "near"} <= names
    assert "label" not in names and "causes" not in names


def test_a_value_restriction_reasons_the_whole_graph():
    tbox = TBOX + """ex:R owl:someValuesFrom ex:Gene ; owl:onProperty ex:hasTarget .
        ex:Targeting owl:equivalentClass ex:R ."""
    store = _store(tbox, [(1, "hasTarget", 2), (3, "hasTarget", 2), (2, "type", 0)])
    assert_same(store, 1)


triples = st.lists(st.tuples(st.integers(0, 9), st.sampled_from([*PROPERTIES, "type"]),
                             st.integers(0, 9)), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(triples)
def test_random_graphs_one_part_a_batch(data):
    """Every part its own batch: a join the partition missed would show as a difference."""
    assert_same(_store(TBOX, data), 1)


def _saved(store, tmp_path: Path) -> Path:
    """The store as the saved dataset (sorted N-Quads, canonical blank-node labels)."""
    from sarcoma_graph.dataset import write_sorted_nquads

    path = tmp_path / "dataset.nq"
    with path.open("wb") as handle:
        write_sorted_nquads(store, handle, tmp_path)
    return path


def test_batches_read_from_the_saved_dataset(tmp_path):
    """Read from the saved file (its blank-node labels are not the store's), with an old
    inferences graph in it and a default-graph triple whose object is that graph's IRI."""
    data = [(1, "hasTarget", 2), (2, "isAlteredIn", 3), (3, "causes", 4), (5, "near", 6),
            (6, "subtypeOf", 7), (7, "subtypeOf", 8), (2, "type", 1), (9, "label", 1)]
    store = _store(TBOX, data)
    stale = ox.NamedNode(f"{EX}stale")
    store.add_quads([ox.Quad(stale, stale, stale, ox.NamedNode(INFERRED)),
                     ox.Quad(ox.NamedNode(f"{EX}n9"), ox.NamedNode(f"{EX}about"),
                             ox.NamedNode(INFERRED))])
    dataset = _saved(store, tmp_path)
    whole = materialise(store)
    expected = inferred(store)
    assert (stale, stale, stale) not in expected and expected
    batched = materialise(store, batch_triples=1, dataset=dataset)
    assert inferred(store) == expected
    assert (batched.inferred, batched.asserted, batched.by_predicate) == \
        (whole.inferred, whole.asserted, whole.by_predicate)


def test_blank_nodes_that_join_are_read_from_the_store(tmp_path):
    """A blank node in a joining triple: the saved file's label is not the store's, so the
    batches come from the store's own dump (else the node's parts would not be united)."""
    store = _store(TBOX, [(1, "hasTarget", 2)])
    blank, curated = ox.BlankNode("gene"), ox.NamedNode(graph_iri("curated"))
    store.add_quads([ox.Quad(ox.NamedNode(f"{EX}n3"), ox.NamedNode(f"{EX}hasTarget"), blank, curated),
                     ox.Quad(blank, ox.NamedNode(f"{EX}isAlteredIn"), ox.NamedNode(f"{EX}n4"), curated)])
    dataset = _saved(store, tmp_path)
    assert b"_:" in dataset.read_bytes()
    materialise(store)
    expected = inferred(store)
    assert (ox.NamedNode(f"{EX}n3"), ox.NamedNode(f"{EX}targetsAlteration"),
            ox.NamedNode(f"{EX}n4")) in expected
    materialise(store, batch_triples=1, dataset=dataset)
    assert inferred(store) == expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(triples)
def test_random_graphs_read_from_the_saved_dataset(data):
    """Batches read from the sorted saved file: inferences about a node placed in another
    batch are checked against the file's lines in one pass (asserted there: not inferred)."""
    import tempfile

    store = _store(TBOX, data)
    with tempfile.TemporaryDirectory() as tmp:
        dataset = _saved(store, Path(tmp))
        whole = materialise(store)
        expected = inferred(store)
        batched = materialise(store, batch_triples=1, dataset=dataset)
    assert inferred(store) == expected
    assert (batched.inferred, batched.asserted, batched.by_predicate) == \
        (whole.inferred, whole.asserted, whole.by_predicate)


def test_asserted_prefixes_across_blocks_and_graphs(tmp_path):
    """A triple counts as asserted when a line outside the inferences graph starts with it,
    wherever the file's blocks cut; an unsorted file gives ``None`` (store lookups then)."""
    from sarcoma_graph.reason_batches import _asserted_prefixes

    inf, cur = f"<{INFERRED}>", f"<{graph_iri('curated')}>"
    lines = sorted([
        f"<{EX}a> <{EX}p> <{EX}b> {inf} .", f"<{EX}a> <{EX}p> <{EX}b> {cur} .",
        f"<{EX}a> <{EX}p> <{EX}b0> {cur} .", f'<{EX}a> <{EX}q> "x y"@en {cur} .',
        f"<{EX}c> <{EX}p> <{EX}d> {inf} .", f"<{EX}e> <{EX}p> <{EX}f> .",
    ])
    source = tmp_path / "d.nq"
    source.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    prefixes = sorted(p.encode() for p in [
        f"<{EX}a> <{EX}p> <{EX}b> ", f'<{EX}a> <{EX}q> "x" ', f'<{EX}a> <{EX}q> "x y"@en ',
        f"<{EX}c> <{EX}p> <{EX}d> ", f"<{EX}e> <{EX}p> <{EX}f> ", f"<{EX}z> <{EX}p> <{EX}a> "])
    expected = {p.encode() for p in [f"<{EX}a> <{EX}p> <{EX}b> ", f'<{EX}a> <{EX}q> "x y"@en ',
                                     f"<{EX}e> <{EX}p> <{EX}f> "]}
    for block_bytes in (1, 60, 150, 1 << 20):
        assert _asserted_prefixes(source, prefixes, block_bytes) == expected
    source.write_text("".join(line + "\n" for line in reversed(lines)), encoding="utf-8")
    assert _asserted_prefixes(source, prefixes, 1 << 20) is None


def test_schema_lines_as_read_line_by_line(tmp_path):
    """The block scan finds the lines a line-by-line reading finds: schema predicates, meta
    types, the ontology graph (not a default-graph triple pointing at it), blank-node lists,
    not the inferences graph, and a last line without its end."""
    from sarcoma_graph.reason_batches import _is_schema, schema_lines

    owl, rdfs = "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2000/01/rdf-schema#"
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    onto, cur, inf = (f"<{graph_iri(g)}>" for g in ("ontology", "curated", "inferred"))
    lines = [
        f"<{EX}A> <{rdfs}subClassOf> <{EX}B> {cur} .",
        f"<{EX}A> <{rdfs}label> \"<{rdfs}subClassOf> \" {cur} .",
        f"<{EX}p> <{rdf}type> <{owl}ObjectProperty> .",
        f"<{EX}x> <{rdf}type> <{EX}A> {cur} .",
        f"<{EX}x> <{EX}seeAlso> {onto} .",
        f"<{EX}o> <{EX}any> \"v\" {onto} .",
        f"<{EX}c> <{owl}propertyChainAxiom> _:l1 {cur} .",
        f"_:l1 <{rdf}first> <{EX}p> {cur} .",
        f"_:l1 <{rdf}rest> _:l2 {cur} .",
        f"_:l2 <{rdf}first> <{EX}q> {cur} .",
        f"_:l3 <{rdf}first> <{EX}r> {cur} .",
        f"<{EX}D> <{rdfs}subClassOf> <{EX}E> {inf} .",
        f"<{EX}F> <{rdfs}domain> <{EX}G> {cur} .",
    ]
    source = tmp_path / "d.nq"
    source.write_bytes("\n".join(lines).encode())  # no end after the last line
    found = schema_lines(source)
    assert found is not None
    names = {line.decode().split(" ", 1)[0] + " " + line.decode().split(" ")[1] for line in found}
    assert f"<{EX}A> <{rdfs}subClassOf>" in names and f"<{EX}o> <{EX}any>" in names
    assert f"_:l1 <{rdf}rest>" in names and f"_:l2 <{rdf}first>" in names
    assert f"<{EX}F> <{rdfs}domain>" in names  # the last line
    assert f"<{EX}A> <{rdfs}label>" not in names and f"<{EX}x> <{EX}seeAlso>" not in names
    assert f"_:l3 <{rdf}first>" not in names and f"<{EX}D> <{rdfs}subClassOf>" not in names
    assert all(_is_schema(line) or line.startswith(b"_:") for line in found)
    source.write_bytes(b"<< <a> <b> <c> >> <p> <o> .\n")
    assert schema_lines(source) is None


def test_synthetic_blocks_keep_links_between_their_own_entities(root):
    """A CIViC variant and the curated alteration it matches share a label; their exactMatch is
    copied into each block, or QC's duplicate-labels check fails on every synthetic pair (as
    it did at 1M and 10M). Mappings to outside identifiers and to entities the block does not
    describe stay out."""
    synthetic = _synthetic(root)
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    exact = ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")
    variant = ox.NamedNode("https://w3id.org/sarcoma-graph/id/civic-variant/499")
    alteration = ox.NamedNode("https://w3id.org/sarcoma-graph/id/alteration/alk-fusion")
    elsewhere = ox.NamedNode("https://w3id.org/sarcoma-graph/id/alteration/not-in-block")
    quads = [ox.Quad(variant, label, ox.Literal("ALK Fusion")),
             ox.Quad(alteration, label, ox.Literal("ALK fusion")),
             ox.Quad(variant, exact, alteration),
             ox.Quad(alteration, exact, ox.NamedNode("http://purl.obolibrary.org/obo/SO_0001565")),
             ox.Quad(alteration, exact, elsewhere)]
    kept = synthetic._internal_mappings_only(quads)
    assert kept == quads[:3]
