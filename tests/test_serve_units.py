"""Pure parts of the endpoint, without a server: Accept parsing, the scanner, the answer cache,
the SERVICE guard and the settings."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sarcoma_graph.plumbing.scanner import scan
from sarcoma_graph.serve import guard
from sarcoma_graph.serve.cache import ENTRY_OVERHEAD, Answer, AnswerCache, etag_for, etag_matches
from sarcoma_graph.serve.guard import Refused
from sarcoma_graph.serve.negotiation import RDF_OFFERS, RESULTS_OFFERS, choose, parse_accept, pick
from sarcoma_graph.serve.protocol import percent_decode
from sarcoma_graph.serve.settings import Settings
from sarcoma_graph.serve.using import add_using

OFFERS = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv")


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "application/sparql-results+json"),
    ("", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("text/csv", "text/csv"),
    ("text/*", "text/csv"),
    ("application/sparql-results+xml, */*;q=0.1", "application/sparql-results+xml"),
    ("application/*;q=0.5, text/csv;q=0.9", "text/csv"),
    ("text/csv;q=0.2, application/sparql-results+xml;q=0.8", "application/sparql-results+xml"),
    ("text/csv, application/sparql-results+xml", "text/csv"),  # tie: client's order
    ("*/*;q=0.9, text/csv;q=0", "application/sparql-results+json"),
    ("text/html", None),
    ("text/*, text/csv;q=0", None),  # the specific range wins over the wildcard
    ("*/*;q=0", None),
    ("garbage, ;;, /", "application/sparql-results+json"),  # unreadable: anything goes
    ("TEXT/CSV; Q=1", "text/csv"),
    ("text/csv;q=abc, application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_choose_follows_q_values_wildcards_and_specificity(accept, expected):
    assert choose(accept, OFFERS) == expected


def test_parse_accept_keeps_order_and_quality():
    ranges = parse_accept("text/turtle;q=0.5, application/*, */*;q=0.1")
    assert [(r.type, r.subtype, r.q, r.specificity) for r in ranges] == [
        ("text", "turtle", 0.5, 2), ("application", "*", 1.0, 1), ("*", "*", 0.1, 0)]


def test_offer_tables_map_aliases_and_put_defaults_first():
    assert next(iter(RESULTS_OFFERS)) == "application/sparql-results+json"
    assert next(iter(RDF_OFFERS)) == "text/turtle"
    assert pick("application/json", RESULTS_OFFERS) == "json"
    assert pick("application/json", RDF_OFFERS) == "jsonld"
    assert pick("application/xml", RDF_OFFERS) == "rdfxml"
    assert pick("text/tab-separated-values", RESULTS_OFFERS) == "tsv"


def test_scanner_ignores_strings_iris_and_comments():
    text = 'SELECT * WHERE { ?s ?p "SERVICE { }" } # SERVICE <x>\n'
    assert not scan(text).services
    assert scan("SELECT * { service <http://x> { ?s ?p ?o } }").services
    assert scan("SELECT * { \\u0053ERVICE <http://x> { ?s ?p ?o } }").services
    assert not scan("PREFIX service: <http://x/> SELECT * { ?s service:a ?o }").services


@pytest.mark.parametrize(("text", "form"), [
    ("PREFIX select: <http://x/> CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
    ("# SELECT\nASK { ?s ?p 'DESCRIBE' }", "ask"),
    ("BASE <http://x/> DESCRIBE <a>", "describe"),
    ("select * {}", "select"),
    ("INSERT DATA {}", None),
])
def test_query_form(text, form):
    assert scan(text).form == form


def test_volatile_functions_are_spotted():
    assert scan("SELECT (RAND() AS ?r) {}").volatile
    assert scan("SELECT (NOW () AS ?r) {}").volatile
    assert not scan("SELECT ?now { ?s <http://x/RAND> ?now }").volatile


def test_add_using_inserts_clauses_before_top_level_where():
    update = ("PREFIX ex: <http://ex/> INSERT { GRAPH ex:g { ?s ?p ?o } } WHERE { ?s ?p ?o "
              "{ SELECT ?s WHERE { ?s ?q ?r } } } ; DELETE WHERE { ?s ex:gone ?o }")
    out = add_using(update, ["http://ex/a"], ["http://ex/n"])
    assert out.count("USING <http://ex/a>") == 2
    assert out.count("USING NAMED <http://ex/n>") == 2
    assert "SELECT ?s WHERE" in out  # the subquery's WHERE is left alone
    assert "DELETE { ?s ex:gone ?o } USING <http://ex/a> USING NAMED <http://ex/n> WHERE" in out
    store = ox.Store()
    store.update(out)  # still valid SPARQL


@pytest.mark.parametrize("update", [
    "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }",
])
def test_add_using_refuses_updates_with_their_own_dataset(update):
    with pytest.raises(Refused, match="USING or WITH"):
        add_using(update, ["http://ex/a"], [])


def test_add_using_leaves_data_operations_alone():
    update = 'INSERT DATA { <http://a> <http://b> "WHERE" }'
    assert add_using(update, ["http://ex/a"], []) == update


def test_guard_checks_every_service_iri():
    guard.check("PREFIX e: <http://ex.org/> SELECT * { SERVICE e:x { ?s ?p ?o } }",
                ("http://ex.org/x",))
    guard.check("SELECT * { SERVICE <http://ok/> { ?s ?p ?o } }", ("http://ok/",))
    with pytest.raises(Refused, match="not allowed"):
        guard.check("SELECT * { SERVICE <http://no/> { ?s ?p ?o } }", ("http://ok/",))
    with pytest.raises(Refused, match="variable"):
        guard.check("SELECT * { SERVICE ?x { ?s ?p ?o } }", ("http://ok/",))
    with pytest.raises(Refused, match="relative"):
        guard.check("BASE <http://ok/> SELECT * { SERVICE <rel> { ?s ?p ?o } }", ("http://ok/rel",))
    with pytest.raises(Refused, match="LOAD"):
        guard.check("LOAD <http://x/data.ttl>", (), update=True)
    with pytest.raises(Refused, match="not allowed"):
        guard.check("INSERT { ?s ?p ?o } WHERE { SERVICE <http://no/> { ?s ?p ?o } }", (),
                    update=True)


@pytest.mark.parametrize(("prologue", "allowed"), [
    ("PREFIX a: <http://ok/> PREFIX a: <http://127.0.0.1:9999/>", False),
    ("PREFIX a: <http://127.0.0.1:9999/> PREFIX a: <http://ok/>", True),
    ("PREFIX a: <http://ok/> PREFIXa:<http://127.0.0.1:9999/>", False),
    ("PREFIX a: <http://ok/>\nPREFIX a: <http://127.0.0.1:9999/>\nPREFIX b: <http://ok/>", False),
])
def test_probe_r11_l5_a_redeclared_prefix_is_checked_as_the_engine_reads_it(prologue, allowed):
    """SSRF guard: the later declaration is the one the engine calls, so the one checked."""
    query = f"{prologue} SELECT * {{ SERVICE a:sparql {{ ?s ?p ?o }} }}"
    if allowed:
        guard.check(query, ("http://ok/sparql",))
        return
    with pytest.raises(Refused, match=r"SERVICE <http://127\.0\.0\.1:9999/sparql> is not allowed"):
        guard.check(query, ("http://ok/sparql",))


def test_probe_r11_l5_an_update_redeclaring_a_prefix_between_operations_is_checked_too():
    """A SERVICE hidden behind a prefix redeclared between operations is still found: since
    review r15 H4 an update may call no SERVICE at all, even an allowed one."""
    update = ("PREFIX a: <http://ok/> INSERT DATA { <http://s> <http://p> 1 } ; "
              "PREFIX a: <http://127.0.0.1:9999/> INSERT { ?s ?p ?o } WHERE { SERVICE a:sparql "
              "{ ?s ?p ?o } }")
    with pytest.raises(Refused, match="SERVICE is not allowed in an update"):
        guard.check(update, ("http://ok/sparql", "http://127.0.0.1:9999/sparql"), update=True)


def test_probe_r11_l5_a_limit_refusal_says_where_the_limit_is_passed():
    with pytest.raises(Refused, match=r"more than 128 deep \(the limit is passed at line 2, "
                                      r"column 130, at '\('\)"):
        guard.check("ASK {\n  " + "(" * 5000 + ")" * 5000 + "}", ())
    with pytest.raises(Refused, match=r"more than 4000 operators .* at line 1, column 8013"):
        guard.check("ASK { FILTER(" + "1+" * 20000 + "1) }", ())


def test_defect_10_depth_and_chains_are_limited_before_parsing():
    with pytest.raises(Refused, match="brackets more than 128 deep"):
        guard.check("ASK " + "{" * 5000 + "}" * 5000, ())
    with pytest.raises(Refused, match="operators"):
        guard.check("ASK { FILTER(" + "1+" * 20000 + "1) }", ())
    guard.check("ASK " + "{" * 100 + "}" * 100, ())  # deep, but within the limit


def test_defect_4_answer_cache_counts_keys_and_holds_no_query_text():
    cache = AnswerCache(max_entries=1000, max_bytes=64 * ENTRY_OVERHEAD)
    for index in range(200):  # distinct large queries with small answers
        cache.put((1, "SELECT * {} # " + "x" * 100_000 + str(index)), Answer("t/p", b"", "e"))
    assert cache.bytes <= 64 * ENTRY_OVERHEAD and len(cache) < 64
    assert all(len(key) == 20 for key in cache._items)  # digests, not the texts


def test_answer_cache_is_bounded_lru():
    cache = AnswerCache(max_entries=2, max_bytes=8000)
    for key in "abc":
        cache.put(key, Answer("text/plain", b"x" * 10, etag_for(key)))
    assert cache.get("a") is None and cache.get("c") is not None and len(cache) == 2
    cache.put("big", Answer("text/plain", b"x" * 2000, ""))  # more than an eighth: not kept
    assert cache.get("big") is None
    assert AnswerCache(0, 100).get("a") is None


def test_etags():
    tag = etag_for((1, "q"))
    assert tag.startswith('"') and tag != etag_for((2, "q"))
    assert etag_matches(f'"other", {tag}', tag) and etag_matches("*", tag)
    assert etag_matches(f"W/{tag}", tag) and not etag_matches(None, tag)


def test_settings_validate():
    with pytest.raises(ValueError, match="token"):
        Settings(enable_updates=True)
    with pytest.raises(ValueError, match="http"):
        Settings(service_allow=("ftp://x",))
    assert Settings(base_url="https://example.org/sg/").endpoint("x") == \
        "https://example.org/sg/sparql"


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from([b"%", b"a", b"F", b"0", b"9", b" ", b"\t", b"_", b"=", b"\n", b"\r",
                                 b"%4", b"%e9", b"%C3%A9", b"%3D", b"%3d", b"%3", b"+", b"\x00",
                                 b"\xff", b".", b"?", b"%%", b"%0A", b"=3D"]), max_size=16))
def test_percent_decoding_is_the_standard_librarys(pieces):
    raw = b"".join(pieces)
    assert percent_decode(raw) == unquote_to_bytes(raw)


@pytest.mark.parametrize(("accept", "table", "expected"), [
    # probe r12 L1: a wildcard matched an alias (text/xml, text/x-nquads, text/plain) and the
    # canonical type the client had refused or never named was sent
    ("text/*;q=0.5, text/csv;q=0", RESULTS_OFFERS, "tsv"),
    ("application/*, application/sparql-results+json;q=0, application/sparql-results+xml;q=0",
     RESULTS_OFFERS, None),
    ("text/*, text/turtle;q=0, text/plain;q=0", RDF_OFFERS, None),
    # an alias named exactly still chooses its syntax
    ("application/json", RESULTS_OFFERS, "json"),
    ("text/plain", RDF_OFFERS, "ntriples"),
    ("text/*", RDF_OFFERS, "turtle"),
])
def test_a_wildcard_matches_only_the_types_we_send_under_their_own_name(accept, table, expected):
    assert pick(accept, table) == expected


def test_access_log_lines_are_bounded_and_addresses_checked():
    """Probe r13 L3: a 64 KB URL made a 64 KB log line, and an X-Forwarded-For text (spaces,
    quotes, a fake request line) was logged as the client's address."""
    import logging

    from sarcoma_graph.serve.access_log import TARGET_CHARS, AccessLogFilter

    def line(client: str, target: str) -> str:
        record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                                   '%s - "%s %s HTTP/%s" %d', (client, "GET", target, "1.1", 200), None)
        assert AccessLogFilter().filter(record)
        return record.getMessage()

    long = line("127.0.0.1:5000", "/sparql?query=" + "x" * 65000)
    assert len(long) < TARGET_CHARS + 200 and "(65,014 characters)" in long
    forged = line('6.6.6.6:0 - "GET /admin HTTP/1.1" 200 OK', "/sparql")
    assert "GET /admin" not in forged.split(" - ", 1)[0] and "no IP" in forged
    for address in ("127.0.0.1:5000", "::1", "[::1]:8000", "10.0.0.2"):
        assert line(address, "/").startswith(address)


@pytest.mark.parametrize(("address", "key"), [
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"), ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    ("::ffff:192.0.2.7", "192.0.2.7"), ("192.0.2.7", "192.0.2.7")])
def test_the_pool_sees_an_ipv6_client_as_its_64_network(address, key):
    """Probe r13 (r12 M3's rest): each address of one IPv6 /64 got its own fast-lane turn and
    per-client limit; one subscriber gets a /64 whole."""
    import asyncio

    from sarcoma_graph.serve.headers import SafeHeaders
    from sarcoma_graph.serve.pool import CLIENT

    seen: list[str | None] = []

    async def app(scope, receive, send) -> None:
        seen.append(CLIENT.get())

    asyncio.run(SafeHeaders(app)({"type": "http", "client": (address, 5000)}, None, None))
    assert seen == [key]


def test_a_client_s_bodies_in_the_server_are_bounded_before_they_are_read():
    """Probe r15 M2: 40 parallel 10 MB POSTs from one address were all read and held before the
    per-client limit was looked at. Past a budget of body bytes, the next is 503 before a byte
    of it is read; small queries never reach it, and another client is not affected."""
    from starlette.requests import Request

    from sarcoma_graph.serve.errors import HttpError
    from sarcoma_graph.serve.pool import CLIENT
    from sarcoma_graph.serve.protocol import body_slot

    def post(size: int) -> Request:
        return Request({"type": "http", "method": "POST", "path": "/sparql",
                        "headers": [(b"content-length", str(size).encode())]})

    megabytes = 10 * 1024 * 1024
    token = CLIENT.set("192.0.2.1")
    try:
        with body_slot(post(megabytes), 4 * megabytes), body_slot(post(megabytes), 4 * megabytes), \
                body_slot(post(megabytes), 4 * megabytes), body_slot(post(megabytes), 4 * megabytes):
            with pytest.raises(HttpError) as refused, body_slot(post(megabytes), 4 * megabytes):
                pass
            assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "1"
            other = CLIENT.set("192.0.2.2")
            with body_slot(post(megabytes), 4 * megabytes):
                pass
            CLIENT.reset(other)
        for _ in range(3):  # answered: the budget is free again, and many small ones fit at once
            with body_slot(post(200), 4 * megabytes), body_slot(post(200), 4 * megabytes):
                pass
        with body_slot(post(5 * megabytes), 4 * megabytes):  # one body alone always passes
            pass
    finally:
        CLIENT.reset(token)


def test_a_chunked_body_counts_against_the_budget_as_it_arrives():
    """Probe r16 H1: a body without Content-Length (chunked) was counted as 64 KB however long
    it grew, so 40 chunked 10 MB bodies from one address were all read and held. Its bytes now
    count as they are read: the body that takes its client past the budget is 503 with the
    budget named, its bytes dropped, and the budget free again once the requests are done."""
    from starlette.requests import Request

    from sarcoma_graph.serve.errors import HttpError
    from sarcoma_graph.serve.pool import CLIENT
    from sarcoma_graph.serve.protocol import _BODY_BYTES, body_slot, read_body

    megabyte = 1024 * 1024
    budget = 3 * megabyte + megabyte // 2  # the fourth is let in (64 KB counted), then cut

    def chunked(size: int) -> Request:
        pieces = [{"type": "http.request", "body": b"x" * 65536, "more_body": True}
                  for _ in range(size // 65536)] + [{"type": "http.request", "body": b""}]

        async def receive() -> dict[str, object]:
            return pieces.pop(0)

        return Request({"type": "http", "method": "POST", "path": "/sparql",
                        "headers": [(b"transfer-encoding", b"chunked")]}, receive)

    async def five_bodies() -> list[int | str]:
        outcomes: list[int | str] = []
        with contextlib.ExitStack() as held:
            for _ in range(5):
                request = chunked(megabyte)
                try:
                    count = held.enter_context(body_slot(request, budget))
                    outcomes.append(len(await read_body(request, 2 * megabyte, count)))
                except HttpError as error:
                    assert f"the limit is {budget}" in error.message and error.status == 503
                    outcomes.append(error.status)
        return outcomes

    token = CLIENT.set("192.0.2.3")
    try:
        assert asyncio.run(five_bodies()) == [megabyte, megabyte, megabyte, 503, 503]
        assert "192.0.2.3" not in _BODY_BYTES  # every byte counted was given back
        with pytest.raises(HttpError) as refused:  # past --max-body: 413 as with Content-Length
            asyncio.run(read_body(chunked(3 * megabyte), 2 * megabyte))
        assert refused.value.status == 413 and "limit of 2097152 bytes" in refused.value.message
    finally:
        CLIENT.reset(token)


def test_a_large_insert_data_or_values_block_is_not_a_chain():
    """Probe r16 M3: an ``INSERT DATA`` of 4,001 triples was refused as "more than 4000
    operators and pattern separators", though its quads build no operator tree. Measured on
    pyoxigraph 0.5.13 on an 8 MB stack (an update is applied on one): 300,000 triples of
    ``INSERT DATA``/``DELETE DATA`` or rows of ``VALUES`` parse, while 20,000 triple patterns
    in a group, or 20,000 ``||``, overflow it. The blocks pass; the same separators outside
    them still count, and the refusal still says where."""
    triples = " ".join(f'<urn:s{i}> <urn:p> "v{i}" ; <urn:q> -{i} .' for i in range(20_000))
    rows = " ".join(f'(<urn:s{i}> -{i} "a"^^<urn:t>)' for i in range(20_000))
    for text in (f"INSERT DATA {{ GRAPH <urn:g> {{ {triples} }} }}",
                 f"PREFIX x: <urn:x> DELETE DATA {{ {triples} }} ; INSERT DATA {{ {triples} }}",
                 f"INSERT {{ ?s <urn:r> ?n }} WHERE {{ VALUES (?s ?n ?t) {{ {rows} }} }}"):
        assert guard.check(text, (), update=True).chain < 10
    assert guard.check(f"SELECT * {{ ?s ?p ?o }} VALUES (?s ?n ?t) {{ {rows} }}", ()).chain < 10
    pattern = " ".join(f"?s <urn:p{i}> ?o{i} ." for i in range(4001))
    for text, update in ((f"INSERT DATA {{ <urn:a> <urn:b> 1 }} ; DELETE WHERE {{ {pattern} }}", True),
                         (f"SELECT * {{ VALUES ?x {{ 1 }} {pattern} }}", False)):
        with pytest.raises(Refused, match=r"more than 4000 operators .* at line 1, column \d+, at '\.'"):
            guard.check(text, (), update=update)
