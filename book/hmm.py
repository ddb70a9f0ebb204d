"""A small hidden Markov model and its forward–backward recursions.

The forward recursion α runs left to right, the backward recursion β right to left, and the
smoothing posterior of the hidden state at step t combines them, p(y_t | x_1..x_T) ∝
α_t β_t (Rabiner 1989). Each recursion is normalised per step, so long sequences do not
underflow; the normalisers cancel in the posteriors. :func:`enumerate_posteriors` gets the
same posteriors by summing over every hidden path, which is what the tests and "The
forward–backward ancestor" check the recursions against.

Shapes: K hidden states, V observation symbols, T steps. Probabilities are float64 tensors.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch

from book.i18n import tr
from book.shapes import describe

__all__ = [
    "HMM",
    "forward",
    "backward",
    "filtered",
    "smoothed",
    "enumerate_posteriors",
    "changed_posteriors",
    "TAGGER",
]


def _distribution(name: str, p, shape: tuple) -> torch.Tensor:
    if not isinstance(p, torch.Tensor):
        p = torch.as_tensor(p, dtype=torch.float64)
    if tuple(p.shape) != shape:
        raise ValueError(
            tr(
                "HMM expected {name} of shape {shape}, got {value}",
                name=name,
                shape=shape,
                value=describe(p),
            )
        )
    p = p.to(torch.float64)
    if (p < 0).any() or not torch.allclose(p.sum(-1), torch.ones(()).double()):
        raise ValueError(
            tr(
                "HMM expected each row of {name} to be a probability distribution "
                "(non-negative, summing to 1), got row sums {sums}",
                name=name,
                sums=[round(x, 4) for x in p.sum(-1).reshape(-1).tolist()],
            )
        )
    return p


@dataclass(frozen=True)
class HMM:
    """A discrete hidden Markov model.

    Args:
        initial: (K,) p(y_1).
        transition: (K, K) row i is p(y_{t+1} | y_t = i).
        emission: (K, V) row i is p(x_t | y_t = i).
        states: optional names of the K hidden states.
        symbols: optional names of the V observation symbols; :meth:`encode` maps names to
            ids.
    """

    initial: torch.Tensor
    transition: torch.Tensor
    emission: torch.Tensor
    states: tuple = ()
    symbols: tuple = ()

    def __post_init__(self):
        emission = torch.as_tensor(self.emission, dtype=torch.float64)
        if emission.dim() != 2:
            raise ValueError(
                tr("HMM expected emission of shape (K, V), got {value}", value=describe(emission))
            )
        K, V = emission.shape
        object.__setattr__(self, "initial", _distribution("initial", self.initial, (K,)))
        object.__setattr__(self, "transition", _distribution("transition", self.transition, (K, K)))
        object.__setattr__(self, "emission", _distribution("emission", emission, (K, V)))
        for name, names, size in (("states", self.states, K), ("symbols", self.symbols, V)):
            if names and len(names) != size:
                raise ValueError(
                    tr(
                        "HMM expected {size} {name} names, got {count}",
                        size=size,
                        name=name,
                        count=len(names),
                    )
                )
        object.__setattr__(self, "states", tuple(self.states))
        object.__setattr__(self, "symbols", tuple(self.symbols))

    @property
    def num_states(self) -> int:
        return self.emission.shape[0]

    def encode(self, observations) -> torch.Tensor:
        """Observation ids (T,) from a sequence of ids or of symbol names."""
        if isinstance(observations, str):
            observations = observations.split()
        ids = []
        for x in observations:
            if isinstance(x, str):
                if x not in self.symbols:
                    raise ValueError(
                        tr(
                            "unknown observation {x}; the symbols are {symbols}",
                            x=repr(x),
                            symbols=list(self.symbols),
                        )
                    )
                ids.append(self.symbols.index(x))
            else:
                ids.append(int(x))
        V = self.emission.shape[1]
        if not ids:
            raise ValueError(tr("expected at least one observation, got none"))
        if not all(0 <= i < V for i in ids):
            raise ValueError(
                tr("observation ids must lie in 0..{last}, got {ids}", last=V - 1, ids=ids)
            )
        return torch.tensor(ids, dtype=torch.long)


def forward(hmm: HMM, observations) -> torch.Tensor:
    """α: (T, K), row t proportional to p(y_t, x_1..x_t), each row normalised to sum to 1.

    Row t is therefore the filtering distribution p(y_t | x_1..x_t): it reads no
    observation after step t.
    """
    x = hmm.encode(observations)
    alphas = []
    alpha = hmm.initial * hmm.emission[:, x[0]]  # (K,)
    alphas.append(alpha / alpha.sum())
    for x_t in x[1:]:
        alpha = (alphas[-1] @ hmm.transition) * hmm.emission[:, x_t]  # (K,)
        alphas.append(alpha / alpha.sum())
    return torch.stack(alphas)  # (T, K)


def backward(hmm: HMM, observations) -> torch.Tensor:
    """β: (T, K), row t proportional to p(x_{t+1}..x_T | y_t), each row normalised.

    The recursion starts from β_T = 1 and runs right to left; row t reads no observation
    before step t + 1.
    """
    x = hmm.encode(observations)
    K = hmm.num_states
    betas = [torch.full((K,), 1.0 / K, dtype=torch.float64)]  # β_T
    for x_next in x.flip(0)[:-1]:  # x_T .. x_2
        beta = hmm.transition @ (hmm.emission[:, x_next] * betas[-1])  # (K,)
        betas.append(beta / beta.sum())
    return torch.stack(betas[::-1])  # (T, K)


def filtered(hmm: HMM, observations) -> torch.Tensor:
    """p(y_t | x_1..x_t) for every t: (T, K). The left-to-right recursion alone."""
    return forward(hmm, observations)


def smoothed(hmm: HMM, observations) -> torch.Tensor:
    """p(y_t | x_1..x_T) for every t: (T, K), ∝ α_t β_t, the two recursions merged per step."""
    posterior = forward(hmm, observations) * backward(hmm, observations)
    return posterior / posterior.sum(-1, keepdim=True)


def enumerate_posteriors(hmm: HMM, observations, max_paths: int = 200_000) -> torch.Tensor:
    """p(y_t | x_1..x_T) by brute force: sum p(y, x) over all K^T hidden paths. (T, K)."""
    x = hmm.encode(observations)
    T, K = len(x), hmm.num_states
    if K**T > max_paths:
        raise ValueError(
            tr(
                "enumerating {K}^{T} = {paths} paths is too many (max_paths="
                "{max_paths}); use smoothed() for long sequences",
                K=K,
                T=T,
                paths=K**T,
                max_paths=max_paths,
            )
        )
    posterior = torch.zeros(T, K, dtype=torch.float64)
    for path in itertools.product(range(K), repeat=T):
        y = torch.tensor(path)
        joint = hmm.initial[y[0]] * hmm.transition[y[:-1], y[1:]].prod() * hmm.emission[y, x].prod()
        posterior[torch.arange(T), y] += joint
    return posterior / posterior.sum(-1, keepdim=True)


def changed_posteriors(hmm: HMM, observations, posteriors=smoothed) -> torch.Tensor:
    """How far the posteriors move when one observation changes: a (T, T) map.

    Entry ``[t, s]`` is the largest total-variation distance between ``posteriors`` at
    step t before and after x_s is replaced by another symbol (every other symbol is
    tried). It is exactly 0 where the posterior at t cannot read x_s.
    """
    x = hmm.encode(observations)
    base = posteriors(hmm, x)
    T, V = len(x), hmm.emission.shape[1]
    moved = torch.zeros(T, T, dtype=torch.float64)
    for s in range(T):
        for v in range(V):
            if v == int(x[s]):
                continue
            other = x.clone()
            other[s] = v
            tv = 0.5 * (posteriors(hmm, other) - base).abs().sum(-1)  # (T,)
            moved[:, s] = torch.maximum(moved[:, s], tv)
    return moved


def _tagger() -> HMM:
    # Tags and words of "the old man the boats" (01's garden-path sentence), with
    # probabilities set by hand to be plausible for English, not estimated from data.
    states = ("DET", "ADJ", "NOUN", "VERB")
    symbols = ("the", "old", "man", "boats", "sails", "slept")
    initial = [0.7, 0.1, 0.15, 0.05]
    transition = [  # to DET, ADJ, NOUN, VERB
        [0.01, 0.30, 0.68, 0.01],  # from DET
        [0.01, 0.10, 0.85, 0.04],  # from ADJ
        [0.01, 0.02, 0.15, 0.82],  # from NOUN
        [0.60, 0.10, 0.25, 0.05],  # from VERB
    ]
    emission = [  # the, old, man, boats, sails, slept
        [1.00, 0.00, 0.00, 0.00, 0.00, 0.00],  # DET
        [0.00, 1.00, 0.00, 0.00, 0.00, 0.00],  # ADJ
        [0.00, 0.10, 0.50, 0.25, 0.15, 0.00],  # NOUN
        [0.00, 0.00, 0.20, 0.00, 0.30, 0.50],  # VERB
    ]
    return HMM(
        torch.tensor(initial, dtype=torch.float64),
        torch.tensor(transition, dtype=torch.float64),
        torch.tensor(emission, dtype=torch.float64),
        states=states,
        symbols=symbols,
    )


TAGGER = _tagger()
