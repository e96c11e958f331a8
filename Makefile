# Every target creates the virtual environment on first use: a fresh machine
# needs only python3 (>= 3.11) and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test lint typecheck unit bench loadtest abuse dist clean vllm-env test-vllm bench-vllm

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/logicsvc serve --host $(HOST) --port $(PORT)

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check logicsvc provers tests bench
	$(BIN)/ruff format --check logicsvc provers tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m pytest bench --benchmark-only --benchmark-columns=min,median,mean,max,rounds -q

loadtest: $(STAMP)
	$(BIN)/python bench/loadtest.py --requests 400 --concurrency 8 --latency 0.2
	$(BIN)/python bench/loadtest.py --mode prove --requests 1000 --concurrency 8 --repeats 3

abuse: $(STAMP)
	$(BIN)/python bench/abuse.py --seconds 5

# vLLM's CPU build lives in its own cached environment (scripts/vllm-env); with it
# built, `make test` runs the vLLM integration test too. LOGICSVC_VLLM_PYTHON points
# both targets below at another Python with vLLM (e.g. the CUDA build on a GPU box).
vllm-env:
	scripts/vllm-env

test-vllm: $(STAMP)
	$(BIN)/python -m pytest -q -m vllm -rs

bench-vllm:
	PYTHONPATH=. $${LOGICSVC_VLLM_PYTHON:-$$(scripts/vllm-env)} -m pytest bench/test_bench_vllm.py \
		--benchmark-only --benchmark-columns=min,median,max,rounds -q -p no:cacheprovider

dist: $(STAMP)
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist .

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache .benchmarks
