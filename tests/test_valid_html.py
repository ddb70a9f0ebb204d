"""Every page of both editions is valid HTML: the Nu HTML Checker (the W3C's validator,
npm's vnu-jar, run on a Java runtime: `make system-deps` installs Debian's
default-jre-headless) reports no error.

The errors it found before (issue 26) and where they are fixed, in tools/sphinx_site.py:
``<p>`` inside ``<summary>`` (myst-nb's hide-input toggle), duplicate
``exercise-content``/``solution-content`` ids (sphinx-exercise) and the redirect pages
``index.html`` without a doctype or a title (sphinx-external-toc).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from paths import HTML, ROOT
from support.site import PAGES, ZH

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_is_valid_html(built_book):
    assert VNU.is_file(), "vnu-jar is missing: run `npm ci` (make vendor does)"
    java = shutil.which("java")
    assert java, "java is missing: `make system-deps` installs default-jre-headless"
    assert len(PAGES) >= 20 and any(p.startswith(f"{ZH}/") for p in PAGES), PAGES
    result = subprocess.run(
        [
            java,
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            *(str(built_book / p) for p in PAGES),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{m.get('url', '').split('/html/')[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors[:30])


class _Redirect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refresh = self.title = self.link = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.refresh = a.get("content")
        if tag == "a":
            self.link = a.get("href")
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title = (self.title or "") + data

    def handle_endtag(self, tag):
        self._in_title = False


@pytest.mark.parametrize("edition", ["", f"{ZH}/"])
def test_the_front_door_redirects_to_the_landing_page(built_book, edition):
    """index.html sends readers on to the landing page: at once (meta refresh) and by a link,
    with a doctype and a title."""
    text = (HTML / edition / "index.html").read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html>")
    page = _Redirect()
    page.feed(text)
    assert page.title and page.title.strip()
    assert page.refresh == "0; url=intro.html" and page.link == "intro.html"
    assert (HTML / edition / "intro.html").is_file()
