"""What the built pages carry for search engines, link previews and a fast first paint
(tools/sphinx_site.py, make vendor, make book), checked in the HTML both editions ship.

* a meta description from the page's own first paragraph, and Open Graph tags;
* hreflang alternates between the editions (absolute URLs, each page listing both and the
  English one as x-default) and a language switch that is a real link in the HTML;
* KaTeX's stylesheet names only the font files the site ships (WOFF2), each with
  font-display: swap, and a page with formulas preloads the fonts they need;
* no script in the head holds up the text, except the one Sphinx's inline script needs;
  the page's stylesheets come as one file, joined in their order, its fonts and images found;
* the widgets' big saved values are files of the site, not part of the page: restoring them
  gives back exactly the state saved in the notebook;
* the Chinese edition shares the English edition's copy of every identical static file;
* the text's images carry their size and load lazily.
"""

from __future__ import annotations

import html
import json
import re
import struct
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest
from paths import HTML, ROOT
from support.site import CONTENT_PAGES, PAGES, ZH

from tools.katex_css import woff2_only
from tools.sphinx_site import movable

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
HEAD_PAGES = [p for p in PAGES if p.removeprefix(f"{ZH}/") != "index.html"]


class _Head(HTMLParser):
    """The head's meta, link and script tags, the language switch and the text's images."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict] = []
        self.scripts: list[dict] = []
        self.switch: list[dict] = []
        self.images: list[dict] = []
        self.in_head = True
        self._script = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "body":
            self.in_head = False
        if tag == "meta" and ("name" in a or "property" in a):
            self.meta[a.get("name") or a["property"]] = a.get("content", "")
        if tag == "meta" and a.get("property") == "og:locale:alternate":
            self.meta.setdefault("og:locale:alternate:all", "")
            self.meta["og:locale:alternate:all"] += a.get("content", "") + " "
        if tag == "link" and self.in_head:
            self.links.append(a)
        if tag == "script":
            self._script = {**a, "head": self.in_head, "body": ""}
            self.scripts.append(self._script)
        if tag == "a" and "birnn-language" in a.get("class", "").split():
            self.switch.append(a)
        if tag == "img" and "_images/" in a.get("src", ""):
            self.images.append(a)

    def handle_data(self, data):
        if self._script is not None:
            self._script["body"] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def _head(path: str) -> _Head:
    parser = _Head()
    parser.feed((HTML / path).read_text(encoding="utf-8"))
    return parser


def _article_text(path: str) -> str:
    text = (HTML / path).read_text(encoding="utf-8")
    article = text[text.index('<article class="bd-article"') :]
    article = re.sub(r'<span class="katex-html".*?</span></span></span>', " ", article, flags=re.S)
    article = re.sub(r"<[^>]+>", " ", article)
    return re.sub(r"\s+", " ", html.unescape(article))


def _edition(path: str) -> tuple[str, str]:
    return ("zh_CN", path.removeprefix(f"{ZH}/")) if path.startswith(f"{ZH}/") else ("en", path)


# --- descriptions and link previews ----------------------------------------------------


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_description_comes_from_the_pages_own_first_paragraph(built_book, path):
    head = _head(path)
    description = head.meta.get("description", "")
    assert 40 <= len(description), f"{path}: description {description!r}"
    width = sum(2 if ord(c) >= 0x2E80 else 1 for c in description)
    assert width <= 160, f"{path}: description {width} columns long"
    # Its words are the page's own: every word (and run of Chinese characters) of it but
    # the last, which the ellipsis may have cut, is in the page's text.
    words = re.findall(r"[A-Za-z]{3,}|[\u3400-\u9fff]{2,}", description)[:-1]
    article = _article_text(path).replace(" ", "")  # inline tags became spaces
    missing = [w for w in words if w not in article]
    assert len(words) >= 5 and not missing, f"{path}: {missing} not in the page's text"
    assert head.meta.get("og:description") == description
    assert head.meta.get("og:title") and head.meta.get("og:site_name")
    url = head.meta.get("og:url", "")
    assert urlparse(url).scheme == "https" and url.endswith(_edition(path)[1]), url


def test_descriptions_differ_from_page_to_page(built_book):
    for edition in ("en", "zh_CN"):
        pages = [p for p in CONTENT_PAGES if _edition(p)[0] == edition]
        descriptions = [_head(p).meta.get("description") for p in pages]
        assert len(set(descriptions)) == len(pages), descriptions


# --- the two editions ----------------------------------------------------------------


@pytest.mark.parametrize("path", HEAD_PAGES)
def test_hreflang_alternates_and_a_real_language_switch(built_book, path):
    edition, inner = _edition(path)
    head = _head(path)
    alternates = {
        link["hreflang"]: link["href"]
        for link in head.links
        if link.get("rel") == "alternate" and "hreflang" in link
    }
    assert set(alternates) == {"en", "zh-CN", "x-default"}, alternates
    assert alternates["x-default"] == alternates["en"]
    canonical = next(link["href"] for link in head.links if link.get("rel") == "canonical")
    assert alternates["en" if edition == "en" else "zh-CN"] == canonical
    assert alternates["en"].endswith("/" + inner) and alternates["zh-CN"].endswith(f"/{ZH}/{inner}")
    assert alternates["zh-CN"] == alternates["en"].replace(inner, f"{ZH}/{inner}")
    # The switch is in the HTML as built (crawlers and readers without scripts find the
    # other edition), and leads to the same page there.
    assert len(head.switch) == 1, head.switch
    switch = head.switch[0]
    other = "zh-CN" if edition == "en" else "en"
    assert switch["hreflang"] == other and switch["lang"] == other and switch.get("title")
    target = ((HTML / path).parent / switch["href"]).resolve()
    assert target == (HTML / (inner if edition != "en" else f"{ZH}/{inner}")).resolve()
    assert target.is_file()


# --- fonts ---------------------------------------------------------------------------


def test_katex_stylesheet_names_only_shipped_woff2_fonts_with_swap(built_book):
    css = (HTML / "vendor/katex/katex.min.css").read_text(encoding="utf-8")
    faces = re.findall(r"@font-face\{([^}]*)\}", css)
    assert len(faces) == 20, len(faces)
    for face in faces:
        urls = re.findall(r"url\(([^)]+)\)", face)
        assert len(urls) == 1 and urls[0].endswith(".woff2"), face
        assert (HTML / "vendor/katex" / urls[0]).is_file(), urls[0]
        assert "font-display:swap" in face, face
    # The same transformation make vendor applies, of npm's stylesheet.
    npm = (ROOT / "node_modules/katex/dist/katex.min.css").read_text(encoding="utf-8")
    assert woff2_only(npm) == css


def test_woff2_only_refuses_a_face_without_woff2():
    with pytest.raises(ValueError, match="WOFF2"):
        woff2_only('@font-face{font-family:X;src:url(x.woff) format("woff")}')


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_pages_with_formulas_preload_their_fonts(built_book, path):
    text = (HTML / path).read_text(encoding="utf-8")
    preloads = [
        link
        for link in _head(path).links
        if link.get("rel") == "preload" and link.get("as") == "font"
    ]
    if 'class="katex"' not in text:
        assert not preloads
        return
    names = {Path(link["href"]).name for link in preloads}
    assert "KaTeX_Main-Regular.woff2" in names, names
    for link in preloads:
        assert link.get("crossorigin") == "anonymous" and link.get("type") == "font/woff2"
        assert ((HTML / path).parent / link["href"]).resolve().is_file(), link["href"]


# --- scripts -------------------------------------------------------------------------

# Synchronous on purpose: Sphinx's inline `DOCUMENTATION_OPTIONS.pagename = ...` needs it
# while the page is parsed.
SYNC_SCRIPTS = ("documentation_options.js",)


@pytest.mark.parametrize("path", [p for p in HEAD_PAGES if not p.endswith("search.html")])
def test_no_script_in_the_head_holds_up_the_text(built_book, path):
    """(Not on the search page, whose own scripts need Sphinx's while it is parsed.)"""
    blocking = [
        s["src"]
        for s in _head(path).scripts
        if s["head"]
        and s.get("src")
        and not {"defer", "async"} & set(s)
        and s.get("type", "text/javascript") in ("text/javascript", "module")
        and Path(urlparse(s["src"]).path).name not in SYNC_SCRIPTS
    ]
    assert not blocking, f"{path}: parser-blocking scripts: {blocking}"
    # Nor a stylesheet that only @imports another (pydata-sphinx-theme's theme.css), nor
    # high-priority preloads of deferred scripts (tools/sphinx_site.py's theme head patch).
    links = _head(path).links
    assert not [
        link for link in links if link.get("href", "").split("?")[0].endswith("styles/theme.css")
    ]
    assert not [
        link for link in links if link.get("rel") == "preload" and link.get("as") == "script"
    ]


# The theme's sheets, then those every page's extensions add, in the order they were linked
# one by one; exercise.css only where there are exercises (tools/sphinx_site.py PAGE_ASSETS).
JOINED_ORDER = [
    "_static/basic.css",
    "_static/styles/pydata-sphinx-theme.css",
    "_static/pygments.css",
    "_static/styles/sphinx-book-theme.css",
    "_static/togglebutton.css",
    "_static/copybutton.css",
    "_static/mystnb.",
    "_static/sphinx-thebe.css",
    "_static/exercise.css",
    "vendor/katex/katex.min.css",
    "_static/katex-math.css",
    "_static/site.css",
]


def _selectors(css: str) -> set[str]:
    """The selectors of every style rule of ``css``, in @media and like blocks too."""
    import tinycss2

    found, rules = set(), tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    while rules:
        rule = rules.pop()
        if rule.type == "qualified-rule":
            found.add(" ".join(tinycss2.serialize(rule.prelude).split()))
        elif rule.type == "at-rule" and rule.content and rule.lower_at_keyword != "font-face":
            rules.extend(tinycss2.parse_rule_list(rule.content, skip_comments=True))
    return found


@pytest.mark.parametrize("path", HEAD_PAGES)
def test_the_stylesheets_come_as_one_file_in_their_order(built_book, path):
    links = [link for link in _head(path).links if "stylesheet" in link.get("rel", "").split()]
    assert len(links) == 1, f"{path}: {[link.get('href') for link in links]}"
    href = urlparse(links[0]["href"]).path
    assert re.fullmatch(r"(\.\./)*_static/styles-[0-9a-f]{16}\.css", href), href
    joined = ((HTML / path).parent / href).resolve()
    # The English edition's copy, for both editions (share-static).
    assert joined.parent == (HTML / "_static").resolve(), joined
    text = joined.read_text(encoding="utf-8")
    assert text.startswith('@charset "UTF-8";\n') and text.count("@charset") == 1
    sheets = re.findall(r"^/\* (\S+\.css) \*/$", text, re.M)
    order = [next(i for i, s in enumerate(JOINED_ORDER) if sheet.startswith(s)) for sheet in sheets]
    assert order == sorted(order), sheets
    exercises = "exercise" in path
    assert set(order) == set(range(len(JOINED_ORDER))) - (set() if exercises else {8}), sheets

    # Each sheet's part holds rules of that sheet only (cut down: tests/test_site_styles.py
    # checks in a browser that none the page can use is missing), and every url() it names
    # is found from the joined file's folder: the icons', KaTeX's fonts, basic.css's images.
    parts = re.split(r"^/\* \S+\.css \*/$", text, flags=re.M)[1:]
    for sheet, part in zip(sheets, parts, strict=True):
        own = _selectors((HTML / sheet).read_text(encoding="utf-8"))
        kept = _selectors(part)
        assert kept <= own, f"{href}: rules not of {sheet}: {sorted(kept - own)[:5]}"
        if sheet.endswith(("basic.css", "pydata-sphinx-theme.css", "site.css")):
            assert kept, f"{href}: nothing kept of {sheet}"
    urls = re.findall(r"""url\("([^"]+)"\)""", text)
    assert any("KaTeX_Main-Regular.woff2" in u for u in urls)
    assert any("fontawesome/webfonts/fa-solid-900.woff2" in u for u in urls)
    for url in urls:
        if not urlparse(url).scheme:
            assert (joined.parent / url.split("?")[0].split("#")[0]).resolve().is_file(), url


# --- widgets -------------------------------------------------------------------------


def _notebook_state(path: str) -> dict:
    edition, inner = _edition(path)
    notebook = (ROOT / ("" if edition == "en" else f"{ZH}/") / inner).with_suffix(".ipynb")
    metadata = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]
    return metadata.get("widgets", {}).get(WIDGET_STATE, {})


WIDGET_PAGES = [
    p
    for p in CONTENT_PAGES
    if (HTML / p).is_file() and WIDGET_STATE in (HTML / p).read_text(encoding="utf-8")
]


def test_the_widget_pages_are_found(built_book):
    assert {p for p in WIDGET_PAGES} >= {
        f"{e}chapters/{n}.html"
        for e in ("", f"{ZH}/")
        for n in ("04_shape_explorer", "05_context_in_action")
    }


@pytest.mark.parametrize("path", WIDGET_PAGES)
def test_widget_values_are_files_and_restore_the_saved_state(built_book, path):
    text = (HTML / path).read_text(encoding="utf-8")
    head_end = text.index("</head>")
    states = [s for s in _head(path).scripts if s.get("type") == WIDGET_STATE]
    assert len(states) == 1 and states[0]["head"]
    # Small enough not to hold up the text (chapter 5's was 1.3 MB).
    assert len(states[0]["body"]) < 16_384, len(states[0]["body"])
    assert head_end < 40_000 + text.index("<head>"), f"{path}: head of {head_end} characters"
    state = json.loads(states[0]["body"])
    files = state.pop("birnn_files", {})
    saved = _notebook_state(path)

    # Every big value moved out (a page whose state has none, such as a stale form's,
    # keeps it all).
    def values(value, path):
        yield path, value
        if isinstance(value, dict):
            for key, item in value.items():
                yield from values(item, [*path, key])

    big = any(
        movable(keys, value)
        for model in saved.get("state", {}).values()
        for keys, value in values(model.get("state", {}), [])
    )
    assert bool(files) == big, f"{path}: moved {files}"
    for model_id, entries in files.items():
        values = state["state"][model_id]["state"]
        for keys, url in entries:
            assert not urlparse(url).scheme, url  # the site's own file
            target = ((HTML / path).parent / url).resolve()
            assert target.is_file(), url
            # The English edition's copy, or (a table of Chinese words) the edition's own.
            assert any(
                target.is_relative_to((site / "_static" / "widgets").resolve())
                for site in (HTML, HTML / ZH)
            ), target
            parent = values
            for key in keys[:-1]:
                parent = parent[key]
            assert parent[keys[-1]] is None
            text = target.read_text(encoding="utf-8")
            parent[keys[-1]] = json.loads(text) if url.endswith(".json") else text
    assert state == saved


# --- one copy of the static files ----------------------------------------------------


def test_the_chinese_edition_shares_the_english_static_files(built_book):
    own = sorted(
        p.relative_to(HTML / ZH).as_posix()
        for folder in ("_static", "_images", "vendor")
        for p in (HTML / ZH / folder).rglob("*")
        if p.is_file()
    )
    # Sphinx writes these per language, the Chinese notebooks draw their figures in
    # Chinese and their widgets hold Chinese words (a moved table of them); everything else
    # is the English edition's copy.
    per_language = ["_static/documentation_options.js", "_static/translations.js"]
    assert [
        rel for rel in own if not rel.startswith(("_images/", "_static/widgets/"))
    ] == per_language, own
    assert all(rel.endswith((".png", ".json")) for rel in own if rel not in per_language)
    for rel in own:
        english = HTML / rel
        assert not english.is_file() or english.read_bytes() != (HTML / ZH / rel).read_bytes()
    page = (HTML / ZH / "chapters/04_shape_explorer.html").read_text(encoding="utf-8")
    assert re.search(r'href="\.\./\.\./_static/styles-[0-9a-f]{16}\.css', page)
    assert 'src="../_static/documentation_options.js' in page


# --- images --------------------------------------------------------------------------


@pytest.mark.parametrize("path", CONTENT_PAGES)
def test_images_carry_their_size_and_load_lazily(built_book, path):
    for img in _head(path).images:
        png = ((HTML / path).parent / img["src"]).resolve()
        data = png.read_bytes()[:24]
        width, height = struct.unpack(">II", data[16:24])
        assert (img.get("width"), img.get("height")) == (str(width), str(height)), img["src"]
        assert img.get("loading") == "lazy" and img.get("decoding") == "async"


# --- icons ---------------------------------------------------------------------------


def _font_characters() -> set[int]:
    from fontTools.ttLib import TTFont

    chars = set()
    for path in (HTML / "_static/vendor/fontawesome/webfonts").glob("*.woff2"):
        chars.update(TTFont(path).getBestCmap())
    return chars


@pytest.mark.browser
@pytest.mark.parametrize("path", [p for p in HEAD_PAGES if not p.startswith(f"{ZH}/")])
def test_every_icon_the_page_draws_is_in_the_icon_fonts(open_page, path):
    """The site's Font Awesome fonts are cut down to the icons it uses (tools/sphinx_site.py):
    every character the page draws in them, read from the browser's computed styles (icon
    classes and the stylesheets' own ::before/::after content, admonitions included), is
    in one of the fonts."""
    page, log = open_page(path)
    page.wait_for_load_state("networkidle")
    drawn = page.evaluate("""() => {
        const out = [];
        for (const el of document.querySelectorAll('*')) {
            for (const pseudo of ['::before', '::after']) {
                const style = getComputedStyle(el, pseudo);
                if (!/Font Awesome/.test(style.fontFamily)) continue;
                const text = (style.content || '').replace(/^"|"$/g, '');
                if (!text || text === 'none' || text === 'normal') continue;
                for (const ch of text) out.push([ch.codePointAt(0),
                    el.tagName.toLowerCase() + '.' + String(el.className).split(' ').join('.')]);
            }
        }
        return out;
    }""")
    assert drawn, f"{path}: no icon found, the check would be empty"
    chars = _font_characters()
    missing = sorted({(hex(c), where) for c, where in drawn if c not in chars})
    assert not missing, f"{path}: icons missing from the fonts: {missing[:10]}"


def test_share_static_points_the_edition_at_identical_files_only(tmp_path):
    from tools.sphinx_site import share_static

    site = tmp_path / "html"
    for edition in ("", "zh_CN/"):
        (site / edition / "_static").mkdir(parents=True)
        (site / edition / "_static/same.css").write_text("a{}")
        (site / edition / "_static/lang.js").write_text(f"// {edition or 'en'}")
        (site / edition / "chapters").mkdir()
    (site / "zh_CN/page.html").write_text(
        '<link href="_static/same.css"><script src="_static/lang.js"></script>'
    )
    (site / "zh_CN/chapters/deep.html").write_text(
        '<link href="../_static/same.css"><script>{"u": "../_static/same.css"}</script>'
    )
    result = share_static(site)
    assert result["shared"] == 1 and result["own"] == ["_static/lang.js"]
    assert (
        site / "zh_CN/page.html"
    ).read_text() == '<link href="../_static/same.css"><script src="_static/lang.js"></script>'
    assert (
        (site / "zh_CN/chapters/deep.html").read_text()
        == '<link href="../../_static/same.css"><script>{"u": "../../_static/same.css"}</script>'
    )
    assert not (site / "zh_CN/_static/same.css").exists()
    # A page left pointing at a file that is not there fails the build.
    (site / "zh_CN/bad.html").write_text('<img src="_images/none.png">')
    with pytest.raises(SystemExit, match="none.png"):
        share_static(site)
