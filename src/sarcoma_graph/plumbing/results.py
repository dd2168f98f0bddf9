"""Serialising query results: SPARQL 1.1 JSON, XML, CSV and TSV results, and RDF for graphs.

Written from the W3C specifications so that every backend gives the same bytes for the
same answer. CSV/TSV of an ASK result (which the specifications leave undefined) is the
single word ``true`` or ``false``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from sarcoma_graph.errors import InputError
from sarcoma_graph.namespaces import RDF, XSD
from sarcoma_graph.plumbing.formats import RdfSyntax, ResultsSyntax
from sarcoma_graph.plumbing.oxterms import Term
from sarcoma_graph.plumbing.values import QueryResult

XSD_STRING = XSD.string
RDF_LANG_STRING = RDF.langString
_TSV_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def to_json(result: QueryResult) -> bytes:
    """SPARQL 1.1 Query Results JSON Format."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean}).encode()
    bindings = [{v: _json_term(t) for v, t in zip(result.variables, row, strict=True)
                 if t is not None} for row in result.rows]
    body = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return (f"<literal datatype={quoteattr(term.datatype.value)}>"
                    f"{escape(term.value)}</literal>")
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>")


def to_xml(result: QueryResult) -> bytes:
    """SPARQL Query Results XML Format (Second Edition)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("</head>")
    if result.kind == "ask":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in result.rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                    for v, t in zip(result.variables, row, strict=True) if t is not None]
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>")
    return ("\n".join(out) + "\n").encode()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def to_csv(result: QueryResult) -> bytes:
    """SPARQL 1.1 Query Results CSV Format (values only, RFC 4180 quoting, CRLF)."""
    if result.kind == "ask":
        return b"true\r\n" if result.boolean else b"false\r\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(t) for t in row])
    return buffer.getvalue().encode()


def tsv_term(term: Term | None) -> str:
    """One term in SPARQL/Turtle syntax, as the TSV results format writes it."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        text = '"' + "".join(_TSV_ESCAPES.get(c, c) for c in term.value) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            return f"{text}^^<{term.datatype.value}>"
        return text
    return f"<< {tsv_term(term.subject)} {tsv_term(term.predicate)} {tsv_term(term.object)} >>"


def to_tsv(result: QueryResult) -> bytes:
    """SPARQL 1.1 Query Results TSV Format."""
    if result.kind == "ask":
        return b"true\n" if result.boolean else b"false\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join(tsv_term(t) for t in row) for row in result.rows]
    return ("\n".join(lines) + "\n").encode()


_WRITERS = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}


def serialize_results(result: QueryResult, syntax: ResultsSyntax) -> bytes:
    """Serialise a SELECT or ASK result (:class:`NotInXml` when XML cannot carry it)."""
    if result.kind == "graph":
        raise ValueError("a CONSTRUCT/DESCRIBE result is RDF: use serialize_graph")
    return xml_checked(_WRITERS[syntax.name](result), syntax.name == "xml")


#: characters XML 1.0 cannot carry, even escaped (C0 controls but tab, LF, CR; U+FFFE, U+FFFF)
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


class NotInXml(InputError, ValueError):
    """An answer holds what XML cannot carry (a character, a predicate with no element name):
    a message for the CLI, a 406 for the endpoint."""


def xml_checked(body: bytes, xml: bool) -> bytes:
    """``body``, unless it is XML holding a character XML 1.0 forbids (a literal with U+0001,
    say): then :class:`NotInXml`, since an XML parser would reject the whole document."""
    if xml and (found := _NOT_XML.search(body)):
        code = found.group().decode("utf-8", "replace")
        raise NotInXml(f"the answer holds the character U+{ord(code[0]):04X}, which XML 1.0 "
                       "cannot carry: ask for JSON, CSV or TSV results (or Turtle, N-Triples)")
    return body


#: The syntaxes that declare prefixes (the others write full IRIs).
PREFIXED_SYNTAXES = ("turtle", "trig", "rdfxml")


def serialize_triples(triples: Iterable[ox.Triple] | Iterable[ox.Quad], syntax: RdfSyntax,
                      prefixes: Mapping[str, str] | Iterable[tuple[str, str]] | None = None) -> bytes:
    """The one way to write RDF: the prefixes where the syntax declares them, then pyoxigraph
    (:class:`NotInXml` for RDF/XML that XML cannot carry: a character, or a predicate)."""
    chosen = dict(prefixes) if prefixes and syntax.name in PREFIXED_SYNTAXES else None
    written: list[ox.Triple] | list[ox.Quad] | Iterable[ox.Triple] | Iterable[ox.Quad] = triples
    if syntax.name == "rdfxml":
        written = list(triples)  # type: ignore[assignment]
        _predicates_are_xml_names(written)
    data = ox.serialize(written, format=syntax.oxigraph, prefixes=chosen)
    return xml_checked(data if data is not None else b"", syntax.name == "rdfxml")


#: the end of an IRI that can be an XML element's local name (an NCName)
_LOCAL_NAME = re.compile(r"[^\W\d][\w.\-]*$")


def _predicates_are_xml_names(triples: Iterable[ox.Triple] | Iterable[ox.Quad]) -> None:
    """RDF/XML writes a predicate as an element: its IRI must end in a name an XML element
    may have (``http://e/`` or ``http://e/123`` cannot), or a parser rejects the document."""
    for predicate in {t.predicate.value for t in triples}:
        if not _LOCAL_NAME.search(predicate):
            raise NotInXml(f"the predicate <{predicate}> does not end in a name an XML element "
                           "may have, so RDF/XML cannot write it: ask for Turtle, N-Triples or "
                           "JSON-LD")


def serialize_graph(result: QueryResult, syntax: RdfSyntax,
                    prefixes: Mapping[str, str] | None = None) -> bytes:
    """Serialise a CONSTRUCT/DESCRIBE result as RDF (triples go into the default graph)."""
    if result.kind != "graph":
        raise ValueError("only a CONSTRUCT/DESCRIBE result is RDF")
    return serialize_triples(result.triples, syntax, prefixes)  # checks XML (NotInXml)
