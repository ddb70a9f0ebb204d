"""The plain-Jupyter notebooks (plain/, tools/plainnb.py) read right where MyST is not rendered.

Colab, VS Code, GitHub, nbviewer and Kaggle render a notebook's Markdown without MyST. The
plain flavour is written for them; these tests hold it to that:

* it is what ``make export`` writes from the MyST notebooks of both editions (one per
  notebook of each ``_toc.yml``), and holds no MyST syntax;
* every ``#label`` link has its anchor in the notebook, every link to another notebook (and
  its anchor) exists, equations carry the website's numbers;
* exercises are headings; hints and solution prose sit in closed ``<details>``; solution code
  cells are Colab form cells (``#@title``), collapsed in JupyterLab, with no saved output;
  the Chinese notebooks' install guard sets ``BOOK_LANG=zh`` before ``book`` is imported;
* in two real non-MyST renderers, in headless Chromium: nbconvert's HTML exporter (what
  nbviewer and ``jupyter nbconvert --to html`` show, with MathJax 2 served from npm's copy)
  and JupyterLab with jupyterlab-myst disabled: no directive or role text, every maths
  expression typeset (equation numbers included), every ``<details>`` closed with its
  content hidden until clicked, every in-page link reaching its anchor. In JupyterLab the
  solution code cells are collapsed too, and following an equation link brings the
  equation into view. (nbconvert, like GitHub and nbviewer, shows every code cell: it has no
  way to hide one, nor has VS Code; Colab hides the solution code, JupyterLab collapses
  it, and no renderer shows its output before the cell is run: it is saved without one.)
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading

import nbformat
import pytest
from paths import ROOT
from support.guard import REPOSITORY, run_guard

from tools import nbrefs, plainnb
from tools.editions import EDITIONS, PLAIN, edition_of

SOURCES = [(edition, path) for edition in EDITIONS.values() for path in plainnb.notebooks(edition)]
PLAIN_NOTEBOOKS = [ROOT / PLAIN / path.relative_to(ROOT) for _, path in SOURCES]
# MyST that must not survive into the plain flavour (as source or as rendered text).
MYST = re.compile(
    r"```\{|:::\{|\{(eq|ref|numref|doc|term|cite(:\w+)?|math|glue)\}`|"
    r"^\([\w-]+\)=\s*$|^\$\$\s*\([\w-]+\)|^\s*:(label|class|filter|keyprefix):",
    re.M,
)
# ... and what a Markdown renderer leaves of it once backticks and fences are drawn.
LEFT_OVER = re.compile(
    r"\{(eq|ref|numref|doc|term|cite(:\w+)?|admonition|exercise|solution|"
    r"solution-start|solution-end|bibliography|note|figure)\}"
)
TEX = re.compile(r"\\[A-Za-z]{2,}|\$")
ANCHOR = re.compile(r'<a id="([\w-]+)" name="\1"></a>')
LINK = re.compile(r"\]\(([\w.-]*\.ipynb)?(?:#([\w-]+))?\)")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _markdown(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def _solution_code(nb) -> list:
    return [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and c.source.startswith("#@title")
        and c.metadata.get("jupyter", {}).get("source_hidden")
    ]


def test_plain_notebooks_are_what_make_export_writes():
    assert plainnb.stale() == [], "run `make export` (tools/plainnb.py writes plain/)"


def test_one_plain_notebook_per_notebook_of_each_edition():
    assert sorted(PLAIN_NOTEBOOKS) == sorted((ROOT / PLAIN).rglob("*.ipynb"))
    assert len(PLAIN_NOTEBOOKS) == 2 * len(plainnb.notebooks(EDITIONS["en"]))


def test_an_unknown_directive_is_an_error_not_raw_text(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("```{figure} x.png\nA figure.\n```")]
    )
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(plainnb.PlainError, match="figure"):
        plainnb.plain_notebook(path, EDITIONS["en"], {}, {}, root=tmp_path)


@pytest.mark.parametrize("path", PLAIN_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_myst_left_and_every_link_lands(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n\n".join(_markdown(nb))
    left = [m.group(0) for m in MYST.finditer(markdown)]
    assert not left, f"{path.name}: MyST left in the plain flavour: {left}"
    anchors = set(ANCHOR.findall(markdown))
    for file, label in LINK.findall(markdown):
        target = path.parent / file if file else path
        assert target.exists(), f"{path.name}: link to missing {file}"
        if label:
            there = (
                anchors
                if not file
                else set(ANCHOR.findall("\n".join(_markdown(nbformat.read(target, as_version=4)))))
            )
            assert label in there, f"{path.name}: no anchor {label!r} in {target.name}"


@pytest.mark.parametrize("path", PLAIN_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_solutions_are_closed_and_their_code_hidden(path):
    nb = nbformat.read(path, as_version=4)
    source = ROOT / path.relative_to(ROOT / PLAIN)
    solutions = sum("{solution-start}" in s for s in _markdown(nbformat.read(source, 4)))
    markdown = _markdown(nb)
    assert not any("<details open" in s for s in markdown)
    summaries = [
        s
        for s in markdown
        if s.startswith("<details><summary>")
        and re.search(r"Exercise \d|练习", s.split("\n", 1)[0])
    ]
    assert len(summaries) >= solutions, path.name
    code = _solution_code(nb)
    if solutions:
        assert code, f"{path.name}: no hidden solution code"
    for cell in code:
        assert cell.metadata["cellView"] == "form"
        assert cell.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
        assert cell.outputs == [], "Colab would show a solution's saved output in the open"
    exercises = sum("{exercise}" in s for s in _markdown(nbformat.read(source, 4)))
    assert sum(bool(re.match(r"### <a id=\"ex-", s)) for s in markdown) == exercises


@pytest.mark.parametrize(
    "edition, source", SOURCES, ids=lambda x: getattr(x, "name", getattr(x, "lang", ""))
)
def test_outputs_are_the_source_notebooks(edition, source):
    """Every code cell but the solutions' keeps its source notebook's outputs (Chinese
    from zh_CN/chapters/), and Markdown cells keep their order."""
    plain = nbformat.read(ROOT / PLAIN / source.relative_to(ROOT), as_version=4)
    original = nbformat.read(source, as_version=4)
    kept = [
        (c.outputs, c.execution_count)
        for c in plain.cells
        if c.cell_type == "code" and c not in _solution_code(plain)
    ]
    want = [
        (c.outputs, c.execution_count)
        for c in original.cells
        if c.cell_type == "code" and not c.metadata.get("jupyter", {}).get("source_hidden")
    ]
    assert kept == want


@pytest.mark.parametrize("path", PLAIN_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_guard_is_a_form_cell_and_sets_the_language(path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    guard = next(c for c in nb.cells if c.cell_type == "code")
    assert guard.source.startswith("#@title ") and guard.metadata["cellView"] == "form"
    edition = edition_of(path)
    chinese = edition.lang != "en"
    # The guard _config.yml makes (tools.nbrefs), in the edition's language.
    assert guard.source.split("\n", 1)[1] == nbrefs.install_guard(ROOT, edition.lang)
    saved = os.environ.pop("BOOK_LANG", None)
    try:
        for book_missing in (True, False):
            with monkeypatch.context() as patch:
                launched = run_guard(guard.source, patch, book_missing=book_missing)
                assert [cmd[-1] for cmd, _ in launched] == (
                    [f"git+{REPOSITORY}"] if book_missing else []
                )
                assert os.environ.pop("BOOK_LANG", None) == ("zh" if chinese else None)
    finally:
        if saved is not None:
            os.environ["BOOK_LANG"] = saved
    if chinese:
        assert guard.source.index("BOOK_LANG") < guard.source.index("find_spec")


# --- real renderers ---------------------------------------------------------------------------


def _expected(path) -> dict:
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(_markdown(nb))
    return {
        "tags": re.findall(r"\\tag\{([\d.]+)\}", markdown),
        "details": markdown.count("<details>"),
        "solution_code": len(_solution_code(nb)),
    }


# In the page: what a reader would see of the Markdown cells.
PROBE = """([cells, math, tagSelector]) => {
    const md = [...document.querySelectorAll(cells)];
    const visibleText = (el) => {
        const copy = el.cloneNode(true);
        copy.querySelectorAll('code, pre, script, style, ' + math).forEach(e => e.remove());
        return copy.textContent;
    };
    const details = [...document.querySelectorAll('details')];
    const hidden = details.every(d => [...d.children].filter(c => c.tagName !== 'SUMMARY')
        .every(c => !c.checkVisibility()));
    const links = [...document.querySelectorAll(cells.split(',').map(s => s + ' a[href^="#"]')
        .join(','))].map(a => a.getAttribute('href').slice(1))
        .filter(id => id && !document.getElementById(id)
                && !document.querySelector(`[data-jupyter-id="${id}"]`)
                && !document.querySelector(`a[name="${id}"]`));
    return {text: md.map(visibleText).join('\\n'), rawText: md.map(c => c.innerText).join('\\n'),
            maths: document.querySelectorAll(math).length,
            tags: [...document.querySelectorAll(tagSelector)].map(e => e.textContent.trim())
                .filter(t => t),
            details: details.length, open: details.filter(d => d.open).length, hidden,
            unanchored: links};
}"""


OUTPUTS = """() => [...document.querySelectorAll('.jp-OutputArea')].map(o => o.textContent)
    .join('\\n')"""


def _check_rendered(found: dict, expected: dict, name: str) -> None:
    raw = [m.group(0) for pattern in (MYST, LEFT_OVER) for m in pattern.finditer(found["rawText"])]
    assert not raw, f"{name}: MyST shown as text: {raw}"
    tex = sorted(set(TEX.findall(found["text"])))
    assert not tex, f"{name}: maths left untypeset: {tex}"
    assert sorted(found["tags"]) == sorted(f"({t})" for t in expected["tags"]), (
        f"{name}: equation numbers {found['tags']}, want {expected['tags']}"
    )
    assert found["details"] == expected["details"] and found["open"] == 0, found
    assert found["hidden"], f"{name}: a closed <details> shows its content"
    assert not found["unanchored"], f"{name}: links without a target {found['unanchored']}"


@pytest.fixture(scope="module")
def nbconvert_site(tmp_path_factory):
    """plain/ converted by nbconvert's HTML exporter (lab template, as `jupyter nbconvert
    --to html`), served with MathJax 2 from node_modules instead of its CDN."""
    from nbconvert import HTMLExporter

    mathjax = ROOT / "node_modules" / "mathjax"
    if not (mathjax / "MathJax.js").exists():
        pytest.fail("node_modules/mathjax is missing: `make vendor` runs npm ci")
    site = tmp_path_factory.mktemp("nbconvert")
    (site / "mathjax").symlink_to(mathjax)
    exporter = HTMLExporter(
        template_name="lab", mathjax_url="/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    )
    for path in PLAIN_NOTEBOOKS:
        out = site / path.relative_to(ROOT / PLAIN).with_suffix(".html")
        out.parent.mkdir(parents=True, exist_ok=True)
        body, _ = exporter.from_filename(str(path))
        out.write_text(body, encoding="utf-8")
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
@pytest.mark.parametrize("path", PLAIN_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_nbconvert_html_reads_right(browser, nbconvert_site, path):
    context = browser.new_context()
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(nbconvert_site) else route.abort()
        ),
    )
    page = context.new_page()
    try:
        rel = path.relative_to(ROOT / PLAIN).with_suffix(".html").as_posix()
        page.goto(f"{nbconvert_site}/{rel}", wait_until="load")
        page.wait_for_function(
            """() => window.MathJax && MathJax.Hub &&
            MathJax.Hub.queue.pending === 0 && MathJax.Hub.queue.running === 0 &&
            document.querySelectorAll('.MathJax_Preview:not(:empty), .MathJax_Processing')
              .length === 0""",
            timeout=120_000,
        )
        page.wait_for_timeout(300)
        found = page.evaluate(
            PROBE,
            [".jp-MarkdownCell .jp-RenderedMarkdown", ".MathJax_CHTML, .MathJax", ".mjx-label"],
        )
        _check_rendered(found, _expected(path), path.name)
        # No solution output before its cell runs (solution cells are saved without one).
        assert "What the solution prints" not in page.evaluate(OUTPUTS)
    finally:
        context.close()


@pytest.fixture(scope="module")
def plain_lab(tmp_path_factory):
    """JupyterLab over a copy of plain/, with jupyterlab-myst disabled in its own config
    (as a learner without the extension sees the notebooks)."""
    from support.jupyter import client_env, jupyter_server

    home = tmp_path_factory.mktemp("plainlab")
    work = home / "work"
    shutil.copytree(ROOT / PLAIN, work)
    labconfig = home / "config" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"jupyterlab-myst": True}})
    )
    with jupyter_server("lab", home, work, client_env(home)) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("path", PLAIN_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_jupyterlab_without_myst_reads_right(browser, plain_lab, path):
    from support.jupyter import TOKEN

    rel = path.relative_to(ROOT / PLAIN).as_posix()
    nb = nbformat.read(path, as_version=4)
    expected = _expected(path)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        workspace = re.sub(r"\W", "", rel)
        page.goto(f"{plain_lab}/lab/workspaces/{workspace}/tree/{rel}?reset&token={TOKEN}")
        n = sum(c.cell_type == "markdown" for c in nb.cells)
        page.wait_for_function(
            """n => { const c = document.querySelectorAll('.jp-Notebook .jp-MarkdownCell');
                      return c.length === n && [...c].every(
                        x => x.querySelector('.jp-RenderedMarkdown') !== null); }""",
            arg=n,
            timeout=60_000,
        )
        page.wait_for_function(
            """() => document.querySelectorAll(
            '.jp-RenderedMarkdown mjx-container').length > 0 || !/\\$/.test(
            [...document.querySelectorAll('.jp-RenderedMarkdown')].map(e => e.innerText)
            .join(''))""",
            timeout=60_000,
        )
        page.wait_for_timeout(1000)
        assert page.locator(".jp-Notebook .myst").count() == 0, "jupyterlab-myst is active"
        found = page.evaluate(
            PROBE,
            [
                ".jp-MarkdownCell .jp-RenderedMarkdown",
                "mjx-container",
                "mjx-assistive-mml mlabeledtr > mtd:first-child",
            ],
        )
        _check_rendered(found, expected, rel)
        assert "What the solution prints" not in page.evaluate(OUTPUTS)
        collapsed = page.locator(".jp-Notebook .jp-InputPlaceholder").count()
        assert collapsed == expected["solution_code"], (rel, collapsed)
        link = page.locator('.jp-RenderedMarkdown a[href^="#eq-"]:visible').first
        if link.count():
            target = link.get_attribute("href")[1:]
            link.click()
            page.wait_for_function(
                """id => { const r = document.querySelector(
                `[data-jupyter-id="${id}"]`).getBoundingClientRect();
                return r.top >= 0 && r.top < window.innerHeight; }""",
                arg=target,
                timeout=10_000,
            )
    finally:
        context.close()
