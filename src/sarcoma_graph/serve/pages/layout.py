"""The frame of every HTML page: navigation, the label search box (suggestions as you type),
the style sheet; how IRIs become links (the dataset's own IRIs go to this server's pages)
and CURIEs."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from sarcoma_graph.namespaces import BASE, compress
from sarcoma_graph.serve.pages.footer import STYLE as FOOTER_STYLE
from sarcoma_graph.serve.pages.language import PAGE_LANGUAGE, lang_attribute

# Forced colours (Windows high contrast) remap ``color`` and backgrounds but not an SVG's ``fill``
# and ``stroke``: the pictures' text kept its black on a black canvas (review r16 browser F3);
# under ``forced-colors: active`` they take the system colours instead (the last block).
STYLE = """body{font-family:system-ui,sans-serif;margin:0;color:#222;line-height:1.45}
main{max-width:72rem;margin:1rem auto;padding:0 1rem}
header.sg{background:#f4f4f4;padding:.5rem 1rem;display:flex;gap:1rem;align-items:center;
flex-wrap:wrap;border-bottom:1px solid #ddd}header.sg .brand{font-weight:600;color:#222;
text-decoration:none}header.sg nav a{margin-right:.9rem}
.sg-search{position:relative;margin-left:auto}.sg-search input{width:20rem;padding:.3rem .5rem;
font-size:.95rem}.sg-suggest{position:absolute;right:0;z-index:1000;background:#fff;
border:1px solid #bbb;min-width:20rem;max-height:24rem;overflow:auto;list-style:none;margin:0;
padding:0;box-shadow:0 3px 8px rgba(0,0,0,.15)}.sg-suggest li a{display:block;padding:.3rem .5rem;
text-decoration:none;color:#222}.sg-suggest li a:hover,.sg-suggest li.active a{background:#e8f0fe}
.sg-suggest small{color:#777;margin-left:.4rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f4f4f4}code,.curie{color:#555;
font-family:ui-monospace,monospace;font-size:.88em}.iri{font-size:.82em;color:#666;
word-break:break-all}a{color:#0b5394}.muted{color:#666}
.badge{display:inline-block;border-radius:.7rem;padding:0 .55rem;font-size:.8em;margin:0 .2rem;
border:1px solid #999;background:#f6f6f6;white-space:nowrap}.badge.inferred{background:#fff4d6;
border-color:#d9a400}.badge.stated{background:#e3f4e1;border-color:#3c8d2f}
.badge.domain{background:#e8eefc;border-color:#5470c6}.badge.level{background:#fce8e8;
border-color:#c65454}blockquote.quote{margin:.4rem 0 .6rem;padding:.4rem .8rem;
border-left:4px solid #5470c6;background:#f7f9ff}blockquote.quote .context{color:#5c5c5c}
blockquote.quote mark{background:#fff1a8}ul.tree{list-style:none;padding-left:1.1rem}
ul.tree li::before{content:"└ ";color:#999}.current{font-weight:600}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.facts dt{
color:#555}figure{margin:1rem 0}svg text{font-family:system-ui,sans-serif}
.lang-alt{font-size:.9em;color:#555}
figure svg{max-width:100%;height:auto}select,input{max-width:100%;box-sizing:border-box}
pre{overflow-x:auto}h1,h2,h3,p.error,p.way-on{overflow-wrap:anywhere}.table-wrap{overflow-x:auto;max-width:100%}
td.n,th.n{text-align:right;white-space:nowrap}
.needs{background:#fff4d6;border-left:4px solid #d9a400;padding:.3rem .6rem}
@media (max-width:40rem){.badge{white-space:normal}.sg-search,.sg-search input{width:100%}
.sg-suggest{min-width:0;left:0}table{display:block;overflow-x:auto}
figure.chains{overflow-x:auto}figure.chains svg{max-width:none;width:auto;height:auto}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:auto}
table.stack tr:first-child{display:none}table.stack tr{border-bottom:1px solid #ccc;padding:.3rem 0}
table.stack td{border:0;padding:.1rem .3rem}table.stack td::before{content:attr(data-label) ": ";
color:#666;font-size:.85em}
dl.facts{grid-template-columns:1fr}header.sg nav{display:flex;flex-wrap:wrap}}
.legend{font-size:.9em;color:#444}.legend .badge{margin-left:0}
.skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:.4rem;z-index:2000;
background:#fff;padding:.3rem .6rem;border:2px solid #0b5394}
@media print{header.sg,.skip{display:none}main{max-width:none;margin:0}
details>summary{list-style:none}a{color:#000}
main a[href^="http"]::after{content:" <" attr(href) ">";font-size:.8em;color:#444;
word-break:break-all}.table-wrap{overflow:visible}}
@media (forced-colors:active){figure svg text{fill:CanvasText}figure svg a text{fill:LinkText}
figure.chains svg rect{fill:Canvas;stroke:CanvasText}figure.forest svg line{stroke:CanvasText}
figure.forest svg line.grid{stroke:GrayText}figure.forest svg rect.point{fill:Highlight}
figure svg marker path{fill:CanvasText}}""" + "\n" + FOOTER_STYLE


def href(iri: str, root: str) -> str | None:
    """Where a link to an IRI goes: this server's page for the dataset's own IRIs (so a local
    deployment clicks through), the VoID page's section for the dataset and its partitions,
    the IRI itself for other ``http(s)`` IRIs, nothing otherwise (our other IRIs, such as the
    prefix declarations, resolve nowhere)."""
    if iri.startswith((BASE + "id/", BASE + "ontology")):
        return root + "/" + iri[len(BASE):]
    if iri.startswith(BASE):
        anchor = void_anchor(iri)
        return f"{root}/.well-known/void#{quote(anchor)}" if anchor else None
    return iri if iri.startswith(("http://", "https://")) else None


def void_anchor(iri: str) -> str | None:
    """The ``id`` of an IRI's section on the VoID page (``void/class/Histotype-2c1d43bb``): the
    dataset and its partitions, which this server has no other page for."""
    rest = iri[len(BASE):] if iri.startswith(BASE + "void/") else ""
    return rest if rest and not rest.startswith("void/prefix") else None


def curie(iri: str) -> str | None:
    """The CURIE of an IRI with a known prefix (``sg:Histotype``, ``NCIT:C3868``), else ``None``."""
    try:
        return compress(iri)
    except Exception:
        return None


def iri_link(iri: str, label: str | None, root: str, lang: str = "",
             page: str | None = None) -> str:
    """An IRI as a link with its label (or CURIE, or IRI) as text and the CURIE beside it;
    ``lang``, the label's language, is marked when it is not the page's (English); ``page``,
    where the link goes instead of :func:`href` (an identifier's page for people)."""
    short = curie(iri)
    text = escape(label or short or iri)
    if label and lang_attribute(lang):
        text = f"<span{lang_attribute(lang)}>{text}</span>"
    target = page or href(iri, root)
    inner = f'<a href="{escape(target)}" title="{escape(iri)}">{text}</a>' if target else text
    if label and short:
        inner += f' <span class="curie">{escape(short)}</span>'
    return inner


def document(title: str, body: str, root: str, title_lang: str = "", footer: str = "") -> str:
    """A complete HTML page around ``body`` (already escaped), ending with ``footer`` (the
    server's: :meth:`sarcoma_graph.serve.state.EndpointState.footer`). The page is in English
    whatever language its labels are in: those carry their own ``lang`` (``title_lang``, the
    title's) (review r16 browser F11: a French reader's page said ``lang="fr"`` over English
    headings)."""
    r = escape(root)
    return (f'<!doctype html><html lang="{PAGE_LANGUAGE}"><head><meta charset="utf-8">'
            f"<title{lang_attribute(title_lang)}>{escape(title)} — sarcoma-graph</title>"
            '<meta name="viewport" content="width=device-width">'
            f'<link rel="icon" href="{r}/favicon.ico"><style>{STYLE}</style></head><body>'
            '<a class="skip" href="#content">Skip to the content</a>'
            f'<header class="sg"><a class="brand" href="{r}/">sarcoma-graph</a><nav>'
            f'<a href="{r}/">SPARQL editor</a><a href="{r}/queries">Named queries</a>'
            f'<a href="{r}/ontology">Ontology</a><a href="{r}/shapes">Shapes</a>'
            f'<a href="{r}/.well-known/void">VoID</a>'
            f'<a href="{r}/docs">API</a></nav>{search_box(root)}</header>'
            f'<main id="content" tabindex="-1">\n{body}\n</main>{footer}'
            f'<script src="{r}/static/search.js"></script></body></html>\n')


def search_box(root: str) -> str:
    """The label search form (works without JavaScript; ``search.js`` adds suggestions)."""
    return (f'<form class="sg-search" role="search" action="{escape(root)}/search" method="get">'
            '<input type="search" name="q" placeholder="Search labels and synonyms…" '
            f'autocomplete="off" aria-label="Search" data-root="{escape(root)}" role="combobox" '
            'aria-autocomplete="list" aria-expanded="false" aria-controls="sg-suggest">'
            '<ul class="sg-suggest" id="sg-suggest" role="listbox" aria-label="Suggestions" hidden>'
            '</ul><span class="sg-status" role="status" aria-live="polite" '
            'style="position:absolute;left:-9999px"></span></form>')
