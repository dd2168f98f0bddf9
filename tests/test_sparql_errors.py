"""Syntax errors said where they are and in words: every case is a text pyoxigraph rejects,
and the message must name its mistake at the token that makes it."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from sarcoma_graph.plumbing.sparql_errors import explain
from sarcoma_graph.store import QueryError
from sarcoma_graph.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
#: what the engine's raw listing looks like: character classes and its any-character marker
ENGINE_NOISE = re.compile(r"\\u\{|\[_\]|'\.\.='|expected one of")


def engine_message(text: str, update: bool = False) -> str:
    store = ox.Store()
    with pytest.raises(SyntaxError) as failure:
        store.update(text) if update else store.query(text)
    return str(failure.value)


def offset_of(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[:line - 1]) + column - 1


CASES = [
    # text, words the message must hold, the token it must point at
    # probe r12 L5: the second of what a query has once, a VALUES row's arity, {n,m}
    ("SELECT * { ?s ?p ?o } LIMIT 1 LIMIT 2", ["LIMIT is given twice"], "LIMIT 2"),
    ("ASK {} ASK {}", ["a second query (ASK)"], "ASK {}"),
    ("SELECT * { ?s ?p ?o } VALUES ?s {<http://e/a>} VALUES ?o {1}",
     ["VALUES is given twice"], "VALUES ?o"),
    ("SELECT * { VALUES (?a ?b) { (1) } }", ["1 value(s) for 2 variable(s)"], "(1)"),
    ("SELECT * { ?s <http://e/p>{2,3} ?o }", ["no {n,m} path quantifier"], "{2,3}"),
    ('SELECT * { ?s ?p "x"@en--us }', ["the language tag @en--us is not well formed"], "@en--us"),
    ("SELECT * { ?s foo:bar ?o }", ["prefix 'foo:' is not declared", "PREFIX foo:"], "foo:bar"),
    # a prefix this graph or the W3C declares: the message gives its namespace (review r12, F14)
    ("SELECT * { ?s a sg:Histotype }",
     ["prefix 'sg:' is not declared", "PREFIX sg: <https://w3id.org/sarcoma-graph/ontology/>"],
     "sg:Histotype"),
    ("SELECT * { ?s rdfs:label ?o }",
     ["PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"], "rdfs:label"),
    ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT * {\n  ?s rdf:type ?o\n}",
     ["prefix 'rdf:'"], "rdf:type"),
    ("PREFX ex: <http://e/>\nSELECT * { ?s ex:p ?o }", ["'PREFX' should be PREFIX"], "ex:"),
    ("SELECT * { ?s ?p http://e/o }", ["between angle brackets"], "http:"),
    ("SELEC * {}", ["'SELEC' does not start a query", "did you mean SELECT"], "SELEC"),
    ("PREFIX ex: <http://e/>\nCONSTRCT { ?s ?p ?o } WHERE { ?s ?p ?o }", ["did you mean CONSTRUCT"],
     "CONSTRCT"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", ["INSERT starts an update"], "INSERT"),
    ("SELECT * { ?s ?p ?o ", ["'{' is never closed"], "{"),
    ("PREFIX ex: <http://e/>\nSELECT * {\n  ?s ex:p ?o .\n  FILTER(?o > 3\n}",
     ["'}' does not match the '(' opened at line 4, column 9"], "}"),
    ("SELECT * WHERE { ?s a ?o . } }", ["'}' closes nothing"], "}"),
    ('SELECT * { ?s ?p "abc }', ["string", "not closed"], '"abc'),
    ("SELECT * { ?s ?p '''abc }", ["string opened with '''"], "'''abc"),
    ("SELECT * { ?s <http://e/p ?o }", ["IRI opened with '<' is not closed"], "<"),
    ("SELECT * { ?s ?p <http://e/a b> }", ["IRI opened with '<' is not closed"], "<"),
    ("SELECT * { ?s <p> ?o }", ["<p> is a relative IRI", "no BASE"], "<p>"),
    ("BASE <rel> SELECT * {}", ["BASE IRI <rel> must be absolute"], "<rel>"),
    ("SELECT (COUNT(?s) AS ?n) ?p { ?s ?p ?o }", ["?p is selected but not grouped"], "?p"),
    ("SELECT ?s ?p { ?s ?p ?o } GROUP BY ?p", ["?s is selected but not grouped"], "?s"),
    ("SELECT (1 AS ?x) (2 AS ?x) {}", ["?x is selected twice"], "?x"),
    ("SELECT * { ?s ?p ?x BIND(1 AS ?x) }", ["BIND (… AS ?x) binds a variable already used"], "?x"),
    ("SELECT DISTINCT", ["the query ends too early, after 'DISTINCT'", 'what fits there: "$", "(", "*"'],
     "DISTINCT"),
    ("SELECT * WHERE { ?s ?p }", ["does not parse at '}'", "just before it"], "}"),
    ("", ["has no query"], ""),
    # probe r11, L5: the position of the token the engine stopped after, or the wrong problem
    ("SELECT * WHERE { ?s ?p ?o . FILTER(?o = ) }", ["an operand is missing between '=' and ')'"],
     ") }"),
    ("SELECT * WHERE { ?s ?p ?o . FILTER(= ?o) }", ["'=' has nothing on its left"], "= ?o"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o > 1 && ) }", ["operand is missing between '&&'"], ") }"),
    ("PREFIX : <http://e/> SELECT * WHERE { :a :b :c @@@ }", ["'@' is not allowed here"], "@@@"),
    ("SELECT * { ?s ?p ?o FILTER(?o & ?s) }", ["'&' is not allowed alone", "&&"], "& ?s"),
    ("SELECT * { ?s ?p ?o } LIMIT 99999999999999999999999",
     ["LIMIT 99999999999999999999999 is too large", "at most 18446744073709551615"], "9999"),
    ("SELECT * { ?s ?p ?o } OFFSET 18446744073709551616", ["OFFSET 18446744073709551616 is too large"],
     "18446744073709551616"),
    ("SELECT * { ?s ?p ?o } LIMIT 1.5", ["LIMIT takes a whole number", "'1.5'"], "1.5"),
    ("ASK {}\x00", ["a NUL character (U+0000)"], "\x00"),
    ("ASK {\x01}", ["a control character (U+0001)"], "\x01"),
    ("SELECT * { SERVICE#c\\n<http://x/> { ?s ?p ?o } }",
     ["'{' is never closed", "the comment at line 1, column 19", "'\\n' written in it is no line"], "{"),
    ("ASK {}%ZZ%2", ["'%' is not allowed here", "%25"], "%ZZ"),
    ("\ufeffASK {}", ["byte-order mark (U+FEFF"], "\ufeffASK"),
    ('SELECT ("\\uD83D\\uDE00" AS ?x) {}', ["\\uD83D is half of a UTF-16 surrogate pair",
                                         "as \\U0001F600"], "\\uD83D"),
    ('SELECT (<http://e/\\uDE00> AS ?x) {}', ["\\uDE00 is half", "\\U with eight hex digits"],
     "\\uDE00"),
    # probe r13, L4: the engine stopped at 'AS' or '}', after the mistake
    ('SELECT ("\\U00110000" AS ?x) {}', ["\\U00110000 is no character", "U+10FFFF"], "\\U00110000"),
    ("SELECT (<http://e/\ufffe> AS ?x) {}", ["not a valid IRI", "U+FFFE"], "<http://e/"),
    ("SELECT ?\u0301x {}", ["a variable name cannot start with U+0301"], "?\u0301x"),
    # browser r13 F12: 'SELEC' had "did you mean SELECT?", a misspelt keyword inside none
    ("SELECT * {\n  VALUE ?agent { <http://e/a> }\n}",
     ["'VALUE' is no SPARQL keyword", "did you mean VALUES?"], "VALUE ?agent"),
    ("SELECT * { ?s ?p ?o FILTR(?o > 1) }", ["did you mean FILTER?"], "FILTR"),
]


@pytest.mark.parametrize(("text", "words", "token"), CASES, ids=[c[0][:40] for c in CASES])
def test_a_syntax_error_is_named_where_it_is(text, words, token):
    said = explain(text, engine_message(text))
    for word in words:
        assert word in said.message
    assert not ENGINE_NOISE.search(said.message), said.message
    assert said.line is not None and said.column is not None
    assert text[offset_of(text, said.line, said.column):].startswith(token), said


@pytest.mark.parametrize(("text", "words"), [
    # an update's message says "the update" (probe r12 L5)
    ("INSERT DATA { <http://e/a> <http://e/b> }", ["the update does not parse"]),
    ('INSERT DATA { <http://a> <http://b> "x }', ["string", "not closed"]),
    ("DELETE WHERE { ?s ex:p ?o }", ["prefix 'ex:' is not declared"]),
    ("INSERT DATA { <http://a> <http://b> <c> }", ["<c> is a relative IRI"]),
])
def test_an_update_is_not_told_to_be_a_query(text, words):
    said = explain(text, engine_message(text, update=True), update=True)
    for word in words:
        assert word in said.message
    assert "not a query" not in said.message and "does not start a query" not in said.message


@pytest.mark.parametrize("text", ["SELECT * {}", "PREFIX ex: <http://e/>\nASK { ?s ex:p ?o }"])
def test_a_query_sent_as_an_update_is_told_to_be_a_query(text):
    said = explain(text, engine_message(text, update=True), update=True)
    assert "starts a query, not an update: send it as a query" in said.message
    assert text[offset_of(text, said.line, said.column):].startswith(("SELECT", "ASK"))


@pytest.mark.parametrize(("text", "position"), [
    ("SELECT * { ?s ?p ?o FILTER(<http://example/unknownfn>(?o)) }", (1, 28)),
    ("PREFIX f: <http://example/>\nPREFIX f: <http://example/other/>\n"
     "SELECT * {\n  ?s ?p ?o FILTER(f:fn(?o)) }", (4, 19)),
])
def test_an_unsupported_function_is_named_where_it_is_called(text, position):
    with pytest.raises(QueryError) as failure:
        OxigraphStore().query(text)
    assert "is not supported here" in failure.value.message
    assert (failure.value.line, failure.value.column) == position


def test_an_unsupported_function_in_an_update_has_its_position_too():
    text = "INSERT { ?s ?p 1 } WHERE { ?s ?p ?o FILTER(<http://example/fn>(?o)) }"
    with pytest.raises(QueryError) as failure:
        OxigraphStore().update(text)
    assert (failure.value.line, failure.value.column) == (1, 44)


def test_a_relative_iri_is_no_mistake_when_the_engine_had_a_base():
    text = "SELECT * { ?s <p> ?o } LIMIT x"
    said = explain(text, engine_message(text), based=True)
    assert "relative" not in said.message


def test_other_engine_messages_come_back_as_they_are():
    assert explain("SELECT * {}", "the query timed out").message == "the query timed out"


def test_the_store_raises_the_explained_error_with_its_position():
    store = OxigraphStore()
    text = "PREFIX ex: <http://e/>\nSELECT * {\n  ?s ex:p foo:q .\n}"
    with pytest.raises(Exception) as failure:
        store.query(text)
    assert "prefix 'foo:' is not declared" in failure.value.message
    assert (failure.value.line, failure.value.column) == (3, 11)


def _mutants(count: int) -> list[str]:
    """Texts made by cutting one character or one word out of the project's own queries."""
    pick = random.Random(20261128)
    sources = [p.read_text() for p in sorted((ROOT / "queries").glob("*.rq"))]
    sources += [p.read_text() for p in sorted((ROOT / "qc").glob("*.rq"))]
    mutants = []
    for _ in range(count):
        text = pick.choice(sources)
        at = pick.randrange(len(text))
        if pick.random() < 0.5:
            mutants.append(text[:at] + text[at + 1:])
        else:
            end = text.find(" ", at + 1)
            mutants.append(text[:at] + text[end if end > 0 else len(text):])
    return mutants


def test_every_broken_query_gets_a_position_and_plain_words():
    """400 texts, seeded: whatever the engine rejects, the explanation points inside the text
    and carries none of the parser's character classes (and never raises)."""
    checked = 0
    store = ox.Store()
    for text in _mutants(400):
        try:
            store.query(text)
        except SyntaxError as error:
            said = explain(text, str(error))
        else:
            continue
        checked += 1
        assert said.line is not None and said.column is not None, (text, said)
        assert 0 <= offset_of(text, said.line, said.column) <= len(text), (text, said)
        assert not ENGINE_NOISE.search(said.message), (text, said)
    assert checked > 100  # the mutations broke most texts
