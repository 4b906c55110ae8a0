# nmf-teach: set up, build the book, run every test.
#   make book   - set up (first time) and build the book into _build/html (English) and _build/html/pt (Portuguese)
#   make pdf    - set up (first time, with Debian's TeX) and build each edition as one PDF: _build/latex/nmf-teach.pdf
#                 and _build/latex/nmf-teach-pt.pdf
#   make test   - set up, build the book and its PDF, run ruff and every test (what CI runs)
#   make test-mindeps - the package's tests with the lowest versions pyproject.toml allows
#   make bench  - the speed measurements of benchmarks/
#   make mutants - plant each mistake of tools/mutants.py in a copy of nmf_teach; a chapter must catch it
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# The prepared data sets (see ../shared/data/README.md); override to use your own folder.
export NMF_TEACH_DATA ?= $(abspath ../shared/data)
export PYDEVD_DISABLE_FILE_VALIDATION = 1

.PHONY: setup node browser tex book pdf test ruff test-mindeps bench clean lab mutants

$(BIN)/.installed: requirements.txt pyproject.toml tools/jupyterlab-overrides.json $(wildcard tools/labextension/*) \
                   $(wildcard tools/labextension/static/*)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp tools/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	rm -rf $(VENV)/share/jupyter/labextensions/nmf-teach-lab
	cp -r tools/labextension $(VENV)/share/jupyter/labextensions/nmf-teach-lab
	touch $@

setup: $(BIN)/.installed node browser

# MathJax and the widget scripts the offline book serves (package.json, pinned; see tools/offline_assets.py).
node: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund; \
	else echo "*** npm not found: the book will load MathJax and the widget scripts from a CDN (not offline)"; fi

# The browser of tests/test_browser.py (Debian's chromium, driven by Playwright; never `playwright install`).
browser:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

# The TeX of the PDF edition: the smallest set of Debian's packages that builds it (xelatex, the LaTeX
# packages Sphinx and sphinx-jupyterbook-latex load, latexmk, the fonts of _config.yml's latex_elements),
# rsvg-convert (librsvg2-bin: SVG figures to PDF, tools/pdf_edition.py) and poppler-utils, with which
# tests/test_pdf.py reads the PDF; texlive-lang-portuguese: Portuguese hyphenation for the Portuguese PDF. About 130 MB
# to download.
TEX_PACKAGES := texlive-xetex texlive-latex-extra texlive-fonts-recommended latexmk fonts-freefont-otf fonts-dejavu-core \
    texlive-lang-portuguese librsvg2-bin poppler-utils
tex:
	@dpkg -s $(TEX_PACKAGES) >/dev/null 2>&1 || \
	    (apt-get update && apt-get install -y --no-install-recommends $(TEX_PACKAGES))

# Both editions: English in _build/html, Brazilian Portuguese in _build/html/pt (tools/editions.py; the same
# notebooks, run again with NMF_TEACH_LANG=pt_BR so that what they print is Portuguese).
PT := _build/editions/pt
book: setup
	$(BIN)/python tools/offline_assets.py
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(BIN)/python tools/editions.py config
	$(BIN)/jupyter-book build . --config $(PT)/_config.yml --toc $(PT)/_toc.yml --path-output $(PT) -W -n --keep-going
	rm -rf _build/html/pt
	cp -r $(PT)/_build/html _build/html/pt

# The whole book as one PDF (Sphinx's LaTeX writer, then latexmk with xelatex): _build/latex/nmf-teach.pdf.
# The explorers appear as printed grids of their frames (nmf_teach.widgets.Explorer.to_markdown).
# After `make book` the notebooks are not run again: Sphinx reuses the environment the HTML build left in
# _build/.doctrees (the same configuration), so this adds only the LaTeX (about 1-3 minutes here).
PDF := _build/latex/nmf-teach.pdf
PDF_PT := _build/latex/nmf-teach-pt.pdf
pdf: setup tex
	$(BIN)/python tools/offline_assets.py  # the same configuration as `make book`, so either reuses the other's run
	$(BIN)/jupyter-book build . --builder pdflatex -W -n --keep-going
	touch $(PDF)  # latexmk leaves an unchanged PDF as it was; tests/test_pdf.py rebuilds a PDF older than the book
	$(BIN)/python tools/editions.py config
	$(BIN)/jupyter-book build . --builder pdflatex --config $(PT)/_config.yml --toc $(PT)/_toc.yml --path-output $(PT) \
	    -W -n --keep-going
	touch $(PT)/_build/latex/nmf-teach-pt.pdf  # as above, for the Portuguese PDF
	cp $(PT)/_build/latex/nmf-teach-pt.pdf $(PDF_PT)

test: book pdf
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

ruff: $(BIN)/.installed
	$(BIN)/ruff check .

# A fresh venv (under _build/, not committed) with exactly the lower bounds of pyproject.toml (core and the
# news and progress extras; tools/min_requirements.py), then the package's tests in it: not the chapters
# (--noconftest: the root conftest.py only selects notebooks), not the browser, notebook or PDF tests and not the
# tests of the book's own tools (tools/notebooks.py and tools/editions.py need the book's environment: yaml,
# pybtex, babel, docutils).
MINDEPS := _build/mindeps
test-mindeps:
	rm -rf $(MINDEPS)
	$(PYTHON) -m venv $(MINDEPS)
	$(PYTHON) tools/min_requirements.py > $(MINDEPS)/requirements.txt
	$(MINDEPS)/bin/pip install --quiet -r $(MINDEPS)/requirements.txt
	$(MINDEPS)/bin/pip check
	$(MINDEPS)/bin/pip freeze | grep -iE '^(numpy|scipy|matplotlib|ipywidgets|threadpoolctl|pooch|scikit-learn|tqdm)=='
	PYTHONPATH=$(CURDIR) $(MINDEPS)/bin/python -m pytest -p no:cacheprovider --noconftest -o addopts=-ra -q \
	    --ignore=tests/test_browser.py --ignore=tests/test_notebook_ch07.py --ignore=tests/test_lab.py \
	    --ignore=tests/test_pdf.py --ignore=tests/test_notebooks.py --ignore=tests/test_slides.py \
	    --ignore=tests/test_editions.py tests

# Plant each mistake of tools/mutants.py in a copy of nmf_teach and run the chapters that must catch it.
mutants: $(BIN)/.installed
	$(BIN)/python tools/mutants.py

bench: setup
	$(BIN)/python benchmarks/bench_mu.py
	$(BIN)/python benchmarks/bench_widgets.py

clean:
	rm -rf _build

# JupyterLab on the chapters, for a classroom (the sliders are live there, MyST is rendered by jupyterlab-myst,
# and View > Render Slideshow presents a chapter as slides; settings: tools/jupyterlab-overrides.json;
# tools/labextension lets jupyterlab-myst and the widgets load in the slideshow).
lab: setup
	$(BIN)/jupyter lab book/
