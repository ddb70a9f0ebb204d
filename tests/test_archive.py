"""The runnable chapter (tools/archive.py): one archive per edition, made by `make book`.

* Each archive holds its edition's notebooks at their repository paths, the `book` wheel
  (with its data and models), the lock with that wheel in place of this checkout, the
  licences and a three-step README (create an environment, install, open);
* it is reproducible: two builds from the same checkout are the same bytes;
* it installs offline into a fresh virtual environment (the archive plus the lock's
  packages from local wheels: ``--no-index``), and notebooks of both editions run there,
  importing `book` from the wheel, not from this checkout; the Chinese one speaks Chinese.

The lock's wheels come from ``make wheelhouse`` (``.venv/wheelhouse``, which ``make test``
fills once per lock, as ``make setup`` installs packages) or ``$BIRNN_WHEELHOUSE``
(folders, separated by ``os.pathsep``); the test itself downloads nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from paths import ROOT

from tools import archive, nbrefs
from tools.editions import EDITIONS, NAME

pytestmark = pytest.mark.site


def _archive(edition) -> Path:
    path = ROOT / edition.html / edition.archive
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: `make book` makes it")
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_each_archive_holds_its_edition(built_book):
    wheels = set()
    for edition in EDITIONS.values():
        top = f"{NAME}-{edition.locale}/"
        files = _members(_archive(edition))
        assert all(name.startswith(top) for name in files)
        names = {name[len(top) :] for name in files}
        notebooks = nbrefs.chapters(ROOT / edition.source)
        want = {
            p.relative_to(ROOT / edition.source if edition.lang == "en" else ROOT).as_posix()
            for p in notebooks
        }
        assert want <= names, want - names
        for p in notebooks:
            rel = p.relative_to(ROOT / edition.source if edition.lang == "en" else ROOT)
            assert files[top + rel.as_posix()] == p.read_bytes()
        assert {
            "README.md",
            "requirements.txt",
            "LICENSE",
            "LICENSE-TEXT.md",
            "CITATION.cff",
        } <= names
        wheel = [
            n for n in names if re.fullmatch(r"wheels/birnn_chapter-[\d.]+-py3-none-any\.whl", n)
        ]
        assert len(wheel) == 1, names
        wheels.add(files[top + wheel[0]])
        readme = files[top + "README.md"].decode().strip().splitlines()
        steps = [l for l in readme if re.match(r"\d\. ", l)]
        assert (
            len(steps) == 3
            and "venv" in steps[0]
            and "pip install -r requirements.txt" in steps[1]
            and sorted(want)[0] in steps[2]
        ), readme
        lock = (ROOT / "requirements.txt").read_text().splitlines()
        reqs = files[top + "requirements.txt"].decode().splitlines()
        assert f"./{wheel[0]}" in reqs and "-e file:." not in reqs
        assert [l for l in lock if l != "-e file:."] == reqs[-len(lock) + 1 :][: len(lock) - 1]
        with zipfile.ZipFile(_archive(edition)) as z:
            inner = z.open(top + wheel[0])
            with zipfile.ZipFile(inner) as w:
                data = set(w.namelist())
        assert "book/models/manifest.json" in data, sorted(data)
        assert any(n.startswith("book/data/") and n.endswith(".txt") for n in data)
        assert any(n.startswith("book/models/") and n.endswith(".safetensors") for n in data)
    assert len(wheels) == 1, "the editions carry different `book` wheels"


def test_archives_are_reproducible(tmp_path):
    first = archive.build_all(site=tmp_path / "a")
    second = archive.build_all(site=tmp_path / "b")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two builds"


def wheelhouses() -> list[str]:
    """Folders of the lock's wheels: $BIRNN_WHEELHOUSE, else `make wheelhouse`'s."""
    if os.environ.get("BIRNN_WHEELHOUSE"):
        return os.environ["BIRNN_WHEELHOUSE"].split(os.pathsep)
    folder = Path(sys.prefix) / "wheelhouse"
    return [str(folder)] if (folder / ".stamp").exists() else []


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory, built_book):
    """The English archive unpacked and installed into a new virtual environment, offline;
    the Chinese archive unpacked beside it."""
    folders = wheelhouses()
    if not folders:
        pytest.fail(
            "no wheels of the lock to install offline: run `make wheelhouse` (make test "
            "does), or set BIRNN_WHEELHOUSE to a folder of them"
        )
    work = tmp_path_factory.mktemp("archive")
    for edition in EDITIONS.values():
        with zipfile.ZipFile(_archive(edition)) as z:
            z.extractall(work)
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    links = [arg for folder in folders for arg in ("--find-links", folder)]
    english = work / f"{NAME}-{EDITIONS['en'].locale}"
    log = work / "pip.log"
    with log.open("w") as out:
        result = subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--no-index",
                *links,
                "-r",
                "requirements.txt",
            ],
            cwd=english,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=1800,
        )
    assert result.returncode == 0, log.read_text()[-4000:]
    return work, venv, env


def test_the_archive_installs_offline_and_its_notebooks_run(fresh_env):
    work, venv, env = fresh_env
    python = venv / "bin" / "python"
    where = subprocess.run(
        [str(python), "-c", "import book, torch; print(book.__file__); print(torch.__version__)"],
        capture_output=True,
        text=True,
        cwd=work,
        env=env,
        timeout=300,
        check=True,
    ).stdout.split()
    assert Path(where[0]).is_relative_to(venv), f"book imported from {where[0]}, not the wheel"
    assert where[1] == "2.13.0+cpu", where
    for edition in EDITIONS.values():
        top = work / f"{NAME}-{edition.locale}"
        first = nbrefs.chapters(ROOT / edition.source)[0]
        notebook = top / (
            first.relative_to(ROOT / edition.source)
            if edition.lang == "en"
            else first.relative_to(ROOT)
        )
        result = subprocess.run(
            [str(venv / "bin" / "jupyter"), "execute", "--inplace", notebook.name],
            cwd=notebook.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        ran = nbformat.read(notebook, as_version=4)
        counts = [c.execution_count for c in ran.cells if c.cell_type == "code"]
        assert counts and all(counts), f"{notebook.name}: not every cell ran"


def test_a_chinese_notebook_of_the_archive_speaks_chinese(fresh_env):
    """A kernel started beside the Chinese notebooks (a zh_CN folder) gives Chinese feedback."""
    work, venv, env = fresh_env
    folder = work / f"{NAME}-{EDITIONS['zh'].locale}" / "zh_CN" / "chapters"
    probe = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "from book.exercises import check_summary\n"
                "check_summary(lambda output, h_n: output[-1])"
            )
        ]
    )
    probe.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(probe, folder / "probe.ipynb")
    subprocess.run(
        [str(venv / "bin" / "jupyter"), "execute", "--inplace", "probe.ipynb"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    text = "".join(
        o.get("text", "") for o in nbformat.read(folder / "probe.ipynb", 4).cells[0].outputs
    )
    assert re.search(r"[\u4e00-\u9fff]", text), text
