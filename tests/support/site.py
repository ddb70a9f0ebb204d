"""The built site's pages, for the site tests: every page of both editions (PAGES), the
content pages (CONTENT_PAGES, NOTEBOOK_PAGES), the Chinese edition's folder (ZH), a
phone's viewport and waiting for the maths' fonts."""

from __future__ import annotations

from paths import HTML, ROOT

from tools.editions import EDITIONS

ZH = EDITIONS["zh"].locale  # the Chinese edition's folder, in the site and the repository


PHONE = {"width": 375, "height": 812}


def _site_pages() -> list[str]:
    """Every HTML page of the built site except Sphinx's generated index and search."""
    if not HTML.is_dir():
        return ["intro.html"]  # the built_book fixture then fails with "run make book"
    pages = []
    for path in sorted(HTML.rglob("*.html")):
        rel = path.relative_to(HTML).as_posix()
        if rel.removeprefix(f"{ZH}/").split("/")[0].startswith(("_", ".", "vendor")):
            continue  # theme assets, page sources, vendored libraries, stray caches
        pages.append(rel)
    return pages


PAGES = _site_pages()


# Both editions: the English site and the Chinese one in its zh_CN/ folder (make book).
CONTENT_PAGES = [
    p
    for p in PAGES
    if p.removeprefix(f"{ZH}/") not in ("genindex.html", "search.html", "index.html")
]


# Every page Sphinx renders: all but each edition's index.html, a bare redirect to intro.html.
SPHINX_PAGES = [p for p in PAGES if p.removeprefix(f"{ZH}/") != "index.html"]
NOTEBOOK_PAGES = [p for p in CONTENT_PAGES if (ROOT / p).with_suffix(".ipynb").exists()]


def wait_for_math(page) -> None:
    """Wait until the page's fonts, KaTeX's among them, have loaded: the maths is typeset at
    build time, and its boxes take their final size once the fonts are in."""
    page.wait_for_load_state("load")
    page.evaluate("() => document.fonts.ready.then(() => true)")
