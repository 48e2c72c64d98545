# pak-afghan-security-news: `make data` builds and validates the dataset,
# `make test` runs the test suite. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export GX_ANALYTICS_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: data validate test check evaluate stats bench bench-ways-in bench-scale bench-mentions mutation release sqlite browse site test-browser cff-venv clean FORCE

# The minimum Python is 3.11: the pinned numpy 2.4 and pandas 3 (requirements.lock) publish
# no release for older Pythons, so pip would fail deep inside the install with "no matching
# distribution", and mypy checks the code as 3.11 (pyproject.toml). Checked before .venv is made.
PYTHON_MIN := 3.11
# Identifies $(PYTHON) (version and real executable); changes when another Python is asked for.
PYTHON_STAMP := $(VENV)/.python

# `$(PYTHON) -c "$$PYTHON_CHECK" identity` prints "<version> <executable>", or fails with a clear
# message when $(PYTHON) is older than $(PYTHON_MIN) (so this code runs on any Python, even 2.7);
# `... same <pyvenv.cfg>` fails, saying why, when the venv was made by another Python.
define PYTHON_CHECK
import os, platform, sys
minimum = tuple(int(part) for part in "$(PYTHON_MIN)".split("."))
if sys.version_info[:2] < minimum:
    sys.exit("error: Python $(PYTHON_MIN) or newer is needed; $(PYTHON) is Python %s (%s).\n"
             "Install Python $(PYTHON_MIN)+ and run e.g. `make PYTHON=python3.12 test`."
             % (platform.python_version(), sys.executable))
this = (platform.python_version(), os.path.realpath(sys.executable))
if sys.argv[1] == "identity":
    print("%s %s" % this)
else:
    with open(sys.argv[2]) as handle:
        cfg = dict(line.split("=", 1) for line in handle.read().splitlines() if "=" in line)
    cfg = {key.strip(): value.strip() for key, value in cfg.items()}
    made_by = (cfg.get("version") or cfg.get("version_info", "?"),
               os.path.realpath(cfg["executable"]) if "executable" in cfg else cfg.get("home", "?"))
    if made_by[0] != this[0] or ("executable" in cfg and made_by[1] != this[1]):
        sys.exit("rebuilding $(VENV): it was made by Python %s (%s), not by $(PYTHON) = Python %s (%s)"
                 % (made_by + this))
endef
export PYTHON_CHECK

# Always checked (cheap): fails on a too old $(PYTHON); rewritten only when $(PYTHON) is another
# Python than last time, which makes $(INSTALLED) out of date and so rebuilds the venv.
$(PYTHON_STAMP): FORCE
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; Python $(PYTHON_MIN) or newer is needed (make PYTHON=/path/to/python3.x test)" >&2; exit 1; }; \
	identity="$$($(PYTHON) -c "$$PYTHON_CHECK" identity)" || exit 1; \
	if [ ! -f $@ ] || [ "$$(cat $@)" != "$$identity" ]; then mkdir -p $(VENV) && echo "$$identity" > $@; fi

# A venv made by another Python is removed and made again (one half installed by this Python
# is completed by pip). pip shows its progress on a terminal and is quiet otherwise (CI logs).
$(INSTALLED): requirements.lock $(PYTHON_STAMP)
	@if [ -f $(VENV)/pyvenv.cfg ] && ! $(PYTHON) -c "$$PYTHON_CHECK" same $(VENV)/pyvenv.cfg; then \
		identity="$$(cat $(PYTHON_STAMP))"; rm -rf $(VENV); mkdir -p $(VENV); echo "$$identity" > $(PYTHON_STAMP); \
	fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if [ -t 1 ]; then quiet=; else quiet=--quiet; fi; \
	echo "$(BIN)/python -m pip install $$quiet --disable-pip-version-check -r requirements.lock"; \
	$(BIN)/python -m pip install $$quiet --disable-pip-version-check -r requirements.lock
	touch $(INSTALLED)

FORCE:

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

## sqlite: the package as one SQLite file, build/<name>.sqlite (keys, indexes, full-text search, views)
sqlite: $(INSTALLED)
	$(BIN)/python -m scripts sqlite

## browse: datasette over the SQLite file on http://127.0.0.1:8001/ (metadata generated from the schemas)
browse: $(INSTALLED)
	$(BIN)/python -m scripts browse

## site: the static site into build/site/ (open build/site/index.html; works from file://)
site: $(INSTALLED)
	$(BIN)/python -m scripts site

## bench-ways-in: time of make sqlite and make site on the package and on synthetic packages of 100 and 1,000 articles
bench-ways-in: $(INSTALLED)
	$(BIN)/python -m benchmarks.bench_ways_in

## test-browser: the site in headless Chromium (Debian's chromium and chromium-driver; skipped when absent)
test-browser: $(INSTALLED)
	$(BIN)/python -m pytest -q -rs tests/test_site_browser.py

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

## bench-mentions: build and span checks of one article of 16 KiB to 1 MiB: cost per mention must stay flat
bench-mentions: $(INSTALLED)
	$(BIN)/python -m benchmarks.bench_mentions

MUTATION := .venv-mut
MUTATION_INSTALLED := $(MUTATION)/.installed
MUTATION_SAMPLE ?= 60

# mutmut in a venv of its own (a tool, not a dependency of the project): the project's pins plus mutmut.
$(MUTATION_INSTALLED): requirements.lock
	test -x $(MUTATION)/bin/python || $(PYTHON) -m venv $(MUTATION)
	$(MUTATION)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock mutmut==3.8.1
	touch $(MUTATION_INSTALLED)

## mutation: mutmut over validate, annotations and publish with their tests, a sample of mutants
## (MUTATION_SAMPLE per module; slow, never in CI): build/mutation/report.json, see docs/mutation-report.md
mutation: $(MUTATION_INSTALLED)
	$(MUTATION)/bin/python -m benchmarks.mutation --sample $(MUTATION_SAMPLE)

## release: cut a versioned release (bump worked out from the diff; see docs/versioning.md);
## refuses drafted sources unless RELEASE_ARGS=--publish-drafts
release: $(INSTALLED)
	$(BIN)/python -m scripts release $(RELEASE_ARGS)

## cff-venv: cffconvert in its own venv (it pins an old jsonschema); the CITATION.cff test uses it when present
cff-venv: .venv-cff/bin/cffconvert
.venv-cff/bin/cffconvert:
	$(PYTHON) -m venv .venv-cff
	.venv-cff/bin/python -m pip install --quiet cffconvert==2.0.0

clean:
	@if [ -f .publish-journal.json ]; then echo "an interrupted publish is pending (.publish-journal.json): run make data to finish it before make clean removes its staging folder" >&2; exit 1; fi
	rm -rf $(VENV) .venv-cff .venv-bench .venv-mut .build-* .pytest_cache build dist
