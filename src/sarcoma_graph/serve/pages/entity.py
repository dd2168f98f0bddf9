"""The page of one entity, in one language: like an OLS term page crossed with a CIViC
evidence page (label, CURIE, types once, badges, the quote behind it, hierarchy, facts with
their provenance, mappings with the page a person reads, what links to it)."""

from __future__ import annotations

from html import escape

import pyoxigraph as ox

from sarcoma_graph.namespaces import DCTERMS, SG
from sarcoma_graph.serve.pages.facts import (
    OWL,
    PARENT_PROPERTIES,
    RDF,
    RDFS,
    SKOS,
    EntityFacts,
    Fact,
    Quote,
    rule_key,
)
from sarcoma_graph.serve.pages.language import LANGUAGES, NAMES, lang_attribute, pick_label, pick_tagged
from sarcoma_graph.serve.pages.layout import curie, document, href, iri_link
from sarcoma_graph.serve.pages.readers import reader_url

LABELS = (RDFS + "label", SKOS + "prefLabel")
TEXTS = (DCTERMS.description, SKOS + "definition", RDFS + "comment")
MAPPINGS = (*(SKOS + x for x in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch",
                                  "relatedMatch")), OWL + "sameAs", OWL + "equivalentClass")
BADGES = {SG + "assertionMode": "mode", SG + "evidenceLevel": "level",
          SG + "evidenceType": "evidence", SG + "hasQualifier": "qualifier"}
_MODE_CLASS = {SG + "StatedInSource": "stated", SG + "DomainKnowledge": "domain"}
#: What each mode badge means, as its tooltip
_MODE_TITLE = {SG + "StatedInSource": "the passage quoted with it states this",
               SG + "DomainKnowledge": "a curator added this from domain knowledge (WHO 2020, drug "
                                       "labels); the passage shown is what led to it, not a statement of it"}
#: The disclosure of a fact's passage: evidence when stated, context when added
_PASSAGE_SUMMARY = {SG + "DomainKnowledge": "context (the passage does not state this)"}


class View:
    """Rendering helpers bound to one page's labels, language and root path."""

    def __init__(self, data: EntityFacts, lang: str, root: str) -> None:
        self.data, self.lang, self.root = data, lang, root

    def label(self, iri: str) -> str | None:
        return pick_label(self.data.labels.get(iri, []), self.lang)

    def label_language(self, iri: str) -> str:
        """The language of :meth:`label` (``""`` when untagged or none)."""
        picked = pick_tagged(self.data.labels.get(iri, []), self.lang)
        return picked[1] if picked else ""

    def link(self, iri: str) -> str:
        # an external identifier links the page a person reads, as in the Mappings table
        # (review r16 browser F8: oncotree:SOFT_TISSUE linked OncoTree's JSON API over http)
        return iri_link(iri, self.label(iri), self.root, self.label_language(iri), reader_url(iri))

    def term(self, term: object) -> str:
        if isinstance(term, ox.NamedNode):
            return self.link(term.value)
        if isinstance(term, ox.Literal):
            tag = ""
            if not term.language and not term.datatype.value.endswith(("#string", "#langString")):
                tag = curie(term.datatype.value) or term.datatype.value
            text = escape(term.value)
            lang = f' lang="{escape(term.language)}"' if term.language else ""
            return f"<span{lang}>{text}</span>" + (f' <span class="curie">{escape(tag)}</span>'
                                                   if tag else "")
        return f"<code>{escape(str(term))}</code>"

    def badge(self, iri: str, kind: str) -> str:
        css = _MODE_CLASS.get(iri, "level" if kind == "level" else "")
        title = f' title="{escape(_MODE_TITLE[iri])}"' if iri in _MODE_TITLE else ""
        return (f'<span class="badge {css}"{title}>'
                f"{escape(self.label(iri) or curie(iri) or iri)}</span>")

    def rule(self, fact: Fact) -> str:
        parts = self.data.rules.get(rule_key(fact))
        if not parts:
            return "OWL 2 RL reasoning (class and property axioms)"
        kind, rest = parts[0], parts[1:]
        names = [escape(self.label(p) or curie(p) or p) for p in rest]
        return {"chain": "from " + ", then ".join(names),
                "inverse": f"inverse of {names[0] if names else ''}",
                "sub": f"implied by sub-property {names[0] if names else ''}",
                "symmetric": "symmetric property",
                "transitive": "transitive property"}.get(kind, kind)


def _in_language(term: object, lang: str) -> bool:
    return not isinstance(term, ox.Literal) or not term.language or \
        term.language.lower().split("-")[0] == lang


def _shown(facts: list[Fact], lang: str) -> list[Fact]:
    """The facts a page in ``lang`` shows: a text in another language only where the property
    has none in ``lang`` (a French-only title is shown on the English page, not hidden)."""
    covered = {f.property for f in facts
               if isinstance(f.value, ox.Literal) and f.value.language and _in_language(f.value, lang)}
    return [f for f in facts if _in_language(f.value, lang) or f.property not in covered]


def quote_html(view: View, quote: Quote) -> str:
    """A quote in its context, with a link to the passage in the source text."""
    doc = quote.document
    where = ""
    if doc:
        target = href(doc, view.root) or doc
        anchor = quote.passage.rsplit("/", 1)[-1]
        where = (f' — <a href="{escape(target)}#{escape(anchor)}">'
                 f"{escape(view.label(doc) or doc)}</a>")
    passage = href(quote.passage, view.root) or quote.passage
    lang = f' lang="{escape(quote.language)}"' if quote.language else ""
    return (f'<blockquote class="quote"{lang}><span class="context">…{escape(quote.prefix)}'
            f"</span><mark>{escape(quote.exact)}</mark><span class=\"context\">"
            f'{escape(quote.suffix)}…</span><br><small><a href="{escape(passage)}">passage</a>'
            f"{where}</small></blockquote>")


def _title(view: View) -> str:
    """The page's title: the label, else a ``dcterms:title`` (the ontology has only that), else
    the short name or the IRI."""
    titles = [(f.value.value, f.value.language or "") for f in view.data.facts
              if f.property == DCTERMS + "title" and isinstance(f.value, ox.Literal)]
    data = view.data
    return view.label(data.iri) or pick_label(titles, view.lang) or curie(data.iri) or data.iri


def _header(view: View) -> str:
    data = view.data
    title = _title(view)
    short = curie(data.iri)
    lang = lang_attribute(view.label_language(data.iri)) if view.label(data.iri) else ""
    out = [f"<h1{lang}>{escape(title)}</h1>",
           f'<p class="iri">{escape(short) + " · " if short else ""}{escape(data.iri)}</p>',
           _alternates(view)]
    others = [x for x in LANGUAGES if x != view.lang]
    for other in others:
        alt = [v for v, t in data.labels.get(data.iri, []) if t.split("-")[0] == other]
        if alt:
            out.append(f'<p class="lang-alt">{escape(NAMES[other])} : <a href="?lang={other}" '
                       f'lang="{other}" hreflang="{other}">{escape(sorted(alt)[0])}</a></p>')
    return "\n".join(out)


#: the RDF a page's IRI also gives (``?format=`` short names), as the page offers them
ALTERNATES = (("ttl", "Turtle", "text/turtle"), ("jsonld", "JSON-LD", "application/ld+json"),
              ("nt", "N-Triples", "application/n-triples"),
              ("nq", "N-Quads, with each triple's graph", "application/n-quads"),
              ("rdf", "RDF/XML", "application/rdf+xml"))


def _alternates(view: View) -> str:
    """Links to the entity's RDF (review r15 N7, browser F17: a page named no way to it)."""
    page = href(view.data.iri, view.root)
    if page is None:
        return ""
    links = " · ".join(f'<a href="{escape(page)}?format={name}" type="{media}" rel="alternate">'
                       f"{escape(label)}</a>" for name, label, media in ALTERNATES)
    return f'<p class="alternates muted">This entity as RDF: {links}</p>'


def _types(view: View) -> str:
    asserted = sorted({f.value.value for f in view.data.facts if f.property == RDF + "type"
                       and isinstance(f.value, ox.NamedNode) and not f.inferred})
    inferred = sorted({f.value.value for f in view.data.facts if f.property == RDF + "type"
                       and isinstance(f.value, ox.NamedNode) and f.inferred} - set(asserted))
    text = ", ".join(view.link(t) for t in asserted) or "—"
    if inferred:
        text += (' <span class="muted">· also, by inference: '
                 + ", ".join(view.link(t) for t in inferred) + "</span>")
    badges = " ".join(view.badge(f.value.value, kind) for f in view.data.facts
                      for prop, kind in BADGES.items()
                      if f.property == prop and isinstance(f.value, ox.NamedNode))
    return f'<p class="types"><strong>Type:</strong> {text}</p>' + \
        (f'<p class="badges">{badges}</p>' if badges else "")


def _texts(view: View) -> str:
    texts = [f for f in _shown(view.data.facts, view.lang) if f.property in TEXTS]
    return "".join(f"<p>{view.term(f.value)}</p>" for f in texts)


def _quotes(view: View) -> str:
    own = sorted({f.value.value for f in view.data.facts if f.property == SG + "restsOn"
                  and isinstance(f.value, ox.NamedNode)})
    if view.data.iri in view.data.quotes:
        own = [view.data.iri]
    shown = [view.data.quotes[p] for p in own if p in view.data.quotes]
    if not shown:
        return ""
    return '<section id="source"><h2>In the source</h2>' + "".join(
        quote_html(view, q) for q in shown) + "</section>"


def _document_passages(view: View) -> str:
    if not view.data.document_passages:
        return ""
    items = []
    for passage in view.data.document_passages:
        quote = view.data.quotes.get(passage)
        if quote is None:
            continue
        anchor = passage.rsplit("/", 1)[-1]
        link = href(passage, view.root) or passage
        items.append(f'<li id="{escape(anchor)}"><a href="{escape(link)}">{escape(anchor)}</a>'
                     f'<blockquote class="quote" lang="fr"><span class="context">…'
                     f"{escape(quote.prefix)}</span><mark>{escape(quote.exact)}</mark>"
                     f'<span class="context">{escape(quote.suffix)}…</span></blockquote></li>')
    return ('<section id="passages"><h2>Passages of the source text, in text order</h2><ol>'
            + "".join(items) + "</ol></section>")


def _hierarchy(view: View) -> str:
    data = view.data
    parents = sorted({f.value.value for f in data.facts if f.property in PARENT_PROPERTIES
                      and isinstance(f.value, ox.NamedNode) and not f.inferred})
    children = sorted({s for s, p in data.incoming if p in PARENT_PROPERTIES})
    if not parents and not children:
        return ""
    out = ['<section id="hierarchy"><h2>Hierarchy</h2>']
    if data.ancestors:
        out.append(_tree(view, parents, children))
    else:
        if parents:
            out.append("<p><strong>Parents:</strong> " + ", ".join(view.link(p) for p in parents)
                       + "</p>")
        if children:
            out.append("<p><strong>Children:</strong> "
                       + ", ".join(view.link(c) for c in children) + "</p>")
    out.append("</section>")
    return "".join(out)


def _tree(view: View, parents: list[str], children: list[str]) -> str:
    """Ancestor path (first parent each step) down to this class, then its children."""
    up: dict[str, list[str]] = {}
    for child, parent in view.data.ancestors:
        up.setdefault(child, []).append(parent)
    path = [view.data.iri]
    while up.get(path[-1]) and len(path) < 20:
        nxt = sorted(up[path[-1]])[0]
        if nxt in path:
            break
        path.append(nxt)
    path.reverse()
    html = ""
    for node in path[:-1]:
        html += f'<ul class="tree"><li>{view.link(node)}'
    html += f'<ul class="tree"><li class="current">{escape(view.label(view.data.iri) or "")}'
    if children:
        html += '<ul class="tree">' + "".join(f"<li>{view.link(c)}</li>" for c in children) + \
            "</ul>"
    html += "</li></ul>" * len(path)
    more = [p for p in parents if p != (path[-2] if len(path) > 1 else None)]
    if more:
        html += "<p><strong>Also a subclass of:</strong> " + ", ".join(
            view.link(p) for p in more) + "</p>"
    return html


def _provenance(view: View, fact: Fact) -> str:
    bits = []
    if fact.inferred:
        bits.append(f'<span class="badge inferred" title="in the inferred graph">inferred: '
                    f"{view.rule(fact)}</span>")
    if fact.mode and fact.mirrored:  # the mode of the fact this one is the inverse of
        bits.append('<span class="muted">the fact it mirrors:</span> ' + view.badge(fact.mode, "mode"))
    elif fact.mode:
        bits.append(view.badge(fact.mode, "mode"))
    if fact.authorities:  # the published work a curator's addition rests on
        bits.append('<span class="muted">from</span> '
                    + ", ".join(view.link(a) for a in fact.authorities))
    for passage in fact.passages:
        quote = view.data.quotes.get(passage)
        if quote:
            summary = _PASSAGE_SUMMARY.get(fact.mode or "", "quote")
            bits.append(f"<details><summary>{summary}</summary>{quote_html(view, quote)}</details>")
    return " ".join(bits)


_SKIP = set(LABELS) | set(TEXTS) | set(MAPPINGS) | {RDF + "type"}


def _facts_table(view: View) -> str:
    rows = []
    for fact in _shown(view.data.facts, view.lang):
        if fact.property in _SKIP:
            continue
        rows.append(f'<tr class="{"inferred" if fact.inferred else "asserted"}">'
                    f'<td data-label="Property">{view.link(fact.property)}</td>'
                    f'<td data-label="Value">{view.term(fact.value)}</td>'
                    f'<td data-label="Provenance">{_provenance(view, fact)}</td></tr>')
    if not rows:
        return ""
    return ('<section id="facts"><h2>Facts</h2>' + LEGEND + '<table class="stack"><tr>'
            "<th>Property</th><th>Value</th><th>Provenance</th></tr>" + "\n".join(rows)
            + "</table></section>")


#: What the provenance column's marks mean, said on the page (a tooltip reaches neither the
#: keyboard nor a touch screen, review r13 F8)
LEGEND = ('<p class="legend"><span class="badge stated">stated in source</span> the quoted '
          'passage says it · <span class="badge domain">added from domain knowledge</span> a '
          "curator added it (WHO 2020, drug labels); the passage shown is context, not a "
          'statement of it · <span class="badge inferred">inferred</span> derived by the '
          "reasoner from other facts, named after it (an inverse fact shows the mode of the fact "
          "it mirrors) · a row with no mark belongs to the entity's own description (its mode "
          "is at the top).</p>")


def _mappings(view: View) -> str:
    rows = []
    for fact in view.data.facts:
        if fact.property not in MAPPINGS or not isinstance(fact.value, ox.NamedNode):
            continue
        iri = fact.value.value
        short = curie(iri) or iri
        label = view.label(iri)
        reader = reader_url(iri)
        read = f'<a href="{escape(reader)}">open</a>' if reader else \
            f'<a href="{escape(href(iri, view.root) or iri)}">open</a>'
        rows.append(f'<tr><td><span class="curie">{escape(short)}</span></td>'
                    f'<td>{escape(label) if label else "<span class=muted>—</span>"}</td>'
                    f"<td>{view.link(fact.property)}</td><td>{read}</td></tr>")
    if not rows:
        return ""
    return ('<section id="mappings"><h2>Mappings</h2><table><tr><th>Identifier</th>'
            "<th>Label</th><th>Relation</th><th>Page</th></tr>" + "".join(rows)
            + "</table></section>")


def _incoming(view: View) -> str:
    rows = [f"<tr><td>{view.link(s)}</td><td>{view.link(p)}</td></tr>"
            for s, p in view.data.incoming if p not in PARENT_PROPERTIES]
    if not rows:
        return ""
    return ('<section id="incoming"><h2>Referenced by</h2><table><tr><th>Subject</th>'
            "<th>Property</th></tr>" + "\n".join(rows) + "</table></section>")


def entity_page(data: EntityFacts, lang: str, root: str, picture: str = "",
                footer: str = "") -> str:
    """The whole page of one entity in one language."""
    view = View(data, lang, root)
    body = "\n".join(x for x in (_header(view), _types(view), _texts(view), _quotes(view),
                                 picture, _hierarchy(view), _facts_table(view), _mappings(view),
                                 _document_passages(view), _incoming(view)) if x)
    title_lang = view.label_language(view.data.iri) if view.label(view.data.iri) else ""
    return document(_title(view), body, root, title_lang, footer)
