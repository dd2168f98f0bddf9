"""``check-links``: every external identifier in the graph, checked against reference sets.

For each ``skos:exactMatch``/``closeMatch``/``broadMatch``/``narrowMatch`` object: does the
identifier exist in a reference file of its scheme; does its reference label agree with the
entity's labels; is an HGNC symbol current or a previous symbol; do an entity's Mondo, NCIt
and OncoTree identifiers agree with the reference crosswalks. Schemes with no reference file
here are listed as unchecked, never silently passed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sarcoma_graph.namespaces import ID, compress, sparql_prologue
from sarcoma_graph.reference import Entry, ReferenceSets
from sarcoma_graph.store import Store

MATCH_QUERY = sparql_prologue("skos", "rdfs") + """\
SELECT ?entity ?predicate ?target (GROUP_CONCAT(DISTINCT ?label; separator="|") AS ?labels) WHERE {
  VALUES ?predicate { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch }
  ?entity ?predicate ?target .
  FILTER(STRSTARTS(STR(?entity), "ENTITY_BASE"))
  OPTIONAL { ?entity rdfs:label|skos:altLabel ?label }
} GROUP BY ?entity ?predicate ?target ORDER BY ?entity ?target""".replace("ENTITY_BASE", ID)
ERROR, WARNING, INFO = "error", "warning", "info"
_SPELLING = (("tumour", "tumor"), ("signalling", "signaling"), ("oesophag", "esophag"))


@dataclass(frozen=True)
class LinkFinding:
    """One problem (or note) about one external identifier."""

    severity: str
    entity: str
    target: str
    problem: str
    reference: str


def normalise(label: str) -> str:
    """Case, punctuation, British/American spelling and plural folded for label comparison."""
    text = label.lower()
    for british, american in _SPELLING:
        text = text.replace(british, american)
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    return " ".join(w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words)


def _scheme(target: str) -> str:
    curie = compress(target) or ""
    return curie.split(":", 1)[0] if curie else ""


class LinkChecker:
    """Checks the external identifiers of one store against one folder of reference sets."""

    def __init__(self, reference: ReferenceSets) -> None:
        self.ref = reference

    def lookup(self, scheme: str, target: str) -> Entry | str | None:
        """The reference entry; ``None`` if absent; a string if the scheme has no reference here."""
        tables = {
            "MONDO": lambda: {**self.ref.mondo_ncit[0], **self.ref.mondo_doid[0],
                              **self.ref.mondo_orphanet[0]},
            "NCIT": lambda: {**self.ref.mondo_ncit[1], **self.ref.ncit_agents},
            "hgnc": lambda: self.ref.hgnc, "oncotree": lambda: self.ref.oncotree,
            "DOID": lambda: self.ref.mondo_doid[1], "Orphanet": lambda: self.ref.mondo_orphanet[1],
        }
        if scheme not in tables:
            return f"no reference set for {scheme or 'this IRI'} here"
        return tables[scheme]().get(target)

    def check_one(self, entity: str, predicate: str, target: str,
                  labels: list[str]) -> list[LinkFinding]:
        scheme = _scheme(target)
        entry = self.lookup(scheme, target)
        if isinstance(entry, str):
            return [LinkFinding(INFO, entity, target, f"unchecked: {entry}", "")]
        if entry is None:
            if scheme == "NCIT" or not predicate.endswith("exactMatch"):
                return [LinkFinding(WARNING, entity, target,
                                    f"not in the local {scheme} reference subsets "
                                    "(checked where the mapping set's "
                                    "comment says)", "")]
            return [LinkFinding(ERROR, entity, target, f"{scheme} identifier not found", "")]
        return self._labels(entity, predicate, target, labels, entry, scheme)

    def _labels(self, entity: str, predicate: str, target: str, labels: list[str], entry: Entry,
                scheme: str) -> list[LinkFinding]:
        ours = {normalise(label) for label in labels}
        if normalise(entry.label) in ours or not predicate.endswith("exactMatch"):
            return []
        if scheme == "hgnc" and ours & {normalise(p) for p in entry.previous}:
            return [LinkFinding(WARNING, entity, target,
                                f"label is a previous HGNC symbol; the reference's approved symbol "
                                f"is {entry.label!r}", entry.source)]
        if scheme == "hgnc":
            return [LinkFinding(ERROR, entity, target, f"symbol disagrees with HGNC {entry.label!r}",
                                entry.source)]
        return [LinkFinding(INFO, entity, target, f"reference label {entry.label!r} differs from "
                            f"ours ({'; '.join(sorted(labels))})", entry.source)]

    def crosswalks(self, by_entity: dict[str, set[str]]) -> list[LinkFinding]:
        """Mondo↔NCIt and OncoTree→NCIt agreement for entities mapped to several schemes."""
        findings = []
        for entity, targets in sorted(by_entity.items()):
            ncit = {t for t in targets if _scheme(t) == "NCIT"}
            for t in sorted(targets):
                scheme = _scheme(t)
                if scheme not in ("MONDO", "oncotree") or not ncit:
                    continue
                table = self.ref.mondo_ncit[0] if scheme == "MONDO" else self.ref.oncotree
                entry = table.get(t)  # only these two carry NCIt cross-references
                if isinstance(entry, Entry) and entry.xrefs and not entry.xrefs & ncit:
                    crossrefs = ", ".join(sorted(compress(x) or x for x in entry.xrefs))
                    findings.append(LinkFinding(
                        ERROR, entity, t, f"{scheme} maps to {crossrefs}, not to our NCIt "
                        f"{', '.join(sorted(compress(n) or n for n in ncit))}", entry.source))
        return findings


def check_links(store: Store, reference: ReferenceSets) -> list[LinkFinding]:
    """Every finding about the store's external identifiers, sorted."""
    checker = LinkChecker(reference)
    findings: list[LinkFinding] = []
    exact: dict[str, set[str]] = defaultdict(set)
    for row in store.query(MATCH_QUERY).texts():
        entity, predicate, target = row["entity"], row["predicate"], row["target"]
        labels = [x for x in row["labels"].split("|") if x] if "labels" in row else []
        findings += checker.check_one(entity, predicate, target, labels)
        if predicate.endswith("exactMatch"):
            exact[entity].add(target)
    findings += checker.crosswalks(exact)
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    return sorted(findings, key=lambda f: (order[f.severity], f.entity, f.target, f.problem))
