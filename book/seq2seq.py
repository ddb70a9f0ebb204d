"""What a decoder reads from a bidirectional encoder.

An encoder–decoder model (RNN-based translation, Bahdanau et al. 2015) encodes the source
sentence with a bidirectional RNN and hands the decoder two things:

* the per-step outputs, ``(T, n, 2h)``, which the decoder's attention weighs at every step
  it generates (:func:`attend`, with the padding masked out);
* the top layer's final states, one per direction, from which the decoder's first state is
  computed (:func:`top_final_states`; ``h_n`` is layer-major, see "Concise
  implementation").
"""

from __future__ import annotations

import torch

from book.i18n import tr
from book.shapes import describe, validate_size

__all__ = ["top_final_states", "attend"]


def top_final_states(h_n, num_layers: int) -> torch.Tensor:
    """The top layer's forward and backward final states side by side: (n, 2h).

    Args:
        h_n: (2 * num_layers, n, h) from a bidirectional ``nn.RNN``, ``nn.GRU`` or
            ``nn.LSTM`` (for an LSTM, pass its ``h_n`` or its ``c_n``).
        num_layers: L.
    """
    L = validate_size("num_layers", num_layers, owner="top_final_states")
    if not isinstance(h_n, torch.Tensor) or h_n.dim() != 3 or h_n.shape[0] != 2 * L:
        raise ValueError(
            tr(
                "top_final_states expected h_n of shape (2L, n, h) = ({rows}, n, h) "
                "for num_layers={L}, got {value}",
                rows=2 * L,
                L=L,
                value=describe(h_n),
            )
        )
    _, n, h = h_n.shape
    forward, backward = h_n.view(L, 2, n, h)[-1]  # (n, h) each
    return torch.cat([forward, backward], dim=-1)  # (n, 2h)


def attend(query, memory, lengths):
    """Dot-product attention of one decoder step over the encoder's outputs.

    Args:
        query: (n, 2h) what the decoder looks for (a projection of its state).
        memory: (T, n, 2h) the encoder's per-step outputs.
        lengths: (n,) valid source steps per sequence; padded steps get weight 0.

    Outputs: context, weights
        context: (n, 2h) the weighted sum of the memory.
        weights: (T, n) non-negative, summing to 1 over each sequence's valid steps.
    """
    if not isinstance(memory, torch.Tensor) or memory.dim() != 3:
        raise ValueError(
            tr("attend expected memory of shape (T, n, 2h), got {value}", value=describe(memory))
        )
    T, n, width = memory.shape
    if not isinstance(query, torch.Tensor) or query.shape != (n, width):
        raise ValueError(
            tr(
                "attend expected query of shape ({n}, {width}) to match the memory, got {value}",
                n=n,
                width=width,
                value=describe(query),
            )
        )
    lengths = torch.as_tensor(lengths)
    if lengths.shape != (n,) or (lengths < 1).any() or (lengths > T).any():
        raise ValueError(
            tr(
                "attend expected lengths of shape ({n},) with values in 1..{T}, got {value}",
                n=n,
                T=T,
                value=describe(lengths),
            )
        )
    scores = (memory * query).sum(-1)  # (T, n)
    padded = torch.arange(T)[:, None] >= lengths[None, :]
    weights = scores.masked_fill(padded, float("-inf")).softmax(dim=0)  # (T, n)
    context = (weights[..., None] * memory).sum(0)  # (n, 2h)
    return context, weights
