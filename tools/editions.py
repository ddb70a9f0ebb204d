"""The two editions and what each offers to take away: names shared by the site's links
(``tools/sphinx_clients.py``), the PDF (``tools/pdfbook.py``), the runnable archive
(``tools/archive.py``) and the plain-Jupyter notebooks (``tools/plainnb.py``).

Importable as ``tools.editions`` (the make targets) and as ``editions`` (Sphinx's local
extensions put ``tools/`` on the path).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAIN = Path("plain")               # the plain-Jupyter notebooks (Colab, VS Code, GitHub)
NAME = "bidirectional-rnn"


@dataclass(frozen=True)
class Edition:
    lang: str          # book.i18n's name: "en", "zh"
    locale: str        # Sphinx's language / the folder of the Chinese book
    source: Path       # the book's folder, relative to the repository root
    html: Path         # where `make book` puts its site, relative to the root
    label: str         # the edition's name in its own language

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
    "en": Edition("en", "en", Path("."), Path("_build/html"), "English"),
    "zh": Edition("zh", "zh_CN", Path("zh_CN"), Path("_build/html/zh_CN"), "中文"),
}


def for_language(language: str | None) -> Edition:
    """The edition of a Sphinx ``language`` (``None``/``"en"`` English, ``"zh_CN"`` Chinese)."""
    return EDITIONS["zh" if (language or "en").lower().startswith("zh") else "en"]
