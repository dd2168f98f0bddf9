"""Canonical Turtle blocks straight from N-Triples text: the bytes of
:class:`sarcoma_graph.plumbing.turtle._Writer`, without making a term of every line.

An N-Triples term token (as oxigraph writes it: IRIs unescaped, one space between terms) is
turned into its Turtle text once and remembered: IRIs recur, and a literal whose quoted part
holds no backslash and no control character is written in Turtle exactly as in N-Triples.
Anything else (an escape, a language tag the writer checks, a triple term) is parsed by
pyoxigraph and written by the writer itself, so the two paths cannot disagree.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from sarcoma_graph.namespaces import XSD
from sarcoma_graph.plumbing.turtle import (
    _LANGUAGE,
    _SHORT_FORMS,
    INDENT,
    RDF_TYPE,
    _writable,
    _Writer,
)

#: Tokens whose Turtle text is remembered (the cache is emptied when it grows past this).
TOKEN_CACHE = 1 << 18
#: A quoted N-Triples part that Turtle writes otherwise: an escape or a control character.
_NOT_PLAIN = re.compile(rb'[\\\x00-\x1f\x7f]')
_XSD_STRING = XSD + "string"
_PAD = INDENT
_OBJECTS = " ,\n" + INDENT * 2

#: What a subject's lines are gathered into: predicate token → its object tokens.
Properties = dict[bytes, set[bytes]]


class LineFormatter:
    """Subject blocks of a subject's N-Triples tokens, written as ``writer`` would write them
    (``writer.used`` records the prefixes, as the writer's own calls do)."""

    def __init__(self, writer: _Writer) -> None:
        self.writer = writer
        self.objects: dict[bytes, str] = {}
        self.orders: dict[tuple[bytes, ...], list[tuple[str, bytes]]] = {}

    def block(self, subject: bytes, props: Properties) -> str:
        """The block of the IRI subject token ``subject`` (``<iri>``) and its properties."""
        order = self.orders.get(keys := tuple(props))
        if order is None:
            order = self._order(keys)
        written = self.objects
        lines = []
        for text, predicate in order:
            objects = props[predicate]
            if len(objects) == 1:
                (value,) = objects
                lines.append(f"{text}{written.get(value) or self._object(subject, predicate, value)}")
            else:
                lines.append(text + _OBJECTS.join(sorted([
                    written.get(o) or self._object(subject, predicate, o) for o in objects])))
        return self.writer.iri_text(subject[1:-1].decode()) + "\n" + " ;\n".join(lines) + " ."

    def _order(self, keys: tuple[bytes, ...]) -> list[tuple[str, bytes]]:
        """The predicates ``keys`` as the writer orders them (``rdf:type`` first, then by IRI),
        each with its text (padded, a space after): subjects of one kind share one order."""
        named = []
        for token in keys:
            iri = token[1:-1].decode()
            text = "a" if iri == RDF_TYPE else self.writer.iri_text(iri)
            named.append(("" if iri == RDF_TYPE else iri, f"{_PAD}{text} ", token))
        if len(self.orders) >= TOKEN_CACHE:
            self.orders.clear()
        order = self.orders[keys] = [(text, token) for _, text, token in sorted(named)]
        return order

    def _object(self, subject: bytes, predicate: bytes, token: bytes) -> str:
        text = self.objects.get(token)
        if text is None:
            text = self._plain(token)
            if text is None:
                text = self._parsed(subject + b" " + predicate + b" " + token + b" .\n")
            if len(self.objects) >= TOKEN_CACHE:
                self.objects.clear()
            self.objects[token] = text
        return text

    def _plain(self, token: bytes) -> str | None:
        """The Turtle text of an IRI or of a literal without escapes; ``None``: parse it."""
        if token[:1] == b"<":
            return None if token[:2] == b"<<" else self.writer.iri_text(token[1:-1].decode())
        if token[:1] != b'"':
            return None
        end = token.rindex(b'"')
        quoted, rest = token[:end + 1], token[end + 1:]
        if _NOT_PLAIN.search(quoted):
            return None
        if not rest:
            return quoted.decode()
        if rest[:1] == b"@":
            language = rest[1:].decode()
            return f"{quoted.decode()}@{language}" if _LANGUAGE.match(language) else None
        if rest[:3] != b"^^<" or rest[-1:] != b">":
            return None
        datatype = rest[3:-1].decode()
        if datatype == _XSD_STRING:
            return quoted.decode()
        lexical = quoted[1:-1].decode()
        short = _SHORT_FORMS.get(datatype)
        if short is not None and short.match(lexical):
            return lexical
        return f"{quoted.decode()}^^{self.writer.iri_text(datatype)}"

    def _parsed(self, line: bytes) -> str:
        """The writer's own text for the object of one N-Triples line (its errors too)."""
        (triple,) = ox.parse(line, format=ox.RdfFormat.N_TRIPLES)
        self.writer._check(triple.object)
        _, _, value = _writable(triple.subject, triple.predicate, triple.object)
        return self.writer.term(value, 2)
