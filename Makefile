# Gongzhi — two commands for a new machine:
#   make run    create .venv, install everything, migrate, load the demo district, serve on :8000
#   make test   install the development extras, run ruff and the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := gongzhi.settings

.PHONY: run test install install-dev static migrate demo demo-data serve lint format check-ci bench clean

run: install static migrate demo-data serve

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstall only when the dependency lists change.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e .
	# The Chinese font embedded in generated PDFs (Noto Sans CJK, OFL); its other dependencies are not needed.
	$(PIP) install --quiet --no-deps "mplfonts>=0.0.10,<0.1"
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

install-dev: install $(VENV)/.installed-dev

static: install
	$(PY) manage.py collectstatic --noinput --verbosity 0

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py demo

# make run loads the demo quietly: the sign-ins are printed once the server is up.
demo-data: migrate
	$(PY) manage.py demo --no-logins

serve:
	PORT=$(PORT) $(PY) manage.py serve

lint: install-dev
	$(VENV)/bin/ruff check gongzhi tests bench
	$(VENV)/bin/ruff format --check gongzhi tests bench

format: install-dev
	$(VENV)/bin/ruff format gongzhi tests bench
	$(VENV)/bin/ruff check --fix gongzhi tests bench

test: install-dev lint
	$(VENV)/bin/pytest -n 2 --dist loadgroup

bench: install-dev
	$(PY) -m bench all

clean:
	rm -rf $(VENV) node_modules var/static
