"""The Chinese edition ran the chapter's code in Chinese and got the English numbers.

``make execute`` runs the English notebooks, then the Chinese ones (zh_CN/chapters, written
by tools/translate.py with the same code cells) with the language set to Chinese, and each
keeps its own outputs: the words differ, the numbers must not. Cell by cell: the same kinds
of output; the same number tokens in every text output (as multisets: a translation may put
them in another order); the same count of figures, each of nearly the same size (a figure's
words move its tight bounding box by a few pixels). Outputs that nbval ignores
(``nbval-ignore-output``: timings, widget views) differ between any two runs, so only their
kinds are compared. The saved widgets of the Chinese notebooks speak Chinese.
"""

from __future__ import annotations

import base64
import re
import struct
from collections import Counter

import nbformat
import pytest
from paths import NOTEBOOKS, ROOT

CJK = re.compile(r"[\u3400-\u9fff]")
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")
PAIRS = [(path, ROOT / "zh_CN" / path.relative_to(ROOT)) for path in NOTEBOOKS]
SIZE_TOLERANCE = 0.03  # of each side of a figure, in pixels


def _png_size(data: str) -> tuple[int, int]:
    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", raw[16:24])


def _texts(output) -> list[str]:
    if output.output_type == "stream":
        return [output.text]
    if output.output_type == "error":
        return [output.evalue]
    data = output.get("data", {})
    if any("widget-view" in kind for kind in data):
        return []  # a view and its fallback drawing
    return [data[kind] for kind in ("text/plain", "text/html", "text/markdown") if kind in data]


def _printed(output) -> list[str]:
    """The words an output shows: its texts, less a figure's repr (``<Figure size ...>``)."""
    return [] if "image/png" in output.get("data", {}) else _texts(output)


def summary(cell) -> dict:
    """What must agree between the editions' runs of one code cell."""
    streams = "".join(o.text for o in cell.outputs if o.output_type == "stream")
    others = [o for o in cell.outputs if o.output_type != "stream"]
    kinds = [(o.output_type, sorted(o.get("data", {}))) for o in others]
    if "nbval-ignore-output" in cell.metadata.get("tags", []):
        return {"kinds": kinds}
    texts = [streams] + [t for o in others for t in _texts(o)]
    return {
        "kinds": kinds,
        "numbers": Counter(n for t in texts for n in NUMBER.findall(t)),
        "figures": [
            _png_size(o.data["image/png"]) for o in others if "image/png" in o.get("data", {})
        ],
    }


def _code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


@pytest.mark.parametrize("english, chinese", PAIRS, ids=lambda p: p.name)
def test_both_editions_printed_the_same_numbers(english, chinese):
    pairs = list(zip(_code_cells(english), _code_cells(chinese), strict=True))
    assert pairs
    for index, (en, zh) in enumerate(pairs):
        assert en.source == zh.source, f"{chinese.name}: run `make translations`"
        a, b = summary(en), summary(zh)
        where = f"{chinese.name}, code cell {index} (run `make execute`)"
        assert a["kinds"] == b["kinds"], where
        if "numbers" not in a:
            continue
        assert a["numbers"] == b["numbers"], (
            f"{where}: numbers only in English {a['numbers'] - b['numbers']}, only in "
            f"Chinese {b['numbers'] - a['numbers']}"
        )
        assert len(a["figures"]) == len(b["figures"]), where
        for (w1, h1), (w2, h2) in zip(a["figures"], b["figures"]):
            assert abs(w1 - w2) <= SIZE_TOLERANCE * w1 and abs(h1 - h2) <= SIZE_TOLERANCE * h1, (
                where,
                (w1, h1),
                (w2, h2),
            )


@pytest.mark.parametrize("english, chinese", PAIRS, ids=lambda p: p.name)
def test_the_chinese_run_printed_chinese_where_the_english_printed_words(english, chinese):
    """A code change that reaches zh_CN/ before `make execute` leaves English outputs in
    a Chinese notebook: some printed line of the English run with words in it must have
    come out with Chinese in it, on every page that prints words."""
    english_words = chinese_words = 0
    for en, zh in zip(_code_cells(english), _code_cells(chinese)):
        en_text = "".join(t for o in en.outputs for t in _printed(o))
        zh_text = "".join(t for o in zh.outputs for t in _printed(o))
        english_words += bool(re.search(r"[a-z]{4,} [a-z]{3,}", en_text))
        chinese_words += bool(CJK.search(zh_text))
    assert chinese_words >= english_words // 2, (chinese.name, english_words, chinese_words)


@pytest.mark.parametrize("chinese", [zh for _, zh in PAIRS], ids=lambda p: p.name)
def test_the_chinese_notebooks_saved_widgets_speak_chinese(chinese):
    state = (
        nbformat.read(chinese, as_version=4)
        .metadata.get("widgets", {})
        .get("application/vnd.jupyter.widget-state+json", {})
        .get("state", {})
    )
    views = [m["state"] for m in state.values() if m["model_module"] == "anywidget"]
    for view in views:
        assert view["lang"] == "zh" and view["words"], chinese.name
        assert all(CJK.search(word) for word in view["words"].values()), chinese.name
