"""A toy polysemy lab: one ambiguous word, a generated corpus, a small bidirectional encoder.

The word "bank" appears in river sentences and in money sentences. The cue that tells the
senses apart sits either to the left of the word ("i saw the muddy bank by the road") or to
its right ("we found the old bank near the cash"), so only a representation that reads both ways can
tell the senses apart in every sentence. A bidirectional GRU trained to fill in masked words
(the masked-prediction objective, in miniature) supplies such representations in a few
seconds on a CPU; its embedding table supplies the static vectors it is compared with.

Everything is generated in code and seeded, so the corpus, the trained weights and every
similarity printed from them are the same on every run.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
from torch import nn

from book.shapes import check_size

__all__ = ["WORD", "SENSES", "Example", "make_corpus", "probe_sentences", "Vocab",
           "MaskedBiEncoder", "train_encoder", "cosine_table"]

WORD = "bank"
SENSES = ("river", "money")
MASK = "<mask>"

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


def _sentence(prefix: str, adjective: str, connector: str, noun: str, sense: str, cue: str,
              group: int = -1) -> Example:
    left = tuple(prefix.split()) + ("the", adjective)
    tokens = left + (WORD,) + tuple(connector.split()) + (noun,)
    return Example(tokens, len(left), sense, cue, group)


def _all_examples() -> list[Example]:
    out = []
    for sense in SENSES:
        for prefix, connector in itertools.product(_PREFIXES, _CONNECTORS):
            pairs = {"right": itertools.product(_NEUTRAL_ADJ, _CUE_NOUN[sense]),
                     "left": itertools.product(_CUE_ADJ[sense], _NEUTRAL_NOUN),
                     "both": itertools.product(_CUE_ADJ[sense], _CUE_NOUN[sense])}
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
                        e = _sentence(_PREFIXES[k], _NEUTRAL_ADJ[k], connector,
                                      _CUE_NOUN[sense][j], sense, cue, group)
                    else:
                        e = _sentence(_PREFIXES[k], _CUE_ADJ[sense][j], connector,
                                      _NEUTRAL_NOUN[k], sense, cue, group)
                    probes.append(e)
    return probes


def make_corpus() -> list[Example]:
    """All generated sentences except the probes, eight tokens each."""
    held_out = {p.tokens for p in probe_sentences()}
    return [e for e in _all_examples() if e.tokens not in held_out]


class Vocab:
    """Token <-> index, built from a corpus; index 0 is the mask token."""

    def __init__(self, sentences):
        words = sorted({w for s in sentences for w in s})
        self.itos = [MASK] + words
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def __len__(self):
        return len(self.itos)

    def encode(self, tokens) -> torch.Tensor:
        unknown = [w for w in tokens if w not in self.stoi]
        if unknown:
            raise ValueError(f"Vocab: unknown words {unknown}; known words are {self.itos[1:]}")
        return torch.tensor([self.stoi[w] for w in tokens])


class MaskedBiEncoder(nn.Module):
    """Embedding, one bidirectional GRU layer, and a head that predicts a masked word.

    Args:
        vocab_size: number of tokens, including the mask token.
        embed_size: size of the static word vectors, d.
        hidden_size: hidden units per direction, h.

    Inputs: tokens
        tokens: (T, n) token indices, time first.

    Outputs: outputs
        outputs: (T, n, 2h) contextual vectors, forward half then backward half.
    """

    def __init__(self, vocab_size, embed_size=16, hidden_size=32):
        super().__init__()
        self.embedding = nn.Embedding(check_size("vocab_size", vocab_size, owner="MaskedBiEncoder"),
                                      check_size("embed_size", embed_size, owner="MaskedBiEncoder"))
        self.rnn = nn.GRU(embed_size, check_size("hidden_size", hidden_size, owner="MaskedBiEncoder"),
                          bidirectional=True)
        self.head = nn.Linear(2 * hidden_size, vocab_size)

    def forward(self, tokens):
        if not isinstance(tokens, torch.Tensor) or tokens.dim() != 2:
            shape = tuple(tokens.shape) if isinstance(tokens, torch.Tensor) else type(tokens).__name__
            raise ValueError(f"MaskedBiEncoder expected tokens of shape (T, n), got {shape}")
        outputs, _ = self.rnn(self.embedding(tokens))   # (T, n, 2h)
        return outputs


def train_encoder(num_steps=200, batch_size=128, hidden_size=32, embed_size=16, lr=0.02, seed=0):
    """Train a :class:`MaskedBiEncoder` on :func:`make_corpus` by masked-word prediction.

    Each step draws ``batch_size`` sentences, masks one random position in each, and asks the
    head to name the word that was there from the states on both sides of the gap. With the
    defaults it takes a few seconds on a laptop CPU.

    Returns: (encoder, vocab, losses) with the loss of every step.
    """
    check_size("num_steps", num_steps, owner="train_encoder", maximum=5000)
    check_size("batch_size", batch_size, owner="train_encoder", maximum=4096)
    # Matrices this small gain nothing from several threads, and on a busy machine the
    # threads' synchronisation makes training many times slower; one thread, then restore.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(num_steps, batch_size, hidden_size, embed_size, lr, seed)
    finally:
        torch.set_num_threads(threads)


def _train(num_steps, batch_size, hidden_size, embed_size, lr, seed):
    corpus = make_corpus()
    vocab = Vocab(e.tokens for e in corpus)
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    encoder = MaskedBiEncoder(len(vocab), embed_size, hidden_size)
    optimizer = torch.optim.Adam(encoder.parameters(), lr=lr)
    tokens = torch.stack([vocab.encode(e.tokens) for e in corpus], dim=1)   # (T, N)
    T, N = tokens.shape
    rows = torch.arange(batch_size)
    losses = []
    for _ in range(num_steps):
        batch = tokens[:, torch.randint(N, (batch_size,), generator=gen)]    # (T, batch_size)
        positions = torch.randint(T, (batch_size,), generator=gen)          # (batch_size,)
        targets = batch[positions, rows]                                    # (batch_size,)
        masked = batch.clone()
        masked[positions, rows] = vocab.stoi[MASK]
        outputs = encoder(masked)                                           # (T, batch_size, 2h)
        logits = encoder.head(outputs[positions, rows])                     # (batch_size, vocab)
        loss = nn.functional.cross_entropy(logits, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    encoder.eval()
    return encoder, vocab, losses


def cosine_table(vectors) -> torch.Tensor:
    """Pairwise cosine similarities of a list of 1-D vectors: a (k, k) tensor."""
    V = torch.stack([torch.as_tensor(v, dtype=torch.float32).flatten() for v in vectors])
    V = V / V.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return V @ V.T
