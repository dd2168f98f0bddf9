"""SHACL validation over the store's SPARQL engine, giving pyshacl's report.

Set-level work runs as a few SPARQL queries over the whole graph (targets, path values, class
instances, SPARQL constraints with the focus nodes joined in instead of pre-bound one by one);
value-level tests run in Python with pyshacl's own semantics (:mod:`.values`), except those of
property shapes made only of counts, node kinds, classes and IRI lists, which the store checks
(:mod:`.checked`: only failing rows come back). Results carry
the same focus node, path, value, severity, source shape, component and messages as pyshacl's.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, SH, BNode, Literal, URIRef
from rdflib.term import Node, _is_valid_langtag

from sarcoma_graph.plumbing.terms import to_rdflib
from sarcoma_graph.shacl import checked
from sarcoma_graph.shacl import values as tests
from sarcoma_graph.shacl.census import NATIVE, Census, digest
from sarcoma_graph.shacl.model import Shape, ShapesReader, SparqlConstraint, Unsupported
from sarcoma_graph.store import Store
from sarcoma_graph.store.base import QueryError, Term
from sarcoma_graph.store.oxigraph import OxigraphStore, as_query_error

_SUBCLASS = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
RDFS_SUBCLASS = str(RDFS.subClassOf)
_FORBIDDEN_SPARQL = re.compile(
    r"\$(shapesGraph|currentShape)\b|\b(GROUP\s+BY|HAVING|LIMIT|OFFSET|SERVICE)\b"
    r"|\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", re.I)
#: a SPARQL target whose answer can stand for it where another target uses it as a sub-select
_DISTINCT_THIS = re.compile(r"SELECT DISTINCT [?$]this WHERE \{", re.I)
#: one subject-predicate lookup costs about as much as this many rows of a whole-predicate query
#: (1M quads: 85k rdfs:label lookups 1.8 s, all 105k labels by SPARQL 1.3 s; 29k dcterms:source
#: lookups 0.4 s, all 62k by SPARQL 0.8 s)
LOOKUP_COST = 1.5
#: focus nodes listed in a ``VALUES`` block up to this many (beyond, the target is re-evaluated)
VALUES_UP_TO = 20_000
#: a property shape whose focus nodes come from a SPARQL target (no cheap SPARQL group for
#: them) is checked by the store over every triple of its predicate, the failures then kept for
#: the focus nodes, when the predicate has at most this many triples per focus node (1M quads:
#: the 105k rdfs:label triples of 85k curated entities took 2.8 s into Python, their four
#: checks in the store a tenth of that)
PATH_WIDE_UP_TO = 8
COMPONENT = {
    SH["class"]: "Class", SH.datatype: "Datatype", SH.nodeKind: "NodeKind", SH.minCount: "MinCount",
    SH.maxCount: "MaxCount", SH.minExclusive: "MinExclusive", SH.minInclusive: "MinInclusive",
    SH.maxExclusive: "MaxExclusive", SH.maxInclusive: "MaxInclusive", SH.minLength: "MinLength",
    SH.maxLength: "MaxLength", SH.pattern: "Pattern", SH.languageIn: "LanguageIn",
    SH.uniqueLang: "UniqueLang", SH.equals: "Equals", SH.disjoint: "Disjoint", SH["not"]: "Not",
    SH["and"]: "And", SH["or"]: "Or", SH.xone: "Xone", SH.node: "Node", SH["in"]: "In",
    SH.sparql: "SPARQL",
}


@dataclass(frozen=True)
class Result:
    """One validation result, in rdflib terms (shape and path nodes are the shapes graph's)."""

    focus: Node
    path: Node | None
    value: Node | None
    severity: Node
    shape: Node
    component: URIRef
    constraint: Node | None
    messages: frozenset[Literal]


#: a constraint's finding before it becomes a :class:`Result`: focus, value, component, path,
#: the SPARQL constraint (if one) and its bindings for the message (if a SPARQL one)
Hit = tuple[Node, Node | None, URIRef, Node | None, SparqlConstraint | None, dict[str, Node] | None]


def component(name: str) -> URIRef:
    return SH[f"{name}ConstraintComponent"]


_STRINGS_AND_IRIS = re.compile(r'"""(?s:.*?)"""|\'\'\'(?s:.*?)\'\'\'|"(?:[^"\\\n]|\\.)*"'
                               r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>")


def _spaces_free(query: str) -> bool:
    """Whether collapsing the query's runs of white space keeps its meaning: no comment, no
    string with a run of white space or a line break."""
    pieces = _STRINGS_AND_IRIS.findall(query)
    rest = _STRINGS_AND_IRIS.sub(" ", query)
    return "#" not in rest and all(" ".join(p.split()) == p for p in pieces if p[0] in "\"'")


class Data:
    """SPARQL access to the data graph with per-run caches (paths, class instances, terms)."""

    def __init__(self, store: Store, saved: Path | None = None) -> None:
        """``saved``: the N-Quads file whose quads the store holds, no more and no less (read
        for the whole-graph targets, :mod:`.census`), if there is one."""
        self.store, self.saved = store, saved
        self._census: Census | None = None
        self._pairs: dict[str, dict[Node, list[Node]]] = {}
        self._instances: dict[Node, set[Node]] = {}
        self._looked: dict[URIRef, dict[Node, list[Node]]] = {}  # pairs_of's answers
        self._sizes: dict[URIRef, int] = {}
        self._subclasses: dict[URIRef, list[Node]] = {}
        #: each store term converted once: IRIs recur across queries (focus nodes, classes)
        self._terms: dict[Term | None, Node | None] = {None: None}

    def node(self, term: Term) -> Node:
        converted = self._terms.get(term)
        if converted is None:
            if type(term) is ox.NamedNode:  # the store's IRIs are valid: rdflib's check skipped
                converted = self._terms[term] = str.__new__(URIRef, term.value)
                return converted
            plain = _plain_literal(term)
            converted = self._terms[term] = plain if plain is not None else to_rdflib(term)
        return converted

    def _select(self, sparql: str) -> tuple[tuple[str, ...], list[tuple[Term | None, ...]]]:
        """A SELECT's variables and rows of store terms. In-process oxigraph is asked directly,
        over the union graph: the store's own path scans each query text for ``FROM`` first,
        a second of CPU at 1M quads on the long ``VALUES`` lists (shape texts with a dataset
        clause are refused when read, :func:`.model.check_query`)."""
        if not isinstance(self.store, OxigraphStore):
            result = self.store.query(sparql)
            return result.variables, result.rows
        try:
            answer = self.store._store.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise as_query_error(error) from None
        except (OSError, ValueError, TypeError, RuntimeError) as error:
            raise QueryError(str(error)) from None
        if not isinstance(answer, ox.QuerySolutions):
            raise QueryError("the fast SHACL path runs SELECT queries only")
        variables = tuple(v.value for v in answer.variables)
        width = range(len(variables))
        try:
            return variables, [tuple(solution[i] for i in width) for solution in answer]
        except (OSError, ValueError, TypeError, RuntimeError) as error:  # evaluation, lazily
            raise QueryError(str(error)) from None

    def rows(self, sparql: str) -> tuple[tuple[str, ...], list[tuple[Node | None, ...]]]:
        """SELECT rows as tuples in the order of the variables (``None``: unbound)."""
        variables, found = self._select(sparql)
        if not found:
            return variables, []
        terms, node = self._terms, self.node
        columns = list(zip(*found, strict=True))
        for column in columns:  # set and map operations: a per-term Python loop was 3 s at 1M
            for term in set(column).difference(terms):
                if term is not None:
                    node(term)
        lookup = terms.__getitem__  # holds None → None (unbound)
        return variables, list(zip(*(map(lookup, column) for column in columns), strict=True))

    def select(self, sparql: str) -> tuple[tuple[str, ...], list[dict[str, Node]]]:
        variables, rows = self.rows(sparql)
        return variables, [{k: v for k, v in zip(variables, row, strict=True) if v is not None}
                           for row in rows]

    def column(self, sparql: str, variable: str) -> set[Node]:
        """The distinct values of one variable (rows where it is unbound left out)."""
        variables, rows = self.rows(sparql)
        if variable not in variables:
            return set()
        i = variables.index(variable)
        return {row[i] for row in rows if row[i] is not None}  # type: ignore[misc]

    def native_target(self, text: str) -> set[Node] | None:
        """The answer of the SPARQL target ``text`` (with its prefixes) from the saved file, or
        ``None``: not one :data:`.census.NATIVE` knows, no saved file, or one only the store
        can answer."""
        key = digest(text)
        if self.saved is None or key not in NATIVE:
            return None
        if self._census is None:
            self._census = Census.read(self.saved)
        return NATIVE[key][1](self._census, text, lambda sparql: self.column(sparql, "this"))

    def has_pairs(self, path: str) -> bool:
        return path in self._pairs

    def pairs(self, path: str) -> dict[Node, list[Node]]:
        """``{focus: [value, …]}`` for every node with a value on the path (values distinct)."""
        if path not in self._pairs:
            out: dict[Node, list[Node]] = defaultdict(list)
            _, rows = self.rows(f"SELECT DISTINCT ?s ?o WHERE {{ ?s {path} ?o }}")
            for s, o in rows:
                out[s].append(o)  # type: ignore[index,arg-type]
            self._pairs[path] = out
        return self._pairs[path]

    def regex_compiles(self, pattern: str) -> bool:
        """Whether the store's ``REGEX`` takes ``pattern`` (else each test would be an error)."""
        from sarcoma_graph.shacl.regex import sparql_string

        try:
            _, rows = self._select(f'SELECT (REGEX("", {sparql_string(pattern)}) AS ?ok) {{}}')
        except QueryError:
            return False
        return bool(rows) and rows[0][0] is not None

    def lookups(self) -> bool:
        """Whether the store answers subject-predicate lookups directly (in-process oxigraph)."""
        return isinstance(self.store, OxigraphStore)

    def on_disk(self) -> bool:
        """Whether the store is in-process oxigraph on disk (RocksDB), where an index lookup
        per focus node costs more than one scan of a predicate (:func:`.checked.at_least_query`)."""
        return isinstance(self.store, OxigraphStore) and self.store.path is not None

    def pairs_of(self, predicate: URIRef, focus: set[Node]) -> dict[Node, list[Node]]:
        """:meth:`pairs` of a plain predicate for some nodes only, one index lookup each,
        remembered for the next shape on that predicate (only when :meth:`lookups`). The
        answer may hold other nodes' values too; a node without values has none or ``[]``."""
        assert isinstance(self.store, OxigraphStore)
        objects, node = self.store.objects, self.node
        p = ox.NamedNode(str(predicate))
        out = self._looked.setdefault(predicate, {})
        for f in focus:
            if f in out:
                continue
            if isinstance(f, URIRef):
                s: ox.NamedNode | ox.BlankNode = ox.NamedNode(str(f))
            elif isinstance(f, BNode):
                s = ox.BlankNode(str(f))
            else:
                continue  # a literal has no values on a predicate
            out[f] = list(dict.fromkeys(node(o) for o in objects(s, p)))
        return out

    def size(self, predicate: URIRef) -> int:
        """How many triples (in every graph) have the predicate: counted by the store."""
        if predicate not in self._sizes:
            _, rows = self.rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s {predicate.n3()} ?o }}")
            count = rows[0][0] if rows else None
            self._sizes[predicate] = int(count.toPython()) if isinstance(count, Literal) else 0
        return self._sizes[predicate]

    def subclasses(self, cls: URIRef) -> list[Node]:
        """The class and every class below it by ``rdfs:subClassOf*``."""
        if cls not in self._subclasses:
            self._subclasses[cls] = sorted(self.column(
                f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS_SUBCLASS}>* {cls.n3()} }}", "c"), key=str)
        return self._subclasses[cls]

    def instances(self, cls: Node) -> set[Node]:
        if cls not in self._instances:
            self._instances[cls] = self.column(
                f"SELECT DISTINCT ?x WHERE {{ ?x {_SUBCLASS} {cls.n3()} }}", "x")
        return self._instances[cls]


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_VALID_TAGS: dict[str, bool] = {}


def _plain_literal(term: Term) -> Literal | None:
    """A language-tagged or ``xsd:string`` literal as rdflib's ``Literal(lexical, lang=…)`` makes
    it (lexical form, language, ``value`` the lexical str, no datatype, not ill-typed), without
    its general path (a tenth of its cost; 110k labels at 1M quads took 2.9 s); ``None`` for any
    other term. Equality with :func:`to_rdflib`'s is a test (tests/test_shacl_fast.py)."""
    if not isinstance(term, ox.Literal):
        return None
    language = term.language
    if language:
        valid = _VALID_TAGS.get(language)
        if valid is None:
            valid = _VALID_TAGS[language] = _is_valid_langtag(language)
        if not valid:
            return None  # rdflib raises: leave it to to_rdflib
    elif term.datatype.value != _XSD_STRING:
        return None
    else:
        language = None
    literal = str.__new__(Literal, term.value)
    literal._language = language
    literal._datatype = None
    literal._value = term.value
    literal._ill_typed = None
    return literal


class Engine:
    """Evaluates shapes read by a :class:`ShapesReader` against :class:`Data`."""

    def __init__(self, reader: ShapesReader, data: Data, strict_messages: bool = True) -> None:
        self.reader, self.data, self.strict = reader, data, strict_messages
        self._path_uses: Counter[str] | None = None
        #: the answers of the SPARQL targets evaluated so far, by prefixes and normalised text
        self._targets: dict[tuple[str, str], set[Node]] = {}
        self._plans: dict[Node, checked.Plan | None] = {}
        self._nodes_with: dict[str, set[Node]] = {}
        #: the focus nodes of the top-level shape being evaluated, as a SPARQL group the store
        #: evaluates cheaply, for :meth:`_store_checked`: its targets when none is a SPARQL one
        #: (a long ``VALUES`` list costs more to parse and join), else the nodes listed if they
        #: are, else ``None`` (no SPARQL target run again for each property shape)
        self._cheap_fragment: str | None = None

    # -- targets ------------------------------------------------------------------------------
    def focus_nodes(self, shape: Shape) -> set[Node]:
        nodes: set[Node] = set()
        for kind, value in shape.targets:
            if kind == SH.targetClass:
                nodes |= self.data.instances(value)
            elif kind == SH.targetNode:
                nodes.add(value)
            elif kind == SH.targetSubjectsOf:
                nodes |= set(self.data.pairs(value.n3()))
            else:
                nodes |= set(self.data.pairs(f"^{value.n3()}"))
        for select in shape.sparql_targets:
            nodes |= self._sparql_target(shape, select)
        return nodes

    def _sparql_target(self, shape: Shape, select: str) -> set[Node]:
        """The nodes of one SPARQL target (from the saved file when :mod:`.census` can), kept
        for another target that uses it as a sub-select (:meth:`_reuse_targets`)."""
        text = " ".join(select.split()) if _spaces_free(select) else select
        found = self.data.native_target(shape.prefixes + select)
        if found is not None:
            if _DISTINCT_THIS.match(text):
                self._targets[(shape.prefixes, text)] = found
            return found
        variables, rows = self.data.rows(shape.prefixes + self._reuse_targets(text, shape.prefixes))
        if "this" not in variables:
            return set()
        at = variables.index("this")
        found = {node for row in rows if (node := row[at]) is not None}
        if variables == ("this",) and _DISTINCT_THIS.match(text) and len(found) == len(rows):
            self._targets[(shape.prefixes, text)] = found
        return found

    def _reuse_targets(self, select: str, prefixes: str) -> str:
        """``select`` with each sub-select that is another shape's SPARQL target, already
        evaluated, replaced by its answer in ``VALUES``: a sub-select is evaluated on its own,
        so this is the same query (sgsh:EntityKindShape starts from sgsh:CuratedEntityShape's
        target, a scan of every quad: 3 s at 1M quads)."""
        for (known_prefixes, known), answer in self._targets.items():
            sub = "{ " + known + " }"
            if known_prefixes != prefixes or sub not in select or \
                    not all(isinstance(node, URIRef) for node in answer):
                continue
            listed = " ".join(f"<{node}>" for node in sorted(answer, key=str))
            select = select.replace(sub, "{ VALUES ?this { " + listed + " } }")
        return select

    def focus_fragment(self, shape: Shape) -> str:
        parts = []
        for kind, value in shape.targets:
            if kind == SH.targetClass:
                parts.append(self._instances_group(value))
            elif kind == SH.targetNode:
                parts.append(f"{{ VALUES ?this {{ {value.n3()} }} }}")
            elif kind == SH.targetSubjectsOf:
                parts.append(f"{{ ?this {value.n3()} ?sgFocusObject }}")
            else:
                parts.append(f"{{ ?sgFocusSubject {value.n3()} ?this }}")
        parts.extend(f"{{ {select} }}" for select in shape.sparql_targets)
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    # -- shapes -------------------------------------------------------------------------------
    def validate(self) -> list[Result]:
        results: list[Result] = []
        for shape in self.reader.top_level():
            if not shape.deactivated:
                focus = self.focus_nodes(shape)
                fragment = self.known_fragment(shape, focus)
                self._cheap_fragment = self.focus_fragment(shape) if not shape.sparql_targets \
                    else fragment if fragment.startswith("{ VALUES") else None
                results += self.evaluate(shape, focus, fragment)
        return results

    def _instances_group(self, cls: Node) -> str:
        """The instances of a class as a SPARQL group: a type among the class's subclasses
        (listed) when they are all IRIs (each store-checked query on the focus nodes of a
        class target ran in half the time: 0.12 s against 0.23 s for 29k curation records at
        1M quads), else by the ``rdf:type/rdfs:subClassOf*`` path."""
        classes = self.data.subclasses(cls) if isinstance(cls, URIRef) else []
        if not classes or not all(isinstance(c, URIRef) for c in classes):
            return f"{{ ?this {_SUBCLASS} {cls.n3()} }}"
        listed = " ".join(c.n3() for c in classes)
        return f"{{ VALUES ?sgFocusClass {{ {listed} }} ?this <{RDF.type}> ?sgFocusClass }}"

    def known_fragment(self, shape: Shape, focus: set[Node]) -> str:
        """The focus nodes for SPARQL constraints: listed in ``VALUES`` when they are already
        known IRIs (not evaluating a costly SPARQL target a second time), else the targets."""
        if not self._needs_fragment(shape) or len(focus) > VALUES_UP_TO or \
                not all(isinstance(f, URIRef) for f in focus):
            return self.focus_fragment(shape)
        return "{ VALUES ?this { " + " ".join(f.n3() for f in sorted(focus, key=str)) + " } }"

    def _needs_fragment(self, shape: Shape) -> bool:
        return bool(shape.sparql) or any(self._needs_fragment(p) for p in shape.properties
                                         if not shape.is_property)

    def _plan(self, shape: Shape) -> checked.Plan | None:
        """What the store can check of a property shape by itself (``None``: not all of it)."""
        if shape.node not in self._plans:
            whole = shape.is_property and not shape.properties and not shape.sparql
            g = self.reader.graph
            context = checked.Context(
                g.value(shape.node, SH.flags),
                (g.value(shape.node, SH.qualifiedMinCount), g.value(shape.node, SH.qualifiedMaxCount)),
                self._value_shape, self.data.regex_compiles if self.data.lookups() else None)
            self._plans[shape.node] = checked.plan(
                shape.params, self.reader.list_items, self.data.subclasses, context) if whole else None
        return self._plans[shape.node]

    def _value_shape(self, node: Node) -> tuple[dict[URIRef, list[Node]], Node | None] | None:
        """The parameters and flags of a nested shape made of value tests only, else ``None``."""
        shape = self.reader.read(node)
        if shape.deactivated or shape.is_property or shape.properties or shape.sparql or \
                any(p not in checked.VALUE_TESTS for p in shape.params):
            return None
        return shape.params, self.reader.graph.value(node, SH.flags)

    def evaluate(self, shape: Shape, focus: set[Node], fragment: str | None = None,
                 report: bool = True) -> list[Result]:
        """Results of ``shape`` on ``focus`` (``fragment``: the focus nodes as a SPARQL group)."""
        if shape.deactivated or not focus:
            return []
        if shape.is_property:
            if fragment is not None and report:  # (the top-level shape's focus nodes)
                cheap = self._cheap_fragment
                if self.data.has_pairs(shape.path_sparql):  # values in Python already (a target's)
                    cheap = None
                elif cheap is None and self._path_wide(shape, focus):
                    cheap = ""
                hits = self._store_checked(shape, cheap, focus) if cheap is not None else None
                if hits is not None:
                    return [self._result(shape, *hit) for hit in hits]
            pairs = self._pairs(shape, focus)
            value_map = {f: pairs.get(f, []) for f in focus}
        else:
            value_map = {f: [f] for f in focus}
        found: list[Hit] = []
        for parameter, rules in shape.params.items():
            for rule in rules:
                found += [(f, v, c, None, None, None) for f, v, c in
                          self._component(shape, parameter, rule, value_map)]
        for constraint in shape.sparql:
            if fragment is None:
                raise Unsupported(f"shape {shape.node}: SPARQL constraint in a nested shape")
            found += self._sparql(shape, constraint, fragment)
        results = [self._result(shape, *item, report=report) for item in found]
        if shape.is_property and shape.properties:  # nested property shapes apply to the values
            reached = Counter(v for vs in value_map.values() for v in vs)
            for prop in shape.properties:  # a value reached from two focus nodes: reported twice
                results += [r for r in self.evaluate(prop, set(reached), None, report)
                            for _ in range(reached[r.focus])]
            return results
        for prop in shape.properties:
            results += self.evaluate(prop, focus, fragment, report)
        return results

    def _by_scan(self, shape: Shape, focus: set[Node]) -> bool:
        """Whether the store's checks on the focus nodes read the shape's predicate in one scan
        joined by hash rather than by a lookup per focus node: on disk, when the predicate has
        at most :data:`PATH_WIDE_UP_TO` triples per focus node (:func:`.checked.at_least_query`)."""
        return self.data.on_disk() and self._few_per_focus(shape, focus)

    def _path_wide(self, shape: Shape, focus: set[Node]) -> bool:
        """Whether the store checks the shape over every triple of its predicate
        (:data:`PATH_WIDE_UP_TO`)."""
        plan = self._plan(shape)
        return plan is not None and all(limit <= 1 for _, limit in plan.counts) and \
            self._few_per_focus(shape, focus)

    def _few_per_focus(self, shape: Shape, focus: set[Node]) -> bool:
        """Whether the shape's path is one predicate with at most :data:`PATH_WIDE_UP_TO`
        triples per focus node."""
        return isinstance(shape.path, URIRef) and \
            self.data.size(shape.path) <= PATH_WIDE_UP_TO * len(focus)

    def _store_checked(self, shape: Shape, fragment: str, focus: set[Node]) -> list[Hit] | None:
        """The shape's findings on ``focus`` when the store can check all its constraints
        (:mod:`.checked`), in the order the Python path gives them. ``fragment`` selects the
        focus nodes in SPARQL, or is empty: then the store checks every node with a value on
        the path and only the focus nodes' failures are kept."""
        plan = self._plan(shape)
        if plan is None:
            return None
        path, keep = shape.path_sparql, (focus.__contains__ if not fragment else None)
        by_scan = self._by_scan(shape, focus)
        by_parameter: dict[URIRef, list[Hit]] = defaultdict(list)

        def add(parameter: URIRef, this: Node, value: Node | None = None,
                name: str | None = None) -> None:
            if keep is None or keep(this):
                by_parameter[parameter].append(
                    (this, value, component(name or COMPONENT[parameter]), None, None, None))

        for parameter, this in self._count_failures(shape, plan, fragment, focus, by_scan):
            add(parameter, this)
        if plan.checks:
            _, rows = self.data.rows(shape.prefixes + checked.value_query(plan, fragment, path,
                                                                          by_scan))
            for found, value, *verdicts in rows:
                assert found is not None  # the fragment binds ?this
                for check, verdict in zip(plan.checks, verdicts, strict=True):
                    if str(verdict) == "false" and not _rechecked(check, value):
                        add(check.parameter, found, value)
        if plan.unique_lang:
            _, rows = self.data.rows(shape.prefixes + checked.unique_lang_query(fragment, path))
            for found, _ in rows:
                assert found is not None
                add(SH.uniqueLang, found)
        for qualified in plan.qualified:  # pyshacl: the maximum's result, then the minimum's
            if qualified.high is not None:
                for this in self.data.column(shape.prefixes + checked.qualified_query(
                        qualified, fragment, path, qualified.high), "this"):
                    add(SH.qualifiedValueShape, this, None, "QualifiedMaxCount")
            if qualified.low is not None and qualified.low > 0:
                enough = self.data.column(shape.prefixes + checked.qualified_query(
                    qualified, fragment, path, qualified.low - 1), "this")
                for this in focus - enough:
                    add(SH.qualifiedValueShape, this, None, "QualifiedMinCount")
        return [hit for parameter in plan.order for hit in by_parameter.pop(parameter, [])]

    def _at_least(self, query: str) -> set[Node]:
        """The nodes of an :func:`.checked.at_least_query`, remembered: over a whole predicate
        (an empty fragment) two shapes often ask the same (1M quads: 43k sg:curatorNote
        subjects, 0.35 s each time)."""
        if query not in self._nodes_with:
            self._nodes_with[query] = self.data.column(query, "this")
        return self._nodes_with[query]

    def _count_failures(self, shape: Shape, plan: checked.Plan, fragment: str,
                        focus: set[Node], by_scan: bool = False) -> list[tuple[URIRef, Node]]:
        """(sh:minCount or sh:maxCount, focus node) for each count limit a focus node breaks
        (with an empty ``fragment``, limits of 0 and 1 only; the caller keeps the focus's)."""
        if not plan.counts:
            return []
        path = shape.path_sparql
        needed = checked.at_least_needed(plan)
        out: list[tuple[URIRef, Node]] = []
        if needed is not None:  # limits of 0 and 1: who has none, at least one, at least two
            asked = needed if fragment or 0 not in needed else needed - {0} | {1}
            having = {n: self._at_least(shape.prefixes + checked.at_least_query(
                n, fragment, path, by_scan)) for n in sorted(asked)}
            if not fragment and 0 in needed:  # no SPARQL group for "the focus nodes without"
                having[0] = focus - having[1]
            for parameter, limit in plan.counts:
                if parameter == SH.minCount and limit == 1:
                    out += [(parameter, this) for this in having[0]]
                elif parameter == SH.maxCount:
                    out += [(parameter, this) for this in having[limit + 1]]
            return out
        _, rows = self.data.rows(shape.prefixes + checked.count_query(plan, fragment, path))
        for this, n in rows:
            number = int(str(n))
            out += [(parameter, this) for parameter, limit in plan.counts  # type: ignore[misc]
                    if (number < limit if parameter == SH.minCount else number > limit)]
        return out

    def _pairs(self, shape: Shape, focus: set[Node]) -> dict[Node, list[Node]]:
        """The values of the focus nodes on the shape's path: for a predicate no other shape
        uses, or one with more triples than there are focus nodes, only the focus nodes' (all
        of rdf:type, for a thousand alterations, is 20 times more rows; at 1M quads the full
        fetches of nine shared predicates took 7 s); else every node's, fetched once for all
        the shapes that use the path. On disk a lookup costs more as the store grows (10-13 us
        at 10M quads), so there a path no other shape uses is looked up only when it has more
        triples than :data:`LOOKUP_COST` per focus node (10M quads: 109k lookups of
        ``sg:hasDownstreamEffector``, which has 6.8k triples)."""
        path = shape.path_sparql
        if self._path_uses is None:
            self._path_uses = Counter(s.path_sparql for s in self.reader.cache.values()
                                      if s.is_property)
        if isinstance(shape.path, URIRef) and not self.data.has_pairs(path) and \
                self.data.lookups() and \
                ((self._path_uses[path] == 1 and not self.data.on_disk()) or
                 LOOKUP_COST * len(focus) < self.data.size(shape.path)):
            return self.data.pairs_of(shape.path, focus)
        return self.data.pairs(path)

    def nonconforming(self, shape: Shape, nodes: set[Node]) -> set[Node]:
        """The nodes that do not conform to ``shape`` (any result, whatever its severity)."""
        return {r.focus for r in self.evaluate(shape, nodes, report=False)}

    # -- constraint components ----------------------------------------------------------------
    def _component(self, shape: Shape, parameter: URIRef, rule: Node,
                   value_map: dict[Node, list[Node]]) -> list[tuple[Node, Node | None, URIRef]]:
        if parameter == SH.minCount or parameter == SH.maxCount:
            limit = int(rule.toPython()) if isinstance(rule, Literal) else 0
            low = parameter == SH.minCount
            return [(f, None, component(COMPONENT[parameter])) for f, vs in value_map.items()
                    if (len(vs) < limit if low else len(vs) > limit)]
        if parameter == SH.uniqueLang:
            if not (isinstance(rule, Literal) and rule.toPython() is True):
                return []
            return [(f, None, component("UniqueLang")) for f, vs in value_map.items()
                    for _ in tests.duplicate_languages(vs)]
        if parameter in (SH.disjoint, SH.equals):
            return self._pair(parameter, rule, value_map)
        if parameter == SH.qualifiedValueShape:
            return self._qualified(shape, rule, value_map)
        test = self._value_test(shape, parameter, rule, value_map)
        name = component(COMPONENT[parameter])
        return [(f, v, name) for f, vs in value_map.items() for v in vs if not test(v)]

    def _value_test(self, shape: Shape, parameter: URIRef, rule: Node,
                    value_map: dict[Node, list[Node]]) -> Callable[[Node], bool]:
        g = self.reader.graph
        simple: dict[URIRef, Callable[[], Callable[[Node], bool]]] = {
            SH.datatype: lambda: tests.datatype_test(rule),
            SH.nodeKind: lambda: tests.node_kind_test(rule),
            SH.minExclusive: lambda: tests.range_test(rule, lambda c: c > 0),
            SH.minInclusive: lambda: tests.range_test(rule, lambda c: c >= 0),
            SH.maxExclusive: lambda: tests.range_test(rule, lambda c: c < 0),
            SH.maxInclusive: lambda: tests.range_test(rule, lambda c: c <= 0),
            SH.minLength: lambda: tests.length_test(rule, True),
            SH.maxLength: lambda: tests.length_test(rule, False),
            SH.pattern: lambda: tests.pattern_test(rule, g.value(shape.node, SH.flags)),
            SH.languageIn: lambda: tests.language_in_test(self.reader.list_items(rule)),
            SH["in"]: lambda: tests.in_test(self.reader.list_items(rule)),
        }
        if parameter in simple:
            return simple[parameter]()
        if parameter == SH["class"]:
            instances = self.data.instances(rule)
            return lambda v: not isinstance(v, Literal) and v in instances
        every = {v for vs in value_map.values() for v in vs}
        if parameter in (SH["not"], SH.node):
            bad = self.nonconforming(self.reader.read(rule), every)
            return (lambda v: v not in bad) if parameter == SH.node else (lambda v: v in bad)
        members = [self.nonconforming(m, every) for m in self.reader.members(rule)]
        if parameter == SH["or"]:
            return lambda v: any(v not in bad for bad in members)
        if parameter == SH["and"]:
            return lambda v: all(v not in bad for bad in members)
        return lambda v: sum(v not in bad for bad in members) == 1  # xone

    def _pair(self, parameter: URIRef, other: Node,
              value_map: dict[Node, list[Node]]) -> list[tuple[Node, Node | None, URIRef]]:
        others = self.data.pairs(other.n3())
        out: list[tuple[Node, Node | None, URIRef]] = []
        for f, vs in value_map.items():
            theirs = others.get(f, [])
            if parameter == SH.disjoint:
                out += [(f, v, component("Disjoint")) for v in vs if v in theirs]
            else:
                out += [(f, v, component("Equals")) for v in vs if v not in theirs]
                out += [(f, v, component("Equals")) for v in theirs if v not in vs]
        return out

    def _qualified(self, shape: Shape, member: Node,
                   value_map: dict[Node, list[Node]]) -> list[tuple[Node, Node | None, URIRef]]:
        every = {v for vs in value_map.values() for v in vs}
        bad = self.nonconforming(self.reader.read(member), every)
        out: list[tuple[Node, Node | None, URIRef]] = []
        g = self.reader.graph
        low, high = g.value(shape.node, SH.qualifiedMinCount), g.value(shape.node, SH.qualifiedMaxCount)
        for f, vs in value_map.items():
            count = sum(v not in bad for v in vs)
            if isinstance(high, Literal) and count > int(high.toPython()):
                out.append((f, None, component("QualifiedMaxCount")))
            if isinstance(low, Literal) and count < int(low.toPython()):
                out.append((f, None, component("QualifiedMinCount")))
        return out

    # -- SPARQL constraints -------------------------------------------------------------------
    def _sparql(self, shape: Shape, constraint: SparqlConstraint, fragment: str) -> list[Hit]:
        text = constraint.select
        if _FORBIDDEN_SPARQL.search(text) or len(re.findall(r"\bSELECT\b", text, re.I)) != 1:
            raise Unsupported(f"{shape.node}: SPARQL constraint uses a feature joined focus nodes "
                              "cannot reproduce (sub-select, aggregate, LIMIT, $shapesGraph…)")
        text = re.sub(r"\$this\b", "?this", text)
        if shape.is_property:
            text = text.replace("$PATH", shape.path_sparql)
        brace = text.index("{")
        query = shape.prefixes + text[:brace + 1] + " " + fragment + " " + text[brace + 1:]
        variables, rows = self.data.select(query)
        if "this" not in variables:
            raise Unsupported(f"{shape.node}: SPARQL constraint does not select $this")
        seen: set[tuple[Node, Node | None, Node | None, tuple[tuple[str, Node], ...]]] = set()
        out: list[Hit] = []
        name = component("SPARQL")
        for row in rows:
            row = dict(row)
            if "failure" in row:
                raise Unsupported(f"{shape.node}: ?failure in a SPARQL constraint")
            path, value, this = row.pop("path", None), row.pop("value", None), row.pop("this")
            key = (this, path, value, tuple(sorted(row.items())))
            if key in seen:
                continue
            seen.add(key)
            if value is None and not shape.is_property:
                value = this
            bound = {**row, "this": this, **({"path": path} if path is not None else {}),
                     **({"value": value} if value is not None else {})}
            out.append((this, value, name, path, constraint, bound))
        return out

    # -- results ------------------------------------------------------------------------------
    def _result(self, shape: Shape, focus: Node, value: Node | None, name: URIRef,
                path: Node | None, constraint: SparqlConstraint | None, bound: dict[str, Node] | None,
                report: bool = True) -> Result:
        if path is None and shape.is_property:
            path = shape.path
        messages: list[Literal] = []
        if bound is None:
            messages = list(shape.messages)
        else:
            extra: tuple[Literal, ...] = constraint.messages if constraint is not None else ()
            messages = [Literal(_format(m, bound)) for m in shape.messages]
            messages += [Literal(_format(m, bound)) for m in extra if m not in shape.messages]
        if not messages and report:
            if self.strict:
                raise Unsupported(f"shape {shape.node}: a result without sh:message (pyshacl would "
                                  "write its own generic message)")
            messages = [Literal(f"{name.rsplit('#', 1)[-1]} failed")]
        node = constraint.node if constraint is not None else None
        return Result(focus, path, value, shape.severity, shape.node, name, node, frozenset(messages))


def _rechecked(check: checked.Check, value: Node | None) -> bool:
    """Whether pyshacl's own test accepts a value the store's rejected that it reads otherwise
    (a typed literal other than a string, see :attr:`.checked.Check.recheck`)."""
    return check.recheck is not None and isinstance(value, Literal) and \
        value.datatype is not None and check.recheck(value)


def _format(message: Literal, bound: dict[str, Node]) -> str:
    """pyshacl's substitution of ``{?var}``/``{$var}`` (same regex, same str() of each term)."""
    text = str(message.value) if message.value is not None else str(message)
    for var, val in bound.items():
        text = re.sub(f"{{[?$]{var}}}", str(val), text)
    return text


def results_graph(results: list[Result], shapes: object) -> object:
    """A pyshacl-shaped ``sh:ValidationReport`` graph for the results."""
    from rdflib import BNode, Graph

    from sarcoma_graph.shacl.report import copy_node

    graph = Graph(bind_namespaces="core")
    assert isinstance(shapes, Graph)
    for prefix, namespace in shapes.namespace_manager.namespaces():
        graph.namespace_manager.bind(prefix, namespace)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not any(r.severity == SH.Violation for r in results))))
    for r in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, r.focus))
        graph.add((node, SH.resultSeverity, r.severity))
        graph.add((node, SH.sourceConstraintComponent, r.component))
        graph.add((node, SH.sourceShape, copy_node(shapes, r.shape, graph)))
        if r.path is not None:
            graph.add((node, SH.resultPath, copy_node(shapes, r.path, graph)))
        if r.value is not None:
            graph.add((node, SH.value, r.value))
        if r.constraint is not None:
            graph.add((node, SH.sourceConstraint, copy_node(shapes, r.constraint, graph)))
        for m in r.messages:
            graph.add((node, SH.resultMessage, m))
    return graph
