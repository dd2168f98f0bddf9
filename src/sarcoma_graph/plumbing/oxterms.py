"""The pyoxigraph terms that cross the store interface, without rdflib (whose import alone
costs a quarter of a second: commands that never touch rdflib, such as ``build``, skip it).
:mod:`sarcoma_graph.plumbing.terms` re-exports these beside its rdflib bridge.

>>> text(ox.Literal("x")), text(ox.NamedNode("http://example.org/a"))
('x', 'http://example.org/a')
"""

from __future__ import annotations

import pyoxigraph as ox

#: A term that can stand in a quad: what crosses the store interface.
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def text(term: Term) -> str:
    """A term's lexical value: the IRI, the blank node's label, the literal's lexical form, or
    a triple term in N-Triples syntax."""
    return str(term) if isinstance(term, ox.Triple) else term.value
