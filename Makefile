# Shortcuts for dev.py, which does the real work with only Python installed.
PYTHON ?= python3
.PHONY: run test
run:
	$(PYTHON) dev.py run
test:
	$(PYTHON) dev.py test
