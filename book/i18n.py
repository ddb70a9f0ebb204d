"""The language a learner works in (``"en"`` or ``"zh"``), and the words they read in it.

The Chinese notebooks (``zh_CN/chapters/``) run the same code cells as the English ones, so
the language cannot come from the code: :func:`language` reads it from outside.

1. ``BOOK_LANG``, if set: ``zh``, ``zh_CN``, ``zh-CN`` ... mean Chinese, anything else English.
2. Otherwise the kernel's working folder: Jupyter starts a kernel in its notebook's folder,
   so a notebook under a ``zh_CN`` folder speaks Chinese.
3. Otherwise English.

Words: :func:`tr` is the one way code asks for a word a reader sees. Its English text is
the message id, written where it is used (``tr("held-out accuracy")``); the Chinese comes
from the gettext catalog ``locales/zh_CN/LC_MESSAGES/runtime.po``, compiled into
``book/locale/`` (package data, so an installed ``book`` carries it) by ``make
translations``. A constant translated later is marked with :func:`N_`. The JavaScript views
hold no words: they call ``t("...")`` and look the words up in the table the widget sends
them (:func:`view_words`); the website's script gets its table at build time the same way.
"""

from __future__ import annotations

import functools
import gettext
import io
import os
import re
import unicodedata
from pathlib import Path

LANGUAGES = ("en", "zh")
CHINESE_FOLDER = "zh_CN"
LOCALES = {"zh": "zh_CN"}  # language -> gettext locale of its catalog
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "book"
# What marks a word for the catalog (tools/translate.py extracts the first argument):
PYTHON_KEYWORDS = ("tr", "N_")  # in book/, tools/ and the notebooks' code cells
JS_KEYWORDS = ("t",)  # in the JavaScript views and _static/*.js
COMMENT_TAGS = ("Translators:",)  # a comment so tagged reaches the translator


def normalise(value: str | None) -> str | None:
    """``"zh"`` for any Chinese tag (``zh``, ``zh_CN``, ``zh-Hans`` ...), ``"en"`` for any other
    non-empty one, ``None`` for nothing."""
    if not value or not value.strip():
        return None
    return "zh" if value.strip().lower().replace("_", "-").split("-")[0] == "zh" else "en"


def language() -> str:
    """``"zh"`` or ``"en"``: the learner's language, from ``BOOK_LANG`` or the working folder."""
    chosen = normalise(os.environ.get("BOOK_LANG"))
    if chosen:
        return chosen
    try:
        here = Path.cwd().resolve()
    except OSError:  # the folder was removed under the kernel
        return "en"
    return "zh" if CHINESE_FOLDER in here.parts else "en"


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospace font: two for a wide (CJK) character."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


_SPEC = re.compile(r"^(?:(.)?([<>^]))?(\d+)$")


class Text(str):
    """A word from :func:`tr`: a ``str`` that a format spec pads by display width, so that
    ``f"{tr('reader'):<15}"`` lines Chinese up in columns as English lines up (a CJK
    character takes two columns); other specs format as for ``str``."""

    __slots__ = ()

    def __add__(self, other: str) -> Text:
        return Text(str.__add__(self, other))

    def __radd__(self, other: str) -> Text:
        return Text(str.__add__(other, self))

    def __format__(self, spec: str) -> str:
        match = _SPEC.match(spec)
        if not match:
            return format(str(self), spec)
        fill, align, width = match.group(1) or " ", match.group(2) or "<", int(match.group(3))
        room = max(0, width - display_width(self))
        left = {"<": 0, ">": room, "^": room // 2}[align]
        return fill * left + str(self) + fill * (room - left)


@functools.cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang not in LOCALES:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, [LOCALES[lang]], fallback=True)


def tr(msgid: str, lang: str | None = None, /, **fields) -> str:
    """``msgid`` (English) in ``lang`` (by default :func:`language`), formatted with ``fields``:
    a :class:`Text`, which pads by display width in a format spec (``f"{tr(w):<15}"``).

    Without a translation the English is used, so a missing catalog never breaks a check or
    a widget; ``tests/test_translations.py`` fails on every missing or fuzzy entry instead.
    """
    text = _translations(normalise(lang) or language()).gettext(msgid)
    return Text(text.format(**fields) if fields else text)


def N_(msgid: str) -> str:
    """Mark ``msgid`` for the catalog without translating it now (translate it with tr)."""
    return msgid


def words(msgids, lang: str | None = None) -> dict[str, str]:
    """``{msgid: word}`` for the msgids whose word in ``lang`` is not the msgid itself (so
    English gives ``{}``): the table a JavaScript view's ``t()`` looks its words up in,
    falling back to the msgid."""
    lang = normalise(lang) or language()
    return {m: w for m in msgids if (w := tr(m, lang)) != m}


def extract(source: str | bytes, kind: str, keywords=None) -> list[tuple[int, str, list[str]]]:
    """``(line, msgid, comments)`` of every word marked in ``source`` (Babel's extractors).

    ``kind`` is ``"python"`` (first arguments of ``tr`` and ``N_``) or ``"javascript"``
    (first arguments of ``t``); only string literals are words, as gettext has it.
    """
    from babel.messages.extract import extract as babel_extract
    from babel.messages.extract import extract_javascript, extract_python

    method = {"python": extract_python, "javascript": extract_javascript}[kind]
    keywords = keywords or (PYTHON_KEYWORDS if kind == "python" else JS_KEYWORDS)
    data = source.encode("utf-8") if isinstance(source, str) else source
    found = [
        (line, msgid, comments)
        for line, msgid, comments, _ in babel_extract(
            method,
            io.BytesIO(data),
            keywords=dict.fromkeys(keywords),
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        )
    ]
    if kind == "python":
        seen = {msgid for _, msgid, _ in found}
        found += [e for e in _calls(data.decode("utf-8"), keywords) if e[1] not in seen]
        found.sort(key=lambda entry: entry[0])
    return found


def _calls(source: str, keywords) -> list[tuple[int, str, list[str]]]:
    """Calls Babel's tokenizer misses: inside f-strings (``f"{tr('reader'):<15}"``, one
    string to Python 3.11's tokenizer) and inside another marked call's arguments."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:  # a notebook cell with IPython magics
        return []
    found = []
    for call in ast.walk(tree):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id in keywords
            and call.args
            and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)
        ):
            found.append((call.lineno, call.args[0].value, []))
    return found


@functools.cache
def _view_msgids(path: Path, mtime: float) -> tuple[str, ...]:
    return tuple(dict.fromkeys(msgid for _, msgid, _ in extract(path.read_bytes(), "javascript")))


def view_msgids(path: str | Path) -> tuple[str, ...]:
    """The words of a JavaScript file: its ``t("...")`` calls, in order, each once."""
    path = Path(path)
    return _view_msgids(path, path.stat().st_mtime)


def view_words(path: str | Path, lang: str | None = None) -> dict[str, str]:
    """The word table a JavaScript view gets with its data: :func:`words` of its msgids."""
    lang = normalise(lang) or language()
    return {} if lang == "en" else words(view_msgids(path), lang)
