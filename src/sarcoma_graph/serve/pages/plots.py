"""Pictures drawn by the server as SVG (no script, works offline): a forest plot of a study's
outcome measurements with their confidence intervals, and a tumour type's causal
alteration → gene → target → agent chains."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

import pyoxigraph as ox

from sarcoma_graph.serve.pages.facts import PREFIXES, term_text
from sarcoma_graph.serve.pages.language import pick_label
from sarcoma_graph.serve.pages.layout import href
from sarcoma_graph.store import Store, Term

_MEASUREMENTS = PREFIXES + """SELECT ?m ?measure ?value ?lo ?hi ?unit ?landmark WHERE {
  ?m a sg:OutcomeMeasurement ; sg:inStudy <%s> ; sg:ofOutcomeMeasure ?measure ; sg:value ?value
  OPTIONAL { ?m sg:unit ?unit } OPTIONAL { ?m sg:ciLower ?lo } OPTIONAL { ?m sg:ciUpper ?hi }
  OPTIONAL { ?m sg:landmarkTime ?landmark } } ORDER BY ?unit ?measure ?landmark ?m"""
#: The sentence giving each figure: the measurement's own passage, not one it shares with its
#: study (the number of patients included, which every measurement also rests on).
_SENTENCES = PREFIXES + """SELECT ?m ?sentence WHERE {
  ?m sg:inStudy <%(study)s> ; sg:restsOn ?p . ?p oa:hasSelector/oa:exact ?sentence
  FILTER NOT EXISTS { <%(study)s> sg:restsOn ?p } } ORDER BY ?m ?sentence"""
#: Every link from a tumour type's causal alterations: the genes they affect, the effectors
#: they deregulate and the processes they promote, each with the agents acting on it (the
#: three mechanisms of ``queries/agents-targeting-causal-alterations.rq``).
_LINKS = PREFIXES + """SELECT DISTINCT ?alt ?kind ?through ?agent WHERE {
  <%s> sg:hasCausalAlteration ?alt .
  { ?alt sg:affectsGene|sg:hasFivePrimePartner|sg:hasThreePrimePartner ?through
    BIND("direct target" AS ?kind) OPTIONAL { ?agent sg:hasTarget ?through } }
  UNION { ?alt sg:hasDownstreamEffector ?through BIND("downstream effector" AS ?kind)
    OPTIONAL { ?agent sg:hasTarget ?through } }
  UNION { ?alt sg:promotesProcess ?through BIND("process" AS ?kind)
    OPTIONAL { ?agent sg:inhibitsProcess ?through } }
} ORDER BY ?alt ?kind ?through ?agent LIMIT 400"""
_LABELS = PREFIXES + "SELECT ?x ?l WHERE { VALUES ?x { %s } ?x rdfs:label ?l }"
#: A gene's tumour types: those whose causal alteration affects it, or deregulates it downstream
_GENE_TUMOURS = PREFIXES + """SELECT DISTINCT ?tumour ?alteration ?how WHERE {
  { ?alteration sg:affectsGene|sg:hasFivePrimePartner|sg:hasThreePrimePartner <%(gene)s>
    BIND("affects this gene" AS ?how) }
  UNION { ?alteration sg:hasDownstreamEffector <%(gene)s> BIND("deregulates it downstream" AS ?how) }
  ?tumour sg:hasCausalAlteration ?alteration
} ORDER BY ?tumour ?alteration LIMIT 200"""
PERCENT = "http://purl.obolibrary.org/obo/UO_0000187"


_NAMED_AGENTS = PREFIXES + """SELECT DISTINCT ?agent WHERE {
  ?statement sg:aboutTumour <%s> ; sg:aboutAgent ?agent }"""


def _labels(store: Store, iris: set[str], lang: str) -> dict[str, str]:
    if not iris:
        return {}
    found: dict[str, list[tuple[str, str]]] = {}
    values = " ".join(f"<{i}>" for i in sorted(iris))
    for row in store.query(_LABELS % values).bindings():
        label = row["l"]
        if not isinstance(label, ox.Literal):
            raise TypeError(f"a label that is not a literal: {label}")
        found.setdefault(term_text(row["x"]), []).append((label.value, label.language or ""))
    return {i: pick_label(v, lang) or i.rsplit("/", 1)[-1] for i, v in found.items()}


def forest_rows(store: Store, study: str, lang: str) -> list[tuple[str, str, float, float | None,
                                                                  float | None, str]]:
    """``(measurement, label, value, low, high, unit)`` for every measurement of a study."""
    rows = list(store.query(_MEASUREMENTS % study).bindings())
    labels = _labels(store, {term_text(r["measure"]) for r in rows}, lang)
    out = []
    for r in rows:
        measure = term_text(r["measure"])
        label = labels.get(measure, measure.rsplit("/", 1)[-1])
        if r.get("landmark") is not None:
            label += f" at {float(term_text(r['landmark'])):g} months"
        unit = "%" if r.get("unit") is not None and term_text(r["unit"]) == PERCENT else "months"

        def num(name: str, row: dict[str, Term] = r) -> float | None:
            return float(term_text(row[name])) if row.get(name) is not None else None
        out.append((term_text(r["m"]), label, float(term_text(r["value"])), num("lo"), num("hi"),
                    unit))
    return out


def forest_svg(rows: list[tuple[str, str, float, float | None, float | None, str]],
               title: str, root: str) -> str:
    """A forest plot: one panel per unit, one row per measurement, point and CI whiskers."""
    if not rows:
        return ""
    width, left, right, row_h = 860, 330, 40, 22
    panels: dict[str, list[tuple[str, str, float, float | None, float | None, str]]] = {}
    for row in rows:
        panels.setdefault(row[5], []).append(row)
    parts, y = [], 30
    for unit, items in panels.items():
        top = max(max(v, h or v) for _, _, v, _, h, _ in items)
        scale_max = 100.0 if unit == "%" else max(5.0, math.ceil(top * 1.1 / 5) * 5)
        plot_w = width - left - right

        def x(value: float, m: float = scale_max, w: int = plot_w) -> float:
            return left + max(0.0, min(value, m)) / m * w
        heading = "Proportion (%)" if unit == "%" else "Time (months)"
        parts.append(f'<text x="{left}" y="{y}" font-weight="600">{heading}</text>')
        y += 12
        for tick in range(6):
            value = scale_max * tick / 5
            parts.append(f'<line x1="{x(value):.1f}" x2="{x(value):.1f}" y1="{y}" '
                         f'y2="{y + row_h * len(items)}" stroke="#eee" class="grid"/>'
                         f'<text x="{x(value):.1f}" y="{y + row_h * len(items) + 14}" '
                         f'font-size="11" text-anchor="middle" fill="#666">{value:g}</text>')
        for iri, label, value, lo, hi, _ in items:
            cy = y + row_h / 2 + 2
            link = escape(href(iri, root) or iri)
            parts.append(f'<a href="{link}"><text x="{left - 10}" y="{cy + 4}" font-size="13" '
                         f'text-anchor="end" class="forest-label">{escape(label)}</text></a>')
            if lo is not None and hi is not None:
                parts.append(f'<line x1="{x(lo):.1f}" x2="{x(hi):.1f}" y1="{cy}" y2="{cy}" '
                             'stroke="#0b5394" stroke-width="2" class="ci"/>'
                             f'<line x1="{x(lo):.1f}" x2="{x(lo):.1f}" y1="{cy - 5}" y2="{cy + 5}" '
                             'stroke="#0b5394" stroke-width="2"/>'
                             f'<line x1="{x(hi):.1f}" x2="{x(hi):.1f}" y1="{cy - 5}" y2="{cy + 5}" '
                             'stroke="#0b5394" stroke-width="2"/>')
            ci = f" (95% CI {lo:g}–{hi:g})" if lo is not None and hi is not None else ""
            parts.append(f'<rect x="{x(value) - 5:.1f}" y="{cy - 5}" width="10" height="10" '
                         f'fill="#c0392b" class="point"><title>{escape(label)}: {value:g}'
                         f"{' %' if unit == '%' else ' months'}{escape(ci)}</title></rect>")
            y += row_h
        y += 40
    return (f'<figure class="forest"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
            f'width="{width}" height="{y}" viewBox="0 0 {width} {y}" '
            f'aria-label="{escape(title)}">{"".join(parts)}</svg>'
            f"<figcaption>{escape(title)}: point estimates with their confidence intervals "
            "where the source reports them.</figcaption></figure>")


#: Colour and verb of each kind of link from an alteration.
_KINDS = {"direct target": ("#5470c6", "affects gene"),
          "downstream effector": ("#91661a", "deregulates effector"),
          "process": ("#3b8a3e", "promotes process"),
          "none": ("#999999", "no curated mechanism")}
NO_MECHANISM = "none"
#: an agent's link to what column 1 holds, drawn from the agent (review r13 F9: these arrows
#: pointed from the gene to the agent and were named after the alteration's link)
_AGENT_LINKS = {"direct target": "has molecular target",
                "downstream effector": "has molecular target (downstream of the alteration)",
                "process": "inhibits process"}
_AGENT_COLOUR = "#2f2f2f"


@dataclass(frozen=True)
class Claim:
    """One row of the headline query for the tumour: an agent, how the pair is claimed and
    by which mechanisms."""

    agent: str
    claim: str
    mechanisms: tuple[str, ...]


def claims(store: Store, headline: str) -> list[Claim]:
    """The rows of ``agents-targeting-causal-alterations`` bound to one tumour type."""
    out = []
    for row in store.query(headline).bindings():
        out.append(Claim(term_text(row["agent"]), term_text(row["claim"]),
                         tuple(term_text(row["mechanism"]).split(" | "))))
    return out


@dataclass
class _Layout:
    """Three columns (alteration, what it acts through, agent) and the edges between them."""

    columns: list[list[str]] = field(default_factory=lambda: [[], [], []])
    edges: set[tuple[str, str, str]] = field(default_factory=set)  # (from, to, kind)

    def node(self, column: int, iri: str) -> str:
        if iri not in self.columns[column]:
            self.columns[column].append(iri)
        return f"{column}|{iri}"

    def edge(self, start: str, end: str, kind: str) -> None:
        self.edges.add((start, end, kind))


def _layout(links: list[dict[str, Term]], stated: list[Claim]) -> _Layout:
    layout = _Layout()
    agents = {c.agent for c in stated}
    for r in links:
        alt, kind, through = (term_text(r[k]) for k in ("alt", "kind", "through"))
        layout.edge(layout.node(0, alt), layout.node(1, through), kind)
        agent = term_text(r["agent"]) if r.get("agent") is not None else None
        if agent and (agent in agents or not stated):
            layout.edge(f"1|{through}", layout.node(2, agent), kind)
    unexplained = [c.agent for c in stated if c.mechanisms == (NO_MECHANISM,)]
    if unexplained:
        gap = layout.node(1, NO_MECHANISM)
        for alt in list(layout.columns[0]):
            layout.edge(f"0|{alt}", gap, NO_MECHANISM)
        for agent in unexplained:
            layout.edge(gap, layout.node(2, agent), NO_MECHANISM)
    for claim in stated:  # every agent of the headline query has its box
        layout.node(2, claim.agent)
    return layout


def _box(x: int, y: int, text: str, note: str, link: str | None, dashed: bool) -> str:
    style = ' stroke-dasharray="4 3"' if dashed else ""
    # a label longer than the box ends with "…", and the box's title gives it whole (review r15
    # browser F10: "gamma-sécrétase" was cut to "gamma-sécrétas", the link named by the cut word)
    shown = text if len(text) <= _LABEL_CHARS else text[:_LABEL_CHARS - 1].rstrip() + "…"
    inner = (f"<title>{escape(text)}</title>"
             f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="34" rx="6" fill="#f4f7fc" '
             f'stroke="#5470c6"{style}/><text x="{x + 8}" y="{y + 15}" font-size="12" '
             f'class="chain-label">{escape(shown)}</text>')
    if note:
        inner += (f'<text x="{x + 8}" y="{y + 29}" font-size="10.5" fill="#555" '
                  f'class="chain-note">{escape(note)}</text>')
    return f'<a href="{escape(link)}">{inner}</a>' if link else f"<g>{inner}</g>"


_COL_W, _ROW_H, _BOX_W = 280, 46, 230
_LABEL_CHARS = 32  # what a box's width holds at font-size 12


def chains_svg(store: Store, tumour: str, lang: str, root: str, headline: str | None = None) -> str:
    """The tumour type's chains: causal alteration → gene, effector or process → agent, with
    each agent's claim and the pairs a source states without a curated mechanism, as the
    headline query (``headline``, bound to the tumour) gives them."""
    links = list(store.query(_LINKS % tumour).bindings())
    if not links:  # not a tumour type with a causal alteration: no picture, no headline query
        return ""
    stated = claims(store, headline) if headline else []
    layout = _layout(links, stated)
    by_agent = {c.agent: c for c in stated}
    labels = _labels(store, {n for c in layout.columns for n in c if n != NO_MECHANISM}, lang)
    height = 50 + _ROW_H * max(len(c) for c in layout.columns) + 30
    pos = {f"{i}|{n}": (20 + i * _COL_W, 40 + j * _ROW_H) for i, c in enumerate(layout.columns)
           for j, n in enumerate(c)}
    parts = [f'<text x="{20 + i * _COL_W}" y="22" font-weight="600" font-size="13">{t}</text>'
             for i, t in enumerate(("Causal alteration", "Gene, effector or process", "Agent"))]
    for start, end, kind in sorted(layout.edges):
        (x1, y1), (x2, y2) = pos[start], pos[end]
        colour, verb = _KINDS[kind]
        dash = ' stroke-dasharray="5 4"' if kind == NO_MECHANISM else ""
        css = kind.replace(" ", "-")
        if start.startswith("1|") and kind != NO_MECHANISM:
            # the agent acts on the middle box: from the agent's left side to its target's right
            parts.append(f'<line x1="{x2}" y1="{y2 + 17}" x2="{x1 + _BOX_W}" y2="{y1 + 17}" '
                         f'stroke="{_AGENT_COLOUR}" stroke-width="1.6" marker-end="url(#arrow)" '
                         f'class="chain-edge agent {css}"><title>{_AGENT_LINKS[kind]}</title></line>')
            continue
        parts.append(f'<line x1="{x1 + _BOX_W}" y1="{y1 + 17}" x2="{x2}" y2="{y2 + 17}" '
                     f'stroke="{colour}" stroke-width="1.6"{dash} marker-end="url(#arrow)" '
                     f'class="chain-edge {css}"><title>{verb}</title></line>')
    for key, (x, y) in sorted(pos.items()):
        column, iri = key.split("|", 1)
        if iri == NO_MECHANISM:
            parts.append(_box(x, y, "no curated mechanism", "the source states the pair",
                              None, True))
            continue
        claim = by_agent.get(iri) if column == "2" else None
        note = claim.claim if claim else ""
        text = labels.get(iri, iri.rsplit("/", 1)[-1])
        parts.append(_box(x, y, text, note, href(iri, root) or iri,
                          bool(claim and claim.mechanisms == (NO_MECHANISM,))))
    legend = " · ".join(f'<tspan fill="{c}">■</tspan> {escape(v)}' for c, v in
                        [*_KINDS.values(), (_AGENT_COLOUR, "agent acts on it (arrow from the agent)")])
    others = ""
    if not layout.columns[2]:  # review r13 F10: an empty column read as a drawing fault
        lines = ["No agent in this graph acts on", "these alterations, and no source",
                 "pairs a targeted therapy with it."]
        others = _other_treatments(store, tumour, lang, root)
        if others:  # r16 browser F15: "no source names one" denied the review's cell therapy
            lines.append("Other treatments: see below.")
        x = 20 + 2 * _COL_W
        parts.append(f'<text x="{x}" y="{40 + 17}" font-size="12" fill="#555" class="chain-none">'
                     + "".join(f'<tspan x="{x}" dy="{15 if n else 0}">{escape(line)}</tspan>'
                               for n, line in enumerate(lines)) + "</text>")
    parts.append(f'<text x="20" y="{height - 10}" font-size="11" fill="#444" '
                 f'class="chain-legend">{legend}</text>')
    width = 20 + 3 * _COL_W
    return ('<figure class="chains"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            'aria-label="causal alterations, what they act through, and the agents">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
            'markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#888"/></marker>'
            "</defs>" + "".join(parts) + "</svg><figcaption>The tumour type's causal "
            "alterations, the genes they affect, the effectors they deregulate and the processes "
            "they promote, and the agents acting on them, each with its claim (the named query "
            "<em>agents-targeting-causal-alterations</em>). A mechanism is not evidence that an "
            "agent works in this tumour: only the pairs marked <em>stated</em> come from a "
            "source; most target links are curators' additions from the drugs' labels."
            f"{others}</figcaption></figure>")


def _other_treatments(store: Store, tumour: str, lang: str, root: str) -> str:
    """The agents the tumour type's statements name (none acting on its causal alterations),
    as a sentence for the picture's caption; empty when there are none."""
    agents: set[str] = set()
    for row in store.query(_NAMED_AGENTS % tumour).bindings():
        agent = row["agent"]
        if isinstance(agent, ox.NamedNode):
            agents.add(agent.value)
    if not agents:
        return ""
    labels = _labels(store, agents, lang)
    names = {a: labels.get(a) or a for a in agents}
    named = ", ".join(f'<a href="{escape(href(a, root) or a)}">{escape(names[a])}</a>'
                      for a in sorted(agents, key=lambda a: names[a].casefold()))
    return (f" The sources name other treatments for this tumour type, not acting on these "
            f"alterations: {named} (their statements are under <em>Referenced by</em>).")


def forest_table(store: Store, study: str,
                 rows: list[tuple[str, str, float, float | None, float | None, str]],
                 root: str) -> str:
    """The plot's figures as a table, each with the sentence of the source that gives it (the
    plot's values are only in tooltips, which keyboards, touch and screen readers miss)."""
    sentences: dict[str, str] = {}
    for r in store.query(_SENTENCES % {"study": study}).bindings():
        sentences.setdefault(term_text(r["m"]), term_text(r["sentence"]))
    body = []
    for iri, label, value, lo, hi, unit in rows:
        link = escape(href(iri, root) or iri)
        shown = f"{value:g} %" if unit == "%" else f"{value:g} months"
        ci = f"{lo:g}–{hi:g}" if lo is not None and hi is not None else ""
        said = sentences.get(iri)
        quote = f"<q>{escape(' '.join(said.split()))}</q>" if said else ""
        body.append(f'<tr><td><a href="{link}">{escape(label)}</a></td><td>{shown}</td>'
                    f"<td>{ci}</td><td>{quote}</td></tr>")
    return ('<div class="table-wrap"><table class="outcomes"><caption>The figures, and the '
            "sentence of the source each comes from</caption><thead><tr><th>outcome</th>"
            "<th>value</th><th>95% CI</th><th>in the source</th></tr></thead><tbody>"
            + "".join(body) + "</tbody></table></div>")


def chain_picture(store: Store, iri: str, lang: str, root: str,
                  headline: str | None = None) -> str:
    """The picture an entity page shows: a study's forest plot or a tumour type's chains."""
    rows = forest_rows(store, iri, lang)
    if rows:
        return ('<section id="picture"><h2>Outcomes</h2>'
                + forest_svg(rows, "Outcome measurements", root)
                + forest_table(store, iri, rows, root) + "</section>")
    chains = chains_svg(store, iri, lang, root, headline)
    if chains:
        return f'<section id="picture"><h2>Mechanism</h2>{chains}</section>'
    return gene_tumours(store, iri, lang, root)


def gene_tumours(store: Store, gene: str, lang: str, root: str) -> str:
    """For a gene: the tumour types whose causal alteration affects it or deregulates it, two
    links away (each tumour's page draws the mechanism); nothing for anything else."""
    rows = list(store.query(_GENE_TUMOURS % {"gene": gene}).bindings())
    if not rows:
        return ""
    iris = {term_text(r[k]) for r in rows for k in ("tumour", "alteration")}
    labels = _labels(store, iris, lang)

    def link(iri: str) -> str:
        return f'<a href="{escape(href(iri, root) or iri)}">{escape(labels.get(iri, iri))}</a>'
    items = "".join(f"<li>{link(term_text(r['tumour']))}: its causal alteration "
                    f"{link(term_text(r['alteration']))} {escape(term_text(r['how']))}</li>"
                    for r in rows)
    return ('<section id="tumours"><h2>Tumour types</h2><p>Tumour types whose causal alteration '
            "involves this gene (each tumour type's page draws the mechanism and the agents, "
            f"and says which links a source states).</p><ul>{items}</ul></section>")
