"""The fast scratch BiRNN: parity with nn.RNN (values and gradients) and input checks."""

import pytest
import torch
from torch import nn

from book import BiRNNScratch
from book.cost import bidirectional_preallocated
from book.fast import BiRNNFast

# (T, n, d, h): random-looking sizes plus the edges T = 1 and n = 1.
SHAPES = [(1, 1, 1, 1), (1, 3, 4, 5), (7, 1, 3, 2), (5, 4, 6, 3), (12, 2, 1, 8), (3, 5, 9, 1)]


def _pair(d, h, seed, bias=True, dtype=torch.float64, batched=None):
    torch.manual_seed(seed)
    rnn = nn.RNN(d, h, bidirectional=True, bias=bias).to(dtype)
    return rnn, BiRNNFast.from_torch(rnn, batched=batched)


@pytest.mark.parametrize("batched", [None, True, False])
@pytest.mark.parametrize("T,n,d,h", SHAPES)
def test_matches_nn_rnn(T, n, d, h, batched):
    rnn, fast = _pair(d, h, seed=T * 100 + n, batched=batched)
    X = torch.randn(T, n, d, dtype=torch.float64)
    H0 = torch.randn(2, n, h, dtype=torch.float64)
    want, want_h = rnn(X, H0)
    got, (H_f, H_b) = fast(X, (H0[0], H0[1]))
    assert got.shape == (T, n, 2 * h)
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(torch.stack([H_f, H_b]), want_h)


@pytest.mark.parametrize("seed", range(4))
def test_matches_nn_rnn_random_shapes_float32(seed):
    gen = torch.Generator().manual_seed(seed)
    T, n, d, h = (int(v) for v in torch.randint(1, 10, (4,), generator=gen))
    rnn, fast = _pair(d, h, seed, dtype=torch.float32)
    X = torch.randn(T, n, d, generator=gen)
    torch.testing.assert_close(fast(X)[0], rnn(X)[0])


def test_without_bias():
    rnn, fast = _pair(3, 4, seed=1, bias=False)
    X = torch.randn(5, 2, 3, dtype=torch.float64)
    torch.testing.assert_close(fast(X)[0], rnn(X)[0])


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("T,n,d,h", [(1, 1, 2, 3), (6, 3, 4, 5)])
def test_gradients_match_nn_rnn(T, n, d, h, batched):
    rnn, fast = _pair(d, h, seed=7, batched=batched)
    X = torch.randn(T, n, d, dtype=torch.float64)
    X_rnn, X_fast = X.clone().requires_grad_(), X.clone().requires_grad_()
    weights = torch.randn(T, n, 2 * h, dtype=torch.float64)  # a loss that mixes every output
    (rnn(X_rnn)[0] * weights).sum().backward()
    (fast(X_fast)[0] * weights).sum().backward()
    torch.testing.assert_close(X_fast.grad, X_rnn.grad)
    for ours, suffix in ((fast.f_rnn, "_l0"), (fast.b_rnn, "_l0_reverse")):
        torch.testing.assert_close(ours.W_xh.grad, getattr(rnn, "weight_ih" + suffix).grad.T)
        torch.testing.assert_close(ours.W_hh.grad, getattr(rnn, "weight_hh" + suffix).grad.T)
        # nn.RNN's two biases enter as a sum, so each gets the gradient of our one bias.
        torch.testing.assert_close(ours.b_h.grad, getattr(rnn, "bias_ih" + suffix).grad)
        torch.testing.assert_close(ours.b_h.grad, getattr(rnn, "bias_hh" + suffix).grad)


@pytest.mark.parametrize("h_b,batched", [(3, True), (3, False), (2, None)])
def test_gradcheck_batched_and_paired_paths(h_b, batched):
    torch.manual_seed(0)
    X = torch.randn(4, 2, 3, dtype=torch.float64, requires_grad=True)
    fast = BiRNNFast(3, 3, h_b, sigma=0.5, batched=batched).double()
    assert torch.autograd.gradcheck(lambda x: fast(x)[0], (X,))


def test_batched_chooses_the_operations():
    from book.cost import OpCounter

    X = torch.randn(5, 2, 3)
    for batched, baddbmm in ((True, 5), (False, 0), (None, 0)):  # None on CPU: not batched
        with OpCounter() as ops:
            BiRNNFast(3, 4, batched=batched)(X)
        assert ops.counts["baddbmm"] == baddbmm
        assert ops.matmuls == (2 + 5 if batched else 2 + 2 * 5)


@pytest.mark.parametrize("h_f,h_b", [(3, 3), (4, 2), (1, 5)])
def test_same_results_as_naive_scratch(h_f, h_b):
    torch.manual_seed(3)
    naive = BiRNNScratch(4, h_f, h_b, sigma=0.3).double()
    fast = BiRNNFast(4, h_f, h_b).double()
    fast.load_state_dict(naive.state_dict())  # same parameter names and shapes
    X = torch.randn(6, 2, 4, dtype=torch.float64)
    state = (torch.randn(2, h_f, dtype=torch.float64), torch.randn(2, h_b, dtype=torch.float64))
    want, (want_f, want_b) = naive(X, state)
    got, (got_f, got_b) = fast(X, state)
    torch.testing.assert_close(got, want)
    torch.testing.assert_close(got_f, want_f)
    torch.testing.assert_close(got_b, want_b)
    torch.testing.assert_close(bidirectional_preallocated(fast, X), fast(X)[0])


def test_direction_dependence():
    from book import assert_direction_dependence

    torch.manual_seed(0)
    assert_direction_dependence(BiRNNFast(3, 4, sigma=0.5), hidden_size=4)
    assert_direction_dependence(BiRNNFast(3, 4, 2, sigma=0.5), hidden_size=4)


@pytest.mark.parametrize(
    "X,match",
    [
        (torch.zeros(5, 3), r"rank 3.*got shape \(5, 3\)"),
        (torch.zeros(5, 2, 4), r"\(T, n, 3\).*got shape \(5, 2, 4\)"),
        (torch.zeros(0, 2, 3), r"T >= 1"),
        (
            torch.zeros(5, 2, 3, dtype=torch.float64),
            r"dtype torch.float32.*got dtype torch.float64",
        ),
        ([[1.0, 2.0, 3.0]], r"tensor of shape"),
    ],
)
def test_bad_input_raises_value_error(X, match):
    with pytest.raises(ValueError, match=match):
        BiRNNFast(3, 4)(X)


def test_bad_state_raises_value_error():
    fast = BiRNNFast(3, 4, 2)
    X = torch.zeros(5, 2, 3)
    with pytest.raises(ValueError, match=r"H_b of shape \(2, 2\), got shape \(2, 4\)"):
        fast(X, (torch.zeros(2, 4), torch.zeros(2, 4)))
    with pytest.raises(ValueError, match=r"H_f of shape \(2, 4\), got shape \(3, 4\)"):
        fast(X, (torch.zeros(3, 4), torch.zeros(2, 2)))
    with pytest.raises(ValueError, match="BiRNNFast expected state to be None or a pair"):
        fast(X, torch.zeros(2, 2, 4))


def test_bad_sizes_and_from_torch():
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        BiRNNFast(3, 0)
    with pytest.raises(ValueError, match="batched=True needs hidden_size == hidden_size_b"):
        BiRNNFast(3, 4, 2, batched=True)
    with pytest.raises(ValueError, match="batched must be None, True or False"):
        BiRNNFast.from_torch(nn.RNN(3, 4, bidirectional=True), batched="yes")
    with pytest.raises(ValueError, match="expected an nn.RNN, got GRU"):
        BiRNNFast.from_torch(nn.GRU(3, 4, bidirectional=True))
    with pytest.raises(ValueError, match="bidirectional=False"):
        BiRNNFast.from_torch(nn.RNN(3, 4))
    assert type(BiRNNFast.from_torch(nn.RNN(3, 4, bidirectional=True))) is BiRNNFast
