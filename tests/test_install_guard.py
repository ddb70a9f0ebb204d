"""Every notebook opens runnable on Colab and Binder, and its set-up cell is inert locally.

The first code cell of each notebook is the install guard: when the kernel cannot
import `book` (a fresh Colab runtime) it pip-installs this repository, named once in
_config.yml (`repository.url`); where the chapter is installed (README set-up, Binder's
requirements.txt) it does nothing. These tests execute each guard's own source twice,
with process launching intercepted: once as it is here (must launch nothing) and once
with `book` reported missing (must launch exactly one pip install of the repository).
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from paths import NOTEBOOKS, ROOT

REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def _guard(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code, f"{path.name} has no code cell"
    return code[0]


def _run_guard(source: str, monkeypatch, book_missing: bool) -> list:
    """Execute the guard's source; return the commands it tried to launch."""
    launched = []

    def fake_run(cmd, *args, **kwargs):
        launched.append((list(cmd), kwargs))
        return subprocess.CompletedProcess(cmd, 0)

    def forbidden(*args, **kwargs):
        raise AssertionError(f"the guard launched a process another way: {args}")

    monkeypatch.setattr(subprocess, "run", fake_run)
    for name in ("Popen", "call", "check_call", "check_output"):
        monkeypatch.setattr(subprocess, name, forbidden)
    monkeypatch.setattr(os, "system", forbidden)
    if book_missing:
        real_find_spec = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name, *a, **k: None if name.split(".")[0] == "book"
                            else real_find_spec(name, *a, **k))
    exec(compile(source, "<install guard>", "exec"), {"__name__": "__main__"})
    return launched


def test_there_are_notebooks():
    assert NOTEBOOKS, "chapters/ has no notebooks"


def test_the_repository_is_named_once():
    """The guard's target comes from _config.yml; the config names a real GitHub repository."""
    assert REPOSITORY.startswith("https://github.com/") and REPOSITORY.count("/") == 4, REPOSITORY


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_is_the_install_guard(path):
    cell = _guard(path)
    assert 'find_spec("book")' in cell.source, \
        f"{path.name}: the first code cell is not the install guard (copy it from 02_from_scratch)"
    assert f'"git+{REPOSITORY}"' in cell.source, \
        f"{path.name}: the guard does not install git+{REPOSITORY} (_config.yml repository.url)"
    assert "remove-cell" in cell.metadata.get("tags", []), \
        f"{path.name}: tag the guard remove-cell so the book does not show it"
    assert not cell.outputs, f"{path.name}: the guard printed something when it ran here"


def test_every_guard_is_the_same():
    sources = {path.name: _guard(path).source for path in NOTEBOOKS}
    assert len(set(sources.values())) == 1, \
        f"install guards differ between notebooks: {sorted(sources)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_guard_does_nothing_where_book_is_installed(path, monkeypatch):
    assert importlib.util.find_spec("book") is not None, "`book` must be installed for this test"
    assert _run_guard(_guard(path).source, monkeypatch, book_missing=False) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_guard_installs_the_repository_where_book_is_missing(path, monkeypatch):
    launched = _run_guard(_guard(path).source, monkeypatch, book_missing=True)
    assert len(launched) == 1, f"{path.name}: expected one pip install, got {launched}"
    cmd, kwargs = launched[0]
    # The kernel's own interpreter, so the package lands where the notebook imports from.
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"], cmd
    assert cmd[-1] == f"git+{REPOSITORY}", cmd
    assert kwargs.get("check") is True, "a failed install must stop the notebook, not pass silently"
