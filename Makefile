# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test test-unit test-pages test-e2e bench screenshots clean

$(BIN)/activate: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/activate

## Start the app on the embedded SQLite database (seeds a sample journey on first start).
run: $(BIN)/activate
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

## Run every test: domain unit tests, AppTests of every page, Playwright browser tests.
test: $(BIN)/activate
	$(BIN)/pytest

test-unit: $(BIN)/activate
	$(BIN)/pytest tests --ignore=tests/e2e -m "not pages"

test-pages: $(BIN)/activate
	$(BIN)/pytest tests/test_pages.py

test-e2e: $(BIN)/activate
	$(BIN)/pytest tests/e2e

## Rerun time of each page on a large journey against a small one.
bench: $(BIN)/activate
	$(BIN)/python bench/bench_pages.py

## Screenshots of every page in Thai and English (needs Chromium).
screenshots: $(BIN)/activate
	$(BIN)/python tools/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache
