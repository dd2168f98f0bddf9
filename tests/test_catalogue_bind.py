"""Named-query parameters are bound as standard SPARQL: VALUES in the text (catalogue.bind)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from sarcoma_graph.catalogue import (
    NamedQuery,
    Parameter,
    bind_values,
    load_catalogue,
    load_query,
    paged,
    query_kind,
)
from sarcoma_graph.errors import InputError

EX = "https://example.org/"
ROOT = Path(__file__).resolve().parents[1]


def named(text: str, *parameters: Parameter) -> NamedQuery:
    return NamedQuery("q", Path("q.rq"), "Q", "", (), parameters, text, query_kind(text), {})


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for s, o in (("a", "x"), ("b", "y"), ("c", 'say "}"')):
        store.add(ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o)))
    return store


def subjects(store: ox.Store, sparql: str) -> list[str]:
    return sorted(row["s"].value for row in store.query(sparql))


SELECT = f"""PREFIX ex: <{EX}>
# a comment with a brace }} and WHERE {{
SELECT ?s ?o WHERE {{
  ?s ex:p ?o .
  FILTER(?o != "WHERE {{ }}")
}}
ORDER BY ?s
"""


def test_values_end_the_outer_group_and_restrict_the_rows(store):
    query = named(SELECT, Parameter("s", "iri", ""))
    text = query.bind({"s": EX + "b"})
    assert text.count("VALUES") == 1
    assert text.index("VALUES") < text.index("ORDER BY")
    assert subjects(store, text) == [EX + "b"]


def test_a_literal_value_is_escaped(store):
    query = named(SELECT, Parameter("o", "literal", ""))
    assert subjects(store, query.bind({"o": 'say "}"'})) == [EX + "c"]


def test_no_value_no_default_leaves_the_text_as_written(store):
    query = named(SELECT, Parameter("s", "iri", ""))
    assert query.bind({}) == SELECT
    assert query.bind({"s": ""}) == SELECT
    assert len(subjects(store, query.bind({}))) == 3


def test_defaults_fill_what_is_not_given(store):
    query = named(SELECT, Parameter("s", "iri", "", EX + "a"))
    assert subjects(store, query.bind({})) == [EX + "a"]


@pytest.mark.parametrize("values, message", [({"x": "1"}, "has no parameter x"),
                                             ({"s": "not an iri"}, "absolute IRI"),
                                             # probe r16 L2: the engine's words, no name
                                             ({"s": "https://x.org/a\n"}, "parameter 's'"),
                                             ({"s": "https://x.org/a#b#c"}, "parameter 's'")])
def test_bad_values_name_the_parameter(values, message):
    query = named(SELECT, Parameter("s", "iri", ""))
    with pytest.raises(ValueError, match=message):
        query.bind(values)


def test_select_without_where_keyword(store):
    text = bind_values(f"SELECT ?s {{ ?s <{EX}p> ?o }}", {"s": ox.NamedNode(EX + "a")})
    assert subjects(store, text) == [EX + "a"]


def test_construct_where_shortcut_gets_a_trailing_values(store):
    text = bind_values(f"CONSTRUCT WHERE {{ ?s <{EX}p> ?o }}", {"s": ox.NamedNode(EX + "a")})
    assert text.rstrip().endswith(f"VALUES ?s {{ <{EX}a> }}")
    assert len(list(store.query(text))) == 1


def test_construct_template_is_left_alone(store):
    text = bind_values(f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o }}",
                       {"s": ox.NamedNode(EX + "b")})
    assert text.startswith(f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{")
    assert [t.subject.value for t in store.query(text)] == [EX + "b"]


def test_integer_values_are_typed(store):
    text = bind_values("SELECT ?n WHERE { BIND(1 AS ?n) }",
                       {"n": ox.Literal("1", datatype=ox.NamedNode(
                           "http://www.w3.org/2001/XMLSchema#integer"))})
    assert len(list(store.query(text))) == 1


@pytest.mark.parametrize("where", [
    "{ OPTIONAL { ?s <%sp> ?o } }",
    "{ ?t <%sp> ?o MINUS { ?s <%sp> ?o } }",
    "{ ?t <%sp> ?o FILTER(?s != ?t) }",
    "{ { ?s <%sp> ?o } UNION { ?t <%sp> ?o } }",
    "{ ?t <%sp> ?o FILTER NOT EXISTS { ?s <%sp> ?o } }",
])
def test_values_stays_at_the_end_unless_the_group_binds_the_name_first(store, where):
    """At the head, a name bound only inside OPTIONAL or MINUS (or only read by a FILTER)
    would change the answer: the block stays after the group's patterns."""
    text = bind_values("SELECT * WHERE " + where.replace("%s", EX), {"s": ox.NamedNode(EX + "a")})
    assert text.rstrip().rstrip("}").rstrip().endswith(f"VALUES ?s {{ <{EX}a> }}")


@pytest.mark.parametrize("where", [
    "{ ?s <%sp> ?o OPTIONAL { ?s <%sq> ?x } }",
    "{ GRAPH ?g { ?s <%sp> ?o } OPTIONAL { ?s <%sq> ?x } }",
    "{ { ?s <%sp> ?o } OPTIONAL { ?s <%sq> ?x } }",
])
def test_values_opens_the_group_when_a_pattern_binds_the_name(store, where):
    text = bind_values("SELECT * WHERE " + where.replace("%s", EX), {"s": ox.NamedNode(EX + "a")})
    assert text.startswith(f"SELECT * WHERE {{\n  VALUES ?s {{ <{EX}a> }}")


def test_a_name_bound_only_in_optional_answers_as_a_trailing_values(store):
    query = f"SELECT ?s ?o WHERE {{ ?t <{EX}p> ?o OPTIONAL {{ ?s <{EX}p> ?o }} }}"
    text = bind_values(query, {"s": ox.NamedNode(EX + "a")})
    trailing = query.rstrip()[:-1] + f" VALUES ?s {{ <{EX}a> }} }}"
    rows = sorted((r["s"].value, r["o"].value) for r in store.query(text))
    assert rows == sorted((r["s"].value, r["o"].value) for r in store.query(trailing))


# --- pages: LIMIT/OFFSET added to a named query --------------------------------------------


def test_a_query_setting_its_own_limit_is_not_paged():
    with pytest.raises(ValueError, match="sets its own LIMIT"):
        paged("SELECT ?s WHERE { ?s ?p ?o } LIMIT 5", limit=2)
    # a LIMIT inside a sub-select is the query's business, not a page
    inner = "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 5 } }"
    assert paged(inner, limit=2).rstrip().endswith("LIMIT 2")


def test_a_page_goes_before_a_trailing_values_block(store):
    text = paged("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s VALUES ?s { <https://example.org/a> "
                 "<https://example.org/c> }", limit=1, offset=1)
    assert [row["s"].value for row in store.query(text)] == [EX + "c"]


def test_a_parameter_may_not_take_a_reserved_name(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("#+ title: q\n#+ param: limit | integer | how many\nSELECT * {}\n")
    with pytest.raises(InputError, match="cannot be named 'limit'"):
        load_query(path)


def test_pages_of_every_named_select_add_up_to_its_answer(curated_store):
    """Three rows at a time, every named SELECT of the catalogue: the pages, in order, are the
    whole answer (their ORDER BY makes the order fixed)."""
    checked = 0
    for query in load_catalogue(ROOT / "queries"):
        if query.kind != "select" or query.name.startswith("civic-"):
            continue
        text = query.bind({})
        whole = curated_store.query(text).rows
        pages = [curated_store.query(paged(text, limit=3, offset=at)).rows
                 for at in range(0, min(len(whole), 12) + 3, 3)]
        assert [row for page in pages for row in page] == whole[:len(whole) if len(whole) < 12
                                                                  else 15], query.name
        checked += 1
    assert checked >= 20


def test_an_iri_parameter_takes_a_prefixed_name_with_a_known_prefix():
    """A prefixed name the pages show (``sgh:…``, ``sggene:KIT``, ``rdfs:label``) is expanded;
    an IRI whose scheme is not a known prefix stays as it is; a bare word is refused."""
    from sarcoma_graph.catalogue import Parameter
    from sarcoma_graph.namespaces import ID

    param = Parameter("tumour", "iri", "The tumour type")
    assert param.term("sgh:desmoid-tumour").value == ID + "histotype/desmoid-tumour"
    assert param.term("sggene:KIT").value == ID + "gene/KIT"
    assert param.term("rdfs:label").value == "http://www.w3.org/2000/01/rdf-schema#label"
    assert param.term("urn:x:1").value == "urn:x:1"
    assert param.term("https://example.org/a").value == "https://example.org/a"
    with pytest.raises(ValueError, match="absolute IRI"):
        param.term("KIT")
