"""book.train: the training loop, its progress bar and its Adam (equal to torch.optim.Adam
step for step, without importing the compiler)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from book.text import (
    TokenRNN,
    batches,
)
from book.train import train

# --- the training loop -----------------------------------------------------------------


def _tiny_problem():
    """Copy the current character: learnable in a few dozen steps."""
    torch.manual_seed(0)
    model = TokenRNN(6, 8, bidirectional=False, embed_size=4)
    gen = torch.Generator().manual_seed(0)
    windows = torch.randint(0, 6, (64, 5), generator=gen)

    def loss_fn(model, tokens):
        return F.cross_entropy(model(tokens).flatten(0, 1), tokens.flatten())

    return model, loss_fn, lambda: batches(windows, 16, generator=gen)


def test_train_decreases_the_loss_and_records_history():
    model, loss_fn, data = _tiny_problem()
    history = train(
        model, loss_fn, data, 60, lr=0.05, eval_every=20, evaluate=lambda m: torch.tensor(1.5)
    )
    assert history["step"] == [20, 40, 60]
    assert history["val_loss"] == [1.5, 1.5, 1.5]
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    assert not model.training


def test_train_is_repeatable():
    runs = []
    for _ in range(2):
        model, loss_fn, data = _tiny_problem()
        runs.append(train(model, loss_fn, data, 15, eval_every=5))
    assert runs[0] == runs[1]


def test_train_stops_on_a_non_finite_loss():
    model, _, data = _tiny_problem()
    with pytest.raises(FloatingPointError, match="step 1"):
        train(model, lambda m, b: m(b).sum() * float("nan"), data, 5)


_TRAIN_TINY = (
    "import torch; from book.train import train; m = torch.nn.Linear(2, 1); "
    "train(m, lambda m, b: m(b).pow(2).mean(), lambda: [torch.ones(4, 2)], 5, "
    "desc='tiny')"
)


def _run_tiny(**env):
    """tqdm reads TQDM_* variables when it is imported, so each case gets a fresh process."""
    import os
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if not k.startswith("TQDM_")}
    result = subprocess.run(
        [sys.executable, "-c", _TRAIN_TINY],
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout, result.stderr


def test_train_shows_a_tqdm_bar():
    out, err = _run_tiny()
    assert out == "" and "tiny" in err and "5/5" in err


def test_tqdm_disable_silences_the_bar():
    """How the tests, nbval and `make execute` keep saved notebooks free of bars."""
    assert _run_tiny(TQDM_DISABLE="1") == ("", "")


def test_the_loops_adam_is_torch_optim_adam_step_for_step():
    """book.train.Adam exists only to spare a fresh kernel torch.optim's import of
    torch._dynamo; it must compute exactly what torch.optim.Adam computes."""
    from book.train import Adam

    torch.manual_seed(0)
    ours, theirs = nn.GRU(5, 7, bidirectional=True), nn.GRU(5, 7, bidirectional=True)
    theirs.load_state_dict(ours.state_dict())
    opt_ours, opt_theirs = (
        Adam(ours.parameters(), lr=0.02),
        torch.optim.Adam(theirs.parameters(), lr=0.02),
    )
    for _ in range(20):
        X = torch.randn(4, 3, 5)
        for model, opt in ((ours, opt_ours), (theirs, opt_theirs)):
            opt.zero_grad()
            model(X)[0].pow(2).sum().backward()
            opt.step()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert torch.equal(p, q)


def test_training_does_not_import_the_compiler():
    import subprocess
    import sys

    code = (
        "import sys, torch; from book.train import train; m = torch.nn.Linear(2, 1); "
        "train(m, lambda m, b: m(b).pow(2).mean(), lambda: [torch.ones(4, 2)], 3); "
        "print('torch._dynamo' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={"TQDM_DISABLE": "1", "PATH": ""},
    )
    assert out.stdout.strip() == "False"
