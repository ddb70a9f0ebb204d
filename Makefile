# The two commands a newcomer needs are `make book` and `make test` (see README.md).
# Both create .venv and install the locked requirements on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))
ZH_NOTEBOOKS := $(patsubst chapters/%,zh_CN/chapters/%,$(NOTEBOOKS))

.PHONY: help setup system-deps vendor book test test-fast lint lab execute export regenerate lock \
	clean bench \
	bench-gpu wasm translations train-models downloads html-zh pdf-en pdf-zh archives wheelhouse

help:
	@echo "make book     set up and build the HTML book into _build/html"
	@echo "make test     set up and run every test (lint, unit, notebooks, strict build, browser)"
	@echo "make test-fast  lint, unit tests and notebooks only: no book build, no browser"
	@echo "make lint     ruff check . and ruff format --check ."
	@echo "make lab      open the chapter in JupyterLab"
	@echo "make regenerate  bring every derived file up to date, in order (README: Derived files)"
	@echo "make execute  re-run every notebook and save its outputs"
	@echo "make export   regenerate book/ modules and the notebooks' cross-references"
	@echo "make train-models  train the shipped fill-in and language models (book/models)"
	@echo "make wasm     recompile the fill-in demo's WebAssembly kernel into book/fillin.js"
	@echo "make translations  refresh the zh_CN catalogs from the English sources, write zh_CN/"
	@echo "make lock     regenerate requirements.txt from requirements.in (pip-compile)"
	@echo "make bench    time the notebooks, the build and the scratch BiRNN; writes _build/bench.json"
	@echo "make bench-gpu  (NVIDIA GPU) the BiRNN layers against cuDNN; writes results/gpu_cost.json"

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

# Headless Chromium for the browser tests and the PDFs (Debian package; needs root, as on
# CI), and Debian's fonts-noto-cjk: the Chinese pages' font (site.css names it first for
# Chinese text), so they are drawn (and screenshot) in a CJK face. A Java
# runtime (default-jre-headless) runs the Nu HTML checker (npm's vnu-jar) in the tests.
# WenQuanYi Micro Hei: the Chinese PDF's font (TrueType, which Chromium's PDF writer embeds as
# such; see tools/pdfbook.py). poppler-utils: pdffonts, pdftotext, pdfimages for the PDF tests.
# Only what is missing is installed; $CHROMIUM names another Chrome or Chromium (as on
# GitHub's runners, whose Ubuntu packages Chromium as a snap).
system-deps:
	@missing=""; \
	command -v $${CHROMIUM:-chromium} >/dev/null || missing="$$missing chromium"; \
	fc-list :lang=zh | grep -q "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	fc-list | grep -q "WenQuanYi Micro Hei" || missing="$$missing fonts-wqy-microhei"; \
	command -v pdffonts >/dev/null || missing="$$missing poppler-utils"; \
	[ -z "$$missing" ] || { apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; }

# Front-end assets the pages load, installed by npm from package-lock.json and copied into
# _vendor/, which Sphinx copies verbatim into the site (html_extra_path), so readers'
# browsers never fetch them from a CDN. Only what pages load is copied: KaTeX's stylesheet
# and its fonts in WOFF2 (the maths is rendered at build time by sphinxcontrib-katex, whose
# KaTeX must be the version package.json pins; every browser that runs the site reads
# WOFF2, the first format the stylesheet offers; tools/katex_css.py leaves only those in the
# stylesheet, with font-display: swap) and the kernel-less widget view
# (tools/widget_setup.js). axe-core and vnu-jar (devDependencies) stay in node_modules for
# the tests.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

vendor: node_modules/.package-lock.json
	rm -rf _vendor && mkdir -p _vendor/vendor/katex/fonts
	$(PYTHON) -m tools.katex_css node_modules/katex/dist/katex.min.css _vendor/vendor/katex/katex.min.css
	cp node_modules/katex/dist/fonts/*.woff2 _vendor/vendor/katex/fonts/
	cp tools/widget_setup.js _vendor/vendor/widget_setup.js

# Two editions, each built strictly: English from the repository root into _build/html,
# then Chinese from zh_CN/ (generated from the same notebooks by `make translations`) into
# _build/html/zh_CN, so each page's counterpart is one folder up or down. Then the Chinese
# pages load the English edition's copy of every static file that is the same in both (all
# but Sphinx's language-specific ones), so switching language fetches none of them again.
# Then what each edition offers to take away (see downloads below), side by side with the
# Chinese build: the English PDF and the archives need only what is built already, the
# Chinese PDF follows its pages.
book: setup vendor system-deps
	rm -rf _build/html _build/.doctrees _build/zh_CN _build/downloads
	$(BIN)/jupyter-book build --all -W -n --keep-going .
	$(MAKE) --no-print-directory -j3 html-zh pdf-en pdf-zh archives BOOK_ZH=html-zh
	cp -R _build/downloads/. _build/html/
	@echo "Book built: file://$(CURDIR)/_build/html/index.html (中文: _build/html/zh_CN/index.html)"

html-zh: setup
	$(BIN)/jupyter-book build --all -W -n --keep-going --path-output _build/zh_CN zh_CN
	mv _build/zh_CN/_build/html _build/html/zh_CN
	$(BIN)/python -m tools.sphinx_site share-static _build/html

# Each edition's PDF, printed by headless Chromium from its built pages (tools/pdfbook.py),
# and its runnable archive (tools/archive.py), into _build/downloads/ (laid out as the site:
# downloads/ and zh_CN/downloads/), which make book copies into the site. `make downloads`
# remakes them for a site already built.
downloads: setup system-deps
	rm -rf _build/downloads
	$(MAKE) --no-print-directory -j3 pdf-en pdf-zh archives
	cp -R _build/downloads/. _build/html/

# Under make book, the Chinese PDF waits for the Chinese pages (BOOK_ZH=html-zh).
pdf-zh: $(BOOK_ZH)
pdf-en pdf-zh: setup
	$(BIN)/python -m tools.pdfbook --edition $(subst pdf-,,$@) --out _build/downloads

archives: setup
	$(BIN)/python -m tools.archive --site _build/downloads

test: lint book system-deps wheelhouse
	$(BIN)/python -m pytest -n 2 --dist loadscope

# The lock's wheels in one folder, for tests/test_archive.py, which installs the runnable
# archive into a fresh environment offline (pip --no-index). Fetched once per lock by pip, from
# the same places `make setup` installs from (a package install, not a download at test time).
WHEELHOUSE := $(VENV)/wheelhouse
$(WHEELHOUSE)/.stamp: requirements.txt | $(STAMP)
	grep -v '^-e ' requirements.txt > $(VENV)/wheelhouse-requirements.txt
	$(BIN)/python -m pip download --quiet --disable-pip-version-check --no-deps \
	  -r $(VENV)/wheelhouse-requirements.txt -d $(WHEELHOUSE)
	touch $@

wheelhouse: $(WHEELHOUSE)/.stamp

# Lint (ruff, configured in pyproject.toml), the code tests and the notebooks under nbval:
# no book build, no browser. A minute or so; `make test` runs everything.
test-fast: lint
	$(BIN)/python -m pytest -n 2 --dist loadscope -m "not site"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Opens chapter 1 with the repository as JupyterLab's root; jupyterlab-myst (installed by
# setup) renders the MyST directives, maths and exercises. Root (containers, CI) needs
# --allow-root.
lab: setup
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(firstword $(NOTEBOOKS))

# Both editions, English first: zh_CN/ is then regenerated from the catalogs (prose and
# code; each Chinese notebook keeps its own outputs) and its notebooks run in Chinese.
execute: setup
	$(BIN)/python -m tools.nbtools execute $(NOTEBOOKS)
	$(BIN)/python -m tools.translate generate
	$(BIN)/python -m tools.nbtools execute $(ZH_NOTEBOOKS)

# The shipped pre-trained models (book/models: safetensors weights and manifest.json), trained
# once from book.pretrained.RECIPE on one thread per model (about 20 minutes with 2 jobs on
# a 2-core machine); then `make execute`. tests/test_pretrained.py checks the result.
train-models: setup
	TQDM_DISABLE=1 $(BIN)/python -m tools.train_models --jobs 2

# The fill-in demo's hot loop, book/fillin_kernel.wat, compiled by wabt (npm) into
# book/fillin.js, which stays one self-contained view; `make execute` then re-saves it.
wasm: node_modules/.package-lock.json
	node tools/wasm.mjs

# Derived content: book/ modules from `#| export` cells, and cross-references, citations and
# figure caption cells in the forms that work both on the website and in Jupyter
# (tools/nbrefs.py), the Chinese notebooks, then the plain-Jupyter flavour of both editions
# for Colab, VS Code and GitHub (tools/plainnb.py, into plain/).
export: setup
	$(BIN)/python -m tools.nbtools export
	$(BIN)/python -m tools.nbrefs
	$(BIN)/python -m tools.translate generate
	$(BIN)/python -m tools.plainnb

# Every derived file from its sources, in the order they depend on each other (the README's
# "Derived files" table): the WebAssembly kernel into fillin.js and the exported module
# book/scratch.py (both run when the notebooks execute), the notebooks' install guard,
# references and captions (nbrefs), the catalogs from the English prose and code words, with
# zh_CN/ and book.mo (translate update), every notebook's outputs (execute: English, then
# zh_CN/ rewritten around them and run in Chinese), and last the plain notebooks, which
# carry both editions' outputs. About 25 minutes on two cores. Then translate what
# `translate update` listed, and run `make translations` (and `make execute` if a word
# changed what a Chinese notebook prints).
regenerate: setup
	$(MAKE) --no-print-directory wasm
	$(BIN)/python -m tools.nbtools export
	$(BIN)/python -m tools.nbrefs
	$(BIN)/python -m tools.translate update
	$(MAKE) --no-print-directory execute
	$(BIN)/python -m tools.plainnb

# The Chinese edition (tools/translate.py): refresh locales/zh_CN/LC_MESSAGES/*.po from the
# English sources, the prose and the words code shows (runtime.po: tr/N_/t message ids),
# new messages empty and changed ones fuzzy; then write zh_CN/ and book/locale's compiled
# catalog from them. It lists what still needs a translator; a test fails until nothing does.
# A code edit that changes what a Chinese notebook prints needs `make execute` afterwards.
translations: setup
	$(BIN)/python -m tools.translate update

# Reports timings against the goals (tools/bench.py); never fails on a missed goal.
# BENCH_ARGS passes options through, e.g. BENCH_ARGS="--skip-notebooks --repeats 5".
bench: setup vendor
	$(BIN)/python -m tools.bench --out _build/bench.json $(BENCH_ARGS)

# The layers against cuDNN on an NVIDIA GPU, CUDA-event timed (tools/bench_gpu.py); writes
# the report results/gpu_cost.json (not committed). Without CUDA it prints one line and
# fails. It needs a CUDA build of torch, which the locked requirements (CPU wheel) are
# not, so it does not run setup: GPU_PYTHON is .venv's python where .venv exists, else
# python3 (the repository root is on the path, so book/ needs only torch), e.g.
# `make bench-gpu GPU_PYTHON=python3`. BENCH_GPU_ARGS passes options, e.g. "--repeats 50".
GPU_PYTHON ?= $(if $(wildcard $(BIN)/python),$(BIN)/python,python3)
bench-gpu:
	$(GPU_PYTHON) -m tools.bench_gpu --out results/gpu_cost.json $(BENCH_GPU_ARGS)

# The lock is resolved by pip-compile (pip-tools, installed by setup) from requirements.in.
# Index and find-links options stay out of it: they describe this machine, not the project.
lock: setup
	$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links --output-file requirements.txt requirements.in

clean:
	rm -rf _build
