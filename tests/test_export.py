"""book/ modules exported from notebooks never drift from the notebooks."""

import shutil

import nbformat

from tools import nbtools


def test_exported_modules_match_their_notebooks():
    assert nbtools.exports(), "no notebook declares an export target"
    assert nbtools.stale() == []


def test_an_edited_notebook_is_detected(tmp_path):
    shutil.copytree(nbtools.ROOT / "chapters", tmp_path / "chapters")
    shutil.copytree(nbtools.ROOT / "book", tmp_path / "book")
    assert nbtools.stale(tmp_path) == []
    path = tmp_path / "chapters" / "02_from_scratch.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(
        c
        for c in nb.cells
        if c.source.startswith(nbtools.MARKER) and "class RNNScratch" in c.source
    )
    cell.source = cell.source.replace("torch.tanh(", "torch.sigmoid(")
    nbformat.write(nb, path)
    assert nbtools.stale(tmp_path) == ["book/scratch.py"]
    nbtools.export(tmp_path)
    assert nbtools.stale(tmp_path) == []
    assert "torch.sigmoid(" in (tmp_path / "book" / "scratch.py").read_text()
