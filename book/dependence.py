"""Which inputs does each state depend on? Norms of the Jacobian, step by step.

For a layer that maps a sequence ``X: (T, n, d)`` to states ``outputs: (T, n, H)``,
entry ``[t, s]`` of a dependence map is the Frobenius norm of the Jacobian
∂outputs[t] / ∂x_s. Autograd returns exact zeros where there is no path from x_s to the
state at step t, so the map shows the structure exactly, not approximately.
"""

from __future__ import annotations

import torch
from torch.autograd.functional import jacobian

from book.i18n import N_, tr
from book.shapes import describe, validate_size

__all__ = ["jacobian_norms", "direction_jacobians"]


def jacobian_norms(layer, X, columns=slice(None)):
    """The (T, T) map ‖∂outputs[t, 0, columns] / ∂X[s, 0]‖ for one sequence.

    Args:
        layer: a module taking ``X`` and returning ``outputs`` or ``(outputs, state)``.
        X: (T, 1, d) a single sequence.
        columns: which state units to include (a slice of the last axis of ``outputs``).

    Outputs:
        norms: (T, T), rows t (the state's step), columns s (the input's step).
    """
    if not isinstance(X, torch.Tensor) or X.dim() != 3 or X.shape[1] != 1:
        raise ValueError(
            tr("jacobian_norms expected X of shape (T, 1, d), got {value}", value=describe(X))
        )

    def states(inputs):
        out = layer(inputs)
        out = out[0] if isinstance(out, tuple) else out
        return out[:, 0, columns]  # (T, H')

    J = jacobian(states, X)  # (T, H', T, 1, d)
    return J.pow(2).sum(dim=(1, 3, 4)).sqrt()  # (T, T)


def direction_jacobians(layer, X, hidden_size):
    """Dependence maps of the forward half, the backward half and the whole state.

    Args:
        layer: a bidirectional layer whose ``outputs`` hold the forward states in
            ``[..., :hidden_size]`` and the backward states after them.
        X: (T, 1, d) a single sequence.
        hidden_size: h_f, where the forward half ends.

    Outputs:
        A dict with keys ``"forward"``, ``"backward"`` and ``"both"``, each (T, T).
    """
    h_f = validate_size("hidden_size", hidden_size, owner="direction_jacobians")
    # The keys are message ids too: book.i18n.tr shows them in the learner's language.
    return {
        N_("forward"): jacobian_norms(layer, X, slice(None, h_f)),
        N_("backward"): jacobian_norms(layer, X, slice(h_f, None)),
        N_("both"): jacobian_norms(layer, X),
    }
