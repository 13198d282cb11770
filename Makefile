# The two commands: `make demo` and `make test`. Everything else is what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
PORT ?= 8000
SCALE ?= subbranch
SEED ?= 1
PG_URL ?= postgres://postgres@127.0.0.1:5432/ventanilla
# Modules whose types mypy checks: services, selectors and the pure computation modules.
TYPED := $(wildcard ventanilla/*/services.py ventanilla/*/selectors.py) \
	ventanilla/core/scoping.py ventanilla/core/audit.py \
	$(wildcard ventanilla/core/tabular.py ventanilla/org/importing.py ventanilla/demo/generator.py \
		ventanilla/counters/staffing.py ventanilla/counters/monthly.py \
		ventanilla/rectification/effect.py ventanilla/rectification/dates.py \
		ventanilla/rectification/indicators.py ventanilla/rectification/suggestions.py \
		ventanilla/core/charts.py ventanilla/core/pdf.py)

.PHONY: demo test install install-dev cjk-fonts system-deps lint typecheck checks test-sqlite \
	test-postgres test-services serve messages clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check --upgrade pip

$(VENV)/.installed: pyproject.toml $(VENV)/bin/activate
	$(PIP) install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

var:
	mkdir -p var

## make demo: install, create the SQLite database, load the demo network, serve on :8000.
demo: install var
	$(MANAGE) migrate --no-input -v 0
	VENTANILLA_LANGUAGE_CODE=en $(MANAGE) demo-data --scale $(SCALE) --seed $(SEED) --reset
	$(MANAGE) collectstatic --no-input -v 0
	@echo ""
	@echo "Ventanilla is starting on http://127.0.0.1:$(PORT)/"
	@echo "Log in as one of the users above; every password is: demo"
	@echo "Background jobs run in a worker beside the server (log: var/worker.log)."
	@echo "Stop with Ctrl-C."
	@echo ""
	@$(MAKE) --no-print-directory serve

## serve: the web server and a background worker with its scheduler (embedded broker).
## Debug pages are off, as users should see it (`make serve DEBUG=true` for development).
DEBUG ?= false
serve: export DJANGO_DEBUG = $(DEBUG)
serve:
	@trap 'kill $$worker 2>/dev/null' EXIT; \
	$(VENV)/bin/celery -A ventanilla worker --beat --pool=solo --loglevel=WARNING \
		--schedule var/celerybeat-schedule >var/worker.log 2>&1 & worker=$$!; \
	$(MANAGE) runserver 127.0.0.1:$(PORT) --noreload

## cjk-fonts: a font with Chinese glyphs, which the PDF reports embed.
cjk-fonts:
	@if ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				fonts-noto-cjk >/dev/null; \
		else echo "No Chinese font installed (apt-get install fonts-noto-cjk): PDF reports will refuse until there is one."; fi; \
	fi

## system-deps: Chromium, CJK fonts and gettext for the browser and translation tests.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v msgfmt >/dev/null \
		|| ! command -v pdffonts >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
				chromium fonts-noto-cjk gettext poppler-utils >/dev/null; \
		else echo "Chromium, fonts-noto-cjk or gettext missing and not root: browser tests will skip."; fi; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev
	$(VENV)/bin/mypy $(TYPED)

checks: install-dev
	DJANGO_SECRET_KEY=ci-check-$$RANDOM-$$RANDOM-0123456789abcdefghijklmnopqrstuvwxyz \
	DJANGO_ALLOWED_HOSTS=ventanilla.example \
	DJANGO_SETTINGS_MODULE=ventanilla.settings.production $(PY) manage.py check --deploy --fail-level WARNING
	DJANGO_SETTINGS_MODULE=ventanilla.settings.test $(MANAGE) makemigrations --check --dry-run

# Tests marked postgres need PostgreSQL's own behaviour (row locks, COPY): the second pass.
test-sqlite: install-dev
	$(VENV)/bin/pytest -q -n 2 -m "not browser and not topology and not postgres" \
		--ignore=tests/queue

test-postgres: install-dev
	@if (echo > /dev/tcp/127.0.0.1/5432) 2>/dev/null; then \
		DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q -n 2 -m "not browser and not topology" \
			--ignore=tests/queue; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL is required with CI=true"; exit 1; \
	else echo "SKIPPED: PostgreSQL is not running on 127.0.0.1:5432"; fi

## Tests that start real services: the broker, the browser, the production topology.
test-services: install-dev system-deps
	$(VENV)/bin/pytest -q -p no:randomly -m "browser or topology" tests ventanilla
	$(VENV)/bin/pytest -q tests/queue

## make test: install and run every check.
test: install-dev system-deps lint typecheck checks test-sqlite test-postgres test-services

## messages: extract the messages into the catalogs, and compile them after translating.
messages: install-dev
	cd ventanilla && DJANGO_SETTINGS_MODULE=ventanilla.settings.test ../$(PY) -P -m django \
		makemessages -l zh_Hans -l es --no-obsolete --no-location
	cd ventanilla && DJANGO_SETTINGS_MODULE=ventanilla.settings.test ../$(PY) -P -m django \
		compilemessages

clean:
	rm -rf $(VENV) var
