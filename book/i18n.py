"""The language a learner works in: ``"en"`` or ``"zh"``, and the messages in each.

The Chinese notebooks (``zh_CN/chapters/``) run the same code cells as the English ones, so
the language cannot come from the code: :func:`language` reads it from outside.

1. ``BOOK_LANG``, if set: ``zh``, ``zh_CN``, ``zh-CN`` ... mean Chinese, anything else English.
2. Otherwise the kernel's working folder: Jupyter starts a kernel in its notebook's folder,
   so a notebook under a ``zh_CN`` folder speaks Chinese.
3. Otherwise English.

Widgets take the same value as their ``lang`` traitlet; on the website, where no kernel
runs, the page's ``<html lang>`` decides instead (``tools/widget_setup.js``).

Words: :func:`tr` is the one way code asks for a word a reader sees. Its English text is
the message id, written where it is used (``tr("held-out accuracy")``); the Chinese comes
from the gettext catalog ``locales/zh_CN/LC_MESSAGES/runtime.po``, compiled into
``book/locale/`` (package data, so an installed ``book`` carries it). A constant that must be
translated later is marked with :func:`N_`. The JavaScript views call ``t("...")`` on words
the widget sends with its data. :func:`message` (plain dicts per language) is the older
mechanism, being retired.
"""
from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

LANGUAGES = ("en", "zh")
CHINESE_FOLDER = "zh_CN"
LOCALES = {"zh": "zh_CN"}                  # language -> gettext locale of its catalog
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "book"


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
    except OSError:                      # the folder was removed under the kernel
        return "en"
    return "zh" if CHINESE_FOLDER in here.parts else "en"


def message(table: dict[str, dict[str, str]], key: str, lang: str | None = None,
            **fields) -> str:
    """``table[lang][key]`` formatted with ``fields``; English where Chinese lacks the key."""
    lang = lang or language()
    template = table.get(lang, {}).get(key) or table["en"][key]
    return template.format(**fields)


@functools.cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang not in LOCALES:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, [LOCALES[lang]], fallback=True)


def tr(msgid: str, lang: str | None = None, /, **fields) -> str:
    """``msgid`` (English) in ``lang`` (by default :func:`language`), formatted with ``fields``.

    Without a translation the English is used, so a missing catalog never breaks a check or
    a widget; ``tests/test_translations.py`` fails on every missing or fuzzy entry instead.
    """
    text = _translations(lang or language()).gettext(msgid)
    return text.format(**fields) if fields else text


def N_(msgid: str) -> str:
    """Mark ``msgid`` for the catalog without translating it now (translate it with tr)."""
    return msgid


def words(msgids, lang: str | None = None) -> dict[str, str]:
    """``{msgid: translation}`` for a view's words (the JavaScript views look them up)."""
    return {m: tr(m, lang) for m in msgids}
