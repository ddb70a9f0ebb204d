"""The fill-in-the-blank models of "Context in action", live: type a sentence, see both guesses.

:class:`FillInDemo` is an anywidget whose view (``fillin.js``, styled by ``fillin.css``) runs
the two trained :class:`~book.text.TokenRNN` models itself, in JavaScript: an embedding, one
GRU layer (one direction or two) and the linear read-out, nothing else. The weights travel
with the widget as :func:`export_models` packs them, so the same view works in a kernel (fed
by the models the learner just trained) and in the rendered book (fed by the widget state
saved with the notebook), where no kernel runs. The view's hot loop, one GRU step of many
states at once (recurrent products and gates), is a small WebAssembly SIMD kernel in
float32 like PyTorch (``fillin_kernel.wat``, compiled into ``fillin.js`` by ``make wasm``),
with a plain JavaScript twin in float64 for browsers without WebAssembly SIMD.

A look-ahead control limits how far past each blank the bidirectional model may read: with
look-ahead k, blank t is guessed from the sentence cut k characters after it, so the
backward direction starts at most k characters to its right (the one-direction model never
reads past a blank, so its guesses stay as they are).

The view's words are the English message ids of its ``t("...")`` calls; the widget sends
their translations with its data (``words``, :func:`book.i18n.view_words`), so the view holds
no word table, and its colours (``palette``, :data:`book.figures.PALETTE`). The functions
here are the reference the JavaScript is tested against, under Node
(tests/test_js_parity.py) and in the built page: :func:`parse` (the same checks, with the
same message ids; a blank reads as the vocabulary's ``<mask>``), :func:`blank_probs` (the
distributions at the blanks, with or without a look-ahead) and :func:`influence` (how far
each other character moves a blank's distribution), computed by re-running the PyTorch
models on the whole (or the cut) sentence.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import anywidget
import numpy as np
import torch
import traitlets

from book.figures import PALETTE
from book.i18n import language, tr, view_words
from book.text import MASK, PAD, TokenRNN, Vocab

__all__ = [
    "BLANK",
    "MAX_CHARS",
    "FORMAT",
    "export_models",
    "load_models",
    "parse",
    "blank_probs",
    "influence",
    "top_guesses",
    "FillInDemo",
]

BLANK = "_"  # the character a reader types for a hidden one
MAX_CHARS = 49  # longer text is refused (the models were trained on 49-character windows)
FORMAT = "birnn-fillin/1"
ROLES = ("uni", "bi")  # the one-direction and the bidirectional model, in this order
VIEW = Path(__file__).with_name("fillin.js")


def _tensors(model: TokenRNN) -> list[tuple[str, torch.Tensor]]:
    """The parameters the view needs, in the order the packed data holds them."""
    names = ["embedding.weight"]
    for suffix in ("_l0", "_l0_reverse")[: 2 if model.bidirectional else 1]:
        names += [
            f"rnn.{kind}{suffix}" for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        ]
    names += ["head.weight", "head.bias"]
    params = dict(model.named_parameters())
    return [(name, params[name].detach()) for name in names]


def _export_model(model) -> dict:
    if not isinstance(model, TokenRNN):
        raise TypeError(
            tr(
                "FillInDemo needs TokenRNN models (book.text), got {kind}",
                kind=type(model).__name__,
            )
        )
    tensors = _tensors(model)
    flat = torch.cat([t.reshape(-1) for _, t in tensors]).to(torch.float32).numpy()
    return {
        "hidden_size": model.hidden_size,
        "embed_size": model.embedding.embedding_dim,
        "bidirectional": model.bidirectional,
        "parameters": int(flat.size),
        "tensors": [[name, list(t.shape)] for name, t in tensors],
        # Little-endian float32, base64: 4/3 bytes of text per byte of weights.
        "data": base64.b64encode(flat.astype("<f4").tobytes()).decode("ascii"),
    }


def export_models(one_direction: TokenRNN, bidirectional: TokenRNN, vocab: Vocab) -> dict:
    """Pack both models and their vocabulary for the view: JSON-ready and compact.

    The characters are ``vocab.idx_to_token`` (``<pad>`` and ``<mask>`` first); each model
    carries its sizes, its tensors' names and shapes and one base64 string of float32
    weights in that order.
    """
    if not isinstance(vocab, Vocab):
        raise TypeError(
            tr("FillInDemo needs a book.text.Vocab, got {kind}", kind=type(vocab).__name__)
        )
    tokens = vocab.idx_to_token
    if tokens[:2] != [PAD, MASK] or not all(len(t) == 1 for t in tokens[2:]):
        raise ValueError(
            tr(
                "FillInDemo needs a character vocabulary (<pad>, <mask>, then "
                "single characters), got {tokens}...",
                tokens=tokens[:6],
            )
        )
    if BLANK in tokens:
        raise ValueError(f"the blank character {BLANK!r} must not be in the vocabulary")
    models = {"uni": one_direction, "bi": bidirectional}
    packed = {}
    for role, model in models.items():
        packed[role] = _export_model(model)
        if model.vocab_size != len(vocab):
            raise ValueError(
                tr(
                    "the {role} model scores {scored} tokens but the vocabulary has {size}",
                    role=role,
                    scored=model.vocab_size,
                    size=len(vocab),
                )
            )
    if packed["uni"]["bidirectional"] or not packed["bi"]["bidirectional"]:
        raise ValueError(
            tr(
                "FillInDemo(one_direction, bidirectional, vocab): pass the "
                "one-direction model first and the bidirectional one second"
            )
        )
    return {
        "format": FORMAT,
        "tokens": tokens,
        "blank": BLANK,
        "max_chars": MAX_CHARS,
        "models": packed,
    }


def load_models(packed: dict) -> tuple[dict[str, TokenRNN], Vocab]:
    """The PyTorch models and vocabulary that :func:`export_models` packed (for tests)."""
    if packed.get("format") != FORMAT:
        raise ValueError(
            f"expected fill-in data of format {FORMAT!r}, got {packed.get('format')!r}"
        )
    tokens = packed["tokens"]
    vocab = Vocab(tokens[2:])
    assert vocab.idx_to_token == tokens
    models = {}
    for role in ROLES:
        spec = packed["models"][role]
        model = TokenRNN(
            len(tokens), spec["hidden_size"], spec["bidirectional"], embed_size=spec["embed_size"]
        )
        flat = torch.from_numpy(np.frombuffer(base64.b64decode(spec["data"]), dtype="<f4").copy())
        state, offset = {}, 0
        for name, shape in spec["tensors"]:
            size = int(np.prod(shape))
            state[name] = flat[offset : offset + size].reshape(shape)
            offset += size
        if offset != flat.numel():
            raise ValueError(f"{role}: {flat.numel()} weights packed, {offset} described")
        model.load_state_dict(state)
        models[role] = model.eval()
    return models, vocab


def parse(text: str, vocab: Vocab, lang: str | None = None) -> torch.Tensor:
    """Token ids of a sentence typed with ``_`` for each hidden character: a 1-D tensor.

    Upper case reads as lower case. Raises ``ValueError`` with the message the view shows
    (in ``lang``, "en" or "zh"; by default :func:`book.i18n.language`) for an empty
    sentence, one too long, characters the models never saw, or no blank.
    """
    if not isinstance(text, str):
        raise TypeError(
            tr("expected the sentence as a str, got {kind}", lang, kind=type(text).__name__)
        )
    text = text.lower()
    # The same message ids as the view's parse() in fillin.js.
    if not text.strip():
        raise ValueError(tr("Type a sentence, with _ for each character to guess.", lang))
    if len(text) > MAX_CHARS:
        raise ValueError(
            tr(
                "The sentence has {n} characters; the demo reads at most {max}.",
                lang,
                n=len(text),
                max=MAX_CHARS,
            )
        )
    known = set(vocab.idx_to_token[2:]) | {BLANK}
    unknown = sorted(set(text) - known)
    if unknown:
        shown = " ".join(f"'{c}'" for c in unknown)
        raise ValueError(
            tr(
                "The models know only a-z and the space (the book was read in "
                "lower case, without digits or punctuation); remove {shown}.",
                lang,
                shown=shown,
            )
        )
    if BLANK not in text:
        raise ValueError(tr("No blank yet: type _ where a character is hidden.", lang))
    return torch.tensor(
        [vocab.mask_id if c == BLANK else vocab.token_to_idx[c] for c in text], dtype=torch.long
    )


def _check_lookahead(lookahead, owner: str) -> int | None:
    """``lookahead`` if it is None or an int >= 0, else a ValueError that says so."""
    if lookahead is None:
        return None
    if isinstance(lookahead, bool) or not isinstance(lookahead, (int, np.integer)) or lookahead < 0:
        raise ValueError(
            tr(
                "{owner}: lookahead must be None (the whole sentence) or an int "
                ">= 0 (characters read past each blank), got {value}",
                owner=owner,
                value=repr(lookahead),
            )
        )
    return int(lookahead)


def _cut(ids: torch.Tensor, t: int, lookahead: int | None) -> torch.Tensor:
    """The sentence as the model reads it for position ``t``: cut ``lookahead`` past it."""
    return ids if lookahead is None else ids[: t + lookahead + 1]


def blank_probs(model: TokenRNN, ids: torch.Tensor, lookahead: int | None = None) -> torch.Tensor:
    """The model's distribution over characters at every blank: (num_blanks, q), float64.

    With ``lookahead=k`` (an int >= 0) each blank at position t is scored by running the
    model on ``ids[:t + k + 1]`` only, the sentence cut k characters past the blank, so a
    backward direction reads at most k characters beyond it; ``None`` reads the whole
    sentence. A left-to-right model gives the same distributions for every k.
    """
    lookahead = _check_lookahead(lookahead, "blank_probs")
    positions = (ids == Vocab.mask_id).nonzero().flatten().tolist()
    with torch.no_grad():
        if lookahead is None:
            logits = model(ids[:, None])[positions, 0]  # (num_blanks, q)
        else:
            logits = (
                torch.stack([model(_cut(ids, t, lookahead)[:, None])[t, 0] for t in positions])
                if positions
                else torch.zeros(0, model.vocab_size)
            )
    return logits.double().softmax(-1)


def influence(
    model: TokenRNN, ids: torch.Tensor, blank: int, lookahead: int | None = None
) -> torch.Tensor:
    """How much each character decides the guess at blank number ``blank`` (0-based).

    Each other character in turn is replaced by ``<mask>``, the sentence is run again,
    and the entry is the total-variation distance (half the L1 distance, from 0 to 1)
    between the blank's new distribution and the original one. Blanks score 0. With
    ``lookahead=k`` the sentence is the one :func:`blank_probs` cuts for this blank
    (``ids[:t + k + 1]``): the characters beyond t + k are never read and score exactly 0.

    Outputs:
        scores: (T,) float64
    """
    lookahead = _check_lookahead(lookahead, "influence")
    positions = (ids == Vocab.mask_id).nonzero().flatten().tolist()
    t = positions[blank]
    cut = _cut(ids, t, lookahead)
    with torch.no_grad():
        base = model(cut[:, None])[t, 0].double().softmax(-1)
    scores = torch.zeros(len(ids), dtype=torch.float64)
    for s in range(len(cut)):
        if cut[s] == Vocab.mask_id:
            continue
        hidden = cut.clone()
        hidden[s] = Vocab.mask_id
        with torch.no_grad():
            probs = model(hidden[:, None])[t, 0].double().softmax(-1)
        scores[s] = 0.5 * (probs - base).abs().sum()
    return scores


def top_guesses(
    model: TokenRNN, vocab: Vocab, text: str, lookahead: int | None = None
) -> list[str]:
    """Each blank's most likely character under ``model``, in order (see :func:`blank_probs`
    for ``lookahead``)."""
    return [
        vocab.idx_to_token[int(i)]
        for i in blank_probs(model, parse(text, vocab), lookahead).argmax(-1)
    ]


class FillInDemo(anywidget.AnyWidget):
    """Type a sentence with ``_`` for hidden characters; both models guess every blank.

    Args:
        one_direction: the left-to-right :class:`~book.text.TokenRNN`.
        bidirectional: the bidirectional one, trained on the same task.
        vocab: their character :class:`~book.text.Vocab`.
        text: the sentence shown first.
        examples: sentences offered as buttons.
        lang: "en" or "zh" for the view's words; by default :func:`book.i18n.language`.
        lookahead: how many characters past each blank the bidirectional model may read
            (an int >= 0), or None (or -1) for the whole sentence; the view's range control
            offers 0, 1, 2, 4, 8, 16 and all.

    The guesses and the highlights are computed in the view, so they also work in the
    rendered book. ``demo.text`` is the sentence in the box (set it from Python or type);
    ``demo.lookahead`` is the control's value, -1 meaning the whole sentence.
    """

    _esm = VIEW
    _css = Path(__file__).with_name("fillin.css")

    data = traitlets.Dict().tag(sync=True)
    text = traitlets.Unicode("").tag(sync=True)
    examples = traitlets.List(traitlets.Unicode()).tag(sync=True)
    # "en" or "zh": book.i18n.language() by default (Chinese in the zh_CN notebooks), and
    # the view's words in it: {English message id: word} for its t("...") calls.
    lang = traitlets.Unicode("en").tag(sync=True)
    words = traitlets.Dict().tag(sync=True)
    # Characters the bidirectional model may read past each blank; -1: the whole sentence.
    lookahead = traitlets.Int(-1).tag(sync=True)
    # The chapter's colours, which the view sets as CSS custom properties (--birnn-forward...).
    palette = traitlets.Dict(PALETTE).tag(sync=True)

    @traitlets.validate("lookahead")
    def _valid_lookahead(self, proposal):
        value = proposal["value"]
        if value < -1:
            raise ValueError(
                tr(
                    "FillInDemo.lookahead must be -1 (the whole sentence) or an "
                    "int >= 0 (characters read past each blank), got {value}",
                    value=repr(value),
                )
            )
        return value

    def __init__(
        self,
        one_direction,
        bidirectional,
        vocab,
        text="the time tr_veller",
        examples=(),
        lang=None,
        lookahead=None,
    ):
        if lookahead is not None and (
            isinstance(lookahead, bool)
            or not isinstance(lookahead, (int, np.integer))
            or lookahead < -1
        ):
            raise ValueError(
                tr(
                    "FillInDemo(lookahead=...) must be None or -1 (the whole "
                    "sentence) or an int >= 0 (characters read past each blank), "
                    "got {value}",
                    value=repr(lookahead),
                )
            )
        super().__init__()
        self.data = export_models(one_direction, bidirectional, vocab)
        examples = list(examples)
        for sentence in [text, *examples]:
            parse(sentence, vocab)  # a broken example is the author's error: raise now
        self.text, self.examples, self.lang = text, examples, lang or language()
        self.words = view_words(VIEW, self.lang)
        self.lookahead = -1 if lookahead is None else int(lookahead)

    def __repr__(self) -> str:
        return f"FillInDemo(text={self.text!r})"

    def _repr_mimebundle_(self, **kwargs):
        """The live view, and a note for clients that show only trusted widget output."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        sentence = f"<code>{html.escape(self.text)}</code>"
        note = tr(
            "The fill-in-the-blank demo runs here once this cell is run (sentence: {sentence}).",
            self.lang,
            sentence=sentence,
        )
        note = f"<p><em>{note}</em></p>"
        return {**data, "text/html": note}, metadata
