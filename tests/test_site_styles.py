"""The page's one stylesheet is cut down to the rules the site can use (tools/css_purge.py):
in Chromium, after the page's scripts have run, its folds, menus, dialogs and colour modes
have been opened and, on the search page, results shown, every rule of the whole sheets it
was joined from that matches an element is still in the page's sheet."""

import pytest
from support.site import PHONE, SPHINX_PAGES

# Reads the page's joined sheet and, from the names it keeps in its comments, the whole
# sheets it was joined from (they are still in the site). Each rule is known by the grouping
# rules around it and its selector; window.__matched collects the rules of the whole sheets
# that match now, over the states the test puts the page in.
SETUP = """async () => {
    const own = [...document.styleSheets].find(s => /\\/_static\\/styles-[0-9a-f]{16}\\.css$/
        .test(new URL(s.href || location.href).pathname));
    const text = await (await fetch(own.href)).text();
    const names = [...text.matchAll(/^\\/\\* (\\S+\\.css) \\*\\/$/gm)].map(m => m[1]);
    const walk = (rules, context, out) => {
        for (const rule of rules) {
            if (rule instanceof CSSStyleRule) out.push([context + rule.selectorText, rule]);
            else if (rule.cssRules) walk(rule.cssRules,
                context + (rule.conditionText || rule.name || '') + ' | ', out);
        }
        return out;
    };
    const whole = [];
    for (const name of names) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(await (await fetch(new URL('../' + name, own.href))).text());
        walk(sheet.cssRules, '', whole);
    }
    window.__whole = whole;
    window.__kept = new Set(walk(own.cssRules, '', []).map(([key]) => key));
    window.__matched = new Set();
    return {sheets: names.length, whole: whole.length, kept: window.__kept.size};
}"""

# Selectors split at their top-level commas; pseudo-elements and the states a pointer or
# the keyboard sets (:hover, :focus...) become :is(*), so what they would style counts.
MATCH = """() => {
    const split = sel => {
        const out = []; let depth = 0, start = 0;
        for (let i = 0; i < sel.length; i++) {
            const c = sel[i];
            if (c === '(' || c === '[') depth++;
            else if (c === ')' || c === ']') depth--;
            else if (c === ',' && depth === 0) { out.push(sel.slice(start, i)); start = i + 1; }
        }
        out.push(sel.slice(start));
        return out;
    };
    const state = new RegExp('::?(?:-[a-z]+-[a-z-]+|before|after|marker|placeholder|selection'
        + '|backdrop|first-line|first-letter|file-selector-button|hover|focus-visible'
        + '|focus-within|focus|active|visited|link|target)(?![a-z-])', 'g');
    let unreadable = 0;
    for (const [key, rule] of window.__whole) {
        if (window.__matched.has(key)) continue;
        for (const sel of split(rule.selectorText)) {
            let hit = null;
            try { hit = document.querySelector(sel.replace(state, ':is(*)')); }
            catch (e) { unreadable++; }
            if (hit) { window.__matched.add(key); break; }
        }
    }
    return unreadable;
}"""

# What a reader opens: every fold (hints, solutions, hidden cells), the search dialog,
# each menu of the header in turn, and the other colour mode.
OPEN_FOLDS = """() => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });
    document.querySelectorAll('.toggle-button, button.toggle-button').forEach(b => b.click());
}"""
MENUS = "() => document.querySelectorAll('[data-bs-toggle=\"dropdown\"]').length"
OPEN_MENU = "i => document.querySelectorAll('[data-bs-toggle=\"dropdown\"]')[i].click()"
OPEN_SEARCH = """() => { const d = document.getElementById('pst-search-dialog');
    if (d && !d.open) d.showModal(); }"""
DARK = "() => { document.documentElement.dataset.theme = 'dark'; }"


def _missing(page):
    missing = page.evaluate(
        "() => window.__whole.map(([k]) => k).filter(k => window.__matched.has(k) && !window.__kept.has(k))"
    )
    return sorted(set(missing))


@pytest.mark.browser
@pytest.mark.parametrize("path", SPHINX_PAGES)
def test_every_rule_the_page_can_use_is_in_its_sheet(open_page, path):
    # As a reader arrives from a search: the search page with its results, another page
    # with the searched word marked.
    query = "?q=hidden" if path.endswith("search.html") else "?highlight=hidden"
    page, log = open_page(path + query)
    page.wait_for_load_state("networkidle")
    counts = page.evaluate(SETUP)
    assert counts["sheets"] >= 10, counts  # the joined file still names its sheets
    assert counts["kept"] < counts["whole"] / 3, counts  # and is cut down
    unreadable = page.evaluate(MATCH)
    page.evaluate(OPEN_FOLDS)
    page.evaluate(MATCH)
    for i in range(page.evaluate(MENUS)):
        page.evaluate(OPEN_MENU, i)
        page.evaluate(MATCH)
    page.evaluate(OPEN_SEARCH)
    page.evaluate(MATCH)
    page.keyboard.press("Escape")
    page.evaluate(DARK)
    page.evaluate(MATCH)
    matched = page.evaluate("() => window.__matched.size")
    assert matched > 200, f"{path}: only {matched} rules matched; the check reads nothing"
    assert unreadable < 50, f"{path}: {unreadable} selectors the browser could not read"
    missing = _missing(page)
    assert not missing, f"{path}: rules that match but were cut: {missing[:15]}"


@pytest.mark.browser
@pytest.mark.parametrize("path", ["intro.html", "chapters/04_shape_explorer.html"])
def test_every_rule_the_phone_page_can_use_is_in_its_sheet(open_page, path):
    """The narrow layout: the navigation drawer the header's button opens."""
    page, log = open_page(path, viewport=PHONE)
    page.wait_for_load_state("networkidle")
    page.evaluate(SETUP)
    page.evaluate(MATCH)
    page.locator("button.primary-toggle").first.click()
    page.evaluate(MATCH)
    assert page.evaluate("() => window.__matched.size") > 200
    missing = _missing(page)
    assert not missing, f"{path}: rules that match but were cut: {missing[:15]}"
