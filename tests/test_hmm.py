"""The forward-backward recursions of book.hmm against brute-force enumeration."""

import pytest
import torch

from book.hmm import (
    HMM,
    TAGGER,
    backward,
    changed_posteriors,
    enumerate_posteriors,
    filtered,
    forward,
    smoothed,
)


def random_hmm(K, V, seed):
    gen = torch.Generator().manual_seed(seed)
    return HMM(
        torch.rand(K, generator=gen).softmax(0),
        (3 * torch.rand(K, K, generator=gen)).softmax(1),
        (3 * torch.rand(K, V, generator=gen)).softmax(1),
    )


@pytest.mark.parametrize("seed", range(8))
def test_smoothed_posteriors_equal_enumeration(seed):
    gen = torch.Generator().manual_seed(100 + seed)
    K, V, T = 2 + seed % 3, 3 + seed % 2, 1 + seed % 6
    hmm = random_hmm(K, V, seed)
    x = torch.randint(0, V, (T,), generator=gen)
    torch.testing.assert_close(smoothed(hmm, x), enumerate_posteriors(hmm, x))


@pytest.mark.parametrize("seed", range(4))
def test_filtered_posteriors_equal_enumeration_of_the_prefix(seed):
    hmm = random_hmm(3, 4, seed)
    x = torch.randint(0, 4, (6,), generator=torch.Generator().manual_seed(seed))
    rows = torch.stack([enumerate_posteriors(hmm, x[: t + 1])[-1] for t in range(6)])
    torch.testing.assert_close(filtered(hmm, x), rows)


def test_the_last_step_needs_no_backward_recursion():
    hmm = random_hmm(3, 3, 0)
    x = [0, 2, 1, 1]
    torch.testing.assert_close(smoothed(hmm, x)[-1], forward(hmm, x)[-1])
    assert torch.allclose(backward(hmm, x)[-1], torch.full((3,), 1 / 3, dtype=torch.float64))


def test_filtering_never_reads_later_observations_and_smoothing_does():
    x = "the old man the boats"
    later = torch.ones(5, 5, dtype=torch.bool).triu(1)
    assert (changed_posteriors(TAGGER, x, filtered)[later] == 0).all()
    assert changed_posteriors(TAGGER, x, smoothed)[later].max() > 0.5


def test_the_garden_path_sentence_flips_with_its_right_context():
    tags = TAGGER.states
    man = 2
    assert tags[int(filtered(TAGGER, "the old man the boats")[man].argmax())] == "NOUN"
    assert tags[int(smoothed(TAGGER, "the old man the boats")[man].argmax())] == "VERB"
    assert tags[int(smoothed(TAGGER, "the old man slept")[man].argmax())] == "NOUN"


@pytest.mark.parametrize(
    "bad, match",
    [
        (
            dict(initial=[0.5, 0.6], transition=[[1, 0], [0, 1]], emission=[[1, 0], [0, 1]]),
            "probability distribution",
        ),
        (
            dict(initial=[0.5, 0.5], transition=[[1, 0]], emission=[[1, 0], [0, 1]]),
            r"transition of shape \(2, 2\)",
        ),
        (
            dict(initial=[0.5, 0.5], transition=[[1, 0], [0, 1]], emission=[1, 0]),
            r"emission of shape \(K, V\)",
        ),
    ],
)
def test_bad_parameters_are_refused_with_their_shapes(bad, match):
    with pytest.raises(ValueError, match=match):
        HMM(**bad)


def test_bad_observations_name_the_symbols():
    with pytest.raises(ValueError, match="unknown observation 'dog'"):
        smoothed(TAGGER, "the dog")
    with pytest.raises(ValueError, match="0..5"):
        smoothed(TAGGER, [0, 9])
    with pytest.raises(ValueError, match="at least one"):
        smoothed(TAGGER, [])
    with pytest.raises(ValueError, match="too many"):
        enumerate_posteriors(TAGGER, [0] * 12)
