# Two commands, nothing else needed on a fresh machine with Python 3.11:
#   make book   builds the HTML book into _build/html
#   make test   runs every test (unit, notebooks, build, headless browser)
# Both create .venv and install the pinned requirements on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book book-student test chromium axe clean

book: $(STAMP)
	$(BIN)/jupyter-book build . -W --keep-going --all

# The instructor's edition: the same book without the worked solutions (_build/student/_build/html)
book-student: $(STAMP)
	GDBOOK_STUDENT=1 $(BIN)/jupyter-book build . -W --keep-going --all --path-output _build/student

test: $(STAMP) chromium axe
	$(BIN)/python -m pytest

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The browser tests drive Debian's chromium (never a downloaded browser build).
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "chromium not found: browser tests will be skipped (install it with: sudo apt-get install chromium)"; \
	fi

# axe-core, the accessibility engine the browser tests inject into every page (from npm)
AXE_VERSION := 4.14.1
axe: $(VENV)/axe/node_modules/axe-core/axe.min.js
$(VENV)/axe/node_modules/axe-core/axe.min.js:
	@command -v npm >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; } || \
		echo "npm not found: accessibility tests will be skipped (install it with: sudo apt-get install npm)"
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(VENV)/axe axe-core@$(AXE_VERSION); fi

clean:
	rm -rf _build $(VENV)
