"""Learners who open the notebooks in JupyterLab see MyST rendered, not raw directives.

`jupyterlab-myst` (requirements.in) replaces JupyterLab's Markdown renderer. These tests
check that it is installed and enabled, then start JupyterLab on 127.0.0.1 over a copy
of the chapter's notebooks (plus a probe notebook using every construct the chapter
uses), open each in headless Chromium and check that admonitions, exercises, solutions,
maths and equation references are rendered and no directive syntax is left as text.
"""

from __future__ import annotations

import re
import subprocess

import nbformat
import pytest
from paths import NOTEBOOKS, ROOT
from support.jupyter import (
    BIN,
    RAW,
    TOKEN,
    chapter_copy,
    check_citations,
    client_env,
    jupyter_server,
    rendered,
)


def test_jupyterlab_myst_is_installed_and_enabled():
    out = subprocess.run(
        [str(BIN / "jupyter"), "labextension", "list"], capture_output=True, text=True, timeout=120
    )
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", l) for l in (out.stdout + out.stderr).splitlines()]
    myst = [l for l in lines if "jupyterlab-myst" in l and " v" in l]
    assert myst, "jupyterlab-myst is not installed: `make setup` (requirements.txt) installs it"
    assert "enabled" in myst[0], f"jupyterlab-myst is installed but not enabled: {myst[0]}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a copy of the notebooks; yields its base URL."""
    home = tmp_path_factory.mktemp("lab")
    work = chapter_copy(home)
    with jupyter_server("lab", home, work, client_env(home)) as url:
        yield url


def _open(browser, lab, name: str, index: int):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{lab}/lab/workspaces/w{index}/tree/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=60_000)
    return context, page


@pytest.mark.browser
def test_probe_notebook_renders_every_construct(browser, lab):
    context, page = _open(browser, lab, "probe.ipynb", 0)
    try:
        texts = rendered(page, 1)
        found = page.evaluate("""() => ({
            admonitions: document.querySelectorAll('.jp-Notebook .myst-admonition').length,
            exercises: document.querySelectorAll('.jp-Notebook aside.myst-exercise').length,
            solutions: document.querySelectorAll('.jp-Notebook details.myst-exercise').length,
            maths: document.querySelectorAll('.jp-Notebook .katex-display').length,
            eqrefs: [...document.querySelectorAll('.jp-Notebook a[href="#eq-probe"]')]
                      .map(a => a.innerText),
        })""")
        assert found["admonitions"] == 1, found
        assert found["exercises"] == 1, found
        assert found["solutions"] == 1, found  # a dropdown (<details>), closed until clicked
        assert found["maths"] == 1, found
        assert "(1)" in found["eqrefs"], found
        assert not RAW.search("\n".join(texts)), texts
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_notebook_renders_myst(browser, lab, path):
    nb = nbformat.read(path, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    context, page = _open(browser, lab, path.name, NOTEBOOKS.index(path) + 1)
    try:
        texts = rendered(page, len(markdown))
        raw = [(i, m.group(0)) for i, t in enumerate(texts) for m in [RAW.search(t)] if m]
        assert not raw, f"{path.name}: directive syntax shown as text in cells {raw}"
        admonitions = sum(s.count("```{admonition}") + s.count(":::{admonition}") for s in markdown)
        shown = page.locator(".jp-Notebook .myst-admonition").count()
        assert shown >= admonitions, f"{path.name}: {admonitions} admonitions, {shown} rendered"
        # Every reference resolves to readable text (jupyterlab-myst marks the ones it
        # cannot resolve, showing the bare label).
        unresolved = page.eval_on_selector_all(
            '.jp-Notebook [title="Cross Reference Not Found"]', "els => els.map(e => e.innerText)"
        )
        assert not unresolved, f"{path.name}: unresolved references {unresolved}"
        check_citations(page, path)
        # Every figure has its caption, numbered as on the website.
        figures = [
            c.metadata["mystnb"]["figure"]
            for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("mystnb", {}).get("figure")
        ]
        captions = [t for t in texts if re.match(r"Fig\. \d+\.\d+: ", t)]
        assert len(captions) == len(figures), f"{path.name}: {len(figures)} figures, {captions}"
    finally:
        context.close()


@pytest.mark.browser
def test_solutions_stay_hidden_until_opened(browser, lab):
    """Solution prose is in closed dropdowns; solution code and output are collapsed and show
    only a neutral first line."""
    path = ROOT / "chapters" / "06_summary_exercises.ipynb"
    nb = nbformat.read(path, as_version=4)
    context, page = _open(browser, lab, path.name, 50)
    try:
        rendered(page, sum(c.cell_type == "markdown" for c in nb.cells))
        shown = page.evaluate("""() => ({
            open: [...document.querySelectorAll('.jp-Notebook details')].filter(d => d.open)
                      .map(d => d.innerText.slice(0, 60)),
            solutions: document.querySelectorAll('.jp-Notebook details.myst-exercise').length,
            inputs: [...document.querySelectorAll('.jp-Notebook .jp-InputPlaceholder')]
                      .map(e => e.innerText.trim()),
            outputs: [...document.querySelectorAll('.jp-Notebook .jp-OutputPlaceholder')]
                      .map(e => e.innerText.trim()),
        })""")
        assert not shown["open"], shown["open"]
        assert shown["solutions"] == 8, shown
        assert len(shown["inputs"]) >= 7 and all(
            t.startswith("# The solution's code") for t in shown["inputs"]
        ), shown["inputs"]
        assert all(t.startswith("What the solution prints:") for t in shown["outputs"]), shown[
            "outputs"
        ]
    finally:
        context.close()
