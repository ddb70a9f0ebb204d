"""The book's structure, in one place: its two editions (the folder each lives in), the
pages of each in table-of-contents order and which part is optional (``toc``, ``pages``,
``chapters``), and what each edition offers to take away. Every tool and test that needs
the reading order, the optional part or the Chinese edition's folder asks here: the
exports (``tools/nbrefs.py``, ``tools/translate.py``, ``tools/plainnb.py``), the counts
(``tools/wordcount.py``), the site's links (``tools/sphinx_clients.py``), the PDF
(``tools/pdfbook.py``) and the runnable archive (``tools/archive.py``).

Importable as ``tools.editions`` (the make targets) and as ``editions`` (Sphinx's local
extensions put ``tools/`` on the path).
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PLAIN = Path("plain")  # the plain-Jupyter notebooks (Colab, VS Code, GitHub)
NAME = "bidirectional-rnn"
TEXT_LICENCE = ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/")
# The English table of contents' parts from the one whose caption starts so are optional
# (the Chinese one, generated from it, has the same parts in the same order).
OPTIONAL_CAPTION = "Going further"


def site_url(repository: str) -> str:
    """The address GitHub Pages serves the book at (``.github/workflows/pages.yml``), from
    ``repository.url`` in ``_config.yml``."""
    owner, name = repository.rstrip("/").split("/")[-2:]
    return f"https://{owner.lower()}.github.io/{name}/"


@dataclass(frozen=True)
class Edition:
    lang: str  # book.i18n's name: "en", "zh"
    locale: str  # Sphinx's language / the folder of the Chinese book
    source: Path  # the book's folder, relative to the repository root
    html: Path  # where `make book` puts its site, relative to the root

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


@dataclass(frozen=True)
class Part:
    caption: str  # in the edition's language
    optional: bool  # off the core reading path ("Going further")
    pages: tuple[Path, ...] = field(default=())  # the part's pages that exist, in order


@dataclass(frozen=True)
class Toc:
    landing: Path  # the root page (intro.md)
    parts: tuple[Part, ...]

    @property
    def pages(self) -> list[Path]:
        """Every page in reading order: the landing page, then each part's."""
        return [self.landing] + [p for part in self.parts for p in part.pages]

    @property
    def chapters(self) -> list[Path]:
        return [p for part in self.parts for p in part.pages]


def edition_of(path: Path, root: Path = ROOT) -> Edition:
    """The edition a file of the repository (or of a copy at ``root``) belongs to: the
    Chinese one under its folder (``zh_CN/``, ``plain/zh_CN/``), else the English one."""
    try:
        parts = Path(path).resolve().relative_to(root.resolve()).parts
    except ValueError:
        parts = Path(path).parts
    return next(
        (e for e in EDITIONS.values() if e.source != Path(".") and e.locale in parts),
        EDITIONS["en"],
    )


def _page(book: Path, name: str) -> Path | None:
    for suffix in (".ipynb", ".md"):
        if (book / f"{name}{suffix}").exists():
            return book / f"{name}{suffix}"
    return None


def toc(book: Path = ROOT) -> Toc:
    """The table of contents of the book in folder ``book`` (an edition's ``source`` under
    the repository root): its landing page and parts, each part's pages that exist. A part
    is optional when the English book's part in its place is (``OPTIONAL_CAPTION``)."""
    data = yaml.safe_load((book / "_toc.yml").read_text())
    english = book
    for edition in EDITIONS.values():
        if (
            edition.source != Path(".")
            and book.name == edition.source.name
            and (book.parent / "_toc.yml").exists()
        ):
            english = book.parent
    captions = [
        part.get("caption", "")
        for part in yaml.safe_load((english / "_toc.yml").read_text()).get("parts", [])
    ]
    parts = []
    for i, part in enumerate(data.get("parts", [{"chapters": data.get("chapters", [])}])):
        found = (_page(book, entry["file"]) for entry in part.get("chapters", []))
        optional = i < len(captions) and captions[i].startswith(OPTIONAL_CAPTION)
        parts.append(Part(part.get("caption", ""), optional, tuple(p for p in found if p)))
    return Toc(_page(book, data["root"]) or book / f"{data['root']}.md", tuple(parts))


def chapters(book: Path = ROOT) -> list[Path]:
    """The notebooks of the book in folder ``book``, in its ``_toc.yml`` order."""
    return [p for p in toc(book).chapters if p.suffix == ".ipynb"]


@functools.cache
def _i18n():
    """book/i18n.py (``book.i18n.tr``, the one way to a reader's word) loaded from its file:
    importing the `book` package would first import PyTorch (book/__init__.py), over a
    second in every tool and Sphinx build (per edition) that only needs words."""
    try:
        package = importlib.util.find_spec("book")  # found, not imported
        spec = importlib.util.spec_from_file_location(
            "_birnn_tools_i18n", Path(package.origin).with_name("i18n.py")
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    except (ImportError, OSError, AttributeError):  # not a module that stands alone
        from book import i18n

        return i18n


def i18n():
    """The module ``book.i18n``, loaded without importing the ``book`` package."""
    return _i18n()


def tr(msgid: str, lang: str | None = None, /, **fields) -> str:
    """``book.i18n.tr``: ``msgid`` (English) in ``lang``, formatted with ``fields``."""
    return _i18n().tr(msgid, lang, **fields)
