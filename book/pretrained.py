"""The chapter's pre-trained character models: their recipe, their files and their scores.

"Context in action" compares readers of *The Time Machine* that were trained close to
convergence, which takes minutes rather than the seconds a notebook may spend. So
``make train-models`` (``tools/train_models.py``) trains them once, from the recipe in
:data:`RECIPE`, with fixed seeds on one CPU thread, and ships their weights in
``book/models/`` as safetensors files (plain tensors, no pickle) beside ``manifest.json``,
which records the recipe, the torch version, the wall time, the first training losses
and the held-out figures. ``tests/test_pretrained.py`` reloads every model and reproduces
those figures, and re-runs the first steps of the recipe to match the recorded losses.

The fill-in models come in three readers of matched size (parameter counts within 1%):
left to right, right to left and bidirectional, each with three seeds (initialisation and
data order). The two language models (left to right, bidirectional) are those of the
leak experiment.

Held-out blanks (:func:`centre_blanks`) are single hidden characters with
``CONTEXT`` characters of text on each side, drawn from the held-out tenth of the book.
:class:`LeftCounts` is the count-table baseline: the character that most often follows the
previous few characters in the training text.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from functools import cache
from importlib import resources
from pathlib import Path

import torch

from book.data import load_time_machine
from book.i18n import N_, tr
from book.text import TokenRNN, Vocab, mask_tokens, preprocess

__all__ = [
    "CONTEXT",
    "RECIPE",
    "READERS",
    "models_dir",
    "manifest",
    "corpus",
    "make_model",
    "random_windows",
    "fill_in_batches",
    "load",
    "centre_blanks",
    "LeftCounts",
    "table_right",
    "both_sides",
    "EXAMPLES",
    "classify",
    "accuracy",
    "lookahead_accuracy",
    "next_char_loss",
]

CONTEXT = 24  # characters each side of a held-out blank
# The readers' names are message ids (book.i18n.tr shows them in the learner's language).
READERS = (N_("left to right"), N_("right to left"), N_("bidirectional"))
# Hidden units per direction: the one-direction readers' width is chosen so that their
# parameter count matches the bidirectional reader's (within 1%; tested).
HIDDEN = {"left to right": 186, "right to left": 186, "bidirectional": 128}

RECIPE = {
    "text": "The Time Machine (book/data), preprocess(): a-z and space",
    "split": "first 90% of the characters for training, the last 10% held out",
    "embed_size": 16,
    "hidden_size": HIDDEN,
    "fill_in": {
        "window": 2 * CONTEXT + 1,
        "blanks_per_window": 2,
        "batch_size": 128,
        "steps": 2400,
        "seeds": [0, 1, 2],
        "windows": "random start positions in the training text, drawn per batch",
    },
    "language_model": {
        "window": 2 * CONTEXT + 1,
        "batch_size": 64,
        "steps": 1600,
        "seeds": [0],
        "readers": ["left to right", "bidirectional"],
    },
    "optimizer": "Adam (book.train.Adam), betas 0.9/0.999, gradient norm clipped to 1",
    "lr": {"peak": 0.01, "warmup_steps": 100, "schedule": "cosine decay to 5% of the peak"},
    "threads": 1,
    "held_out": {
        "stride": 7,
        "context": CONTEXT,
        "blanks": "one hidden character in the middle of each held-out window",
    },
    "count_table": {"order": 6, "backoff": "shorter left contexts until one was seen"},
}


def models_dir() -> Path:
    """The folder of the shipped weights and their manifest."""
    return Path(str(resources.files("book") / "models"))


@cache
def manifest() -> dict:
    """``book/models/manifest.json``: the recipe, the versions and the recorded figures."""
    return json.loads((models_dir() / "manifest.json").read_text(encoding="utf-8"))


@cache
def corpus():
    """``(text, vocab, ids, cut)``: the preprocessed book, its character vocabulary, its
    ids and the index where the held-out tenth begins."""
    text = preprocess(load_time_machine())
    vocab = Vocab(text)
    ids = vocab.encode(text)
    return text, vocab, ids, int(0.9 * len(ids))


def make_model(reader: str, vocab_size: int = 29) -> TokenRNN:
    """A fresh model of the recipe's size for ``reader`` (one of :data:`READERS`)."""
    if reader not in HIDDEN:
        raise ValueError(
            tr(
                "reader must be one of {readers}, got {reader}",
                readers=READERS,
                reader=repr(reader),
            )
        )
    return TokenRNN(
        vocab_size,
        HIDDEN[reader],
        bidirectional=reader == "bidirectional",
        embed_size=RECIPE["embed_size"],
        reverse=reader == "right to left",
    )


def random_windows(ids, num_steps, batch_size, generator):
    """Endless batches ``(num_steps, batch_size)`` of windows starting at random places."""
    while True:
        starts = torch.randint(0, len(ids) - num_steps + 1, (batch_size,), generator=generator)
        yield ids[starts[None, :] + torch.arange(num_steps)[:, None]]


def fill_in_batches(ids, vocab, generator):
    """Endless masked batches ``(inputs, tokens, masked)`` of the fill-in recipe."""
    spec = RECIPE["fill_in"]
    for tokens in random_windows(ids, spec["window"], spec["batch_size"], generator):
        inputs, masked = mask_tokens(
            tokens,
            spec["blanks_per_window"],
            mask_id=vocab.mask_id,
            pad_id=vocab.pad_id,
            generator=generator,
        )
        yield inputs, tokens, masked


def next_char_loss(model, tokens):
    """Cross-entropy of predicting every character from the ones before it (and, for a
    bidirectional model, after it: the leak)."""
    logits = model(tokens[:-1])  # (T - 1, n, q)
    return torch.nn.functional.cross_entropy(logits.flatten(0, 1), tokens[1:].flatten())


def _file(task: str, reader: str, seed: int) -> Path:
    return models_dir() / f"{task}-{reader.replace(' ', '-')}-seed{seed}.safetensors"


def load(reader: str, seed: int = 0, task: str = "fill_in") -> TokenRNN:
    """The shipped model of ``task`` ("fill_in" or "language_model"), in eval mode."""
    from safetensors.torch import load_file

    path = _file(task, reader, seed)
    if not path.exists():
        raise ValueError(
            tr(
                "no shipped {task} model for reader={reader}, seed={seed} "
                "(expected {name}; make train-models writes them)",
                task=task,
                reader=repr(reader),
                seed=seed,
                name=path.name,
            )
        )
    model = make_model(reader)
    model.load_state_dict(load_file(path))
    return model.eval()


def centre_blanks(ids=None, cut=None, stride=None, mask_id=Vocab.mask_id):
    """The held-out questions: ``(inputs, truth)``, inputs ``(2 CONTEXT + 1, n)`` with the
    middle character replaced by ``<mask>``, truth ``(n,)`` the hidden characters."""
    if ids is None:
        _, _, ids, cut = corpus()
    stride = stride or RECIPE["held_out"]["stride"]
    held = ids[cut:]
    width = 2 * CONTEXT + 1
    starts = torch.arange(0, len(held) - width + 1, stride)
    windows = held[starts[None, :] + torch.arange(width)[:, None]]  # (width, n)
    truth = windows[CONTEXT].clone()
    inputs = windows.clone()
    inputs[CONTEXT] = mask_id
    return inputs, truth


class LeftCounts:
    """The count-table baseline: the character that most often followed the previous
    ``order`` characters in ``text``, backing off to shorter contexts never seen.

    ``guess(left)`` returns that character; ``evidence(left)`` the context used, its count
    and the shares of its most frequent continuations.
    """

    def __init__(self, text: str, order: int = RECIPE["count_table"]["order"]):
        self.order = order
        self.table = defaultdict(Counter)
        for k in range(order + 1):
            for i in range(k, len(text)):
                self.table[text[i - k : i]][text[i]] += 1

    def context(self, left: str) -> str:
        for k in range(min(self.order, len(left)), -1, -1):
            if left[len(left) - k :] in self.table:
                return left[len(left) - k :]
        return ""

    def guess(self, left: str) -> str:
        return self.table[self.context(left)].most_common(1)[0][0]

    def evidence(self, left: str, top: int = 2):
        ctx = self.context(left)
        counts = self.table[ctx]
        total = sum(counts.values())
        return ctx, total, [(c, n / total) for c, n in counts.most_common(top)]


def table_right(table: LeftCounts, inputs, truth, vocab: Vocab) -> torch.Tensor:
    """(n,) bool: the held-out questions whose blank the count table fills from the
    ``CONTEXT`` characters on its left."""
    lefts = [vocab.decode(inputs[:CONTEXT, i]) for i in range(len(truth))]
    return torch.tensor(
        [table.guess(left) == vocab.idx_to_token[int(c)] for left, c in zip(lefts, truth)]
    )


def accuracy(model, inputs, truth, position=CONTEXT, right=None):
    """Share of the questions ``model`` answers right, reading ``right`` characters past
    the blank (all of them by default)."""
    end = inputs.shape[0] if right is None else position + 1 + right
    with torch.no_grad():
        guesses = model(inputs[:end])[position].argmax(-1)
    return (guesses == truth).float().mean().item()


def lookahead_accuracy(model, inputs, truth, ks=(0, 1, 2, 4, 8, None)):
    """``{k: accuracy}`` with the text cut ``k`` characters past the blank (None: all)."""
    return {k: accuracy(model, inputs, truth, right=k) for k in ks}


def both_sides(text: str, left: str, right: str, width: int = 3):
    """What fills ``left[-width:] ? right[:width]`` in ``text``: ``(count, [(char, share),
    ...])``, most frequent first (the evidence that both sides together give)."""
    a, b = left[-width:], right[:width]
    counts = Counter(
        text[i]
        for i in range(len(a), len(text) - len(b))
        if text.startswith(a, i - len(a)) and text.startswith(b, i + 1)
    )
    total = sum(counts.values())
    return total, [(c, n / total) for c, n in counts.most_common(3)]


# Sentences for the examples and the demo's buttons, each with its hidden character; the
# notebook sorts them by what the training text's counts say (:func:`classify`) and asserts
# what each model does with them.
EXAMPLES = {
    "the w_ite sphinx": "h",
    "he th_n said": "e",
    "weena was _ery small": "v",
    "my _ands were": "h",
    "a c_ild": "h",
    "the _orlocks": "m",
    "i felt _ery": "v",
    "i _ent into the garden": "w",
    "the _iver": "r",
    "the time tr_veller": "a",
    "the q_een": "u",
    "the la_p was lit": "m",
}


def classify(table: LeftCounts, text: str, sentence: str, truth: str) -> str:
    """What the counts of ``text`` say about the blank of ``sentence``:

    * ``"left suffices"``: the left context's likeliest continuation is the truth, at 90%
      or more;
    * ``"right decides"``: the left context makes another character likeliest, and among
      the places where the three characters on each side occur, the truth is the commonest
      filler;
    * ``"unseen"``: those three-and-three characters never occur in the text, so neither
      count says anything;
    * ``"other"``: anything else.
    """
    t = sentence.index("_")
    left, right = sentence[:t], sentence[t + 1 :]
    _, _, ranked = table.evidence(left, top=1)
    count, both = both_sides(text, left, right)
    if ranked[0][0] == truth and ranked[0][1] >= 0.9:
        return "left suffices"
    if count == 0:
        return "unseen"
    if ranked[0][0] != truth and both[0][0] == truth:
        return "right decides"
    return "other"
