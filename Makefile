# Thin wrapper: the logic lives in the `sarcoma-graph` CLI. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
SG      = $(BIN)/sarcoma-graph
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: help install serve graph test test-deps lint format release clean bench bench-scale bench-endpoint

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
	  | sed -e 's|$$(HOST)|$(HOST)|g' -e 's|$$(PORT)|$(PORT)|g' \
	  | awk -F ':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/sarcoma-graph: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11+) on PATH, or run: make PYTHON=python3 ..."; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/sarcoma-graph ## Create .venv and install the project with its test tools

graph: install ## Build the graph, reason over it, validate it and run the QC checks
	$(SG) build
	$(SG) reason
	$(SG) validate
	$(SG) qc

serve: graph ## Build the graph and serve it at http://$(HOST):$(PORT)/sparql (embedded store)
	$(SG) serve --host $(HOST) --port $(PORT)

test-deps: ## Install what the tests drive besides Python (Java for HermiT, Chromium)
	bash scripts/install-test-deps.sh

test: install test-deps ## Run the whole test suite (lint and type checks included)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest

lint: install ## Ruff over the code, mypy (strict) over src/, edited Turtle canonical
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(SG) normalize --check

format: install ## Put the edited Turtle files in canonical form
	$(SG) normalize

release: graph ## Write the release set into release/
	$(SG) release release

clean: ## Remove generated artefacts (not the venv)
	rm -rf build release .pytest_cache

bench: install ## Run the benchmarks (endpoint vs oxigraph server and rdflib-endpoint; CIViC import)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/endpoint.py
	$(BIN)/python bench/civic_import.py

bench-scale: install ## Pipeline stages at 100k and 1M quads (SIZES="100k 1m 10m" to choose)
	$(BIN)/python bench/scale.py $(SIZES)

bench-endpoint: install ## Endpoint vs oxigraph serve/serve-read-only/rdflib-endpoint with wrk (cache defeated)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/endpoint_wrk.py $(ARGS)
