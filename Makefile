# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test test-postgres test-unit test-pages test-e2e bench bench-growth screenshots clean

$(BIN)/activate: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/activate

## Start the app on the embedded SQLite database (seeds a sample journey on first start).
run: $(BIN)/activate
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

## Run every test: domain unit tests, AppTests of every page, Playwright browser tests
## (on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set: see test-postgres).
test: $(BIN)/activate
	$(BIN)/pytest

## The same on a PostgreSQL server of yours as well as on SQLite: every database test runs as
## test_x[sqlite] and test_x[postgresql], each on a new database the tests create and drop.
## Needs a role that may create databases, e.g. (as the postgres user):
##   createuser --createdb --pwprompt cem && createdb --owner cem cem_test
##   make test-postgres TEST_DATABASE_URL=postgresql://cem:PASSWORD@127.0.0.1:5432/cem_test
## `bash .ci/run` (as root, what CI runs) installs and starts a throw-away server by itself.
test-postgres: $(BIN)/activate
	@if [ -z "$$TEST_DATABASE_URL" ]; then \
	  echo "Set TEST_DATABASE_URL=postgresql://USER:PASSWORD@HOST:PORT/DATABASE (see the Makefile)" >&2; exit 2; fi
	$(BIN)/pytest

test-unit: $(BIN)/activate
	$(BIN)/pytest tests --ignore=tests/e2e -m "not pages"

test-pages: $(BIN)/activate
	$(BIN)/pytest tests/test_pages.py

test-e2e: $(BIN)/activate
	$(BIN)/pytest tests/e2e

## Rerun time of each page on a large journey against a small one; saves, idle sessions and clicks in Chromium;
## the billing import and the 20:80 analysis against bare references.
bench: $(BIN)/activate
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_writes.py
	$(BIN)/python bench/bench_sessions.py
	$(BIN)/python bench/bench_browser.py
	$(BIN)/python bench/bench_customers.py
	$(BIN)/python bench/bench_kb.py

## Four pages on a journey 8 times the large one, against the large one.
bench-growth: $(BIN)/activate
	$(BIN)/python bench/bench_pages.py --growth

## Screenshots of every page in Thai and English (needs Chromium).
screenshots: $(BIN)/activate
	$(BIN)/python tools/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache
