"""Label and synonym search over the store (both languages, accent- and case-insensitive):
an index of ``rdfs:label``, ``skos:prefLabel`` and ``skos:altLabel`` built in each worker once
per store version, and the results page."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from html import escape
from typing import TypeVar

import pyoxigraph as ox

from sarcoma_graph.namespaces import SERVICE_GRAPH, expand_own, graph_iri
from sarcoma_graph.serve.pages.facts import PREFIXES
from sarcoma_graph.serve.pages.layout import curie, document, href
from sarcoma_graph.store import Store

_LABELS = PREFIXES + """SELECT ?x ?l ?kind ?type WHERE {
  { ?x rdfs:label ?l BIND("label" AS ?kind) } UNION { ?x skos:prefLabel ?l BIND("label" AS ?kind) }
  UNION { ?x skos:altLabel ?l BIND("synonym" AS ?kind) }
  UNION { ?x skos:exactMatch|skos:closeMatch|skos:broadMatch|skos:narrowMatch ?m
          FILTER(isIRI(?m)) BIND(STR(?m) AS ?l) BIND("identifier" AS ?kind) }
  FILTER(isIRI(?x) && isLiteral(?l))
  FILTER NOT EXISTS { ?x a rdf:Statement }
  FILTER NOT EXISTS { ?x a oa:TextQuoteSelector }
  FILTER NOT EXISTS { ?x a oa:TextPositionSelector }
  FILTER NOT EXISTS { GRAPH <SERVICE> { ?x ?described ?l } }
  OPTIONAL { GRAPH ?g { ?x a ?type } FILTER(?g != <INFERRED>) } }""".replace(
    "INFERRED", graph_iri("inferred")).replace("SERVICE", SERVICE_GRAPH)


@dataclass(frozen=True)
class Hit:
    """One entity whose label or synonym matches."""

    iri: str
    label: str
    language: str
    kind: str          # "label" or "synonym"
    type: str | None


# British and US spellings of the same word, brought to one form. Labels and the searched text
# go through the same rules, so either spelling finds the other; an over-eager rule can only
# make two different words match, never lose a match.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
_SPELLINGS = [
    (re.compile(r"(?<=\w\w)our(?=(s|ed|ing|able|al|ite|ism)?\b)"), "or"),   # tumour, behavioural
    (re.compile(r"ae"), "e"),                                  # haemangioma, leukaemia, paediatric
    (re.compile(r"oe(?!s?\b)"), "e"),                           # oesophagus, foetal (not does, shoe)
    (re.compile(r"(?<=\w\w)([iy])z(?=(e|ed|es|ing|ation|ations|er|ers)\b)"), r"\1s"),  # -ize, -yze
    (re.compile(r"(?<=\w)([tb])re(?=s?\b)"), r"\1er"),          # centre, fibre
    (re.compile(r"(?<=[aeiou])ll(?=(ed|ing|er|ers)\b)"), "l"),  # signalling, labelled
    (re.compile(r"ogue\b"), "og"),                              # catalogue, analogue
    (re.compile(r"sulph"), "sulf"),
]


def fold(text: str) -> str:
    """Case-, accent-, hyphen- and spelling-insensitive form of a text (British and US
    spellings fold to one form).

    >>> fold("Sarcome alvéolaire") == fold("SARCOME ALVEOLAIRE")
    True
    >>> fold("giant-cell tumour") == fold("Giant cell tumor")
    True
    >>> fold("oesophageal haemangioma, randomised") == fold("esophageal hemangioma, randomized")
    True
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = " ".join(folded.replace("-", " ").replace("_", " ").split())
    for pattern, replacement in _SPELLINGS:
        folded = pattern.sub(replacement, folded)
    return folded


T = TypeVar("T")


def _of_version(cache: dict[int, T], store: Store, build: Callable[[], T]) -> T:
    """``build()``, made once per store version in this worker (the index and what is derived
    from it; a store that changed gets them anew)."""
    version = getattr(store, "version", 0)
    if version not in cache:
        value = build()
        cache.clear()
        cache[version] = value
    return cache[version]


_INDEX: dict[int, list[tuple[str, Hit]]] = {}


def _index(store: Store) -> list[tuple[str, Hit]]:
    return _of_version(_INDEX, store, lambda: _indexed(store))


def _indexed(store: Store) -> list[tuple[str, Hit]]:
    hits: dict[tuple[str, str], Hit] = {}
    for row in store.query(_LABELS).bindings():
        x, label, kind, typ = row["x"], row["l"], row["kind"], row.get("type")
        if not (isinstance(x, ox.NamedNode) and isinstance(label, ox.Literal)
                and isinstance(kind, ox.Literal)):
            continue  # what the query's FILTERs already keep out
        text = label.value
        if kind.value == "identifier":  # a mapping, searched and shown as its CURIE
            text = curie(text) or text
        key = (x.value, text)
        kept = hits.get(key)
        # one hit per entity and text: the typed one, and of two the English one
        if kept is not None and kept.type and (kept.language == "en" or label.language != "en"):
            continue
        hits[key] = Hit(x.value, text, label.language or "", kind.value,
                        typ.value if typ is not None and not isinstance(typ, ox.Triple) else None)
    return sorted(((fold(h.label), h) for h in hits.values()), key=lambda x: (x[0], x[1].iri))


def search(store: Store, text: str, limit: int = 15) -> list[Hit]:
    """Run in a worker: entities whose label or synonym matches ``text`` (whole label, then
    word starts, then anywhere), one hit per entity."""
    query = fold(text.strip())
    if not query:
        return []
    own = _own_iri(store, text.strip())
    if own:  # the entity's own IRI or prefixed name (review r15 browser F5)
        return own[:1]
    code = _code(query)
    ranked: list[tuple[int, int, str, Hit]] = []
    for folded, hit in _index(store):
        if hit.kind == "identifier":
            # a code matches whole, with or without its prefix: 272 is not hgnc:2726 (review
            # r16 browser F9)
            if code not in (folded, folded.partition(":")[2]):
                continue
            rank = 0
        elif folded == query:
            rank = 0
        elif folded.startswith(query):
            rank = 1
        elif f" {query}" in f" {folded}".replace("::", " "):
            rank = 2
        elif query in folded:
            rank = 3
        else:
            continue
        ranked.append((rank, len(folded), folded, hit))
    # equal matches: the entity's English label first ("denosumab" matched the French
    # "dénosumab" as well and was shown under it, review r13 F4)
    ranked.sort(key=lambda x: (x[0], x[1], x[2], x[3].iri, x[3].language != "en"))
    seen: set[str] = set()
    out = []
    for *_, hit in ranked:
        if hit.iri not in seen:
            seen.add(hit.iri)
            out.append(_named(store, hit))
        if len(out) >= limit:
            break
    return out


#: other notations of a mapped code's prefix, as people write them: Orphanet, Orphadata and
#: Mondo's xrefs write ``ORPHA:873`` for the ``Orphanet:873`` of the Bioregistry (review r16
#: browser F9)
_PREFIX_SYNONYMS = {"orpha": "orphanet"}


def _code(query: str) -> str:
    """The folded ``query`` as a mapped code is indexed: its prefix in the index's notation.

    >>> _code("orpha:873"), _code("ncit:c1000"), _code("272")
    ('orphanet:873', 'ncit:c1000', '272')
    """
    prefix, colon, local = query.partition(":")
    return f"{_PREFIX_SYNONYMS.get(prefix, prefix)}:{local.strip()}" if colon else query


_NAMES: dict[int, dict[str, str]] = {}


def _named(store: Store, hit: Hit) -> Hit:
    """A hit on a mapped identifier, shown with the entity's own name ("desmoid tumour —
    NCIT:C9182"), not as the bare code."""
    if hit.kind != "identifier":
        return hit
    name = _of_version(_NAMES, store, lambda: _names(store)).get(hit.iri)
    return replace(hit, label=f"{name} — {hit.label}") if name else hit


def _names(store: Store) -> dict[str, str]:
    """Each entity's label, the English one where it has one."""
    names: dict[str, str] = {}
    for _, other in _index(store):
        if other.kind == "label" and (other.iri not in names or other.language == "en"):
            names[other.iri] = other.label
    return names


def _own_iri(store: Store, text: str) -> list[Hit]:
    """The hit of the entity whose IRI, or prefixed name (``sgagent:imatinib``), ``text`` is."""
    iri = expand_own(text)
    if not iri.startswith(("http://", "https://")):
        return []
    named = [hit for _, hit in _index(store) if hit.iri == iri]
    named.sort(key=lambda h: (h.kind != "label", h.language != "en", h.label))
    return named


_WORDS: dict[int, dict[str, list[Hit]]] = {}


def _words(store: Store) -> dict[str, list[Hit]]:
    """Each folded label and each word of one (four letters or more) → its entities, built once
    per store version like the label index (a misspelled search must not rebuild it)."""
    def build() -> dict[str, list[Hit]]:
        words: dict[str, list[Hit]] = {}
        for folded, hit in _index(store):
            for key in {folded, *folded.split()}:
                if len(key) >= 4:
                    words.setdefault(key, []).append(hit)
        return words

    return _of_version(_WORDS, store, build)


def close_spellings(store: Store, text: str, limit: int = 15) -> list[Hit]:
    """Run in a worker when :func:`search` found nothing: entities with a label, or a word of
    a label, spelled close to ``text`` ("imatnib" → imatinib), closest first. A text of several
    words also matches word by word ("liposarcome dedifferencie" → the entity whose label has
    both words), the entities matching the most of its words first."""
    query = fold(text.strip())
    if len(query) < 4:
        return []
    labels = _words(store)
    out: list[Hit] = [hit for close in difflib.get_close_matches(query, labels, n=limit, cutoff=0.8)
                      for hit in labels[close]]
    words = [word for word in dict.fromkeys(query.split()) if len(word) >= 4]
    if len(words) > 1:
        out += _word_by_word(labels, words, limit)
    unique: dict[str, Hit] = {}
    for hit in out:
        unique.setdefault(hit.iri, hit)
    return list(unique.values())[:limit]


def _word_by_word(labels: dict[str, list[Hit]], words: list[str], limit: int) -> list[Hit]:
    """Entities having a label word close to each of ``words``: the most words matched first,
    then the closest spelling; an entity that matches a single word of several is left out."""
    matched: dict[str, set[str]] = {}
    score: dict[str, float] = {}
    first: dict[str, Hit] = {}
    for word in words:
        for close in difflib.get_close_matches(word, labels, n=limit, cutoff=0.8):
            ratio = difflib.SequenceMatcher(None, word, close).ratio()
            for hit in labels[close]:
                first.setdefault(hit.iri, hit)
                if word not in matched.setdefault(hit.iri, set()):
                    matched[hit.iri].add(word)
                    score[hit.iri] = score.get(hit.iri, 0.0) + ratio
    ranked = sorted((iri for iri in matched if len(matched[iri]) > 1),
                    key=lambda iri: (-len(matched[iri]), -score[iri], iri))
    return [first[iri] for iri in ranked]


def hit_json(hit: Hit, root: str) -> dict[str, object]:
    return {"iri": hit.iri, "label": hit.label, "lang": hit.language, "kind": hit.kind,
            "type": hit.type, "typeCurie": curie(hit.type) if hit.type else None,
            "href": href(hit.iri, root) or hit.iri}


def results_page(text: str, hits: list[Hit], root: str, close: list[Hit] | None = None,
                 footer: str = "") -> str:
    items = []
    for hit in hits:
        link = escape(href(hit.iri, root) or hit.iri)
        kind = f' <small class="muted">({escape(hit.kind)})</small>' if hit.kind != "label" else ""
        typ = f' <span class="curie">{escape(curie(hit.type) or hit.type)}</span>' \
            if hit.type else ""
        items.append(f'<li><a href="{link}" lang="{escape(hit.language)}">{escape(hit.label)}'
                     f"</a>{kind}{typ}</li>")
    body = (f"<h1>Search: {escape(text)}</h1><p>{len(hits)} match(es) among labels and "
            "synonyms, English and French, ignoring case and accents.</p>"
            f'<ul id="search-results">{"".join(items)}</ul>')
    if close:
        links = "".join(f'<li><a href="{escape(href(h.iri, root) or h.iri)}" '
                        f'lang="{escape(h.language)}">{escape(h.label)}</a></li>' for h in close)
        body += f'<h2>Close spellings</h2><ul id="close-spellings">{links}</ul>'
    if not hits:
        body += _scope_note(root, bool(close))
    return document(f"Search: {text}", body, root, footer=footer)


def _scope_note(root: str, close: bool) -> str:
    """Why a search can find nothing: the graph holds only what its sources discuss (review
    r13 F4: a 0-match search for an absent disease offered other sarcomas, as if misspelt)."""
    ontology = escape(root) + "/ontology/"
    return ('<p id="search-scope">' + ("If the close spellings are other things, what you "
            "searched for is probably not in the graph. " if close else "")
            + "The graph holds only what its source documents discuss: see every "
            f'<a href="{ontology}Histotype">tumour type</a>, '
            f'<a href="{ontology}Drug">agent</a>, <a href="{ontology}Gene">gene</a> and '
            f'<a href="{ontology}Document">source document</a> it has.</p>')
