"""The publishing workflow and the Binder set-up use the same commands and lock as the README."""

import yaml
from paths import ROOT


def test_pages_workflow_builds_with_make_book_and_publishes_the_html():
    workflow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    steps = [s for job in workflow["jobs"].values() for s in job.get("steps", [])]
    runs = [s.get("run", "") for s in steps]
    assert "make book" in runs, runs
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact")]
    assert uploads and uploads[0]["with"]["path"] == "_build/html", uploads
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in steps)


def test_binder_installs_the_locked_requirements_and_the_book_package():
    lines = [
        l.strip()
        for l in (ROOT / "binder/requirements.txt").read_text().splitlines()
        if l.strip() and not l.startswith("#")
    ]
    assert "-r ../requirements.txt" in lines, lines
    lock = (ROOT / "requirements.txt").read_text().splitlines()
    assert "-e file:." in lock, (
        "requirements.txt must install the `book` package from this checkout (`-e file:.`)"
    )
    assert any(l.lower().replace("_", "-").startswith("jupyterlab-myst==") for l in lock), (
        "Binder's JupyterLab needs jupyterlab-myst"
    )
    runtime = (ROOT / "binder/runtime.txt").read_text().strip()
    assert runtime.startswith("python-3."), runtime
    # Debian packages (repo2docker's apt.txt): the Chinese notebooks' figure labels need a
    # CJK font in matplotlib (book.figures.use_language_font).
    assert "fonts-noto-cjk" in (ROOT / "binder/apt.txt").read_text().split()
