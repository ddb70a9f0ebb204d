"""Tests for the code behind the "Context in action" section: text pipeline, Jacobian
maps, training loop and its progress feedback, and the figures."""
from __future__ import annotations

import matplotlib
import pytest
import torch
import torch.nn.functional as F
from torch import nn

matplotlib.use("Agg")

from book import BiRNNScratch, load_time_machine
from book.dependence import direction_jacobians, jacobian_norms
from book.figures import draw_dependence, plot_learning_curves
from book.text import (
    TokenRNN,
    Vocab,
    batches,
    count_parameters,
    mask_tokens,
    preprocess,
    split_windows,
)
from book.train import train

# --- vocabulary and preprocessing -------------------------------------------------------

def test_preprocess_keeps_letters_and_single_spaces():
    assert preprocess("  The Time-Machine,\n\nby H. G. Wells!  ") == "the time machine by h g wells"


def test_vocab_round_trip_on_the_book():
    text = preprocess(load_time_machine())
    vocab = Vocab(text)
    ids = vocab.encode(text)
    assert ids.dtype == torch.long and ids.shape == (len(text),)
    assert vocab.decode(ids) == text
    assert len(vocab) == len(set(text)) + 2


def test_vocab_reserves_pad_and_mask():
    vocab = Vocab("abc")
    assert (vocab.pad_id, vocab.mask_id) == (0, 1)
    assert vocab.idx_to_token[:2] == ["<pad>", "<mask>"]
    ids = vocab.encode("cab")
    assert (ids >= 2).all()
    shown = vocab.decode([vocab.mask_id, *ids.tolist(), vocab.pad_id, vocab.pad_id])
    assert shown == "_cab"


def test_vocab_refuses_unknown_characters_and_ids():
    vocab = Vocab("abc")
    with pytest.raises(ValueError, match="'z'"):
        vocab.encode("abz")
    with pytest.raises(ValueError, match="id 9"):
        vocab.decode([2, 9])


def test_one_vocab_serves_words_too():
    vocab = Vocab("the muddy bank the central bank".split())
    assert vocab.idx_to_token == ["<pad>", "<mask>", "bank", "central", "muddy", "the"]
    ids = vocab.encode(["the", "muddy", "bank"])
    assert vocab.decode(ids, sep=" ") == "the muddy bank"
    with pytest.raises(ValueError, match="'river'"):
        vocab.encode(["the", "river"])


def test_masked_batches_and_loss_hide_and_score_the_blanks():
    from book.text import masked_batches, masked_loss
    vocab = Vocab("abcdefgh")
    windows = vocab.encode("abcdefgh" * 4).reshape(4, 8)            # (num_windows, T)
    gen = torch.Generator().manual_seed(0)
    batches_seen = list(masked_batches(windows, 3, 2, vocab, generator=gen))
    assert [b[0].shape for b in batches_seen] == [(8, 3), (8, 1)]
    for inputs, tokens, masked in batches_seen:
        assert (masked.sum(0) == 2).all()
        assert (inputs[masked] == vocab.mask_id).all()
        assert torch.equal(inputs[~masked], tokens[~masked])
    torch.manual_seed(0)
    model = TokenRNN(len(vocab), 4, bidirectional=True)
    inputs, tokens, masked = batches_seen[0]
    want = F.cross_entropy(model(inputs)[masked], tokens[masked])
    torch.testing.assert_close(masked_loss(model, batches_seen[0]), want)


# --- windows, batches, masking ----------------------------------------------------------

def test_split_windows_is_consecutive_and_drops_the_tail():
    ids = torch.arange(23)
    windows = split_windows(ids, 5)
    assert windows.shape == (4, 5)
    assert torch.equal(windows.flatten(), ids[:20])
    with pytest.raises(ValueError):
        split_windows(ids, 24)
    with pytest.raises(ValueError):
        split_windows(ids.reshape(1, -1), 5)


def test_batches_are_time_first_and_cover_every_window_once():
    windows = torch.arange(70).reshape(10, 7)                 # (num_windows, T)
    out = list(batches(windows, 4, generator=torch.Generator().manual_seed(0)))
    assert [b.shape for b in out] == [(7, 4), (7, 4), (7, 2)]  # (T, n)
    seen = torch.cat([b.T for b in out])
    assert sorted(seen[:, 0].tolist()) == windows[:, 0].tolist()
    assert all(torch.equal(row, windows[row[0] // 7]) for row in seen)


def test_batches_shuffle_is_seeded():
    windows = torch.arange(60).reshape(20, 3)

    def first(seed):
        return next(batches(windows, 5, generator=torch.Generator().manual_seed(seed)))

    assert torch.equal(first(1), first(1))
    assert not torch.equal(first(1), first(2))
    plain = next(batches(windows, 5, shuffle=False))
    assert torch.equal(plain, windows[:5].T)


def test_mask_tokens_never_masks_padding():
    gen = torch.Generator().manual_seed(0)
    T, n, pad_id, mask_id = 12, 50, 0, 1
    lengths = torch.randint(3, T + 1, (n,), generator=gen)
    tokens = torch.randint(2, 10, (T, n), generator=gen)
    is_pad = torch.arange(T)[:, None] >= lengths[None, :]      # (T, n)
    tokens[is_pad] = pad_id
    for _ in range(20):
        inputs, masked = mask_tokens(tokens, 3, mask_id=mask_id, pad_id=pad_id, generator=gen)
        assert not masked[is_pad].any()
        assert (masked.sum(0) == 3).all()                      # exactly 3 per sequence
        assert (inputs[masked] == mask_id).all()
        assert torch.equal(inputs[~masked], tokens[~masked])
        assert torch.equal(inputs[is_pad], tokens[is_pad])


def test_mask_tokens_reaches_every_real_position():
    tokens = torch.full((6, 400), 5)
    tokens[4:, :] = 0                                          # two padded steps
    _, masked = mask_tokens(tokens, 1, mask_id=1, pad_id=0,
                            generator=torch.Generator().manual_seed(0))
    counts = masked.sum(1)
    assert (counts[:4] > 50).all() and (counts[4:] == 0).all()


def test_mask_tokens_refuses_too_many_blanks():
    tokens = torch.tensor([[3, 3], [4, 0], [0, 0]])
    with pytest.raises(ValueError, match="only 1 non-padding"):
        mask_tokens(tokens, 2, mask_id=1, pad_id=0)
    with pytest.raises(ValueError, match=r"\(T, n\)"):
        mask_tokens(tokens.flatten(), 1, mask_id=1, pad_id=0)


# --- the character model --------------------------------------------------------------

@pytest.mark.parametrize("bidirectional", [False, True])
def test_char_rnn_shapes(bidirectional):
    model = TokenRNN(11, 6, bidirectional, embed_size=5)
    X = torch.randint(0, 11, (9, 3))                           # (T, n)
    assert model(X).shape == (9, 3, 11)                        # (T, n, q)
    assert model.rnn.bidirectional is bidirectional
    with pytest.raises(ValueError, match=r"\(T, n\)"):
        model(X.float())


def test_char_rnn_forward_model_is_causal_and_bidirectional_is_not():
    X = torch.randint(0, 8, (10, 2))
    later = X.clone()
    later[7] = (later[7] + 1) % 8
    for bidirectional, moves in ((False, False), (True, True)):
        torch.manual_seed(0)
        model = TokenRNN(8, 5, bidirectional)
        with torch.no_grad():
            changed = (model(X)[:7] != model(later)[:7]).any()
        assert bool(changed) is moves


def test_count_parameters():
    assert count_parameters(nn.Linear(3, 4)) == 16


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
    history = train(model, loss_fn, data, 60, lr=0.05, eval_every=20,
                    evaluate=lambda m: torch.tensor(1.5))
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


_TRAIN_TINY = ("import torch; from book.train import train; m = torch.nn.Linear(2, 1); "
               "train(m, lambda m, b: m(b).pow(2).mean(), lambda: [torch.ones(4, 2)], 5, "
               "desc='tiny')")


def _run_tiny(**env):
    """tqdm reads TQDM_* variables when it is imported, so each case gets a fresh process."""
    import os
    import subprocess
    import sys
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TQDM_")}
    result = subprocess.run([sys.executable, "-c", _TRAIN_TINY], env={**environ, **env},
                            capture_output=True, text=True, timeout=120, check=True)
    return result.stdout, result.stderr


def test_train_shows_a_tqdm_bar():
    out, err = _run_tiny()
    assert out == "" and "tiny" in err and "5/5" in err


def test_tqdm_disable_silences_the_bar():
    """How the tests, nbval and `make execute` keep saved notebooks free of bars."""
    assert _run_tiny(TQDM_DISABLE="1") == ("", "")


# --- figures ---------------------------------------------------------------------------

def test_draw_dependence_shares_one_colour_scale():
    maps = {"a": torch.tensor([[1.0, 0.0], [0.5, 2.0]]),
            "b": torch.tensor([[3.0, 0.1], [0.0, 1.0]])}
    fig = draw_dependence(maps)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 2
    for im in images:                                          # the same scale everywhere
        assert (im.norm.vmin, im.norm.vmax) == (pytest.approx(0.1), pytest.approx(3.0))
    assert all(ax.get_xlabel() for ax in fig.axes[:2])
    with pytest.raises(ValueError, match="square"):
        draw_dependence({"a": torch.ones(2, 3)})


def test_plot_learning_curves_labels_axes_and_colours():
    from book.figures import PALETTE
    histories = {"one": {"step": [1, 2], "train_loss": [2.0, 1.0], "val_loss": [2.1, 1.2]},
                 "two": {"step": [1, 2], "train_loss": [1.5, 0.5]}}
    fig = plot_learning_curves(histories)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "training step" and ax.get_ylabel()
    colours = [line.get_color() for line in ax.lines]
    assert colours == [PALETTE["forward"], PALETTE["forward"], PALETTE["backward"]]


def test_the_loops_adam_is_torch_optim_adam_step_for_step():
    """book.train.Adam exists only to spare a fresh kernel torch.optim's import of
    torch._dynamo; it must compute exactly what torch.optim.Adam computes."""
    from book.train import Adam
    torch.manual_seed(0)
    ours, theirs = nn.GRU(5, 7, bidirectional=True), nn.GRU(5, 7, bidirectional=True)
    theirs.load_state_dict(ours.state_dict())
    opt_ours, opt_theirs = Adam(ours.parameters(), lr=0.02), torch.optim.Adam(theirs.parameters(),
                                                                               lr=0.02)
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
    code = ("import sys, torch; from book.train import train; m = torch.nn.Linear(2, 1); "
            "train(m, lambda m, b: m(b).pow(2).mean(), lambda: [torch.ones(4, 2)], 3); "
            "print('torch._dynamo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True, env={"TQDM_DISABLE": "1", "PATH": ""})
    assert out.stdout.strip() == "False"
