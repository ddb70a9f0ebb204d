"""Site fixes that configuration cannot make; everything else is in ``_config.yml``,
``_static/`` (styles, scripts), ``assets/root/`` (favicon) and ``make vendor``."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from book.i18n import N_, normalise, tr, view_msgids, words

# Files the pages load from the site's /vendor folder, copied there by `make vendor`.
VENDORED = ("vendor/katex/katex.min.css", "vendor/widget_setup.js")


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
                "run `make vendor` (npm-installed front-end assets) before building")


def _dedupe_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    # sphinx-thebe 0.3.1 adds its settings as an inline `const` script in
    # env-before-read-docs, after the builder exists, so Sphinx 7.4 lists it twice and every
    # page throws "Identifier 'THEBE_JS_URL' has already been declared". Keep the first.
    scripts = context.get("script_files") or []
    seen, unique = set(), []
    for js in scripts:  # the same inline script may come with filename None and with ""
        key = (str(getattr(js, "filename", js) or ""),
               tuple(sorted((getattr(js, "attributes", {}) or {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


SITE_JS = Path(__file__).resolve().parent.parent / "_static" / "site.js"
# Translators: the language switch on every page names the other edition in that
# edition's language: translate "English" as the name of your language, in it.
SWITCH = (N_("English"), N_("Read this page in English"))


def site_words(language: str | None) -> dict:
    """The words _static/site.js shows on a page in ``language``, from the book's catalog:
    ``{"words": {message id: word}, "switch": {"text", "title", "lang"}}``, the switch's in
    the other edition's language."""
    lang = normalise(language) or "en"
    other = "en" if lang == "zh" else "zh"
    return {"words": words(view_msgids(SITE_JS), lang),
            "switch": {"text": tr(SWITCH[0], other), "title": tr(SWITCH[1], other),
                       "lang": "zh-CN" if other == "zh" else "en"}}


def _add_site_words(app: Sphinx) -> None:
    # One edition is one build, so one table serves every page; it loads before site.js.
    if app.builder.format == "html":
        table = json.dumps(site_words(app.config.language), ensure_ascii=False)
        app.add_js_file(None, body=f"const BIRNN_WORDS = {table};", priority=400)


def _issue_title_names_the_edition(app: Sphinx, pagename, templatename, context,
                                   doctree) -> None:
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
    static = Path(app.outdir, "_static")
    # pydata-sphinx-theme's template loads scripts/fontawesome.js on every page (1.4 MB,
    # "so that users can add custom icons", static/webpack-macros.html) with no option to
    # leave it out; its stylesheet already draws every icon from the web font. Serve an
    # empty script instead, and no source maps (the theme ships them; pages never load them).
    (static / "scripts" / "fontawesome.js").write_text("/* icons come from the theme's CSS */\n")
    for source_map in static.rglob("*.map"):
        source_map.unlink()


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", _trim_site)
    app.connect("builder-inited", _check_vendored)
    app.connect("builder-inited", _add_site_words)
    app.connect("html-page-context", _issue_title_names_the_edition, priority=900)
    # Late priority: run after every extension has added its scripts.
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
