"""book.i18n: one way to a word (tr), with its English at the call site as the message id.

The Chinese comes from the compiled catalog; a missing word falls back to the English
message id; words pad by display width in format specs, so tables line up in Chinese too;
the JavaScript views' words are their t("...") calls (Babel's extractor), sent as a table;
Python's extractor also sees calls inside f-strings and inside another call's arguments.
"""

from pathlib import Path

import pytest

from book import i18n
from book.i18n import Text, display_width, extract, tr, view_msgids, view_words, words


def test_tr_translates_from_the_catalog_and_falls_back_to_english():
    assert tr("bidirectional", "zh") == "双向"
    assert tr("bidirectional", "en") == "bidirectional"
    assert tr("a message no catalog holds", "zh") == "a message no catalog holds"
    assert tr("Blank {i}, character {pos}", "zh", i=2, pos=5) == "第 2 个空，第 5 个字符"
    assert tr("Blank {i}, character {pos}", "en", i=2, pos=5) == "Blank 2, character 5"
    assert tr("bidirectional", "zh_CN") == tr("bidirectional", "zh-Hans") == "双向"


def test_tr_follows_the_learners_language(monkeypatch):
    monkeypatch.setenv("BOOK_LANG", "zh")
    assert tr("bidirectional") == "双向"
    monkeypatch.setenv("BOOK_LANG", "en")
    assert tr("bidirectional") == "bidirectional"


def test_words_pad_by_display_width():
    assert display_width("双向 RNN") == 8
    assert f"[{tr('reader', 'zh'):<6}]" == "[读法  ]"
    assert f"[{tr('reader', 'zh'):>6}]" == "[  读法]"
    assert f"[{Text('ab'):^5}]" == f"[{'ab':^5}]"
    assert f"{tr('reader', 'en'):<15}|" == f"{'reader':<15}|"  # English as str pads it
    assert f"{Text('abc'):.2}" == "ab"  # other specs as for str
    assert isinstance("  " + tr("reader", "zh"), Text)


def test_words_are_the_translations_that_differ():
    assert words(["bidirectional", "no such message"], "zh") == {"bidirectional": "双向"}
    assert words(["bidirectional"], "en") == {}


def test_extraction_reads_python_fstrings_and_javascript():
    python = (
        'x = tr("plain")\n'
        "y = f\"{tr('in an f-string'):<15}\"\n"
        "# Translators: a note\n"
        'z = N_("marked " "and joined")\n'
        "w = tr(variable)\n"
        'v = tr("outer {why}", why=explain(tr("nested")))\n'
    )
    found = [(msgid, comments) for _, msgid, comments in extract(python, "python")]
    assert found == [
        ("plain", []),
        ("in an f-string", []),
        ("marked and joined", ["a note"]),
        ("outer {why}", []),
        ("nested", []),
    ]
    js = 'const a = t("one " + "two", { k: 1 });\nother("not a word");\nt("three");'
    assert [m for _, m, _ in extract(js, "javascript")] == ["one two", "three"]


def test_the_views_words_are_their_t_calls(tmp_path):
    view = tmp_path / "view.js"
    view.write_text(
        'const a = t("bidirectional"); const b = t("bidirectional"), c = t("not in the catalog");'
    )
    assert view_msgids(view) == ("bidirectional", "not in the catalog")
    assert view_words(view, "zh") == {"bidirectional": "双向"}
    assert view_words(view, "en") == {}


@pytest.mark.parametrize("view", ["explorer.js", "fillin.js"])
def test_every_word_of_a_view_is_translated(view):
    ids = view_msgids(i18n.LOCALE_DIR.parent / view)
    assert ids and set(view_words(i18n.LOCALE_DIR.parent / view, "zh")) == set(ids)


def test_chinese_figures_get_chinese_labels_in_a_cjk_font(monkeypatch):
    import matplotlib.pyplot as plt

    from book.figures import CJK_FONTS, draw_birnn, use_language_font

    with plt.rc_context():
        monkeypatch.setenv("BOOK_LANG", "zh")
        assert use_language_font()
        assert plt.rcParams["font.sans-serif"][0] == CJK_FONTS["sans-serif"]
        fig = draw_birnn(3)
        words = {t.get_text() for t in fig.axes[0].texts}
        assert {"前向", "反向", "输入", "输出"} <= words, words
        plt.close(fig)
    with plt.rc_context():
        monkeypatch.setitem(CJK_FONTS, "sans-serif", "No Such Font CJK")
        with pytest.warns(UserWarning, match="apt-get install fonts-noto-cjk"):
            assert not use_language_font("zh")
    assert use_language_font("en")  # English needs nothing


def test_the_chinese_folder_is_the_editions_one():
    """book/ cannot import tools/, so book.i18n names the Chinese edition's folder itself; it
    must be the one tools/editions.py (the book's structure) gives."""
    from tools.editions import EDITIONS, edition_of

    assert i18n.CHINESE_FOLDER == EDITIONS["zh"].locale
    assert i18n.LOCALES["zh"] == EDITIONS["zh"].locale
    assert edition_of(EDITIONS["zh"].source / "chapters" / "x.ipynb").lang == "zh"
    assert edition_of(Path("plain") / EDITIONS["zh"].locale / "chapters" / "x.ipynb").lang == "zh"
    assert edition_of(Path("chapters") / "x.ipynb").lang == "en"
