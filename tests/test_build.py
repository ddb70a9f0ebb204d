"""The strict build configuration turns a broken cross-reference into a failed build.

These tests build a two-page book that uses the project's own _config.yml, once with a
valid equation reference (must pass) and once with a broken one (must fail), so the
strictness that `make book` relies on is proven rather than assumed.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paths import ROOT

JB = Path(sys.executable).parent / "jupyter-book"

PAGE = """# A page

$$
a = b
$$ (eq-real)

See {eq}`REF`.
"""


def _build(tmp_path, ref):
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    # html_extra_path must hold the vendored KaTeX stylesheet (tools/sphinx_site.py
    # checks it); the assets themselves are irrelevant here.
    (tmp_path / "_vendor/vendor/katex").mkdir(parents=True)
    (tmp_path / "_vendor/vendor/katex/katex.min.css").touch()
    (tmp_path / "_vendor/vendor/widget_setup.js").touch()
    # The config's local Sphinx extensions and the modules and files they use (sphinx_site
    # reads the words of _static/site.js).
    shutil.copytree(
        ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(ROOT / "assets", tmp_path / "assets")  # the favicon the config names
    # Every page's own scripts and styles; sphinx_site reads site.js for its words.
    shutil.copytree(ROOT / "_static", tmp_path / "_static")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")  # bibtex_bibfiles
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: page\n")
    (tmp_path / "intro.md").write_text("# Intro\n\nA test book.\n")
    (tmp_path / "page.md").write_text(PAGE.replace("REF", ref))
    # Output goes to a file, not a pipe: the build's KaTeX renderer runs in a Node child
    # process, and a pipe would keep subprocess.run waiting for as long as that grandchild
    # holds it open, even after the build itself has exited.
    log = tmp_path / "build.log"
    with log.open("w") as out:
        result = subprocess.run(
            [str(JB), "build", "--all", "-W", "-n", "--keep-going", str(tmp_path)],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
        )
    result.stdout, result.stderr = log.read_text(), ""
    return result


@pytest.mark.build
def test_valid_equation_reference_builds(tmp_path):
    result = _build(tmp_path, "eq-real")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.build
def test_broken_equation_reference_fails_the_build(tmp_path):
    result = _build(tmp_path, "eq-missing")
    assert result.returncode != 0
    assert "eq-missing" in result.stdout + result.stderr
