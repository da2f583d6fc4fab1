# crm-workbook: `make demo` and `make test` each work from a bare clone with Python 3.11 and pip.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JOBS   ?= auto

.PHONY: demo test lab validate bench clean-reports clean help

help:
	@echo "make demo   - run the whole workbook on the sample engagement (reports/)"
	@echo "make test   - run the test suite"
	@echo "make lab    - open JupyterLab on notebooks/"

# (Re)install only when the dependency list changed or the venv is missing.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (crm-workbook)" >/dev/null
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/crmlib run data_samples/engagement.yaml --out reports

validate: $(STAMP)
	$(VENV)/bin/crmlib validate data_samples/engagement.yaml

test: $(STAMP)
	$(PY) -m pytest -q -n $(JOBS) --dist loadgroup

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean-reports:
	rm -rf reports

clean: clean-reports
	rm -rf $(VENV) .pytest_cache
