"""Property shapes the store checks itself: counts, node kinds, classes, lists of IRIs, the
string datatypes, language lists, unique languages, patterns (:mod:`.regex`) and qualified
value shapes made of these.

These constraints mean the same in SPARQL as in pyshacl, so a query over the focus nodes returns
only the failing focus nodes and values, instead of every value crossing into Python as an rdflib
term to be tested there (at 1M quads the curation records' seven property shapes fetched 200k
values to find none wrong). Any other constraint, or a nested shape, leaves the shape to the
Python path (:meth:`.engine.Engine.evaluate`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import RDF, SH, XSD, Literal, URIRef
from rdflib.term import Node

from sarcoma_graph.shacl import regex
from sarcoma_graph.shacl import values as tests

_TYPE = f"<{RDF.type}>"
_COUNTS = (SH.minCount, SH.maxCount)
#: sh:nodeKind values as SPARQL tests of ?v (pyshacl's node kinds, values.node_kind_test)
_KINDS = {SH.IRI: "isIRI(?v)", SH.BlankNode: "isBlank(?v)", SH.Literal: "isLiteral(?v)",
          SH.BlankNodeOrIRI: "!isLiteral(?v)", SH.BlankNodeOrLiteral: "!isIRI(?v)",
          SH.IRIOrLiteral: "!isBlank(?v)"}
#: the value tests a nested (qualified) shape may be made of for the store to check it
VALUE_TESTS = {SH.datatype, SH.languageIn, SH.nodeKind, SH["class"], SH["in"], SH.pattern}
#: sh:datatype of the string types as SPARQL tests (values.datatype_test on rdflib's terms: a
#: language-tagged literal has a language and an ``xsd:string`` one neither datatype nor
#: language; each test is false, never an error, on an IRI or a blank node)
_DATATYPES = {RDF.langString: '(isLiteral(?v) && LANG(?v) != "")',
              XSD.string: f'(isLiteral(?v) && LANG(?v) = "" && sameTerm(DATATYPE(?v), <{XSD.string}>))'}
#: what pyshacl compares a pattern with: an IRI's text, a string's lexical form (those of other
#: literals are rdflib's normalised ones: left to Python, :attr:`Check.recheck`)
_PATTERN_TEXT = (f'!isBlank(?v) && (isIRI(?v) || LANG(?v) != "" || '
                 f'sameTerm(DATATYPE(?v), <{XSD.string}>))')
_LANGUAGE = re.compile(r"[A-Za-z0-9*-]*")


@dataclass(frozen=True)
class Check:
    """One value-level constraint as a SPARQL test that is true when ``?v`` conforms."""

    parameter: URIRef
    test: str
    #: pyshacl's own test, for a value the SPARQL test rejected that is a typed literal other
    #: than a string (rdflib normalises their lexical forms: "01"^^xsd:integer reads "1")
    recheck: Callable[[Node], bool] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Qualified:
    """An ``sh:qualifiedValueShape`` whose shape is made of value tests only."""

    tests: tuple[str, ...]  # a value conforms to the qualified shape when every test holds
    low: int | None  # sh:qualifiedMinCount
    high: int | None  # sh:qualifiedMaxCount


@dataclass(frozen=True)
class Plan:
    """What the store checks for one property shape: count limits and value tests."""

    counts: tuple[tuple[URIRef, int], ...]  # (sh:minCount or sh:maxCount, limit), in shape order
    checks: tuple[Check, ...]
    order: tuple[URIRef, ...]  # the parameters in the shape's order (results follow it)
    unique_lang: bool = False
    qualified: tuple[Qualified, ...] = ()


@dataclass(frozen=True)
class Context:
    """What :func:`plan` needs beyond the parameters: the shape's ``sh:flags``, its
    qualified counts, the parameters of a nested shape (``None``: not one of value tests only)
    and whether the store runs a rewritten pattern (``None``: patterns stay in Python)."""

    flags: Node | None = None
    qualified: tuple[Node | None, Node | None] = (None, None)
    nested: Callable[[Node], tuple[dict[URIRef, list[Node]], Node | None] | None] | None = None
    compiles: Callable[[str], bool] | None = None


def _pattern(rule: Node, context: Context) -> Check | None:
    flags = context.flags
    text = str(flags.value if isinstance(flags, Literal) else flags).lower() if flags else ""
    if "i" in text or "m" in text or context.compiles is None or not isinstance(rule, Literal):
        return None  # (pyshacl reads only these two flags)
    rust = regex.to_rust(str(rule.value) if rule.value is not None else str(rule))
    if rust is None or not context.compiles(rust):
        return None
    return Check(SH.pattern, f"({_PATTERN_TEXT} && REGEX(STR(?v), {regex.sparql_string(rust)}))",
                 tests.pattern_test(rule, flags))


def _languages(members: list[Node]) -> str | None:
    """values.language_in_test: the tag, or its first subtag, in the list (lower-cased)."""
    needed = []
    for member in members:
        text = str(member.value if isinstance(member, Literal) else member).lower()
        if not _LANGUAGE.fullmatch(text):
            return None
        needed.append(text)
    tagged = '(isLiteral(?v) && LANG(?v) != ""'
    if "*" in needed:
        return tagged + ")"
    listed = ", ".join(f'"{n}"' for n in needed)
    return (f'{tagged} && (LCASE(LANG(?v)) IN ({listed}) || LCASE(IF(CONTAINS(LANG(?v), "-"), '
            f'STRBEFORE(LANG(?v), "-"), LANG(?v))) IN ({listed})))')


def _check(parameter: URIRef, rule: Node, items: Callable[[Node], list[Node]],
           subclasses: Callable[[URIRef], list[Node]], context: Context) -> Check | None:
    if parameter == SH.pattern:
        return _pattern(rule, context)
    test = _test(parameter, rule, items, subclasses)
    return None if test is None else Check(parameter, test)


def _test(parameter: URIRef, rule: Node, items: Callable[[Node], list[Node]],
          subclasses: Callable[[URIRef], list[Node]]) -> str | None:
    """The SPARQL test of ``?v`` for one rule, or ``None`` when SPARQL would not say the same."""
    if parameter == SH.datatype:
        return _DATATYPES.get(rule) if isinstance(rule, URIRef) else None
    if parameter == SH.languageIn:
        return _languages(items(rule))
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


def _integer(node: Node | None) -> int | None:
    value = node.toPython() if isinstance(node, Literal) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _qualified(rule: Node, items: Callable[[Node], list[Node]],
               subclasses: Callable[[URIRef], list[Node]], context: Context) -> Qualified | None:
    nested = context.nested(rule) if context.nested is not None else None
    low, high = context.qualified
    bounds = [_integer(b) if b is not None else None for b in (low, high)]
    if nested is None or any(b is None and given is not None for b, given in
                             zip(bounds, (low, high), strict=True)) or (bounds[1] or 0) < 0:
        return None
    params, flags = nested
    found: list[str] = []
    for parameter, rules in params.items():
        for member in rules:
            check = _check(parameter, member, items, subclasses, Context(flags, compiles=context.compiles))
            if check is None or check.recheck is not None:  # a count needs every verdict exact
                return None
            found.append(check.test)
    return Qualified(tuple(found), bounds[0], bounds[1])


def plan(params: dict[URIRef, list[Node]], items: Callable[[Node], list[Node]],
         subclasses: Callable[[URIRef], list[Node]], context: Context | None = None) -> Plan | None:
    """The store's checks for a property shape's constraints, or ``None`` if one of them is
    not one the store states exactly (see the module's docstring)."""
    context = context or Context()
    counts: list[tuple[URIRef, int]] = []
    checks: list[Check] = []
    qualified: list[Qualified] = []
    unique_lang = False
    for parameter, rules in params.items():
        for rule in rules:
            if parameter in _COUNTS:
                limit = _integer(rule)
                if limit is None:
                    return None
                counts.append((parameter, limit))
            elif parameter == SH.uniqueLang:  # pyshacl: only a true value asks for anything
                unique_lang |= isinstance(rule, Literal) and rule.toPython() is True
            elif parameter == SH.qualifiedValueShape:
                found = _qualified(rule, items, subclasses, context)
                if found is None:
                    return None
                qualified.append(found)
            else:
                check = _check(parameter, rule, items, subclasses, context)
                if check is None:
                    return None
                checks.append(check)
    return Plan(tuple(counts), tuple(checks), tuple(params), unique_lang, tuple(qualified))


def at_least_needed(plan: Plan) -> set[int] | None:
    """When no limit is above 1 (nearly always), which of :func:`at_least_query` the limits
    need: 0 for a minimum of 1, 1 and 2 for maxima of 0 and 1; ``None`` for higher limits."""
    if any(limit > 1 for _, limit in plan.counts):
        return None
    return {0 if p == SH.minCount else limit + 1 for p, limit in plan.counts if limit > 0 or
            p == SH.maxCount}


#: a path that is one predicate IRI (its triples can be read in one scan of the predicate)
_PREDICATE = re.compile(r"<[^<>\s]*>")


def at_least_query(n: int, fragment: str, path: str, by_scan: bool = False) -> str:
    """For 0, the focus nodes without a value (``fragment`` not empty), for 1 and 2 those with
    at least one or two distinct values (a third of a ``GROUP BY``'s time).

    ``by_scan`` (a store on disk, the predicate not much larger than the focus nodes) reads a
    one-predicate path's subjects in one pass, grouped, and joins them to the focus nodes by
    hash, instead of one index lookup per focus node: on RocksDB a lookup costs more as the
    store grows (290k curation records, rdf:object at most once: 11.1 s against 2.5 s at 10M
    quads, 0.84 against 0.24 s at 1M; in memory the lookups win, 0.25 against 0.34 s)."""
    if by_scan and fragment and _PREDICATE.fullmatch(path):
        having = {0: f"SELECT DISTINCT ?this WHERE {{ ?this {path} ?v }}",
                  1: f"SELECT DISTINCT ?this WHERE {{ ?this {path} ?v }}",
                  2: f"SELECT ?this WHERE {{ ?this {path} ?v }} GROUP BY ?this "
                     "HAVING (COUNT(DISTINCT ?v) > 1)"}[n]
        if n == 0:
            return f"SELECT ?this WHERE {{ {fragment} MINUS {{ {having} }} }}"
        return f"SELECT DISTINCT ?this WHERE {{ {fragment} {{ {having} }} }}"
    return {0: f"SELECT ?this WHERE {{ {fragment} FILTER NOT EXISTS {{ ?this {path} ?v }} }}",
            1: f"SELECT DISTINCT ?this WHERE {{ {fragment} ?this {path} ?v }}",
            2: f"SELECT DISTINCT ?this WHERE {{ {fragment} ?this {path} ?v , ?w "
               "FILTER (!sameTerm(?v, ?w)) }"}[n]


def at_least_queries(plan: Plan, fragment: str, path: str,
                     by_scan: bool = False) -> dict[int, str] | None:
    """:func:`at_least_query` for each of :func:`at_least_needed`."""
    needed = at_least_needed(plan)
    return None if needed is None else \
        {n: at_least_query(n, fragment, path, by_scan) for n in sorted(needed)}


def count_query(plan: Plan, fragment: str, path: str) -> str:
    """The focus nodes whose number of distinct values breaks a limit, with that number."""
    n = "COUNT(DISTINCT ?v)"
    broken = " || ".join(f"{n} {'<' if p == SH.minCount else '>'} {limit}" for p, limit in plan.counts)
    return (f"SELECT ?this ({n} AS ?n) WHERE {{ {fragment} OPTIONAL {{ ?this {path} ?v }} }} "
            f"GROUP BY ?this HAVING ({broken})")


def value_query(plan: Plan, fragment: str, path: str, by_scan: bool = False) -> str:
    """The focus nodes and values that fail a test, each test's verdict as ``?c0``, ``?c1``…
    (``by_scan``: the failing values of a one-predicate path found in one pass and joined to
    the focus nodes by hash, as in :func:`at_least_query`; 290k curation records' rdf:subject
    at 10M quads on disk: 8.4 against 2.4 s)."""
    verdicts = " ".join(f"({c.test} AS ?c{i})" for i, c in enumerate(plan.checks))
    every = " && ".join(c.test for c in plan.checks)
    if by_scan and fragment and _PREDICATE.fullmatch(path):
        return (f"SELECT DISTINCT ?this ?v {verdicts} WHERE {{ {fragment} {{ SELECT ?this ?v "
                f"WHERE {{ ?this {path} ?v FILTER (!({every})) }} }} }}")
    return (f"SELECT DISTINCT ?this ?v {verdicts} WHERE {{ {fragment} ?this {path} ?v "
            f"FILTER (!({every})) }}")


def unique_lang_query(fragment: str, path: str) -> str:
    """The focus nodes with two values or more in one language (lower-cased, as pyshacl), one
    row for each such language."""
    return (f"SELECT ?this ?lang WHERE {{ {fragment} ?this {path} ?v FILTER (isLiteral(?v)) "
            'BIND (LCASE(LANG(?v)) AS ?lang) FILTER (?lang != "") } '
            "GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?v) > 1)")


def qualified_query(qualified: Qualified, fragment: str, path: str, more_than: int) -> str:
    """The focus nodes with more than ``more_than`` distinct values that conform to the
    qualified shape."""
    conforms = " && ".join(qualified.tests) or "true"
    if more_than == 0:
        return f"SELECT DISTINCT ?this WHERE {{ {fragment} ?this {path} ?v FILTER ({conforms}) }}"
    return (f"SELECT ?this WHERE {{ {fragment} ?this {path} ?v FILTER ({conforms}) }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {more_than})")
