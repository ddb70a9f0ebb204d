"""The language a learner works in: ``"en"`` or ``"zh"``, and the messages in each.

The Chinese notebooks (``zh_CN/chapters/``) run the same code cells as the English ones, so
the language cannot come from the code: :func:`language` reads it from outside.

1. ``BOOK_LANG``, if set: ``zh``, ``zh_CN``, ``zh-CN`` ... mean Chinese, anything else English.
2. Otherwise the kernel's working folder: Jupyter starts a kernel in its notebook's folder,
   so a notebook under a ``zh_CN`` folder speaks Chinese.
3. Otherwise English.

Widgets take the same value as their ``lang`` traitlet; on the website, where no kernel
runs, the page's ``<html lang>`` decides instead (``tools/widget_setup.js``).

Messages are plain dicts, one per language, with the same keys (a test checks that every
English key has a Chinese one); :func:`message` picks and formats one.
"""
from __future__ import annotations

import os
from pathlib import Path

LANGUAGES = ("en", "zh")
CHINESE_FOLDER = "zh_CN"


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
