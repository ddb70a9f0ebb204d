"""What every page of both editions offers the chapter's other clients (tools/sphinx_clients.py).

Static checks on the built HTML of every notebook page of each edition:

* the launch menu lists Colab first, and Colab opens the page's plain-Jupyter notebook
  (``plain/…``), which exists;
* "Report an error on this page" opens a new issue of the repository in ``_config.yml``
  with the page's address on the site and its edition filled in;
* the download menu links the edition's PDF and runnable archive, which ``make book`` made;
* the footer states both licences and links the citation file;
* citations are sphinxcontrib-bibtex's own (linked to the page's bibliography), one per
  citation link of the notebook, with the same words the notebook shows in Jupyter.

In headless Chromium: when Binder reports a failed start, or has not started a kernel after
its time, Live Code tells the reader so in plain words (Binder's thebe is replaced by a
stand-in that reports those statuses; nothing leaves the machine).
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import nbformat
import pytest
import yaml
from paths import HTML, ROOT

from tools import nbrefs
from tools.editions import PLAIN, TEXT_LICENCE, for_language, site_url

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")
NOTEBOOK_PAGES = (
    [
        p.relative_to(HTML).as_posix()
        for p in sorted(HTML.rglob("*.html"))
        if (ROOT / p.relative_to(HTML)).with_suffix(".ipynb").exists()
    ]
    if HTML.is_dir()
    else ["chapters/01_looking_both_ways.html"]
)


def _html(path: str) -> str:
    return (HTML / path).read_text(encoding="utf-8")


def _edition(path: str):
    return for_language("zh_CN" if path.startswith("zh_CN/") else "en")


def _menu(html: str, name: str) -> list[str]:
    block = html[html.index(f"dropdown-{name}") :]
    block = block[: block.index("</ul>")]
    return re.findall(r'href="([^"]+)"', block)


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_colab_comes_first_and_opens_the_plain_notebook(built_book, path):
    launch = _menu(_html(path), "launch-buttons")
    assert launch[0].startswith(CONFIG["launch_buttons"]["colab_url"]), launch
    notebook = Path(path).with_suffix(".ipynb").as_posix()
    owner_repo = urlparse(REPOSITORY).path.strip("/")
    branch = CONFIG["repository"]["branch"]
    assert launch[0].endswith(f"/github/{owner_repo}/blob/{branch}/{PLAIN}/{notebook}"), launch[0]
    assert (ROOT / PLAIN / notebook).exists()


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_report_an_error_fills_in_the_page_and_edition(built_book, path):
    html = _html(path)
    edition = _edition(path)
    link = re.search(r'<a href="([^"]+)"[^>]*btn-source-issues-button', html)
    assert link, f"{path}: no report-an-error link"
    url = urlparse(link.group(1).replace("&amp;", "&"))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{REPOSITORY}/issues/new"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{site_url(REPOSITORY)}{path}" in query["body"], query
    assert edition.label in query["body"] and edition.locale in query["body"], query
    title = unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1)).split(" — ")[0]
    assert re.sub(r"\W", "", title)[:20] in re.sub(r"\W", "", query["title"]), (title, query)
    assert "Report an error on this page" in html or "报告" in html


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_the_download_menu_links_the_pdf_and_the_archive(built_book, path):
    edition = _edition(path)
    links = _menu(_html(path), "download-buttons")
    for made in (edition.pdf, edition.archive):
        target = [l for l in links if l.endswith(made.name)]
        assert target, f"{path}: no link to {made.name}: {links}"
        local = ((HTML / path).parent / unquote(target[0])).resolve()
        assert local == (ROOT / edition.html / made).resolve() and local.is_file(), local
    assert not re.search(r"window\.print\(\)", _html(path)), "the one-page print button is back"


@pytest.mark.parametrize("path", NOTEBOOK_PAGES + ["intro.html", "zh_CN/intro.html"])
def test_the_footer_states_the_licences(built_book, path):
    footer = _html(path).split('class="extra_footer"', 1)[1].split("</div>", 1)[0]
    assert f'href="{TEXT_LICENCE[1]}"' in footer and TEXT_LICENCE[0] in footer, footer
    branch = CONFIG["repository"]["branch"]
    assert f'href="{REPOSITORY}/blob/{branch}/LICENSE"' in footer, footer
    assert f'href="{REPOSITORY}/blob/{branch}/CITATION.cff"' in footer, footer


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_citations_are_bibtex_citations_with_the_words_jupyter_shows(built_book, path):
    nb = nbformat.read(ROOT / Path(path).with_suffix(".ipynb"), as_version=4)
    markdown = "\n".join(
        c.source
        for c in nb.cells
        if c.cell_type == "markdown" and "remove-cell" not in c.metadata.get("tags", [])
    )
    written = [text for text, _ in nbrefs.CITE_LINK.findall(markdown)]
    html = _html(path)
    shown = re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', html, re.S)
    texts = [
        re.sub(r"<[^>]+>", "", a)
        for span in shown
        for a in re.findall(r"<a [^>]*>(.*?)</a>", span, re.S)
    ]
    assert len(texts) == len(written), (texts, written)
    assert [" ".join(t.split()) for t in texts] == written
    assert "#cite-" not in html.split('<article class="bd-article">', 1)[1], (
        f"{path}: a citation link reached the website as a link"
    )
    if written:
        assert 'class="citation' in html, f"{path}: no bibliography"


THEBE_STAND_IN = """
window.thebelab = {
  handlers: [],
  on(event, f) { if (event === "status") this.handlers.push(f); },
  bootstrap() {
    const say = (status) => this.handlers.forEach((f) => f({}, {status, message: ""}));
    say("building");
    if (STATUS !== "slow") setTimeout(() => say(STATUS), 50);
  },
};
"""


@pytest.mark.browser
@pytest.mark.parametrize("status", ["failed", "slow"])
@pytest.mark.parametrize(
    "path", ["chapters/02_from_scratch.html", "zh_CN/chapters/02_from_scratch.html"]
)
def test_live_code_says_so_when_binder_cannot_start(browser, book_url, path, status):
    from sphinx_thebe import THEBE_VERSION

    context = browser.new_context()
    thebe = f"https://unpkg.com/thebe@{THEBE_VERSION}/lib/index.js"

    def route(route):
        url = route.request.url
        if url == thebe:
            return route.fulfill(
                content_type="text/javascript", body=f'const STATUS = "{status}";' + THEBE_STAND_IN
            )
        return route.continue_() if url.startswith(book_url) else route.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.clock.install()
        page.goto(f"{book_url}/{path}", wait_until="load")
        page.locator(".dropdown-launch-buttons > button").click()
        page.locator(".btn-launch-thebe").click()
        page.wait_for_timeout(500)  # thebe's stand-in loads (a real request)
        # Page time, not the test's: a second for a failure, five minutes for a slow start.
        page.clock.run_for(1000 if status == "failed" else 5 * 60 * 1000)
        note = page.locator(".birnn-launch-note")
        note.wait_for(timeout=15_000)
        words = page.evaluate("BIRNN_LAUNCH_TEXT")
        assert note.inner_text() == words[status], note.inner_text()
        assert "Colab" in words[status]
        assert not errors, errors
    finally:
        context.close()
