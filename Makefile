# Safeguard: `make demo` runs the service on SQLite with demo data; `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo install system-libs static chromium check test bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: system-libs $(STAMP) static

# WeasyPrint draws PDFs with Pango; Debian's package is on most machines, not all.
system-libs:
	@ldconfig -p | grep -q libpangoft2-1.0 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; }

static: node_modules/.package-lock.json
	bash scripts/build_static.sh

demo: install
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	$(PY) manage.py generate --force-years 1 --seed 2026 --cases 400 --until $$(date +%F) --quiet --if-empty
	$(PY) manage.py rebuild_clocks
	@echo "Serving http://127.0.0.1:8000 with the background worker and the demo mail sink (Ctrl-C stops them)"
	@echo "Emails the demo sends: http://127.0.0.1:8000/demo/mailbox/ (sign in as admin or supervisor)"
	$(PY) -m safeguard.cli serve --address 127.0.0.1:8000

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy safeguard config
	$(VENV)/bin/lint-imports
	DATABASE_URL=sqlite:///var/check.sqlite3 $(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=safeguard.example \
	  DATABASE_URL=sqlite:///var/check.sqlite3 EMAIL_HOST=smtp.example \
	  DJANGO_SETTINGS_MODULE=config.settings.production \
	  $(PY) manage.py check --deploy --fail-level WARNING

# SQLite always; PostgreSQL too when DATABASE_URL points at one. The suite runs on every core
# (pytest-xdist: one test database per worker); browser journeys run after, in one process, because
# Playwright's event loop and Django's ORM cannot share a worker's main thread.
WORKERS ?= $(shell nproc)
test: install chromium check
	mkdir -p var
	env -u DATABASE_URL $(PY) -m pytest -q -n $(WORKERS) -m "not browser"
	env -u DATABASE_URL $(PY) -m pytest -q -m browser
	@if [[ "$${DATABASE_URL:-}" == postgres* ]]; then \
	  echo "== PostgreSQL: $${DATABASE_URL%%@*}@…"; \
	  $(PY) -m pytest -q -n $(WORKERS) -m "not browser"; \
	else echo "DATABASE_URL is not PostgreSQL: the PostgreSQL run was skipped"; fi

# Benchmarks, never timed tests: 100k-entry audit chain verification (< 10 s), sign-in
# timing for unknown users vs wrong passwords (< 25% apart), and the case core at a million
# cases on PostgreSQL (BENCH_CASES=20000 for a quick run; writes bench/results/), and outbox
# throughput in messages/s to a local SMTP server (BENCH_OUTBOX_MESSAGES, default 2,000), and
# the missing-children board and monthly figures at 1 and 10 force-years (--quick: missing
# cases only), and the GIAS import of 50,000 schools, then again with 1% changed, and the
# domestic abuse triage queue and capacity and the Operation Encompass desk at 1 and 10
# force-years (--quick: domestic abuse cases only).
bench: install
	env -u DATABASE_URL $(PY) tests/bench/bench_audit_verify.py
	env -u DATABASE_URL $(PY) tests/bench/bench_sign_in_timing.py
	env -u DATABASE_URL $(PY) tests/bench/bench_case_core.py
	env -u DATABASE_URL $(PY) tests/bench/bench_sweep.py
	env -u DATABASE_URL $(PY) tests/bench/bench_outbox.py
	env -u DATABASE_URL $(PY) tests/bench/bench_escalation_latency.py
	env -u DATABASE_URL $(PY) tests/bench/bench_missing.py
	env -u DATABASE_URL $(PY) tests/bench/bench_gias_import.py
	env -u DATABASE_URL $(PY) tests/bench/bench_da_encompass.py
	env -u DATABASE_URL $(PY) tests/bench/bench_export.py
	env -u DATABASE_URL $(PY) tests/bench/bench_people_search.py

clean:
	rm -rf $(VENV) node_modules var safeguard/frontend/static/vendor
