"""Bounded fuzzing of the endpoint (issue 8): schemathesis against ``/openapi.json`` and a
seeded SPARQL mutation fuzzer. The server must never answer 500 (503 is a timeout or a busy
server, both legitimate), and the recording listener every SERVICE/LOAD points at must see
no request. A few hundred cases each: a minute or two on two cores.
"""

from __future__ import annotations

import random

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from tests.recording import recording_listener
from tests.serve_fixtures import QUERIES, TOKEN, make_project, serving

pytest_plugins = ["tests.serve_fixtures"]

SEED = 8
MUTATION_CASES = 400
AUTH = {"authorization": f"Bearer {TOKEN}"}
BASES = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5",
    'PREFIX ex: <http://e/> SELECT * { ?s ex:a\\# ?o FILTER(?o < 3 && REGEX(STR(?s), "^a", "i")) }',
    "CONSTRUCT { ?s <p> ?o } WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r } } LIMIT 3",
    "ASK { { ?s ?p ?o } UNION { BIND(1 AS ?x) } MINUS { ?a ?b ?c } }",
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s HAVING (COUNT(?o) > 1) ORDER BY DESC(?n)",
    "DESCRIBE <http://e/x>", "SELECT * { VALUES (?a ?b) { (1 'x') (UNDEF \"y\"@en) } }",
    'SELECT * { ?s ?p """long\n"string""" . FILTER(LANG(?p) = "") }',
    "SELECT * { SERVICE <LISTENER> { ?s ?p ?o } }",
    "PREFIX l: <LISTENER> SELECT * { { BIND(1 AS ?a) } UNION { service l:{} } }",
    *QUERIES.values(),
]
UPDATES = [
    "INSERT DATA { GRAPH <http://example.org/fuzz> { <http://a> <http://b> \"c\" } }",
    "DELETE WHERE { GRAPH <http://example.org/fuzz> { ?s ?p ?o } }",
    "LOAD <LISTENER>d.ttl INTO GRAPH <http://example.org/fuzz>",
    "INSERT { GRAPH <http://example.org/fuzz> { ?s ?p ?o } } WHERE { SERVICE <LISTENER> { ?s ?p ?o } }",
]
PIECES = ['"', "'", "\\", "#", "\n", "<", ">", "{", "}", "(", ")", "[", "]", ".", ";", ",",
          "SERVICE", "LOAD", "\\u0022", "\\U0011FFFF", "ex:a\\#", "ex:a\\'", "%", "\x00", "é",
          "\ud7ff", "<<", ">>", "FILTER(", "1+", "?x", "$y", "_:b", "@en", "^^", "<urn:f>(1)",
          "SELECT", "WHERE", "UNION", "OPTIONAL", "GRAPH", "BIND(1 AS ?z)", "VALUES ?v {1}",
          '"""', "'''", "*", "|", "^", "!", "LIMIT 1", "OFFSET -1", "FROM <http://g>", ":"]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text) + 1)
        choice = rng.random()
        if choice < 0.5:
            text = text[:at] + rng.choice(PIECES) + text[at:]
        elif choice < 0.7:
            text = text[:at] + text[at + rng.randint(1, 8):]
        elif choice < 0.85:
            span = text[at:at + rng.randint(1, 30)]
            text = text[:at] + span * rng.randint(2, 50) + text[at:]
        else:
            other = rng.randrange(len(text) + 1)
            text = text[:min(at, other)] + text[max(at, other):] + text[min(at, other):max(at, other)]
    return text


@pytest.fixture(scope="module")
def listener():
    with recording_listener() as recorder:
        yield recorder


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory, listener):
    project = make_project(tmp_path_factory.mktemp("fuzzed"))
    with serving(project, "--enable-updates", "--timeout", "3", "--workers", "2",
                 env={"SARCOMA_GRAPH_UPDATE_TOKEN": TOKEN}) as server:
        yield server
    assert listener.requests == []


def _send(http: httpx.Client, text: str, how: int, update: bool) -> httpx.Response:
    if update:
        return http.post("/sparql", content=text.encode("utf-8", "surrogatepass"),
                         headers={**AUTH, "content-type": "application/sparql-update"})
    if how == 0:
        return http.get("/sparql", params={"query": text})
    if how == 1:
        return http.post("/sparql", data={"query": text})
    return http.post("/sparql", content=text.encode("utf-8", "surrogatepass"),
                     headers={"content-type": "application/sparql-query"})


@pytest.mark.slow
def test_sparql_mutation_fuzzer_finds_no_500(fuzzed, listener):
    rng = random.Random(SEED)
    statuses: dict[int, int] = {}
    failures = []
    with httpx.Client(base_url=fuzzed.url, timeout=30) as http:
        for case in range(MUTATION_CASES):
            update = case % 8 == 7
            base = rng.choice(UPDATES if update else BASES).replace("LISTENER", listener.url)
            text = mutate(base, rng)
            response = _send(http, text, case % 3, update)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500 and response.status_code != 503:
                failures.append((response.status_code, text, response.text[:200]))
    print(f"mutation fuzzer: {MUTATION_CASES} cases, statuses {sorted(statuses.items())}")
    assert failures == []
    assert listener.requests == []


@pytest.mark.slow
def test_schemathesis_against_openapi_finds_no_500(fuzzed, listener):
    import schemathesis

    schema = schemathesis.openapi.from_url(fuzzed.url + "/openapi.json")
    counts = {"cases": 0, "5xx": 0}
    failures = []
    def fuzz(operation) -> None:
        @settings(max_examples=25, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case) -> None:
            response = case.call(base_url=fuzzed.url, timeout=30, headers=AUTH)
            counts["cases"] += 1
            if response.status_code >= 500 and response.status_code != 503:
                counts["5xx"] += 1
                failures.append((operation.label, response.status_code, response.text[:200]))

        run()

    for result in schema.get_all_operations():
        fuzz(result.ok())
    print(f"schemathesis: {counts['cases']} cases, {counts['5xx']} answers 5xx (503 aside)")
    assert counts["cases"] > 50
    assert failures == []
    assert listener.requests == []
