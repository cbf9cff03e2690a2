# One command builds the site, one runs the tests; each creates .venv and installs what it needs.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

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

$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-test.txt
	touch $(TEST_STAMP)

# The quality and browser tests also need Chromium, Java, fonts and two npm packages:
# tools/test-deps.sh installs them (apt-get / npm) only when missing.
test: $(TEST_STAMP)
	tools/test-deps.sh
	$(PY) -m pytest -q

serve: $(STAMP)
	$(VENV)/bin/mkdocs serve

clean:
	rm -rf site .site.builds .site.lock $(VENV) .cache/test-deps
