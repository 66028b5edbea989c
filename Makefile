# Two entry points for a fresh Linux machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLE := examples/xa-dien-chau

.PHONY: demo test lint sample preview bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	touch $@

# Exit code 1 means "finished, some inputs had problems": the sample has such a file on purpose.
# Last year's annexes go into the registry first (importing twice changes nothing).
demo: $(VENV)/.installed
	$(BIN)/dvk history import $(SAMPLE)/nam_truoc/*.xlsx --year 2025 --workspace $(SAMPLE)
	$(BIN)/dvk consolidate --workspace $(SAMPLE) || [ $$? -eq 1 ]
	@echo ""
	@echo "Kết quả nằm trong: $(SAMPLE)/outbox/"
	@ls -1 $(SAMPLE)/outbox/*/

test: $(VENV)/.installed lint
	$(BIN)/pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check pipeline tests examples bench
	$(BIN)/ruff format --check pipeline tests examples bench

# Regenerate the bundled sample inbox from its script (review the diff).
sample: $(VENV)/.installed
	$(BIN)/python examples/build_sample.py

# Render the README pictures from the sample's real outputs to docs/ (needs LibreOffice and poppler-utils).
preview: $(VENV)/.installed
	$(BIN)/python examples/render_preview.py

clean:
	rm -rf $(VENV) $(SAMPLE)/outbox/2* $(SAMPLE)/dvk.sqlite

# A province (5,000 unit forms) against the naive read and the calamine floor, in the same run.
# `make bench BENCH="--files 200 --repeat 1"` for a quick look.
bench: $(VENV)/.installed
	$(BIN)/python -m bench.run $(BENCH)
