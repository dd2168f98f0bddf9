"""Pictures drawn by the server as SVG (no script, works offline): a forest plot of a study's
outcome measurements with their confidence intervals, and a tumour type's causal
alteration → gene → target → agent chains."""

from __future__ import annotations

import math
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
_CHAINS = PREFIXES + """SELECT DISTINCT ?alt ?gene ?target ?agent WHERE {
  <%s> sg:hasCausalAlteration ?alt .
  OPTIONAL { ?alt sg:affectsGene|sg:hasFivePrimePartner|sg:hasThreePrimePartner ?gene }
  OPTIONAL { ?alt sg:hasDownstreamEffector|sg:affectsGene|sg:hasThreePrimePartner ?target .
             ?agent sg:hasTarget ?target } } ORDER BY ?alt ?gene ?target ?agent LIMIT 200"""
_LABELS = PREFIXES + "SELECT ?x ?l WHERE { VALUES ?x { %s } ?x rdfs:label ?l }"
PERCENT = "http://purl.obolibrary.org/obo/UO_0000187"


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
                         f'y2="{y + row_h * len(items)}" stroke="#eee"/>'
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


def chains_svg(store: Store, tumour: str, lang: str, root: str) -> str:
    """The tumour type's alteration → gene → target → agent chains as a layered graph."""
    rows = list(store.query(_CHAINS % tumour).bindings())
    if not rows:
        return ""
    columns: list[list[str]] = [[], [], [], []]
    edges: set[tuple[str, str]] = set()
    for r in rows:
        chain = [term_text(r.get(k)) if r.get(k) is not None else None
                 for k in ("alt", "gene", "target", "agent")]
        for index, node in enumerate(chain):
            if node and node not in columns[index]:
                columns[index].append(node)
        for a, b in ((0, 1), (0, 2), (2, 3)):
            if chain[a] and chain[b]:
                edges.add((f"{a}|{chain[a]}", f"{b}|{chain[b]}"))
    labels = _labels(store, {n for c in columns for n in c}, lang)
    col_w, row_h, box_w = 210, 40, 180
    height = 40 + row_h * max(len(c) for c in columns)
    pos = {f"{i}|{n}": (20 + i * col_w, 40 + j * row_h) for i, c in enumerate(columns)
           for j, n in enumerate(c)}
    parts = [f'<text x="{20 + i * col_w}" y="20" font-weight="600" font-size="13">{t}</text>'
             for i, t in enumerate(("Causal alteration", "Gene", "Target", "Agent"))]
    for start, end in sorted(edges):
        (x1, y1), (x2, y2) = pos[start], pos[end]
        parts.append(f'<line x1="{x1 + box_w}" y1="{y1 + 13}" x2="{x2}" y2="{y2 + 13}" '
                     'stroke="#888" marker-end="url(#arrow)"/>')
    for key, (x, y) in sorted(pos.items()):
        iri = key.split("|", 1)[1]
        text = labels.get(iri, iri.rsplit("/", 1)[-1])
        parts.append(f'<a href="{escape(href(iri, root) or iri)}"><rect x="{x}" y="{y}" '
                     f'width="{box_w}" height="26" rx="6" fill="#eef3fb" stroke="#5470c6"/>'
                     f'<text x="{x + 8}" y="{y + 17}" font-size="12">{escape(text[:28])}</text></a>')
    width = 20 + 4 * col_w
    return ('<figure class="chains"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            'aria-label="alteration, gene, target and agent chains"><defs><marker id="arrow" '
            'viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
            'orient="auto"><path d="M0,0L10,5L0,10z" fill="#888"/></marker></defs>'
            + "".join(parts) + "</svg><figcaption>Causal alterations, the genes they affect, "
            "the targets and the agents acting on them.</figcaption></figure>")


def chain_picture(store: Store, iri: str, lang: str, root: str) -> str:
    """The picture an entity page shows: a study's forest plot or a tumour type's chains."""
    rows = forest_rows(store, iri, lang)
    if rows:
        return '<section id="picture"><h2>Outcomes</h2>' + forest_svg(
            rows, "Outcome measurements", root) + "</section>"
    chains = chains_svg(store, iri, lang, root)
    return f'<section id="picture"><h2>Mechanism</h2>{chains}</section>' if chains else ""
