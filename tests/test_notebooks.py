"""Static checks on the committed notebooks; nbval (run on chapters/) re-executes them."""

import nbformat
import pytest
import yaml
from paths import NOTEBOOKS, ROOT

IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip"}


def _toc_parts():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return {part["caption"]: [entry["file"] for entry in part["chapters"]]
            for part in toc["parts"]}


def test_every_notebook_is_in_the_toc_once_each_part_in_file_order():
    parts = _toc_parts()
    listed = [f for files in parts.values() for f in files if f.startswith("chapters/")]
    assert sorted(listed) == [f"chapters/{p.stem}" for p in NOTEBOOKS]
    for caption, files in parts.items():
        assert files == sorted(files), f"part {caption!r} is out of file order: {files}"
    optional = [c for c in parts if c.startswith("Going further")]
    assert optional and list(parts)[-1] == optional[0], "the optional part comes last"


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
