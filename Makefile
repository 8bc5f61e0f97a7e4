# Gongjian: two commands. `make run` brings the platform up; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install assets lint fmt messages stop clean e2e bench

run: install assets
	$(PY) scripts/devstack.py run

test: install assets
	$(PY) scripts/devstack.py test $(PYTEST_ARGS)

# Proof at scale (issue #9; never part of `make test`): seeds gj_benchdata once, serves with gunicorn,
# loads it from a separate process. `make bench BENCH_ARGS=--small` for a quick run; see docs/performance.md.
bench: install assets
	$(PY) -m bench.run $(BENCH_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

assets: static/vendor/.stamp

static/vendor/.stamp: package.json package-lock.json scripts/vendor_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(PY) scripts/vendor_assets.py
	touch static/vendor/.stamp

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy .

fmt: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=node_modules --ignore=var
	$(PY) manage.py makemessages -d djangojs -l zh_Hans -l en --ignore=.venv --ignore=node_modules --ignore=var --ignore=static/vendor

stop:
	$(PY) scripts/devstack.py stop

clean: stop
	rm -rf var static/vendor node_modules
