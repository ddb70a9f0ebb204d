"""Two stacked bidirectional layers: interleaved (PyTorch's num_layers) against separate
stacks (ELMo), measured with book.dependence as in "Context in action"."""

import pytest
import torch

from book import BiRNNScratch, RNNScratch
from book.dependence import direction_jacobians


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_separate_stacks_keep_the_forward_half_causal_and_interleaved_ones_do_not(seed):
    torch.manual_seed(seed)
    T, d, h = 7, 3, 4
    X = torch.randn(T, 1, d, dtype=torch.float64)
    bi = [BiRNNScratch(d, h, sigma=0.3).double(), BiRNNScratch(2 * h, h, sigma=0.3).double()]
    f = [RNNScratch(d, h, sigma=0.3).double(), RNNScratch(h, h, sigma=0.3).double()]
    b = [RNNScratch(d, h, sigma=0.3).double(), RNNScratch(h, h, sigma=0.3).double()]

    def interleaved(X):
        return bi[1](bi[0](X)[0])[0]

    def separate(X):
        forward = f[1](f[0](X)[0])[0]
        backward = b[1](b[0](X.flip(0))[0])[0].flip(0)
        return torch.cat([forward, backward], dim=-1)

    later = torch.ones(T, T, dtype=torch.bool).triu(1)
    inter, sep = (direction_jacobians(m, X, hidden_size=h) for m in (interleaved, separate))
    assert (inter["forward"] > 0).all() and (inter["backward"] > 0).all()
    assert (sep["forward"][later] == 0).all() and (sep["forward"][~later] > 0).all()
    assert (sep["backward"][later.T] == 0).all() and (sep["backward"][~later.T] > 0).all()
