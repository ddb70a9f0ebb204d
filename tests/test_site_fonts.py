"""KaTeX's fonts are cut down to the characters the site's formulas draw
(tools/site_fonts.py): read in Chromium, every character of every formula that KaTeX's
whole font has is in the site's copy of the face that draws it, and the cut fonts are
smaller than the whole ones."""

from functools import cache

import pytest
from paths import HTML, ROOT
from support.site import CONTENT_PAGES, wait_for_math

WHOLE = ROOT / "node_modules/katex/dist/fonts"  # npm's KaTeX, which `make vendor` copies
SITE = HTML / "vendor/katex/fonts"

# Each character of each formula, with the face the browser draws it in.
DRAWN = """() => {
    const out = [];
    for (const math of document.querySelectorAll('.katex-html')) {
        const walker = document.createTreeWalker(math, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const style = getComputedStyle(node.parentElement);
            const family = style.fontFamily.split(',')[0].trim().replace(/^"|"$/g, '');
            for (const ch of node.data) {
                if (ch.trim()) out.push([ch.codePointAt(0), family,
                    Number(style.fontWeight) >= 600, style.fontStyle === 'italic']);
            }
        }
    }
    return out;
}"""


@cache
def _cmap(path):
    from fontTools.ttLib import TTFont

    return set(TTFont(path).getBestCmap())


def _face(family: str, bold: bool, italic: bool) -> str:
    style = {(True, True): "BoldItalic", (True, False): "Bold", (False, True): "Italic"}
    return f"{family}-{style.get((bold, italic), 'Regular')}.woff2"


@pytest.mark.browser
@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_every_character_of_the_maths_is_in_the_face_that_draws_it(open_page, path):
    page, log = open_page(path)
    wait_for_math(page)
    drawn = page.evaluate(DRAWN)
    if "chapters/" in path:
        assert drawn, f"{path}: no formula found, the check would be empty"
    missing, unknown = set(), set()
    for point, family, bold, italic in drawn:
        if not family.startswith("KaTeX_"):
            continue  # a formula's \\text{} in the edition's own face (Chinese words)
        face = _face(family, bold, italic)
        if not (WHOLE / face).is_file():
            unknown.add(face)
        elif point in _cmap(WHOLE / face) and point not in _cmap(SITE / face):
            missing.add((chr(point), face))
    assert not unknown, f"{path}: drawn in faces KaTeX does not have: {sorted(unknown)}"
    assert not missing, f"{path}: characters cut from the fonts that draw them: {sorted(missing)}"


def test_the_maths_fonts_are_cut_down(built_book):
    whole = sum(p.stat().st_size for p in WHOLE.glob("*.woff2"))
    site = sum(p.stat().st_size for p in SITE.glob("*.woff2"))
    assert sorted(p.name for p in SITE.glob("*.woff2")) == sorted(
        p.name for p in WHOLE.glob("*.woff2")
    )
    assert site < 0.85 * whole, (site, whole)
    # The three faces nearly every formula draws, preloaded by every page with maths.
    for face in ("KaTeX_Main-Regular", "KaTeX_Math-Italic", "KaTeX_Main-Bold"):
        assert (SITE / f"{face}.woff2").stat().st_size < 0.8 * (
            WHOLE / f"{face}.woff2"
        ).stat().st_size
