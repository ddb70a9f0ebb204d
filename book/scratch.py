"""Generated from chapters/02_from_scratch.ipynb by `make export`;
edit the notebook, not this file."""


# From chapters/02_from_scratch.ipynb, cell 5 (id 157c6551)
import torch
from torch import nn  # noqa: F811 - the exported module (book/scratch.py) needs its own import

from book.i18n import tr  # noqa: F811 - as nn above
from book.shapes import (validate_bidirectional_input, validate_sequence, validate_size,
                         validate_state)

__all__ = ["RNNScratch", "BiRNNScratch", "assert_direction_dependence"]


class RNNScratch(nn.Module):
    """A one-direction tanh RNN layer, written as an explicit loop over time.

    Args:
        input_size: features per time step, d.
        hidden_size: hidden units, h.
        sigma: standard deviation of the Gaussian that initialises the weights.

    Inputs: X, H
        X: (T, n, d) a time-first batch of sequences.
        H: (n, h) the initial state; zeros when omitted.

    Outputs: outputs, H
        outputs: (T, n, h) the state after every step.
        H: (n, h) the state after the last step.

    Defined in section "From scratch" (``chapters/02_from_scratch.ipynb``).
    """

    def __init__(self, input_size, hidden_size, sigma=0.01):
        super().__init__()
        self.input_size = validate_size("input_size", input_size, owner="RNNScratch")
        self.hidden_size = validate_size("hidden_size", hidden_size, owner="RNNScratch")
        self.W_xh = nn.Parameter(torch.randn(input_size, hidden_size) * sigma)
        self.W_hh = nn.Parameter(torch.randn(hidden_size, hidden_size) * sigma)
        self.b_h = nn.Parameter(torch.zeros(hidden_size))

    def forward(self, X, H=None):
        T, n = validate_sequence(X, self.input_size, self.W_xh.dtype, owner="RNNScratch")
        if H is None:
            H = X.new_zeros((n, self.hidden_size))                  # (n, h)
        else:
            validate_state(H, (n, self.hidden_size), self.W_xh.dtype, owner="RNNScratch")
        outputs = []
        for X_t in X:                                               # X_t: (n, d)
            H = torch.tanh(X_t @ self.W_xh + H @ self.W_hh + self.b_h)  # (n, h)
            outputs.append(H)
        return torch.stack(outputs), H                              # (T, n, h), (n, h)


# From chapters/02_from_scratch.ipynb, cell 9 (id 1c60bcd2)
class BiRNNScratch(nn.Module):
    """A bidirectional tanh RNN layer built from two one-direction layers.

    Args:
        input_size: features per time step, d.
        hidden_size: hidden units of the forward direction, h_f.
        hidden_size_b: hidden units of the backward direction, h_b; defaults to h_f.
        sigma: standard deviation of the Gaussian that initialises the weights.

    Inputs: X, state
        X: (T, n, d) a time-first batch of sequences.
        state: optional pair (H_f, H_b) of initial states, (n, h_f) and (n, h_b).

    Outputs: outputs, (H_f, H_b)
        outputs: (T, n, h_f + h_b) forward states in [..., :h_f], backward in [..., h_f:].
        H_f: (n, h_f) the forward state after reading x_T.
        H_b: (n, h_b) the backward state after reading x_1.

    Defined in section "From scratch" (``chapters/02_from_scratch.ipynb``).
    """

    def __init__(self, input_size, hidden_size, hidden_size_b=None, sigma=0.01):
        super().__init__()
        if hidden_size_b is None:
            hidden_size_b = hidden_size
        self.f_rnn = RNNScratch(input_size, hidden_size, sigma)
        self.b_rnn = RNNScratch(input_size, hidden_size_b, sigma)
        self.input_size = self.f_rnn.input_size
        self.hidden_size, self.hidden_size_b = self.f_rnn.hidden_size, self.b_rnn.hidden_size

    def forward(self, X, state=None):
        # Validate here too, so that errors name this layer and the state that is wrong.
        T, n, H_f, H_b = validate_bidirectional_input(
            X, state, self.input_size, (self.hidden_size, self.hidden_size_b),
            self.f_rnn.W_xh.dtype, owner=type(self).__name__)
        f_outputs, H_f = self.f_rnn(X, H_f)                  # (T, n, h_f)
        b_outputs, H_b = self.b_rnn(X.flip(0), H_b)          # (T, n, h_b), reversed time
        outputs = torch.cat([f_outputs, b_outputs.flip(0)], dim=-1)  # (T, n, h_f + h_b)
        return outputs, (H_f, H_b)

    @classmethod
    def from_torch(cls, rnn, layer=0):
        """A ``BiRNNScratch`` holding layer ``layer`` (0-based) of a bidirectional ``nn.RNN``.

        PyTorch stores ``weight_ih`` as (h, d), the transpose of our ``W_xh``, and keeps two
        biases whose sum plays the role of ``b_h``; the ``_reverse`` tensors belong to the
        backward direction. Layers above the first read both directions of the layer below,
        so their input size is 2h.
        """
        if type(rnn) is not nn.RNN:
            raise ValueError(tr("from_torch expected an nn.RNN, got {kind}",
                                kind=type(rnn).__name__))
        if not rnn.bidirectional or rnn.nonlinearity != "tanh":
            raise ValueError(tr("from_torch expected nn.RNN(..., nonlinearity='tanh', "
                                "bidirectional=True), got nonlinearity={nonlinearity}, "
                                "bidirectional={bidirectional}",
                                nonlinearity=repr(rnn.nonlinearity),
                                bidirectional=rnn.bidirectional))
        if isinstance(layer, bool) or not isinstance(layer, int) or not 0 <= layer < rnn.num_layers:
            raise ValueError(tr("from_torch expected layer in 0..{last} (the nn.RNN has "
                                "num_layers={num_layers}), got {layer}", last=rnn.num_layers - 1,
                                num_layers=rnn.num_layers, layer=repr(layer)))
        input_size = rnn.input_size if layer == 0 else 2 * rnn.hidden_size
        model = cls(input_size, rnn.hidden_size).to(rnn.weight_ih_l0.dtype)
        return model.load_torch(rnn, layer)

    def load_torch(self, rnn, layer=0):
        """Copy layer ``layer`` of a bidirectional ``nn.RNN`` into this layer; returns it.

        Raises ``ValueError`` when a parameter's shape differs from PyTorch's (transposed).
        """
        with torch.no_grad():
            for ours, suffix in ((self.f_rnn, f"_l{layer}"), (self.b_rnn, f"_l{layer}_reverse")):
                for name, theirs in (("W_xh", getattr(rnn, "weight_ih" + suffix).T),
                                     ("W_hh", getattr(rnn, "weight_hh" + suffix).T)):
                    mine = getattr(ours, name)
                    if mine.shape != theirs.shape:
                        raise ValueError(tr("load_torch: {name} of layer {layer} has shape "
                                            "{mine}, nn.RNN's is {theirs}", name=name,
                                            layer=layer, mine=tuple(mine.shape),
                                            theirs=tuple(theirs.shape)))
                    mine.copy_(theirs)
                if rnn.bias:
                    ours.b_h.copy_(getattr(rnn, "bias_ih" + suffix)
                                   + getattr(rnn, "bias_hh" + suffix))
                else:
                    ours.b_h.zero_()
        return self


# From chapters/02_from_scratch.ipynb, cell 17 (id 4997bfcc)
def assert_direction_dependence(model, hidden_size, num_steps=5, batch_size=2, seed=0):
    """Assert that the halves of ONE bidirectional layer depend on the right inputs.

    The forward half of ``outputs[t]`` (its first ``hidden_size`` columns) may depend only
    on x_1..x_t, the backward half only on x_t..x_T. Perturbing x_1 must leave the backward
    half of every later step unchanged; perturbing x_T must leave the forward half of every
    earlier step unchanged. Raises ``AssertionError`` naming the offending steps.

    The check is for a single layer. In a stack, both halves of every layer above the
    first depend on the whole sequence, so there is nothing to check: a model with
    ``num_layers > 1`` (``nn.RNN`` and friends) raises ``ValueError``, and a model whose
    halves both move at every step is reported as such, not as a forgotten flip. Check a
    stack layer by layer (``BiRNNScratch.from_torch(rnn, layer=l)``).

    Defined in section "From scratch" (``chapters/02_from_scratch.ipynb``).
    """
    num_layers = getattr(model, "num_layers", 1)
    if num_layers != 1:
        raise ValueError(tr(
            "assert_direction_dependence checks one bidirectional layer; got num_layers="
            "{num_layers}. Above the first layer both halves depend on the whole sequence, "
            "so check each layer on its own, e.g. BiRNNScratch.from_torch(rnn, layer=l).",
            num_layers=num_layers))
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(num_steps, batch_size, model.input_size, generator=gen)
    with torch.no_grad():
        base = model(X)[0]
        X_first, X_last = X.clone(), X.clone()
        X_first[0] += 1.0
        X_last[-1] += 1.0
        moved_first = (model(X_first)[0] != base).any(dim=1)   # (T, h_f + h_b)
        moved_last = (model(X_last)[0] != base).any(dim=1)
    bad_b = [t + 1 for t in range(1, num_steps) if moved_first[t, hidden_size:].any()]
    bad_f = [t + 1 for t in range(num_steps - 1) if moved_last[t, :hidden_size].any()]
    if num_steps > 1 and len(bad_b) == len(bad_f) == num_steps - 1:
        raise AssertionError(tr(
            "both halves changed at every step when x_1 or x_{T} changed: each half depends "
            "on the whole sequence. This check tests one bidirectional layer, where that is "
            "wrong; in a stacked model it is right from the second layer on, so check each "
            "layer on its own.", T=num_steps))
    if bad_b:
        raise AssertionError(tr(
            "backward half at steps {steps} changed when only x_1 changed; it should depend "
            "on x_t..x_T only. Were the backward outputs flipped back to the original order?",
            steps=bad_b))
    if bad_f:
        raise AssertionError(tr(
            "forward half at steps {steps} changed when only x_{T} changed; it should depend "
            "on x_1..x_t only.", steps=bad_f, T=num_steps))
