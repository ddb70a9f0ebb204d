"""The website on every device: phones and tablets, paper, screen readers, slow links.

Opened in headless Chromium with every outside request refused (tests/conftest.py).
Checked: the visible navigation buttons open the chapter list and the page contents at
375 and 800 px; printing wraps code, keeps solutions closed and fits figures and the
explorer's drawing on the paper; axe-core (npm-pinned, injected from node_modules) finds
no serious or critical violation on any page in light or dark mode; Enter on a solution's
title opens it; the colour mode follows the system; every page stays within its weight
budget on a first visit; search snippets show no raw TeX.
"""

from __future__ import annotations

import re

import pytest
from paths import ROOT
from support.site import CONTENT_PAGES, PAGES, SPHINX_PAGES, wait_for_math

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
EXPLORER = "chapters/04_shape_explorer.html"
CHAPTER = "chapters/02_from_scratch.html"
MiB = 2**20


# --- navigation on phones and tablets ------------------------------------------------


@pytest.mark.parametrize("width", [375, 800])
def test_visible_buttons_open_the_chapter_list_and_the_page_contents(open_page, width):
    page, log = open_page(CHAPTER, viewport={"width": width, "height": 800})
    page.wait_for_load_state("networkidle")
    # The chapter list's link, not the text's own links to the next page.
    chapter_link = page.locator(".bd-sidebar-primary a.reference[href$='03_concise.html']:visible")
    contents_link = page.locator("a.nav-link[href='#the-bidirectional-layer']:visible")
    assert chapter_link.count() == 0, "the chapter list is open before any click"
    assert contents_link.count() == 0, "the page contents are open before any click"

    page.locator(".primary-toggle:visible").first.click()
    chapter_link.first.wait_for(state="visible", timeout=3000)
    chapter_link.first.click()
    page.wait_for_url("**/03_concise.html")

    page.locator(".secondary-toggle:visible").first.click()
    page.locator("a.nav-link[href^='#']:visible").first.wait_for(state="visible", timeout=3000)
    assert not log.problems(), "\n".join(log.problems())


# --- print ---------------------------------------------------------------------------

A4_CONTENT_PX = 680  # 210 mm less the printer's margins, at 96 px per inch


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_print_wraps_code_keeps_solutions_closed_and_fits_figures(open_page, path):
    page, _ = open_page(path, viewport={"width": A4_CONTENT_PX, "height": 1000})
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    result = page.evaluate("""() => {
        const visible = (el) => el.getClientRects().length > 0
            && getComputedStyle(el).visibility !== 'hidden';
        const width = document.querySelector('.bd-article').getBoundingClientRect().right;
        return {
          cut_code: [...document.querySelectorAll('.bd-article pre')].filter(visible)
              .filter(p => p.scrollWidth > p.clientWidth + 1)
              .map(p => p.textContent.split('\\n').find(l => l.length > 60) || p.textContent.slice(0, 60)),
          open_solutions: [...document.querySelectorAll('.bd-article .solution')]
              .filter(s => [...s.children].some(c => !c.classList.contains('admonition-title') && visible(c)))
              .map(s => s.querySelector('.admonition-title').textContent.trim()),
          wide_pictures: [...document.querySelectorAll('.bd-article img, .bd-article svg.birnn-picture')]
              .filter(visible).filter(i => i.getBoundingClientRect().right > width + 1)
              .map(i => i.getAttribute('alt') || i.getAttribute('class')),
          unsplittable: [...document.querySelectorAll('.bd-article div.highlight')].filter(visible)
              .filter(d => getComputedStyle(d).breakInside !== 'avoid').length,
        };
    }""")
    assert not result["cut_code"], f"{path}: code cut at the paper's edge: {result['cut_code'][:3]}"
    assert not result["open_solutions"], (
        f"{path}: solutions printed open: {result['open_solutions']}"
    )
    assert not result["wide_pictures"], (
        f"{path}: pictures wider than the paper: {result['wide_pictures']}"
    )
    # A code frame split at the foot of a page leaves an empty frame there.
    assert result["unsplittable"] == 0, f"{path}: {result['unsplittable']} code blocks may split"


def test_print_shows_the_explorers_current_drawing(open_page):
    page, log = open_page(EXPLORER, viewport={"width": A4_CONTENT_PX, "height": 1000})
    page.wait_for_selector(".birnn-explorer svg g.birnn-block", timeout=20_000)
    page.emulate_media(media="print")
    svg = page.locator(".birnn-explorer svg.birnn-picture")
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box["width"] > 200 and box["height"] > 100, box
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert not log.problems(), "\n".join(log.problems())


# --- accessibility -------------------------------------------------------------------


def _axe(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => ({id: v.id, impact: v.impact,
                        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", SPHINX_PAGES)
def test_axe_finds_no_serious_violation(browser, book_url, path, scheme):
    assert AXE.is_file(), "axe-core is missing: run `npm ci` (make vendor does)"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    context.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(book_url) or r.request.url.startswith("data:")
            else r.abort()
        ),
    )
    try:
        page = context.new_page()
        page.goto(f"{book_url}/{path}", wait_until="networkidle")
        wait_for_math(page)
        assert page.evaluate("document.documentElement.dataset.theme") == scheme
        violations = _axe(page)
        assert not violations, f"{path} ({scheme}): {violations}"
    finally:
        context.close()


def test_enter_on_a_solution_title_opens_it(open_page):
    page, log = open_page("chapters/06_summary_exercises.html")
    page.wait_for_load_state("networkidle")
    solution = page.locator(".bd-article .solution").first
    body = solution.locator(":scope > :not(.admonition-title)").first
    assert not body.is_visible()
    url = page.url
    # Tab through the page as a keyboard reader does until focus is in the title.
    for _ in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.solution > .admonition-title')"):
            break
    else:
        pytest.fail("Tab never reaches the first solution's title")
    name = page.evaluate("() => document.activeElement.getAttribute('aria-label') || ''")
    assert name.startswith("Solution to"), name
    page.keyboard.press("Enter")
    page.wait_for_timeout(200)
    assert body.is_visible(), "Enter on the solution's title did not open it"
    assert page.url == url, "Enter followed the link instead of opening the solution"
    assert not log.problems(), "\n".join(log.problems())


# --- colour mode ---------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_mode_follows_the_system_and_the_switch_still_works(browser, book_url, scheme):
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(f"{book_url}/intro.html", wait_until="networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == scheme
        other = {"light": "dark", "dark": "light"}[scheme]
        button = page.locator(".theme-switch-button:visible").first
        for _ in range(3):  # the switch cycles light → dark → auto
            if page.evaluate("document.documentElement.dataset.theme") == other:
                break
            button.click()
        assert page.evaluate("document.documentElement.dataset.theme") == other
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == {"light": "rgb(18, 18, 18)", "dark": "rgb(255, 255, 255)"}[scheme], (
            background
        )
    finally:
        context.close()


# --- phones: equations and figures ---------------------------------------------------


def test_wide_equations_show_that_they_scroll(open_page):
    page, _ = open_page(
        "chapters/01_looking_both_ways.html", viewport={"width": 375, "height": 812}
    )
    wait_for_math(page)
    page.wait_for_timeout(300)
    result = page.evaluate("""() => [...document.querySelectorAll('.bd-article div.math')]
        .map(m => m.querySelector('.katex-display') || m).map(b => ({
        scrolls: b.scrollWidth > b.clientWidth + 1, marked: b.classList.contains('birnn-scrolls'),
        mask: getComputedStyle(b).maskImage || getComputedStyle(b).webkitMaskImage,
        focusable: b.tabIndex === 0, hidden: !!b.closest('[aria-hidden="true"]'),
        // The equation itself, not a box inside it, is what scrolls.
        inner: [...b.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1
            && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)).length}))""")
    wide = [r for r in result if r["scrolls"]]
    assert wide, "no display equation is wider than a phone; the check would be empty"
    assert all(r["marked"] and r["focusable"] and "gradient" in r["mask"] for r in wide), wide
    assert not any(r["hidden"] or r["inner"] for r in wide), wide
    assert not any(r["marked"] for r in result if not r["scrolls"])


def test_figures_open_at_full_size(open_page):
    page, _ = open_page(
        "chapters/01_looking_both_ways.html", viewport={"width": 375, "height": 812}
    )
    page.wait_for_load_state("networkidle")
    links = page.eval_on_selector_all(
        ".bd-article figure img",
        """imgs => imgs.map(i => {
        const a = i.closest('a'); return a && a.href === i.src; })""",
    )
    assert links and all(links), links


# --- weight --------------------------------------------------------------------------

# The explorer's page and the fill-in demo's, which carries both trained models (about
# 0.4 MB of weights in its widget state): 3 MiB each in both editions, as their issues set.
BUDGET = {
    page: 3 * MiB
    for edition in ("", "zh_CN/")
    for page in (edition + EXPLORER, edition + "chapters/05_context_in_action.html")
}


@pytest.mark.parametrize("path", PAGES)
def test_first_visit_stays_within_the_weight_budget(open_page, path):
    page, _ = open_page(path)  # a fresh context: empty cache
    page.wait_for_load_state("networkidle")
    wait_for_math(page)
    page.wait_for_timeout(500)
    weight = page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const res = performance.getEntriesByType('resource');
        return {total: nav.decodedBodySize + res.reduce((s, e) => s + e.decodedBodySize, 0),
                largest: res.sort((a, b) => b.decodedBodySize - a.decodedBodySize).slice(0, 5)
                            .map(e => [e.name.split('/').slice(-2).join('/'), e.decodedBodySize])};
    }""")
    budget = BUDGET.get(path, 1.5 * MiB)
    assert weight["total"] <= budget, (
        f"{path}: {weight['total'] / MiB:.2f} MiB > {budget / MiB:.1f} MiB; largest: {weight['largest']}"
    )


def test_built_site_fits_on_disk(built_book):
    size = sum(f.stat().st_size for f in built_book.rglob("*") if f.is_file())
    assert size <= 15 * MiB, f"the built site is {size / MiB:.1f} MiB"
    assert not list(built_book.rglob("*.map")), "source maps are shipped"


def test_katex_stylesheet_matches_the_katex_that_renders():
    """sphinxcontrib-katex renders the maths with the KaTeX it ships; the stylesheet and
    fonts the pages load come from npm (`make vendor`). Different versions lay formulas
    out with classes the stylesheet does not know."""
    import json

    from sphinxcontrib.katex import katex_version

    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["katex"]
    assert pinned == katex_version, (
        f"package.json pins katex {pinned}; sphinxcontrib-katex renders with {katex_version}"
    )


# --- search --------------------------------------------------------------------------


def test_search_snippets_show_no_raw_tex(open_page):
    page, log = open_page("search.html?q=backward")
    page.wait_for_selector("#search-results li p.context", timeout=20_000)
    page.wait_for_function(
        """() => document.querySelectorAll('#search-results li').length > 0
        && [...document.querySelectorAll('#search-results li')].every(li => li.querySelector('p.context'))""",
        timeout=20_000,
    )
    snippets = page.eval_on_selector_all(
        "#search-results li",
        """lis => lis.map(li => [li.querySelector('a').getAttribute('href'),
                                                       li.querySelector('p.context').textContent])""",
    )
    pages = {href.split("#")[0] for href, _ in snippets}
    # The term is on pages with maths, so the check is not empty.
    assert "chapters/01_looking_both_ways.html" in pages, pages
    # TeX commands have two or more letters (\mathbf); a one-letter escape such as \n in a
    # code snippet is not TeX.
    raw = [(href, text) for href, text in snippets if re.search(r"\\[A-Za-z]{2,}|\\[()\[\]]", text)]
    assert not raw, f"snippets with raw TeX: {raw}"
    assert not log.problems(), "\n".join(log.problems())
