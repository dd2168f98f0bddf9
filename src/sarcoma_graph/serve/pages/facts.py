"""What an entity page shows, gathered in a query worker with a few SPARQL queries:
its facts (with the graph each comes from, so inferences can be marked), the labels of
every term in both languages, the curation records and passages behind facts, the rule
behind inferred facts, and the hierarchy around it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pyoxigraph as ox

from sarcoma_graph.namespaces import GRAPH, SERVICE_GRAPH, SG, W3C_PREFIXES, graph_iri
from sarcoma_graph.serve.pages.language import pick_label
from sarcoma_graph.store import Store, Term

RDF = W3C_PREFIXES["rdf"]
RDFS = W3C_PREFIXES["rdfs"]
OWL = W3C_PREFIXES["owl"]
SKOS = W3C_PREFIXES["skos"]
OA = W3C_PREFIXES["oa"]
INFERRED = GRAPH + "inferred"
PREFIXES = (f"PREFIX rdf: <{RDF}> PREFIX rdfs: <{RDFS}> PREFIX owl: <{OWL}> "
            f"PREFIX skos: <{SKOS}> PREFIX oa: <{OA}> PREFIX sg: <{SG}> ")
#: Properties along which an entity has parents (its children go the other way).
PARENT_PROPERTIES = (RDFS + "subClassOf", SG + "isSubtypeOf", SG + "inDrugClass",
                     SKOS + "broader", RDFS + "subPropertyOf")

_OUT = "SELECT ?p ?o ?g WHERE { GRAPH ?g { <%s> ?p ?o } } ORDER BY ?p ?o LIMIT 3000"
# not the self-description graph's bookkeeping (VoID partitions name every class and property)
# a curation record naming the entity as the subject, predicate or object of its fact is shown
# beside that fact, not here; one citing it otherwise (its authority, its class) is listed (a
# reference work's page listed none of the facts resting on it, review r15 browser F12)
_IN = PREFIXES + """SELECT DISTINCT ?s ?p WHERE { ?s ?p <%s>
  FILTER(!isBlank(?s))
  FILTER NOT EXISTS { ?s a rdf:Statement FILTER(?p IN (rdf:subject, rdf:predicate, rdf:object)) }
  FILTER NOT EXISTS { GRAPH <SERVICE> { ?s ?p <%s> } } } ORDER BY ?p ?s LIMIT 600""".replace(
    "SERVICE", SERVICE_GRAPH)
_RECORDS = PREFIXES + """SELECT ?r ?p ?o ?mode ?passage ?authority WHERE { ?r rdf:subject <%s> ;
  rdf:predicate ?p ; rdf:object ?o OPTIONAL { ?r sg:assertionMode ?mode }
  OPTIONAL { ?r sg:restsOn ?passage } OPTIONAL { ?r sg:authority ?authority } } ORDER BY ?r"""
#: the curation record of one fact (subject, predicate, object): what an inverse fact mirrors
_RECORD_OF = PREFIXES + """SELECT ?r ?mode ?passage ?authority WHERE { ?r rdf:subject <%s> ;
  rdf:predicate <%s> ; rdf:object <%s> OPTIONAL { ?r sg:assertionMode ?mode }
  OPTIONAL { ?r sg:restsOn ?passage } OPTIONAL { ?r sg:authority ?authority } } ORDER BY ?r"""
_LABELS = PREFIXES + """SELECT ?x ?l WHERE { VALUES ?x { %s }
  { ?x rdfs:label ?l } UNION { ?x skos:prefLabel ?l } }"""
_PASSAGES = PREFIXES + """SELECT ?passage ?exact ?prefix ?suffix ?doc WHERE {
  VALUES ?passage { %s } ?passage oa:hasSelector ?sel . ?sel oa:exact ?exact
  OPTIONAL { ?passage oa:hasSource ?doc } OPTIONAL { ?sel oa:prefix ?prefix }
  OPTIONAL { ?sel oa:suffix ?suffix } } ORDER BY ?passage"""
_LANGUAGES = PREFIXES + f"PREFIX dcterms: <{W3C_PREFIXES['dcterms']}> " + \
    """SELECT ?doc ?language WHERE { VALUES ?doc { %s } ?doc dcterms:language ?language }"""
# in text order: by the start of the position selector (a passage without one comes first)
_DOC_PASSAGES = PREFIXES + """SELECT ?passage (MIN(?start) AS ?at) WHERE {
  ?passage oa:hasSource <%s> ; oa:hasSelector ?sel
  OPTIONAL { ?passage oa:hasSelector ?position . ?position oa:start ?start } }
  GROUP BY ?passage ORDER BY ?at ?passage"""
_RULES = PREFIXES + """SELECT ?kind ?q WHERE { VALUES ?p { %s }
  { ?p owl:propertyChainAxiom ?q BIND("chain" AS ?kind) }
  UNION { { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p } BIND("inverse" AS ?kind) }
  UNION { ?q rdfs:subPropertyOf ?p FILTER(?q != ?p) BIND("sub" AS ?kind) }
  UNION { ?p a owl:SymmetricProperty BIND("symmetric" AS ?kind) BIND(?p AS ?q) }
  UNION { ?p a owl:TransitiveProperty BIND("transitive" AS ?kind) BIND(?p AS ?q) } }
  ORDER BY ?kind ?q"""
#: each chain axiom of a property (``%s``) as its list node ``?l`` and steps ``?x`` in order
_CHAINS = PREFIXES + """SELECT ?l ?i ?x WHERE { <%(p)s> owl:propertyChainAxiom ?l .
  ?l rdf:rest* ?cell . ?cell rdf:first ?x . { SELECT ?l ?cell (COUNT(?mid) AS ?i) WHERE {
  <%(p)s> owl:propertyChainAxiom ?l . ?l rdf:rest* ?mid . ?mid rdf:rest* ?cell }
  GROUP BY ?l ?cell } } ORDER BY ?l ?i"""
_ANCESTORS = PREFIXES + """SELECT DISTINCT ?child ?parent WHERE {
  <%s> rdfs:subClassOf* ?child . GRAPH ?g { ?child rdfs:subClassOf ?parent }
  FILTER(isIRI(?parent) && ?parent != ?child && ?g != <""" + graph_iri("inferred") + """>) }"""


@dataclass(frozen=True)
class Fact:
    """One outgoing fact, where it comes from and what backs it."""

    property: str
    value: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
    inferred: bool
    graphs: tuple[str, ...]
    mode: str | None = None          # assertion mode of its curation record
    record: str | None = None        # the curation record's IRI
    passages: tuple[str, ...] = ()
    #: an inferred inverse (or symmetric) fact: ``mode``, ``record`` and ``passages`` are
    #: those of the fact it mirrors
    mirrored: bool = False
    #: the published works a fact added from domain knowledge rests on (``sg:authority``)
    authorities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quote:
    """A text quote selector: the exact words with their context, in a source document."""

    passage: str
    exact: str
    prefix: str
    suffix: str
    document: str | None
    language: str | None = None  # the document's, when it has one language


@dataclass
class EntityFacts:
    """Everything an entity page needs (terms as IRIs; labels looked up in ``labels``)."""

    iri: str
    facts: list[Fact]
    incoming: list[tuple[str, str]]                      # (subject, property)
    labels: dict[str, list[tuple[str, str]]]            # iri → [(label, language)]
    quotes: dict[str, Quote]                            # passage → quote
    rules: dict[str, list[str]] = field(default_factory=dict)  # rule_key(fact) → rule parts
    ancestors: list[tuple[str, str]] = field(default_factory=list)  # (child, parent) edges
    document_passages: list[str] = field(default_factory=list)


def _rows(store: Store, sparql: str) -> list[dict[str, Term]]:
    return list(store.query(sparql).bindings())


def term_text(term: Term | None) -> str:
    """A bound term's lexical form or IRI ("" when unbound); a triple term has none."""
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        raise TypeError(f"a triple term where a node was expected: {term}")
    return term.value


def _facts(store: Store, iri: str) -> list[Fact]:
    by_key: dict[tuple[str, str], tuple[str, Term, list[str]]] = {}
    for row in _rows(store, _OUT % iri):
        p, o, g = term_text(row["p"]), row["o"], term_text(row["g"])
        key = (p, str(o))
        by_key.setdefault(key, (p, o, []))[2].append(g)
    records: dict[tuple[str, str], tuple[str, str | None, list[str], list[str]]] = {}
    for row in _rows(store, _RECORDS % iri):
        key = (term_text(row["p"]), str(row["o"]))
        mode = row.get("mode")
        entry = records.setdefault(key, (term_text(row["r"]), term_text(mode) if mode else None,
                                         [], []))
        if row.get("passage") is not None:
            entry[2].append(term_text(row["passage"]))
        if row.get("authority") is not None:
            entry[3].append(term_text(row["authority"]))
    out: list[Fact] = []
    for key, (p, o, graphs) in sorted(by_key.items()):
        record = records.get(key)
        out.append(Fact(p, o, inferred=all(g == INFERRED for g in graphs),
                        graphs=tuple(sorted(graphs)), mode=record[1] if record else None,
                        record=record[0] if record else None,
                        passages=tuple(sorted(set(record[2]))) if record else (),
                        authorities=tuple(sorted(set(record[3]))) if record else ()))
    return out


def _values(iris: set[str]) -> str:
    return " ".join(f"<{i}>" for i in sorted(iris) if ">" not in i and " " not in i)


def english_labels(store: Store, iris: list[str]) -> dict[str, str]:
    """Run in a worker: each IRI's label for an English page (those that have one)."""
    return {iri: label for iri, found in _labels(store, set(iris)).items()
            if (label := pick_label(found, "en"))}


def _labels(store: Store, iris: set[str]) -> dict[str, list[tuple[str, str]]]:
    labels: dict[str, list[tuple[str, str]]] = {}
    chunk = sorted(iris)
    for start in range(0, len(chunk), 300):
        values = _values(set(chunk[start:start + 300]))
        if not values:
            continue
        for row in _rows(store, _LABELS % values):
            literal = row["l"]
            if not isinstance(literal, ox.Literal):
                raise TypeError(f"a label that is not a literal: {literal}")
            labels.setdefault(term_text(row["x"]), []).append((literal.value, literal.language or ""))
    return labels


def quotes(store: Store, passages: set[str]) -> dict[str, Quote]:
    """The quote behind each passage IRI."""
    values = _values(passages)
    if not values:
        return {}
    out: dict[str, Quote] = {}
    for row in _rows(store, _PASSAGES % values):
        doc = row.get("doc")
        out[term_text(row["passage"])] = Quote(term_text(row["passage"]), term_text(row.get("exact")),
                                           term_text(row.get("prefix")), term_text(row.get("suffix")),
                                           term_text(doc) if doc is not None else None)
    languages: dict[str, set[str]] = {}
    documents = _values({q.document for q in out.values() if q.document})
    for row in _rows(store, _LANGUAGES % documents) if documents else []:
        languages.setdefault(term_text(row["doc"]), set()).add(term_text(row["language"]))
    return {key: replace(quote, language=next(iter(found)))
            if len(found := languages.get(quote.document or "", set())) == 1 else quote
            for key, quote in out.items()}


def _candidates(store: Store, prop: str) -> list[list[str]]:
    """Every rule that can infer ``prop``: ``["chain", p1, p2…]`` (one per chain axiom),
    ``["inverse", q]``, ``["sub", q]``, ``["symmetric", prop]``, ``["transitive", prop]``."""
    out: list[list[str]] = []
    for row in _rows(store, _RULES % f"<{prop}>"):
        kind, q = term_text(row["kind"]), row["q"]
        if kind != "chain" and isinstance(q, ox.NamedNode) and [kind, q.value] not in out:
            out.append([kind, q.value])
    chains: dict[object, list[str]] = {}
    for row in _rows(store, _CHAINS % {"p": prop}):  # ?l bound in both (Virtuoso needs it)
        chains.setdefault(row["l"], []).append(term_text(row["x"]))
    out += sorted(["chain", *steps] for steps in chains.values())
    return out


def _holds(store: Store, iri: str, value: object, rule: list[str]) -> bool:
    """Whether ``rule`` derives (``iri``, its property, ``value``) from facts in the store (a
    blank-node value cannot be named in a query: never)."""
    if not isinstance(value, ox.NamedNode | ox.Literal):
        return False
    kind, rest = rule[0], rule[1:]
    this, that = f"<{iri}>", str(value)
    if kind == "sub":
        pattern = f"{this} <{rest[0]}> {that}"
    elif kind == "chain":
        pattern = f"{this} {'/'.join(f'<{p}>' for p in rest)} {that}"
    elif kind in ("inverse", "symmetric") and isinstance(value, ox.NamedNode):
        pattern = f"{that} <{rest[0]}> {this}"
    elif kind == "transitive":
        pattern = f"{this} <{rest[0]}>/<{rest[0]}>+ {that}"
    else:
        return False
    return bool(store.query(f"ASK {{ {pattern} }}").boolean)


def _rules(store: Store, iri: str, facts: list[Fact]) -> dict[str, list[str]]:
    """For each inferred fact (keyed by :func:`rule_key`), the first rule that derives it from
    what the store holds: an entity with two sub-properties of one property, or a property
    with two chains, is shown the one behind each fact."""
    candidates: dict[str, list[list[str]]] = {}
    rules: dict[str, list[str]] = {}
    for fact in facts:
        if not fact.inferred:
            continue
        if fact.property not in candidates:
            candidates[fact.property] = _candidates(store, fact.property)
        for rule in candidates[fact.property]:
            if _holds(store, iri, fact.value, rule):
                rules[rule_key(fact)] = rule
                break
    return rules


def _with_mirrored_records(store: Store, iri: str, facts: list[Fact],
                           rules: dict[str, list[str]]) -> list[Fact]:
    """An inferred inverse fact ("KIT is target of imatinib") has no curation record of its
    own: it carries the record of the fact it mirrors ("imatinib has target KIT"), whose
    mode and passage say whether a source states it."""
    out = []
    for fact in facts:
        rule = rules.get(rule_key(fact), [])
        if fact.inferred and fact.mode is None and rule[:1] in (["inverse"], ["symmetric"]) \
                and isinstance(fact.value, ox.NamedNode) and ">" not in fact.value.value:
            rows = _rows(store, _RECORD_OF % (fact.value.value, rule[1], iri))
            if rows:
                mode = rows[0].get("mode")
                passages = sorted({term_text(r["passage"]) for r in rows
                                   if r.get("passage") is not None})
                authorities = sorted({term_text(r["authority"]) for r in rows
                                      if r.get("authority") is not None})
                fact = replace(fact, mode=term_text(mode) if mode else None,
                               record=term_text(rows[0]["r"]), passages=tuple(passages),
                               mirrored=True, authorities=tuple(authorities))
        out.append(fact)
    return out


def rule_key(fact: Fact) -> str:
    """The key of a fact's rule in :attr:`EntityFacts.rules`."""
    return f"{fact.property} {fact.value}"


def gather(store: Store, iri: str) -> EntityFacts | None:
    """Run in a worker: the entity's facts, or ``None`` if the store does not mention it."""
    facts = _facts(store, iri)
    incoming = [(term_text(r["s"]), term_text(r["p"])) for r in _rows(store, _IN % (iri, iri))]
    if not facts and not incoming:
        return None
    rules = _rules(store, iri, facts)
    facts = _with_mirrored_records(store, iri, facts, rules)
    passages = {f.value.value for f in facts if f.property == SG + "restsOn"
                and isinstance(f.value, ox.NamedNode)}
    passages |= {p for f in facts for p in f.passages}
    is_document = any(f.property == RDF + "type" and "Document" in str(f.value) for f in facts) \
        or "/id/document/" in iri
    doc_passages = [term_text(r["passage"]) for r in _rows(store, _DOC_PASSAGES % iri)] \
        if is_document else []
    if "/id/passage/" in iri:
        passages.add(iri)
    found = quotes(store, passages | set(doc_passages))
    is_class = any(f.property == RDF + "type" and str(f.value.value if isinstance(
        f.value, ox.NamedNode) else "") == OWL + "Class" for f in facts)
    ancestors = [(term_text(r["child"]), term_text(r["parent"]))
                 for r in _rows(store, _ANCESTORS % iri)] if is_class else []
    terms = {iri} | {f.property for f in facts} | {s for s, _ in incoming} \
        | {p for _, p in incoming} | {f.value.value for f in facts
                                      if isinstance(f.value, ox.NamedNode)} \
        | {c for e in ancestors for c in e} | {q.document for q in found.values() if q.document} \
        | {f.mode for f in facts if f.mode} | {a for f in facts for a in f.authorities}
    terms |= {x for parts in rules.values() for x in parts[1:]}
    return EntityFacts(iri, facts, incoming, _labels(store, terms), found, rules, ancestors,
                       doc_passages)
