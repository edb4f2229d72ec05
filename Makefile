# The two commands a new user needs: `make app` and `make test`. Each installs only what is missing.
PYTHON ?= python3
PORT ?= 8501
STAMP := .deps-installed

.PHONY: app test lint deps system

app: deps
	$(PYTHON) -m artcore app --port $(PORT) --headless

test: deps system
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest -q

lint: deps
	$(PYTHON) -m ruff check .

# Python packages: reinstalled only when requirements.txt changes.
deps: $(STAMP)
$(STAMP): requirements.txt
	$(PYTHON) -m pip install -q -r requirements.txt
	$(PYTHON) -m pip install -q --no-deps -e .
	touch $(STAMP)

# Debian's Chromium and its driver for the browser tests (never a downloaded browser).
system:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver fonts-dejavu-core; \
	fi
