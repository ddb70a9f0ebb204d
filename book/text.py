"""Tokens as tensors: a vocabulary, masking, batching and the chapter's small GRU model.

The fill-in-the-blank and language-modelling experiments of "Context in action" and the
polysemy lab of the exercises share this pipeline. Sequences are time-first, ``(T, n)``
token ids, as everywhere in the chapter.
"""

from __future__ import annotations

import re

import torch
from torch import nn

from book.i18n import tr
from book.shapes import describe, validate_size

__all__ = [
    "PAD",
    "MASK",
    "preprocess",
    "Vocab",
    "split_windows",
    "batches",
    "mask_tokens",
    "masked_batches",
    "masked_loss",
    "TokenRNN",
    "count_parameters",
]

PAD = "<pad>"
MASK = "<mask>"


def preprocess(text: str) -> str:
    """Lower-case ``text`` and turn every run of non-letters into one space.

    A 27-symbol alphabet (a-z and space) keeps the models small and the examples readable.
    """
    return re.sub("[^a-z]+", " ", text.lower()).strip()


class Vocab:
    """Maps tokens to integer ids and back: characters for The Time Machine, words for the
    polysemy lab of the exercises.

    Id 0 is ``<pad>`` and id 1 is ``<mask>``, so neither can collide with a token; the
    tokens follow in sorted order.

    Args:
        tokens: every token that may ever be encoded; a string gives its characters.
    """

    pad_id, mask_id = 0, 1

    def __init__(self, tokens):
        self.idx_to_token = [PAD, MASK] + sorted(set(tokens) - {PAD, MASK})
        self.token_to_idx = {tok: i for i, tok in enumerate(self.idx_to_token)}

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def encode(self, tokens) -> torch.Tensor:
        """Ids of ``tokens`` (a string's characters, or a list of words): a 1-D ``int64`` tensor."""
        unknown = sorted({t for t in tokens if t not in self.token_to_idx}, key=str)
        if unknown:
            known = self.idx_to_token[2:]
            shown = "".join(known) if all(len(t) == 1 for t in known) else known
            raise ValueError(
                tr(
                    "Vocab.encode: {unknown} not in the vocabulary {shown}",
                    unknown=unknown,
                    shown=repr(shown),
                )
            )
        return torch.tensor([self.token_to_idx[t] for t in tokens], dtype=torch.long)

    def decode(self, ids, mask: str = "_", pad: str = "", sep: str = "") -> str:
        """The text that ``ids`` (a 1-D tensor or list) spell, tokens joined by ``sep``;
        ``<mask>`` shows as ``mask`` and ``<pad>`` as ``pad``."""
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        shown = {self.pad_id: pad, self.mask_id: mask}
        out = []
        for i in ids:
            if not 0 <= i < len(self):
                raise ValueError(
                    tr("Vocab.decode: id {i} is outside 0..{last}", i=i, last=len(self) - 1)
                )
            out.append(shown.get(i, self.idx_to_token[i]))
        return sep.join(out)


def split_windows(ids: torch.Tensor, num_steps: int) -> torch.Tensor:
    """Cut a 1-D id tensor into consecutive, non-overlapping windows.

    Outputs:
        windows: (num_windows, num_steps); the incomplete tail is dropped.
    """
    num_steps = validate_size("num_steps", num_steps, owner="split_windows")
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1:
        raise ValueError(
            tr("split_windows expected a 1-D id tensor, got {value}", value=describe(ids))
        )
    num_windows = len(ids) // num_steps
    if num_windows == 0:
        raise ValueError(
            tr(
                "split_windows: {count} ids make no window of {num_steps}",
                count=len(ids),
                num_steps=num_steps,
            )
        )
    return ids[: num_windows * num_steps].reshape(num_windows, num_steps)


def batches(windows: torch.Tensor, batch_size: int, *, generator=None, shuffle=True):
    """Yield time-first batches ``(T, n)`` of windows, each window once per pass.

    Args:
        windows: (num_windows, T) token ids.
        batch_size: n; the last batch of a pass may be smaller.
        generator: the ``torch.Generator`` that shuffles, so runs repeat exactly.
        shuffle: visit the windows in random order.
    """
    batch_size = validate_size("batch_size", batch_size, owner="batches")
    if not isinstance(windows, torch.Tensor) or windows.dim() != 2:
        raise ValueError(
            tr(
                "batches expected windows of shape (num_windows, T), got {value}",
                value=describe(windows),
            )
        )
    order = (
        torch.randperm(len(windows), generator=generator) if shuffle else torch.arange(len(windows))
    )
    for start in range(0, len(windows), batch_size):
        yield windows[order[start : start + batch_size]].T.contiguous()  # (T, n)


def mask_tokens(
    tokens: torch.Tensor, num_masked: int, *, mask_id: int, pad_id: int, generator=None
):
    """Hide ``num_masked`` random non-padding characters of every sequence.

    Inputs:
        tokens: (T, n) token ids; positions equal to ``pad_id`` are never chosen.

    Outputs: inputs, masked
        inputs: (T, n) a copy of ``tokens`` with the chosen positions set to ``mask_id``.
        masked: (T, n) bool, True where a character was hidden (the positions to predict).
    """
    num_masked = validate_size("num_masked", num_masked, owner="mask_tokens")
    if not isinstance(tokens, torch.Tensor) or tokens.dim() != 2:
        raise ValueError(
            tr("mask_tokens expected tokens of shape (T, n), got {value}", value=describe(tokens))
        )
    real = tokens != pad_id  # (T, n)
    fewest = int(real.sum(0).min())
    if fewest < num_masked:
        raise ValueError(
            tr(
                "mask_tokens: a sequence has only {fewest} non-padding tokens, "
                "cannot mask {num_masked}",
                fewest=fewest,
                num_masked=num_masked,
            )
        )
    # Random keys, with padding pushed below every real key: the top num_masked keys of
    # each column are then distinct, uniformly chosen, real positions.
    keys = torch.rand(tokens.shape, generator=generator).masked_fill(~real, -1.0)
    chosen = keys.topk(num_masked, dim=0).indices  # (num_masked, n)
    masked = torch.zeros_like(real).scatter_(0, chosen, True)  # (T, n)
    return tokens.masked_fill(masked, mask_id), masked


def masked_batches(
    windows: torch.Tensor, batch_size: int, num_masked: int, vocab: Vocab, *, generator=None
):
    """One pass of fill-in-the-blank batches: ``(inputs, tokens, masked)`` each ``(T, n)``.

    Shuffles ``windows`` (num_windows, T) with :func:`batches` and hides ``num_masked``
    tokens of every sequence with :func:`mask_tokens`, all drawn from ``generator``.
    """
    for tokens in batches(windows, batch_size, generator=generator):  # (T, n)
        inputs, masked = mask_tokens(
            tokens, num_masked, mask_id=vocab.mask_id, pad_id=vocab.pad_id, generator=generator
        )
        yield inputs, tokens, masked


def masked_loss(model, batch) -> torch.Tensor:
    """Cross-entropy of ``model``'s guesses at the hidden positions of a masked batch."""
    inputs, tokens, masked = batch
    logits = model(inputs)  # (T, n, q)
    return nn.functional.cross_entropy(logits[masked], tokens[masked])


class TokenRNN(nn.Module):
    """Embedding, one GRU layer (one direction or two), and a linear read-out per step.

    The chapter's one model family: the fill-in-the-blank and language models of "Context
    in action" and the polysemy encoder of the exercises. It uses PyTorch's ``nn.GRU`` for
    its gates, not for speed: they decide what each state keeps, so a state can carry what
    it read many steps back, which the plain tanh recurrence of the scratch layers tends to
    lose.

    Args:
        vocab_size: q, the number of token ids (inputs and outputs).
        hidden_size: h, hidden units per direction.
        bidirectional: read the sequence both ways and concatenate the states.
        embed_size: size of the learned token embeddings, d.
        reverse: a one-direction model that reads right to left (the sequence is flipped
            in time before the GRU and its states flipped back).

    Inputs: X
        X: (T, n) token ids.

    Outputs: logits
        logits: (T, n, q) scores for the token at every step; :meth:`states` gives the
        (T, n, h or 2h) states they are read from.
    """

    def __init__(self, vocab_size, hidden_size, bidirectional, embed_size=16, reverse=False):
        super().__init__()
        if reverse and bidirectional:
            raise ValueError(
                tr(
                    "TokenRNN: reverse=True is for a one-direction model; a "
                    "bidirectional one already reads both ways"
                )
            )
        self.reverse = bool(reverse)
        self.vocab_size = validate_size("vocab_size", vocab_size, owner="TokenRNN")
        self.hidden_size = validate_size("hidden_size", hidden_size, owner="TokenRNN")
        self.bidirectional = bool(bidirectional)
        self.embedding = nn.Embedding(
            vocab_size, validate_size("embed_size", embed_size, owner="TokenRNN")
        )
        self.rnn = nn.GRU(embed_size, hidden_size, bidirectional=self.bidirectional)
        self.head = nn.Linear(hidden_size * (2 if self.bidirectional else 1), vocab_size)

    def states(self, X):
        """The GRU's states at every step: (T, n, h), or (T, n, 2h) forward half first."""
        if not isinstance(X, torch.Tensor) or X.dim() != 2 or X.dtype != torch.long:
            raise ValueError(
                tr(
                    "TokenRNN expected X of shape (T, n) and dtype torch.int64, got {value}",
                    value=describe(X),
                )
            )
        if self.reverse:
            X = X.flip(0)
        outputs, _ = self.rnn(self.embedding(X))  # (T, n, h or 2h)
        return outputs.flip(0) if self.reverse else outputs

    def forward(self, X):
        return self.head(self.states(X))  # (T, n, q)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
