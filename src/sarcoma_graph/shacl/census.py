"""The whole-graph SPARQL targets answered from one pass over the saved N-Quads file.

Some shapes of ``shapes/core.ttl`` select their focus nodes among every term of the graph:
the curated entities (every IRI under ``id/``), those whose type disagrees with the kind in
their IRI, the users of undeclared ontology terms, the blank nodes that stand where an IRI is
needed, and the subjects with a literal on an object property. In SPARQL they group every
subject and object of the store (or read every triple of a set of predicates) and then test
the terms' text. On disk, Oxigraph reads the text of a term from RocksDB at a random place
(id2str), and that read costs ~1 us at 1M quads but 10-13 us at 10M, so each target took
25-70 s at 10M quads (CPU, on disk) against 3-5 s at 1M. The saved dataset file (the sorted
N-Quads the store was loaded from) holds every term's text in order: one pass over it answers
them all, in about 2-3 s per million quads.

The SPARQL text in the shapes stays the definition (pyshacl and every other engine run it).
Each answer here is tied to the exact target text it stands for, prefixes included
(:data:`NATIVE`, by digest): a target whose text changed is run in SPARQL again, and the tests
compare both answers on every shape fixture and on adversarial data. The caller vouches that
the store holds the file's quads, no more and no less (``validate`` passes the saved dataset
it loaded, or whose checksum the on-disk store's mark gives).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef
from rdflib.term import Node

from sarcoma_graph.namespaces import BASE, ID, OA, ONTOLOGY, ONTOLOGY_IRI, OWL, RDF, RDFS

_OURS = f"<{BASE}".encode()
_CURATED = b"<" + ID.encode()
_SG = b"<" + ONTOLOGY.encode()
_OA = b"<" + str(OA).encode()
_SG_TEXT = b'"' + ONTOLOGY.encode()  # a literal of that text: STR() gives it too
_TYPE = f"<{RDF.type}>".encode()
_LABEL = f"<{RDFS.label}>".encode()
_DEPRECATED = f"<{OWL.deprecated}>".encode()
_TRUE = b'"true"^^<http://www.w3.org/2001/XMLSchema#boolean> '  # as the store writes true


@dataclass
class Census:
    """What the whole-graph targets need, read from the saved N-Quads: the project's IRIs used
    as subject or object, the project's predicates, the ontology terms with an ``rdfs:label``,
    the blank nodes used the way ``sgsh:BlankNodeShape`` selects, the types of the curated
    entities, and the sg:/oa: predicates with a literal value."""

    ours: set[bytes] = field(default_factory=set)
    predicates: set[bytes] = field(default_factory=set)
    labelled: set[bytes] = field(default_factory=set)
    blank_targets: set[bytes] = field(default_factory=set)
    #: ``b"<entity> <class>"`` for each ``rdf:type`` of a curated entity
    typed: set[bytes] = field(default_factory=set)
    #: the sg: and oa: predicates with a literal value somewhere
    literal_predicates: set[bytes] = field(default_factory=set)
    #: the curated IRIs marked ``owl:deprecated true`` (retired: kept without their type)
    deprecated: set[bytes] = field(default_factory=set)

    @classmethod
    def read(cls, path: Path) -> Census:
        census = cls()
        ours, predicates, labelled = census.ours, census.predicates, census.labelled
        add, add_predicate = ours.add, predicates.add
        with path.open("rb") as lines:
            for line in lines:
                try:
                    s, p, rest = line.split(b" ", 2)
                except ValueError:  # an empty line
                    continue
                if s.startswith(_OURS):
                    add(s)
                    if p == _LABEL and s.startswith(_SG):
                        labelled.add(s)
                    elif p == _TYPE and s.startswith(_CURATED):
                        census.typed.add(s + b" " + rest[:rest.index(b" ")])
                    elif p == _DEPRECATED and rest.startswith(_TRUE):
                        census.deprecated.add(s)
                elif s.startswith(b"_:"):
                    census._blank_subject(s, p, rest)
                if p.startswith(_OURS):
                    add_predicate(p)
                if rest.startswith(b'"') and p.startswith((_SG, _OA)):
                    census.literal_predicates.add(p)
                elif rest.startswith(_OURS):
                    add(rest[:rest.index(b" ")])
                elif rest.startswith(b"_:"):
                    census._blank_object(s, p, rest[:rest.index(b" ")])
        return census

    def _blank_subject(self, s: bytes, p: bytes, rest: bytes) -> None:
        """``?this ?p ?o`` with an sg: or oa: predicate, or ``?this a ?class`` of sg:."""
        if p.startswith((_SG, _OA)) or (p == _TYPE and rest.startswith((_SG, _SG_TEXT))):
            self.blank_targets.add(s)

    def _blank_object(self, s: bytes, p: bytes, o: bytes) -> None:
        """``?s ?p ?this`` with an sg: or oa: predicate, or a curated subject."""
        if p.startswith((_SG, _OA)) or s.startswith(_CURATED):
            self.blank_targets.add(o)

    def iris_under(self, namespace: bytes) -> set[Node]:
        """The IRIs under ``namespace`` used as subject or object."""
        # the file's IRIs were checked when the store was filled: rdflib's check is skipped
        return {str.__new__(URIRef, t[1:-1].decode()) for t in self.ours
                if t.startswith(namespace)}

    def undeclared(self) -> list[str]:
        """The ontology terms used as object or predicate that have no ``rdfs:label``."""
        used = {t for t in self.ours if t.startswith(_SG)} | \
            {p for p in self.predicates if p.startswith(_SG)}
        return sorted(t[1:-1].decode() for t in used - self.labelled)


Select = Callable[[str], set[Node]]
_KIND = re.compile(r'\?kind = "([^"]+)", (sg|oa):(\w+)')
_NAMESPACES = {"sg": ONTOLOGY, "oa": str(OA)}


def _curated(census: Census, text: str, select: Select) -> set[Node] | None:
    return census.iris_under(_CURATED)


def _wrong_kind(census: Census, text: str, select: Select) -> set[Node] | None:
    """sgsh:EntityKindShape: the curated IRIs whose kind (``id/<kind>/``) maps to a class (the
    map read from the target's own text) that is not among their types, unless retired
    (``owl:deprecated true``)."""
    classes = {kind.encode(): f"<{_NAMESPACES[prefix]}{name}>".encode()
               for kind, prefix, name in _KIND.findall(text)}
    out: set[Node] = set()
    start = len(_CURATED)
    for iri in census.ours:
        if not iri.startswith(_CURATED):
            continue
        kind, slash, _ = iri[start:].partition(b"/")
        cls = classes.get(kind if slash else b"")  # STRBEFORE without "/": ""
        if cls is not None and iri + b" " + cls not in census.typed \
                and iri not in census.deprecated:
            out.add(str.__new__(URIRef, iri[1:-1].decode()))
    return out


def _undeclared_users(census: Census, text: str, select: Select) -> set[Node] | None:
    terms = census.undeclared()
    if not terms:
        return set()
    listed = " ".join(f"<{t}>" for t in terms)
    return select(f"""SELECT DISTINCT ?this WHERE {{
        VALUES ?term {{ {listed} }}
        {{ ?this ?p ?term }} UNION {{ ?this ?term ?o }}
        FILTER (isIRI(?this) && !STRSTARTS(STR(?this), "{ONTOLOGY_IRI}"))
    }}""")


def _literal_objects(census: Census, text: str, select: Select) -> set[Node] | None:
    """sgsh:ObjectPropertyValueShape: the subjects with a literal on an sg: or oa: object
    property, asked of the store only for the predicates that have a literal somewhere."""
    if not census.literal_predicates:
        return set()
    listed = " ".join(p.decode() for p in sorted(census.literal_predicates))
    return select(f"""SELECT DISTINCT ?this WHERE {{
        VALUES ?p {{ {listed} }}
        ?p a <{OWL.ObjectProperty}> .
        ?this ?p ?o .
        FILTER isLiteral(?o)
    }}""")


def _blank_nodes(census: Census, text: str, select: Select) -> set[Node] | None:
    """No blank node used that way: none selected. Else ``None`` (the store names its blank
    nodes afresh on loading, so only the SPARQL target can give them)."""
    return set() if not census.blank_targets else None


def digest(text: str) -> str:
    """A SPARQL target's text with its prefixes, exactly as the shapes give them, as a short
    digest."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


#: digest of the target text (:func:`digest`) -> (the shape it belongs to, its answer from the
#: census; ``None`` when only the store can answer). A test keeps every digest equal to the
#: text in ``shapes/`` (update both together).
NATIVE: dict[str, tuple[str, Callable[[Census, str, Select], set[Node] | None]]] = {
    "4885bc456e5bf909": ("CuratedEntityShape", _curated),
    "1e26311674aa159a": ("EntityKindShape", _wrong_kind),
    "ba0ede780a4893ac": ("UndeclaredTermShape", _undeclared_users),
    "5a4294815fd994b3": ("BlankNodeShape", _blank_nodes),
    "4b67cdef3b6bb86f": ("ObjectPropertyValueShape", _literal_objects),
}
