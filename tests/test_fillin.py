"""book.fillin: the packed models round-trip exactly, sentences are checked with clear
messages, the reference influence is what its definition says, and a look-ahead cuts the
sentence for the bidirectional model only (the JavaScript view is compared with these in
tests/test_fillin_browser.py)."""

from __future__ import annotations

import json
import re

import pytest
import torch

from book.fillin import (
    BLANK,
    FORMAT,
    MAX_CHARS,
    VIEW,
    FillInDemo,
    blank_probs,
    export_models,
    influence,
    load_models,
    parse,
    top_guesses,
)
from book.i18n import tr, view_msgids
from book.text import TokenRNN, Vocab

VOCAB = Vocab("abcdefghijklmnopqrstuvwxyz ")


def models(seed=0):
    torch.manual_seed(seed)
    return (
        TokenRNN(len(VOCAB), 12, bidirectional=False, embed_size=5),
        TokenRNN(len(VOCAB), 7, bidirectional=True, embed_size=5),
    )


def test_packed_models_reload_bit_for_bit_and_stay_compact():
    uni, bi = models()
    packed = export_models(uni, bi, VOCAB)
    assert packed["format"] == FORMAT and packed["tokens"] == VOCAB.idx_to_token
    text = json.dumps(packed)
    params = sum(p.numel() for m in (uni, bi) for p in m.parameters())
    assert packed["models"]["uni"]["parameters"] + packed["models"]["bi"]["parameters"] == params
    assert len(text) < 4 * params * 4 / 3 + 2000  # base64 float32 plus a small header
    loaded, vocab = load_models(json.loads(text))
    assert vocab.idx_to_token == VOCAB.idx_to_token
    ids = parse("the qu_ck brown fox", VOCAB)
    for role, model in (("uni", uni), ("bi", bi)):
        assert torch.equal(loaded[role](ids[:, None]), model(ids[:, None]))


def test_export_refuses_swapped_or_foreign_models():
    uni, bi = models()
    with pytest.raises(ValueError, match="one-direction model first"):
        export_models(bi, uni, VOCAB)
    with pytest.raises(TypeError, match="TokenRNN"):
        export_models(torch.nn.GRU(3, 4), bi, VOCAB)
    with pytest.raises(ValueError, match="scores 5 tokens"):
        export_models(TokenRNN(5, 4, False), bi, VOCAB)
    with pytest.raises(ValueError, match="must not be in the vocabulary"):
        export_models(uni, bi, Vocab("abc_"))
    with pytest.raises(ValueError, match="format"):
        load_models({"format": "something else"})


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Type a sentence, with _ for each character to guess."),
        ("   ", "Type a sentence, with _ for each character to guess."),
        ("no blank here", "No blank yet: type _ where a character is hidden."),
        ("x" * 2000, f"The sentence has 2000 characters; the demo reads at most {MAX_CHARS}."),
        (
            "h3llo, w_rld",
            "The models know only a-z and the space (the book was read in lower "
            "case, without digits or punctuation); remove ',' '3'.",
        ),
        ("caf\u00e9 _", "remove '\u00e9'."),
    ],
)
def test_parse_explains_what_it_cannot_read(text, message):
    with pytest.raises(ValueError) as err:
        parse(text, VOCAB)
    assert str(err.value).endswith(message)


def test_messages_come_from_the_catalog_in_the_learners_language():
    with pytest.raises(ValueError) as err:
        parse("abc", VOCAB, lang="zh")
    assert str(err.value) == tr("No blank yet: type _ where a character is hidden.", "zh")
    assert str(err.value) != "No blank yet: type _ where a character is hidden."


def test_the_widget_sends_its_views_words_in_its_language():
    """The view holds no words: every t("...") of fillin.js arrives translated in `words`
    (English needs none, its message ids are its words)."""
    uni, bi = models()
    ids = view_msgids(VIEW)
    assert "Sentence, with _ for each hidden character" in ids and len(ids) > 15
    chinese = FillInDemo(uni, bi, VOCAB, text="the c_t", lang="zh")
    assert chinese.lang == "zh" and set(chinese.words) == set(ids)
    assert all(re.search(r"[\u3400-\u9fff]", w) for w in chinese.words.values())
    assert FillInDemo(uni, bi, VOCAB, text="the c_t", lang="en").words == {}
    note = chinese._repr_mimebundle_()[0]["text/html"]
    assert "<code>the c_t</code>" in note and "the fill-in" not in note.lower()


def test_parse_reads_upper_case_and_marks_blanks():
    ids = parse("The _at", VOCAB)
    assert VOCAB.decode(ids) == "the _at"
    assert (ids == VOCAB.mask_id).nonzero().flatten().tolist() == [4]
    with pytest.raises(TypeError, match="str"):
        parse(42, VOCAB)


def test_influence_is_the_change_when_a_character_is_hidden():
    uni, bi = models(1)
    text = "a cat s_t on the m_t"
    ids = parse(text, VOCAB)
    t = text.index(BLANK)
    for model in (uni, bi):
        scores = influence(model, ids, 0)
        assert scores.shape == (len(text),)
        assert (scores[ids == VOCAB.mask_id] == 0).all()  # blanks are not scored
        assert ((scores >= 0) & (scores <= 1)).all()
        # One entry by hand: hide character 2 and compare the distributions at the blank.
        hidden = ids.clone()
        hidden[2] = VOCAB.mask_id
        with torch.no_grad():
            before, after = (model(x[:, None])[t, 0].double().softmax(-1) for x in (ids, hidden))
        expected = 0.5 * (after - before).abs().sum()
        assert blank_probs(model, ids)[0].equal(before)
        assert scores[2] == pytest.approx(expected.item(), abs=1e-12)
    # Left to right, nothing after the blank can matter; both ways, something does.
    assert (influence(uni, ids, 0)[t + 1 :] == 0).all()
    assert influence(bi, ids, 0)[t + 1 :].max() > 0


def test_the_demo_reads_as_far_as_the_models_were_trained():
    assert MAX_CHARS == 49
    assert parse("a" * 48 + BLANK, VOCAB).shape == (49,)
    with pytest.raises(ValueError, match="50 characters; the demo reads at most 49"):
        parse("a" * 49 + BLANK, VOCAB)


TEXTS = ["a cat s_t on the m_t", "_he time machine is a strange devic_", "_ _ _", "a_b"]


@pytest.mark.parametrize("text", TEXTS)
def test_lookahead_leaves_the_left_to_right_model_alone(text):
    uni, _ = models(2)
    ids = parse(text, VOCAB)
    whole = blank_probs(uni, ids)
    for k in (0, 1, 2, 4, 8, 16, len(text)):
        # The same numbers but for float32 rounding: a shorter run sums in another order.
        assert torch.allclose(blank_probs(uni, ids, lookahead=k), whole, rtol=0, atol=1e-7)
        for blank in range(len(whole)):
            assert torch.allclose(
                influence(uni, ids, blank, lookahead=k),
                influence(uni, ids, blank),
                rtol=0,
                atol=1e-7,
            )


@pytest.mark.parametrize("text", TEXTS)
def test_lookahead_cuts_the_sentence_for_the_bidirectional_model(text):
    _, bi = models(2)
    ids = parse(text, VOCAB)
    positions = [i for i, c in enumerate(text) if c == BLANK]
    whole = blank_probs(bi, ids)
    for k in (len(text), len(text) + 5):  # reading past the end: the whole text
        assert blank_probs(bi, ids, lookahead=k).equal(whole)
    for k in (0, 1, 3):
        probs = blank_probs(bi, ids, lookahead=k)
        assert probs.shape == whole.shape and probs.dtype == torch.float64
        for i, t in enumerate(positions):
            with torch.no_grad():
                expected = bi(ids[: t + k + 1, None])[t, 0].double().softmax(-1)
            assert probs[i].equal(expected)
            scores = influence(bi, ids, i, lookahead=k)
            assert scores.shape == (len(text),)
            assert (scores[t + k + 1 :] == 0).all()  # never read, so never decisive
            assert (scores[ids == VOCAB.mask_id] == 0).all()
            # One entry by hand, on the cut sentence: hide the first character.
            if t > 0:
                cut = ids[: t + k + 1].clone()
                cut[0] = VOCAB.mask_id
                with torch.no_grad():
                    after = bi(cut[:, None])[t, 0].double().softmax(-1)
                assert scores[0] == pytest.approx(
                    0.5 * (after - expected).abs().sum().item(), abs=1e-12
                )
    # The cut matters: a look-ahead of 0 hides the right context the whole sentence gives.
    if len(text) > positions[0] + 1:
        assert not torch.allclose(blank_probs(bi, ids, lookahead=0)[0], whole[0])
        assert influence(bi, ids, 0)[positions[0] + 1 :].max() > 0


@pytest.mark.parametrize("bad", [-1, -5, 1.5, "2", True])
def test_a_bad_lookahead_is_refused_with_what_was_expected(bad):
    uni, bi = models()
    ids = parse("the c_t", VOCAB)
    for call, name in (
        (lambda: blank_probs(bi, ids, lookahead=bad), "blank_probs"),
        (lambda: influence(uni, ids, 0, lookahead=bad), "influence"),
        (lambda: top_guesses(bi, VOCAB, "the c_t", bad), "blank_probs"),
    ):
        with pytest.raises(ValueError) as err:
            call()
        assert str(err.value) == (
            f"{name}: lookahead must be None (the whole sentence) or "
            f"an int >= 0 (characters read past each blank), got {bad!r}"
        )


def test_the_demo_keeps_its_lookahead_in_a_synced_trait():
    uni, bi = models()
    demo = FillInDemo(uni, bi, VOCAB, text="the c_t")
    assert demo.lookahead == -1 and demo.trait_metadata("lookahead", "sync")
    assert FillInDemo(uni, bi, VOCAB, text="the c_t", lookahead=4).lookahead == 4
    assert FillInDemo(uni, bi, VOCAB, text="the c_t", lookahead=-1).lookahead == -1
    assert FillInDemo(uni, bi, VOCAB, text="the c_t", lookahead=0).lookahead == 0
    assert "lookahead" in demo.get_state()
    demo.lookahead = 16
    assert demo.get_state()["lookahead"] == 16
    for bad in (-2, 2.5, "all", True):
        with pytest.raises(
            ValueError,
            match=r"FillInDemo\(lookahead=\.\.\.\) must be None or "
            r"-1 \(the whole sentence\) or an int >= 0 .* got ",
        ):
            FillInDemo(uni, bi, VOCAB, text="the c_t", lookahead=bad)
    with pytest.raises(
        ValueError,
        match=r"FillInDemo.lookahead must be -1 \(the whole sentence\)"
        r" or an int >= 0 .*, got -3",
    ):
        demo.lookahead = -3
    assert demo.lookahead == 16


def test_demo_packs_the_models_and_checks_its_examples():
    uni, bi = models()
    demo = FillInDemo(uni, bi, VOCAB, text="the c_t", examples=["a _og"])
    assert demo.data["models"]["bi"]["bidirectional"] and demo.examples == ["a _og"]
    assert len(top_guesses(bi, VOCAB, "_ _")) == 2
    with pytest.raises(ValueError, match="No blank yet"):
        FillInDemo(uni, bi, VOCAB, examples=["no blank"])
    bundle, _ = demo._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "runs here once this cell is run" in bundle["text/html"]


def test_the_views_colours_are_the_palettes():
    """fillin.css names the chapter's colours as custom properties that the view sets from
    the `palette` it receives (book.figures.PALETTE); no palette hex value is written in it."""
    from book.figures import PALETTE

    uni, bi = models()
    assert FillInDemo(uni, bi, VOCAB, text="the c_t").get_state()["palette"] == PALETTE
    css = VIEW.with_name("fillin.css").read_text()
    used = set(re.findall(r"var\(--birnn-([\w-]+)\)", css))
    own = set(re.findall(r"--birnn-([\w-]+):", css))
    assert {"forward", "concat", "output"} <= used and used <= set(PALETTE) | own
    assert not {c.upper() for c in PALETTE.values()} & set(re.findall(r"#[0-9A-Fa-f]{6}", css))
    js = VIEW.read_text()
    assert "root.style.setProperty(`--birnn-${role}`, colour)" in js


@pytest.mark.site
def test_the_compiled_kernel_in_fillin_js_is_current():
    """book/fillin.js carries book/fillin_kernel.wat compiled (tools/wasm.mjs, wabt from
    npm); an edit of the .wat without `make wasm` fails here."""
    import subprocess

    from paths import ROOT

    if not (ROOT / "node_modules" / "wabt").is_dir():
        pytest.fail("wabt is missing: run `npm ci` (make vendor does)")
    out = subprocess.run(
        ["node", "tools/wasm.mjs", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
