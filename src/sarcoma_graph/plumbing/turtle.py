"""Canonical Turtle and TriG: one fixed, sorted way to write a graph, so diffs stay readable.

Subjects are sorted by IRI, then labelled blank nodes, then blank-node subjects that nothing
references (sorted by their text); ``rdf:type`` first, then predicates by IRI, objects by their
text. A blank node referenced once (and not on a cycle) is written inline (``[ … ]``, or
``( … )`` for a well-formed RDF list); a shared or cyclic blank node gets its RDFC-1.0
canonical label (``_:c14n0``), so the same graph always gives the same bytes. ``a`` is written
only as a predicate; a prefixed name only where its local part is a legal Turtle ``PN_LOCAL``
(else the full IRI); literals keep their lexical form. Only the prefixes in use are declared.

The writer works on pyoxigraph terms (exact lexical forms); an rdflib ``Graph`` is accepted too.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from sarcoma_graph.errors import InputError
from sarcoma_graph.namespaces import RDF, XSD
from sarcoma_graph.plumbing.terms import to_ox

RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = (RDF + n for n in ("type", "first", "rest", "nil"))
INDENT = "    "

# Conservative ASCII subsets of Turtle's PN_PREFIX and PN_LOCAL (no escapes needed in either).
_PREFIX = re.compile(r"^([A-Za-z]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?$")
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_LANGUAGE = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_SHORT_FORMS = {
    XSD + "integer": re.compile(r"^[+-]?[0-9]+$"),
    XSD + "decimal": re.compile(r"^[+-]?[0-9]*\.[0-9]+$"),
    XSD + "boolean": re.compile(r"^(true|false)$"),
}
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
                   "\b": "\\b", "\f": "\\f"}
_IRI_FORBIDDEN = set('<>"{}|^`\\')
_HEADS_MOST = 1 << 16
_IRI_ESCAPED = re.compile('[<>"{}|^`\\\\\x00-\x20]')

Subject = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal
Triple = tuple[Subject, ox.NamedNode, Object]


class CanonicalTurtleError(InputError, ValueError):
    """The graph holds something Turtle 1.1 cannot write (a triple term, a directional literal)."""


_TO_ESCAPE = re.compile('[\\\\"\x00-\x1f\x7f]')


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    return _STRING_ESCAPES.get(ch) or f"\\u{ord(ch):04X}"


def quote(text: str) -> str:
    """A Turtle ``STRING_LITERAL_QUOTE``: escapes for quote, backslash and control characters."""
    return '"' + _TO_ESCAPE.sub(_escape, text) + '"'


def iri_ref(text: str) -> str:
    """``<iri>`` with ``UCHAR`` escapes for the characters an ``IRIREF`` may not hold."""
    if not _IRI_ESCAPED.search(text):
        return f"<{text}>"
    body = "".join(f"\\u{ord(ch):04X}" if ch in _IRI_FORBIDDEN or ord(ch) <= 0x20 else ch
                   for ch in text)
    return f"<{body}>"


def _from_rdflib(node: Any) -> Any:
    """An rdflib term as the pyoxigraph term the writer takes (the one bridge: plumbing.terms)."""
    try:
        return to_ox(node)
    except TypeError:
        raise CanonicalTurtleError(f"cannot write term {node!r}") from None


def _triples(source: Any) -> list[Triple]:
    """Triples from an rdflib ``Graph`` or from pyoxigraph quads/triples (graph names dropped)."""
    if hasattr(source, "triples") and hasattr(source, "namespace_manager"):  # rdflib Graph
        return [(_from_rdflib(s), _from_rdflib(p), _from_rdflib(o)) for s, p, o in source]
    return [(t.subject, t.predicate, t.object) for t in source]


def _writable(s: Subject | ox.Triple, p: ox.NamedNode, o: Object | ox.Triple) -> Triple:
    """A quad's triple as the writer takes it: no triple term (RDF 1.2) in Turtle 1.1."""
    if isinstance(s, ox.Triple) or isinstance(o, ox.Triple):
        raise CanonicalTurtleError("a triple term (RDF 1.2) cannot be written as Turtle 1.1")
    return s, p, o


def _canonical_labels(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads with RDFC-1.0 blank-node labels (unchanged when there is no blank node).

    Only the quads that hold a blank node are canonicalised: RDFC-1.0 labels a blank node from
    the quads that mention blank nodes, so the others could not change a label."""
    blank = [q for q in quads if isinstance(q.subject, ox.BlankNode)
             or isinstance(q.object, ox.BlankNode) or isinstance(q.graph_name, ox.BlankNode)]
    if not blank:
        return quads
    dataset = ox.Dataset(blank)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return [q for q in quads if not (isinstance(q.subject, ox.BlankNode) or isinstance(
        q.object, ox.BlankNode) or isinstance(q.graph_name, ox.BlankNode))] + list(dataset)


def _canonical_triples(triples: list[Any]) -> None:
    """Give the triples RDFC-1.0 blank-node labels, in place (see :func:`_canonical_labels`)."""
    node = ox.BlankNode
    blank = [i for i, (s, _, o) in enumerate(triples)
             if isinstance(s, node) or isinstance(o, node)]
    if not blank:
        return
    dataset = ox.Dataset(ox.Quad(*triples[i]) for i in blank)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    for i, q in zip(blank, dataset, strict=False):  # as many (a set of distinct triples)…
        triples[i] = (q.subject, q.predicate, q.object)
    extra = len(blank) - len(dataset)
    if extra:  # …unless the source repeated a triple: drop the leftover places
        for i in sorted(blank[len(dataset):], reverse=True):
            del triples[i]


def _label_key(node: ox.BlankNode) -> tuple[int, str]:
    return len(node.value), node.value  # c14n2 before c14n10


class _Writer:
    """Writes one graph; ``forced`` blank nodes are always labelled (shared across TriG graphs)."""

    def __init__(self, triples: Iterable[tuple[Any, ox.NamedNode, Any]], prefixes: Mapping[str, str],
                 forced: frozenset[ox.BlankNode] = frozenset()) -> None:
        self.index: dict[Subject, dict[ox.NamedNode, set[Object]]] = defaultdict(
            lambda: defaultdict(set))
        index, literal, triple_term = self.index, ox.Literal, ox.Triple
        for s, p, o in triples:
            kind = type(o)
            if (kind is literal and getattr(o, "direction", None)) or kind is triple_term \
                    or type(s) is triple_term:
                self._check(o)
                self._check(s)
            index[s][p].add(o)
        self.prefixes = sorted(((n, ns) for n, ns in prefixes.items() if _PREFIX.match(n) and ns),
                               key=lambda kv: (-len(kv[1]), kv[0]))  # longest namespace first
        #: (namespace length, namespace → its first name), longest first: one lookup a length
        self.namespaces: list[tuple[int, dict[str, str]]] = []
        for name, namespace in self.prefixes:
            if not self.namespaces or self.namespaces[-1][0] != len(namespace):
                self.namespaces.append((len(namespace), {}))
            self.namespaces[-1][1].setdefault(namespace, name)
        self.used: set[str] = set()
        #: IRI up to its last / or # → :meth:`_candidates` (a few such heads per graph)
        self.heads: dict[str, list[tuple[int, str, str]]] = {}
        self.written: dict[str, str] = {}  # IRI → how it is written (IRIs repeat a lot)
        self.refs: Counter[ox.BlankNode] = Counter(
            o for props in self.index.values() for objs in props.values() for o in objs
            if isinstance(o, ox.BlankNode))
        self.inline = self._inline_nodes(forced)

    @staticmethod
    def _check(term: object) -> None:
        if isinstance(term, ox.Triple):
            raise CanonicalTurtleError("a triple term (RDF 1.2) cannot be written as Turtle 1.1")
        if isinstance(term, ox.Literal) and getattr(term, "direction", None):
            raise CanonicalTurtleError(
                f"the literal {term} has a base direction, which Turtle 1.1 cannot write")

    def _inline_nodes(self, forced: frozenset[ox.BlankNode]) -> set[ox.BlankNode]:
        """Blank nodes referenced once and reachable from a root without a cycle."""
        candidates = {b for b, n in self.refs.items() if n == 1 and b not in forced}
        visited: set[ox.BlankNode] = set()

        def walk(root: Subject) -> None:
            stack = [root]
            while stack:
                for objs in self.index.get(stack.pop(), {}).values():
                    for o in objs:
                        if o in candidates and o not in visited:
                            visited.add(o)  # type: ignore[arg-type]
                            stack.append(o)  # type: ignore[arg-type]

        for subject in self.index:
            if subject not in candidates:
                walk(subject)
        while rest := candidates - visited:  # cycles of once-referenced nodes: label one
            root = min(rest, key=_label_key)
            candidates.discard(root)
            walk(root)
        return visited

    def iri(self, node: ox.NamedNode) -> str:
        return self.iri_text(node.value)

    def iri_text(self, text: str) -> str:
        """How the IRI ``text`` is written (a prefixed name or ``<…>``)."""
        written = self.written.get(text)
        if written is None:
            written = self.written[text] = self._iri(text)
        return written

    def _iri(self, text: str) -> str:
        cut = max(text.rfind("/"), text.rfind("#")) + 1
        candidates = self.heads.get(text[:cut])
        if candidates is None:
            if len(self.heads) >= _HEADS_MOST:
                self.heads.clear()
            candidates = self.heads[text[:cut]] = self._candidates(text[:cut])
        for size, namespace, name in candidates:  # longest namespace first, as self.prefixes
            if (size <= cut or text.startswith(namespace)) and _LOCAL.match(text[size:]):
                self.used.add(name)
                return f"{name}:{text[size:]}"
        return iri_ref(text)

    def _candidates(self, head: str) -> list[tuple[int, str, str]]:
        """The namespaces an IRI that starts with ``head`` (up to its last ``/`` or ``#``) may
        start with: those ``head`` starts with, then (to be checked) the longer ones that start
        with ``head``; longest first."""
        return [(size, namespace, name) for size, names in self.namespaces
                for namespace, name in names.items()
                if (head.startswith(namespace) if size <= len(head) else namespace.startswith(head))]

    def predicate(self, node: ox.NamedNode) -> str:
        return "a" if node.value == RDF_TYPE else self.iri(node)

    def literal(self, node: ox.Literal) -> str:
        lexical, datatype = node.value, node.datatype.value
        if node.language:
            if not _LANGUAGE.match(node.language):
                raise CanonicalTurtleError(f"{node.language!r} is not a language tag")
            return f"{quote(lexical)}@{node.language}"
        if datatype == XSD + "string":
            return quote(lexical)
        short = _SHORT_FORMS.get(datatype)
        if short is not None and short.match(lexical):
            return lexical
        return f"{quote(lexical)}^^{self.iri(node.datatype)}"

    def term(self, node: Object, depth: int) -> str:
        if isinstance(node, ox.NamedNode):
            return self.iri(node)
        if isinstance(node, ox.Literal):
            return self.literal(node)
        if node not in self.inline:
            return f"_:{node.value}"
        items = self.rdf_list(node)
        if items is not None:
            inner = " ".join(self.term(i, depth) for i in items)
            return f"( {inner} )" if inner else "()"
        if node not in self.index:
            return "[]"
        return "[\n" + self.predicates(node, depth + 1) + "\n" + INDENT * depth + "]"

    def rdf_list(self, node: ox.BlankNode) -> list[Object] | None:
        items: list[Object] = []
        current: Object = node
        while not (isinstance(current, ox.NamedNode) and current.value == RDF_NIL):
            if not isinstance(current, ox.BlankNode) or current not in self.inline:
                return None
            props = self.index.get(current, {})
            firsts = props.get(ox.NamedNode(RDF_FIRST), set())
            rests = props.get(ox.NamedNode(RDF_REST), set())
            if len(props) != 2 or len(firsts) != 1 or len(rests) != 1:
                return None
            items.append(next(iter(firsts)))
            current = next(iter(rests))
        return items

    def predicates(self, subject: Subject, depth: int) -> str:
        props = self.index[subject]
        order = sorted(props, key=lambda p: (p.value != RDF_TYPE, p.value))
        pad = INDENT * depth
        lines = []
        for p in order:
            values = props[p]
            objects = [self.term(o, depth + 1) for o in values] if len(values) == 1 else \
                sorted(self.term(o, depth + 1) for o in values)  # inline twins stay two
            lines.append(f"{pad}{self.predicate(p)} " + (" ,\n" + pad + INDENT).join(objects))
        return " ;\n".join(lines)

    def blocks(self) -> list[str]:
        named = sorted((s for s in self.index if isinstance(s, ox.NamedNode)), key=lambda s: s.value)
        blocks = [f"{self.iri(s)}\n{self.predicates(s, 1)} ." for s in named]
        labelled = sorted((s for s in self.index
                           if isinstance(s, ox.BlankNode) and s not in self.inline and self.refs[s]),
                          key=_label_key)
        blocks += [f"_:{s.value}\n{self.predicates(s, 1)} ." for s in labelled]
        anonymous = [s for s in self.index if isinstance(s, ox.BlankNode) and not self.refs[s]]
        blocks += sorted(f"[]\n{self.predicates(s, 1)} ." for s in anonymous)
        return blocks


def _document(used: set[str], prefixes: Mapping[str, str], header: Iterable[str],
              parts: list[str]) -> str:
    lines = [f"# {line}".rstrip() for line in header]
    if lines:
        lines.append("")
    lines += [f"@prefix {name}: {iri_ref(prefixes[name])} ." for name in sorted(used)]
    head = "\n".join(lines).rstrip("\n")
    if not parts:
        return head + "\n" if head else ""
    return (head + "\n\n" if head else "") + "\n\n".join(parts) + "\n"


def canonical_turtle(source: Any, prefixes: Mapping[str, str], header: Iterable[str] = ()) -> str:
    """Write triples (an rdflib ``Graph``, pyoxigraph quads or triples) as canonical Turtle.

    ``header`` lines become leading ``#`` comments.
    """
    triples = _triples(source)
    _canonical_triples(triples)
    writer = _Writer(triples, prefixes)  # which refuses triple terms as _writable does
    del triples  # the writer's index holds them now
    blocks = writer.blocks()
    return _document(writer.used, prefixes, header, blocks)


def canonical_trig(quads: Iterable[ox.Quad], prefixes: Mapping[str, str],
                   header: Iterable[str] = ()) -> str:
    """Write quads as canonical TriG: the default graph first, then named graphs by IRI.

    Blank-node labels are canonical over the whole dataset; a blank node used in two graphs is
    labelled in both (TriG labels are document-wide), never written inline.
    """
    quads = _canonical_labels(list(quads))
    by_graph: dict[str, list[Triple]] = defaultdict(list)
    seen_in: dict[ox.BlankNode, set[str]] = defaultdict(set)
    for q in quads:
        name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        by_graph[name].append(_writable(q.subject, q.predicate, q.object))
        for term in (q.subject, q.object):
            if isinstance(term, ox.BlankNode):
                seen_in[term].add(name)
    forced = frozenset(b for b, names in seen_in.items() if len(names) > 1)
    used: set[str] = set()
    parts = []
    for name in sorted(by_graph):
        writer = _Writer(by_graph[name], prefixes, forced)
        body = "\n\n".join(_indent(b) for b in writer.blocks())
        label = writer.iri(ox.NamedNode(name)) + " " if name else ""
        used |= writer.used
        parts.append(f"{label}{{\n{body}\n}}")
    return _document(used, prefixes, header, parts)


def _indent(block: str) -> str:
    return "\n".join(INDENT + line if line else line for line in block.splitlines())


def leading_comments(text: str) -> list[str]:
    """The leading ``#`` comment lines of a Turtle file (its header), without the ``#``."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    return lines
