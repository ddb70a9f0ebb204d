"""Site fixes that configuration cannot make; everything else is in ``_config.yml``,
``_static/`` (styles, scripts), ``assets/root/`` (favicon) and ``make vendor``.

Each fix names its reason; a fix for an upstream defect names the upstream issue and when
to drop it. What the pages get here:

* the head: a meta description from the page's own first paragraph, Open Graph tags,
  ``hreflang`` alternates between the editions and a canonical URL (``html_baseurl``,
  derived from the repository when unset); the colour mode resolved before the first paint;
  scripts deferred so that they do not hold up the text; one stylesheet, joined from the
  dozen Sphinx and the extensions link and cut to the rules the site can use
  (``tools/css_purge.py``);
* the fonts: Font Awesome's and KaTeX's cut to the characters the pages draw
  (``tools/site_fonts.py``);
* the kernel-less widgets: their big saved values (the fill-in demo's weights, the views'
  code and styles) moved out of the page's ``<head>`` into files under ``_static/widgets/``
  that ``tools/widget_setup.js`` fetches after the text has painted;
* the header: a real link to the same page in the other edition (``birnn_editions``);
* valid HTML: unique ids for sphinx-exercise's sections, phrasing content in myst-nb's
  ``<summary>``, and a redirect page ``index.html`` with a doctype, a title and a link.

``python -m tools.sphinx_site share-static _build/html`` (``make book``, after both editions
are built) makes the Chinese edition load the English edition's copy of every static file
that is the same in both, so a reader switching language fetches none of them again.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import posixpath
import re
import sys
from pathlib import Path
from urllib.parse import quote, urlparse

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

try:
    from tools import css_purge, editions, site_fonts
except ImportError:  # loaded by Sphinx as a local extension (tools/ on the path)
    import css_purge
    import editions
    import site_fonts

# book/i18n.py (book.i18n.tr, the one way to a reader's word), loaded without importing the
# book package and PyTorch (tools/editions.py).
_i18n = editions.i18n

# Files the pages load from the site's /vendor folder, copied there by `make vendor`.
VENDORED = ("vendor/katex/katex.min.css", "vendor/widget_setup.js")
TEMPLATES = Path(__file__).with_name("site_templates")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# Saved widget values at least this long (characters of JSON) leave the page's <head>.
WIDGET_FILE_MIN = 2048


def _check_vendored(app: Sphinx) -> None:
    # Sphinx silently skips a missing html_extra_path entry; the pages' maths would then
    # lose KaTeX's stylesheet and fonts (a jumble of glyphs). Fail the build instead.
    if app.builder.format != "html":
        return
    roots = [Path(app.confdir, p) for p in app.config.html_extra_path]
    for rel in VENDORED:
        if not any((root / rel).exists() for root in roots):
            raise ExtensionError(
                f"{rel} is missing from html_extra_path {app.config.html_extra_path}: "
                "run `make vendor` (npm-installed front-end assets) before building"
            )


# --- editions, site URL ----------------------------------------------------------------


def _language(app: Sphinx) -> str:
    return app.config.language or "en"


def _hreflang(language: str) -> str:
    return language.replace("_", "-")


def _site_url(app: Sphinx) -> str:
    """The site's root URL (the English edition's), ending in "/": ``birnn_site_url`` if set,
    else GitHub Pages' address for the repository (.github/workflows/pages.yml publishes
    there), so the repository stays named once, in _config.yml."""
    if app.config.birnn_site_url:
        return app.config.birnn_site_url.rstrip("/") + "/"
    repo = urlparse(app.config.html_theme_options.get("repository_url", ""))
    parts = repo.path.strip("/").split("/")
    if repo.hostname != "github.com" or len(parts) != 2:
        return ""
    return f"https://{parts[0].lower()}.github.io/{parts[1]}/"


def _theme_head_macros(app: Sphinx) -> Path:
    """pydata-sphinx-theme 0.16's head macros (static/webpack-macros.html) without what holds
    up the first paint, written beside the doctrees for this build's template path:

    * ``theme.css``, whose only content is ``@import "../basic.css"``: a stylesheet that
      reveals a second one only when it has arrived (one more round trip before the text
      can be drawn), and the link to ``pydata-sphinx-theme.css``: both sheets join the
      page's others in one file instead (``THEME_SHEETS``, ``_joined_styles``);
    * ``scripts/fontawesome.js``, a parser-blocking script in the head (the theme's icons
      come from its stylesheet and web fonts; the file is emptied by _trim_site).
      Upstream: pydata-sphinx-theme#2115 (open), deferred by #2209 in 0.17, replaced by
      #2494; drop this line of the patch with a theme that no longer loads it in the head;
    * the high-priority preloads of bootstrap.js and pydata-sphinx-theme.js, which compete
      with the stylesheets on a slow link; the same scripts are still loaded, deferred, at
      the end of the body.

    Drop this patch when the theme's head no longer has these (0.17 defers fontawesome.js;
    this book stays on 0.16, see requirements.in). The build fails if the theme's macros
    change, so the patch never applies to a template it was not written for."""
    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    text = (theme / "static" / "webpack-macros.html").read_text(encoding="utf-8")
    import_only = (theme / "static" / "styles" / "theme.css").read_text(encoding="utf-8")
    if '@import "../basic.css";' not in import_only or import_only.count("{") > 0:
        raise ExtensionError(
            "pydata-sphinx-theme's theme.css is no longer only an @import of "
            "basic.css: review tools/sphinx_site.py's _theme_head_macros"
        )
    edits = [
        (
            r"""<link href="\{\{ pathto\('_static/styles/theme\.css', 1\) \}\}\?digest=\w+" """
            r"""rel="stylesheet" />\n""",
            "",
        ),
        (
            r"""<link href="\{\{ pathto\('_static/styles/pydata-sphinx-theme\.css', 1\) \}\}"""
            r"""\?digest=\w+" rel="stylesheet" />\n""",
            "",
        ),
        (
            r"""  <!-- So that users can add custom icons -->\n  <script src="\{\{ pathto\("""
            r"""'_static/scripts/fontawesome\.js', 1\) \}\}\?digest=\w+"></script>\n""",
            "",
        ),
        (
            r"""  <!-- Pre-loaded scripts that we'll load fully later -->\n"""
            r"""  <link rel="preload" as="script" href="[^"]+bootstrap\.js[^"]*" />\n"""
            r"""<link rel="preload" as="script" href="[^"]+pydata-sphinx-theme\.js[^"]*" />\n""",
            "",
        ),
    ]
    for pattern, replacement in edits:
        text, count = re.subn(pattern, lambda m, r=replacement: r, text)
        if count != 1:
            raise ExtensionError(
                "pydata-sphinx-theme's static/webpack-macros.html changed "
                f"(no match for {pattern[:60]!r}): review tools/sphinx_site.py"
            )
    folder = Path(app.doctreedir).parent / "birnn-templates"
    (folder / "static").mkdir(parents=True, exist_ok=True)
    (folder / "static" / "webpack-macros.html").write_text(text, encoding="utf-8")
    return folder


def _configure(app: Sphinx, config) -> None:
    # The language switch is a component of the article header (the theme's own option,
    # article_header_end, in _config.yml); its template lives beside this file, so both
    # editions find it without a path of their own. Then the theme's head, patched.
    config.templates_path = [*config.templates_path, str(TEMPLATES), str(_theme_head_macros(app))]
    editions = config.birnn_editions
    language = config.language or "en"
    if editions and language not in editions:
        raise ExtensionError(f"birnn_editions {editions} has no edition for language {language!r}")
    # The canonical URL of each page (Sphinx writes <link rel="canonical"> from it).
    if not config.html_baseurl and editions:
        site = _site_url(app)
        if site:
            config.html_baseurl = site + editions[language]


def _counterparts(app: Sphinx, pagename: str) -> dict[str, dict]:
    """Per edition: the page's URL there (absolute, from the site URL) and its link from
    this page (relative, so the site works offline and from any folder)."""
    editions = app.config.birnn_editions or {}
    here = _language(app)
    up = "../" * editions.get(here, "").count("/")  # this edition's root -> site root
    depth = "../" * pagename.count("/")  # this page -> this edition's root
    site = _site_url(app)
    out = {}
    for language, prefix in editions.items():
        out[language] = {
            "href": depth + up + prefix + pagename + ".html",
            "url": site + prefix + pagename + ".html" if site else "",
            "hreflang": _hreflang(language),
            "name": _switch_words(language)[0],
        }
    return out


# --- the page's head -------------------------------------------------------------------

_TEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?")


def _tex_text(tex: str) -> str:
    """A formula as plain text for a description: ``\\mathbf{H}_t`` -> ``H_t``."""
    text = _TEX_COMMAND.sub("", tex).replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def _paragraph_text(paragraph: nodes.paragraph) -> str:
    parts = []
    for node in paragraph.findall(lambda n: isinstance(n, (nodes.Text, nodes.math))):
        if isinstance(node, nodes.math):
            parts.append(_tex_text(node.astext()))
        elif not any(isinstance(p, nodes.math) for p in _ancestors(node, paragraph)):
            parts.append(node.astext())
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _ancestors(node, stop):
    node = node.parent
    while node is not None and node is not stop:
        yield node
        node = node.parent


def _width(text: str) -> int:
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in text)


def _shorten(text: str, limit: int = 160) -> str:
    """At most ``limit`` columns (a CJK character counts two), cut at a word or a CJK
    character, with an ellipsis when cut."""
    if _width(text) <= limit:
        return text
    out, width = "", 0
    for char in text:
        width += 2 if ord(char) >= 0x2E80 else 1
        if width > limit - 1:
            break
        out += char
    if " " in out[-30:] and ord(out[-1]) < 0x2E80:
        out = out[: out.rindex(" ")]
    return out.rstrip(" ,;:，；：、") + "…"


def description(doctree) -> str:
    """The page's own first paragraph of prose: the first paragraph of its body outside
    admonitions, exercises, figures, tables, lists and notebook cells, and not a note set
    entirely in italics (such as "This section is optional")."""
    for paragraph in doctree.findall(nodes.paragraph):
        if any(
            isinstance(
                a,
                (
                    nodes.Admonition,
                    nodes.figure,
                    nodes.table,
                    nodes.list_item,
                    nodes.footnote,
                    nodes.citation,
                    nodes.field_list,
                ),
            )
            or (
                isinstance(a, nodes.Element)
                and (
                    {"cell", "exercise", "solution", "admonition", "toctree-wrapper"}
                    & set(a.get("classes", []))
                    or a.tagname
                    in ("exercise_node", "solution_node", "enumerable_node", "container")
                )
            )
            for a in _ancestors(paragraph, None)
        ):
            continue
        if len(paragraph.children) == 1 and isinstance(paragraph[0], nodes.emphasis):
            continue
        text = _paragraph_text(paragraph)
        if len(text) >= 40:
            return _shorten(text)
    return ""


def _book_title(app: Sphinx) -> str:
    return app.config.html_title or app.config.project


def _head_tags(app: Sphinx, pagename: str, context: dict, doctree) -> str:
    if doctree is None:  # search, genindex: the book's own summary
        doctree = app.env.get_doctree(app.config.root_doc)
    text = description(doctree)
    book = _book_title(app)
    title = html.unescape(re.sub(r"<[^>]+>", "", context.get("title") or "")) or book
    here = _language(app)
    editions = _counterparts(app, pagename)
    tags = []
    if text:
        tags.append(f'<meta name="description" content="{html.escape(text)}" />')
    tags += [
        f'<meta property="og:title" content="{html.escape(title)}" />',
        f'<meta property="og:site_name" content="{html.escape(book)}" />',
        '<meta property="og:type" content="article" />',
        f'<meta property="og:locale" content="{here if "_" in here else "en_US"}" />',
    ]
    if text:
        tags.append(f'<meta property="og:description" content="{html.escape(text)}" />')
    if context.get("pageurl"):
        tags.append(f'<meta property="og:url" content="{html.escape(context["pageurl"])}" />')
    for language in editions:
        if language != here:
            tags.append(
                '<meta property="og:locale:alternate" content="'
                f'{language if "_" in language else "en_US"}" />'
            )
    # Every edition of the page, this one included, and the English one for any other
    # language (x-default), as search engines read them.
    default = None
    for edition in editions.values():
        href = edition["url"] or edition["href"]
        tags.append(
            f'<link rel="alternate" hreflang="{edition["hreflang"]}" href="{html.escape(href)}" />'
        )
        default = default or href
    if default:
        tags.append(f'<link rel="alternate" hreflang="x-default" href="{html.escape(default)}" />')
    return "\n  ".join(tags)


# Resolves the colour mode before the first paint. pydata-sphinx-theme 0.16 writes
# data-theme="auto" in its head and resolves it to "light" or "dark" only in its deferred
# script: the first paint has neither theme's colours, and code blocks grow when pygments.css
# (scoped to html[data-theme="light"]) arrives, shifting the page (CLS 0.17 on chapter 4).
# The same resolution as the theme's own (prefers-color-scheme), earlier. Upstream:
# pydata-sphinx-theme#1857 ("Website Flashes White in Dark Mode", open) and #959; drop this
# when the theme resolves the mode in its inline head script.
EARLY_THEME = (
    "(() => { const d = document.documentElement; if (d.dataset.theme === 'auto') "
    "d.dataset.theme = matchMedia('(prefers-color-scheme: dark)').matches ? "
    "'dark' : 'light'; })();"
)

# External scripts that an inline script uses while the page is parsed, so they stay
# synchronous: Sphinx writes `DOCUMENTATION_OPTIONS.pagename = ...` inline after them.
PARSE_TIME_SCRIPTS = ("_static/documentation_options.js",)


# Stylesheets and scripts an extension adds to every page, kept only on pages that use them
# (a class of theirs in the page's body): sphinx-design (Jupyter Book loads it; no page uses
# its components: 53 KB of CSS rules every page matched against its whole DOM) and
# sphinx-exercise's styles.
PAGE_ASSETS = {
    "sphinx-design.min.css": r'class="[^"]*\bsd-',
    "design-tabs.js": r'class="[^"]*\bsd-tab',
    "exercise.css": r'class="[^"]*\b(?:exercise|solution)\b',
}


# The stylesheets the theme's head links before the others (its head macros, patched by
# _theme_head_macros, link neither): they lead each page's joined file.
THEME_SHEETS = ("_static/basic.css", "_static/styles/pydata-sphinx-theme.css")
# A url() in a stylesheet, quoted or not.
_CSS_URL = re.compile(r"""url\(\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^"')\s]+))\s*\)""")
_CHARSET = re.compile(r"""@charset\s+["'][^"']*["']\s*;""")


def _rebased_css(text: str, sheet: str, folder: str) -> str:
    """``text``, the stylesheet at ``sheet`` (a path in the site), with every relative url()
    made relative to ``folder`` instead, and without its ``@charset`` (the joined file has
    one, first, where CSS allows it)."""
    here = posixpath.dirname(sheet)

    def rebase(match):
        url = next(u for u in match.group("dq", "sq", "bare") if u is not None)
        if urlparse(url).scheme or url.startswith(("/", "#")):
            return match[0]  # data:, an absolute URL, a fragment: the same from anywhere
        target = posixpath.normpath(posixpath.join(here, url))
        return f'url("{posixpath.relpath(target, folder)}")'

    return _CSS_URL.sub(rebase, _CHARSET.sub("", text))


def _joined_styles(app: Sphinx, sheets: list) -> list:
    """The page's stylesheets, to be joined in their order into one file of the site,
    ``_static/styles-<content hash>.css``: one request before the first paint instead of
    twelve. On a throttled phone (Lighthouse's slow 4G, 4x CPU) the twelve sheets held the
    first paint 2.1-2.7 s after the HTML arrived, LCP 2.6-3.1 s against a goal of 2.5 s.

    Some sheets are final only when the build finishes (pydata-sphinx-theme rewrites
    pygments.css for its light and dark modes, myst-nb and sphinx-exercise copy theirs
    then), so the page names a stand-in, ``styles-<hash of the list>.pending.css``, with the
    list beside it; ``_write_joined_styles`` joins the sheets after them and names the file
    in the pages. A sheet this cannot join unchanged in meaning (another site's, an
    alternate, a titled one) fails the build."""
    if app.builder.format != "html" or not sheets:
        return sheets
    listed = []
    for css in sheets:
        name = posixpath.normpath(str(css.filename).split("?")[0])
        attrs = dict(css.attributes)
        media = attrs.pop("media", "all") or "all"
        if (
            urlparse(name).scheme
            or name.startswith(("/", ".."))
            or attrs.pop("rel", "stylesheet") != "stylesheet"
            or attrs.pop("type", "text/css") != "text/css"
            or attrs
        ):
            raise ExtensionError(
                f"stylesheet {css.filename} {css.attributes}: expected a file of the site "
                "linked as a plain stylesheet, to join with the page's others "
                "(tools/sphinx_site.py _joined_styles)"
            )
        listed.append([name, media])
    data = json.dumps(listed).encode("utf-8")
    stand_in = f"_static/styles-{hashlib.sha256(data).hexdigest()[:16]}.pending"
    target = Path(app.outdir, stand_in + ".json")
    if not target.is_file():
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        partial.write_bytes(data)
        os.replace(partial, target)  # whole, also when parallel writers race
    return [type(sheets[0])(stand_in + ".css", priority=0)]


def _write_joined_styles(app: Sphinx, exception) -> None:
    """Each list of sheets ``_joined_styles`` left, joined (url()s rewritten for the joined
    file's folder, a media query kept as an @media block, @charset once, first), written as
    ``_static/styles-<sha256 of the content>.css`` and named in the pages instead of the
    stand-in. Pages with the same sheets share one file; both editions' pages have the same
    sheets, so share-static keeps one copy."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    names = {}
    listings = sorted((outdir / "_static").glob("styles-*.pending.json"))
    # What the pages and the site's scripts can draw: the rules nothing can match go
    # (tools/css_purge.py), about 90 % of them, before a phone reads them for its first paint.
    used = css_purge.site_names(outdir) if listings else set()
    cut = {}  # each sheet cut once: the lists share most of their sheets
    for listing in listings:
        parts = []
        for name, media in json.loads(listing.read_text(encoding="utf-8")):
            if name not in cut:
                if not (outdir / name).is_file():
                    raise ExtensionError(f"stylesheet {name} is not in the site {outdir}")
                text = (outdir / name).read_text(encoding="utf-8")
                if "@import" in text:  # only valid first in a file: one more case to handle
                    raise ExtensionError(f"{name} has an @import: join it (tools/sphinx_site.py)")
                cut[name] = css_purge.purge(_rebased_css(text, name, "_static"), used).strip()
            text = cut[name]
            if media != "all":
                text = f"@media {media} {{\n{text}\n}}"
            parts.append(f"/* {name} */\n{text}\n")
        data = ('@charset "UTF-8";\n' + "".join(parts)).encode("utf-8")
        joined = f"styles-{hashlib.sha256(data).hexdigest()[:16]}.css"
        (outdir / "_static" / joined).write_bytes(data)
        names[listing.name.removesuffix(".json") + ".css"] = joined
        listing.unlink()
    if not names:
        return
    stand_in = re.compile(r"styles-[0-9a-f]{16}\.pending\.css")
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if "styles-" in text and ".pending.css" in text:
            new = stand_in.sub(lambda m: names[m[0]], text)
            page.write_text(new, encoding="utf-8")


def _used(asset, body: str) -> bool:
    name = Path(str(getattr(asset, "filename", asset) or "")).name
    return name not in PAGE_ASSETS or re.search(PAGE_ASSETS[name], body) is not None


def _page_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    body = context.get("body") or ""
    if "css_files" in context:
        # In the order the page would link them: Sphinx sorts them by priority (stably)
        # after this event.
        sheets = sorted(
            (css for css in context["css_files"] if _used(css, body)), key=lambda css: css.priority
        )
        if sheets:
            sheets[:0] = [type(sheets[0])(name, priority=0) for name in THEME_SHEETS]
        context["css_files"][:] = _joined_styles(app, sheets)
    scripts = context.get("script_files") or []
    scripts[:] = [js for js in scripts if _used(js, body)]
    # sphinx-thebe 0.3.1 adds its settings as an inline `const` script in
    # env-before-read-docs, after the builder exists, so Sphinx 7.4 lists it twice and every
    # page throws "Identifier 'THEBE_JS_URL' has already been declared". Keep the first.
    seen, unique = set(), []
    for js in scripts:  # the same inline script may come with filename None and with ""
        key = (
            str(getattr(js, "filename", js) or ""),
            tuple(sorted((getattr(js, "attributes", {}) or {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(js)
    out = []
    for js in unique:
        if not hasattr(js, "attributes"):
            out.append(js)
            continue
        attrs = dict(js.attributes)
        filename = str(js.filename or "")
        if attrs.get("type") == WIDGET_STATE:
            attrs["body"] = _widget_files(app, context, attrs["body"])
        elif (
            filename
            and not {"async", "defer"} & set(attrs)
            and attrs.get("type", "text/javascript") == "text/javascript"
            and filename not in PARSE_TIME_SCRIPTS
            and pagename != "search"
        ):
            # Scripts wait until the page is parsed, in order, instead of holding up the text
            # (every script Sphinx, the themes and the extensions add runs its work at
            # DOMContentLoaded or later, or only defines names used then). Not on the search
            # page, whose template loads searchtools.js synchronously after them, and it
            # needs doctools.js (and the translations) while the page is parsed.
            attrs["defer"] = "defer"
        else:
            out.append(js)
            continue
        out.append(type(js)(js.filename, priority=js.priority, **attrs))
    out.insert(0, type(unique[0])(None, priority=0, body=EARLY_THEME) if unique else EARLY_THEME)
    scripts[:] = out
    context["metatags"] = (
        "\n  ".join(
            filter(
                None,
                (
                    context.get("metatags", ""),
                    _head_tags(app, pagename, context, doctree),
                    _font_preloads(app, context),
                ),
            )
        )
        + "\n"
    )
    if context.get("body"):
        context["body"] = _sized_images(app, context["body"])


# KaTeX's fonts that a page's formulas need first, by the class KaTeX gives the glyphs: the
# upright text face of every formula, the italic of variables, the bold of vectors.
KATEX_FONTS = (
    ("katex", "KaTeX_Main-Regular"),
    ("mathnormal", "KaTeX_Math-Italic"),
    ("mathbf", "KaTeX_Main-Bold"),
)
_IMAGE = re.compile(
    r'<img (?P<attrs>[^>]*?)src="(?P<src>(?:\.\./)*_images/(?P<name>[^"]+))"'
    r"(?P<rest>[^>]*)>"
)


def _font_preloads(app: Sphinx, context: dict) -> str:
    """Preloads for the KaTeX fonts the page's formulas use. Discovered in the head, they
    arrive with the stylesheets, before the text is first drawn; otherwise a font found only
    when the formulas are laid out arrives later, and the lines around each formula rewrap
    when it replaces the fallback face (font-display: swap): chapter 4's CLS was 0.17 on a
    throttled phone."""
    body = context.get("body") or ""
    links = []
    for cls, font in KATEX_FONTS:
        if re.search(rf'class="[^"]*\b{cls}\b', body):
            href = context["pathto"](f"vendor/katex/fonts/{font}.woff2", resource=True)
            links.append(
                f'<link rel="preload" href="{href}" as="font" type="font/woff2" '
                'crossorigin="anonymous" />'
            )
    return "\n  ".join(links)


def _png_size(path: Path) -> tuple[int, int] | None:
    try:
        with path.open("rb") as f:
            head = f.read(24)
    except OSError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _sized_images(app: Sphinx, body: str) -> str:
    """The text's images (the notebooks' plots and diagrams) with their width and height,
    so the page keeps their room before they arrive (site.css scales them to the column,
    keeping the ratio), loaded lazily and decoded off the main thread."""
    sources = {name: Path(app.srcdir, src) for src, name in app.builder.images.items()}

    def size(match):
        attrs, rest = match["attrs"], match["rest"]
        if "width=" in attrs + rest:
            return match[0]
        dims = _png_size(sources.get(match["name"], Path("/nonexistent")))
        extra = f'width="{dims[0]}" height="{dims[1]}" ' if dims else ""
        return f'<img {attrs}src="{match["src"]}" {extra}loading="lazy" decoding="async"{rest}>'

    return _IMAGE.sub(size, body)


def _page_editions(app: Sphinx, pagename, templatename, context, doctree) -> None:
    # For the language switch's template; set before pydata-sphinx-theme renders the header
    # components to leave out empty ones (update_and_remove_templates, priority 500).
    context["birnn_editions"] = [
        {**edition, "title": _switch_words(language)[1]}
        for language, edition in _counterparts(app, pagename).items()
        if language != _language(app)
    ]


def _switch_words(language: str) -> tuple[str, str]:
    """The language switch's name and title for a link to the edition in ``language``, in
    that language, like the link's target: the English one reads "English", the Chinese one
    its catalog's word for it."""
    i18n = _i18n()
    lang = i18n.normalise(language) or "en"
    # Translators: the language switch on every page names the other edition in that
    # edition's language: translate "English" as the name of your language, in it.
    return i18n.tr("English", lang), i18n.tr("Read this page in English", lang)


# --- widgets ---------------------------------------------------------------------------


def movable(path: list, value) -> str | None:
    """The file extension a saved widget value goes out of the page with, or None if it
    stays: a string of at least WIDGET_FILE_MIN characters (``js``, ``css`` or ``txt``), or
    a trait's table (a dict or list, such as a view's configuration with its words) whose
    JSON is that long and holds no such string itself (``json``; one that does is visited
    instead, so each big string keeps a file of its own)."""
    if isinstance(value, str):
        if len(value) < WIDGET_FILE_MIN:
            return None
        return {"_esm": "js", "_css": "css"}.get(path[-1] if len(path) == 1 else "", "txt")
    if (
        path
        and isinstance(value, (dict, list))
        and len(json.dumps(value, ensure_ascii=False)) >= WIDGET_FILE_MIN
        and not _holds_big_string(value)
    ):
        return "json"
    return None


def _holds_big_string(value) -> bool:
    if isinstance(value, str):
        return len(value) >= WIDGET_FILE_MIN
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(_holds_big_string(item) for item in items)


def _widget_files(app: Sphinx, context: dict, body: str) -> str:
    """The saved widget state without its big values: each value (at any depth) that
    :func:`movable` names goes to ``_static/widgets/<hash>.<ext>``, named by
    its content (so both editions' copies are one file), and the state lists where it went
    under ``birnn_files``: ``{model_id: [[key path], url relative to the page]}``. The view
    (tools/widget_setup.js) fetches them after the page has painted. In Jupyter nothing
    changes: this is the website's copy of the state only. myst-nb 1.4 writes the whole
    state inline in the <head>, the format ipywidgets' embedding defines (loading it from a
    file is jupyter-widgets/ipywidgets#1299, open since 2017); drop this when myst-nb writes
    big state out of the page."""
    state = json.loads(body)
    folder = Path(app.outdir, "_static", "widgets")
    moved: dict[str, list] = {}

    def visit(value, path, model_id):
        kind = movable(path, value)
        if kind is None and isinstance(value, dict):
            for key, item in value.items():
                visit(item, [*path, key], model_id)
        elif kind is not None:
            ext = kind
            data = (json.dumps(value, ensure_ascii=False) if ext == "json" else value).encode(
                "utf-8"
            )
            name = f"{hashlib.sha256(data).hexdigest()[:20]}.{ext}"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            if not target.exists():
                target.write_bytes(data)
            moved.setdefault(model_id, []).append(
                [path, context["pathto"](f"_static/widgets/{name}", resource=True)]
            )

    for model_id, model in state.get("state", {}).items():
        visit(model.get("state", {}), [], model_id)
    for model_id, entries in moved.items():
        values = state["state"][model_id]["state"]
        for path, _ in entries:
            parent = values
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = None
    if moved:
        state["birnn_files"] = moved
    # The same escaping as myst-nb's (a "</" inside the JSON would end the script).
    return json.dumps(state).replace("</", "<\\/")


_STATE_TAG = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)'
    r"</script>",
    re.S,
)


def page_widget_state(page: Path) -> dict | None:
    """The widget state saved in a built page, with the values the build moved into files
    read back into place (what tools/widget_setup.js rebuilds in the browser); None for a
    page without widgets."""
    match = _STATE_TAG.search(page.read_text(encoding="utf-8"))
    if not match:
        return None
    state = json.loads(match[1])
    for model_id, entries in state.pop("birnn_files", {}).items():
        values = state["state"][model_id]["state"]
        for path, url in entries:
            parent = values
            for key in path[:-1]:
                parent = parent[key]
            text = (page.parent / url).read_text(encoding="utf-8")
            parent[path[-1]] = json.loads(text) if url.endswith(".json") else text
    return state


# --- valid HTML ------------------------------------------------------------------------


def _unique_exercise_ids(app: Sphinx, doctree, docname) -> None:
    # sphinx-exercise 1.2.1 gives every exercise's and solution's body section the same id
    # ("exercise-content", "solution-content"; directive.py, transforms.py), so a page with
    # two exercises has duplicate ids (invalid HTML; nothing links to them). Name each after
    # its exercise or solution instead. Upstream: executablebooks/sphinx-exercise, no issue
    # filed yet for the duplicate ids; drop this when its sections get unique ids.
    for section in doctree.findall(nodes.section):
        ids = section.get("ids", [])
        if ids in (["exercise-content"], ["solution-content"]):
            owner = next((a for a in _ancestors(section, None) if a.get("ids")), None)
            base = owner["ids"][0] if owner is not None else docname.replace("/", "-")
            section["ids"] = [f"{base}-{ids[0].split('-')[0]}-content"]


def _visit_hidden_cell(self, node) -> None:
    # myst-nb 1.4.0 writes the "Show code cell source" toggle as <p> elements inside
    # <summary> (myst_nb/sphinx_.py, visit_HideCellInput), which allows phrasing content
    # only; the same words in <span> (site.css styles them as mystnb.css styles the <p>).
    # Its aria-label "Toggle hidden content" named the toggle differently from its visible
    # words (axe-core's label-content-name-mismatch): the visible words name it now.
    # Upstream: executablebooks/MyST-NB, no issue filed yet; drop this when its <summary>
    # holds phrasing content.
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(
        f'<span class="collapsed admonition-title">{html.escape(node["prompt_show"])}</span>\n'
    )
    self.body.append(
        f'<span class="expanded admonition-title">{html.escape(node["prompt_hide"])}</span>\n'
    )
    self.body.append("</summary>\n")


def _depart_hidden_cell(self, node) -> None:
    self.body.append("</details>\n")


REDIRECT = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8" />
<title>{title}</title>
<meta http-equiv="refresh" content="0; url={target}" />
<link rel="canonical" href="{canonical}" />
</head>
<body>
<p><a href="{target}">{title}</a></p>
</body>
</html>
"""


def _write_redirect(app: Sphinx, exception) -> None:
    # sphinx-external-toc 1.1.0 writes index.html (the site's front door, when the root
    # document is not "index") as a bare <meta http-equiv="Refresh"> line: no doctype, no
    # title, invalid HTML (events.py, ensure_index_file). It leaves an existing index.html
    # alone, so this writes a complete one first. Upstream:
    # executablebooks/sphinx-external-toc (its issue #93 is about the same file's target
    # under dirhtml); drop this when the file it writes is a valid page.
    if exception is not None or app.builder.name != "html" or app.config.root_doc == "index":
        return
    target = app.config.root_doc + ".html"
    (Path(app.outdir) / "index.html").write_text(
        REDIRECT.format(
            lang=_hreflang(_language(app)),
            title=html.escape(_book_title(app)),
            target=target,
            canonical=(app.config.html_baseurl or "") + target,
        ),
        encoding="utf-8",
    )


SITE_JS = Path(__file__).resolve().parent.parent / "_static" / "site.js"


def site_words(language: str | None) -> dict:
    """The words _static/site.js shows on a page in ``language``, from the book's catalog:
    ``{"words": {message id: word}}``."""
    i18n = _i18n()
    lang = i18n.normalise(language) or "en"
    return {"words": i18n.words(i18n.view_msgids(SITE_JS), lang)}


def _add_site_words(app: Sphinx) -> None:
    # One edition is one build, so one table serves every page; it loads before site.js.
    if app.builder.format == "html":
        table = json.dumps(site_words(app.config.language), ensure_ascii=False)
        app.add_js_file(None, body=f"const BIRNN_WORDS = {table};", priority=400)


def _issue_title_names_the_edition(app: Sphinx, pagename, templatename, context, doctree) -> None:
    # sphinx-book-theme's issue button titles a new issue "Issue on page /<page>.html",
    # the same for both editions; the Chinese edition's pages live under its folder.
    folder = (app.config.html_theme_options or {}).get("path_to_docs", "").strip("/")
    if not folder:
        return
    old, new = f"%2F{pagename}.html", f"%2F{quote(folder)}/{pagename}.html"
    stack = list(context.get("header_buttons") or [])
    while stack:
        button = stack.pop()
        stack.extend(button.get("buttons", []))
        if button.get("label") == "source-issues-button":
            button["url"] = button["url"].replace(f"page%20{old}", f"page%20{new}")


def _trim_site(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    site_fonts.subset_icon_fonts(Path(app.outdir))
    site_fonts.subset_katex_fonts(Path(app.outdir))
    static = Path(app.outdir, "_static")
    # pydata-sphinx-theme ships scripts/fontawesome.js (1.4 MB, "so that users can add
    # custom icons"), which its head loaded on every page; the patched head
    # (_theme_head_macros) no longer does, and its stylesheet draws every icon from the web
    # fonts. Ship an empty script in its place, and no source maps (pages never load them).
    (static / "scripts" / "fontawesome.js").write_text("/* icons come from the theme's CSS */\n")
    for source_map in static.rglob("*.map"):
        source_map.unlink()


# --- one copy of the static files for both editions -------------------------------------

# A URL to a file of the edition's own static folders, inside an attribute, a CSS url() or
# a JSON string: the quote or parenthesis before it, the ../ steps, the path, and what ends it.
_STATIC_URL = re.compile(
    r"""(?P<lead>["'(])(?P<up>(?:\.\./)*)(?P<path>(?:_static|_images|vendor)/[^"'()\s?#]+)"""
)


def share_static(site: Path, edition: str = editions.EDITIONS["zh"].locale) -> dict:
    """Point the ``edition`` folder's pages at the site root's copy of each static file
    (``_static/``, ``_images/``, ``vendor/``) that is byte-identical in both, and delete the
    edition's copy. A file that differs (Sphinx's language-specific
    ``documentation_options.js``, ``translations.js``) stays the edition's own. Returns
    counts; raises if a page would be left pointing at a file that does not exist."""
    root, sub = site.resolve(), (site / edition).resolve()
    shared, own = set(), set()
    for folder in ("_static", "_images", "vendor"):
        for path in sorted((sub / folder).rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(sub)
            twin = root / rel
            if twin.is_file() and twin.read_bytes() == path.read_bytes():
                shared.add(rel.as_posix())
            else:
                own.add(rel.as_posix())
    rewritten = 0
    for page in sorted(sub.rglob("*.html")):
        inner = page.relative_to(sub)
        if inner.parts[0] in ("_static", "_images", "vendor", "_sources"):
            continue
        depth = len(inner.parts) - 1
        text = page.read_text(encoding="utf-8")

        def point(match):
            nonlocal rewritten
            up = match["up"].count("../")
            rel = posixpath.normpath(match["path"])
            if up != depth or rel not in shared:
                return match[0]
            rewritten += 1
            return match["lead"] + "../" * (depth + 1) + rel

        new = _STATIC_URL.sub(point, text)  # _static/../vendor/x (KaTeX's) is vendor/x
        if new != text:
            page.write_text(new, encoding="utf-8")
    for rel in shared:
        (sub / rel).unlink()
    for folder in ("_static", "_images", "vendor"):
        for path in [*sorted((sub / folder).rglob("*"), reverse=True), sub / folder]:
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    # Every local URL a page of the edition names must exist.
    missing = []
    for page in sorted(sub.rglob("*.html")):
        if page.relative_to(sub).parts[0] in ("_static", "_images", "vendor", "_sources"):
            continue
        for match in _STATIC_URL.finditer(page.read_text(encoding="utf-8")):
            target = (page.parent / match["up"] / match["path"]).resolve()
            if not target.exists():
                missing.append(f"{page.relative_to(site)}: {match['up']}{match['path']}")
    if missing:
        raise SystemExit("share-static: pages point at missing files:\n" + "\n".join(missing))
    return {"shared": len(shared), "own": sorted(own), "urls_rewritten": rewritten}


def setup(app: Sphinx) -> dict:
    from myst_nb.sphinx_ import HideCodeCellNode

    app.add_config_value("birnn_editions", {}, "html", types=[dict])
    app.add_config_value("birnn_site_url", "", "html", types=[str])
    app.connect("config-inited", _configure)
    app.connect("builder-inited", _check_vendored)
    app.connect("builder-inited", _add_site_words)
    app.connect("html-page-context", _issue_title_names_the_edition, priority=900)
    app.connect("doctree-resolved", _unique_exercise_ids)
    # Late priority: run after every extension has added its scripts.
    app.connect("html-page-context", _page_scripts, priority=900)
    app.connect("html-page-context", _page_editions, priority=400)
    # Before sphinx-external-toc's own redirect (priority 500), which then leaves it alone.
    app.connect("build-finished", _write_redirect, priority=400)
    app.connect("build-finished", _trim_site)
    # After the theme's, myst-nb's and sphinx-exercise's (priority 500), which write sheets.
    app.connect("build-finished", _write_joined_styles, priority=900)
    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_cell, _depart_hidden_cell))
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 2 and argv[0] == "share-static":
        result = share_static(Path(argv[1]))
        print(
            f"share-static: {result['shared']} files shared with the English edition, "
            f"{result['urls_rewritten']} URLs pointed at them; the edition's own: "
            f"{', '.join(result['own']) or 'none'}"
        )
        return 0
    print("usage: python -m tools.sphinx_site share-static SITE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
