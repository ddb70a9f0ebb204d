"""A toy polysemy lab: one ambiguous word, a generated corpus, a small bidirectional encoder.

The word "bank" appears in river sentences and in money sentences. The cue that tells the
senses apart sits either to the left of the word ("i saw the muddy bank by the road") or to
its right ("we found the old bank near the cash"), so only a representation that reads both ways can
tell the senses apart in every sentence. The chapter's bidirectional GRU model
(:class:`book.text.TokenRNN`), trained to fill in masked words (the masked-prediction
objective, in miniature), supplies such representations in a few seconds on a CPU; its
embedding table supplies the static vectors it is compared with.

Everything is generated in code and seeded, so the corpus, the trained weights and every
similarity printed from them are the same on every run.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch

from book.i18n import tr
from book.shapes import validate_size
from book.text import TokenRNN, Vocab, masked_batches, masked_loss
from book.train import seeded, train

__all__ = [
    "WORD",
    "SENSES",
    "Example",
    "make_corpus",
    "probe_sentences",
    "train_encoder",
    "cosine_table",
]

WORD = "bank"
SENSES = ("river", "money")

# Every sentence reads "<prefix> the <adjective> bank <connector> <noun>": eight tokens, so a
# batch needs no padding (padding would disturb the backward direction, see the concise
# section). The sense cue is one word: the adjective (left of "bank"), the noun (right of
# it), or both. One cue word per side means that filling in a masked cue word needs the
# sense carried across "bank" from the other side: that is what teaches each direction to
# carry it.
_PREFIXES = ["we found", "i saw", "they liked", "she reached"]
_CONNECTORS = ["near the", "by the"]
_NEUTRAL_ADJ = ["old", "big", "new", "same"]
_NEUTRAL_NOUN = ["road", "town", "park", "square"]
_CUE_ADJ = {
    "river": ["muddy", "grassy", "steep", "wet"],
    "money": ["central", "private", "national", "local"],
}
_CUE_NOUN = {
    "river": ["water", "reeds", "ducks", "fish"],
    "money": ["loans", "cash", "fees", "savings"],
}


@dataclass(frozen=True)
class Example:
    """A sentence, the position of the ambiguous word, its sense and where the cue sits."""

    tokens: tuple[str, ...]
    position: int
    sense: str
    cue: str  # "left", "right" or "both"
    group: int = -1  # probes only: the group of four sharing one side's words


def _sentence(
    prefix: str, adjective: str, connector: str, noun: str, sense: str, cue: str, group: int = -1
) -> Example:
    left = tuple(prefix.split()) + ("the", adjective)
    tokens = left + (WORD,) + tuple(connector.split()) + (noun,)
    return Example(tokens, len(left), sense, cue, group)


def _all_examples() -> list[Example]:
    out = []
    for sense in SENSES:
        for prefix, connector in itertools.product(_PREFIXES, _CONNECTORS):
            pairs = {
                "right": itertools.product(_NEUTRAL_ADJ, _CUE_NOUN[sense]),
                "left": itertools.product(_CUE_ADJ[sense], _NEUTRAL_NOUN),
                "both": itertools.product(_CUE_ADJ[sense], _CUE_NOUN[sense]),
            }
            for cue, combos in pairs.items():
                for adj, noun in combos:
                    out.append(_sentence(prefix, adj, connector, noun, sense, cue))
    return out


def probe_sentences() -> list[Example]:
    """Held-out sentences (never in the training corpus) for the similarity tables and checks.

    Every word in them occurs in training, but not these combinations. They come in eight
    groups of four (``Example.group``): in a group all four sentences share every word on one
    side of "bank" and differ only in the cue word on the other side, two cue words per sense.
    In groups 0-3 the cue is right of the word, in groups 4-7 left of it. So within a group, a
    vector that reads only the shared side is the same for all four sentences.
    """
    probes = []
    for cue in ("right", "left"):
        for k in range(4):
            group = len(probes) // 4
            connector = _CONNECTORS[k % 2]
            for sense in SENSES:
                for j in (k, (k + 1) % 4):
                    if cue == "right":
                        e = _sentence(
                            _PREFIXES[k],
                            _NEUTRAL_ADJ[k],
                            connector,
                            _CUE_NOUN[sense][j],
                            sense,
                            cue,
                            group,
                        )
                    else:
                        e = _sentence(
                            _PREFIXES[k],
                            _CUE_ADJ[sense][j],
                            connector,
                            _NEUTRAL_NOUN[k],
                            sense,
                            cue,
                            group,
                        )
                    probes.append(e)
    return probes


def make_corpus() -> list[Example]:
    """All generated sentences except the probes, eight tokens each."""
    held_out = {p.tokens for p in probe_sentences()}
    return [e for e in _all_examples() if e.tokens not in held_out]


def train_encoder(num_steps=200, batch_size=128, hidden_size=32, embed_size=16, lr=0.015, seed=0):
    """Train a bidirectional :class:`~book.text.TokenRNN` on :func:`make_corpus` by
    masked-word prediction.

    Each step takes ``batch_size`` sentences, hides one random word in each, and asks the
    model to name it from the states on both sides of the gap -- the fill-in-the-blank
    objective of "Context in action", on words. The training loop is
    :func:`book.train.train`; everything random is seeded from ``seed`` and the caller's
    random generator and thread count are left as they were. A few seconds on a laptop CPU.

    Returns: (encoder, vocab, history) with the :class:`~book.text.Vocab` of the corpus
    and ``train``'s history (mean training loss every 20 steps).
    """
    validate_size("num_steps", num_steps, owner="train_encoder", maximum=5000)
    validate_size("batch_size", batch_size, owner="train_encoder", maximum=4096)
    corpus = make_corpus()
    vocab = Vocab(w for e in corpus for w in e.tokens)
    windows = torch.stack([vocab.encode(e.tokens) for e in corpus])  # (N, T)
    # Matrices this small gain nothing from several threads, and on a busy machine the
    # threads' synchronisation makes training many times slower.
    with seeded(seed, num_threads=1):
        gen = torch.Generator().manual_seed(seed)
        encoder = TokenRNN(len(vocab), hidden_size, bidirectional=True, embed_size=embed_size)
        history = train(
            encoder,
            masked_loss,
            lambda: masked_batches(windows, batch_size, 1, vocab, generator=gen),
            num_steps,
            lr=lr,
            eval_every=20,
            desc=tr("polysemy encoder"),
        )
    return encoder, vocab, history


def cosine_table(vectors) -> torch.Tensor:
    """Pairwise cosine similarities of a list of 1-D vectors: a (k, k) tensor."""
    V = torch.stack([torch.as_tensor(v, dtype=torch.float32).flatten() for v in vectors])
    V = V / V.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return V @ V.T
