"""A joined stylesheet cut down to the rules the site can use.

The theme, KaTeX, myst-nb and the other extensions bring about 520 KB of CSS to every page;
about 90 % of its rules match nothing the book draws (Bootstrap's components, other
extensions' widgets, KaTeX's rarer glyph sizes). A phone reads and matches all of it before
the first paint: with Lighthouse's mobile preset the whole sheet held chapter 1's largest
paint at 3.0 s, against a goal of 2.5 s.

The rule, the same as PurgeCSS's: a style rule stays when one of its selectors can match,
that is, when every class, id and element name that selector needs occurs in the site, in a
page's markup or in a script the site ships (scripts add classes and elements after the
page loads: the copy buttons, the theme's menus, the widget views). Everything else about a
selector is left to the browser: attribute selectors (``details[open]`` is set by a click),
pseudo-classes and pseudo-elements, and whatever is inside ``:not()``, ``:is()`` and the
like. A rule is kept or dropped whole, never rewritten: a selector list with one selector
the browser rejects is a rule the browser ignores, and stays so. ``@media``, ``@supports``,
``@layer`` and ``@container`` blocks are cut the same way inside; every other at-rule
(``@font-face``, ``@keyframes``, ``@page``, ``@import``, ``@property``) stays as it is.

``tests/test_css_purge.py`` checks the rule on small cases; ``tests/test_site_styles.py``
checks in Chromium, on every page after its menus, folds and colour modes have been
opened, that each rule of the whole sheets that matches something is still in the page's.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import tinycss2

# Names a script can give a class, an id or an element: ASCII only, so the words of the
# Chinese edition's tables are not names.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# At-rules whose block holds style rules, cut like the sheet itself.
_GROUPING = {"media", "supports", "layer", "container", "document", "-moz-document"}
# Files of the site whose text names classes, ids and elements scripts may create.
SCRIPT_SUFFIXES = (".js", ".mjs", ".json")
# Sphinx's data files: the edition's words (its search index, its translations, its
# language), not code that draws anything.
DATA_SCRIPTS = {"searchindex.js", "translations.js", "documentation_options.js"}


class _Markup(HTMLParser):
    """Element names, ids and classes of a page, and the text of its scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.names: set[str] = set()
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.names.add(tag.lower())
        for key, value in attrs:
            if key in ("class", "id") and value:
                self.names.update(value.split())
        self._in_script = tag.lower() == "script"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def page_names(markup: str) -> set[str]:
    """Every element name, id and class of the page ``markup``, and every name its inline
    scripts (and the widget state saved in it) could give one."""
    parser = _Markup()
    parser.feed(markup)
    parser.close()
    for text in parser.scripts:
        parser.names.update(script_names(text))
    return parser.names


def script_names(text: str) -> set[str]:
    """Every word of a script that could be a class, an id or an element name."""
    words = set(_NAME.findall(text))
    return words | {word.lower() for word in words}


def site_names(site: Path) -> set[str]:
    """The names the site's pages (every ``.html`` file under ``site``) use and its scripts
    (every ``.js``, ``.mjs`` and ``.json`` file but Sphinx's data files) could add."""
    names = set()
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".html":
            names |= page_names(path.read_text(encoding="utf-8"))
        elif path.suffix in SCRIPT_SUFFIXES and path.name not in DATA_SCRIPTS:
            names |= script_names(path.read_text(encoding="utf-8", errors="ignore"))
    return names


def selector_needs(tokens: list) -> set[str] | None:
    """The classes, ids and element names one selector (a list of tinycss2 tokens) needs,
    or None for a selector this does not read (then its rule stays)."""
    needs = set()
    previous = None  # the token before, whitespace kept: a name after a space is an element
    for token in tokens:
        kind = token.type
        if kind == "ident":
            if previous is not None and previous.type == "literal" and previous.value == ".":
                needs.add(token.value)
            elif previous is not None and previous.type == "literal" and previous.value == ":":
                pass  # a pseudo-class or, after "::", a pseudo-element
            elif previous is not None and previous.type == "literal" and previous.value == "|":
                return None  # a namespace prefix: not used by the book's sheets
            else:
                needs.add(token.value.lower())
        elif kind == "hash":
            needs.add(token.value)
        elif kind in ("() block", "{} block"):
            return None
        # "[] block": an attribute selector, left to the browser; "function": a
        # pseudo-class with arguments (:not(), :is(), :nth-child()), likewise.
        previous = token
    return needs


def _selectors(prelude: list) -> list[list]:
    selectors, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(current)
            current = []
        elif token.type != "comment":
            current.append(token)
    selectors.append(current)
    return selectors


def rule_used(prelude: list, names: set[str]) -> bool:
    """Whether one of the selectors of a style rule's ``prelude`` can match."""
    for selector in _selectors(prelude):
        needs = selector_needs(selector)
        if needs is None or needs <= names:
            return True
    return False


def _purged(rules: list, names: set[str]) -> list[str]:
    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            if rule_used(rule.prelude, names):
                out.append(tinycss2.serialize([rule]))
        elif rule.type == "at-rule" and rule.lower_at_keyword in _GROUPING and rule.content:
            inner = _purged(tinycss2.parse_rule_list(rule.content, skip_comments=True), names)
            if inner:
                prelude = tinycss2.serialize(rule.prelude).strip()
                out.append(f"@{rule.at_keyword} {prelude}{{{''.join(inner)}}}")
        elif rule.type == "at-rule":
            out.append(tinycss2.serialize([rule]))
        elif rule.type == "error":
            raise ValueError(f"unreadable CSS at line {rule.source_line}: {rule.message}")
    return out


def purge(css: str, names: set[str]) -> str:
    """``css`` without the style rules none of whose selectors can match an element with
    only ``names`` for classes, ids and element names, and without the grouping at-rules
    left empty. Comments go; every kept rule is written as it came."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    charset = [r for r in rules if r.type == "at-rule" and r.lower_at_keyword == "charset"]
    rules = [r for r in rules if r not in charset]
    head = tinycss2.serialize(charset[:1]) + "\n" if charset else ""
    return head + "\n".join(_purged(rules, names)) + "\n"
