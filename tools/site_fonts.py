"""The site's web fonts cut down, at build time, to the characters its pages draw.

Both fonts are cut in place (same names, same ``@font-face`` rules) and deterministically
(no timestamp), so the two editions' copies are one file (``share-static``):

* Font Awesome, the theme's icons: every icon an ``fa-*`` class of a page or script names,
  and every character the stylesheets draw themselves;
* KaTeX's fonts, the maths: every character of every formula of the site, and printable
  ASCII in every face (the words of a formula's ``\\text{}`` are the one part of the maths a
  translation changes, so both editions cut the fonts alike).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path


def _subset(path: Path, points: set[int]) -> None:
    """The font file at ``path`` (WOFF2 or TrueType) with only the characters ``points``
    (and what its layout rules reach from them), written over itself."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path, recalcTimestamp=False)
    options = subset.Options()
    options.flavor = "woff2" if path.suffix == ".woff2" else None
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=points)
    subsetter.subset(font)
    font.flavor = options.flavor
    font.save(path, reorderTables=False)


# --- icons ---------------------------------------------------------------------------

FONT_AWESOME = "vendor/fontawesome/webfonts"  # under _static/, the theme's copy
_ICON_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_ESCAPE = re.compile(r'"\\([0-9a-fA-F]{2,6})"')
_ICON_CLASS = re.compile(r"^\.(fa-[a-z0-9-]+):(?:before|after)$")


def icon_code_points(site: Path) -> set[int]:
    """The Font Awesome characters the site can show: those of every ``fa-*`` class named
    in its pages and scripts, and every character the stylesheets draw themselves
    (``content:"\\f107"``, the admonitions' ``--pst-icon-*`` variables, written as the
    characters themselves, in Unicode's private use area)."""
    static = site / "_static"
    classes: dict[str, int] = {}
    always: set[int] = set()
    for css in static.rglob("*.css"):
        for selectors, body in _ICON_RULE.findall(css.read_text(encoding="utf-8")):
            points = [int(h, 16) for h in _ESCAPE.findall(body)] + [
                ord(c) for c in body if 0xE000 <= ord(c) <= 0xF8FF or ord(c) >= 0xF0000
            ]
            names = [_ICON_CLASS.match(sel.strip()) for sel in selectors.split(",")]
            if points and names and all(names):  # .fa-bars:before{content:...}
                for name in names:
                    classes[name[1]] = points[0]
            else:
                always.update(points)
    used = set()
    for path in [*site.rglob("*.html"), *static.rglob("*.js")]:
        used.update(
            re.findall(r"\bfa-[a-z0-9-]+", path.read_text(encoding="utf-8", errors="ignore"))
        )
    return always | {classes[name] for name in used if name in classes}


def subset_icon_fonts(site: Path) -> None:
    """The theme's Font Awesome fonts cut down to the icons the site shows."""
    # pydata-sphinx-theme ships Font Awesome's whole web fonts (fa-solid 153 KB, fa-brands
    # 115 KB, fa-regular 25 KB in WOFF2), which every page fetched for its dozen header
    # icons. Cut them down to the characters the site uses, in place (same names, same
    # @font-face rules), deterministically (no timestamp), so both editions' copies are
    # one file. Upstream: pydata-sphinx-theme#2379 (Font Awesome's weight, open); drop this
    # when the theme ships only the icons a site uses.
    points = icon_code_points(site)
    for path in sorted((site / "_static" / FONT_AWESOME).glob("*")):
        if path.suffix in (".woff2", ".ttf"):
            _subset(path, points)


# --- maths ---------------------------------------------------------------------------

KATEX_FONTS = "vendor/katex/fonts"  # copied there by `make vendor`
# Printable ASCII: kept in every KaTeX face whatever the formulas hold.
ASCII = set(range(0x20, 0x7F))


class _Formulas(HTMLParser):
    """The characters of the page's formulas: the text inside KaTeX's ``class="katex"``."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.points: set[int] = set()
        self._depth = 0  # inside a formula: how many of its elements are open

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        if self._depth:
            self._depth += 1
        elif "katex" in (dict(attrs).get("class") or "").split():
            self._depth = 1

    def handle_endtag(self, tag):
        if self._depth and tag not in self.VOID:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.points.update(map(ord, data))


def formula_code_points(site: Path) -> set[int]:
    """Every character inside a KaTeX formula on any page of ``site``."""
    points = set()
    for page in sorted(site.rglob("*.html")):
        parser = _Formulas()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        points |= parser.points
    return points


def subset_katex_fonts(site: Path) -> None:
    """KaTeX's fonts cut down to the characters the site's formulas draw, and ASCII. The
    three faces nearly every formula uses (Main regular and bold, Math italic) were 69 KB
    that a phone fetched before its first paint, in Lighthouse's model of a slow
    connection; they come to about half that."""
    folder = site / KATEX_FONTS
    if not folder.is_dir():
        return
    points = formula_code_points(site) | ASCII
    for path in sorted(folder.glob("*.woff2")):
        _subset(path, points)
