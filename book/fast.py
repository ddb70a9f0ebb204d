"""A faster scratch bidirectional RNN, and the operation schedules the chapter compares.

:class:`BiRNNFast` computes exactly what :class:`book.BiRNNScratch` computes, with the same
parameters (its ``state_dict`` loads into either), but schedules the work the way fused
layers do:

* the input projections ``X_t W_xh + b_h`` of all ``T`` steps are one matrix product per
  direction, taken before the loop, because they do not depend on the recurrence;
* both directions advance in the same loop: step ``t`` of the loop moves the forward state
  to time ``t`` and the backward state to time ``T + 1 - t``. The two recurrent products of a
  step are independent, so when ``h_f == h_b`` they can be one batched product
  (``torch.baddbmm``); that is the default on a GPU, where it halves the kernel launches. On
  the CPU a batched product is little more than the two products in turn, so it gains
  little (``make bench`` records both); two plain ``addmm`` calls, which also work when
  ``h_f != h_b`` and need no stacked copy of the input terms, are the default there;
* states are collected in a Python list and stacked once at the end. Writing them into a
  preallocated output tensor in place makes autograd record a copy of the whole output's
  gradient for every write, which turns the backward pass quadratic in ``T``
  (:func:`book.cost.bidirectional_preallocated` keeps that pattern for the chapter to measure).
"""

from __future__ import annotations

import torch

from book.scratch import BiRNNScratch
from book.shapes import validate_bidirectional_input

__all__ = ["BiRNNFast"]


class BiRNNFast(BiRNNScratch):
    """A bidirectional tanh RNN layer with the input projections hoisted out of the loop.

    Takes the arguments, inputs and outputs of :class:`book.BiRNNScratch` (``input_size``,
    ``hidden_size``, ``hidden_size_b``, ``sigma``; ``X`` and an optional ``state``; returns
    ``outputs, (H_f, H_b)``) and holds the same parameters, so a ``state_dict`` loads into
    either; ``BiRNNFast.from_torch(rnn, layer=0)`` copies a layer of a bidirectional
    ``nn.RNN``. One more argument:

    Args:
        batched: compute both directions' recurrent products in one ``torch.baddbmm`` per
            step (needs h_f == h_b). ``None`` (default): batched on CUDA, two ``addmm`` calls
            elsewhere.
    """

    def __init__(self, input_size, hidden_size, hidden_size_b=None, sigma=0.01, batched=None):
        super().__init__(input_size, hidden_size, hidden_size_b, sigma)
        self.batched = self._check_batched(batched)

    def _check_batched(self, batched):
        if batched not in (None, True, False):
            raise ValueError(f"BiRNNFast: batched must be None, True or False, got {batched!r}")
        if batched and self.hidden_size != self.hidden_size_b:
            raise ValueError(
                "BiRNNFast: batched=True needs hidden_size == hidden_size_b, got "
                f"{self.hidden_size} and {self.hidden_size_b}"
            )
        return batched

    @classmethod
    def from_torch(cls, rnn, layer=0, batched=None):
        """A ``BiRNNFast`` holding layer ``layer`` of a bidirectional ``nn.RNN``.

        The weights are copied as by :meth:`book.BiRNNScratch.from_torch`; ``batched`` is
        as in the constructor.
        """
        model = super().from_torch(rnn, layer)
        model.batched = model._check_batched(batched)
        return model

    def _initial_state(self, X, state):
        T, n, H_f, H_b = validate_bidirectional_input(
            X,
            state,
            self.input_size,
            (self.hidden_size, self.hidden_size_b),
            self.f_rnn.W_xh.dtype,
            owner=type(self).__name__,
        )
        if H_f is None:
            H_f = X.new_zeros((n, self.hidden_size))  # (n, h_f)
        if H_b is None:
            H_b = X.new_zeros((n, self.hidden_size_b))  # (n, h_b)
        return T, n, H_f, H_b

    def forward(self, X, state=None):
        T, n, H_f, H_b = self._initial_state(X, state)
        f, b = self.f_rnn, self.b_rnn
        X_flat = X.reshape(T * n, self.input_size)  # (T n, d)
        # One product per direction covers every step; the bias rides along in addmm.
        P_f = torch.addmm(f.b_h, X_flat, f.W_xh).view(T, n, -1)  # (T, n, h_f)
        P_b = torch.addmm(b.b_h, X_flat, b.W_xh).view(T, n, -1)  # (T, n, h_b)
        batched = self.batched
        if batched is None:
            batched = X.is_cuda and self.hidden_size == self.hidden_size_b
        if batched:
            return self._batched_loop(P_f, P_b, H_f, H_b)
        return self._paired_loop(P_f, P_b, H_f, H_b)

    def _batched_loop(self, P_f, P_b, H_f, H_b):
        # Loop step t holds the forward input of time t and the backward input of time
        # T + 1 - t, so one batched product advances both directions at once.
        P = torch.stack([P_f, P_b.flip(0)], dim=1)  # (T, 2, n, h)
        W_hh = torch.stack([self.f_rnn.W_hh, self.b_rnn.W_hh])  # (2, h, h)
        H = torch.stack([H_f, H_b])  # (2, n, h)
        states = []
        # unbind, not P[t]: the gradient of T slices is then one stack, not T full-size
        # zero tensors with one slice filled in.
        for P_t in P.unbind(0):  # P_t: (2, n, h)
            H = torch.tanh(torch.baddbmm(P_t, H, W_hh))  # (2, n, h)
            states.append(H)
        S = torch.stack(states)  # (T, 2, n, h)
        outputs = torch.cat([S[:, 0], S[:, 1].flip(0)], dim=-1)  # (T, n, 2h)
        return outputs, (H[0], H[1])

    def _paired_loop(self, P_f, P_b, H_f, H_b):
        # Two products per loop step, one per direction; the input term rides along in addmm.
        W_f, W_b = self.f_rnn.W_hh, self.b_rnn.W_hh
        f_states, b_states = [], []
        for P_f_t, P_b_t in zip(P_f.unbind(0), reversed(P_b.unbind(0))):
            H_f = torch.tanh(torch.addmm(P_f_t, H_f, W_f))  # (n, h_f)
            H_b = torch.tanh(torch.addmm(P_b_t, H_b, W_b))  # (n, h_b)
            f_states.append(H_f)
            b_states.append(H_b)
        outputs = torch.cat(
            [torch.stack(f_states), torch.stack(b_states[::-1])], dim=-1
        )  # (T, n, h_f + h_b)
        return outputs, (H_f, H_b)
