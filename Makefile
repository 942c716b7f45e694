# Quick start: `make demo` shows the provider working end to end; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: demo test bench lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The celery extra serves the CeleryExecutor system test (tests/system/test_celery_scale.py).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,celery]"
	touch $(STAMP)

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,celery,bench]"
	touch $(BENCH_STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The second pass runs the operator, sensor, trigger, event and hook tests against an account in Kyiv.
KYIV_PASS := tests/operators tests/sensors tests/triggers tests/events tests/hooks

test: lint typecheck
	$(BIN)/python -m pytest
	SENDPULSE_EMULATOR_TIMEZONE=Europe/Kyiv $(BIN)/python -m pytest -q -m "not integration and not slow" $(KYIV_PASS)

# Benchmarks against the emulator (about 4 hours, see benchmarks/README.md); writes benchmarks/results/.
bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info
