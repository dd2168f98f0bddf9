"""``python -m sarcoma_graph``: the same commands as the ``sarcoma-graph`` script."""

from sarcoma_graph.cli import app

if __name__ == "__main__":
    app(prog_name="sarcoma-graph")
