# pak-afghan-security-news: `make data` builds and validates the dataset,
# `make test` runs the test suite. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export GX_ANALYTICS_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: data validate test check evaluate stats bench bench-scale release cff-venv clean

$(INSTALLED): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(INSTALLED)

## data: build into a staging folder, validate, then replace data/*.csv|parquet and datapackage.json
data: $(INSTALLED)
	$(BIN)/python -m scripts build

## validate: validate the published package in place
validate: $(INSTALLED)
	$(BIN)/python -m scripts validate

## test: the test suite
test: $(INSTALLED)
	$(BIN)/python -m pytest -q

## evaluate: score the drafter leave-one-out on the curated articles
evaluate: $(INSTALLED)
	$(BIN)/python -m scripts evaluate

## check: resolve every annotation without writing anything
check: $(INSTALLED)
	$(BIN)/python -m scripts check

## stats: per-source annotation counts of the published tables
stats: $(INSTALLED)
	$(BIN)/python -m scripts stats

BENCH := .venv-bench
BENCH_INSTALLED := $(BENCH)/.installed

# The benchmark's own venv: the project's requirements plus the peers the drafter is
# compared with (textacy, quantulum3, spaCy and its English pipeline), pinned by hash.
$(BENCH_INSTALLED): requirements-bench.lock
	test -x $(BENCH)/bin/python || $(PYTHON) -m venv $(BENCH)
	$(BENCH)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-bench.lock
	touch $(BENCH_INSTALLED)

## bench: time and memory of the build, validation and drafter stages, drafter beside its peers (medians)
bench: $(INSTALLED) $(BENCH_INSTALLED)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.bench_validate
	$(BENCH)/bin/python -m benchmarks.bench_drafter

## bench-scale: draft, build and validate 1k, 10k and 100k synthetic articles (wall, CPU, peak RSS, 1->2 workers)
bench-scale: $(INSTALLED)
	$(BIN)/python -m benchmarks.bench_scale

## release: cut a versioned release (bump worked out from the diff; see docs/versioning.md)
release: $(INSTALLED)
	$(BIN)/python -m scripts release

## cff-venv: cffconvert in its own venv (it pins an old jsonschema); the CITATION.cff test uses it when present
cff-venv: .venv-cff/bin/cffconvert
.venv-cff/bin/cffconvert:
	$(PYTHON) -m venv .venv-cff
	.venv-cff/bin/python -m pip install --quiet cffconvert==2.0.0

clean:
	rm -rf $(VENV) .venv-cff .venv-bench .build-* .pytest_cache build dist
