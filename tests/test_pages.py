"""The built book as readers get it, opened page by page in headless Chromium.

The pages are found by globbing the built site (so new chapters are covered without
editing this file); every request that does not go to the local server is refused
(tests/conftest.py), so a page that needs the network fails here.

Checked on every page: it loads with no console errors, page errors, failed or
blocked requests; every math block was typeset at build time by KaTeX (no raw TeX left,
no TeX errors, MathML for screen readers, KaTeX's own fonts loaded from the site); every image has alt text and every figure a caption; every exercise
solution is hidden until its title is clicked and shown after; at phone width
(375 px) nothing makes the page scroll sideways. Static checks on the HTML: every
in-site link and anchor (equation references included) resolves, display equations
are numbered, and notebook pages carry Binder, Colab and download links built from
the one repository setting in _config.yml.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml
from paths import HTML, ROOT
from support.site import (
    CONTENT_PAGES,
    NOTEBOOK_PAGES,
    PAGES,
    PHONE,
    SPHINX_PAGES,
    ZH,
    wait_for_math,
)

from tools.editions import EDITIONS, toc

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def test_site_has_the_toc_pages(built_book):
    """The glob found the pages the table of contents promises (guards against an empty run)."""
    for edition in EDITIONS.values():
        for page in toc(ROOT / edition.source).pages:
            name = page.relative_to(ROOT).with_suffix(".html").as_posix()
            assert name in PAGES, f"{name} missing from the built site {HTML}"


# --- in the browser -------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_without_errors(open_page, path):
    page, log = open_page(path)
    if path.removeprefix(f"{ZH}/") == "index.html":
        # A redirect stub: wait until it has landed, or the checks below race its navigation
        # ("Execution context was destroyed"), and check the page it lands on too.
        page.wait_for_url("**/intro.html")
    page.wait_for_load_state("networkidle")
    wait_for_math(page)
    assert page.title(), f"{path} has no title"
    assert not log.problems(), f"{path}:\n" + "\n".join(log.problems())


@pytest.mark.browser
@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_every_math_block_is_typeset(open_page, path):
    page, log = open_page(path)
    wait_for_math(page)
    result = page.evaluate("""() => {
        const blocks = [...document.querySelectorAll('.bd-article span.math, .bd-article div.math')];
        const untypeset = blocks.filter(b => b.querySelectorAll('.katex').length !== 1)
                                .map(b => b.textContent.slice(0, 80));
        const formulas = [...document.querySelectorAll('.bd-article .katex')];
        const errors = [...document.querySelectorAll('.katex-error')]
                        .map(e => e.getAttribute('title') || e.textContent);
        // Screen readers read the MathML; the drawn formula is hidden from them.
        const unreadable = formulas.filter(k => !k.querySelector(':scope > .katex-mathml math')
            || k.querySelector(':scope > .katex-html')?.getAttribute('aria-hidden') !== 'true')
            .map(k => k.textContent.slice(0, 80));
        // KaTeX's stylesheet and fonts came from the site (without them the formula is a
        // jumble of glyphs in the page's font).
        const fonts = [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'KaTeX_Main'
                                                     && f.status === 'loaded').length;
        const styled = formulas.every(k => getComputedStyle(k).fontFamily.includes('KaTeX_Main'));
        // Raw TeX delimiters left in prose (code and outputs shown as text excluded).
        const walker = document.createTreeWalker(document.querySelector('.bd-article'),
                                                 NodeFilter.SHOW_TEXT);
        const raw = [];
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (n.parentElement.closest('pre, code, script, style, textarea, .katex, .highlight'))
                continue;
            if (/\\$\\$|\\\\\\(|\\\\\\)|\\\\\\[|\\\\\\]|\\\\begin\\{/.test(n.textContent))
                raw.push(n.textContent.trim().slice(0, 80));
        }
        return {blocks: blocks.length, formulas: formulas.length, untypeset, errors,
                unreadable, fonts, styled, raw};
    }""")
    assert not result["untypeset"], f"{path}: math not typeset: {result['untypeset']}"
    assert result["formulas"] == result["blocks"], (
        f"{path}: {result['blocks']} math blocks but {result['formulas']} typeset formulas"
    )
    assert not result["errors"], f"{path}: TeX errors: {result['errors']}"
    assert not result["unreadable"], f"{path}: formulas without MathML: {result['unreadable']}"
    if result["formulas"]:
        assert result["styled"] and result["fonts"], (
            f"{path}: KaTeX's stylesheet or fonts did not load"
        )
    assert not result["raw"], f"{path}: raw TeX left in the text: {result['raw']}"
    assert not log.problems(), "\n".join(log.problems())


@pytest.mark.browser
@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_images_have_alt_text_and_figures_captions(open_page, path):
    page, _ = open_page(path)
    result = page.evaluate("""() => ({
        no_alt: [...document.querySelectorAll('img')]
            .filter(i => !(i.getAttribute('alt') || '').trim()).map(i => i.src),
        broken: [...document.querySelectorAll('img')]
            .filter(i => i.complete && i.naturalWidth === 0).map(i => i.src),
        no_caption: [...document.querySelectorAll('.bd-article figure')]
            .filter(f => !(f.querySelector('figcaption')?.textContent || '').trim())
            .map(f => f.id || f.outerHTML.slice(0, 80)),
        // Plots and diagrams in the text must be figures (caption + number), not bare images.
        bare: [...document.querySelectorAll('.bd-article img')]
            .filter(i => !i.closest('figure')).map(i => i.getAttribute('alt') || i.src),
    })""")
    assert not result["no_alt"], f"{path}: images without alt text: {result['no_alt']}"
    assert not result["broken"], f"{path}: images that did not load: {result['broken']}"
    assert not result["no_caption"], f"{path}: figures without a caption: {result['no_caption']}"
    assert not result["bare"], f"{path}: images outside a captioned figure: {result['bare']}"


@pytest.mark.browser
@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_solutions_hidden_until_clicked(open_page, path):
    page, log = open_page(path)
    page.wait_for_load_state("networkidle")  # togglebutton.js wires the dropdowns on load
    solutions = page.locator(".bd-article .solution")
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        title = solution.locator(".admonition-title").first
        name = title.inner_text().strip()
        assert "dropdown" in (solution.get_attribute("class") or ""), (
            f"{path}: solution '{name}' is not a dropdown (use :class: dropdown)"
        )
        body = solution.locator(":scope > :not(.admonition-title)")
        assert body.count() > 0, f"{path}: solution '{name}' is empty"
        assert all(not body.nth(j).is_visible() for j in range(body.count())), (
            f"{path}: solution '{name}' is visible before its title is clicked"
        )
        title.click()
        page.wait_for_timeout(100)
        assert any(body.nth(j).is_visible() for j in range(body.count())), (
            f"{path}: solution '{name}' stays hidden after its title is clicked"
        )
    assert not log.problems(), "\n".join(log.problems())


# Elements that stick out past the right edge of a phone screen without a scrolling (or
# clipping) box of their own between them and the page.
_OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const clipped = (el) => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            const ox = getComputedStyle(a).overflowX;
            if (['auto', 'scroll', 'hidden', 'clip'].includes(ox)
                && a.getBoundingClientRect().right <= width + 1) return true;
        }
        return false;
    };
    const offenders = [];
    for (const el of document.querySelectorAll('.bd-article *')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.right <= width + 1) continue;
        if (!clipped(el)) offenders.push(
            el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
            + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '')
            + ' right=' + Math.round(r.right));
    }
    return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width,
            offenders: offenders.slice(0, 10)};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_phone_width_has_no_horizontal_scroll(open_page, path):
    page, _ = open_page(path, viewport=PHONE)
    wait_for_math(page)
    result = page.evaluate(_OVERFLOW_JS)
    assert result["scrollWidth"] <= result["clientWidth"], (
        f"{path}: page scrolls sideways at {PHONE['width']} px: {result}"
    )
    assert not result["offenders"], (
        f"{path}: content wider than the screen outside its own scroll box: {result['offenders']}"
    )


# --- static checks on the built HTML ----------------------------------------------------


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.math_divs: list[dict] = []
        self._in_math = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "div" and "math" in (a.get("class") or "").split():
            self.math_divs.append({"id": a.get("id"), "numbered": False})
            self._in_math = True
        if self._in_math and tag == "span" and "eqno" in (a.get("class") or "").split():
            self.math_divs[-1]["numbered"] = True

    def handle_endtag(self, tag):
        if tag == "div":
            self._in_math = False


def _parse(rel: str) -> _Collector:
    collector = _Collector()
    collector.feed((HTML / rel).read_text(encoding="utf-8"))
    return collector


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_internal_links_and_anchors_resolve(built_book, path):
    here = _parse(path)
    broken = []
    for href in here.links:
        url = urlparse(href)
        if url.scheme or href.startswith(("mailto:", "javascript:")):
            continue
        target = (HTML / path).parent / unquote(url.path) if url.path else HTML / path
        target = target.resolve()
        if not target.exists():
            broken.append(href)
        elif url.fragment and target.suffix == ".html":
            ids = (
                here.ids
                if target == (HTML / path).resolve()
                else _parse(target.relative_to(HTML.resolve()).as_posix()).ids
            )
            if unquote(url.fragment) not in ids:
                broken.append(href)
    assert not broken, f"{path}: links to missing pages or anchors: {broken}"


def test_the_site_root_serves_favicon_ico(built_book):
    """The redirect pages (index.html) declare no icon; for them the site serves
    /favicon.ico, which browsers ask for."""
    assert (HTML / "favicon.ico").is_file()


@pytest.mark.parametrize("path", SPHINX_PAGES)
def test_page_declares_an_icon_the_site_serves(built_book, path):
    """Without a declared icon, browsers request /favicon.ico and log its 404 as an error;
    Playwright does not report that request, so it is checked here."""
    text = (HTML / path).read_text(encoding="utf-8")
    icons = re.findall(r'<link[^>]*rel="(?:shortcut )?icon"[^>]*href="([^"]+)"', text)
    assert icons, f"{path}: no <link rel=icon>"
    target = ((HTML / path).parent / unquote(urlparse(icons[0]).path)).resolve()
    assert target.is_file(), f"{path}: icon {icons[0]} is not in the site"


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_labelled_equations_are_numbered(built_book, path):
    unnumbered = [m["id"] for m in _parse(path).math_divs if m["id"] and not m["numbered"]]
    assert not unnumbered, f"{path}: labelled equations without a number: {unnumbered}"


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_launch_and_download_links_use_the_repository_setting(built_book, path):
    repo = CONFIG["repository"]["url"].rstrip("/")
    branch = CONFIG["repository"].get("branch", "main")
    org_repo = urlparse(repo).path.strip("/")
    notebook = Path(path).with_suffix(".ipynb").as_posix()
    links = _parse(path).links
    binder = f"{CONFIG['launch_buttons']['binderhub_url'].rstrip('/')}/v2/gh/{org_repo}/{branch}"
    # Colab opens the notebook's plain flavour (plain/, tools/plainnb.py; tests/test_clients.py).
    colab = f"{CONFIG['launch_buttons']['colab_url'].rstrip('/')}/github/{org_repo}/blob/{branch}/plain/{notebook}"
    assert any(link.startswith(binder) and notebook in link for link in links), (
        f"{path}: no Binder link for {notebook} on {org_repo}@{branch}"
    )
    assert colab in links, f"{path}: no Colab link {colab}"
    downloads = [link for link in links if link.endswith(".ipynb") and not urlparse(link).scheme]
    assert downloads, f"{path}: no notebook download link"
    for link in downloads:
        local = ((HTML / path).parent / link).resolve()
        assert local.exists(), f"{path}: download link {link} points at nothing"
        assert local.read_bytes() == (ROOT / notebook).read_bytes(), (
            f"{path}: the downloadable notebook differs from {notebook}; rebuild the book"
        )
    html = (HTML / path).read_text(encoding="utf-8")
    assert re.search(r'class="[^"]*btn-launch-thebe', html), f"{path}: no live-code (Thebe) button"
    assert f'repo: "{org_repo}"' in html, f"{path}: Thebe is not pointed at {org_repo}"


@pytest.mark.browser
@pytest.mark.parametrize("path", NOTEBOOK_PAGES[:1])
def test_live_code_fetches_thebe_only_when_clicked(open_page, path):
    """Live Code needs a kernel on Binder, so it cannot work offline; the page must not
    fetch anything for it until a reader clicks it, and then only the pinned Thebe."""
    from sphinx_thebe import THEBE_VERSION

    page, log = open_page(path)
    page.wait_for_load_state("networkidle")
    assert not log.blocked_requests, log.blocked_requests
    page.locator(".dropdown-launch-buttons > button").click()
    page.locator(".btn-launch-thebe").click()
    page.wait_for_timeout(1000)
    assert log.blocked_requests == [f"https://unpkg.com/thebe@{THEBE_VERSION}/lib/index.js"], (
        log.blocked_requests
    )
    assert not log.page_errors, log.page_errors
    # Offline the click cannot succeed; the reader is told why instead of a spinner.
    assert "network" in page.locator(".thebe-launch-button").inner_text()
