"""Static checks on the committed notebooks; nbval (run on chapters/) re-executes them."""

import json

import nbformat
import pytest
from paths import NOTEBOOKS, ROOT, ZH_NOTEBOOKS

from tools.editions import EDITIONS, toc

IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip"}


def test_every_notebook_is_in_the_toc_once_in_file_order():
    """The files are numbered in reading order (01, 02, ... with no gap) and the optional
    part comes last, in both editions."""
    for edition in EDITIONS.values():
        book = toc(ROOT / edition.source)
        listed = [p.relative_to(ROOT / edition.source) for p in book.chapters]
        assert listed == [p.relative_to(ROOT) for p in NOTEBOOKS], (
            f"{edition.locale}: the toc's notebooks are not chapters/ in file order"
        )
        assert [p.name[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(1, len(NOTEBOOKS) + 1)]
        kinds = [part.optional for part in book.parts]
        assert kinds == sorted(kinds) and kinds[-1] and not kinds[0], (
            f"{edition.locale}: the core part comes first, the optional part last: {kinds}"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_from_one_top_to_bottom_run(path):
    nb = nbformat.read(path, as_version=4)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts}; re-run with `make execute`"
    )
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_errors_only_where_expected(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        expected = "raises-exception" in cell.metadata.get("tags", [])
        assert not errors or expected, f"{path.name} cell {i} raised {errors[0].ename}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_ignored_output_gives_its_reason(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if IGNORE_TAGS & set(cell.metadata.get("tags", [])):
            comments = [line for line in cell.source.splitlines() if line.strip().startswith("#")]
            assert comments, f"{path.name} cell {i} ignores its output without a comment saying why"


def test_saved_widget_views_are_the_current_ones():
    """The site draws widgets from the code saved with the notebook (their _esm and _css):
    after an edit of book/*.js or *.css, `make execute` must re-save them."""
    views = {p.read_text(): p.name for p in (ROOT / "book").glob("*.js")}
    styles = {p.read_text(): p.name for p in (ROOT / "book").glob("*.css")}
    seen = set()
    for path in NOTEBOOKS + ZH_NOTEBOOKS:
        widgets = json.loads(path.read_text())["metadata"].get("widgets", {})
        state = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
        for model in state.values():
            if model["model_module"] != "anywidget":
                continue
            esm, css = model["state"]["_esm"], model["state"]["_css"]
            assert esm in views, f"{path.name}: a saved widget view is stale; run make execute"
            assert css in styles, f"{path.name}: a saved widget style is stale; run make execute"
            seen.add(views[esm])
    assert {"explorer.js", "fillin.js"} <= seen
