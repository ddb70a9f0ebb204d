"""Every notebook opens runnable on Colab and Binder, and its set-up cell is inert locally.

The first code cell of each notebook is the install guard: when the kernel cannot
import `book` (a fresh Colab runtime) it pip-installs this repository, named once in
_config.yml (`repository.url`); where the chapter is installed (README set-up, Binder's
requirements.txt) it does nothing. `make export` writes it from _config.yml
(``tools.nbrefs.install_guard``) into both editions (the plain notebooks' guard, which also
sets the language, is checked in test_plain.py); these tests fail when a guard is stale,
and execute each guard's own source twice, with process launching intercepted: once as it
is here (must launch nothing) and once with `book` reported missing (must launch exactly
one pip install of the repository).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from paths import NOTEBOOKS, ROOT, ZH_NOTEBOOKS
from support.guard import REPOSITORY, run_guard

from tools import nbrefs

BOTH = NOTEBOOKS + ZH_NOTEBOOKS


def _guard(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, f"{path.name} has no code cell"
    return code[0]


def _id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_there_are_notebooks():
    assert NOTEBOOKS and len(ZH_NOTEBOOKS) == len(NOTEBOOKS), "chapters/ or zh_CN/ is empty"


def test_the_repository_is_named_once():
    """The guard's target comes from _config.yml; the config names a real GitHub repository."""
    assert REPOSITORY.startswith("https://github.com/") and REPOSITORY.count("/") == 4, REPOSITORY
    assert f'"git+{REPOSITORY}"' in nbrefs.install_guard(ROOT)


@pytest.mark.parametrize("path", BOTH, ids=_id)
def test_first_code_cell_is_the_generated_install_guard(path):
    cell = _guard(path)
    assert cell.source == nbrefs.install_guard(ROOT), (
        f"{_id(path)}: the first code cell is not the install guard _config.yml makes: "
        "run `make export`"
    )
    assert cell.metadata.get("book", {}).get("generated") == nbrefs.GUARD
    assert "remove-cell" in cell.metadata.get("tags", []), (
        f"{_id(path)}: tag the guard remove-cell so the book does not show it"
    )
    assert not cell.outputs, f"{_id(path)}: the guard printed something when it ran here"


def test_a_moved_repository_makes_every_guard_stale(tmp_path):
    """Changing repository.url is the one edit: the guards are then stale until `make
    export`, and the export writes the new address into each."""
    for name in ("_toc.yml", "references.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    config = (ROOT / "_config.yml").read_text()
    moved = "https://github.com/someone-else/birnn"
    (tmp_path / "_config.yml").write_text(config.replace(REPOSITORY, moved))
    shutil.copytree(ROOT / "chapters", tmp_path / "chapters")
    stale = nbrefs.stale(tmp_path)
    assert sorted(stale) == sorted(p.relative_to(ROOT).as_posix() for p in NOTEBOOKS)
    path = tmp_path / "chapters" / NOTEBOOKS[0].name
    nb = nbrefs.rewrite(path, nbrefs.targets(nbrefs.chapters(tmp_path)))
    assert f'"git+{moved}"' in [c for c in nb.cells if c.cell_type == "code"][0].source


@pytest.mark.parametrize("path", BOTH, ids=_id)
def test_guard_does_nothing_where_book_is_installed(path, monkeypatch):
    assert importlib.util.find_spec("book") is not None, "`book` must be installed for this test"
    assert run_guard(_guard(path).source, monkeypatch, book_missing=False) == []


@pytest.mark.parametrize("path", BOTH, ids=_id)
def test_guard_installs_the_repository_where_book_is_missing(path, monkeypatch):
    launched = run_guard(_guard(path).source, monkeypatch, book_missing=True)
    assert len(launched) == 1, f"{_id(path)}: expected one pip install, got {launched}"
    cmd, kwargs = launched[0]
    # The kernel's own interpreter, so the package lands where the notebook imports from.
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"], cmd
    assert cmd[-1] == f"git+{REPOSITORY}", cmd
    assert kwargs.get("check") is True, "a failed install must stop the notebook, not pass silently"
