"""The fill-in-the-blank demo in the built book: the trained models answer with no kernel.

The models are read back from the widget state saved in the page, so PyTorch and the
page's JavaScript run the very same weights: their logits, probabilities and highlights
must agree to 1e-5 (PyTorch's reference runs in float32, whose rounding over 49 GRU steps
differs by CPU kernel: 1.05e-6 in a probability was seen), and every blank's displayed top
guesses must be PyTorch's, with the look-ahead control at any step as with the whole
sentence. Bad input gets
:func:`book.fillin.parse`'s message, never a console error; an update stays quick.

The view's rules are checked over many more inputs under Node (tests/test_js_parity.py:
parse, both engines, every look-ahead); here a few sentences show that the page, in a
browser, runs them on the saved models and draws what they say.
"""

from __future__ import annotations

import re

import pytest
import torch
from paths import HTML
from support.site import PHONE, wait_for_math
from support.widgets import type_text, wait_ready

from book import pretrained
from book.fillin import FORMAT, MAX_CHARS, blank_probs, influence, load_models, parse, top_guesses
from tools.sphinx_site import page_widget_state

pytestmark = pytest.mark.browser

PAGE = "chapters/05_context_in_action.html"
# Fixed inputs for the parity check: one blank, several, blanks at both ends, and 49
# characters, the most the demo reads (the models were trained on 49-character windows).
SENTENCES = [
    "in _he night",
    "the t_me tr_veller",
    "_he time machine is a strange devic_",
    "the time traveller said that it was a very good _",
]
# The look-ahead control's steps, in order (None: "all", the whole sentence).
LOOKAHEADS = [0, 1, 2, 4, 8, 16, None]
# The examples whose blank the right context decides, by the training text's counts
# (book.pretrained.classify); the notebook's buttons are those where only the
# bidirectional model is right, and it asserts that for at least seven.
_TEXT, _, _, _CUT = pretrained.corpus()
_TABLE = pretrained.LeftCounts(_TEXT[:_CUT])
RIGHT_CONTEXT = {
    s: c
    for s, c in pretrained.EXAMPLES.items()
    if pretrained.classify(_TABLE, _TEXT[:_CUT], s, c) == "right decides"
}


@pytest.fixture(scope="module")
def reference():
    """The PyTorch models and vocabulary saved in the page's widget state."""
    state = page_widget_state(HTML / PAGE)  # the moved values read back into place
    assert state, f"{PAGE} carries no widget state"
    packed = [
        m["state"]["data"]
        for m in state["state"].values()
        if isinstance(m["state"].get("data"), dict) and m["state"]["data"].get("format") == FORMAT
    ]
    assert len(packed) == 1, f"{len(packed)} fill-in demos saved in {PAGE}"
    return load_models(packed[0])


@pytest.fixture
def demo(open_page):
    def _open(viewport=None, scheme=None, engine="wasm"):
        page, log = open_page(
            PAGE,
            viewport=viewport,
            init_script="globalThis.BIRNN_FILLIN_NO_WASM = true;" if engine == "js" else None,
        )
        if scheme:
            page.emulate_media(color_scheme=scheme)
        page.wait_for_selector('.birnn-fillin[data-state="ready"]', timeout=20_000)
        assert page.eval_on_selector(".birnn-fillin", "e => e.fillin.engine") == engine
        return page, log

    return _open


def wait_lookahead(page, text, k):
    """Wait until the view shows ``text`` read with look-ahead ``k`` (None: all), highlights
    and all."""
    page.wait_for_function(
        """([t, k]) => { const e = document.querySelector('.birnn-fillin');
        return e.dataset.text === t && e.dataset.lookahead === k
            && e.dataset.state === 'ready'; }""",
        arg=[text, str(-1 if k is None else k)],
        timeout=10_000,
    )


def shown(page):
    return page.eval_on_selector_all(
        ".birnn-fillin-blank",
        """bs => bs.map(b => ({
        index: Number(b.dataset.blankIndex), position: Number(b.dataset.position),
        uni: b.dataset.topUni, bi: b.dataset.topBi}))""",
    )


@pytest.mark.parametrize("engine", ["wasm", "js"])
def test_logits_and_highlights_equal_pytorchs(demo, reference, engine):
    """Both engines: the WebAssembly kernel, and the plain JavaScript that browsers without
    WebAssembly SIMD (or models with an odd hidden size) use."""
    models, vocab = reference
    page, log = demo(engine=engine)
    for text in SENTENCES[1:3]:
        ids = parse(text, vocab)
        for role, model in models.items():
            js = torch.tensor(
                page.eval_on_selector(
                    ".birnn-fillin", "(e, [r, t]) => e.fillin.logits(r, t)", [role, text]
                ),
                dtype=torch.float64,
            )
            with torch.no_grad():
                expected = model(ids[:, None])[:, 0].double()  # (T, q)
            assert js.shape == expected.shape
            assert (js - expected).abs().max() <= 1e-5, (role, text)
            blanks = int((ids == vocab.mask_id).sum())
            for blank in range(blanks):
                got = torch.tensor(
                    page.eval_on_selector(
                        ".birnn-fillin",
                        "(e, [r, t, b]) => e.fillin.influence(r, t, b)",
                        [role, text, blank],
                    ),
                    dtype=torch.float64,
                )
                # float32 PyTorch against the page's float32 kernel or float64 JavaScript (both
                # about 8e-7 at these sizes)
                assert (got - influence(model, ids, blank)).abs().max() <= 5e-6, (role, text)
    assert log.problems() == []


def test_typing_shows_each_blanks_top_guesses(demo, reference):
    models, vocab = reference
    page, log = demo()
    for text in ["the t_me tr_veller", "_ _ _", "In _he Night"]:
        type_text(page, text)
        got = shown(page)
        positions = [i for i, c in enumerate(text) if c == "_"]
        assert [g["index"] for g in got] == list(range(len(positions)))
        assert [g["position"] for g in got] == positions
        assert [g["uni"] for g in got] == top_guesses(models["uni"], vocab, text)
        assert [g["bi"] for g in got] == top_guesses(models["bi"], vocab, text)
        assert page.inner_text(".birnn-fillin-message") == ""
    assert log.problems() == []


def test_examples_show_where_only_the_right_context_decides(demo, reference):
    models, vocab = reference
    page, log = demo()
    buttons = page.locator(".birnn-fillin-example")
    labels = buttons.all_inner_texts()
    offered = {s: c for s, c in RIGHT_CONTEXT.items() if s in labels}
    assert len(offered) >= 7
    for sentence, truth in offered.items():
        buttons.nth(labels.index(sentence)).click()
        wait_ready(page, sentence)
        assert page.input_value(".birnn-fillin-input") == sentence
        (got,) = shown(page)
        assert got["bi"] == truth and got["uni"] != truth, (sentence, got)
        # Left to right, the characters after the blank never count; both ways, they do.
        position = sentence.index("_")
        scores = {
            role: page.eval_on_selector_all(
                f'.birnn-fillin-chars[data-role="{role}"] .birnn-fillin-char',
                "cs => cs.map(c => Number(c.dataset.score))",
            )
            for role in ("uni", "bi")
        }
        assert len(scores["uni"]) == len(sentence)
        assert all(s == 0 for s in scores["uni"][position + 1 :])
        assert max(scores["bi"][position + 1 :]) > 0.05
        assert max(scores["uni"][:position]) > 0
    assert "never stand right of the blank" in page.inner_text(".birnn-fillin-who")
    assert log.problems() == []


def test_choosing_another_blank_moves_the_highlights(demo):
    page, log = demo()
    type_text(page, "the t_me tr_veller")
    page.locator(".birnn-fillin-pick").nth(1).click()
    wait_ready(page, "the t_me tr_veller")
    assert page.get_attribute(".birnn-fillin-pick >> nth=1", "aria-pressed") == "true"
    target = page.eval_on_selector_all(
        ".birnn-fillin-chars[data-role='uni'] .birnn-fillin-char",
        "cs => cs.findIndex(c => c.classList.contains('birnn-fillin-target'))",
    )
    assert target == "the t_me tr_veller".index("_", 6)
    assert page.evaluate("document.activeElement.classList.contains('birnn-fillin-pick')")
    assert log.problems() == []


@pytest.mark.parametrize(
    "text", ["", "   ", "the time traveller", "h3llo, w_rld", "x_" * 1000, "日本語の_"]
)
def test_bad_input_gets_the_message_python_gives(demo, reference, text):
    _, vocab = reference
    page, log = demo()
    type_text(page, text)
    with pytest.raises(ValueError) as err:
        parse(text, vocab)
    assert page.inner_text(".birnn-fillin-message") == str(err.value)
    assert page.get_attribute(".birnn-fillin", "data-state") == "error"
    assert shown(page) == []
    # Still alive: a good sentence is answered again.
    type_text(page, "in _he night")
    assert len(shown(page)) == 1 and page.inner_text(".birnn-fillin-message") == ""
    assert log.problems() == []


def test_an_update_of_a_49_character_sentence_is_timed(demo):
    """Each update's work (the guesses, then each model's highlights as a task of its own)
    is timed by the view itself, for a blank at the start, middle and end of 49 characters
    (the most the demo reads). How long it takes is a goal that ``make bench`` reports
    (tools.bench.fillin_update_ms), not a timed test: here the figures must be recorded,
    positive and in order (the whole update at least its guesses and its longest task)."""
    page, log = demo()
    base = "the time traveller said that it was a very good t"
    assert len(base) == MAX_CHARS == 49

    def update(text):
        page.locator(".birnn-fillin-input").fill(text)
        wait_ready(page, text)
        return page.eval_on_selector(
            ".birnn-fillin",
            """e => [e.dataset.predictMs,
            e.dataset.updateMs, e.dataset.longestTaskMs].map(Number)""",
        )

    for position in (2, 24, 48):
        guesses, total, longest = update(base[:position] + "_" + base[position + 1 :])
        assert 0 < guesses <= longest <= total, (position, guesses, longest, total)
    assert log.problems() == []


@pytest.mark.parametrize("engine", ["wasm", "js"])
def test_lookahead_control_matches_pytorch(demo, reference, engine):
    """The look-ahead control, moved by keyboard over 0, 1, 2, 4, 8, 16 and all: the
    bidirectional model's guesses are PyTorch's on the sentence cut k characters past each
    blank (book.fillin.blank_probs(..., lookahead=k)), its highlights are zero beyond t + k,
    and the one-direction model's guesses and highlights never change."""
    models, vocab = reference
    page, log = demo(engine=engine)
    # The raw numbers first: every blank's distribution, for each step and more.
    for text in SENTENCES[1:2]:
        ids = parse(text, vocab)
        for k in [*LOOKAHEADS, 3, len(text)]:
            for role, model in models.items():
                got = torch.tensor(
                    page.eval_on_selector(
                        ".birnn-fillin",
                        "(e, [r, t, k]) => e.fillin.blankProbs(r, t, k)",
                        [role, text, k],
                    ),
                    dtype=torch.float64,
                )
                assert (got - blank_probs(model, ids, lookahead=k)).abs().max() <= 1e-5, (
                    role,
                    text,
                    k,
                )

    text = "we went into _he house and s_w the white sphinx"
    ids = parse(text, vocab)
    t = text.index("_")
    type_text(page, text)
    wait_lookahead(page, text, None)

    def bars(role):
        return page.eval_on_selector_all(
            f'.birnn-fillin-chars[data-role="{role}"] .birnn-fillin-char',
            "cs => cs.map(c => Number(c.dataset.score))",
        )

    uni_guesses, uni_bars = [g["uni"] for g in shown(page)], bars("uni")
    assert uni_guesses == top_guesses(models["uni"], vocab, text)
    control = page.locator(".birnn-fillin-lookahead")
    assert control.get_attribute("type") == "range"
    assert (
        page.eval_on_selector(".birnn-fillin-lookahead", "e => e.labels[0].textContent")
        == "How far the bidirectional model may read past each blank:"
    )
    assert page.inner_text(".birnn-fillin-lookahead-value") == "all"
    control.focus()
    words = {0: "0 characters", 1: "1 character", None: "all"}
    moves = [
        ("Home", 0),
        *(("ArrowRight", k) for k in LOOKAHEADS[1:]),
        ("ArrowLeft", 16),
        ("ArrowLeft", 8),
        ("Home", 0),
        ("End", None),
        ("ArrowLeft", 16),
        ("ArrowLeft", 8),
        ("ArrowLeft", 4),
        ("ArrowLeft", 2),
    ]
    for key, k in moves:
        control.press(key)
        wait_lookahead(page, text, k)
        assert page.evaluate("document.activeElement.classList.contains('birnn-fillin-lookahead')")
        word = words.get(k, f"{k} characters")
        assert page.inner_text(".birnn-fillin-lookahead-value") == word
        assert control.get_attribute("aria-valuetext") == word
        got = shown(page)
        assert [g["bi"] for g in got] == top_guesses(models["bi"], vocab, text, k), (key, k)
        assert [g["uni"] for g in got] == uni_guesses, (key, k)
        assert bars("uni") == uni_bars
        scores = bars("bi")
        assert len(scores) == len(text)
        if k is not None:
            assert all(s == 0 for s in scores[t + k + 1 :]), (k, scores)
        expected = influence(models["bi"], ids, 0, lookahead=k)
        assert (torch.tensor(scores, dtype=torch.float64) - expected).abs().max() <= 1e-5, k
    assert log.problems() == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_width_and_colour_modes(demo, scheme):
    page, log = demo(viewport=PHONE, scheme=scheme)
    wait_for_math(page)
    type_text(page, "the t_me tr_veller")
    width = page.evaluate("document.documentElement.clientWidth")
    for selector in (".birnn-fillin-input", ".birnn-fillin-blank", ".birnn-fillin-example"):
        right = page.eval_on_selector_all(
            selector, "es => Math.max(...es.map(e => e.getBoundingClientRect().right))"
        )
        assert right <= width, (selector, right, width)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    # Readable in either mode: the text takes the page's colour, not a fixed dark one.
    colour, background = page.evaluate("""() => [getComputedStyle(document.querySelector(
        '.birnn-fillin-model')).color, getComputedStyle(document.body).backgroundColor]""")
    assert colour != background
    red, green, blue = (int(x) for x in re.findall(r"\d+", colour)[:3])
    assert (red + green + blue < 300) == (scheme == "light"), (scheme, colour)
    assert log.problems() == []


def test_the_chinese_page_speaks_chinese_with_the_same_models(open_page, reference):
    """The Chinese edition shares the notebook's outputs, so the same saved models: the
    same guesses, with Chinese words around them and book.fillin.parse's Chinese messages."""
    models, vocab = reference
    page, log = open_page("zh_CN/" + PAGE)
    page.wait_for_selector('.birnn-fillin[data-state="ready"]', timeout=20_000)
    assert page.inner_text(".birnn-fillin label").startswith("句子")
    assert page.eval_on_selector_all(
        ".birnn-fillin-blank .birnn-fillin-model", "es => es.map(e => e.innerText)"
    ) == ["单向", "双向"]
    type_text(page, "we went into _he house")
    (got,) = shown(page)
    assert [got["uni"]] == top_guesses(models["uni"], vocab, "we went into _he house")
    assert [got["bi"]] == top_guesses(models["bi"], vocab, "we went into _he house") == ["t"]
    assert "单向模型的条形永远不会出现在空的右侧" in page.inner_text(".birnn-fillin-who")
    assert page.inner_text(".birnn-fillin-ahead label") == "双向模型可以读到每个空右侧多远："
    assert page.inner_text(".birnn-fillin-lookahead-value") == "全部"
    for text in ["", "h3llo, w_rld", "no blank"]:
        type_text(page, text)
        with pytest.raises(ValueError) as err:
            parse(text, vocab, lang="zh")
        assert page.inner_text(".birnn-fillin-message") == str(err.value)
    assert log.problems() == []
