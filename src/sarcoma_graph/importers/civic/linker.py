"""Links from CIViC evidence items to the curated statements they bear on, computed by SPARQL.

A CIViC item bears on a curated statement when both are about the same histotype (or the
item's histotype is a subtype of the statement's), the same agent (or the item's drug is in
the statement's drug class), and share a gene: a gene of the statement's alteration, its
``sg:aboutGene``, or a gene of the histotype's causal alteration (a statement with no gene at
all is matched on histotype and agent alone). The link is ``sg:supports`` for a supporting item
of positive significance, ``sg:disputes`` for a non-supporting item of positive significance
or a supporting item of resistance.
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox

from sarcoma_graph.importers.civic import vocab as v
from sarcoma_graph.namespaces import graph_iri, sparql_prologue
from sarcoma_graph.store import Store

_QUERY = sparql_prologue("sg", "rdfs") + """\
SELECT DISTINCT ?item ?statement ?relation WHERE {{
  GRAPH <{civic}> {{
    ?item a sg:CivicEvidenceItem ; sg:aboutTumour ?tumour ; sg:aboutAgent ?agent ;
          sg:evidenceDirection ?direction ; sg:clinicalSignificance ?significance .
  }}
  GRAPH <{curated}> {{ ?statement sg:aboutTumour ?histotype ; sg:aboutAgent ?claimed . }}
  ?statement a/rdfs:subClassOf* sg:EvidenceStatement .
  ?tumour sg:isSubtypeOf* ?histotype .
  FILTER(?agent = ?claimed || EXISTS {{ ?agent sg:inDrugClass ?claimed }})
  FILTER(NOT EXISTS {{ ?statement sg:aboutGene|sg:aboutAlteration ?anything }}
         && NOT EXISTS {{ ?histotype sg:hasCausalAlteration ?causal }}
         || EXISTS {{
              ?item sg:aboutAlteration ?alteration . ?alteration ?affects ?gene .
              ?affects rdfs:subPropertyOf* sg:affectsGene .
              {{ ?statement sg:aboutGene ?gene }}
              UNION {{ ?statement sg:aboutAlteration ?claimedAlt . ?claimedAlt ?affects2 ?gene .
                       ?affects2 rdfs:subPropertyOf* sg:affectsGene }}
              UNION {{ ?histotype sg:hasCausalAlteration ?causalAlt . ?causalAlt ?affects3 ?gene .
                       ?affects3 rdfs:subPropertyOf* sg:affectsGene }} }})
  VALUES (?direction ?significance ?relation) {{ {rules} }}
}}
"""


def link_rules() -> str:
    """The ``VALUES`` rows: (direction, significance) → supports or disputes."""
    rows = []
    for name in v.POSITIVE_SIGNIFICANCES:
        sig = v.significance_iri(name)
        rows.append((v.sg("Supports"), sig, v.sg("supports")))
        rows.append((v.sg("DoesNotSupport"), sig, v.sg("disputes")))
    for name in v.NEGATIVE_SIGNIFICANCES:
        rows.append((v.sg("Supports"), v.significance_iri(name), v.sg("disputes")))
    return " ".join(f"(<{d}> <{s}> <{r}>)" for d, s, r in rows)


def link_query() -> str:
    """The SPARQL query finding (item, curated statement, relation)."""
    return _QUERY.format(civic=graph_iri("civic"), curated=graph_iri("curated"),
                         rules=link_rules())


def link_quads(store: Store) -> list[ox.Quad]:
    """The link triples (in the civic graph) for a store holding curated and CIViC data."""
    graph = ox.NamedNode(graph_iri("civic"))
    result = store.query(link_query())
    return sorted((ox.Quad(b["item"], b["relation"], b["statement"], graph)  # type: ignore[arg-type]
                   for b in result.bindings()), key=str)


def count_links(quads: list[ox.Quad]) -> dict[str, int]:
    """``{"supports": n, "disputes": m}``."""
    counts = Counter(q.predicate.value.removeprefix(v.SG) for q in quads)
    return {name: counts.get(name, 0) for name in ("supports", "disputes")}
