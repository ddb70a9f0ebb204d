"""The scratch layers: parity with torch.nn, shapes, the dependence check, bad input."""

import pytest
import torch
from torch import nn

from book import BiRNNScratch, RNNScratch, assert_direction_dependence


def _random_shapes(count, seed):
    gen = torch.Generator().manual_seed(seed)
    shapes = [(1, 1, 1, 1), (1, 5, 3, 2), (9, 1, 4, 6), (2, 2, 1, 1)]
    shapes += [tuple(torch.randint(1, 13, (4,), generator=gen).tolist()) for _ in range(count)]
    return shapes


@pytest.mark.parametrize("T,n,d,h", _random_shapes(40, seed=123))
def test_parity_with_nn_rnn(T, n, d, h):
    torch.manual_seed(T * 1000 + n * 100 + d * 10 + h)
    rnn = nn.RNN(d, h, bidirectional=True)
    ours = BiRNNScratch.from_torch(rnn)
    X = torch.randn(T, n, d)
    h0 = torch.randn(2, n, h)
    out_ref, h_n = rnn(X, h0)
    out, (H_f, H_b) = ours(X, (h0[0], h0[1]))
    assert out.shape == (T, n, 2 * h)
    torch.testing.assert_close(out, out_ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(torch.stack([H_f, H_b]), h_n, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("T,n,d,h", [(1, 1, 1, 1), (5, 3, 4, 6)])
def test_gradients_match_nn_rnn(T, n, d, h):
    torch.manual_seed(0)
    rnn = nn.RNN(d, h, bidirectional=True)
    ours = BiRNNScratch.from_torch(rnn)
    X = torch.randn(T, n, d, requires_grad=True)
    X2 = X.detach().clone().requires_grad_(True)
    rnn(X)[0].pow(2).sum().backward()
    ours(X2)[0].pow(2).sum().backward()
    torch.testing.assert_close(X2.grad, X.grad, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(ours.f_rnn.W_hh.grad, rnn.weight_hh_l0.grad.T, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(
        ours.b_rnn.W_xh.grad, rnn.weight_ih_l0_reverse.grad.T, atol=1e-5, rtol=1e-5
    )
    torch.testing.assert_close(
        ours.b_rnn.b_h.grad, rnn.bias_hh_l0_reverse.grad, atol=1e-5, rtol=1e-5
    )


def test_parity_without_bias_and_in_float64():
    torch.manual_seed(1)
    rnn = nn.RNN(3, 4, bias=False, bidirectional=True).double()
    ours = BiRNNScratch.from_torch(rnn)
    assert ours.f_rnn.W_xh.dtype == torch.float64
    X = torch.randn(6, 2, 3, dtype=torch.float64)
    torch.testing.assert_close(ours(X)[0], rnn(X)[0])
    assert torch.count_nonzero(ours.b_rnn.b_h) == 0


@pytest.mark.parametrize("h_f,h_b", [(1, 7), (5, 2), (3, 3)])
def test_unequal_hidden_sizes(h_f, h_b):
    T, n, d = 4, 3, 2
    birnn = BiRNNScratch(d, h_f, h_b)
    out, (H_f, H_b) = birnn(torch.randn(T, n, d))
    assert out.shape == (T, n, h_f + h_b)
    assert H_f.shape == (n, h_f) and H_b.shape == (n, h_b)
    torch.testing.assert_close(out[-1, :, :h_f], H_f)
    torch.testing.assert_close(out[0, :, h_f:], H_b)
    params = dict(birnn.named_parameters())
    assert params["f_rnn.W_hh"].shape == (h_f, h_f)
    assert params["b_rnn.W_hh"].shape == (h_b, h_b)


def test_backward_direction_is_a_reversed_forward_pass():
    torch.manual_seed(2)
    birnn = BiRNNScratch(3, 4, 5)
    X = torch.randn(6, 2, 3)
    out, _ = birnn(X)
    b_out, _ = birnn.b_rnn(X.flip(0))
    torch.testing.assert_close(out[..., 4:], b_out.flip(0))
    f_out, _ = birnn.f_rnn(X)
    torch.testing.assert_close(out[..., :4], f_out)


def test_rnn_scratch_initial_state_is_used():
    torch.manual_seed(3)
    rnn = RNNScratch(2, 3)
    X = torch.randn(1, 4, 2)
    H0 = torch.ones(4, 3)
    out, H = rnn(X, H0)
    expected = torch.tanh(X[0] @ rnn.W_xh + H0 @ rnn.W_hh + rnn.b_h)
    torch.testing.assert_close(H, expected)
    assert not torch.allclose(out, rnn(X)[0])


def test_dependence_check_passes_correct_layer_and_catches_missing_flip():
    torch.manual_seed(4)
    good = BiRNNScratch(3, 4, 2, sigma=0.5)
    assert_direction_dependence(good, hidden_size=4)

    class Forgetful(BiRNNScratch):
        def forward(self, X, state=None):
            f, H_f = self.f_rnn(X)
            b, H_b = self.b_rnn(X.flip(0))
            return torch.cat([f, b], dim=-1), (H_f, H_b)

    bad = Forgetful(3, 4, 2, sigma=0.5)
    bad.load_state_dict(good.state_dict())
    with pytest.raises(AssertionError, match="flipped back"):
        assert_direction_dependence(bad, hidden_size=4)


def test_dependence_check_catches_a_forward_half_that_peeks():
    class Peeking(BiRNNScratch):
        def forward(self, X, state=None):
            out, states = super().forward(X, state)
            return torch.cat([out[..., :3] + X[-1:, :, :1], out[..., 3:]], dim=-1), states

    with pytest.raises(AssertionError, match="forward half"):
        assert_direction_dependence(Peeking(2, 3, sigma=0.5), hidden_size=3)


class _TwoLayerBiRNN(nn.Module):
    """A correct stack of two scratch layers; the upper one reads the lower one's h_f + h_b."""

    def __init__(self, input_size, h_f, h_b):
        super().__init__()
        self.input_size = input_size
        self.lower = BiRNNScratch(input_size, h_f, h_b, sigma=0.5)
        self.upper = BiRNNScratch(h_f + h_b, h_f, h_b, sigma=0.5)

    def forward(self, X):
        return self.upper(self.lower(X)[0])


@pytest.mark.parametrize("num_steps", [2, 5])
def test_dependence_check_does_not_blame_a_flip_in_a_correct_stack(num_steps):
    torch.manual_seed(5)
    stack = _TwoLayerBiRNN(3, 4, 2)
    for layer in (stack.lower, stack.upper):  # each layer on its own is correct
        assert_direction_dependence(layer, hidden_size=4)
    with pytest.raises(AssertionError, match="one bidirectional layer") as info:
        assert_direction_dependence(stack, hidden_size=4, num_steps=num_steps)
    assert "flipped" not in str(info.value)


@pytest.mark.parametrize("module", [nn.RNN, nn.GRU, nn.LSTM])
def test_dependence_check_refuses_a_stacked_torch_layer(module):
    rnn = module(3, 4, num_layers=2, bidirectional=True)
    with pytest.raises(ValueError, match="checks one bidirectional layer; got num_layers=2"):
        assert_direction_dependence(rnn, hidden_size=4)
    assert_direction_dependence(module(3, 4, bidirectional=True), hidden_size=4)
    if module is nn.RNN:  # layer by layer, as the message says
        for layer in range(2):
            assert_direction_dependence(BiRNNScratch.from_torch(rnn, layer), hidden_size=4)


def test_a_stack_forward_half_really_depends_on_the_last_input():
    torch.manual_seed(6)
    stack = _TwoLayerBiRNN(3, 4, 4).double()
    X = torch.randn(5, 1, 3, dtype=torch.float64, requires_grad=True)
    upper_forward_first = stack(X)[0][0, 0, :4]
    lower_forward_first = stack.lower(X)[0][0, 0, :4]
    (grad_upper,) = torch.autograd.grad(upper_forward_first.sum(), X)
    (grad_lower,) = torch.autograd.grad(lower_forward_first.sum(), X)
    assert (grad_lower[1:] == 0).all()  # one layer: x_1 only
    assert grad_upper[-1].abs().max() > 1e-3  # two layers: x_T reaches step 1


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X,pattern",
    [
        (torch.randn(5, 3), r"expected X of shape \(T, n, 3\).*got shape \(5, 3\) \(rank 2\)"),
        (torch.randn(2, 5, 3, 1), r"got shape \(2, 5, 3, 1\) \(rank 4\)"),
        (torch.randn(5, 2, 4), r"expected X of shape \(T, n, 3\), got shape \(5, 2, 4\)"),
        (torch.randn(0, 2, 3), r"T >= 1 and n >= 1, got shape \(0, 2, 3\)"),
        (torch.randint(0, 5, (5, 2, 3)), r"dtype torch.float32.*got dtype torch.int64"),
        (torch.randn(5, 2, 3, dtype=torch.float64), r"got dtype torch.float64"),
        ([[1.0, 2.0, 3.0]], r"expected X to be a tensor of shape \(T, n, 3\), got list"),
    ],
)
@pytest.mark.parametrize("layer", ["RNNScratch", "BiRNNScratch"])
def test_bad_input_names_expected_and_received(layer, X, pattern):
    model = RNNScratch(3, 4) if layer == "RNNScratch" else BiRNNScratch(3, 4, 2)
    with pytest.raises(ValueError, match=f"{layer} {pattern}" if pattern[0] == "e" else pattern):
        model(X)


@pytest.mark.parametrize(
    "state,pattern",
    [
        (
            (torch.zeros(2, 4), torch.zeros(2, 4)),
            r"expected H_b of shape \(2, 2\), got shape \(2, 4\)",
        ),
        (
            (torch.zeros(3, 4), torch.zeros(2, 2)),
            r"expected H_f of shape \(2, 4\), got shape \(3, 4\)",
        ),
        ((torch.zeros(4), torch.zeros(2, 2)), r"expected H_f of shape \(2, 4\), got shape \(4,\)"),
        (
            (torch.zeros(2, 4, dtype=torch.float64), torch.zeros(2, 2)),
            r"H_f with dtype torch.float32",
        ),
        (torch.zeros(2, 2, 4), r"None or a pair \(H_f, H_b\).*got Tensor"),
        ((torch.zeros(2, 4),), r"None or a pair \(H_f, H_b\).*got tuple"),
        ((None, "zeros"), r"expected H_b to be a tensor of shape \(2, 2\), got str"),
    ],
)
def test_bad_state_names_expected_and_received(state, pattern):
    with pytest.raises(ValueError, match=pattern):
        BiRNNScratch(3, 4, 2)(torch.randn(5, 2, 3), state)


def test_bad_state_for_one_direction():
    pattern = r"RNNScratch expected H of shape \(2, 4\), got shape \(4, 2\)"
    with pytest.raises(ValueError, match=pattern):
        RNNScratch(3, 4)(torch.randn(5, 2, 3), torch.zeros(4, 2))


@pytest.mark.parametrize("size", [0, -3, 2.5, "8", True, None])
def test_bad_sizes_are_refused(size):
    with pytest.raises(ValueError, match="must be a positive integer"):
        RNNScratch(size, 4)
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        BiRNNScratch(3, 4, size if size is not None else 0)


@pytest.mark.parametrize(
    "module,pattern",
    [
        (nn.GRU(3, 4, bidirectional=True), "expected an nn.RNN, got GRU"),
        (nn.LSTM(3, 4, bidirectional=True), "expected an nn.RNN, got LSTM"),
        (nn.RNN(3, 4), "bidirectional=False"),
        (nn.RNN(3, 4, nonlinearity="relu", bidirectional=True), "nonlinearity='relu'"),
        ("not a module", "expected an nn.RNN, got str"),
    ],
)
def test_from_torch_refuses_what_it_cannot_copy(module, pattern):
    with pytest.raises(ValueError, match=pattern):
        BiRNNScratch.from_torch(module)


@pytest.mark.parametrize("layer", [2, -1, 1.0, True])
def test_from_torch_refuses_a_layer_the_rnn_does_not_have(layer):
    with pytest.raises(ValueError, match=r"layer in 0\.\.1 \(the nn.RNN has num_layers=2\)"):
        BiRNNScratch.from_torch(nn.RNN(3, 4, num_layers=2, bidirectional=True), layer=layer)


def test_from_torch_copies_each_layer_of_a_stacked_rnn():
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4, num_layers=3, bidirectional=True)
    layers = [BiRNNScratch.from_torch(rnn, layer=l) for l in range(3)]
    assert [layer.input_size for layer in layers] == [3, 8, 8]
    X = torch.randn(5, 2, 3)
    finals = []
    H = X
    for layer in layers:
        H, (H_f, H_b) = layer(H)
        finals += [H_f, H_b]
    out_ref, h_n = rnn(X)
    torch.testing.assert_close(H, out_ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(torch.stack(finals), h_n, atol=1e-5, rtol=1e-5)


def test_load_torch_refuses_a_layer_of_the_wrong_size():
    rnn = nn.RNN(3, 4, num_layers=2, bidirectional=True)
    pattern = r"W_xh of layer 1 has shape \(3, 4\), nn.RNN's is \(8, 4\)"
    with pytest.raises(ValueError, match=pattern):
        BiRNNScratch(3, 4).load_torch(rnn, layer=1)
