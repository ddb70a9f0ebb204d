"""book.fillin: the packed models round-trip exactly, sentences are checked with clear
messages, and the reference influence is what its definition says (the JavaScript view is
compared with these in tests/test_fillin_browser.py)."""
from __future__ import annotations

import json

import pytest
import torch

from book.fillin import (
    BLANK,
    FORMAT,
    MAX_CHARS,
    FillInDemo,
    blank_probs,
    export_models,
    influence,
    load_models,
    parse,
    top_guesses,
)
from book.text import TokenRNN, Vocab

VOCAB = Vocab("abcdefghijklmnopqrstuvwxyz ")


def models(seed=0):
    torch.manual_seed(seed)
    return (TokenRNN(len(VOCAB), 12, bidirectional=False, embed_size=5),
            TokenRNN(len(VOCAB), 7, bidirectional=True, embed_size=5))


def test_packed_models_reload_bit_for_bit_and_stay_compact():
    uni, bi = models()
    packed = export_models(uni, bi, VOCAB)
    assert packed["format"] == FORMAT and packed["tokens"] == VOCAB.idx_to_token
    text = json.dumps(packed)
    params = sum(p.numel() for m in (uni, bi) for p in m.parameters())
    assert packed["models"]["uni"]["parameters"] + packed["models"]["bi"]["parameters"] == params
    assert len(text) < 4 * params * 4 / 3 + 2000           # base64 float32 plus a small header
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


@pytest.mark.parametrize("text, message", [
    ("", "Type a sentence, with _ for each character to guess."),
    ("   ", "Type a sentence, with _ for each character to guess."),
    ("no blank here", "No blank yet: type _ where a character is hidden."),
    ("x" * 2000, f"The sentence has 2000 characters; the demo reads at most {MAX_CHARS}."),
    ("h3llo, w_rld", "The models know only a-z and the space (the book was read in lower "
                     "case, without digits or punctuation); remove ',' '3'."),
    ("caf\u00e9 _", "remove '\u00e9'."),
])
def test_parse_explains_what_it_cannot_read(text, message):
    with pytest.raises(ValueError) as err:
        parse(text, VOCAB)
    assert str(err.value).endswith(message)


def test_messages_exist_in_both_languages():
    from book.fillin import MESSAGES

    assert set(MESSAGES["zh"]) == set(MESSAGES["en"])
    with pytest.raises(ValueError, match="还没有空"):
        parse("abc", VOCAB, lang="zh")


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
        assert (scores[ids == VOCAB.mask_id] == 0).all()           # blanks are not scored
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
    assert (influence(uni, ids, 0)[t + 1:] == 0).all()
    assert influence(bi, ids, 0)[t + 1:].max() > 0


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


def test_saved_widget_views_are_the_current_ones():
    """The site draws widgets from the code saved with the notebook (their _esm and _css):
    after an edit of book/*.js or *.css, `make execute` must re-save them."""
    from paths import NOTEBOOKS, ROOT

    views = {p.read_text(): p.name for p in (ROOT / "book").glob("*.js")}
    styles = {p.read_text(): p.name for p in (ROOT / "book").glob("*.css")}
    seen = set()
    for path in NOTEBOOKS:
        widgets = json.loads(path.read_text())["metadata"].get("widgets", {})
        state = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
        for model in state.values():
            if model["model_module"] != "anywidget":
                continue
            esm, css = model["state"]["_esm"], model["state"]["_css"]
            assert esm in views, f"{path.name}: a saved widget view is stale; run make execute"
            assert css in styles, f"{path.name}: a saved widget style is stale; run make execute"
            seen.add(views[esm])
    assert {"explorer.js", "fillin.js"} <= seen


@pytest.mark.site
def test_the_compiled_kernel_in_fillin_js_is_current():
    """book/fillin.js carries book/fillin_kernel.wat compiled (tools/wasm.mjs, wabt from
    npm); an edit of the .wat without `make wasm` fails here."""
    import subprocess

    from paths import ROOT

    if not (ROOT / "node_modules" / "wabt").is_dir():
        pytest.fail("wabt is missing: run `npm ci` (make vendor does)")
    out = subprocess.run(["node", "tools/wasm.mjs", "--check"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
