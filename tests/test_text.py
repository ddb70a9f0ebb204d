"""book.text: the vocabulary and preprocessing, windows, batches and masking, and the
character model (TokenRNN)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from book import load_time_machine
from book.text import (
    TokenRNN,
    Vocab,
    batches,
    count_parameters,
    mask_tokens,
    preprocess,
    split_windows,
)

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
    windows = vocab.encode("abcdefgh" * 4).reshape(4, 8)  # (num_windows, T)
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
    windows = torch.arange(70).reshape(10, 7)  # (num_windows, T)
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
    is_pad = torch.arange(T)[:, None] >= lengths[None, :]  # (T, n)
    tokens[is_pad] = pad_id
    for _ in range(20):
        inputs, masked = mask_tokens(tokens, 3, mask_id=mask_id, pad_id=pad_id, generator=gen)
        assert not masked[is_pad].any()
        assert (masked.sum(0) == 3).all()  # exactly 3 per sequence
        assert (inputs[masked] == mask_id).all()
        assert torch.equal(inputs[~masked], tokens[~masked])
        assert torch.equal(inputs[is_pad], tokens[is_pad])


def test_mask_tokens_reaches_every_real_position():
    tokens = torch.full((6, 400), 5)
    tokens[4:, :] = 0  # two padded steps
    _, masked = mask_tokens(
        tokens, 1, mask_id=1, pad_id=0, generator=torch.Generator().manual_seed(0)
    )
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
    X = torch.randint(0, 11, (9, 3))  # (T, n)
    assert model(X).shape == (9, 3, 11)  # (T, n, q)
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
