"""The two editions and what each offers to take away: names shared by the site's links
(``tools/sphinx_clients.py``), the PDF (``tools/pdfbook.py``), the runnable archive
(``tools/archive.py``) and the plain-Jupyter notebooks (``tools/plainnb.py``).

Importable as ``tools.editions`` (the make targets) and as ``editions`` (Sphinx's local
extensions put ``tools/`` on the path).
"""
from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PLAIN = Path("plain")               # the plain-Jupyter notebooks (Colab, VS Code, GitHub)
NAME = "bidirectional-rnn"
TEXT_LICENCE = ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/")


def site_url(repository: str) -> str:
    """The address GitHub Pages serves the book at (``.github/workflows/pages.yml``), from
    ``repository.url`` in ``_config.yml``."""
    owner, name = repository.rstrip("/").split("/")[-2:]
    return f"https://{owner.lower()}.github.io/{name}/"


@dataclass(frozen=True)
class Edition:
    lang: str          # book.i18n's name: "en", "zh"
    locale: str        # Sphinx's language / the folder of the Chinese book
    source: Path       # the book's folder, relative to the repository root
    html: Path         # where `make book` puts its site, relative to the root

    @property
    def label(self) -> str:
        """The edition's name in its own language: the catalog's word for "English" names
        each language in itself, as the site's language switch does."""
        return tr("English", self.lang)

    @property
    def downloads(self) -> Path:
        """The folder of the PDF and the archive, relative to the edition's site."""
        return Path("downloads")

    @property
    def pdf(self) -> Path:
        return self.downloads / f"{NAME}-{self.locale}.pdf"

    @property
    def archive(self) -> Path:
        return self.downloads / f"{NAME}-{self.locale}.zip"


EDITIONS = {
    "en": Edition("en", "en", Path("."), Path("_build/html")),
    "zh": Edition("zh", "zh_CN", Path("zh_CN"), Path("_build/html/zh_CN")),
}


def for_language(language: str | None) -> Edition:
    """The edition of a Sphinx ``language`` (``None``/``"en"`` English, ``"zh_CN"`` Chinese)."""
    return EDITIONS["zh" if (language or "en").lower().startswith("zh") else "en"]


def chapters(book: Path) -> list[Path]:
    """The notebooks of the book in folder ``book``, in its ``_toc.yml`` order (what
    ``tools.nbrefs.chapters`` gives, without importing nbformat)."""
    toc = yaml.safe_load((book / "_toc.yml").read_text())
    files = [entry["file"] for part in toc.get("parts", [toc])
             for entry in part.get("chapters", [])]
    return [book / f"{f}.ipynb" for f in files if (book / f"{f}.ipynb").exists()]


@functools.cache
def _i18n():
    """book/i18n.py loaded from its file (as tools/sphinx_site.py does): importing the
    `book` package would first import PyTorch (book/__init__.py), over a second in every tool
    and Sphinx build that only needs words."""
    try:
        package = importlib.util.find_spec("book")           # found, not imported
        spec = importlib.util.spec_from_file_location(
            "_birnn_tools_i18n", Path(package.origin).with_name("i18n.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    except (ImportError, OSError, AttributeError):    # not a module that stands alone
        from book import i18n
        return i18n


def tr(msgid: str, lang: str | None = None, /, **fields) -> str:
    """``book.i18n.tr``: ``msgid`` (English) in ``lang``, formatted with ``fields``."""
    return _i18n().tr(msgid, lang, **fields)
