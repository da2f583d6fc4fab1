# crm-workbook: `make demo` and `make test` each work from a bare clone with Python 3.11 and pip.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
JOBS   ?= auto
# One stamp per set of extras: the demo and JupyterLab need only what the workbook runs on;
# the tests add the development tools. Each is (re)installed when pyproject.toml changes.
RUN_STAMP ?= $(VENV)/.installed-run
DEV_STAMP ?= $(VENV)/.installed-dev
# JupyterLab refuses to start as root (a container) unless told it may.
LAB_ARGS ?=
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: demo test lab validate bench clean-reports clean help

help:
	@echo "make demo   - run the whole workbook on the sample engagement (reports/)"
	@echo "make test   - run the test suite"
	@echo "make lab    - open JupyterLab on notebooks/"

$(PY):
	@echo "==> creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> updating pip"
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(PY)
	@echo "==> installing crm-workbook and what it runs on (first time only: a few minutes)"
	$(PY) -m pip install -e .
	@echo "==> registering the notebook kernel"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (crm-workbook)" >/dev/null
	@touch $@

$(DEV_STAMP): pyproject.toml | $(PY)
	@echo "==> installing crm-workbook with the test tools (first time only: several minutes)"
	$(PY) -m pip install -e '.[dev]'
	@echo "==> registering the notebook kernel"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (crm-workbook)" >/dev/null
	@touch $@ $(RUN_STAMP)

demo: $(RUN_STAMP)
	@echo "==> running the sample engagement into reports/ (one line per notebook as it ends)"
	$(VENV)/bin/crmlib run data_samples/engagement.yaml --out reports

validate: $(RUN_STAMP)
	$(VENV)/bin/crmlib validate data_samples/engagement.yaml

test: $(DEV_STAMP)
	@echo "==> running the tests"
	$(PY) -m pytest -q -n $(JOBS) --dist loadgroup

lab: $(RUN_STAMP)
	$(VENV)/bin/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS) notebooks/

bench: $(DEV_STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean-reports:
	rm -rf reports

clean: clean-reports
	rm -rf $(VENV) .pytest_cache
