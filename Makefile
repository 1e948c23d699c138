# daas: two commands for a newcomer.
#   make run   create .venv, install, migrate the SQLite database, load demo data, serve on :5000 and
#              start the scheduler beside it (SCHEDULER=0 leaves it out)
#   make test  create .venv, install, run the whole suite on SQLite, then on PostgreSQL if one answers

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
DAAS_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Two workers on a 2-core machine (pytest-xdist); PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?= -n $(PYTEST_WORKERS)
SCHEDULER ?= 1

.PHONY: install run test lint bench bench-billing bench-impact bench-scheduler bench-pages bench-pages-scale bench-planner bench-sign-in bench-documents bench-orders bench-notifications bench-workshop clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi daas demo
	@echo ""
	@echo "daas is starting on http://$(HOST):$(PORT)  (API docs: http://$(HOST):$(PORT)/api/docs)"
	@echo "Sign in at http://$(HOST):$(PORT)/login with one of the e-mails above and the password daas-demo-2026;"
	@echo "each role lands on its own pages. Or call the API with one of the tokens above, for example:"
	@echo "  curl -H 'Authorization: Bearer daas_demo_admin_daas' http://$(HOST):$(PORT)/api/v1/contracts"
	@echo "In the docs page, press Authorize and paste a token."
	@set -e; \
	if [ "$(SCHEDULER)" = "1" ]; then \
		echo "The scheduler runs beside the web server (its lines start with daas.scheduler; make run SCHEDULER=0 leaves it out)."; \
		$(BIN)/flask --app wsgi daas scheduler & scheduler=$$!; \
		trap 'kill -TERM $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	fi; \
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

# The suite runs on SQLite, then again on PostgreSQL when DAAS_TEST_DATABASE_URL answers.
# DAAS_REQUIRE_POSTGRES=1 (set by .ci/run) makes an unreachable PostgreSQL a failure.
test: $(STAMP)
	@set -e; \
	echo "== Test suite on SQLite"; \
	DAAS_TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS); \
	sqlite="passed"; \
	if $(BIN)/python -c "import sqlalchemy as sa; sa.create_engine('$(DAAS_TEST_DATABASE_URL)', connect_args={'connect_timeout': 3}).connect().close()" 2>/dev/null; then \
		echo "== Test suite on PostgreSQL ($(DAAS_TEST_DATABASE_URL))"; \
		DAAS_TEST_DATABASE_URL='$(DAAS_TEST_DATABASE_URL)' $(BIN)/pytest $(PYTEST_ARGS); \
		postgres="passed"; \
	elif [ "$$DAAS_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required (DAAS_REQUIRE_POSTGRES=1) but $(DAAS_TEST_DATABASE_URL) does not answer."; \
		exit 1; \
	else \
		postgres="not run: $(DAAS_TEST_DATABASE_URL) does not answer"; \
	fi; \
	echo "== Suites: SQLite $$sqlite; PostgreSQL $$postgres"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/foundation.py

# Needs PostgreSQL: creates (and drops) the database daas_bench; about fifteen minutes.
bench-billing: $(STAMP)
	$(BIN)/python bench/billing.py --contracts 5000 --scale-to 100000

# Needs PostgreSQL: creates (and drops) the database daas_bench_impact; about five minutes.
bench-impact: $(STAMP)
	$(BIN)/python bench/impact.py --devices 10000

# Needs PostgreSQL: creates (and drops) the database daas_bench_scheduler; about a minute.
bench-scheduler: $(STAMP)
	$(BIN)/python bench/scheduler.py

# The pages on the demo data, in-process on SQLite; about a minute.
bench-pages: $(STAMP)
	$(BIN)/python bench/pages.py

# Needs PostgreSQL: creates (and drops) the database daas_bench_pages; 10,000 contracts, 20 clients through
# gunicorn; about two minutes.
bench-pages-scale: $(STAMP)
	$(BIN)/python bench/pages_scale.py

# The daily refresh planner on the demo data, in-process on SQLite; seconds.
bench-planner: $(STAMP)
	$(BIN)/python bench/planner.py

# Needs PostgreSQL: creates (and drops) the database daas_bench_workshop; a few minutes (the ledger's close).
bench-workshop: $(STAMP)
	$(BIN)/python bench/workshop.py --devices 10000

# Sign-in times by outcome (right, wrong password, unknown e-mail), in-process on SQLite; seconds.
bench-sign-in: $(STAMP)
	$(BIN)/python bench/sign_in.py

# SQLite, in-process: finalizing 300 invoices (three files rendered each), then serving the kept files.
bench-documents: $(STAMP)
	$(BIN)/python bench/documents.py

# SQLite, in-process: 2,000 orders placed, allocated, packed (slots booked), shipped and delivered.
bench-orders: $(STAMP)
	$(BIN)/python bench/orders.py --orders 2000

# Needs PostgreSQL: creates (and drops) the database daas_bench_notify; 2,000 events, as e-mails to aiosmtpd
# and signed webhooks to a receiver, both on loopback; in this process, then in two delivery processes.
bench-notifications: $(STAMP)
	$(BIN)/python bench/notifications.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/daas_bench_notify --events 2000
	$(BIN)/python bench/notifications.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/daas_bench_notify --events 2000 --processes 2

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis
