"""sarcoma-graph: a knowledge graph of the systemic treatment of soft-tissue sarcomas.

Importing this package does no work: every stage is a function called explicitly
(build → reason → validate → QC → export → serve).
"""

__version__ = "0.5.0"
