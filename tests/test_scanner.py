"""The SPARQL scanner against the engines that run the queries (issue 8, defects 1–4).

The oracle is the engine itself: a query the scanner finds no ``SERVICE`` in is run by
pyoxigraph (and parsed by rdflib) with every ``SERVICE`` of the text pointing at a recording
listener, which must then see no request. Generated texts put strings with escapes,
comments, IRIs, prefixed names with ``\\``-escapes and ``<`` operators in every position.
"""

from __future__ import annotations

import contextlib
import itertools
import re

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from sarcoma_graph.plumbing.scanner import (
    has_dataset_clause,
    may_have_keyword,
    scan,
    tokens,
    unescape,
)
from tests.recording import recording_listener

LISTENER = "http://127.0.0.1:9/"  # replaced by the live listener's URL in each test
PROLOGUE = f"PREFIX ex: <http://e/> PREFIX l: <{LISTENER}> PREFIX : <{LISTENER}> "

SERVICE_FORMS = [
    f"SERVICE <{LISTENER}x> {{ }}", f"SERVICE SILENT <{LISTENER}x>{{}}", f"SeRvIcE<{LISTENER}x>{{}}",
    f"SERVICESILENT<{LISTENER}x>{{}}", "SERVICE l:x { }", "service l:{}", "service:x{}",
    "servicesilent:x {}", f"SERVICE#c\n<{LISTENER}x>#c\n{{}}", f"VALUES ?t {{true}}SERVICE<{LISTENER}x>{{}}",
    f"\\u0053ERVICE <{LISTENER}x> {{}}", f"SERVICE <{LISTENER}\\u0078> {{}}",
]
INERT = st.sampled_from([
    "?s ex:a\\# ?o .", "?s ex:a\\' ?o .", "?s ex:a\\.b ?o .", "?s ex:%41 ?o .", "?s ex:a\\## c\n ?o .",
    "?s <http://e/p#q> ?o .", "?s ?p <http://e/\\u0041> .", "FILTER(?o < 3)", "FILTER(?o<3)",
    "FILTER(?o<?s)", "OPTIONAL { ?s ?p ?o }", "VALUES ?v { <http://e/a#b> \"x\" }", "?s ?p 1.5e3 .",
    "?s ?p \"x\"@en .", "?s ?p (1 <http://e/a> ?o) .", "?s (<http://e/a>|^ex:b)* ?o .",
    "FILTER NOT EXISTS { ?s ?p ?o }", "MINUS { ?s ?p ?o }", "FILTER(REGEX(?o, \"^a\", \"i\"))",
])
HIDDEN = [f"}} SERVICE <{LISTENER}x> {{", f"SERVICE <{LISTENER}x> {{}}", "' \" # \\ \\\" } {", "\\u0022"]
TEXT = st.lists(st.sampled_from([*HIDDEN, "a", " ", "#", "'", '"', "\\", "<", ">", "{", "}"]),
                max_size=6).map("".join)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


LITERALS = st.one_of(
    TEXT.map(lambda t: f'?s ?p "{_escape(t)}" .'),
    TEXT.map(lambda t: "?s ?p '{}' .".format(_escape(t).replace("'", "\\'"))),
    TEXT.map(lambda t: f'?s ?p """{_escape(t)}\n""" .'),
    TEXT.map(lambda t: "# {}\n".format(t.replace("\n", " "))),
)
FRAGMENTS = st.sampled_from([
    '"', "'", "\\", "#", "\n", "<", ">", "ex:a\\#", "ex:a\\'", "{", "}", '"""', "'''", "?o", "?s",
    "FILTER(", ")", "1", " ", "<http://e/x>", "\\u0022", "\\u003E", ".", "SERVICE", f"<{LISTENER}x>",
    "{}", "ex:b", ":", "ex:", "a", "true", "@en", "^^", "(", "l:x", "UNION", "BIND(", "AS", "?z",
])


def _query(body: str, listener: str) -> str:
    text = f"{PROLOGUE}SELECT * {{ {{ {body} }} UNION {{ BIND(1 AS ?zz) }} }}"
    return text.replace(LISTENER, listener)


def _note(message: str) -> None:
    """A hypothesis statistic, when called inside a hypothesis test."""
    with contextlib.suppress(InvalidArgument):
        event(message)


def _reaches(text: str, listener: str, recorder_requests: list[str]) -> bool:
    """Whether pyoxigraph, running the text on an empty store, calls the listener."""
    before = len(recorder_requests)
    try:
        result = ox.Store().query(text)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
        _note("pyoxigraph runs the text")
    except SyntaxError:
        _note("pyoxigraph refuses the text")
    except (OSError, ValueError, TypeError, RuntimeError):
        _note("pyoxigraph fails on the text")
    return len(recorder_requests) > before


def _rdflib_services(text: str) -> int | None:
    """How many SERVICE patterns rdflib's parser finds; None when it does not parse the text."""
    from rdflib.plugins.sparql import parser

    try:
        tree = parser.parseQuery(text)
    except Exception:
        return None
    return len(re.findall(r"ServiceGraphPattern", repr(tree)))


@pytest.fixture(scope="module")
def listener():
    with recording_listener() as recorder:
        yield recorder


@pytest.mark.parametrize("form", SERVICE_FORMS)
def test_every_service_form_is_seen_and_really_calls_out(form, listener):
    text = _query(form, listener.url)
    facts = scan(text)
    assert facts.services, text
    # the oracle works: pyoxigraph does call the listener for this form (rdflib reading aside)
    if "\\u0053" not in form:
        assert _reaches(text, listener.url, listener.requests), text


def test_defect_1_prefixed_name_escapes_hide_no_service(listener):
    for escape in ("\\#", "\\'"):
        text = (f"PREFIX ex: <http://e/> SELECT * {{ {{ ?s ex:a{escape} ?o }} UNION "
                f"{{ SERVICE <{listener.url}x> {{ ?x ?y ?z }} }} }}")
        assert [s.iri for s in scan(text).services] == [f"{listener.url}x"]


def test_service_targets_and_problems():
    def targets(text: str) -> list[str | None]:
        return [s.iri or s.problem for s in scan(text).services]

    assert targets("SELECT * { SERVICE ?x {} }") == ["variable"]
    assert targets("SELECT * { ?s ?p trueSERVICE <http://x/> {} }") == ["http://x/"]
    assert targets("SELECT * { SERVICE <rel> {} }") == ["relative"]
    assert targets("SELECT * { SERVICE nope:x {} }") == ["unknown prefix"]
    assert targets("PREFIX p: <http://a/> PREFIX p: <http://b/> SELECT * { SERVICE p:x {} }") == [
        "http://b/x"]  # redeclared: the later one applies (SPARQL 1.1 §4.1.1)
    assert targets("PREFIX p: <http://a/> PREFIXp:<http://b/> SELECT * { SERVICE p:x {} }") == [
        "http://b/x"]
    assert targets("SELECT * { SERVICE # the endpoint follows\n <http://x/> {} }") == ["http://x/"]
    assert targets("SELECT * { SERVICE SILENT#c\n#d\n<http://x/> {} }") == ["http://x/"]
    # SERVICE, then only a comment to the end ('\\n' written, not a line break): no engine
    # parses it, so no endpoint to check; the parser says what is wrong
    assert targets("SELECT * { SERVICE#c\\n<http://x/> { ?s ?p ?o } }") == []
    assert targets("SELECT * { SERVICE SILENT") == []
    assert targets("PREFIX service: <http://x/> SELECT * { ?s service:a ?o }") == []
    assert targets('SELECT * { ?s ?p "SERVICE <http://x/> {}" } # SERVICE <http://y/> {}') == []


@pytest.mark.parametrize("prologue", [
    "PREFIX p: <http://a/> PREFIX p: <http://b/>",
    "PREFIX p: <http://a/> PREFIXp:<http://b/>",
    "PREFIX p: <http://a/>\nPREFIX p: <http://b/>\nPREFIX p: <http://a/>",
    "PREFIX p: <http://a/> PREFIX P: <http://b/>",
    "PREFIX p: <http://\\u0062/> PREFIX p: <http://a/\\u0062/>",
])
def test_a_redeclared_prefix_expands_as_the_engine_expands_it(prologue):
    """The oracle: the IRI pyoxigraph makes of p:x where the SERVICE would be."""
    made = next(iter(ox.Store().query(f"{prologue} SELECT (p:x AS ?x) {{}}")))["x"].value
    facts = scan(f"{prologue} SELECT * {{ SERVICE p:x {{ ?s ?p ?o }} }}")
    assert [s.iri for s in facts.services] == [made]


def test_a_limit_passed_is_located_in_the_text():
    facts = scan("ASK {\n  " + "(" * 300 + ")" * 300 + "}", quick=(128, 4000))
    assert facts.crossed == 8 + 127  # the 129th opening bracket: the '{' and 128 '('


def test_less_than_is_an_operator_after_an_operand_in_an_expression():
    text = "SELECT * { BIND(1 AS ?a) FILTER(?a<2)SERVICE#>\n<http://x/>{?s ?p ?o}}"
    facts = scan(text)
    assert [s.iri for s in facts.services] == ["http://x/"]
    assert facts.ambiguous is not None  # an IRI reading '<2)SERVICE#>' would hide it: refuse
    assert not scan("SELECT * { ?s <http://x#p> ?o FILTER(?o < 3) }").ambiguous


def test_load_dataset_clause_form_volatile_and_depth():
    assert scan("LOAD <http://x/> INTO GRAPH <http://g/>").load
    assert scan('INSERT DATA { <a> <b> "c" } ; LOADSILENT<http://x>').load
    assert not scan('INSERT DATA { <http://a> <http://b> "LOAD" }').load
    assert has_dataset_clause("SELECT*FROM<http://g>{?s ?p ?o}")
    assert not has_dataset_clause('SELECT * { ?s ?p "FROM" } # FROM')
    assert scan("CONSTRUCT WHERE { ?s ?p ?o }").form == "construct"
    assert scan("SELECT (RAND() AS ?r) {}").volatile
    assert not scan("SELECT ?now { ?s <http://x/RAND> ?now }").volatile
    assert scan("ASK " + "{" * 40 + "}" * 40).depth == 40
    assert scan("ASK { FILTER(((1))) }").depth == 4


def test_tokens_keep_escaped_names_whole():
    text = "ex:a\\# ex:a\\' ex:a\\.b ex:a. ?v 'x\\'y' \"\"\"a\"\"b\"\"\" <http://e/#x>"
    kinds = [(t.kind, t.text) for t in tokens(text)]
    assert kinds == [("pname", "ex:a\\#"), ("pname", "ex:a\\'"), ("pname", "ex:a\\.b"),
                     ("pname", "ex:a"), ("punct", "."), ("var", "?v"), ("string", "'x\\'y'"),
                     ("string", '"""a""b"""'), ("iri", "<http://e/#x>")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(INERT, LITERALS), max_size=6), st.sampled_from(SERVICE_FORMS),
       st.integers(0, 6))
def test_a_service_among_noise_is_always_seen(noise, form, where):
    body = " ".join([*noise[:where], form, *noise[where:]])
    assert scan(_query(body, "http://127.0.0.1:9/")).services


@settings(max_examples=300, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(INERT, LITERALS, FRAGMENTS), max_size=14))
def test_no_service_escapes_detection(listener, pieces):
    text = _query(" ".join(pieces), listener.url)
    facts = scan(text)
    if facts.services or facts.ambiguous is not None:
        return  # the server refuses these (unless every endpoint is allowed)
    assert not _reaches(text, listener.url, listener.requests), text
    assert not _rdflib_services(text), text


# ---------------------------------------------------------------- the quick check before tokenizing

BLANKS = ["", " ", "\n", "\t#c from NOW(\n", " # <x>\n "]
TARGETS = ["<http://e/g>", "ex:g", ":g", "NAMED <http://e/g>", "NAMED ex:g", "named:g"]
CALLS = ["NOW", "now", "RAND", "Rand", "UUID", "STRUUID", "BNODE"]


def _parses(text: str) -> bool:
    try:
        ox.Store().query(text)
    except SyntaxError:
        return False
    except (OSError, ValueError, TypeError, RuntimeError):
        pass
    return True


@pytest.mark.parametrize("before", BLANKS)
@pytest.mark.parametrize("target", TARGETS)
def test_quick_check_sees_every_dataset_clause(before, target):
    text = f"PREFIX ex: <http://e/> PREFIX : <http://e/> PREFIX named: <http://n/> " \
           f"SELECT * FROM{before}{target} WHERE {{ ?s ?p ?o }}"
    if not _parses(text):
        pytest.fail(f"the case itself is not SPARQL: {text!r}")
    assert may_have_keyword(text)
    # FROMex:g is one name to the tokenizer; pyoxigraph reads FROM ex:g and lets it win over
    # the union default graph anyway, so only the quick check must see it
    assert has_dataset_clause(text) or not before


@pytest.mark.parametrize("before", BLANKS)
@pytest.mark.parametrize("call", CALLS)
def test_quick_check_sees_every_volatile_call(before, call):
    argument = '"x"' if call == "BNODE" else ""
    text = f"SELECT ({call}{before}({argument}) AS ?v) {{}}"
    assert _parses(text), text
    assert may_have_keyword(text)
    assert scan(text, quick=(128, 4000)).volatile


@pytest.mark.parametrize("prose", [
    '"inferred from mechanism"', '"known"', '"a random brand"', '"loaded"', '"a service"',
    "'FROM  nowhere'"])
def test_quick_check_lets_prose_in_strings_pass_but_not_service_or_load(prose):
    text = f"SELECT ?x {{ ?x ?p {prose} }}"
    words = ("service", "load")
    assert may_have_keyword(text) == any(w in prose.lower() for w in words)
    assert not has_dataset_clause(text)
    assert not scan(text, quick=(128, 4000)).volatile


def test_quick_check_leaves_what_it_cannot_decide_in_a_window_to_the_tokenizer():
    far = "SELECT * FROM" + " " * 300 + "<http://e/g> { ?s ?p ?o }"
    long_prefix = "SELECT * FROM " + "e" * 300 + ":g { ?s ?p ?o }"
    many = "SELECT ?x { ?x ?p \"" + "from x " * 100 + "\" }"
    assert may_have_keyword(far) and has_dataset_clause(far)
    assert may_have_keyword(long_prefix)
    assert may_have_keyword(many)  # past the candidates it weighs: tokenized


PROJECTIONS = ["*", "?s", "(NOW() AS ?v)", "(now\n() AS ?v)", '("known from" AS ?v)',
               "(RAND #c\n() AS ?v)", "(STRUUID() AS ?v)", '("random" AS ?v)',
               '(BNODE("b") AS ?v)', "(?s AS ?from)"]
DATASETS = ["", "FROM <http://e/g>", "FROM#c\n ex:g", "FROM NAMED :g", "from:g",
            "FROM NAMED<http://e/g>"]
OBJECTS = ["?o", '"from ex:x"', '"now (x)"', '"FROM <x>"', "ex:fromage", "ex:now",
           "<http://e/from>", "'rand('", '"""uuid\n("""']


def test_what_the_quick_check_lets_pass_the_tokenizer_finds_nothing_in():
    passed = 0
    for projection, dataset, obj in itertools.product(PROJECTIONS, DATASETS, OBJECTS):
        text = f"PREFIX ex: <http://e/> PREFIX : <http://e/> SELECT {projection} {dataset} " \
               f"WHERE {{ ?s ?p {obj} }}"
        assert _parses(text), text
        if any(may_have_keyword(reading) for reading in (text, unescape(text))):
            continue
        passed += 1
        facts = scan(text)
        assert not (facts.dataset_clause or facts.volatile or facts.services or facts.load), text
    assert passed == 4 * 1 * 5  # projections, datasets and objects with no keyword-like word
