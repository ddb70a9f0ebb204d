"""Paths the tests share, defined once (the tests import them as ``from paths import ...``)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BOOK_HTML points the browser tests at another build (a developer's scratch build).
HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
# The Chinese edition's notebooks (tools/translate.py writes them, make execute runs them).
ZH_NOTEBOOKS = sorted((ROOT / "zh_CN" / "chapters").glob("*.ipynb"))
# shared/ lies beside the checkout (on CI too); tests that need it skip without it.
SHARED_DATA = ROOT.parent / "shared" / "data"
