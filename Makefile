# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# The machine's PostgreSQL and Redis, for the test suite (override as you like).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/consensus
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_SECRET_KEY ?= insecure-test-only-key

.PHONY: run test test-postgresql test-sqlite lint check-deploy format migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

## run: migrate, load the demo scenario and serve on http://127.0.0.1:8000 (embedded default).
run: export DEBUG ?= true
run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## test: the whole suite on PostgreSQL and Redis, then again on the embedded default (SQLite).
test: test-postgresql test-sqlite

test-postgresql: $(VENV)/.dev
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) SECRET_KEY=$(TEST_SECRET_KEY) \
		$(BIN)/pytest $(PYTEST_ARGS)

test-sqlite: $(VENV)/.dev
	env -u DATABASE_URL -u REDIS_URL SECRET_KEY=$(TEST_SECRET_KEY) \
		$(BIN)/pytest -m "not postgresql" $(PYTEST_ARGS)

## lint: ruff, formatting, mypy and the migration check (CI runs these too).
lint: export SECRET_KEY ?= $(TEST_SECRET_KEY)
lint: $(VENV)/.dev
	env -u DATABASE_URL -u REDIS_URL $(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u DATABASE_URL -u REDIS_URL $(BIN)/mypy .
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python manage.py makemigrations --check --dry-run

## check-deploy: Django's deployment checklist under production-like settings; any warning fails.
check-deploy: $(VENV)/.runtime
	env -u REDIS_URL DEBUG=false ALLOWED_HOSTS=example.org \
		SECRET_KEY=check-deploy-2f9c7e1a84b6d350c9e7a1f4b8d2e6c03a5f9b7d1e4c8a2f6b0d3e7c5a9f1b4d8e2 \
		DATABASE_URL=$(TEST_DATABASE_URL) SECURE_SSL_REDIRECT=true SECURE_PROXY_SSL_HEADER=true \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

## bench-data: create the benchmark database and fill it (2,000 measures, 1M changes, seed 1).
## It refuses a database that already holds measures: add --flush to BENCH_DATA_ARGS to refill.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/consensus_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/14
BENCH_DATA_ARGS ?= --measures 2000 --changes 1000000 --seed 1
BENCH_ARGS ?=
.PHONY: bench bench-data bench-quick
bench-data: $(VENV)/.runtime
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=$(TEST_SECRET_KEY) \
		$(BIN)/python bench/run.py --prepare
	DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=$(TEST_SECRET_KEY) \
		$(BIN)/python manage.py generate_bench_data $(BENCH_DATA_ARGS)

## bench: the benchmark (gunicorn + wrk on loopback, PostgreSQL, Redis); prints one table and
## writes bench/results.json. Makes its databases when missing (minutes). bench-quick: smaller.
bench: $(VENV)/.runtime
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) \
		$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-quick:
	$(MAKE) bench BENCH_ARGS="--quick $(BENCH_ARGS)"

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
