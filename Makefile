# The two set-up commands (README): `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test lint bench bench-pages load vendor

# Installs Safehold into .venv and runs the demo on the embedded SQLite database.
demo: $(STAMP)
	$(VENV)/bin/safehold demo

# Installs what the tests need (Python packages, Debian's chromium and postgresql) and
# runs everything: lint, types, the suite on SQLite and PostgreSQL, the browser tests.
test:
	./scripts/test

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy safehold

# Benchmarks (docs/performance.md): not part of the test suite. The server under wrk on
# PostgreSQL and SQLite at 10,000 cases, the scale figures and the monitoring report at
# CASES (a million: about 20 minutes to load) on throwaway databases.
CASES ?= 1000000
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) bench/serve.py --large $(CASES) --report

# Every page as a synth team manager and a director, against the bare signed-in page
# (bench/pages.py; docs/performance.md "Pages at scale"): SQLite at 10,000 and 100,000
# cases, PostgreSQL at 10,000.
bench-pages: $(STAMP)
	$(PY) bench/pages.py --database sqlite --cases 10000 100000
	$(PY) bench/pages.py --database postgresql --cases 10000

# Fifty officers working for five minutes with locust (bench/load.py; docs/performance.md).
load: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/load.py

vendor:
	./scripts/vendor-frontend

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)
