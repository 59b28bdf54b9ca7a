# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PORT ?= 8501

.PHONY: run test test-fast lint bench bench-jax clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamp files record which requirement set is installed; they are remade when a requirements file changes.
$(VENV)/.app-installed: requirements.txt constraints.txt | $(BIN)/python
	$(PIP) install -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt constraints.txt | $(BIN)/python
	$(PIP) install -r requirements-dev.txt -c constraints.txt
	touch $@ $(VENV)/.app-installed

run: $(VENV)/.app-installed
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# Two pytest-xdist workers, each given whole test files (a file's fixtures are set up once), the heaviest files
# first (tests/conftest.py). Much of the suite waits on Chromium, Streamlit servers and subprocesses, so two workers
# gain even on two cores. `make test TEST_WORKERS=0` runs in one process (as `python -m pytest tests/test_x.py` does).
TEST_WORKERS ?= 2
XDIST := $(if $(filter 0,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder)

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest $(XDIST)

# The quick loop while working: no browser tests, none of the slow ones (pytest.ini defines both markers).
test-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest $(XDIST) -m "not browser and not slow"

# ruff, then the import contracts of .importlinter (layers, no cycles, no streamlit in rnn_lab/).
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/arch_bench.py
	$(BIN)/python bench/data_bench.py
	$(BIN)/python bench/train_bench.py
	$(BIN)/python bench/train_warm_bench.py
	$(BIN)/python bench/cold_start_bench.py
	$(BIN)/python bench/inside_bench.py
	$(BIN)/python bench/digits_bench.py
	$(BIN)/python bench/text_bench.py
	$(BIN)/python bench/store_bench.py
	$(BIN)/python bench/class_board_bench.py
	$(BIN)/python bench/classroom_load.py
	$(BIN)/python bench/workers_bench.py --class
	$(BIN)/python bench/browser_timings.py

# Issue 13's dependency route, measured only: the same workloads on Keras 3's JAX backend in a venv of its own
# (.venv-jax), beside the TensorFlow ways in one table. Neither the app nor the tests use JAX.
VENV_JAX := .venv-jax
$(VENV_JAX)/.installed: requirements-bench-jax.txt constraints-bench-jax.txt
	$(PYTHON) -m venv $(VENV_JAX)
	$(VENV_JAX)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_JAX)/bin/python -m pip install -r requirements-bench-jax.txt -c constraints-bench-jax.txt
	touch $@

bench-jax: $(VENV)/.dev-installed $(VENV_JAX)/.installed
	$(BIN)/python bench/train_warm_bench.py

clean:
	rm -rf $(VENV) $(VENV_JAX) tests/artifacts .pytest_cache
