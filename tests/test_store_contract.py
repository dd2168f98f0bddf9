"""The store contract: every backend must pass every test here (OAK ComplianceTester style).

The backends are the embedded ones and the SPARQL 1.1 HTTP store in front of a real
``oxigraph serve`` and a real Virtuoso, both started by the session fixtures on 127.0.0.1
(``tests/engines/``). A server store works on the graphs under ``http://example.org/`` only
(its scope), emptied before each test: the servers are shared with other tests.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from sarcoma_graph.plumbing.formats import rdf_syntax, results_syntax
from sarcoma_graph.plumbing.results import serialize_results
from sarcoma_graph.store import BACKENDS, QueryError, ResultTooLarge, open_store

EX = "http://example.org/"
G1, G2 = EX + "g1", EX + "g2"
DATA = f"""
<{EX}a> <{EX}p> <{EX}b> <{G1}> .
<{EX}a> <{EX}label> "alpha"@en <{G1}> .
<{EX}b> <{EX}p> <{EX}c> <{G2}> .
<{EX}c> <{EX}n> "3"^^<http://www.w3.org/2001/XMLSchema#integer> <{G2}> .
<{EX}c> <{EX}label> "plain" <{G2}> .
""".encode()


SERVERS = ("oxigraph-server", "virtuoso")


def server_store(request, name):
    """A :class:`SparqlHttpStore` on one of the session's servers, scoped to ``EX``."""
    from sarcoma_graph.store.http import StoreConfig
    from sarcoma_graph.store.sparql_http import SparqlHttpStore

    if name == "oxigraph-server":
        server = request.getfixturevalue("oxigraph_server")
        config = StoreConfig(server.query_url, update_url=server.update_url, scope=EX)
    else:
        server = request.getfixturevalue("virtuoso_server")
        base = f"http://127.0.0.1:{server.http_port}"
        config = StoreConfig(f"{base}/sparql", update_url=f"{base}/sparql-auth", auth="digest",
                             user="dba", secret="dba", scope=EX)
    store = SparqlHttpStore(config)
    store.clear()
    return store


@pytest.fixture(params=BACKENDS + SERVERS)
def store(request):
    s = server_store(request, request.param) if request.param in SERVERS else open_store(request.param)
    s.load_bytes(DATA, rdf_syntax("nquads"))
    return s


def values(result, var):
    return sorted(row[var].value for row in result.bindings() if var in row)


def test_counts_and_graphs(store):
    assert store.count() == 5
    assert store.count(G1) == 2
    assert store.named_graphs() == [G1, G2]


def test_default_graph_is_union_of_named_graphs(store):
    result = store.query(f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}")
    assert values(result, "s") == [EX + "a", EX + "b"]


def test_default_graph_uri_narrows_the_default_graph(store):
    result = store.query(f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}", default_graphs=[G2])
    assert values(result, "s") == [EX + "b"]


def test_named_graph_uri_narrows_graph_clause(store):
    q = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert set(values(store.query(q), "g")) == {G1, G2}
    assert set(values(store.query(q, named_graphs=[G1]), "g")) == {G1}


def test_from_names_a_graph_of_the_store(store):
    result = store.query(f"SELECT ?s FROM <{G1}> WHERE {{ ?s <{EX}p> ?o }}")
    assert values(result, "s") == [EX + "a"]


def test_plain_literal_is_plain(store):
    result = store.query(f"SELECT ?l WHERE {{ <{EX}c> <{EX}label> ?l }}")
    (row,) = list(result.bindings())
    assert row["l"] == ox.Literal("plain")
    assert row["l"].datatype.value.endswith("#string")


def test_typed_and_language_literals_round_trip(store):
    result = store.query(f"SELECT ?n ?l WHERE {{ <{EX}c> <{EX}n> ?n . <{EX}a> <{EX}label> ?l }}")
    (row,) = list(result.bindings())
    assert row["n"].datatype.value.endswith("#integer")
    assert row["l"].language == "en"


def test_ask(store):
    assert store.query(f"ASK {{ <{EX}a> ?p ?o }}").boolean is True
    assert store.query(f"ASK {{ <{EX}z> ?p ?o }}").boolean is False


def test_construct(store):
    result = store.query(f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o }}")
    assert result.kind == "graph"
    assert len(result.triples) == 2


def test_substitutions_bind_a_variable(store):
    result = store.query(f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}",
                         substitutions={"s": ox.NamedNode(EX + "b")})
    assert values(result, "o") == [EX + "c"]


def test_syntax_error_has_a_position(store):
    with pytest.raises(QueryError) as info:
        store.query("SELECT ?x WHERE {\n  ?x ?y }")
    assert info.value.line == 2


def test_result_limit(store):
    with pytest.raises(ResultTooLarge):
        store.query("SELECT * WHERE { ?s ?p ?o }", limit=3)


@pytest.mark.parametrize("syntax", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("limit", [None, 5, 1000])
def test_serialised_answers_are_the_bytes_of_the_counted_path(store, syntax, limit):
    query = f"SELECT ?s ?o WHERE {{ ?s ?p ?o OPTIONAL {{ ?o <{EX}n> ?n }} }} ORDER BY ?s ?o"
    expected = serialize_results(store.query(query, limit=limit), results_syntax(syntax))
    answer = store.query_serialised(query, syntax, limit=limit)
    if not isinstance(answer, bytes):
        answer = serialize_results(answer, results_syntax(syntax))
    assert answer == expected


def test_serialised_answers_keep_the_limit_and_the_errors(store):
    query = "SELECT * WHERE { ?s ?p ?o }"
    for syntax in ("json", "csv"):
        with pytest.raises(ResultTooLarge):
            store.query_serialised(query, syntax, limit=4)
        answer = store.query_serialised(query, syntax, limit=5)  # exactly the five quads
        rows = serialize_results(answer, results_syntax(syntax)) if not isinstance(
            answer, bytes) else answer
        assert rows.count(EX.encode() + b"a") == 2
        with pytest.raises(QueryError):
            store.query_serialised("SELECT ?x WHERE {\n  ?x ?y }", syntax)


def test_update_inserts_and_bumps_version(store):
    before = store.version
    store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}x> <{EX}p> <{EX}y> }} }}")
    assert store.count(G1) == 3
    assert store.version > before


def test_bad_update_changes_nothing(store):
    with pytest.raises(QueryError):
        store.update("INSERT DATA { GRAPH <http://g> { <x> }")
    assert store.count() == 5


def test_clear_one_graph(store):
    store.clear(G1)
    assert store.named_graphs() == [G2]
    assert store.count() == 3


def test_settle_keeps_every_quad(store):
    before = sorted(map(str, store.quads()))
    store.settle()
    assert sorted(map(str, store.quads())) == before and store.count(G1) == 2


def test_settle_compacts_an_on_disk_store_and_keeps_it(tmp_path):
    from sarcoma_graph.store.oxigraph import OxigraphStore

    disk = OxigraphStore(tmp_path / "store")
    disk.load_bytes(DATA, rdf_syntax("nquads"))
    before = sorted(map(str, disk.quads()))
    disk.settle()
    assert sorted(map(str, disk.quads())) == before
    assert values(disk.query(f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}"), "s") == [EX + "a", EX + "b"]


def test_dump_round_trips(store):
    data = store.dump(rdf_syntax("nquads"))
    other = open_store("oxigraph")
    other.load_bytes(data, rdf_syntax("nquads"))
    assert sorted(map(str, other.quads())) == sorted(map(str, store.quads()))


def test_dump_one_graph_as_turtle(store):
    data = store.dump(rdf_syntax("turtle"), graph=G2)
    assert ox.Dataset(ox.parse(data, format=ox.RdfFormat.TURTLE)).__len__() == 3


def test_blank_nodes_keep_their_identity(store):
    store.load_bytes(f"""
<{EX}s> <{EX}q> _:x <{G1}> .
_:x <{EX}r> _:y <{G1}> .
_:y <{EX}r> _:x <{G1}> .
""".encode(), rdf_syntax("nquads"))
    result = store.query(f"SELECT ?b ?c WHERE {{ <{EX}s> <{EX}q> ?b . ?b <{EX}r> ?c . ?c <{EX}r> ?b }}")
    (row,) = list(result.bindings())
    assert isinstance(row["b"], ox.BlankNode) and row["b"] != row["c"]
    blank = [q for q in store.quads(G1) if isinstance(q.subject, ox.BlankNode)]
    assert len(blank) == 2 and {q.subject for q in blank} == {q.object for q in blank}


def test_the_embedded_store_writes_small_select_answers_natively():
    store = open_store("oxigraph")
    store.load_bytes(DATA, rdf_syntax("nquads"))
    query = "SELECT * WHERE { ?s ?p ?o }"
    assert isinstance(store.query_serialised(query, "json", limit=1000), bytes)
    assert isinstance(store.query_serialised(query, "csv"), bytes)
    # rows are counted in the native answer: exactly at the limit it stays native
    assert isinstance(store.query_serialised(query, "json", limit=5), bytes)
    assert not isinstance(store.query_serialised(query, "tsv", limit=1000), bytes)
    assert not isinstance(store.query_serialised("ASK {}", "json"), bytes)
