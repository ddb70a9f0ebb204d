"""Measuring what a layer costs: operation counts, saved-tensor memory, timings, gradients.

Wall-clock times change from run to run and machine to machine, so the chapter asserts
facts that do not: how many operations a forward pass dispatches (:class:`OpCounter`), how
many bytes autograd keeps for the backward pass (:func:`saved_bytes`), and how large the
gradient reaching each input is (:func:`input_gradient_norms`). Timings
(:func:`interleaved_medians`) are reported, never asserted.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_leaves

from book.shapes import validate_sequence

__all__ = [
    "OpCounter",
    "MATMULS",
    "saved_bytes",
    "interleaved_times",
    "interleaved_medians",
    "input_gradient_norms",
    "plot_scaling",
    "count_graph_nodes",
    "bidirectional_preallocated",
]

# ATen operations that multiply matrices; everything else is elementwise or bookkeeping.
MATMULS = frozenset({"mm", "addmm", "bmm", "baddbmm", "matmul", "linear"})
# Views and bookkeeping that move no data; left out of the "other operations" count.
_FREE = frozenset(
    {
        "view",
        "t",
        "transpose",
        "select",
        "slice",
        "unbind",
        "detach",
        "expand",
        "as_strided",
        "_unsafe_view",
        "alias",
    }
)


class OpCounter(TorchDispatchMode):
    """Count the ATen operations run inside a ``with`` block, and the elements they write.

    ``counts[name]`` is how often operation ``name`` ran; ``elements[name]`` how many tensor
    elements its outputs held in total. Counting happens below autograd, so a backward pass
    run inside the block is counted too.
    """

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # TorchDispatchMode wraps a subclass's __torch_dispatch__ to keep torch.compile out
        # of it, which imports torch._dynamo (about a second in a fresh kernel) at the first
        # count. Nothing here runs under torch.compile, so the wrapper is declined.
        return False

    def __init__(self):
        super().__init__()
        self.counts: Counter = Counter()
        self.elements: Counter = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        name = func.overloadpacket.__name__
        self.counts[name] += 1
        self.elements[name] += sum(
            t.numel() for t in tree_leaves(out) if isinstance(t, torch.Tensor)
        )
        return out

    @property
    def matmuls(self) -> int:
        """Matrix products dispatched."""
        return sum(c for name, c in self.counts.items() if name in MATMULS)

    @property
    def others(self) -> int:
        """Operations that are neither matrix products nor free views."""
        return sum(
            c for name, c in self.counts.items() if name not in MATMULS and name not in _FREE
        )


def saved_bytes(fn, exclude=()) -> int:
    """Bytes of the tensors autograd saves for backward while ``fn()`` runs.

    Tensors sharing storage are counted once; storages of the tensors in ``exclude``
    (typically the parameters and the input, which exist anyway) are not counted, so the
    result is the memory the forward pass adds for the backward pass.
    """
    excluded = {t.untyped_storage().data_ptr() for t in exclude}
    storages = {}

    def pack(t):
        storage = t.untyped_storage()
        if storage.data_ptr() not in excluded:
            storages[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        result = fn()
    del result
    return sum(storages.values())


def _wall_seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved_times(fns: dict, repeats: int = 7, warmup: int = 1, timer=_wall_seconds) -> dict:
    """Duration of each zero-argument callable in ``fns`` per round, timed side by side.

    Each round calls every function once, in an order that rotates from round to round, so
    a burst of load on a shared machine slows all of them rather than one. ``timer(fn)`` calls
    ``fn`` and returns its duration: wall-clock seconds by default (tools/bench_gpu.py passes
    CUDA-event milliseconds). Returns name -> list of ``repeats`` durations, round by round.
    """
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    samples = {name: [] for name in names}
    for i in range(repeats):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(float(timer(fns[name])))
    return samples


def interleaved_medians(fns: dict, repeats: int = 7, warmup: int = 1) -> dict:
    """Median seconds of each callable in ``fns``, timed side by side (see interleaved_times)."""
    return {
        name: statistics.median(s) for name, s in interleaved_times(fns, repeats, warmup).items()
    }


def input_gradient_norms(model, X, summary) -> torch.Tensor:
    """``||d summary(model(X)) / d x_s||`` for every step s; shape (T,).

    ``summary`` maps the model's return value to a scalar, for example the sum of the
    final states.
    """
    X = X.detach().clone().requires_grad_(True)
    summary(model(X)).backward()
    return X.grad.flatten(1).norm(dim=1)  # (T,)


def plot_scaling(num_steps, seconds: dict, ax=None, ylabel=None):
    """Plot measured times against T, one line and marker per implementation.

    Args:
        num_steps: the sequence lengths T that were timed.
        seconds: implementation name -> list of median seconds, one per T; a name that is
            a message id of the catalog is shown translated.
        ylabel: label of the vertical axis ("milliseconds" by default).

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from book.figures import PALETTE
    from book.i18n import tr

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
    else:
        fig = ax.figure
    colours = [
        PALETTE["neutral"],
        PALETTE["backward"],
        PALETTE["forward"],
        PALETTE["output"],
        PALETTE["input"],
        PALETTE["concat"],
    ]
    markers = ["s", "v", "o", "D", "^", "P"]
    for (name, values), colour, marker in zip(seconds.items(), colours, markers):
        ax.plot(
            list(num_steps),
            [1e3 * v for v in values],
            marker=marker,
            color=colour,
            linewidth=2,
            label=tr(name),
        )
    ax.set_xlabel(tr("sequence length $T$"))
    ax.set_ylabel(ylabel or tr("milliseconds"))
    ax.set_yscale("log")
    # Plain numbers (2, 5, 10, 20) read faster than powers of ten over one or two decades.
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(
        FuncFormatter(lambda value, _: f"{value:g}" if f"{value:.0e}"[0] in "25" else "")
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(frameon=False)
    return fig


def count_graph_nodes(tensor) -> Counter:
    """Count the autograd nodes, by type name, in the graph that produced ``tensor``."""
    counts: Counter = Counter()
    seen, stack = set(), [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        counts[type(node).__name__] += 1
        stack.extend(next_node for next_node, _ in node.next_functions)
    return counts


def bidirectional_preallocated(model, X):
    """The slow pattern, kept for the chapter to measure: in-place writes into one output.

    Computes what ``model(X)[0]`` computes for a :class:`book.BiRNNScratch` (or
    :class:`BiRNNFast`) ``model``, with zero initial states, but writes each state into a
    preallocated ``(T, n, h_f + h_b)`` tensor. Under autograd every such write is recorded
    as a ``CopySlices`` node whose backward copies the whole output gradient, so the
    backward pass does ``O(T)`` full-size copies.

    Inputs:
        X: (T, n, d)

    Outputs:
        outputs: (T, n, h_f + h_b)
    """
    T, n = validate_sequence(
        X, model.input_size, model.f_rnn.W_xh.dtype, owner="bidirectional_preallocated"
    )
    f, b = model.f_rnn, model.b_rnn
    h_f = model.hidden_size
    outputs = X.new_zeros((T, n, h_f + model.hidden_size_b))  # (T, n, h_f + h_b)
    H_f = X.new_zeros((n, h_f))
    H_b = X.new_zeros((n, model.hidden_size_b))
    for t in range(T):
        H_f = torch.tanh(X[t] @ f.W_xh + H_f @ f.W_hh + f.b_h)
        H_b = torch.tanh(X[T - 1 - t] @ b.W_xh + H_b @ b.W_hh + b.b_h)
        outputs[t, :, :h_f] = H_f
        outputs[T - 1 - t, :, h_f:] = H_b
    return outputs
