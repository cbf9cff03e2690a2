# One command builds the site, one runs the tests; each creates .venv and installs what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: site test serve check clean

$(STAMP): pyproject.toml requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

site: $(STAMP)
	$(PY) build.py build

check: $(STAMP)
	$(PY) build.py check

test: $(STAMP)
	$(PY) -m pytest -q

serve: $(STAMP)
	$(VENV)/bin/mkdocs serve

clean:
	rm -rf site $(VENV)
