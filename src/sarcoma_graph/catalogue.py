"""Named SPARQL queries and QC checks stored as ``.rq`` files with a ``#+`` metadata header.

A header line is ``#+ key: value`` (grlc style)::

    #+ title: Agents targeting causal alterations
    #+ description: Agents whose target is the altered gene or acts downstream of it.
    #+ keywords: targeted therapy, causal alteration
    #+ param: histotype | iri | Restrict to one histotype | https://w3id.org/…/chordoma
    #+ severity: error
    #+ needs: civic

``needs`` names the project's named graphs (``…/graph/<name>``) without which the query's
answer means nothing (an import a deployment may not have: ``civic``); the endpoint says so
where it offers the query.

A parameter is ``name | kind | description | default`` (kind: ``iri``, ``literal`` or
``integer``; the default may be left out). Its value binds the variable ``?name``, which must
be in the query's projection.

Binding is plain SPARQL 1.1, so that the text we run is a text any store answers:
:meth:`NamedQuery.bind` writes ``VALUES ?name { <value> }`` as the last element of the
query's outermost ``WHERE`` group (a trailing ``VALUES`` clause when the form has no group to
put it in: ``CONSTRUCT WHERE``, ``DESCRIBE`` without ``WHERE``). The CLI (``query --param``),
the endpoint's ``/queries/{name}`` and the tests all run that text; nothing relies on an
engine's own pre-binding API. A parameter left empty adds nothing: the query then runs over
every value, as the file reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyoxigraph as ox

from sarcoma_graph.errors import InputError
from sarcoma_graph.namespaces import BASE, XSD, expand_own
from sarcoma_graph.plumbing.rdfio import read_text

if TYPE_CHECKING:
    from sarcoma_graph.plumbing.scanner import Token
    from sarcoma_graph.store import Store

ParamKind = Literal["iri", "literal", "integer"]
_KEYWORD = re.compile(r"\b(SELECT|CONSTRUCT|ASK|DESCRIBE)\b", re.I)
_PREFIX_DECL = re.compile(r"^\s*(PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)", re.I | re.M)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a named query."""

    name: str
    kind: ParamKind
    description: str
    default: str | None = None

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a value given as text; ``ValueError`` if it does not fit the kind."""
        if self.kind == "iri":
            value = expand_own(value)  # a prefixed name the pages show
            # fullmatch: "$" matched before a final line break (probe r16 L2, r15 L4)
            if not _IRI.fullmatch(value):
                # the forms take a prefixed name too (review r16 browser F10: the note said
                # "absolute IRI" only, and sggene:KIT was accepted without a word about it)
                raise ValueError(f"parameter {self.name!r} needs an IRI or a prefixed name such as "
                                 f"sggene:KIT, got {value!r}, which is not an absolute IRI")
            try:
                return ox.NamedNode(value)
            except ValueError as error:  # e.g. two '#': the engine's words, with the name
                raise ValueError(f"parameter {self.name!r} is not a valid IRI ({error}): "
                                 f"{value!r}") from None
        if self.kind == "integer":
            if not _INTEGER.match(value):
                raise ValueError(f"parameter {self.name!r} needs an integer, got {value!r}")
            return ox.Literal(value, datatype=ox.NamedNode(XSD.integer))
        return ox.Literal(value)


@dataclass(frozen=True)
class NamedQuery:
    """A query file: its name (the file stem), metadata and text."""

    name: str
    path: Path
    title: str
    description: str
    keywords: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str
    kind: Literal["select", "construct", "ask", "describe"]
    metadata: Mapping[str, str]

    @property
    def needs(self) -> tuple[str, ...]:
        """The named graphs (by name under ``…/graph/``) the query needs, from ``#+ needs:``."""
        return tuple(g.strip() for g in self.metadata.get("needs", "").replace(",", " ").split()
                     if g.strip())

    @property
    def severity(self) -> str:
        """For QC checks: ``error`` (fails the run), ``warning`` or ``info``."""
        return self.metadata.get("severity", "error")

    def bind(self, values: Mapping[str, str]) -> str:
        """The query text with the given values (defaults fill the rest) as ``VALUES`` blocks.

        ``ValueError`` names the parameter when a value is unknown or does not fit its kind.

        >>> query = NamedQuery("q", Path("q.rq"), "Q", "", (), (Parameter("s", "iri", ""),),
        ...                    "SELECT ?s WHERE { ?s ?p ?o }", "select", {})
        >>> print(query.bind({"s": "https://example.org/a"}))
        SELECT ?s WHERE {
          VALUES ?s { <https://example.org/a> }
        ?s ?p ?o }
        """
        return bind_values(self.text, self.terms(values))

    def terms(self, values: Mapping[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Terms for the given parameter values (defaults fill the rest); ``ValueError`` if bad."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            names = ", ".join(known) or "none"
            raise ValueError(f"query {self.name!r} has no parameter {', '.join(unknown)} "
                             f"(parameters: {names})")
        bound = {}
        for param in self.parameters:
            value = values.get(param.name, param.default)
            if value is not None and value != "":
                bound[param.name] = param.term(value)
        return bound


def absent_iris(store: Store, query: NamedQuery, values: Mapping[str, str]) -> list[str]:
    """The IRIs given to ``query``'s parameters that name nothing in ``store`` (no triple has
    them as subject or object): an empty answer then says nothing about them, and a misspelt
    IRI is the likelier reason (review r15 F13, browser F8)."""
    given = [term.value for name, term in query.terms(values).items()
             if values.get(name) and isinstance(term, ox.NamedNode)]
    return [iri for iri in given
            if not store.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}").boolean]


def bind_values(text: str, terms: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """``text`` with one ``VALUES ?name { term }`` per term, in the outermost WHERE group.

    At the head of the group, where engines join it first: Oxigraph keeps a trailing
    ``VALUES`` after the group's ``OPTIONAL``s and evaluates the whole group for every
    statement before keeping the one asked for (minutes at ten million quads rather than a
    second). Only where the answer is the same either way: each name is bound by a pattern of
    the group itself before its first ``OPTIONAL`` or ``MINUS`` (a name bound only there
    would be matched, or subtracted, differently), and nothing assigns it (``BIND(… AS
    ?name)`` needs it unbound). At the end of the group otherwise, and when the group holds
    a sub-select (Virtuoso 7.2 answers nothing when a ``VALUES`` block comes before a
    sub-select in the same group).
    """
    if not terms:
        return text
    blocks = [f"VALUES ?{name} {{ {term} }}" for name, term in sorted(terms.items())]
    group = _outer_group(text)
    if group is None:
        return text.rstrip() + "\n" + "\n".join(blocks) + "\n"
    found, opening, closing = group
    inserted = "".join(f"  {block}\n" for block in blocks)
    if _head_safe(found[opening + 1:closing], {f"?{name}" for name in terms}):
        at = found[opening].start + 1
        rest = text[at:]
        if rest.startswith("\n"):
            return text[:at] + "\n" + inserted.rstrip("\n") + rest
        return text[:at] + "\n" + inserted + rest.lstrip(" \t")
    end = found[closing].start
    head = text[:end].rstrip(" \t")
    return head + ("" if head.endswith("\n") else "\n") + inserted + text[end:]


#: query-string names every named query takes besides its own parameters
RESERVED = ("limit", "offset", "format", "output")


def paged(text: str, limit: int | None = None, offset: int | None = None) -> str:
    """``text`` answering one page of its solutions: ``LIMIT``/``OFFSET`` after its solution
    modifiers (its ``ORDER BY`` makes the pages add up to the whole answer), before a trailing
    ``VALUES`` block. ``ValueError`` when the query sets its own ``LIMIT`` or ``OFFSET``.

    >>> print(paged("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", limit=10, offset=20))
    SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s
    LIMIT 10
    OFFSET 20
    <BLANKLINE>
    """
    if limit is None and offset is None:
        return text
    from sarcoma_graph.plumbing.scanner import tokens

    outer = [t for t in tokens(text) if t.depth == 0 and t.kind == "word"]
    own = [t.text.upper() for t in outer if t.text.upper() in ("LIMIT", "OFFSET")]
    if own:
        raise ValueError(f"this query sets its own {own[0]}: page it in SPARQL instead")
    modifiers = "".join(f"{word} {value}\n" for word, value in (("LIMIT", limit), ("OFFSET", offset))
                        if value is not None)
    values = next((t for t in outer if t.text.upper() == "VALUES"), None)
    if values is None:
        return text.rstrip() + "\n" + modifiers
    head = text[:values.start].rstrip()
    return head + "\n" + modifiers + text[values.start:]


def _head_safe(inside: list[Token], names: set[str]) -> bool:
    """Whether ``VALUES`` of ``names`` may open the group of these tokens: no sub-select in it,
    none of the names assigned (``… AS ?name``; ``$name`` is the same variable), and each
    name certainly bound before the group's first ``OPTIONAL`` or ``MINUS``."""
    for token, after in zip(inside, [*inside[1:], None], strict=True):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "SELECT":
            return False
        if word == "AS" and after is not None and after.kind == "var" \
                and "?" + after.text[1:] in names:
            return False
    return names <= _certain(inside, _matching_braces(inside), 0, len(inside))


def _word(token: Token) -> str:
    return token.text.upper() if token.kind == "word" else ""


def _matching_braces(found: list[Token]) -> dict[int, int]:
    """Index of each ``{`` to the index of the ``}`` closing it."""
    pairs, opened = {}, []
    for i, token in enumerate(found):
        if token.text == "{" and token.kind == "punct":
            opened.append(i)
        elif token.text == "}" and token.kind == "punct" and opened:
            pairs[opened.pop()] = i
    return pairs


def _certain(found: list[Token], pairs: dict[int, int], start: int, end: int) -> set[str]:
    """The variables a group's patterns bind in every answer, read up to its first
    ``OPTIONAL`` or ``MINUS``: those of its triple patterns (``GRAPH ?g`` included) and of
    nested groups and ``GRAPH`` groups, not of a ``UNION`` branch, ``FILTER``, ``BIND`` or
    ``VALUES`` (which may hold ``UNDEF``)."""
    bound: set[str] = set()
    i = start
    while i < end:
        token = found[i]
        if _word(token) in ("OPTIONAL", "MINUS"):
            break
        if token.kind == "punct" and token.text == "{" and i in pairs:
            close = pairs[i]
            before = _word(found[i - 1]) if i > start else ""
            after = _word(found[close + 1]) if close + 1 < end else ""
            if token.context == "brace:pattern" and "UNION" not in (before, after) \
                    and before not in ("EXISTS", "SERVICE", "SILENT"):
                bound |= _certain(found, pairs, i + 1, close)
            i = close + 1
            continue
        if token.kind == "var" and token.context in ("brace:pattern", "bracket"):
            bound.add("?" + token.text[1:])
        i += 1
    return bound


def _outer_group(text: str) -> tuple[list[Token], int, int] | None:
    """The query's tokens with the indices of the ``{`` opening and the ``}`` closing its WHERE
    group; ``None`` when there is none to use."""
    from sarcoma_graph.plumbing.scanner import tokens

    found = list(tokens(text))
    words = [(t.text.upper(), i) for i, t in enumerate(found) if t.depth == 0 and t.kind == "word"]
    names = [word for word, _ in words]
    form = next((w for w in names if w in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")), None)
    if "WHERE" in names:
        index = names.index("WHERE")
        if form == "CONSTRUCT" and index and names[index - 1] == "CONSTRUCT":
            return None  # CONSTRUCT WHERE { template }: the group is also the template
        after = words[index][1]
    elif form in ("SELECT", "ASK"):  # WHERE is optional before the group
        after = next(i for w, i in words if w == form)
    else:
        return None
    opening = next((i for i in range(after, len(found)) if found[i].text == "{"
                    and found[i].depth == 0), None)
    if opening is None:
        return None
    closing = next((i for i in range(opening + 1, len(found)) if found[i].text == "}"
                    and found[i].depth == 1), None)
    if closing is None:
        raise ValueError("unbalanced braces in the query")
    return found, opening, closing


def parse_header(text: str) -> tuple[dict[str, str], list[str]]:
    """The ``#+`` metadata (repeated keys joined) and the raw ``param`` lines."""
    metadata: dict[str, str] = {}
    params: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            continue
        key, sep, value = line[2:].partition(":")
        key, value = key.strip().lower(), value.strip()
        if not sep or not key:
            continue
        if key == "param":
            params.append(value)
        else:
            metadata[key] = f"{metadata[key]} {value}" if key in metadata else value
    return metadata, params


def parse_parameter(spec: str, where: str) -> Parameter:
    """``name | kind | description | default`` → :class:`Parameter`."""
    parts = [p.strip() for p in spec.split("|")]
    if len(parts) < 3 or parts[1] not in ("iri", "literal", "integer"):
        raise InputError(f"{where}: bad '#+ param:' line {spec!r} "
                         "(expected 'name | iri|literal|integer | description | default')")
    default = parts[3] if len(parts) > 3 and parts[3] else None
    if parts[0].lstrip("?$") in RESERVED:
        raise InputError(f"{where}: a parameter cannot be named {parts[0]!r} (reserved for "
                         f"every named query: {', '.join(RESERVED)})")
    return Parameter(parts[0].lstrip("?$"), parts[1], parts[2], default)  # type: ignore[arg-type]


def query_kind(text: str) -> Literal["select", "construct", "ask", "describe"]:
    """The query form, from the first keyword after comments and prologue."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    match = _KEYWORD.search(_PREFIX_DECL.sub(" ", body))
    if not match:
        raise ValueError("no SELECT, CONSTRUCT, ASK or DESCRIBE found")
    return match.group(1).lower()  # type: ignore[return-value]


def load_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file; a file without title or form is an :class:`InputError`."""
    text = read_text(path)
    metadata, param_lines = parse_header(text)
    if "title" not in metadata:
        raise InputError(f"{path}: no '#+ title:' header line")
    try:
        kind = query_kind(text)
    except ValueError as error:
        raise InputError(f"{path}: {error}") from None
    keywords = tuple(k.strip() for k in metadata.get("keywords", "").split(",") if k.strip())
    return NamedQuery(
        name=path.stem, path=path, title=metadata["title"],
        description=metadata.get("description", ""), keywords=keywords,
        parameters=tuple(parse_parameter(p, str(path)) for p in param_lines),
        text=text, kind=kind, metadata=metadata,
    )


def load_catalogue(directory: Path) -> list[NamedQuery]:
    """Every ``.rq`` file of a directory, sorted by name; one that does not parse is an
    :class:`InputError` naming ``file:line:column`` (review r15 M7: it was listed, served,
    published as a SPARQL example, and its route answered 400 as if the client were wrong)."""
    queries = [load_query(p) for p in sorted(directory.glob("*.rq"))]
    for query in queries:
        check_syntax(query)
    return queries


def check_syntax(query: NamedQuery) -> None:
    """Parse the query with the engine, on an empty store. A SELECT, CONSTRUCT or DESCRIBE is
    only planned there (its rows come when read); an ASK is evaluated, so one calling a
    SERVICE is left to the engine that runs it."""
    from sarcoma_graph.store.oxigraph import as_query_error

    if query.kind == "ask" and re.search(r"\bSERVICE\b", query.text, re.IGNORECASE):
        return
    try:
        ox.Store().query(query.text, base_iri=BASE)
    except (SyntaxError, RuntimeError) as error:
        said = as_query_error(error, query.text)
        where = f"{query.path}" + (f":{said.line}:{said.column}" if said.line is not None else "")
        raise InputError(f"{where}: {said.message}") from None


def find_query(directory: Path, name_or_path: str) -> NamedQuery:
    """A named query of the catalogue, or any ``.rq`` file given by path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".rq" and candidate.is_file():
        return load_query(candidate)
    path = directory / f"{name_or_path}.rq"
    if not path.is_file():
        names = ", ".join(q.stem for q in sorted(directory.glob("*.rq"))) or "none"
        raise InputError(f"no query named {name_or_path!r} (known: {names})")
    return load_query(path)
