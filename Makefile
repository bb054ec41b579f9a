# Two commands, nothing else needed on a fresh machine with Python 3.11, 3.12 or 3.13:
#   make book   builds the HTML book into _build/html
#   make test   runs every test (unit, notebooks, build, headless browser)
# Both create a virtual environment and install the pinned requirements on first use:
# .venv for Python 3.11 (the default), .venv-3.12 / .venv-3.13 for the others, chosen
# with PYTHON (PYTHON=python3.12 make test). The same exact pins install on all three.
#   make test-pythons   the unit tests and every chapter (nbval) on 3.12 and 3.13 (CI)
#   make pdf    builds the PDF edition into _build/latex/gradient-descent.pdf (TeX from
#               Debian); a later `make book` copies it into the HTML book and links it
#               from the landing page (`make pdf book` for both)
#   make test-pdf  builds the PDF and checks it (CI runs it after `make test`)

SUPPORTED := 3.11 3.12 3.13
PYTHON ?= $(shell command -v python3.11 || command -v python3)
# An interpreter that pyenv knows but has not activated (its shim refuses to run) is found
# in pyenv's versions folder.
PY := $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null || \
	ls -d "$$(pyenv root 2>/dev/null)"/versions/*/bin/$(notdir $(PYTHON)) 2>/dev/null | tail -n 1)
PYVER := $(if $(PY),$(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null))
VENV  := $(if $(filter 3.11,$(PYVER)),.venv,.venv-$(PYVER))
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book book-student test bench test-pythons test-units venv python-info pdf test-pdf tex chromium axe clean

# tools/execute.py runs every chapter afresh, two kernels at a time, into the cache the
# build reads (_config.yml: execute_notebooks: cache)
book: $(STAMP)
	$(BIN)/python tools/execute.py
	$(BIN)/jupyter-book build . -W --keep-going --all

# The instructor's edition: the same book without the worked solutions (_build/student/_build/html)
book-student: $(STAMP)
	GDBOOK_STUDENT=1 $(BIN)/python tools/execute.py --path-output _build/student
	GDBOOK_STUDENT=1 $(BIN)/jupyter-book build . -W --keep-going --all --path-output _build/student

test: $(STAMP) chromium axe
	$(BIN)/python -m pytest

# CI, after `make test` on 3.11: the unit tests and every chapter under nbval on the other
# supported Pythons, each in its own venv (the book build and browser tests run on 3.11).
OTHER_PYTHONS := 3.12 3.13
test-pythons:
	@for v in $(OTHER_PYTHONS); do \
		$(MAKE) --no-print-directory PYTHON=python$$v test-units || exit 1; done

test-units: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not sweep and not stress and not browser" tests chapters

venv: $(STAMP)

# Which interpreter and venv PYTHON selects (tests/test_packaging.py reads it)
python-info:
	@echo "$(PYVER) $(PY) $(VENV)"

# The PDF edition: Sphinx's LaTeX builder, compiled by xelatex (sphinx-jupyterbook-latex)
pdf: $(STAMP) tex
	$(BIN)/python tools/execute.py --builder latex
	$(BIN)/jupyter-book build . --builder pdflatex -W --keep-going --all

# Builds the PDF and checks it against the HTML book (which it builds when missing)
test-pdf: $(STAMP) tex
	$(BIN)/python -m pytest -p no:xdist -m pdf tests/test_pdf.py

# Debian's TeX for the PDF edition, the smallest set that builds it (measured: about
# 570 MB and 1.5 minutes to install): xelatex and latexmk (texlive-xetex pulls in
# texlive-latex-extra), the URW fonts hyperref needs (texlive-fonts-recommended), the
# book's text fonts (FreeSerif, FreeSans, FreeMono) and pdftotext/pdfimages for the test.
TEX_PACKAGES := latexmk texlive-xetex texlive-fonts-recommended fonts-freefont-otf poppler-utils
tex:
	@if command -v xelatex >/dev/null 2>&1 && command -v latexmk >/dev/null 2>&1 && \
		command -v pdftotext >/dev/null 2>&1 && kpsewhich pzdr.tfm >/dev/null 2>&1 && \
		fc-list FreeSerif | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian's TeX for the PDF edition: $(TEX_PACKAGES)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $(TEX_PACKAGES) >/dev/null; \
	else \
		echo "The PDF edition needs TeX: sudo apt-get install --no-install-recommends $(TEX_PACKAGES)"; \
		exit 1; \
	fi

# Speed of gdutils' optimizer against plain NumPy and scikit-learn (tables, one run)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -n "$(PYVER)" || { echo "No Python found for PYTHON=$(PYTHON)"; exit 1; }
	@case " $(SUPPORTED) " in *" $(PYVER) "*) ;; *) \
		echo "Python $(SUPPORTED) are supported, found $(PYVER) ($(PY)); try PYTHON=python3.11"; exit 1;; esac
	$(PY) -m venv $(VENV)
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
	rm -rf _build .venv $(foreach v,$(SUPPORTED),.venv-$(v))
