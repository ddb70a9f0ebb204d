"""What the website says about the chapter's other clients: each an adjustment at build time.

* **Citations.** The notebooks cite in a form JupyterLab resolves: links to the notebook's
  own reference list (``tools/nbrefs.py``). Before Sphinx parses a page, those links become
  the sphinxcontrib-bibtex roles they were written as (``nbrefs.citations_to_roles``), so the
  website's citations and bibliographies are sphinxcontrib-bibtex's own.
* **Colab opens the plain-Jupyter notebook.** sphinx-book-theme builds the Colab button from
  the page's source path (``.../blob/<branch>/chapters/x.ipynb``); Colab renders no MyST, so
  the button opens the same notebook in its plain flavour, ``plain/<that path>``
  (``tools/plainnb.py``), and comes first in the launch menu: it is the service that
  usually starts. A missing plain notebook is a build warning (a failed strict build).
* **Header links.** The download menu offers the edition's PDF and its runnable archive
  (``tools/editions.py`` names them; ``make book`` makes them) instead of printing one page,
  and the repository menu's issue button reports an error on this page: a new issue with the
  page's address and edition filled in, its URL built from ``repository.url``.
* **Footer.** The licences of the text (CC BY-SA 4.0) and the code (MIT) and how to cite.
* **Launch failures.** Live Code starts a kernel on Binder; when Binder fails or has not
  started after a few minutes, the reader is told so in plain words (``static/launch.js``).

Every word added to a page comes from ``book.i18n.tr`` in the edition's language.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import quote, urlencode

from editions import PLAIN, ROOT, TEXT_LICENCE, for_language, site_url, tr
from nbrefs import citations_to_roles
from sphinx.application import Sphinx
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
# Live Code: how long Binder may take before the reader hears that it may be busy.
SLOW_START_S = 240


def _lang(app: Sphinx) -> str:
    return for_language(app.config.language).lang


def _repository(app: Sphinx) -> tuple[str, str]:
    options = app.config.html_theme_options
    return options["repository_url"].rstrip("/"), options.get("repository_branch") or "main"


# --- citations ----------------------------------------------------------------------------


def _citations(app: Sphinx, docname: str, source: list[str]) -> None:
    path = str(app.env.doc2path(docname))
    if not path.endswith(".ipynb"):
        source[0] = citations_to_roles(source[0])
        return
    nb = json.loads(source[0])
    changed = False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        roles = citations_to_roles(text)
        if roles != text:
            cell["source"], changed = roles, True
    if changed:
        source[0] = json.dumps(nb)


# --- header and footer ----------------------------------------------------------------------


def colab_plain(url: str) -> str:
    """A Colab URL of a notebook of this repository, pointed at its plain flavour."""
    new, count = re.subn(
        r"(/github/[^/]+/[^/]+/blob/[^/]+/)", rf"\g<1>{PLAIN.as_posix()}/", url, count=1
    )
    if not count:
        raise ValueError(f"not a Colab URL of a GitHub notebook: {url}")
    return new


def report_url(
    repository: str, page_url: str, edition_label: str, locale: str, title: str, lang: str
) -> str:
    """A new GitHub issue about one page, its address and edition filled in."""
    body = tr(
        "Page: {url}\nEdition: {edition} ({locale})\n\nWhat is wrong, and what should it say?\n",
        lang,
        url=page_url,
        edition=edition_label,
        locale=locale,
    )
    query = urlencode(
        {"title": tr("Error on the page “{title}”", lang, title=title), "body": body},
        quote_via=quote,
    )
    return f"{repository}/issues/new?{query}"


def _walk(buttons):
    for button in buttons:
        yield button
        yield from _walk(button.get("buttons", []))


def _header(app: Sphinx, pagename, templatename, context, doctree) -> None:
    buttons = context.get("header_buttons")
    if not buttons:
        return
    edition = for_language(app.config.language)
    lang = edition.lang
    repository, _ = _repository(app)
    pathto = context["pathto"]
    for button in list(_walk(buttons)):
        label = button.get("label")
        if label == "launch-buttons":
            for item in button["buttons"]:
                if item.get("text") == "Colab":
                    item["url"] = colab_plain(item["url"])
                    target = ROOT / item["url"].split("/blob/", 1)[1].split("/", 1)[1]
                    if not target.exists():
                        LOGGER.warning(
                            f"{pagename}: Colab opens {target.relative_to(ROOT)}, "
                            "which is missing: run `make export`"
                        )
                    item["tooltip"] = tr("Open this notebook in Colab", lang)
            button["buttons"].sort(key=lambda item: item.get("text") != "Colab")
        elif label == "source-issues-button":
            address = (
                site_url(repository)
                + ("" if edition.lang == "en" else f"{edition.locale}/")
                + f"{pagename}.html"
            )
            title = re.sub(r"<[^>]+>", "", context.get("title") or pagename)
            button["url"] = report_url(
                repository, address, edition.label, edition.locale, html.unescape(title), lang
            )
            button["text"] = tr("Report an error on this page", lang)
            button["tooltip"] = tr("Opens a new GitHub issue about this page", lang)
        elif label == "download-buttons":
            items = [b for b in button["buttons"] if b.get("label") != "download-pdf-button"]
            items += [
                {
                    "type": "link",
                    "url": pathto(edition.pdf.as_posix(), 1),
                    "text": tr("Book (PDF)", lang),
                    "icon": "fas fa-file-pdf",
                    "tooltip": tr("The whole book as one PDF", lang),
                    "label": "download-book-pdf-button",
                },
                {
                    "type": "link",
                    "url": pathto(edition.archive.as_posix(), 1),
                    "text": tr("Chapter to run (.zip)", lang),
                    "icon": "fas fa-file-zipper",
                    "tooltip": tr(
                        "The notebooks, their code and data, to run on your computer", lang
                    ),
                    "label": "download-archive-button",
                },
            ]
            button["buttons"] = items


def footer(repository: str, branch: str, lang: str) -> str:
    """The footer's licence and citation line, as HTML."""

    def link(url, text):
        return f'<a href="{html.escape(url)}">{html.escape(text)}</a>'

    blob = f"{repository}/blob/{branch}"
    text = tr(
        "The text is licensed under {text_licence}, the code under {code_licence}. {cite}.",
        lang,
        text_licence=link(TEXT_LICENCE[1], TEXT_LICENCE[0]),
        code_licence=link(f"{blob}/LICENSE", tr("the MIT licence", lang)),
        cite=link(f"{blob}/CITATION.cff", tr("How to cite this chapter", lang)),
    )
    return f'<p class="birnn-licence">{text}</p>'


def _config(app: Sphinx, config) -> None:
    options = config.html_theme_options
    repository = options["repository_url"].rstrip("/")
    branch = options.get("repository_branch") or "main"
    options["extra_footer"] = footer(repository, branch, for_language(config.language).lang)
    config.html_static_path.append(str(STATIC))


def _launch_words(app: Sphinx) -> None:
    lang = _lang(app)
    minutes = SLOW_START_S // 60
    words = {
        "failed": tr(
            "Live Code could not start: Binder, the free service that runs the code, "
            "is unavailable or busy. Try again later, or open this page in Colab from "
            "the launch menu.",
            lang,
        ),
        "slow": tr(
            "Binder has not started the code after {minutes} minutes; it may be busy. "
            "Keep waiting, or open this page in Colab from the launch menu.",
            lang,
            minutes=minutes,
        ),
        "slowAfterMs": SLOW_START_S * 1000,
    }
    words = json.dumps(words, ensure_ascii=False)
    app.add_js_file(None, body=f"const BIRNN_LAUNCH_TEXT = {words};")
    app.add_js_file("birnn-launch.js")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _config)
    app.connect("builder-inited", _launch_words)
    app.connect("source-read", _citations)
    # After sphinx-book-theme's header buttons (priority 501).
    app.connect("html-page-context", _header, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
