"""Input validation shared by the chapter's layers.

Every public layer in :mod:`book` checks what it is given before any matrix
product runs, so a learner who passes the wrong tensor sees a ``ValueError``
that names the shape that was expected and the one that arrived, instead of a
``RuntimeError`` from deep inside ``torch.matmul``; in the learner's language
(:func:`book.i18n.tr`).
"""

from __future__ import annotations

import numbers

import torch

from book.i18n import tr

__all__ = [
    "validate_size",
    "validate_sequence",
    "validate_state",
    "validate_bidirectional_input",
    "describe",
]


def describe(value) -> str:
    """A short, readable description of ``value`` for error messages."""
    if isinstance(value, torch.Tensor):
        return tr(
            "a tensor of shape {shape} and dtype {dtype}",
            shape=tuple(value.shape),
            dtype=value.dtype,
        )
    return f"{type(value).__name__} {value!r}"


def validate_size(name: str, value, *, owner: str = "", maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is a positive whole number, else raise.

    ``bool`` is refused although it is an ``int`` subclass: ``hidden_size=True``
    is always a mistake.
    """
    where = f"{owner}: " if owner else ""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            where
            + tr("{name} must be a positive integer, got {value}", name=name, value=describe(value))
        )
    if value < 1:
        raise ValueError(
            where + tr("{name} must be a positive integer, got {value}", name=name, value=value)
        )
    if maximum is not None and value > maximum:
        raise ValueError(
            where
            + tr(
                "{name} must be at most {maximum}, got {value}",
                name=name,
                maximum=maximum,
                value=value,
            )
        )
    return int(value)


def validate_sequence(X, input_size: int, dtype: torch.dtype, *, owner: str, name: str = "X"):
    """Check that ``X`` is a time-first batch ``(T, n, input_size)``; return ``(T, n)``."""
    expected = f"(T, n, {input_size})"
    fields = dict(owner=owner, name=name, expected=expected)
    if not isinstance(X, torch.Tensor):
        raise ValueError(
            tr(
                "{owner} expected {name} to be a tensor of shape {expected}, got {value}",
                value=describe(X),
                **fields,
            )
        )
    if X.dim() != 3:
        raise ValueError(
            tr(
                "{owner} expected {name} of shape {expected} (rank 3: time, batch, "
                "features), got shape {shape} (rank {rank})",
                shape=tuple(X.shape),
                rank=X.dim(),
                **fields,
            )
        )
    T, n, d = X.shape
    if d != input_size:
        raise ValueError(
            tr(
                "{owner} expected {name} of shape {expected}, got shape {shape}: "
                "the last axis has {d} features, not {input_size}",
                shape=tuple(X.shape),
                d=d,
                input_size=input_size,
                **fields,
            )
        )
    if T == 0 or n == 0:
        raise ValueError(
            tr(
                "{owner} expected {name} of shape {expected} with T >= 1 and "
                "n >= 1, got shape {shape}",
                shape=tuple(X.shape),
                **fields,
            )
        )
    if X.dtype != dtype:
        raise ValueError(
            tr(
                "{owner} expected {name} with dtype {dtype} (the parameters' "
                "dtype), got dtype {got}",
                dtype=dtype,
                got=X.dtype,
                **fields,
            )
        )
    return T, n


def validate_state(H, shape: tuple, dtype: torch.dtype, *, owner: str, name: str = "H") -> None:
    """Check that the initial state ``H`` has exactly ``shape`` and ``dtype``."""
    fields = dict(owner=owner, name=name, expected=tuple(shape))
    if not isinstance(H, torch.Tensor):
        raise ValueError(
            tr(
                "{owner} expected {name} to be a tensor of shape {expected}, got {value}",
                value=describe(H),
                **fields,
            )
        )
    if tuple(H.shape) != tuple(shape):
        raise ValueError(
            tr(
                "{owner} expected {name} of shape {expected}, got shape {shape}",
                shape=tuple(H.shape),
                **fields,
            )
        )
    if H.dtype != dtype:
        raise ValueError(
            tr(
                "{owner} expected {name} with dtype {dtype}, got dtype {got}",
                dtype=dtype,
                got=H.dtype,
                **fields,
            )
        )


def validate_bidirectional_input(
    X, state, input_size: int, hidden_sizes: tuple, dtype: torch.dtype, *, owner: str
):
    """Check a bidirectional layer's input ``X`` and optional ``state = (H_f, H_b)``.

    Returns ``(T, n, H_f, H_b)``; a state that was not given comes back as ``None``.
    """
    h_f, h_b = hidden_sizes
    if state is None:
        H_f = H_b = None
    elif isinstance(state, (tuple, list)) and len(state) == 2:
        H_f, H_b = state
    else:
        raise ValueError(
            tr(
                "{owner} expected state to be None or a pair (H_f, H_b) of shapes "
                "(n, {h_f}) and (n, {h_b}), got {kind}",
                owner=owner,
                h_f=h_f,
                h_b=h_b,
                kind=type(state).__name__,
            )
        )
    T, n = validate_sequence(X, input_size, dtype, owner=owner)
    for name, H, h in (("H_f", H_f, h_f), ("H_b", H_b, h_b)):
        if H is not None:
            validate_state(H, (n, h), dtype, owner=owner, name=name)
    return T, n, H_f, H_b
