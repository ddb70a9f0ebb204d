"""A JupyterLab or Notebook 7 server on a copy of the chapter, for the client tests
(test_jupyterlab, test_notebook_clients, test_plain): the copy, the environment, the server,
the probe notebook and reading what the client rendered."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from paths import NOTEBOOKS, ROOT

BIN = Path(sys.executable).parent


TOKEN = "birnn-test-token"


# Directive and role syntax that must never reach the reader as text.
RAW = re.compile(r"```\{|:::\{|\{(eq|ref|numref|doc|term|math|glue(:\w+)?)\}`|^\s*\$\$", re.M)


PROBE = """(sec-probe)=
# Probe

```{admonition} A note
:class: note
Admonition body.
```

$$
y = W x
$$ (eq-probe)

See {eq}`eq-probe`.

```{exercise}
:label: ex-probe
Do a thing.
```

```{solution} ex-probe
:class: dropdown
The answer.
```
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


APPS = {"lab": "JupyterLab", "notebook": "Notebook 7"}


def chapter_copy(home) -> Path:
    """A work folder under ``home`` holding a copy of the notebooks (English, and Chinese in
    zh_CN/chapters/) and the probe notebook:
    opening or running a notebook must not touch the committed files."""
    work = home / "work"
    work.mkdir()
    for nb in NOTEBOOKS:
        shutil.copy(nb, work / nb.name)
    # The Chinese notebooks where the repository has them: a kernel started there speaks
    # Chinese (book.i18n.language() reads the zh_CN folder).
    shutil.copytree(ROOT / "zh_CN" / "chapters", work / "zh_CN" / "chapters")
    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(PROBE)])
    probe.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(probe, work / "probe.ipynb")
    return work


def client_env(home) -> dict:
    """Temporary config, data (notary) and runtime folders: the learner's own Jupyter
    set-up cannot change what the tests see."""
    return dict(
        os.environ,
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
    )


def _settings(home):
    """Every cell rendered up front (no windowing); no news pop-up over the page."""
    files = {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
    }
    for name, values in files.items():
        path = home / "settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@contextlib.contextmanager
def jupyter_server(app: str, home, work, env):
    """``jupyter lab`` or ``jupyter notebook`` (``app``) on 127.0.0.1 over ``work``;
    yields its base URL and stops it afterwards."""
    _settings(home)
    cls = "LabApp" if app == "lab" else "JupyterNotebookApp"
    port = _free_port()
    log = home / "server.log"
    proc = subprocess.Popen(
        [
            str(BIN / "jupyter"),
            app,
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={work}",
            f"--{cls}.user_settings_dir={home / 'settings'}",
            f"--{cls}.workspaces_dir={home / 'workspaces'}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"{APPS[app]} exited:\n" + log.read_text()[-3000:])
                time.sleep(0.5)
        else:
            pytest.fail(f"{APPS[app]} did not start in 60 s")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def rendered(page, n_markdown: int) -> list[str]:
    """Wait until every Markdown cell is rendered; return each cell's rendered text."""
    page.wait_for_function(
        """n => { const cells = document.querySelectorAll('.jp-Notebook .jp-MarkdownCell');
                  return cells.length === n && [...cells].every(
                      c => c.querySelector('.jp-RenderedMarkdown, .myst') !== null); }""",
        arg=n_markdown,
        timeout=60_000,
    )
    page.wait_for_timeout(500)
    return page.evaluate("""() => [...document.querySelectorAll('.jp-Notebook .jp-MarkdownCell')]
        .map(c => (c.querySelector('.jp-RenderedMarkdown, .myst') || c).innerText)""")


def check_citations(page, path: Path, follow: bool = True) -> None:
    """Every citation resolves: none marked "Citation Not Found", each is a link to an entry
    of the notebook's reference list that names its first author and year, and (``follow``)
    following one brings that entry into view (tools/nbrefs.py writes both)."""
    source = nbformat.read(path, as_version=4)
    written = sum(
        len(re.findall(r"\]\(#cite-", c.source))
        for c in source.cells
        if c.cell_type == "markdown" and not c.metadata.get("book", {}).get("references")
    )
    found = page.evaluate("""() => ({
        missing: [...document.querySelectorAll('.jp-Notebook [title="Citation Not Found"]')]
                   .map(e => e.textContent),
        links: [...document.querySelectorAll('.jp-Notebook a[href^="#cite-"]')].map(a => {
            const entry = document.getElementById(a.getAttribute('href').slice(1));
            return {text: a.textContent, entry: entry ? entry.textContent : null}; }),
    })""")
    assert not found["missing"], f"{path.name}: citations not found {found['missing']}"
    assert len(found["links"]) == written, f"{path.name}: {written} citations, {found['links']}"
    for link in found["links"]:
        author, year = re.match(r"(\S+).*?(\d{4})", link["text"]).groups()
        entry = link["entry"] or ""
        assert entry.startswith(author) and f"({year})" in entry, (
            f"{path.name}: {link['text']!r} does not reach its reference: {entry!r}"
        )
    shown = page.locator('.jp-Notebook a[href^="#cite-"]:visible')  # not in a closed solution
    if follow and shown.count():
        first = shown.first
        target = first.get_attribute("href")
        first.click()
        page.wait_for_function(
            """id => { const r = document.getElementById(id)
            .getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }""",
            arg=target[1:],
            timeout=10_000,
        )
