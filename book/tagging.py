"""Per-token tagging with a bidirectional GRU over a padded batch.

A tagger reads a batch of sentences of different lengths, padded to one length T, and
scores every tag at every step. Two things keep the padding out of the result: packing
(so that the backward direction starts at each sentence's own last token instead of on the
padding) and a loss that averages over the valid positions only (:func:`masked_tag_loss`).
"Using bidirectional RNNs" shows that either one alone is not enough.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from book.i18n import tr
from book.shapes import describe, validate_size

__all__ = ["valid_mask", "masked_tag_loss", "Tagger"]


def _lengths(lengths, T: int, n: int, owner: str) -> torch.Tensor:
    if not isinstance(lengths, torch.Tensor):
        lengths = torch.as_tensor(lengths)
    if lengths.shape != (n,) or lengths.dtype.is_floating_point:
        raise ValueError(
            tr(
                "{owner} expected lengths of shape ({n},), integers, one per sequence, got {value}",
                owner=owner,
                n=n,
                value=describe(lengths),
            )
        )
    if (lengths < 1).any() or (lengths > T).any():
        raise ValueError(
            tr(
                "{owner} expected every length in 1..{T} (the padded length), got {lengths}",
                owner=owner,
                T=T,
                lengths=lengths.tolist(),
            )
        )
    return lengths.long()


def valid_mask(lengths, num_steps: int) -> torch.Tensor:
    """(T, n) bool: True at step t of sequence i when t < lengths[i] (time-first)."""
    T = validate_size("num_steps", num_steps, owner="valid_mask")
    lengths = torch.as_tensor(lengths)
    lengths = _lengths(lengths, T, len(lengths), "valid_mask")
    return torch.arange(T)[:, None] < lengths[None, :]


def masked_tag_loss(logits, tags, lengths) -> torch.Tensor:
    """Mean cross-entropy over the valid positions of a padded, time-first batch.

    Args:
        logits: (T, n, num_tags) scores.
        tags: (T, n) the true tag ids; entries past a sequence's length are ignored.
        lengths: (n,) valid steps per sequence.

    Outputs:
        A scalar: the mean loss over the sum(lengths) valid positions. Padded positions
        contribute nothing, whatever their scores or tags.
    """
    if not isinstance(logits, torch.Tensor) or logits.dim() != 3:
        raise ValueError(
            tr(
                "masked_tag_loss expected logits of shape (T, n, num_tags), got {value}",
                value=describe(logits),
            )
        )
    T, n, _ = logits.shape
    if not isinstance(tags, torch.Tensor) or tags.shape != (T, n):
        raise ValueError(
            tr(
                "masked_tag_loss expected tags of shape ({T}, {n}) to match the "
                "logits, got {value}",
                T=T,
                n=n,
                value=describe(tags),
            )
        )
    mask = valid_mask(_lengths(lengths, T, n, "masked_tag_loss"), T)  # (T, n)
    return F.cross_entropy(logits[mask], tags[mask])  # valid only


class Tagger(nn.Module):
    """Embedding, a GRU (bidirectional by default) and a linear layer: a score for every tag
    at every step.

    Args:
        vocab_size: token ids the embedding knows.
        num_tags: tags to score.
        hidden_size: h, hidden units per direction.
        embed_size: size of the token embeddings.
        pack: run the GRU on a packed batch (True), or on the padded tensor as it is
            (False, to show what goes wrong).
        bidirectional: read both ways (True) or left to right only (False).

    Inputs: X, lengths
        X: (T, n) token ids, padded after each sequence's end.
        lengths: (n,) valid steps per sequence.

    Outputs: logits
        logits: (T, n, num_tags); rows past a sequence's end are not meaningful.
    """

    def __init__(
        self, vocab_size, num_tags, hidden_size, embed_size=8, pack=True, bidirectional=True
    ):
        super().__init__()
        self.embedding = nn.Embedding(
            validate_size("vocab_size", vocab_size, owner="Tagger"),
            validate_size("embed_size", embed_size, owner="Tagger"),
        )
        directions = 2 if bidirectional else 1
        self.rnn = nn.GRU(
            embed_size,
            validate_size("hidden_size", hidden_size, owner="Tagger"),
            bidirectional=bool(bidirectional),
        )
        self.head = nn.Linear(
            directions * hidden_size, validate_size("num_tags", num_tags, owner="Tagger")
        )
        self.pack = bool(pack)

    def forward(self, X, lengths):
        if not isinstance(X, torch.Tensor) or X.dim() != 2 or X.dtype != torch.long:
            raise ValueError(
                tr(
                    "Tagger expected X of shape (T, n) with integer token ids, got {value}",
                    value=describe(X),
                )
            )
        T, n = X.shape
        lengths = _lengths(lengths, T, n, "Tagger")
        embedded = self.embedding(X)  # (T, n, e)
        if self.pack:
            packed = pack_padded_sequence(embedded, lengths, enforce_sorted=False)
            outputs, _ = pad_packed_sequence(self.rnn(packed)[0], total_length=T)
        else:
            outputs, _ = self.rnn(embedded)  # reads the padding
        return self.head(outputs)  # (T, n, num_tags)
