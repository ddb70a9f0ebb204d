"""The views' rules against Python's, under Node: no browser, so `make test-fast` sees drift.

Python owns every word and rule; the views repeat only what the website needs with no kernel,
as named exports beside their default one (tests/js_parity.mjs runs them):

* explorer.js: ``validate`` (:func:`book.explorer.validate_sizes`), ``shapesOf``
  (:func:`~book.explorer.predict_shapes`) and ``layout`` (:func:`~book.explorer.layout`, at
  the full width and at narrower ones, as the view re-flows on a phone); the table of blocks
  and the words come from Python (:func:`~book.explorer.view_config`);
* fillin.js: ``parse`` (:func:`book.fillin.parse`: ids and messages), the mask id (the
  vocabulary's), and the models (``debugApi``: logits, blank distributions and highlights,
  with every look-ahead, on the WebAssembly kernel and in plain JavaScript) against PyTorch
  (:func:`~book.fillin.blank_probs`, :func:`~book.fillin.influence`).

Both languages' words are checked. The last tests change a copy of each view, one rule at a
time, and expect these checks to find it: they can fail.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
import torch
from paths import ROOT

from book import explorer as ex
from book import fillin, pretrained
from book.i18n import tr, view_words
from book.text import TokenRNN, Vocab

RUNNER = ROOT / "tests" / "js_parity.mjs"
LANGS = ["en", "zh"]


def node(module: Path, calls: list, *, setup: list | None = None, globals_=None) -> dict:
    """Run ``calls`` ([export name, *args]) on ``module`` under Node: {answers, engine}."""
    if shutil.which("node") is None:
        pytest.fail("node is missing: the project needs Node 20 (README)")
    request = {"module": str(module), "globals": globals_ or {}, "setup": setup, "calls": calls}
    out = subprocess.run(
        ["node", str(RUNNER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# ---- The explorer --------------------------------------------------------------------------


def size_sets(count: int = 60, seed: int = 0) -> list[dict]:
    """The smallest and largest sizes, the defaults, and ``count`` random valid sets."""
    rng = random.Random(seed)
    sets = [
        ex.DEFAULTS,
        {k: low for k, (low, _, _) in ex.LIMITS.items()},
        {k: high for k, (_, high, _) in ex.LIMITS.items()},
    ]
    sets += [
        {k: rng.randint(low, high) for k, (low, high, _) in ex.LIMITS.items()} for _ in range(count)
    ]
    return sets


def expected_validation(raw: dict, lang: str):
    """What the view must answer for ``raw`` (numbers, or a number box's text), size by size
    in order: Python's rule applied to the number in the box; for text that is no number,
    the view's own message (its words from the catalog)."""
    numbers = {}
    for name in ex.LIMITS:
        value = raw[name]
        if isinstance(value, str) and value.strip() == "":
            return None, tr("{allowed}; the box is empty", lang, allowed=_allowed(name, lang))
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return None, tr(
                    "{allowed}; got {value}",
                    lang,
                    allowed=_allowed(name, lang),
                    value=json.dumps(value),
                )
        try:
            numbers.update({name: ex.validate_sizes({name: value}, lang=lang)[name]})
        except ValueError as err:
            return None, str(err)
    return numbers, None


def _allowed(name: str, lang: str) -> str:
    low, high, _ = ex.LIMITS[name]
    return tr(
        "{name} ({desc}) must be a whole number from {low} to {high}",
        lang,
        name=name,
        desc=tr(ex.DESCRIPTIONS[name], lang),
        low=low,
        high=high,
    )


# Values in both languages' notation alike (2.5, 1000000); Python writes 1e-9 as 1e-09 and
# JavaScript 1e21 as 1e+21, each echoing the value in its own notation, so those stay out.
NUMBERS = [0, -1, -64, 0.5, 2.5, -1.5, 63.75, 3.0, 65, 51, 10**6]
BOX_TEXTS = ["7", " 12 ", "", "   ", "abc", "2.5", "1e2", "-3", "4.0"]


def validation_cases(seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    cases = []
    for name, (low, high, _) in ex.LIMITS.items():
        for value in [low, high, (low + high) // 2, low - 1, high + 1, *NUMBERS, *BOX_TEXTS]:
            cases.append({**ex.DEFAULTS, name: value})
    pool = [*NUMBERS, *BOX_TEXTS, 1, 2, 4]
    for _ in range(60):  # several bad sizes at once: the first one is reported
        cases.append(
            {k: rng.choice(pool) if rng.random() < 0.4 else v for k, v in ex.DEFAULTS.items()}
        )
    return cases


def explorer_mismatches(view: Path = ex.VIEW) -> list[str]:
    """Every disagreement between ``view``'s rules and Python's, in both languages."""
    found, sizes = [], size_sets()
    widths = [ex.MAX_ROW_PX, 363, 120]  # a desktop column, a phone, a sliver
    for lang in LANGS:
        cfg, t = ex.view_config(lang), {"$words": view_words(ex.VIEW, lang)}
        cases = validation_cases()
        calls = (
            [["validate", raw, cfg, t] for raw in cases]
            + [["shapesOf", s] for s in sizes]
            + [["layout", s, {**cfg, "max_row_px": w}] for s in sizes for w in widths]
        )
        answers = iter(node(view, calls)["answers"])
        for raw in cases:
            got = next(answers).get("value")
            if got != list(expected_validation(raw, lang)):
                found.append(f"{lang} validate {raw}: {got} != {expected_validation(raw, lang)}")
        for s in sizes:
            got, want = next(answers).get("value"), ex.predict_shapes(s)
            if got != {k: list(v) for k, v in want.items()}:
                found.append(f"shapesOf {s}: {got} != {want}")
        for s in sizes:
            for w in widths:
                found += _layout_mismatches(
                    next(answers),
                    ex.layout(s, lang=lang, max_row_px=w),
                    f"{lang} layout {s} at {w}px",
                )
    return found


def _layout_mismatches(answer: dict, blocks: list, where: str) -> list[str]:
    got = answer.get("value") or []
    if [b["key"] for b in got] != [b.key for b in blocks]:
        return [f"{where}: blocks {[b.get('key') for b in got]} ({answer.get('error')})"]
    found = []
    for js, b in zip(got, blocks):
        same = (
            js["name"],
            js["formula"],
            tuple(js["shape"]),
            js["role"],
            js["row"],
            js["split"],
            js["label"],
        ) == (b.name, b.formula, b.shape, b.role, b.row, b.split, b.label)
        close = all(abs(js[k] - getattr(b, k)) <= 1e-9 for k in ("x", "y", "width", "height"))
        if not (same and close):
            found.append(f"{where}: {b.key}: {js} != {b}")
    return found


def test_explorer_rules_equal_pythons():
    assert explorer_mismatches() == []


def test_the_cases_reach_every_message():
    """The validation cases meet each of validate_sizes' messages and the view's own, and
    valid sizes too."""
    outcomes = [expected_validation(raw, "en") for raw in validation_cases()]
    messages = " | ".join(m for _, m in outcomes if m)
    for ending in (
        "the box is empty",
        "got 0 |",
        'got "abc"',
        "which is not a whole number",
        "which is too large to draw or to check quickly here",
    ):
        assert ending in messages, ending
    assert any(sizes for sizes, _ in outcomes)


# ---- The fill-in demo ----------------------------------------------------------------------

VOCAB = Vocab("abcdefghijklmnopqrstuvwxyz ")
SENTENCES = [
    "in _he night",
    "the t_me tr_veller",
    "_he time machine is a strange devic_",
    "_ _ _",
    "a_b",
]
LOOKAHEADS = [0, 1, 2, 3, 4, 8, 16, None]  # the control's steps, and one between them
PARSE_TEXTS = [
    "",
    "   ",
    "\t\n",
    "\x1c",
    "\x85",
    "\u3000",
    "\ufeff",
    "\u200b",
    "no blank here",
    "x" * 2000,
    "a" * 48 + "_",
    "a" * 49 + "_",
    "h3llo, w_rld",
    "caf\u00e9 _",
    "日本語の_",
    "emoji \U0001f600 _",
    "\U0001f600\U0001f601 a_",
    "The _at",
    "IN _HE NIGHT",
    "\u0130stanbul _",
    "\u03a3\u039f\u03a3 _",
    "ﬁ _",
    "_",
    "__",
    "_ _ _",
    "a_b_c",
    "the time traveller said that it was a very good _",
    "tab\t_",
    "dash-_",
    "\u00a0_",
]


def tiny_models(seed: int = 0):
    """Random models; the bidirectional one's odd hidden size pads the WebAssembly rows."""
    torch.manual_seed(seed)
    return (
        TokenRNN(len(VOCAB), 12, bidirectional=False, embed_size=5),
        TokenRNN(len(VOCAB), 7, bidirectional=True, embed_size=5),
    )


def shipped_models():
    """The models the website runs (book/models)."""
    return pretrained.load("left to right", 0), pretrained.load("bidirectional", 0)


def parse_mismatches(view: Path = fillin.VIEW) -> list[str]:
    data = fillin.export_models(*tiny_models(), VOCAB)
    found = []
    for lang in LANGS:
        t = {"$words": view_words(fillin.VIEW, lang)}
        answers = node(view, [["parse", text, data, t] for text in PARSE_TEXTS])["answers"]
        for text, answer in zip(PARSE_TEXTS, answers):
            try:
                want = [fillin.parse(text, VOCAB, lang).tolist(), None]
            except ValueError as err:
                want = [None, str(err)]
            if answer.get("value") != want:
                found.append(f"{lang} parse {text!r}: {answer} != {want}")
    return found


def test_parse_equals_pythons_ids_and_messages():
    assert parse_mismatches() == []


def test_the_mask_id_is_the_vocabularys():
    data = fillin.export_models(*tiny_models(), VOCAB)
    moved = {**data, "tokens": ["a", "<pad>", "b", "<mask>"]}
    answers = node(
        fillin.VIEW,
        [["maskIdOf", data], ["maskIdOf", moved], ["maskIdOf", {**data, "tokens": ["a", "b"]}]],
    )["answers"]
    assert [a.get("value") for a in answers[:2]] == [Vocab.mask_id, 3]
    assert "no <mask> token" in answers[2]["error"]


def model_mismatches(
    models, engine: str, view: Path = fillin.VIEW, sentences=SENTENCES, lookaheads=LOOKAHEADS
) -> list[str]:
    """The view's logits, blank distributions (1e-5) and highlights (5e-6) against PyTorch's
    (float32 PyTorch against the kernel's float32 or plain JavaScript's float64)."""
    uni, bi = models
    data = fillin.export_models(uni, bi, VOCAB)
    calls, expected = [], []
    for text in sentences:
        ids = fillin.parse(text, VOCAB)
        blanks = int((ids == Vocab.mask_id).sum())
        for role, model in (("uni", uni), ("bi", bi)):
            with torch.no_grad():
                calls.append(["logits", role, text])
                expected.append((model(ids[:, None])[:, 0].double(), 1e-5))
            for k in lookaheads:
                calls.append(["blankProbs", role, text, k])
                expected.append((fillin.blank_probs(model, ids, lookahead=k), 1e-5))
                for blank in range(blanks):
                    calls.append(["influence", role, text, blank, k])
                    expected.append((fillin.influence(model, ids, blank, lookahead=k), 5e-6))
    answer = node(
        view, calls, setup=["debugApi", data], globals_={"BIRNN_FILLIN_NO_WASM": engine == "js"}
    )
    found = [] if answer["engine"] == engine else [f"engine {answer['engine']}, not {engine}"]
    for call, got, (want, tol) in zip(calls, answer["answers"], expected):
        value = got.get("value")
        if value is None or torch.tensor(value).shape != want.shape:
            found.append(f"{call}: {got} has not the shape {tuple(want.shape)}")
        elif (torch.tensor(value, dtype=torch.float64) - want).abs().max() > tol:
            found.append(f"{call}: off by {(torch.tensor(value) - want).abs().max():.2e}")
    return found


@pytest.mark.parametrize("engine", ["wasm", "js"])
def test_random_models_equal_pytorch(engine):
    assert model_mismatches(tiny_models(), engine) == []


@pytest.mark.parametrize("engine", ["wasm", "js"])
def test_the_shipped_models_equal_pytorch(engine):
    """The website's models, on one sentence (PyTorch's reference highlights re-run the
    model once a character: seconds for these sizes)."""
    assert (
        model_mismatches(
            shipped_models(), engine, sentences=["the t_me tr_veller"], lookaheads=[2, None]
        )
        == []
    )


# ---- These checks can fail -------------------------------------------------------------------


def changed(view: Path, tmp_path: Path, old: str, new: str) -> Path:
    """A copy of ``view`` with one rule changed (``old`` must occur exactly once)."""
    text = view.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    copy = tmp_path / view.name
    copy.write_text(text.replace(old, new), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    "old, new",
    [
        ("if (value > high) {", "if (value >= high) {"),  # a limit
        ("const h = s.h_f + s.h_b;", "const h = s.h_f + s.h_b + (s.L > 3 ? 1 : 0);"),  # a shape
        ('role === "concat" ? s.h_f : 0;', 'role === "concat" ? s.h_b : 0;'),  # a split
        ("x + panel > cfg.max_row_px)", "x + panel > cfg.max_row_px + 40)"),  # wrapping
        ("{allowed}; got {value}, which is not a whole", "{allowed}: got {value}, not whole"),
    ],
)
def test_a_changed_explorer_rule_is_caught(tmp_path, old, new):
    assert explorer_mismatches(changed(ex.VIEW, tmp_path, old, new))


@pytest.mark.parametrize(
    "old, new",
    [
        ("if (chars.length > data.max_chars) {", "if (chars.length > data.max_chars + 1) {"),
        (".sort((a, b) => a.codePointAt(0) - b.codePointAt(0));", ";"),
        ("\\x1c-\\x1f \\x85", " "),  # JavaScript's idea of space
    ],
)
def test_a_changed_parse_rule_is_caught(tmp_path, old, new):
    assert parse_mismatches(changed(fillin.VIEW, tmp_path, old, new))


@pytest.mark.parametrize(
    "engine, old, new",
    [
        (
            "js",
            "H[off + j] = (1 - z) * n + z * H[off + j];",  # the GRU update
            "H[off + j] = (1 - z) * n + z * H[off + j] * 0.99;",
        ),
        ("wasm", "b[row] = dir.bhh[j];", "b[row] = 1.01 * dir.bhh[j];"),  # the kernel's weights
        (
            "wasm",
            "const end = k < 0 ? ids.length : Math.min(ids.length, t + k + 1);",  # the cut
            "const end = k < 0 ? ids.length : Math.min(ids.length, t + k + 2);",
        ),
        (
            "js",
            "if (ids[s] !== maskId) (s < t ? before : after).push(s);",  # which are hidden
            "if (ids[s] !== maskId && s !== 0) (s < t ? before : after).push(s);",
        ),
    ],
)
def test_a_changed_model_rule_is_caught(tmp_path, engine, old, new):
    view = changed(fillin.VIEW, tmp_path, old, new)
    assert model_mismatches(
        tiny_models(), engine, view, sentences=SENTENCES[:2], lookaheads=[1, None]
    )
