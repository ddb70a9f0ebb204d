"""The chapter as learners run it: JupyterLab and Notebook 7, headless, on 127.0.0.1.

* ``jupyter labextension list`` (the README's check) reports jupyterlab-myst as compatible.
* A notebook as saved shows the shape explorer's picture before it is run. JupyterLab and
  Notebook 7 draw widget views only from trusted outputs; a fresh checkout is untrusted,
  so they fall back to the safest format in the output: the explorer's static picture, a
  PNG (``book.explorer.static_png``), never its repr. A trusted notebook draws the saved
  widget view itself.
* Once run, the explorer answers the keyboard: a focused slider moves with the arrow keys
  (both apps bind arrows to notebook commands), the - and + buttons step, and the kernel
  confirms the new shapes.
* Run All in "Context in action" trains the fill-in models, and the demo below them
  answers with the kernel's own guesses (the same component as on the website).
* Notebook 7 renders the MyST of every chapter notebook, as JupyterLab does
  (tests/test_jupyterlab.py).

Servers use temporary config, data (notary), runtime, settings and workspace folders, so
the learner's own Jupyter set-up (a notebook they trusted) cannot change what is seen.
"""

from __future__ import annotations

import re
import subprocess

import nbformat
import pytest
from paths import CHAPTERS, NOTEBOOKS
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from support.jupyter import (
    APPS,
    BIN,
    PROBE,
    RAW,
    TOKEN,
    chapter_copy,
    check_citations,
    client_env,
    jupyter_server,
    rendered,
)
from support.widgets import type_text, wait_ready

from book.explorer import DEFAULTS
from book.pretrained import EXAMPLES

pytestmark = pytest.mark.browser

EXPLORER = "04_shape_explorer.ipynb"
TRUSTED = "04_shape_explorer_trusted.ipynb"  # a copy signed with `jupyter trust`
# What plain Markdown leaves of the chapter's roles and directives once it has rendered
# their backticks and fences away, e.g. "{eq}eq-forward" (RAW catches them unrendered).
LEFT_OVER = re.compile(
    r"\{(eq|ref|numref|doc|term|cite|admonition|exercise|solution|"
    r"solution-start|solution-end|note|figure)\}"
)


@pytest.fixture(scope="module", params=list(APPS), ids=list(APPS.values()))
def client(request, tmp_path_factory):
    """``jupyter lab`` or ``jupyter notebook`` over a copy of the notebooks; yields
    ``(app, base URL)``. Started as tests/test_jupyterlab.py starts JupyterLab."""
    app = request.param
    home = tmp_path_factory.mktemp(app)
    work = chapter_copy(home)
    env = client_env(home)
    # A signature covers the whole file, so the trusted copy differs from the chapter's.
    trusted = nbformat.read(work / EXPLORER, as_version=4)
    trusted.metadata["birnn_test_copy"] = "trusted"
    nbformat.write(trusted, work / TRUSTED)
    subprocess.run(
        [str(BIN / "jupyter"), "trust", str(work / TRUSTED)],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    with jupyter_server(app, home, work, env) as url:
        yield app, url


def _open(browser, client, name: str):
    app, url = client
    workspace = re.sub(r"\W", "", name)  # one workspace a notebook: no tab restored
    path = (
        f"/lab/workspaces/{workspace}/tree/{name}?reset" if app == "lab" else f"/notebooks/{name}?"
    )
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{url}{path}&token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=60_000)
    return context, page


def _explorer_output(page):
    """The output area of the cell that displays the explorer."""
    cell = page.locator(".jp-Notebook .jp-CodeCell", has_text="explorer = ShapeExplorer()")
    return cell.locator(".jp-OutputArea-output")


def _box(page, name):
    return page.locator(f'.birnn-explorer input[type="number"][data-size="{name}"]')


def _drawn(page) -> dict[str, int]:
    label = page.get_attribute(".birnn-explorer svg.birnn-picture", "aria-label")
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", label)}


def _block_label(page, key) -> str:
    return page.text_content(f'.birnn-explorer svg g.birnn-block[data-key="{key}"] .birnn-label')


def _run_all(page):
    """Run > Run All Cells, once the page's kernel is connected.

    Asked too early (the kernel is still connecting, which its indicator shows only
    after a first "idle"), the apps clear the prompts and run nothing; then ask again.
    """
    idle = '.jp-Notebook-ExecutionIndicator[data-status="idle"]'
    for _ in range(3):
        page.wait_for_selector(idle, timeout=120_000)
        page.wait_for_timeout(1500)
        page.wait_for_selector(idle, timeout=120_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:  # a queued or running cell shows [*]
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-InputPrompt')]
                .some(p => p.innerText.includes('[*]'))""",
                timeout=15_000,
            )
            return
        except PlaywrightTimeoutError:
            continue
    pytest.fail("Run All Cells ran nothing three times")


def test_labextension_list_reports_jupyterlab_myst_compatible():
    """The README tells learners to run this; an X or a conflict table would alarm them."""
    out = subprocess.run(
        [str(BIN / "jupyter"), "labextension", "list"], capture_output=True, text=True, timeout=120
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    myst = [line for line in text.splitlines() if "jupyterlab-myst" in line and " v" in line]
    assert myst, text
    assert re.search(r"\benabled\s+OK\b", myst[0]), myst[0]
    assert "not compatible" not in text and "Conflicting Dependencies" not in text, text


def test_saved_notebook_shows_a_picture_before_it_is_run(browser, client):
    """Untrusted, unrun: the static picture saved with the output (a PNG of draw_shapes and
    its note, book.explorer.static_png), never the repr."""
    context, page = _open(browser, client, EXPLORER)
    try:
        out = _explorer_output(page)
        out.first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # let a late widget renderer take over, if one would
        assert "ShapeExplorer object at" not in page.inner_text(".jp-Notebook")
        image = out.locator("img")
        assert image.count() == 1, f"no picture: {out.inner_text()!r}"
        src = image.get_attribute("src")
        assert src.startswith("data:image/png;base64,")
        saved = [
            o["data"]["image/png"]
            for cell in nbformat.read(CHAPTERS / EXPLORER, 4).cells
            if "explorer = ShapeExplorer()" in cell.source
            for o in cell.outputs
        ]
        assert [src.split(",", 1)[1]] == [s.replace("\n", "") for s in saved]
        width = image.evaluate("img => img.complete && img.naturalWidth")
        assert width > 300 and image.bounding_box()["width"] == pytest.approx(width, abs=1)
    finally:
        context.close()


def test_trusted_saved_notebook_draws_the_saved_view(browser, client):
    """Trusted (`jupyter trust`), unrun: the widget view from the saved state."""
    context, page = _open(browser, client, TRUSTED)
    try:
        page.wait_for_selector(".birnn-explorer svg g.birnn-block", timeout=60_000)
        assert _drawn(page) == DEFAULTS
        assert {_box(page, k).input_value() for k in DEFAULTS} == {
            str(v) for v in DEFAULTS.values()
        }
        assert "ShapeExplorer object at" not in page.inner_text(".jp-Notebook")
        assert _explorer_output(page).locator("img").count() == 0
        # Not run yet, so no kernel behind the view: it still redraws, as on the website.
        errors = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        slider = page.locator('.birnn-explorer input[type="range"][data-size="q"]')
        slider.focus()
        slider.press("ArrowRight")
        assert _drawn(page)["q"] == DEFAULTS["q"] + 1
        assert "Run the notebook" in page.inner_text(".birnn-explorer .birnn-check")
        assert errors == []
    finally:
        context.close()


def test_slider_keys_and_step_buttons_in_a_running_kernel(browser, client):
    app, _ = client
    context, page = _open(browser, client, EXPLORER)
    try:
        _run_all(page)
        slider = page.locator('.birnn-explorer input[type="range"][data-size="h_f"]')
        slider.wait_for(timeout=180_000)
        # The kernel has checked the default sizes.
        page.wait_for_function(
            "() => document.querySelector('.birnn-explorer .birnn-ok')", timeout=60_000
        )
        h_f = DEFAULTS["h_f"]
        slider.focus()
        slider.press("ArrowRight")
        assert page.evaluate("document.activeElement.dataset.size") == "h_f", (
            f"{APPS[app]} took the key: focus left the slider"
        )
        assert slider.input_value() == _box(page, "h_f").input_value() == str(h_f + 1)
        assert _drawn(page)["h_f"] == h_f + 1
        assert _block_label(page, "H_f_t") == f"n×h_f = {DEFAULTS['n']}×{h_f + 1}"
        slider.press("ArrowLeft")
        slider.press("ArrowLeft")
        assert _drawn(page)["h_f"] == h_f - 1
        page.locator('.birnn-explorer button[aria-label="increase h_f"]').click()
        page.locator('.birnn-explorer button[aria-label="increase h_f"]').press("Enter")
        assert _drawn(page)["h_f"] == h_f + 1
        # The kernel rebuilt the model with the new size and confirmed its shapes.
        h = h_f + 1 + DEFAULTS["h_b"]
        page.wait_for_function(
            "t => document.querySelector('.birnn-explorer .birnn-check').innerText.includes(t)",
            arg=f"outputs ({DEFAULTS['T']}, {DEFAULTS['n']}, {h})",
            timeout=30_000,
        )
        assert page.locator(".birnn-explorer .birnn-ok").count() == 1
        # Typing still works, and Enter in a box commits the value there.
        _box(page, "T").fill("9")
        _box(page, "T").press("Enter")
        assert _drawn(page)["T"] == 9
    finally:
        context.close()


@pytest.mark.parametrize("client", ["notebook"], indirect=True, ids=["Notebook 7"])
@pytest.mark.parametrize("name", ["probe.ipynb"] + [p.name for p in NOTEBOOKS])
def test_notebook7_renders_myst(browser, client, name):
    """jupyterlab-myst renders in Notebook 7 too: no directive left as text, every
    admonition drawn, and in the probe one of each construct the chapter uses."""
    source = PROBE if name == "probe.ipynb" else None
    if source is None:
        nb = nbformat.read(NOTEBOOKS[0].parent / name, as_version=4)
        markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    else:
        markdown = [source]
    context, page = _open(browser, client, name)
    try:
        texts = rendered(page, len(markdown))
        raw = [
            (i, m.group(0))
            for i, t in enumerate(texts)
            for m in [RAW.search(t) or LEFT_OVER.search(t)]
            if m
        ]
        assert not raw, f"{name}: directive syntax shown as text in cells {raw}"
        admonitions = sum(s.count("```{admonition}") + s.count(":::{admonition}") for s in markdown)
        shown = page.locator(".jp-Notebook .myst-admonition").count()
        assert shown >= admonitions, f"{name}: {admonitions} admonitions, {shown} rendered"
        if source is None:
            # Notebook 7 follows a citation link towards its entry, but its windowed notebook
            # re-measures cells while it scrolls and stops short (about 900 px in notebook 5),
            # so only the links and their targets are checked here; JupyterLab follows one.
            check_citations(page, NOTEBOOKS[0].parent / name, follow=False)
        if source is not None:
            found = page.evaluate("""() => ({
                admonitions: document.querySelectorAll('.jp-Notebook .myst-admonition').length,
                exercises: document.querySelectorAll('.jp-Notebook aside.myst-exercise').length,
                solutions: document.querySelectorAll('.jp-Notebook details.myst-exercise').length,
                maths: document.querySelectorAll('.jp-Notebook .katex-display').length})""")
            assert found == {"admonitions": 1, "exercises": 1, "solutions": 1, "maths": 1}, found
    finally:
        context.close()


CONTEXT = "05_context_in_action.ipynb"


def _watch_errors(page) -> list[str]:
    """The page's errors as they come, except one of Notebook 7's own: its cell-toolbar
    code (_updateCellForToolbarOverlap, in notebook_core) reads a cell's node in an idle
    callback after the cell is gone, when the active cell changes under it; seen once in
    a few runs, and never from the demo's code."""
    errors = []

    def record(err):
        text = f"{err} {err.stack}"
        if not ("reading 'node'" in text and "notebook_core" in text):
            errors.append(text)

    page.on("pageerror", record)
    return errors


def test_fill_in_demo_runs_the_models_the_kernel_loaded(browser, client):
    """Run All in notebook 5 loads the shipped models; the demo below them answers with
    exactly the guesses the kernel printed for the examples (computed in PyTorch), and a
    typed sentence with a bad character gets its message."""
    app, _ = client
    context, page = _open(browser, client, CONTEXT)
    errors = _watch_errors(page)
    try:
        _run_all(page)
        page.wait_for_selector('.birnn-fillin[data-state="ready"]', timeout=240_000)
        table = page.locator(".jp-Notebook .jp-CodeCell", has_text="from book.fillin import")
        table.scroll_into_view_if_needed()  # cells off screen may be drawn late
        output = table.locator(".jp-OutputArea-output")
        output.filter(has_text="the right decides").wait_for(timeout=30_000)
        # textContent: Notebook 7 skips drawing cells off screen, and innerText is then empty.
        printed = output.text_content()
        # sentence, truth, ..., the left-to-right and the bidirectional top guesses
        rows = re.findall(r"^([a-z _]+?) {2,}'(\w)'.*'(.)' \d+% +'(.)' \d+%$", printed, re.M)
        assert len(rows) == len(EXAMPLES), printed
        buttons = page.locator(".birnn-fillin-example")
        labels = buttons.all_inner_texts()
        shown = [row for row in rows if row[0] in labels]
        assert len(shown) == len(labels) >= 9
        for sentence, _truth, uni, bi in shown:
            buttons.nth(labels.index(sentence)).click()
            wait_ready(page, sentence)
            assert page.get_attribute(".birnn-fillin", "data-state") == "ready"
            blank = page.locator(".birnn-fillin-blank")
            assert blank.count() == 1
            assert (blank.get_attribute("data-top-uni"), blank.get_attribute("data-top-bi")) == (
                uni,
                bi,
            ), (APPS[app], sentence)
        assert sum(bi == truth != uni for _, truth, uni, bi in shown) >= 7
        type_text(page, "caf3 _")
        assert page.get_attribute(".birnn-fillin", "data-state") == "error"
        assert "remove '3'" in page.inner_text(".birnn-fillin-message")
        assert errors == []
    finally:
        context.close()


def test_a_chinese_notebook_runs_in_chinese(browser, client):
    """The Chinese "Context in action" in a real client: its prose renders in Chinese, and
    after Run All the kernel, started in zh_CN/chapters, gives the fill-in demo Chinese
    words (the page around it is the English-language app, so the words come from the
    kernel's language, not the page's) and the same guesses as the English notebook."""
    app, _ = client
    context, page = _open(browser, client, "zh_CN/chapters/" + CONTEXT)
    errors = _watch_errors(page)
    try:
        heading = page.locator(".jp-Notebook .jp-MarkdownCell h1").first
        heading.wait_for(timeout=60_000)
        assert heading.text_content().strip().startswith("上下文的作用"), heading.text_content()
        _run_all(page)
        page.wait_for_selector('.birnn-fillin[data-state="ready"]', timeout=240_000)
        assert page.locator(".birnn-fillin label").first.text_content().startswith("句子")
        type_text(page, "we went into _he house")
        assert page.get_attribute(".birnn-fillin", "data-state") == "ready"
        assert page.get_attribute(".birnn-fillin-blank", "data-top-bi") == "t"
        type_text(page, "no blank")
        assert page.get_attribute(".birnn-fillin", "data-state") == "error"
        assert page.text_content(".birnn-fillin-message").startswith("还没有空")
        assert errors == [], APPS[app]
    finally:
        context.close()
