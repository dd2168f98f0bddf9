"""Which CIViC diseases and therapies are ours, decided by identifier crosswalks (never by names).

Diseases: CIViC's DOID → Mondo (Mondo's DOID SSSOM) → (a) a histotype of the project when the
project's mapping set maps it to that DOID, Mondo, NCIt (Mondo's NCIt SSSOM) or OncoTree code;
else (b) Mondo → NCIt → the OncoTree node carrying that NCIt code, kept if the node lies under
one of OncoTree's sarcoma subtrees (:data:`SARCOMA_ROOTS`). Therapies: CIViC's therapy name →
NCIt code (NCIt's antineoplastic agent list) → a curated agent mapped to that NCIt code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from sarcoma_graph.errors import InputError
from sarcoma_graph.importers.civic.vocab import slugify
from sarcoma_graph.mappings import MappingSet, read_sssom
from sarcoma_graph.namespaces import entity_iri, expand
from sarcoma_graph.reference import References

#: OncoTree subtrees of sarcomas and other mesenchymal tumours: soft tissue and bone, plus the
#: mesenchymal nodes OncoTree files under an organ (uterine sarcomas, DFSP under skin, breast
#: sarcomas, organ-specific inflammatory myofibroblastic tumours, liver angiosarcoma, CNS
#: mesenchymal chondrosarcoma, which carries the NCIt code of mesenchymal chondrosarcoma).
SARCOMA_ROOTS = frozenset({"SOFT_TISSUE", "BONE", "USARC", "DFSP", "PBS", "IMTB", "IMTL", "LIAS",
                           "MCHSCNS"})
#: Nodes under those roots that are not mesenchymal tumours (paraganglioma is neuroendocrine).
EXCLUDED_NODES = frozenset({"PGNG"})
SELECTED_KINDS = ("histotype-via-doid", "histotype-via-mondo", "histotype-via-ncit",
                  "histotype-via-oncotree", "oncotree-sarcoma-subtree")


@dataclass(frozen=True)
class DiseaseMatch:
    """How one CIViC disease was matched: the crosswalk kind, the tumour IRIs and the path."""

    kind: str
    tumours: tuple[str, ...]
    path: str
    curie: str | None = None
    doid: str | None = None

    @property
    def selected(self) -> bool:
        """Whether the disease is a sarcoma or mesenchymal tumour of ours."""
        return self.kind in SELECTED_KINDS

    @property
    def histotype(self) -> bool:
        return self.kind.startswith("histotype-")


@dataclass(frozen=True)
class AgentMatch:
    """The agent IRI of one CIViC therapy, its NCIt code and whether it is a curated agent."""

    iri: str
    label: str
    ncit: str | None
    curated: bool


@dataclass
class ProjectMappings:
    """The project's SSSOM mappings of histotypes and agents, by normalised object CURIE."""

    histotypes: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    agents: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def normalise_curie(curie: str) -> str:
    """``ncit:C3868`` → ``NCIT:C3868`` (prefixes compared case-insensitively)."""
    prefix, _, local = curie.strip().partition(":")
    return f"{prefix.upper()}:{local}"


def _subject_iri(mapping_set: MappingSet, curie: str, line: int) -> str | None:
    try:
        return mapping_set.expand(curie, line)
    except InputError:  # not in the set's curie map: try the project's prefixes
        try:
            return expand(curie)
        except ValueError:
            return None


def read_project_mappings(paths: list[Path]) -> ProjectMappings:
    """Histotype and agent mappings (``skos:exactMatch`` rows) of the project's SSSOM files."""
    maps = ProjectMappings()
    for path in paths:
        mapping_set = read_sssom(path)
        for line, row in enumerate(mapping_set.rows, start=1):
            if row["predicate_id"] != "skos:exactMatch":
                continue
            iri = _subject_iri(mapping_set, row["subject_id"], line)
            target = normalise_curie(row["object_id"])
            if iri and iri.startswith(entity_iri("histotype", "")):
                maps.histotypes[target].add(iri)
            elif iri and iri.startswith(entity_iri("agent", "")):
                maps.agents[target].add(iri)
    return maps


class Crosswalk:
    """Disease and therapy matching over the reference sets and the project's mappings."""

    def __init__(self, refs: References, maps: ProjectMappings) -> None:
        self.refs, self.maps = refs, maps
        self._diseases: dict[str, DiseaseMatch] = {}

    def disease(self, doid_number: str, name: str) -> DiseaseMatch:
        """The match of a CIViC disease (its ``doid`` column: the number only)."""
        doid_number = doid_number.strip()
        if not doid_number:
            return DiseaseMatch("no-doid", (), f"no DOID for disease {name!r}")
        if doid_number not in self._diseases:
            doid = f"DOID:{doid_number}"
            self._diseases[doid_number] = replace(self._match(doid), doid=doid)
        return self._diseases[doid_number]

    def _histotype(self, curies: list[str], path: list[str], via: str) -> DiseaseMatch | None:
        for curie in curies:
            hits = self.maps.histotypes.get(normalise_curie(curie))
            if hits:
                steps = " → ".join([*path, curie] if path[-1:] != [curie] else path)
                return DiseaseMatch(f"histotype-via-{via}", tuple(sorted(hits)),
                                    f"{steps} → histotype (project mappings)", curie)
        return None

    def _match(self, doid: str) -> DiseaseMatch:
        mondos = self.refs.doid_to_mondo.get(doid, [])
        ncits = sorted({n for m in mondos for n in self.refs.mondo_to_ncit.get(m, [])})
        path = [doid, *mondos[:1]]
        nodes = sorted({c for n in ncits for c in self.refs.oncotree.by_ncit.get(n, [])})
        found = (self._histotype([doid], [doid], "doid")
                 or self._histotype(mondos, [doid], "mondo")
                 or self._histotype(ncits, path, "ncit")
                 or self._histotype([f"oncotree:{c}" for c in nodes], [*path, *ncits[:1]],
                                    "oncotree"))
        if found:
            return found
        term = mondos[0] if mondos else doid
        return self._under_sarcoma(nodes, [*path, *ncits[:1]], term) or DiseaseMatch(
            "unmatched" if mondos else "no-mondo", (expand(term),),
            " → ".join(path) + (" → no sarcoma class" if mondos else " → no Mondo match"), term)

    def _under_sarcoma(self, nodes: list[str], path: list[str], term: str) -> DiseaseMatch | None:
        for node in nodes:
            lineage = self.refs.oncotree.lineage(node)
            if EXCLUDED_NODES.intersection(lineage):
                continue
            roots = [code for code in lineage if code in SARCOMA_ROOTS]
            if roots:
                steps = " → ".join([*path, f"oncotree:{node}"])
                return DiseaseMatch("oncotree-sarcoma-subtree", (expand(term),),
                                    f"{steps} (under oncotree:{roots[-1]})", term)
        return None

    def agent(self, name: str) -> AgentMatch:
        """The agent of a CIViC therapy name: a curated agent through its NCIt code, else minted."""
        label = name.strip()
        ncit = self.refs.agents.get(label.lower())
        curated = sorted(self.maps.agents.get(ncit, ())) if ncit else []
        if curated:
            return AgentMatch(curated[0], label, ncit, True)
        return AgentMatch(entity_iri("agent", slugify(label)), label, ncit, False)
