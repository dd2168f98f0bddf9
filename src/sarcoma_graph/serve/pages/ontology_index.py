"""The ontology's own page (``/ontology``) lists what it defines: its classes as a tree by
``rdfs:subClassOf`` and its properties by kind, each linked to its page, so the menu's
"Ontology" leads somewhere (run in a query worker)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from html import escape

import pyoxigraph as ox

from sarcoma_graph.namespaces import ONTOLOGY, XSD, graph_iri
from sarcoma_graph.serve.pages.facts import PREFIXES
from sarcoma_graph.serve.pages.language import pick_label, pick_tagged
from sarcoma_graph.serve.pages.layout import curie, iri_link
from sarcoma_graph.store import Store

_TERMS = PREFIXES + f"""SELECT ?term ?kind ?label WHERE {{
  VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }}
  ?term a ?kind FILTER(isIRI(?term) && STRSTARTS(STR(?term), "{ONTOLOGY}"))
  OPTIONAL {{ ?term rdfs:label ?label }} }}"""
_PARENTS = PREFIXES + f"""SELECT DISTINCT ?term ?parent WHERE {{ ?term rdfs:subClassOf ?parent
  FILTER(isIRI(?parent) && ?parent != ?term && STRSTARTS(STR(?term), "{ONTOLOGY}")
         && STRSTARTS(STR(?parent), "{ONTOLOGY}")) }}"""
ONTOLOGY_GRAPH = graph_iri("ontology")
#: Where the ontology's terms meet other vocabularies: its classes and properties placed
#: under, or ranging over, terms it does not define (RO, SEPIO, IAO, OBI, SO, ECO, UO…)
_REUSED = PREFIXES + f"""SELECT DISTINCT ?term ?axiom ?other ?otherLabel WHERE {{
  VALUES ?axiom {{ rdfs:subClassOf rdfs:subPropertyOf owl:equivalentClass owl:equivalentProperty
                  rdfs:range rdfs:domain }}
  GRAPH <{ONTOLOGY_GRAPH}> {{ ?term ?axiom ?other }}  # as written, not the reasoner's closure
  FILTER(isIRI(?other) && STRSTARTS(STR(?term), "{ONTOLOGY}") && !STRSTARTS(STR(?other), "{ONTOLOGY}")
         && !STRSTARTS(STR(?other), STR(owl:)) && !STRSTARTS(STR(?other), STR(rdfs:))
         && !STRSTARTS(STR(?other), "{XSD}"))
  OPTIONAL {{ ?other rdfs:label ?otherLabel FILTER(LANGMATCHES(LANG(?otherLabel), "en")) }}
}} ORDER BY ?other ?term"""
_AXIOMS = {"subClassOf": "is a kind of", "subPropertyOf": "is a sub-property of",
           "equivalentClass": "is the same class as", "equivalentProperty": "is the same as",
           "range": "has values of", "domain": "applies to"}
_KINDS = (("ObjectProperty", "Object properties"), ("DatatypeProperty", "Data properties"),
          ("AnnotationProperty", "Annotation properties"))


def ontology_index(store: Store, lang: str, root: str) -> str:
    """The classes (a tree) and the properties (by kind) of the ontology, as HTML."""
    kinds: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in store.query(_TERMS).bindings():
        term, kind = row["term"], row["kind"]
        if not isinstance(term, ox.NamedNode) or not isinstance(kind, ox.NamedNode):
            continue
        kinds[kind.value.rsplit("#", 1)[-1]].add(term.value)
        label = row.get("label")
        if isinstance(label, ox.Literal):
            labels[term.value].append((label.value, label.language or ""))
    classes = kinds["Class"]
    children: dict[str, set[str]] = defaultdict(set)
    has_parent: set[str] = set()
    for row in store.query(_PARENTS).bindings():
        term, parent = row["term"], row["parent"]
        if isinstance(term, ox.NamedNode) and isinstance(parent, ox.NamedNode) and \
                term.value in classes and parent.value in classes:
            children[parent.value].add(term.value)
            has_parent.add(term.value)

    def name(iri: str) -> str:
        return (pick_label(labels.get(iri, []), lang) or iri.rsplit("/", 1)[-1]).lower()

    def link(iri: str) -> str:
        label, tag = pick_tagged(labels.get(iri, []), lang) or (None, "")
        return iri_link(iri, label, root, tag)

    def tree(nodes: set[str], seen: frozenset[str]) -> str:
        items = []
        for node in sorted(nodes - seen, key=name):  # a cycle stops at a class already shown
            below = children.get(node, set())
            items.append(f"<li>{link(node)}{tree(below, seen | {node}) if below else ''}</li>")
        return '<ul class="tree">' + "".join(items) + "</ul>" if items else ""

    html = [f'<p>The ontology as a file: <a href="{escape(root)}/ontology?format=ttl">Turtle</a>, '
            f'<a href="{escape(root)}/ontology?format=rdfxml">RDF/XML</a> (for Protégé), '
            f'<a href="{escape(root)}/ontology?format=jsonld">JSON-LD</a>, or ask with '
            "<code>Accept: text/turtle</code>.</p>",
            f'<section id="classes"><h2>Classes ({len(classes)})</h2>'
            f"<p>Defined here; a class under two parents is listed under each.</p>"
            f"{tree(classes - has_parent, frozenset())}</section>", _reused(store, link, root)]
    for section, title in _KINDS:
        terms = sorted(kinds[section], key=name)
        if terms:
            html.append(f'<section id="{escape(section)}"><h2>{escape(title)} ({len(terms)})</h2><ul>'
                        + "".join(f"<li>{link(t)}</li>" for t in terms) + "</ul></section>")
    return "\n".join(html)


def _reused(store: Store, link: Callable[[str], str], root: str) -> str:
    """The standard vocabularies the ontology builds on, each with the axioms that use it."""
    by_vocabulary: dict[str, list[str]] = defaultdict(list)
    seen: set[tuple[str, str, str]] = set()
    for row in store.query(_REUSED).bindings():
        term, axiom, other = row["term"], row["axiom"], row["other"]
        if not (isinstance(term, ox.NamedNode) and isinstance(axiom, ox.NamedNode)
                and isinstance(other, ox.NamedNode)):
            continue
        if (key := (term.value, axiom.value, other.value)) in seen:
            continue  # one row per label of the other term
        seen.add(key)
        name = curie(other.value) or other.value
        vocabulary = name.split(":", 1)[0] if curie(other.value) else "other"
        verb = _AXIOMS[axiom.value.rsplit("#", 1)[-1]]
        label = row.get("otherLabel")
        shown = label.value if isinstance(label, ox.Literal) else None
        by_vocabulary[vocabulary].append(f"<li>{link(term.value)} {verb} "
                                         f"{iri_link(other.value, shown, root)}</li>")
    if not by_vocabulary:
        return ""
    parts = [f"<h3>{escape(vocabulary)}</h3><ul>{''.join(items)}</ul>"
             for vocabulary, items in sorted(by_vocabulary.items())]
    return ('<section id="reused"><h2>Standard vocabularies it builds on</h2><p>Where the '
            "ontology's terms are placed under, or range over, terms of other vocabularies "
            "(OBO Relation Ontology, SEPIO, IAO, OBI, Sequence Ontology, ECO, UO…). Alterations, "
            "evidence types and units are typed with their classes in the data.</p>"
            + "".join(parts) + "</section>")
