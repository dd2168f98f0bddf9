"""The footer of every page: which release the site serves (the package's version), the
data licence (the server's ``license`` setting, linked), how to cite it (a line built from
the project's ``CITATION.cff`` when the server could read it) and where the dataset and its
vocabulary are described (the VoID description, the ontology), and where the data download."""

from __future__ import annotations

from html import escape
from pathlib import Path

#: Short names of the licences people recognise by name.
LICENCE_NAMES = {
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0",
    "https://creativecommons.org/licenses/by-sa/4.0/": "CC BY-SA 4.0",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0",
}

STYLE = """footer.sg{border-top:1px solid #ddd;margin-top:2rem;padding:.6rem 1rem;font-size:.85rem;
color:#444;background:#f8f8f8}footer.sg p{margin:.2rem auto;max-width:72rem;overflow-wrap:anywhere}
@media print{footer.sg{background:none;border-top:1px solid #999}
footer.sg a[href^="http"]::after{content:" <" attr(href) ">";font-size:.8em;color:#444}}"""


def cite_as(path: Path) -> str | None:
    """"Authors (year). Title. Version v. DOI or URL." from a ``CITATION.cff`` (its
    ``preferred-citation`` when it has one), or ``None`` if the file is missing, unreadable
    or has no title."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    preferred = data.get("preferred-citation")
    cff = {**data, **preferred} if isinstance(preferred, dict) else data
    title = cff.get("title")
    if not title:
        return None
    authors = ", ".join(filter(None, (_author(a) for a in cff.get("authors") or [])))
    year = str(cff.get("date-released") or cff.get("year") or "")[:4]
    where = _doi(cff) or cff.get("url") or cff.get("repository-code")
    parts = [f"{authors} ({year})." if authors and year else (f"{authors}." if authors else ""),
             f"{str(title).rstrip('.')}.",
             f"Version {cff['version']}." if cff.get("version") else "",
             str(where) if where else ""]
    return " ".join(p for p in parts if p)


def _author(author: object) -> str:
    if not isinstance(author, dict):
        return ""
    if author.get("name"):
        return str(author["name"])
    return " ".join(str(author[k]) for k in ("given-names", "name-particle", "family-names")
                    if author.get(k))


def _doi(cff: dict[str, object]) -> str | None:
    doi = cff.get("doi")
    identifiers = cff.get("identifiers")
    if not doi and isinstance(identifiers, list):
        doi = next((i.get("value") for i in identifiers
                    if isinstance(i, dict) and i.get("type") == "doi"), None)
    return f"https://doi.org/{doi}" if doi else None


def site_footer(root: str, license_iri: str, citation: str | None) -> str:
    """The ``<footer>`` element (``root``: where the site is mounted)."""
    from sarcoma_graph import __version__

    r = escape(root)
    name = LICENCE_NAMES.get(license_iri, license_iri)
    lines = [f"sarcoma-graph {escape(__version__)} · data licence "
             f'<a href="{escape(license_iri)}" rel="license">{escape(name)}</a> · '
             f'<a href="{r}/.well-known/void">VoID description</a> (counts, graphs, endpoint) · '
             f'<a href="{r}/.well-known/void#download">download the data</a> · '
             f'<a href="{r}/ontology">ontology</a> · <a href="{r}/queries">named queries</a>']
    if citation:
        lines.append(f"Cite as: {escape(citation)}")
    return '<footer class="sg">' + "".join(f"<p>{line}</p>" for line in lines) + "</footer>"
