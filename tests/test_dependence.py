"""book.dependence: the Jacobian-norm maps of which inputs each state depends on."""

from __future__ import annotations

import pytest
import torch

from book import BiRNNScratch
from book.dependence import direction_jacobians, jacobian_norms

# --- Jacobian maps ------------------------------------------------------------------------


def test_direction_jacobians_are_triangular():
    torch.manual_seed(0)
    T, d, h_f, h_b = 7, 3, 4, 2
    layer = BiRNNScratch(d, h_f, h_b, sigma=0.5).double()
    X = torch.randn(T, 1, d, dtype=torch.float64)
    maps = direction_jacobians(layer, X, hidden_size=h_f)
    later = torch.ones(T, T).triu(1).bool()
    earlier = torch.ones(T, T).tril(-1).bool()
    assert (maps["forward"][later] == 0).all() and (maps["forward"][~later] > 0).all()
    assert (maps["backward"][earlier] == 0).all() and (maps["backward"][~earlier] > 0).all()
    assert (maps["both"] > 0).all()
    # The whole state's norm combines the halves' norms.
    torch.testing.assert_close(maps["both"] ** 2, maps["forward"] ** 2 + maps["backward"] ** 2)


def test_jacobian_norms_against_finite_differences():
    torch.manual_seed(1)
    layer = BiRNNScratch(2, 3, sigma=0.5).double()
    X = torch.randn(4, 1, 2, dtype=torch.float64)
    norms = jacobian_norms(layer, X)
    t, s, eps = 2, 1, 1e-6
    rows = []
    for k in range(2):
        up, down = X.clone(), X.clone()
        up[s, 0, k] += eps
        down[s, 0, k] -= eps
        rows.append((layer(up)[0][t, 0] - layer(down)[0][t, 0]) / (2 * eps))
    torch.testing.assert_close(norms[t, s], torch.stack(rows).norm(), rtol=1e-6, atol=1e-9)


def test_jacobian_norms_reject_batches():
    layer = BiRNNScratch(2, 3)
    with pytest.raises(ValueError, match=r"\(T, 1, d\)"):
        jacobian_norms(layer, torch.randn(4, 2, 2))
