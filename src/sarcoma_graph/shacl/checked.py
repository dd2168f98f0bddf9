"""Property shapes the store checks itself: counts, node kinds, classes and lists of IRIs.

These constraints mean the same in SPARQL as in pyshacl, so a query over the focus nodes returns
only the failing focus nodes and values, instead of every value crossing into Python as an rdflib
term to be tested there (at 1M quads the curation records' seven property shapes fetched 200k
values to find none wrong). Any other constraint, or a nested shape, leaves the shape to the
Python path (:meth:`.engine.Engine.evaluate`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import RDF, SH, Literal, URIRef
from rdflib.term import Node

_TYPE = f"<{RDF.type}>"
_COUNTS = (SH.minCount, SH.maxCount)
#: sh:nodeKind values as SPARQL tests of ?v (pyshacl's node kinds, values.node_kind_test)
_KINDS = {SH.IRI: "isIRI(?v)", SH.BlankNode: "isBlank(?v)", SH.Literal: "isLiteral(?v)",
          SH.BlankNodeOrIRI: "!isLiteral(?v)", SH.BlankNodeOrLiteral: "!isIRI(?v)",
          SH.IRIOrLiteral: "!isBlank(?v)"}


@dataclass(frozen=True)
class Check:
    """One value-level constraint as a SPARQL test that is true when ``?v`` conforms."""

    parameter: URIRef
    test: str


@dataclass(frozen=True)
class Plan:
    """What the store checks for one property shape: count limits and value tests."""

    counts: tuple[tuple[URIRef, int], ...]  # (sh:minCount or sh:maxCount, limit), in shape order
    checks: tuple[Check, ...]
    order: tuple[URIRef, ...]  # the parameters in the shape's order (results follow it)


def _test(parameter: URIRef, rule: Node, items: Callable[[Node], list[Node]],
          subclasses: Callable[[URIRef], list[Node]]) -> str | None:
    """The SPARQL test of ``?v`` for one rule, or ``None`` when SPARQL would not say the same."""
    if parameter == SH.nodeKind:
        return _KINDS.get(rule) if isinstance(rule, URIRef) else None
    if parameter == SH["class"] and isinstance(rule, URIRef):
        # pyshacl: a literal is never an instance; others by rdf:type/rdfs:subClassOf*, here a
        # type among the class's subclasses (the path from each value: 3 times slower)
        kinds = [c for c in subclasses(rule) if isinstance(c, URIRef)]
        if len(kinds) != len(subclasses(rule)):
            return None  # a blank-node class: no SPARQL term for it
        listed = " ".join(c.n3() for c in kinds)
        return f"(!isLiteral(?v) && EXISTS {{ VALUES ?sgClass {{ {listed} }} ?v {_TYPE} ?sgClass }})"
    if parameter == SH["in"]:
        members = items(rule)
        if not all(isinstance(m, URIRef) for m in members):  # literals: rdflib's equality
            return None
        return "(" + " || ".join([f"sameTerm(?v, {m.n3()})" for m in members] or ["false"]) + ")"
    return None


def plan(params: dict[URIRef, list[Node]], items: Callable[[Node], list[Node]],
         subclasses: Callable[[URIRef], list[Node]]) -> Plan | None:
    """The store's checks for a property shape's constraints, or ``None`` if one of them is
    not a count, node kind, class or list of IRIs."""
    counts: list[tuple[URIRef, int]] = []
    checks: list[Check] = []
    for parameter, rules in params.items():
        for rule in rules:
            if parameter in _COUNTS:
                limit = rule.toPython() if isinstance(rule, Literal) else None
                if not isinstance(limit, int) or isinstance(limit, bool):
                    return None
                counts.append((parameter, limit))
                continue
            test = _test(parameter, rule, items, subclasses)
            if test is None:
                return None
            checks.append(Check(parameter, test))
    return Plan(tuple(counts), tuple(checks), tuple(params))


def at_least_queries(plan: Plan, fragment: str, path: str) -> dict[int, str] | None:
    """When no limit is above 1 (nearly always): for 0, the focus nodes without a value, for 1
    and 2 those with at least one or two distinct values (a third of a ``GROUP BY``'s time);
    ``None`` for higher limits."""
    if any(limit > 1 for _, limit in plan.counts):
        return None
    needed = {0 if p == SH.minCount else limit + 1 for p, limit in plan.counts if limit > 0 or
              p == SH.maxCount}
    texts = {0: f"SELECT ?this WHERE {{ {fragment} FILTER NOT EXISTS {{ ?this {path} ?v }} }}",
             1: f"SELECT DISTINCT ?this WHERE {{ {fragment} ?this {path} ?v }}",
             2: f"SELECT DISTINCT ?this WHERE {{ {fragment} ?this {path} ?v , ?w "
                "FILTER (!sameTerm(?v, ?w)) }"}
    return {n: texts[n] for n in sorted(needed)}


def count_query(plan: Plan, fragment: str, path: str) -> str:
    """The focus nodes whose number of distinct values breaks a limit, with that number."""
    n = "COUNT(DISTINCT ?v)"
    broken = " || ".join(f"{n} {'<' if p == SH.minCount else '>'} {limit}" for p, limit in plan.counts)
    return (f"SELECT ?this ({n} AS ?n) WHERE {{ {fragment} OPTIONAL {{ ?this {path} ?v }} }} "
            f"GROUP BY ?this HAVING ({broken})")


def value_query(plan: Plan, fragment: str, path: str) -> str:
    """The focus nodes and values that fail a test, each test's verdict as ``?c0``, ``?c1``…"""
    verdicts = " ".join(f"({c.test} AS ?c{i})" for i, c in enumerate(plan.checks))
    every = " && ".join(c.test for c in plan.checks)
    return (f"SELECT DISTINCT ?this ?v {verdicts} WHERE {{ {fragment} ?this {path} ?v "
            f"FILTER (!({every})) }}")
