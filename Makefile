# Attention — everyday commands. `make html` and `make test` work on a fresh machine.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PELICAN := $(BIN)/pelican
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
CONTENT ?= content
OUTPUT ?= output
PORT ?= 8000

.PHONY: html serve devserver publish fetch digest test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

html: $(STAMP)  ## build the sample site into output/
	$(PELICAN) $(CONTENT) -o $(OUTPUT) -s pelicanconf.py
	$(BIN)/python -m attention.search $(OUTPUT)

serve: $(STAMP)  ## serve output/ on http://127.0.0.1:$(PORT)
	$(PELICAN) --listen -o $(OUTPUT) -p $(PORT) -b 127.0.0.1

devserver: $(STAMP)  ## rebuild on change and serve; the search index is rebuilt after each build
	$(PELICAN) -lr $(CONTENT) -o $(OUTPUT) -s pelicanconf.py -p $(PORT) -b 127.0.0.1 \
		-e ATTENTION_SEARCH_ON_BUILD=true

publish: $(STAMP)  ## production build: absolute URLs, no drafts
	$(PELICAN) $(CONTENT) -o $(OUTPUT) -s publishconf.py
	$(BIN)/python -m attention.search $(OUTPUT)

fetch: $(STAMP)  ## pull feeds.yml into draft briefs
	$(BIN)/attention fetch --config feeds.yml

digest: $(STAMP)  ## open this week's digest draft
	$(BIN)/attention digest

NPM_STAMP := node_modules/.installed

$(NPM_STAMP): package.json package-lock.json  ## axe-core for tests/test_a11y.py (skips without it)
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility tests will skip"; fi

test: $(TEST_STAMP) $(NPM_STAMP)  ## run the whole test suite
	$(BIN)/ruff check plugins tests bench pelicanconf.py publishconf.py
	$(BIN)/ruff format --check plugins tests bench pelicanconf.py publishconf.py
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check --fix plugins tests bench pelicanconf.py publishconf.py
	$(BIN)/ruff format plugins tests bench pelicanconf.py publishconf.py

bench: $(TEST_STAMP)  ## benchmarks (ratios against a baseline run side by side)
	$(BIN)/python bench/build.py 1000
	$(BIN)/python bench/fetch.py 300
	$(BIN)/python bench/trends.py
	$(BIN)/python bench/send.py

clean:
	rm -rf $(OUTPUT) __pycache__ .pytest_cache
