"""KaTeX's stylesheet as the site serves it (``make vendor``): only the fonts it ships.

npm's ``katex.min.css`` offers every font in three formats, WOFF2, WOFF and TrueType; the site
ships the WOFF2 files only (every browser that runs the site reads WOFF2, the first format
offered), so link checkers found 40 missing files per edition. Each ``@font-face`` here lists
its WOFF2 file alone and says ``font-display: swap``: a formula's text is drawn at once in a
fallback face and redrawn when KaTeX's font arrives, instead of staying invisible for up to
3 s on a slow connection. Standard library only (``make vendor`` runs it before ``.venv``).

``python -m tools.katex_css SOURCE DEST``
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_FONT_FACE = re.compile(r"@font-face\{([^}]*)\}")
_SOURCE = re.compile(r'url\((?P<url>[^)]+\.woff2)\) format\("woff2"\)')


def woff2_only(css: str) -> str:
    """``css`` with each @font-face's ``src`` reduced to its WOFF2 entry and
    ``font-display:swap`` added; raises if a face offers no WOFF2."""

    def face(match):
        body = match[1]
        src = _SOURCE.search(body)
        if not src:
            raise ValueError(f"@font-face without a WOFF2 source: {body[:120]}")
        body = re.sub(r"src:[^;}]*", f'src:url({src["url"]}) format("woff2")', body)
        if "font-display" not in body:
            body += ";font-display:swap"
        return "@font-face{" + body + "}"

    return _FONT_FACE.sub(face, css)


def main(argv=None) -> int:
    source, dest = argv if argv is not None else sys.argv[1:]
    css = Path(source).read_text(encoding="utf-8")
    Path(dest).write_text(woff2_only(css), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
