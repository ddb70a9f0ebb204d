"""Static checks on the committed notebooks; nbval (run on chapters/) re-executes them."""
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip"}


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [entry["file"] for entry in toc["chapters"]]


def test_every_notebook_is_in_the_toc_in_order():
    listed = [f for f in _toc_files() if f.startswith("chapters/")]
    assert listed == [f"chapters/{p.stem}" for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_from_one_top_to_bottom_run(path):
    nb = nbformat.read(path, as_version=4)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), \
        f"{path.name}: execution counts {counts}; re-run with `make execute`"
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
