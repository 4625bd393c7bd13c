# Inscrire — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# E-mail links and card payments' return address follow the port the site runs
# on (`make run PORT=8123`), unless SITE_URL is given.
SITE_URL ?= http://$(HOST):$(PORT)

.DEFAULT_GOAL := help
.PHONY: help install install-test run serve migrate demo test test-postgres messages clean bench bench-smoke install-bench

help:
	@echo "make run    installe, migre, charge la démo et lance le site et la file de tâches (Ctrl-C arrête tout)"
	@echo "make test   installe les dépendances de test et lance toute la suite"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# The web server and the Huey consumer run side by side; Ctrl-C (or either
# of them stopping) stops both.
run: demo
	@echo ""
	@echo "Inscrire : http://$(HOST):$(PORT)/   (administration : http://$(HOST):$(PORT)/cms/)"
	@echo ""
	@trap 'kill 0' INT TERM; \
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py run_huey & \
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST):$(PORT) & \
	wait -n; kill 0

test: install-test
	$(BIN)/python -m pytest

# Benchmarks (README « Benchmarks »): the app under gunicorn + run_huey on free
# ports, driven by a separate httpx client; SQLite then PostgreSQL + Redis.
$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[bench]"
	@touch $@

install-bench: $(VENV)/.installed-bench

bench: install-bench
	$(BIN)/python -m bench.run --size full $(BENCH_ARGS)

bench-smoke: install-bench
	$(BIN)/python -m bench.run --size smoke $(BENCH_ARGS)

# English catalogue: makemessages over the code and both template engines
# (locale/makemessages.py reads the Jinja2 templates with Jinja2 itself), then
# compile; commit locale/en/LC_MESSAGES/django.po and django.mo.
messages: install
	$(BIN)/python locale/makemessages.py --locale en
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf var/ .pytest_cache
