"""Right and wrong answers to the exercises, shared by the checks' tests in English
(test_exercises.py) and in Chinese (test_exercises_zh.py)."""

from __future__ import annotations

import torch
from torch import nn

from book import BiRNNScratch
from book.pretrained import CONTEXT


def raises(*args):
    raise RuntimeError("boom from the learner")


class Hostile(nn.Module):
    def __init__(self, d, h, L):
        super().__init__()

    @property
    def layers(self):
        raise KeyError("no layers today")


class GoodDeep(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__()
        sizes = [input_size] + [2 * hidden_size] * (num_layers - 1)
        self.layers = nn.ModuleList(BiRNNScratch(d, hidden_size) for d in sizes)

    def forward(self, X):
        finals = []
        for layer in self.layers:
            X, (H_f, H_b) = layer(X)
            finals += [H_f, H_b]
        return X, torch.stack(finals)


class WrongInputSize(GoodDeep):
    def __init__(self, input_size, hidden_size, num_layers):
        nn.Module.__init__(self)
        self.layers = nn.ModuleList(
            BiRNNScratch(input_size, hidden_size) for _ in range(num_layers)
        )


class DirectionMajor(GoodDeep):
    def forward(self, X):
        outputs, h_n = super().forward(X)
        return outputs, torch.cat([h_n[0::2], h_n[1::2]])


class FirstLayerOutputs(GoodDeep):
    def forward(self, X):
        first, _ = self.layers[0](X)
        _, h_n = super().forward(X)
        return first, h_n


class SharedWeights(GoodDeep):
    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__(input_size, hidden_size, num_layers)
        for layer in self.layers:
            layer.b_rnn = layer.f_rnn


class PlainList(GoodDeep):
    """Layers in a Python list: they run, but no optimizer would see their parameters."""

    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__(input_size, hidden_size, num_layers)
        layers = list(self.layers)
        del self.layers
        self.layers = layers


class OwnLayout(nn.Module):
    def __init__(self, d, h, L):
        super().__init__()
        self.rnn = nn.RNN(d, h, L, bidirectional=True)

    def forward(self, X):
        return self.rnn(X)


def contextual_states(encoder, vocab):
    def contextual_vector(tokens, position):
        with torch.no_grad():
            return encoder.states(vocab.encode(tokens)[:, None])[position, 0]

    return contextual_vector


def encoder_states(encoder, vocab, tokens):
    with torch.no_grad():
        return encoder.states(vocab.encode(tokens)[:, None])[:, 0]  # (T, 2h)


def good_merge(f, b, mode):
    if mode == "concat":
        return torch.cat([f, b], dim=-1)
    if f.shape[-1] != b.shape[-1]:
        raise ValueError(f"{mode} needs h_f == h_b, got {f.shape[-1]} and {b.shape[-1]}")
    return f + b if mode == "sum" else (f + b) / 2


def good_summary(output, h_n, lengths):
    return torch.cat([h_n[-2], h_n[-1]], dim=-1), output.sum(dim=1) / lengths[:, None]


def bad_final(wrong_final):
    """An answer whose mean is right and whose final states are ``wrong_final(output, h_n,
    lengths)``."""
    return lambda o, h, l: (wrong_final(o, h, l), good_summary(o, h, l)[1])


def bad_mean(wrong_mean):
    """An answer whose final states are right and whose mean is ``wrong_mean(output, h_n,
    lengths)``."""
    return lambda o, h, l: (good_summary(o, h, l)[0], wrong_mean(o, h, l))


def reverse_within(X, lengths):
    """Each sequence of a padded (T, n, d) batch reversed within its own length."""
    t = torch.arange(X.shape[0])[:, None]  # (T, 1)
    index = torch.where(t < lengths, lengths - 1 - t, t)  # (T, n)
    return X.gather(0, index[..., None].expand_as(X))


def scratch_final_states(layer, X, lengths):
    rows, last = torch.arange(X.shape[1]), lengths - 1
    f_outputs, _ = layer.f_rnn(X)  # (T, n, h_f)
    b_outputs, _ = layer.b_rnn(reverse_within(X, lengths))  # (T, n, h_b)
    return torch.cat([f_outputs[last, rows], b_outputs[last, rows]], dim=-1)


def padding_naive(layer, X, lengths):
    _, (H_f, H_b) = layer(X)
    return torch.cat([H_f, H_b], dim=-1)


def padding_flip_whole(layer, X, lengths):
    """X.flip(0) on a padded batch: the whole batch reversed, padding first."""
    outputs, _ = layer(X)
    h_f, rows = layer.hidden_size, torch.arange(X.shape[1])
    return torch.cat([outputs[lengths - 1, rows, :h_f], outputs[0, :, h_f:]], dim=-1)


def padding_past_x1(layer, X, lengths):
    rows, last = torch.arange(X.shape[1]), lengths - 1
    f_outputs, _ = layer.f_rnn(X)
    _, H_b = layer.b_rnn(reverse_within(X, lengths))
    return torch.cat([f_outputs[last, rows], H_b], dim=-1)


def padding_forward_weights(layer, X, lengths):
    rows, last = torch.arange(X.shape[1]), lengths - 1
    f_outputs, _ = layer.f_rnn(X)
    b_outputs, _ = layer.f_rnn(reverse_within(X, lengths))
    return torch.cat([f_outputs[last, rows], b_outputs[last, rows]], dim=-1)


def padding_forward_through(layer, X, lengths):
    _, H_f = layer.f_rnn(X)
    return torch.cat([H_f, scratch_final_states(layer, X, lengths)[:, layer.hidden_size :]], -1)


def padding_loop(layer, X, lengths):
    return torch.stack(
        [
            torch.cat(layer(X[:length, i : i + 1])[1], dim=-1)[0]
            for i, length in enumerate(lengths.tolist())
        ]
    )


def padding_reordered(layer, X, lengths):
    return scratch_final_states(layer, X, lengths).flip(0)


def accuracy_left(model, inputs, truth, k):
    with torch.no_grad():
        guesses = model(inputs[CONTEXT - k :])[k].argmax(-1)
    return (guesses == truth).float().mean().item()


def lookbehind_filled(token):
    def answer(model, inputs, truth, k):
        X = inputs.clone()
        X[: CONTEXT - k] = token
        with torch.no_grad():
            return (model(X)[CONTEXT].argmax(-1) == truth).float().mean()

    return answer


def lookbehind_wrong_row(model, inputs, truth, k):
    with torch.no_grad():
        return (model(inputs[CONTEXT - k :])[CONTEXT].argmax(-1) == truth).float().mean()
