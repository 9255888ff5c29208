# Two commands on a fresh machine:
#   make run    set up and serve the app with demo data on http://127.0.0.1:5000
#   make test   set up and run every test on SQLite and again on PostgreSQL
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app

.PHONY: run test setup setup-dev assets translations database messages lint clean

run: setup database
	$(FLASK) run --host 127.0.0.1 --port 5000

test:
	bash scripts/test.sh

setup: $(VENV)/.runtime assets translations

setup-dev: $(VENV)/.dev assets translations

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.runtime

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: node_modules/.package-lock.json
	npm run --silent build

translations: $(VENV)/.runtime
	$(BIN)/pybabel compile -d translations

database: $(VENV)/.runtime
	$(FLASK) db upgrade
	$(FLASK) pb load-census
	$(FLASK) pb seed-demo

# For developers: refresh the catalogues after changing user-facing text.
messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext --add-comments=Translators: --no-location --sort-output -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

lint: $(VENV)/.dev
	$(BIN)/ruff check pb tests benchmarks app.py

clean:
	rm -rf $(VENV) node_modules pb/static/build instance translations/*/LC_MESSAGES/*.mo
