"""Tagging with a masked loss over a packed batch, and what a decoder reads (book.tagging,
book.seq2seq)."""

import pytest
import torch
from torch import nn

from book.seq2seq import attend, top_final_states
from book.tagging import Tagger, masked_tag_loss, valid_mask

LENGTHS = torch.tensor([5, 3, 2])


def batch(pad_seed):
    """A padded batch whose padded positions hold random ids and random tags."""
    gen = torch.Generator().manual_seed(0)
    X = torch.randint(1, 12, (5, 3), generator=gen)
    tags = torch.randint(0, 4, (5, 3), generator=gen)
    pad = ~valid_mask(LENGTHS, 5)
    noise = torch.Generator().manual_seed(pad_seed)
    X[pad] = torch.randint(0, 12, (int(pad.sum()),), generator=noise)
    tags[pad] = torch.randint(0, 4, (int(pad.sum()),), generator=noise)
    return X, tags


def loss_and_grads(model, X, tags, masked=True):
    model.zero_grad()
    logits = model(X, LENGTHS)
    loss = (
        masked_tag_loss(logits, tags, LENGTHS)
        if masked
        else nn.functional.cross_entropy(logits.flatten(0, 1), tags.flatten())
    )
    loss.backward()
    return loss.detach(), [p.grad.clone() for p in model.parameters()]


def test_padding_changes_nothing_when_packed_and_masked():
    torch.manual_seed(0)
    model = Tagger(12, 4, hidden_size=6)
    loss_a, grads_a = loss_and_grads(model, *batch(1))
    loss_b, grads_b = loss_and_grads(model, *batch(2))
    assert torch.equal(loss_a, loss_b)
    assert all(torch.equal(a, b) for a, b in zip(grads_a, grads_b))


def test_either_safeguard_alone_lets_the_padding_in():
    torch.manual_seed(0)
    packed = Tagger(12, 4, hidden_size=6)
    unpacked = Tagger(12, 4, hidden_size=6, pack=False)
    unpacked.load_state_dict(packed.state_dict())
    # unmasked loss: the padded positions' tags count
    assert not torch.equal(
        loss_and_grads(packed, *batch(1), masked=False)[0],
        loss_and_grads(packed, *batch(2), masked=False)[0],
    )
    # masked but not packed: the backward direction reads the padded tokens
    assert not torch.equal(
        loss_and_grads(unpacked, *batch(1))[0], loss_and_grads(unpacked, *batch(2))[0]
    )


def test_masked_loss_is_the_mean_over_valid_positions():
    logits = torch.randn(4, 2, 3)
    tags = torch.randint(0, 3, (4, 2))
    lengths = torch.tensor([4, 1])
    by_hand = torch.stack(
        [
            nn.functional.cross_entropy(logits[t, i], tags[t, i])
            for i in range(2)
            for t in range(int(lengths[i]))
        ]
    ).mean()
    torch.testing.assert_close(masked_tag_loss(logits, tags, lengths), by_hand)


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: masked_tag_loss(torch.randn(4, 2), torch.zeros(4, 2).long(), [1, 1]),
            r"logits of shape \(T, n, num_tags\)",
        ),
        (
            lambda: masked_tag_loss(torch.randn(4, 2, 3), torch.zeros(2, 4).long(), [1, 1]),
            r"tags of shape \(4, 2\)",
        ),
        (
            lambda: masked_tag_loss(torch.randn(4, 2, 3), torch.zeros(4, 2).long(), [5, 1]),
            r"every length in 1..4",
        ),
        (lambda: Tagger(5, 2, 3)(torch.randn(4, 2), [4, 4]), r"integer token ids"),
        (lambda: top_final_states(torch.randn(4, 2, 3), num_layers=3), r"\(6, n, h\)"),
        (lambda: attend(torch.randn(2, 5), torch.randn(4, 2, 6), [4, 4]), r"query of shape"),
    ],
)
def test_bad_input_names_what_was_expected(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("num_layers", [1, 2, 3])
def test_top_final_states_are_the_top_layers_ends(num_layers):
    gru = nn.GRU(3, 4, num_layers=num_layers, bidirectional=True)
    output, h_n = gru(torch.randn(6, 2, 3))
    expected = torch.cat([output[-1, :, :4], output[0, :, 4:]], dim=-1)
    torch.testing.assert_close(top_final_states(h_n, num_layers), expected)


def test_attention_gives_padding_no_weight():
    memory = torch.randn(5, 3, 4)
    context, weights = attend(torch.randn(3, 4), memory, LENGTHS)
    assert (weights[~valid_mask(LENGTHS, 5)] == 0).all()
    torch.testing.assert_close(weights.sum(0), torch.ones(3))
    changed = memory.clone()
    changed[~valid_mask(LENGTHS, 5)] = 100.0
    torch.testing.assert_close(
        attend(context * 0 + 1, changed, LENGTHS)[0], attend(context * 0 + 1, memory, LENGTHS)[0]
    )
