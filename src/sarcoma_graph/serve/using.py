"""The protocol's ``using-graph-uri``/``using-named-graph-uri`` applied to an update's text
(run in a query worker: the text may be large)."""

from __future__ import annotations

from sarcoma_graph.plumbing.scanner import Token, tokens
from sarcoma_graph.serve.guard import Refused


def _closing(all_tokens: list[Token], opening: int) -> int:
    """Index of the token closing the bracket opened at ``opening``."""
    depth = all_tokens[opening].depth
    for index in range(opening + 1, len(all_tokens)):
        token = all_tokens[index]
        if token.depth == depth + 1 and token.text == "}":
            return index
    raise Refused("unbalanced braces in the update")


def add_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Apply the graphs to every operation.

    ``USING`` clauses go before each top-level ``WHERE``; the ``DELETE WHERE {P}`` shortcut
    (which has no ``USING`` slot) becomes ``DELETE {P} USING … WHERE {P}``. :class:`Refused`
    when the update has its own ``USING``/``WITH`` (SPARQL 1.1 Protocol §2.2.3).
    """
    all_tokens = list(tokens(update))
    top = [(i, t) for i, t in enumerate(all_tokens) if t.depth == 0 and t.kind == "word"]
    if any("using" in t.text.lower() or "with" in t.text.lower() for _, t in top):
        raise Refused("the update has its own USING or WITH clause, so using-graph-uri and "
                      "using-named-graph-uri cannot be applied (SPARQL 1.1 Protocol §2.2.3)")
    clauses = "".join(f" USING <{g}>" for g in using)
    clauses += "".join(f" USING NAMED <{g}>" for g in using_named)
    edits = []
    for position, (index, token) in enumerate(top):
        if token.text.lower() != "where":
            continue
        if position and top[position - 1][1].text.lower() == "delete":  # DELETE WHERE shortcut
            opening = next(i for i in range(index + 1, len(all_tokens))
                           if all_tokens[i].text == "{")
            end = all_tokens[_closing(all_tokens, opening)]
            pattern = update[all_tokens[opening].start:end.start + 1]
            edits.append((token.start, f"{pattern}{clauses} "))
        else:
            edits.append((token.start, f"{clauses.strip()} "))
    for start, insert in reversed(edits):
        update = update[:start] + insert + update[start:]
    return update
