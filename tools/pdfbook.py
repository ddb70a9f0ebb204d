"""A PDF of each edition, printed by headless Chromium from the built website.

Route: the articles of the pages ``make book`` has just built are joined into one document,
which headless Chromium opens once and prints (``page.pdf``: A4, page numbers in the footer,
a PDF outline of the headings, tagged). So the maths is KaTeX's, the figures and numbers are
the website's, and each widget is drawn from its saved state by the site's own
``widget_setup.js``, as a reader sees it before touching it. No second Sphinx build
(``singlehtml`` would rebuild each edition, doubling ``make book``), no TeX installation
(xelatex with CJK fonts is hundreds of megabytes of Debian packages), and nothing
downloaded: Chromium is Debian's, driven by the Playwright the tests already use.

What changes for print, and why:

* "Show code cell source" bars, copy and launch buttons and header links are dropped; a
  hidden cell's source stays hidden, its output stays;
* dropdowns (hints, notes) are printed open; each solution moves to an appendix, "Solutions
  to the exercises", with a link to it in its place and a link back to its exercise;
* a code line too long for the column wraps with its indentation kept (a hanging indent
  under the line's own indentation), so no code is clipped; any block still wider than the
  column (a wide equation, a table, a widget) is scaled down to fit;
* a table of contents with page numbers (printed twice: the first printing gives the pages,
  read back from its outline with pypdf), and links between pages become links inside the
  PDF; other links point to the website.

``python -m tools.pdfbook`` prints both editions into each site's ``downloads/`` folder
(``tools/editions.py`` names the files); ``make book`` runs it. Chromium: ``$CHROMIUM``, else
``/usr/bin/chromium`` or ``chromium`` on the PATH (``make system-deps`` installs Debian's).
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import io
import json
import os
import posixpath
import re
import shutil
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import yaml

from tools.editions import EDITIONS, ROOT, TEXT_LICENCE, Edition, chapters, site_url, toc, tr

A4_TEXT_WIDTH_MM = 210 - 2 * 16  # the printable width: A4 less the side margins
CJK_FONT = "WenQuanYi Micro Hei"  # Debian's fonts-wqy-microhei (see PRINT_CSS)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--font-render-hinting=none",
]


def chromium() -> str:
    for candidate in (
        os.environ.get("CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    raise SystemExit(
        "Chromium is missing: `make system-deps` installs Debian's chromium "
        "(or set CHROMIUM to a Chrome or Chromium binary)"
    )


def pages(edition: Edition, root: Path = ROOT) -> list[str]:
    """The edition's pages in reading order (its ``_toc.yml``), as paths of its site."""
    book = root / edition.source
    return [
        p.relative_to(book).with_suffix(".html").as_posix()
        for p in [toc(book).landing] + chapters(book)
    ]


# --- the document ---------------------------------------------------------------------------

ATTRIBUTE = re.compile(r'(\s(?:src|href)=")([^"#][^"]*|#[^"]*)(")')


def _absolute(page: str, site_root: str, html_text: str) -> str:
    """``src`` and ``href`` of a page's HTML as paths from the server's root (in-page
    anchors become links to this page), so they still point right once the page is joined
    to the others."""

    def fix(match):
        url = match.group(2)
        if re.match(r"[a-z][a-z0-9+.-]*:", url, re.I) or url.startswith("//"):
            return match.group(0)
        path, _, fragment = url.partition("#")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
        return (
            f"{match.group(1)}{site_root}{target}{'#' + fragment if fragment else ''}"
            f"{match.group(3)}"
        )

    return ATTRIBUTE.sub(fix, html_text)


def read_page(site: Path, page: str, site_root: str) -> dict:
    """A built page's article, stylesheets and saved widget state."""
    text = (site / page).read_text(encoding="utf-8")
    start = text.index('<article class="bd-article">')
    article = text[start : text.index("</article>", start) + len("</article>")]
    head = text[: text.index("</head>")]
    links = [tag for tag in re.findall(r"<link\b[^>]*>", head) if 'rel="stylesheet"' in tag]
    sheets = [
        posixpath.normpath(posixpath.join(site_root + posixpath.dirname(page), href))
        for tag in links
        for href in re.findall(r'href="([^"]+)"', tag)
    ]
    state = re.search(
        r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)'
        r"</script>",
        text,
        re.S,
    )
    saved = json.loads(state.group(1)) if state else {}
    # The state's big values are files beside the site (tools/sphinx_site.py), named
    # relative to the page: from the server's root they stay right in the joined document.
    here = site_root + posixpath.dirname(page)
    files = {
        model: [[path, posixpath.normpath(posixpath.join(here, url))] for path, url in moved]
        for model, moved in saved.get("birnn_files", {}).items()
    }
    scripts = [
        posixpath.normpath(posixpath.join(here, src))
        for src in re.findall(r'<script\b[^>]*\ssrc="([^"]*widget_setup\.js[^"]*)"', text)
    ]
    return {
        "html": _absolute(page, site_root, article),
        "sheets": sheets,
        "state": saved.get("state", {}),
        "files": files,
        "scripts": scripts,
    }


# Run in the joined document, laid out at the printed width, once its widgets are drawn.
PREPARE = r"""(words) => {
  // Each page's article: anchors prefixed with its number; links to another page of the
  // book become links inside the PDF, other links of the site point to the website.
  const pageUrls = words.pages;
  document.querySelectorAll(".birnn-page").forEach((section, index) => {
    const prefix = `p${index}-`;
    section.querySelectorAll("[id]").forEach((e) => { e.id = prefix + e.id; });
    section.querySelectorAll("a[href]").forEach((a) => {
      const url = new URL(a.getAttribute("href"), location.href);
      const page = url.origin === location.origin ? pageUrls.indexOf(url.pathname) : -1;
      if (page >= 0) {
        const hash = decodeURIComponent(url.hash.slice(1));
        a.setAttribute("href", "#" + (hash ? `p${page}-${hash}` : `p${page}`));
      } else if (url.origin === location.origin) {
        a.setAttribute("href", words.site + url.pathname.slice(words.root.length) + url.hash);
      }
    });
  });
  // What a printed page has no use for: hidden cells' sources ("Show code cell source"),
  // buttons, header links; dropdowns (hints, notes) print open.
  document.querySelectorAll([
    ".birnn-book script", "details.above-input", ".headerlink", "button.copybtn",
    ".thebe-launch-button", "button.toggle-button", ".prev-next-area",
  ].join(",")).forEach((e) => e.remove());
  document.querySelectorAll("details").forEach((d) => d.setAttribute("open", ""));

  // The contents: each page's title and sections, filled with page numbers later.
  const toc = document.querySelector(".birnn-toc");
  let list = null;
  document.querySelectorAll(".birnn-page h1, .birnn-page h2").forEach((h) => {
    const section = h.closest("section[id]") || h.closest(".birnn-page");
    const item = document.createElement("li");
    item.className = `birnn-toc-${h.tagName.toLowerCase()}`;
    const link = document.createElement("a");
    link.href = "#" + section.id;
    const title = document.createElement("span");
    title.className = "birnn-toc-title";
    title.textContent = h.textContent.trim();
    const number = document.createElement("span");
    number.className = "birnn-toc-page";
    number.dataset.target = section.id;
    link.append(title, number);
    item.append(link);
    if (!list) { list = document.createElement("ol"); toc.append(list); }
    list.append(item);
  });

  // Solutions go to the appendix, each replaced by a link to it.
  const appendix = document.querySelector(".birnn-appendix");
  document.querySelectorAll(".birnn-book .solution").forEach((solution, i) => {
    const id = solution.id || `birnn-solution-${i}`;
    solution.id = id;
    const note = document.createElement("p");
    note.className = "birnn-solution-link";
    const link = document.createElement("a");
    link.href = "#" + id;
    link.textContent = words.solutionLink;
    note.append(link);
    solution.before(note);
    appendix.append(solution);
  });
  if (!appendix.querySelector(".solution")) appendix.remove();

  // Code lines wrap under their own indentation (a hanging indent), never to column 0.
  document.querySelectorAll("pre").forEach((pre) => {
    const segments = [];
    const walk = (node, cls) => node.childNodes.forEach((child) => {
      if (child.nodeType === Node.TEXT_NODE) segments.push([child.textContent, cls]);
      else if (child.nodeType === Node.ELEMENT_NODE) walk(child, child.className || cls);
    });
    walk(pre, "");
    const lines = [[]];
    segments.forEach(([text, cls]) => text.split("\n").forEach((part, k) => {
      if (k > 0) lines.push([]);
      if (part) lines[lines.length - 1].push([part, cls]);
    }));
    if (lines.length > 1 && lines[lines.length - 1].length === 0) lines.pop();
    pre.replaceChildren(...lines.map((parts) => {
      const line = document.createElement("span");
      line.className = "birnn-line";
      const text = parts.map(([t]) => t).join("");
      const indent = text.length - text.trimStart().length;
      line.style.setProperty("--indent", Math.min(indent, 40));
      parts.forEach(([t, cls]) => {
        const span = document.createElement("span");
        if (cls) span.className = cls;
        span.textContent = t;
        line.append(span);
      });
      if (!text) line.append(document.createTextNode("\u200b"));
      return line;
    }));
  });

  // Chinese text in a face the PDF embeds as TrueType (see PRINT_CSS). The text's fonts
  // come from the theme's variables, set there; the widgets name their own, so each of
  // their font lists gets the face (and DejaVu Sans for symbols it lacks) before its first
  // generic family, which would pick Noto CJK.
  if (words.cjkFont) {
    const generic = new RegExp("^(serif|sans-serif|monospace|cursive|fantasy|system-ui|" +
                               "ui-[a-z-]+|-apple-system|BlinkMacSystemFont)$", "i");
    document.querySelectorAll(".birnn-widget, .birnn-widget *, .birnn-static, .birnn-static *")
      .forEach((el) => {
        const family = getComputedStyle(el).fontFamily;
        if (family.includes(words.cjkFont)) return;
        const names = family.split(",").map((f) => f.trim());
        const at = names.findIndex((f) => generic.test(f.replace(/["']/g, "")));
        const face = /mono/i.test(family) ? words.cjkMono : words.cjkFont;
        names.splice(at < 0 ? names.length : at, 0, `"${face}"`, '"DejaVu Sans"');
        el.style.fontFamily = names.join(", ");
      });
  }

  // Anything still wider than the column is scaled to fit it.
  const width = document.querySelector(".birnn-book").clientWidth;
  const blocks = document.querySelectorAll(
    ".birnn-book .katex-display, .birnn-book table, .birnn-book .birnn-widget, " +
    ".birnn-book .output, .birnn-book figure, .birnn-book img, .birnn-book .cell_output > *");
  let scaled = 0;
  blocks.forEach((block) => {
    const wide = Math.max(block.scrollWidth, block.getBoundingClientRect().width);
    const room = block.parentElement.getBoundingClientRect().right
      - block.getBoundingClientRect().left;
    const limit = Math.min(width, room);
    if (wide > limit + 1) {
      block.style.zoom = (limit / wide).toFixed(4);
      scaled += 1;
    }
  });
  return [...toc.querySelectorAll("li")].map((li) => ({
    level: li.className === "birnn-toc-h1" ? 1 : 2,
    text: li.textContent, target: li.querySelector("a").getAttribute("href").slice(1)}));
}"""

# The first printing draws only the headings (the same layout, far less to draw).
LAYOUT_ONLY = r"""(on) => {
  const style = document.getElementById("birnn-layout-only");
  if (!on) { if (style) style.remove(); return; }
  const headings = ["h1", "h2", "h3", "h4", "h5", "h6"];
  const sheet = document.createElement("style");
  sheet.id = "birnn-layout-only";
  sheet.textContent = "body * { visibility: hidden !important; } " +
    headings.map((h) => `${h}, ${h} *`).join(", ") + " { visibility: visible !important; }";
  document.head.append(sheet);
}"""

# Run before the second printing: the page number of each entry of the contents.
NUMBER_CONTENTS = r"""(pages) => {
  document.querySelectorAll(".birnn-toc-page").forEach((span) => {
    span.textContent = pages[span.dataset.target] || "";
  });
}"""

# Until every saved widget view has been drawn by the site's widget_setup.js.
WIDGETS_DRAWN = """() => [...document
    .querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
    .every(tag => { const view = tag.nextElementSibling;
        return view && view.classList.contains('birnn-widget') && view.childElementCount > 0; })
    && !document.querySelector('[data-state="busy"]')"""

PRINT_CSS = f"""
@page {{ size: A4; margin: 18mm 16mm 20mm 16mm; }}
html, body {{ background: white !important; }}
/* Shadows and filters would be printed as page-wide pictures (slow, and megabytes). */
*, *::before, *::after {{ box-shadow: none !important; text-shadow: none !important;
  filter: none !important; backdrop-filter: none !important; }}
body.birnn-print {{ width: {A4_TEXT_WIDTH_MM}mm; margin: 0; padding: 0; font-size: 10.5pt;
  line-height: 1.45; color: #111; }}
.birnn-print .birnn-book, .birnn-print .bd-article {{ max-width: none; padding: 0;
  overflow: visible; }}
.birnn-cover {{ height: 240mm; display: flex; flex-direction: column; justify-content: center;
  break-after: page; }}
.birnn-cover .birnn-cover-title {{ font-size: 26pt; line-height: 1.2; margin: 0 0 8mm;
  font-weight: 600; }}
.birnn-cover p {{ margin: 1.5mm 0; }}
.birnn-toc {{ break-after: page; }}
.birnn-toc ol {{ list-style: none; padding-left: 0; margin: 0; }}
.birnn-toc .birnn-toc-h2 {{ padding-left: 7mm; }}
.birnn-toc .birnn-toc-h1 {{ margin-top: 2.5mm; font-weight: 600; }}
.birnn-toc li {{ margin: 1mm 0; }}
.birnn-toc a {{ display: flex; color: inherit; text-decoration: none; }}
.birnn-toc .birnn-toc-title {{ flex: 1 1 auto; }}
.birnn-toc .birnn-toc-page {{ flex: 0 0 12mm; text-align: right; }}
.birnn-page {{ break-before: page; }}
.birnn-page:first-child {{ break-before: auto; }}
.birnn-appendix {{ break-before: page; }}
h1, h2, h3, h4 {{ break-after: avoid; }}
.admonition, .cell, figure, .math, .katex-display, table {{ break-inside: avoid; }}
.cell_output, .cell {{ break-inside: auto; }}
pre {{ white-space: pre-wrap !important; overflow: visible !important; font-size: 8pt;
  line-height: 1.35; max-height: none !important; }}
pre .birnn-line {{ display: block; padding-left: calc((var(--indent) + 2) * 1ch);
  text-indent: calc(-1 * (var(--indent) + 2) * 1ch); overflow-wrap: anywhere; }}
.katex-display, .math {{ overflow: visible !important; }}
.cell_output .output {{ overflow: visible !important; max-height: none !important; }}
img {{ max-width: 100%; height: auto; }}
a {{ color: #1a4f8b; }}
/* Chinese text in WenQuanYi Micro Hei (Debian's fonts-wqy-microhei): TrueType outlines, which
   Chromium embeds as a CID TrueType font. Noto CJK, the website's Chinese face, has CFF
   outlines, which Chromium's PDF writer can only embed as unnamed Type 3 glyph drawings. The
   generic sans-serif would pick Noto CJK for Chinese text, so the faces are named first.
   (Bold Chinese is Chromium's synthetic bold, which its PDF writer draws as Type 3 glyphs
   of the same face: no CJK TrueType font with a bold weight is packaged in Debian.) */
html:lang(zh) {{
  --pst-font-family-base: "Liberation Sans", "WenQuanYi Micro Hei", "DejaVu Sans", sans-serif;
  --pst-font-family-heading: "Liberation Sans", "WenQuanYi Micro Hei", "DejaVu Sans",
    sans-serif;
  --pst-font-family-monospace: "Liberation Mono", "DejaVu Sans Mono", "WenQuanYi Micro Hei Mono",
    monospace; }}
.birnn-solution-link {{ font-style: italic; }}
"""


# --- the document ----------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    documents: dict[str, bytes] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = self.documents.get(urlparse(self.path).path)
        if body is None:
            return super().do_GET()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _document(
    edition: Edition,
    title: str,
    author: str,
    chapters: list[dict],
    site: str,
    repository: str,
    site_root: str,
) -> str:
    """The edition's pages joined into one document, with a cover, an (empty) contents
    and an (empty) appendix that PREPARE fills."""
    lang = edition.lang
    sheets = list(dict.fromkeys(s for c in chapters for s in c["sheets"]))
    links = "\n".join(f'<link rel="stylesheet" href="{html.escape(s)}">' for s in sheets)
    state = {k: v for c in chapters for k, v in c["state"].items()}
    files = {k: v for c in chapters for k, v in c["files"].items()}
    scripts = [src for c in chapters for src in c["scripts"]]
    widgets = ""
    if state:  # one saved state for every page's widgets, drawn by the site's own script
        data = json.dumps(
            {"version_major": 2, "version_minor": 0, "state": state, "birnn_files": files}
        )
        data = data.replace("</", "<\\/")  # no "</script>" inside the script
        widgets = (
            f'<script type="application/vnd.jupyter.widget-state+json">{data}</script>\n'
            f'<script src="{html.escape(scripts[0])}"></script>'
        )
    body = "\n".join(
        f'<section class="birnn-page" id="p{i}">{c["html"]}</section>'
        for i, c in enumerate(chapters)
    )
    licence = tr(
        "The text is licensed under {text_licence}, the code under {code_licence}. {cite}.",
        lang,
        text_licence=TEXT_LICENCE[0],
        code_licence=tr("the MIT licence", lang),
        cite=tr("How to cite this chapter", lang) + f": {repository}/blob/main/CITATION.cff",
    )
    return f"""<!DOCTYPE html>
<html lang="{edition.locale.replace("_", "-")}" data-theme="light" data-mode="light">
<head><meta charset="utf-8"><title>{html.escape(title)}</title>
{links}
<style>{PRINT_CSS}</style></head>
<body class="birnn-print">
<section class="birnn-cover">
<p class="birnn-cover-title">{html.escape(title)}</p>
<p>{html.escape(author)}</p>
<p>{html.escape(tr("Edition: {edition}", lang, edition=edition.label))}</p>
<p>{html.escape(tr("Read it online, run it and report errors: {url}", lang, url=site))}</p>
<p>{html.escape(licence)}</p>
</section>
<nav class="birnn-toc"><h2>{html.escape(tr("Contents", lang))}</h2></nav>
<div class="birnn-book bd-article">{body}</div>
<section class="birnn-appendix birnn-book"><h1 id="birnn-solutions">{
        html.escape(tr("Appendix: solutions to the exercises", lang))
    }</h1></section>
{widgets}
</body></html>"""


def _outline_pages(pdf: bytes) -> list[tuple[str, int]]:
    """(title, page number) of every outline entry, in order."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append(
                    (" ".join(item.title.split()), reader.get_destination_page_number(item) + 1)
                )

    walk(reader.outline)
    return found


def _page_numbers(entries: list[dict], outline: list[tuple[str, int]]) -> dict[str, int]:
    """The page of each contents entry: its heading, found in order in the outline (whose
    titles are the headings as printed, their line breaks lost)."""
    titles = ["".join(title.split()) for title, _ in outline]
    numbers, k = {}, 0
    for entry in entries:
        wanted = "".join(entry["text"].split())
        found = next((j for j in range(k, len(titles)) if titles[j] == wanted), None)
        if found is not None:
            numbers[entry["target"]], k = outline[found][1], found + 1
    return numbers


def build(edition: Edition, browser, base: str, root: Path = ROOT, out: Path | None = None) -> Path:
    """Print one edition into ``out`` (a folder laid out as the site; by default the built
    site itself); returns the PDF's path."""
    config = yaml.safe_load((root / edition.source / "_config.yml").read_text())
    repository = config["repository"]["url"].rstrip("/")
    title = config["title"]
    site_root = "/" + ("" if edition.lang == "en" else f"{edition.locale}/")
    site = site_url(repository) + site_root.lstrip("/")
    paths = pages(edition, root)
    chapters = [read_page(root / edition.html, path, site_root) for path in paths]
    document = _document(
        edition, title, config.get("author", ""), chapters, site, repository, site_root
    )
    key = f"{site_root}__birnn_print__.html"
    _Handler.documents[key] = document.encode("utf-8")
    context = browser.new_context(
        viewport={"width": int(A4_TEXT_WIDTH_MM / 25.4 * 96) + 40, "height": 1400}
    )
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((base, "data:", "blob:"))
            else route.abort()
        ),
    )
    try:
        tab = context.new_page()
        tab.emulate_media(media="print")
        tab.goto(base + key, wait_until="load")
        tab.wait_for_function(WIDGETS_DRAWN, timeout=60_000)
        tab.evaluate("document.fonts.ready.then(() => true)")
        entries = tab.evaluate(
            PREPARE,
            {
                "pages": [site_root + p for p in paths],
                "site": site,
                "root": site_root,
                "solutionLink": tr("Solution: in the appendix", edition.lang),
                "cjkFont": CJK_FONT if edition.lang == "zh" else None,
                "cjkMono": CJK_FONT + " Mono",
            },
        )
        tab.evaluate("document.fonts.ready.then(() => true)")
        margin = (
            "font-family:'Liberation Sans','WenQuanYi Micro Hei',sans-serif;width:100%;color:#666;"
        )
        options = dict(
            format="A4",
            print_background=True,
            display_header_footer=True,
            header_template=(
                f'<div style="{margin}font-size:7pt;text-align:right;'
                f'padding-right:18mm">{html.escape(title)}</div>'
            ),
            footer_template=(
                f'<div style="{margin}font-size:8pt;text-align:center">'
                '<span class="pageNumber"></span> / '
                '<span class="totalPages"></span></div>'
            ),
            margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"},
            outline=True,
            tagged=True,
            prefer_css_page_size=True,
        )
        # A first printing tells each heading's page (from its outline, which Chromium makes
        # from the structure tree of a tagged PDF); the contents reserve the numbers' room, so
        # the second printing lays out the same pages. The first only has to place the
        # headings: everything else is laid out but not drawn (hidden, no backgrounds), a
        # third of the time of a real printing.
        tab.evaluate(LAYOUT_ONLY, True)
        first = tab.pdf(**dict(options, print_background=False))
        tab.evaluate(LAYOUT_ONLY, False)
        tab.evaluate(NUMBER_CONTENTS, _page_numbers(entries, _outline_pages(first)))
        pdf = tab.pdf(**options)
    finally:
        context.close()
        _Handler.documents.pop(key, None)
    site_folder = (
        root / edition.html if out is None else out / edition.html.relative_to(EDITIONS["en"].html)
    )
    path = site_folder / edition.pdf
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--edition",
        choices=sorted(EDITIONS),
        action="append",
        help="print only this edition (repeatable); default both",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="write into this folder, laid out as the site (default: the built site, _build/html)",
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    site = ROOT / "_build" / "html"
    if not (site / "index.html").exists():
        raise SystemExit("no built site in _build/html: run `make book`")
    handler = functools.partial(_Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
            try:
                for name in args.edition or list(EDITIONS):
                    start = time.perf_counter()
                    out = build(EDITIONS[name], browser, base, out=args.out)
                    print(
                        f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, "
                        f"{time.perf_counter() - start:.1f} s)"
                    )
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
