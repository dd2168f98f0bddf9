"""The ontology's own page (``/ontology``) lists what it defines: its classes as a tree by
``rdfs:subClassOf`` and its properties by kind, each linked to its page, so the menu's
"Ontology" leads somewhere (run in a query worker)."""

from __future__ import annotations

from collections import defaultdict
from html import escape

import pyoxigraph as ox

from sarcoma_graph.namespaces import ONTOLOGY
from sarcoma_graph.serve.pages.facts import PREFIXES
from sarcoma_graph.serve.pages.language import pick_label
from sarcoma_graph.serve.pages.layout import iri_link
from sarcoma_graph.store import Store

_TERMS = PREFIXES + f"""SELECT ?term ?kind ?label WHERE {{
  VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }}
  ?term a ?kind FILTER(isIRI(?term) && STRSTARTS(STR(?term), "{ONTOLOGY}"))
  OPTIONAL {{ ?term rdfs:label ?label }} }}"""
_PARENTS = PREFIXES + f"""SELECT DISTINCT ?term ?parent WHERE {{ ?term rdfs:subClassOf ?parent
  FILTER(isIRI(?parent) && ?parent != ?term && STRSTARTS(STR(?term), "{ONTOLOGY}")
         && STRSTARTS(STR(?parent), "{ONTOLOGY}")) }}"""
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
        return iri_link(iri, pick_label(labels.get(iri, []), lang), root)

    def tree(nodes: set[str], seen: frozenset[str]) -> str:
        items = []
        for node in sorted(nodes - seen, key=name):  # a cycle stops at a class already shown
            below = children.get(node, set())
            items.append(f"<li>{link(node)}{tree(below, seen | {node}) if below else ''}</li>")
        return '<ul class="tree">' + "".join(items) + "</ul>" if items else ""

    html = [f'<section id="classes"><h2>Classes ({len(classes)})</h2>'
            f"{tree(classes - has_parent, frozenset())}</section>"]
    for section, title in _KINDS:
        terms = sorted(kinds[section], key=name)
        if terms:
            html.append(f'<section id="{escape(section)}"><h2>{escape(title)} ({len(terms)})</h2><ul>'
                        + "".join(f"<li>{link(t)}</li>" for t in terms) + "</ul></section>")
    return "\n".join(html)
