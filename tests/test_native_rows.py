"""Rows counted in pyoxigraph's native JSON and CSV answers equal the rows of the answer,
whatever the literals hold (quotes, brackets, commas, line breaks, backslashes)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sarcoma_graph.plumbing.formats import rdf_syntax
from sarcoma_graph.store import ResultTooLarge, open_store
from sarcoma_graph.store.oxigraph import native_rows, rows_at_most

EX = "http://example.org/"
TRICKY = st.text(alphabet=st.sampled_from(list('{}[],:"\\\n\r\t ,x\u00e9\U0001f600')), max_size=12)


def _store(values: list[str], blanks: int) -> ox.Store:
    store = ox.Store()
    for index, value in enumerate(values):
        subject = ox.NamedNode(f"{EX}s{index}")
        store.add(ox.Quad(subject, ox.NamedNode(EX + "p"), ox.Literal(value)))
        if index % 2:
            store.add(ox.Quad(subject, ox.NamedNode(EX + "q"), ox.Literal(value, language="en")))
    for index in range(blanks):
        store.add(ox.Quad(ox.BlankNode(), ox.NamedNode(EX + "r"), ox.Literal(str(index))))
    return store


QUERIES = [
    "SELECT ?s ?v ?w WHERE { ?s <http://example.org/p> ?v OPTIONAL { ?s <http://example.org/q> ?w } }",
    "SELECT ?v WHERE { OPTIONAL { ?s <http://example.org/p> ?v } }",
    "SELECT ?x WHERE { ?s <http://example.org/p> ?v OPTIONAL { ?s <http://example.org/none> ?x } }",
    "SELECT * WHERE { }",
    "SELECT ?t WHERE { ?s ?p ?o BIND(<<( ?s ?p ?o )>> AS ?t) }",
    "SELECT ?b ?o WHERE { ?b <http://example.org/r> ?o }",
    "SELECT ?s WHERE { ?s <http://example.org/nothing> ?o }",
]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(TRICKY, max_size=8), blanks=st.integers(0, 3))
def test_rows_counted_in_native_answers(values: list[str], blanks: int) -> None:
    store = _store(values, blanks)
    for query in QUERIES:
        expected = len(list(store.query(query)))
        for syntax, form in (("json", ox.QueryResultsFormat.JSON), ("csv", ox.QueryResultsFormat.CSV)):
            body = store.query(query).serialize(format=form)
            assert native_rows(body, syntax) == expected, (query, syntax, body)
            bound = rows_at_most(body, syntax)
            assert bound >= expected, (query, syntax, body)
            if not any(mark in "".join(values) for mark in "{\n"):
                assert bound == expected, (query, syntax, body)


@pytest.mark.parametrize("syntax", ["json", "csv"])
def test_the_limit_holds_on_native_answers_of_any_size(syntax: str) -> None:
    store = open_store("oxigraph")
    lines = "".join(f'<{EX}s{i}> <{EX}p> "{"x" * 2000}{i}" .\n' for i in range(30))
    store.load_bytes(lines.encode(), rdf_syntax("ntriples"))
    query = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}"
    answer = store.query_serialised(query, syntax, limit=30)  # 2 kB rows: past the budget
    assert not isinstance(answer, bytes) and len(answer.rows) == 30
    short = f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}"
    assert isinstance(store.query_serialised(short, syntax, limit=30), bytes)
    with pytest.raises(ResultTooLarge):
        store.query_serialised(short, syntax, limit=29)
    with pytest.raises(ResultTooLarge):
        store.query_serialised(query, syntax, limit=29)
