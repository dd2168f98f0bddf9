"""CIViC rows → quads of the civic graph: evidence items, alterations, genes, agents, diseases.

Every node is an IRI (no blank node); plain strings are plain literals. Entities that another
source already describes (``known``: the curated graph's subjects) are linked to, not described.
A row that cannot be mapped gives a :class:`Skip` with its evidence ID and reason.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox

from sarcoma_graph.importers.civic import vocab as v
from sarcoma_graph.importers.civic.alterations import AlterationIndex, same_alterations
from sarcoma_graph.importers.civic.crosswalk import Crosswalk, DiseaseMatch
from sarcoma_graph.importers.civic.reader import Release
from sarcoma_graph.namespaces import entity_iri, expand

_SYMBOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_FUSION = re.compile(r"^([A-Za-z0-9.-]+)::([A-Za-z0-9.-]+)")
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?: ?UTC|Z)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Skip:
    """An evidence item left out: its ID, the reason (a short key) and a detail for the curator."""

    evidence_id: str
    reason: str
    detail: str


@dataclass
class Context:
    """What the transform of one release needs, and the quads and notes it accumulates."""

    release: Release
    crosswalk: Crosswalk
    date: str
    graph: str
    all_items: bool = False
    known: frozenset[str] = frozenset()
    quads: set[ox.Quad] = field(default_factory=set)
    notes: Counter[str] = field(default_factory=Counter)
    alterations: AlterationIndex = field(default_factory=dict)

    def add(self, subject: str, predicate: str, obj: ox.NamedNode | ox.Literal | str) -> None:
        """Add one triple to the civic graph; a ``str`` object is an IRI."""
        term = ox.NamedNode(obj) if isinstance(obj, str) else obj
        self.quads.add(ox.Quad(ox.NamedNode(subject), ox.NamedNode(predicate), term,
                               ox.NamedNode(self.graph)))

    def derived(self, iri: str) -> None:
        """Record that ``iri`` is described from this CIViC release (``prov:wasDerivedFrom``)."""
        self.add(iri, v.PROV + "wasDerivedFrom", v.release_iri(self.date))

    def describe(self, iri: str) -> bool:
        """Whether to describe ``iri`` here (it is not known elsewhere)."""
        return iri not in self.known


def text(value: str) -> ox.Literal:
    """A plain literal (never typed xsd:string explicitly)."""
    return ox.Literal(value)


def english(value: str) -> ox.Literal:
    """English text (labels, descriptions): a language-tagged literal, as the shapes require."""
    return ox.Literal(value, language="en")


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(v.XSD + datatype))


def cell(row: dict[str, str], column: str) -> str:
    """A cell, stripped; CIViC's ``N/A`` and empty cells become ``""``."""
    value = (row.get(column) or "").strip()
    return "" if value in v.EMPTY_VALUES else value


def timestamp(value: str) -> ox.Literal | None:
    """``2023-01-09 21:46:26 UTC`` → xsd:dateTime; ``2023-01-09`` → xsd:date; else ``None``."""
    value = value.strip()
    match = _TIMESTAMP.match(value)
    if match:
        return typed(f"{match.group(1)}T{match.group(2)}Z", "dateTime")
    return typed(value, "date") if _DATE.match(value) else None


def evidence_iri(evidence_id: str) -> str:
    """The registry IRI of a CIViC evidence item."""
    return expand(f"{v.CIVIC_EID_PREFIX}:{evidence_id}")


def gene_iri(symbol: str) -> str:
    """The gene IRI: the symbol as slug, like curated genes."""
    return entity_iri("gene", symbol if _SYMBOL.match(symbol) else v.slugify(symbol))


def add_gene(ctx: Context, symbol: str, entrez: str) -> str:
    """Describe a gene (label, HGNC and NCBI Gene matches) and return its IRI."""
    iri = gene_iri(symbol)
    if not ctx.describe(iri):
        return iri
    ctx.add(iri, v.RDF_TYPE, v.sg("Gene"))
    ctx.derived(iri)
    ctx.add(iri, v.RDFS + "label", english(symbol))
    hgnc = ctx.crosswalk.refs.hgnc.lookup(symbol)
    if hgnc:
        ctx.add(iri, v.SKOS + "exactMatch", expand(hgnc))
    else:
        ctx.notes[f"gene without HGNC ID: {symbol}"] += 1
    if entrez.isdigit():
        ctx.add(iri, v.SKOS + "exactMatch", expand(f"NCBIGene:{entrez}"))
    return iri


def _partner_entrez(ctx: Context, symbol: str) -> str:
    return cell(ctx.release.genes.get(symbol, {}), "entrez_id")


def variant_genes(ctx: Context, variant: dict[str, str]) -> list[str]:
    """The genes a variant affects: its gene, plus both partners of a ``5'::3'`` fusion name."""
    symbol = cell(variant, "gene")
    genes = [add_gene(ctx, symbol, cell(variant, "entrez_id"))] if symbol else []
    match = _FUSION.match(cell(variant, "variant"))
    for partner in match.groups() if match else ():
        known = partner in ctx.release.genes or ctx.crosswalk.refs.hgnc.lookup(partner)
        if partner != symbol and known:
            genes.append(add_gene(ctx, partner, _partner_entrez(ctx, partner)))
    return genes


def alteration_label(variant: dict[str, str]) -> str:
    """``KIT`` + ``Exon 11 Mutation`` → ``KIT Exon 11 Mutation``; fusion names stay as they are."""
    gene, name = cell(variant, "gene"), cell(variant, "variant")
    if not gene or "::" in name or name.startswith(gene):
        return name or gene
    return f"{gene} {name}"


def add_so_types(ctx: Context, iri: str, variant: dict[str, str]) -> None:
    """Type an alteration with the SO classes of its CIViC variant types (else sequence_variant)."""
    typed_any = False
    for name in (t.strip() for t in cell(variant, "variant_types").split(",")):
        if name in v.SO_IDS:
            ctx.add(iri, v.RDF_TYPE, expand(v.SO_IDS[name]))
            typed_any = True
        elif name not in v.EMPTY_VALUES:
            ctx.notes[f"variant type without SO accession: {name}"] += 1
    if not typed_any:
        ctx.add(iri, v.RDF_TYPE, expand(v.SO_SEQUENCE_VARIANT))
        ctx.notes["alteration typed sequence_variant (no SO type in CIViC)"] += 1


def add_alteration(ctx: Context, variant: dict[str, str]) -> str:
    """Describe one CIViC variant as a genetic alteration and return its IRI."""
    iri = entity_iri("civic-variant", cell(variant, "variant_id"))
    if not ctx.describe(iri):
        return iri
    ctx.add(iri, v.RDF_TYPE, v.sg("GeneticAlteration"))
    ctx.derived(iri)
    ctx.add(iri, v.RDFS + "label", english(alteration_label(variant)))
    add_so_types(ctx, iri, variant)
    genes = variant_genes(ctx, variant)
    for gene in genes:
        ctx.add(iri, v.sg("affectsGene"), gene)
    if not genes:
        ctx.notes["variant without gene"] += 1
    for curated in same_alterations(ctx.alterations, alteration_label(variant), genes):
        ctx.add(iri, v.SKOS + "exactMatch", curated)
        ctx.notes["variant linked to a curated alteration (skos:exactMatch)"] += 1
    if cell(variant, "variant_civic_url"):
        ctx.add(iri, v.RDFS + "seeAlso", cell(variant, "variant_civic_url"))
    return iri


def add_agent(ctx: Context, name: str) -> str:
    """The agent of one therapy name; minted agents are described as drugs."""
    agent = ctx.crosswalk.agent(name)
    if agent.curated or not ctx.describe(agent.iri):
        return agent.iri
    ctx.add(agent.iri, v.RDF_TYPE, v.sg("Drug"))
    ctx.derived(agent.iri)
    ctx.add(agent.iri, v.RDFS + "label", english(agent.label))
    if agent.ncit:
        ctx.add(agent.iri, v.SKOS + "exactMatch", expand(agent.ncit))
    else:
        ctx.notes[f"therapy without NCIt code: {agent.label}"] += 1
    return agent.iri


def add_disease(ctx: Context, match: DiseaseMatch, name: str) -> None:
    """Describe a disease kept as its Mondo (or DOID) IRI: a tumour type with CIViC's name."""
    for tumour in match.tumours:
        if match.histotype or not ctx.describe(tumour):
            continue
        ctx.add(tumour, v.RDF_TYPE, v.sg("TumourType"))
        ctx.derived(tumour)
        ctx.add(tumour, v.RDFS + "label", english(name))
        if match.doid and match.curie != match.doid:
            ctx.add(tumour, v.SKOS + "exactMatch", expand(match.doid))


def citation_iri(row: dict[str, str]) -> str | None:
    """The source document: PubMed IRI, ASCO abstract page or ASH DOI."""
    source, ident = cell(row, "source_type"), cell(row, "citation_id")
    if not ident:
        return None
    if source == "PubMed" and ident.isdigit():
        return expand(f"PUBMED:{ident}")
    if source == "ASCO":
        return v.ASCO_ABSTRACT.format(id=ident)
    if source == "ASH" and ident.startswith("10."):
        return v.DOI_RESOLVER + ident
    return None


def add_significance(ctx: Context, item: str, value: str) -> None:
    """Link the item to the individual of its clinical significance, described once."""
    iri = v.significance_iri(value)
    ctx.add(item, v.sg("clinicalSignificance"), iri)
    ctx.add(iri, v.RDF_TYPE, v.sg("ClinicalSignificance"))
    ctx.derived(iri)
    ctx.add(iri, v.RDFS + "label", english(value))


def add_classification(ctx: Context, item: str, row: dict[str, str]) -> None:
    """Evidence type, level, direction, significance, rating and status."""
    ctx.add(item, v.sg("civicEvidenceType"), v.sg(v.EVIDENCE_TYPES[cell(row, "evidence_type")]))
    ctx.add(item, v.sg("evidenceLevel"), v.sg(v.LEVELS[cell(row, "evidence_level")]))
    direction = v.DIRECTIONS.get(cell(row, "evidence_direction"))
    if direction:
        ctx.add(item, v.sg("evidenceDirection"), v.sg(direction))
    if cell(row, "significance"):
        add_significance(ctx, item, cell(row, "significance"))
    if cell(row, "rating").isdigit():
        ctx.add(item, v.sg("rating"), typed(cell(row, "rating"), "integer"))
    ctx.add(item, v.sg("curationStatus"), text(cell(row, "evidence_status") or "accepted"))


def add_provenance(ctx: Context, item: str, row: dict[str, str]) -> None:
    """Citation, CIViC page, review date and the release the item comes from."""
    source = citation_iri(row)
    if source:
        ctx.add(item, v.DCTERMS + "source", source)
    else:
        ctx.notes["evidence item without resolvable source"] += 1
    if cell(row, "citation"):
        ctx.add(item, v.DCTERMS + "bibliographicCitation", text(cell(row, "citation")))
    page = cell(row, "evidence_civic_url") or v.CIVIC_EVIDENCE_PAGE + cell(row, "evidence_id")
    ctx.add(item, v.RDFS + "seeAlso", page)
    modified = timestamp(cell(row, "last_review_date"))
    if modified:
        ctx.add(item, v.DCTERMS + "modified", modified)
    ctx.derived(item)


def add_therapies(ctx: Context, item: str, row: dict[str, str]) -> None:
    """One ``sg:aboutAgent`` per therapy, and how they are combined."""
    for name in (t.strip() for t in cell(row, "therapies").split(",")):
        if name:
            ctx.add(item, v.sg("aboutAgent"), add_agent(ctx, name))
    interaction = v.INTERACTIONS.get(cell(row, "therapy_interaction_type"))
    if interaction:
        ctx.add(item, v.sg("therapyInteraction"), v.sg(interaction))


def add_item(ctx: Context, row: dict[str, str], variants: list[dict[str, str]],
             match: DiseaseMatch) -> None:
    """All triples of one evidence item."""
    eid = cell(row, "evidence_id")
    item = evidence_iri(eid)
    ctx.add(item, v.RDF_TYPE, v.sg("CivicEvidenceItem"))
    ctx.add(item, v.RDFS + "label", english(f"EID{eid}"))
    if cell(row, "evidence_statement"):
        ctx.add(item, v.DCTERMS + "description", english(cell(row, "evidence_statement")))
    add_classification(ctx, item, row)
    ctx.add(item, v.sg("molecularProfile"), text(cell(row, "molecular_profile")))
    for variant in variants:
        ctx.add(item, v.sg("aboutAlteration"), add_alteration(ctx, variant))
    add_therapies(ctx, item, row)
    for tumour in match.tumours:
        ctx.add(item, v.sg("aboutTumour"), tumour)
    add_disease(ctx, match, cell(row, "disease"))
    ctx.add(item, v.sg("diseaseMatch"), text(f"{match.kind}: {match.path}"))
    add_provenance(ctx, item, row)


def check_row(ctx: Context, row: dict[str, str]) -> Skip | list[dict[str, str]]:
    """The variants of a valid row, or why the row cannot be mapped."""
    eid = cell(row, "evidence_id")
    if cell(row, "evidence_type") not in v.EVIDENCE_TYPES:
        return Skip(eid, "unknown-evidence-type", f"evidence_type {row.get('evidence_type')!r}")
    if cell(row, "evidence_level") not in v.LEVELS:
        return Skip(eid, "unknown-evidence-level", f"evidence_level {row.get('evidence_level')!r}")
    profile = ctx.release.profiles.get(cell(row, "molecular_profile_id"))
    if profile is None:
        return Skip(eid, "unknown-molecular-profile",
                    f"molecular_profile_id {row.get('molecular_profile_id')!r} not in the profiles")
    ids = [i.strip() for i in cell(profile, "variant_ids").split(",") if i.strip()]
    missing = [i for i in ids if i not in ctx.release.variants]
    if missing or not ids:
        return Skip(eid, "unknown-variant", f"variant(s) {', '.join(missing) or 'none'} of "
                    f"molecular profile {cell(row, 'molecular_profile_id')} not in the variants")
    return [ctx.release.variants[i] for i in ids]


def select(ctx: Context, row: dict[str, str]) -> Skip | DiseaseMatch:
    """The disease match of a row, or why the row is left out."""
    eid = cell(row, "evidence_id")
    status = cell(row, "evidence_status")
    if status and status.lower() != "accepted":
        return Skip(eid, "not-accepted", f"evidence_status {status!r}")
    match = ctx.crosswalk.disease(cell(row, "doid"), cell(row, "disease"))
    if not match.selected and not ctx.all_items:
        reason = {"no-doid": "no-doid", "no-mondo": "doid-without-mondo"}.get(
            match.kind, "not-sarcoma")
        return Skip(eid, reason, f"{cell(row, 'disease')!r}: {match.path}")
    return match


def transform_row(ctx: Context, row: dict[str, str]) -> Skip | DiseaseMatch:
    """Add the quads of one row; return its disease match, or the reason it was skipped."""
    match = select(ctx, row)
    if isinstance(match, Skip):
        return match
    variants = check_row(ctx, row)
    if isinstance(variants, Skip):
        return variants
    add_item(ctx, row, variants, match)
    return match


def release_quads(ctx: Context, label: str) -> None:
    """The release individual, and the description of the civic graph itself."""
    release = v.release_iri(ctx.date)
    ctx.add(release, v.RDF_TYPE, v.sg("SourceRelease"))
    ctx.add(release, v.RDFS + "label", english(label))
    ctx.add(release, v.OWL + "versionInfo", text(ctx.date))
    ctx.add(release, v.DCTERMS + "license", v.CC0)
    ctx.add(release, v.DCTERMS + "publisher", text("CIViC"))
    ctx.add(release, v.DCTERMS + "issued", typed(ctx.date, "date"))
    ctx.add(ctx.graph, v.PROV + "wasDerivedFrom", release)
    ctx.add(ctx.graph, v.OWL + "versionInfo", text(ctx.date))
    ctx.add(ctx.graph, v.RDFS + "label", english(f"CIViC evidence items, release {ctx.date}"))
