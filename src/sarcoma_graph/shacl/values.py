"""Value-level SHACL Core tests with pyshacl's exact semantics (rdflib terms in, bool out).

Each function mirrors the corresponding pyshacl constraint component, so that a value the
reference rejects is rejected here and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import RDF, RDFS, SH, XSD, BNode, Literal, URIRef
from rdflib.term import Node

Test = Callable[[Node], bool]

_ACTUAL: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
}


def _actual(value: Literal, rule: URIRef) -> bool:
    expected = _ACTUAL.get(rule)
    return True if expected is None else isinstance(value.value, expected)


def datatype_test(rule: Node) -> Test:
    # the rule's comparisons made once, not per value (rdflib namespace lookups are slow)
    is_literal, is_datatype = rule == RDFS.Literal, rule == RDFS.Datatype
    is_string, is_lang_string = rule == XSD.string, rule == RDF.langString

    def ok(v: Node) -> bool:
        if not isinstance(v, Literal):
            return False
        if v.datatype == rule:
            return getattr(v, "ill_typed", None) is not True and _actual(v, rule)  # type: ignore[arg-type]
        if is_literal or (is_datatype and v.datatype):
            return True
        if v.datatype is None and v.language is None and is_string:
            return _actual(v, rule)  # type: ignore[arg-type]
        return bool(is_lang_string and v.language and _actual(v, rule))  # type: ignore[arg-type]
    return ok


_KINDS = {
    "bnode": (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI),
    "literal": (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral),
    "iri": (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI),
}


def node_kind_test(rule: Node) -> Test:
    def ok(v: Node) -> bool:
        kind = "bnode" if isinstance(v, BNode) else "literal" if isinstance(v, Literal) else "iri"
        return rule in _KINDS[kind]
    return ok


#: value types compared by value, not by rdflib's total order (which orders naive and aware
#: datetimes and times that do not compare)
_BY_VALUE = (datetime, time)


def compare_literal(l1: Literal, l2: Literal) -> int:
    """pyshacl's ``rdfutil.compare.compare_literal`` (0.40), restated here: importing pyshacl
    costs about 0.8 s of CPU, a sixth of the fast path at 100k quads. Raises ``TypeError`` or
    ``NotImplementedError`` for incomparable literals, as the original."""
    if l1.eq(l2):
        return 0
    if l1.value.__class__ in _BY_VALUE:
        if l1.value == l2.value:
            return 0
        if l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


def range_test(rule: Node, accept: Callable[[int], bool]) -> Test:
    assert isinstance(rule, Literal)
    rule_is_string = isinstance(rule.value, str)

    def ok(v: Node) -> bool:
        if not isinstance(v, Literal) or isinstance(v.value, str) != rule_is_string:
            return False
        try:
            return accept(compare_literal(v, rule))
        except (TypeError, NotImplementedError):
            return False
    return ok


#: the datatypes whose literals are compared by value (a tuple made once: rdflib namespace
#: attribute lookups per value were a second of CPU at 1M quads)
_STRING_TYPES = (None, RDF.langString, XSD.string)


def to_string(v: Node) -> str:
    """pyshacl's ``value_node_to_string``."""
    if isinstance(v, Literal) and v.value is not None and v.datatype in _STRING_TYPES:
        return str(v.value)
    return str(v)


def length_test(rule: Node, minimum: bool) -> Test:
    limit = rule.value if isinstance(rule, Literal) else None
    if not isinstance(limit, int) or limit < 0:
        raise ValueError(f"bad length {rule!r}")

    def ok(v: Node) -> bool:
        if minimum and limit == 0:
            return True
        if isinstance(v, BNode):
            return False
        size = len(to_string(v))
        return size >= limit if minimum else size <= limit
    return ok


def pattern_test(rule: Node, flags: Node | None) -> Test:
    re_flags = 0
    if flags is not None:
        text = str(flags.value if isinstance(flags, Literal) else flags).lower()
        re_flags |= re.I if "i" in text else 0
        re_flags |= re.M if "m" in text else 0
    pattern = str(rule.value) if isinstance(rule, Literal) and rule.value is not None else str(rule)
    matcher = re.compile(pattern, re_flags)

    def ok(v: Node) -> bool:
        return not isinstance(v, BNode) and matcher.search(to_string(v)) is not None
    return ok


def language_in_test(languages: list[Node]) -> Test:
    needed = {str(lang.value if isinstance(lang, Literal) else lang).lower() for lang in languages}

    def ok(v: Node) -> bool:
        if not isinstance(v, Literal) or not v.language:
            return False
        lang = str(v.language).lower()
        return "*" in needed or lang in needed or lang.split("-")[0] in needed
    return ok


def in_test(members: list[Node]) -> Test:
    allowed = list(members)
    return lambda v: v in allowed


def duplicate_languages(values: list[Node]) -> list[str]:
    """pyshacl's uniqueLang: each lower-cased language tag used by two values or more."""
    seen: set[str] = set()
    duplicates: list[str] = []
    for v in values:
        if isinstance(v, Literal) and v.language:
            low = str(v.language).lower()
            if low in seen and low not in duplicates:
                duplicates.append(low)
            seen.add(low)
    return duplicates
