"""Sphinx extension that keeps the built site self-contained and its console clean.

Loaded by ``_config.yml`` (``sphinx.local_extensions``). It

* sets the theme's colour mode: with none set, pydata-sphinx-theme logs
  "Got invalid theme mode" as a console error on every page;
* drops repeated ``<script>`` tags: sphinx-thebe registers its settings as
  ``const`` declarations, and Sphinx emits them twice, which throws
  "Identifier 'THEBE_JS_URL' has already been declared" on every page;
* adds ``sphinx_site.css`` (beside this file): phone-width fixes and wide content
  (equations, tables, outputs) scrolling inside its own box;
* writes ``favicon.ico`` at the site root: pages declare ``assets/favicon.svg``, but
  the root ``index.html`` is a bare redirect with no ``<link rel=icon>``, and for it the
  browser asks for ``/favicon.ico`` and logs the 404 as a console error;
* fails the build when the self-served front-end assets (``make vendor``) are
  missing, instead of producing pages whose maths silently stays raw.

Thebe (the "Live code" button) is loaded only when a reader clicks it, because it
needs a kernel on the Binder service anyway; reading a page fetches nothing from
outside the site (tests/test_pages.py checks that with all other hosts blocked).
Offline, the click would leave the button spinning; ``THEBE_OFFLINE_JS`` replaces the
spinner with a message saying that Live Code needs a network connection.
"""
from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

# Files the pages load from the site's /vendor folder, copied there by `make vendor`.
VENDORED = ("vendor/mathjax/tex-mml-chtml.js",)


# sphinx-thebe loads THEBE_JS_URL with a <script> tag on click and has no error path.
THEBE_OFFLINE_JS = """
document.addEventListener("error", (event) => {
  const src = event.target && event.target.src;
  if (typeof THEBE_JS_URL === "undefined" || src !== THEBE_JS_URL) return;
  document.querySelectorAll(".thebe-launch-button").forEach((button) => {
    button.textContent = "Live Code needs a network connection: it runs the code on Binder.";
  });
}, true);
"""


def _set_theme_mode(app: Sphinx, config) -> None:
    # pydata-sphinx-theme reads the mode from the template context. Figures are drawn
    # on white, so light is the readable default; readers can still switch.
    config.html_context.setdefault("default_mode", "light")


CSS = Path(__file__).with_suffix(".css")


def _add_css(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    static = Path(app.outdir, "_static")
    static.mkdir(parents=True, exist_ok=True)
    (static / CSS.name).write_text(CSS.read_text(encoding="utf-8"), encoding="utf-8")
    # After the theme's and the extensions' stylesheets, so these rules win.
    app.add_css_file(CSS.name, priority=900)


def _check_vendored(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    roots = [Path(app.confdir, p) for p in app.config.html_extra_path]
    for rel in VENDORED:
        if not any((root / rel).exists() for root in roots):
            raise ExtensionError(
                f"{rel} is missing from html_extra_path {app.config.html_extra_path}: "
                "run `make vendor` (npm-installed front-end assets) before building")


def _dedupe_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        # The same inline script may come once with filename None and once with "".
        key = (str(getattr(js, "filename", js) or ""),
               tuple(sorted((getattr(js, "attributes", {}) or {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def _write_root_icon(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from PIL import Image, ImageDraw

    # The same picture as assets/favicon.svg: a blue arrow right over a vermillion one left.
    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 9, 24, 13), fill="#0072B2")
    draw.polygon([(30, 11), (22, 5), (22, 17)], fill="#0072B2")
    draw.rectangle((8, 20, 28, 24), fill="#D55E00")
    draw.polygon([(2, 22), (10, 16), (10, 28)], fill="#D55E00")
    image.save(Path(app.outdir, "favicon.ico"), sizes=[(32, 32)])


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", _write_root_icon)
    app.connect("config-inited", _set_theme_mode)
    app.connect("builder-inited", _check_vendored)
    app.connect("builder-inited", _add_css)
    app.add_js_file(None, body=THEBE_OFFLINE_JS)
    # Late priority: run after every extension has added its scripts.
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
