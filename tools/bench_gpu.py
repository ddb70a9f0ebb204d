"""What the bidirectional layers cost on a GPU: the scratch layers against cuDNN, CUDA-event timed.

``python -m tools.bench_gpu --out results/gpu_cost.json`` (``make bench-gpu``) needs an NVIDIA
GPU and a CUDA build of torch; without them it prints one line and exits with status 2. At
each size (default T=100, n=64, d=h=256, the chapter's, and T=100, n=256, d=h=512) it times:

* ``cudnn``: ``nn.RNN(d, h, bidirectional=True)``, one layer, the fused cuDNN kernel;
* ``scratch``: :meth:`book.BiRNNScratch.from_torch` of that layer (two Python loops);
* ``fast``: ``BiRNNFast.from_torch(rnn, batched=True)`` (input products hoisted, one
  ``baddbmm`` per step for both directions);
* ``graph``: ``BiRNNFast(batched=True)`` captured in CUDA graphs: the forward pass is a
  ``torch.cuda.CUDAGraph`` of a no-grad forward on a static input buffer (each call copies
  the input in and replays), the training step runs the module made by
  ``torch.cuda.make_graphed_callables`` (forward and backward graphs) and then
  ``outputs.sum().backward()``;

each for the forward pass (``fwd``, under ``torch.no_grad()``) and one training step's forward
and backward (``fwdbwd``: zero the gradients, ``outputs.sum().backward()``). The input does not
require a gradient, as in ``make bench``. Beside them, the cost of a bidirectional layer over a
one-direction one (``bi_over_uni_fwd``, ``bi_over_uni_fwdbwd``) for cuDNN's ``nn.RNN``,
``nn.GRU`` and ``nn.LSTM`` at the same sizes.

A benchmark of a wrong result is worthless, so before anything is timed every implementation's
outputs and parameter gradients are checked against cuDNN's (:func:`check_parity`); a mismatch
stops the run (exit status 1) and nothing is written.

Timing: every call starts on an idle GPU (``torch.cuda.synchronize``) and is timed by a pair of
CUDA events recorded before and after it, so a Python loop that launches kernels faster than
the GPU runs them and one that keeps the GPU waiting for launches are both measured as what
they cost. The implementations run side by side in rounds, the order rotating from round to
round, after ``--warmup`` rounds that are not timed; each reported figure is the median of
``--repeats`` calls (default 30), with the fastest and slowest beside it. Ratios are of
medians, named ``<implementation>_over_cudnn_<pass>``.

Precision: float32 throughout, with TensorFloat-32 off for cuBLAS and for cuDNN's RNNs (torch
lets cuDNN RNNs use TF32 by default, which would compare a 10-bit-mantissa kernel with full
float32 products); ``--tf32`` turns it on for both. The JSON records what was in force.

The logic is written to be tested without a GPU (``tests/test_bench_gpu.py``): the timing
functions take a ``timer`` (CUDA events here, :class:`PerfCounterTimer` in the tests), the
graph wrappers raise :class:`CudaUnavailable` without CUDA, and ratios, goals, the report and
its table are pure functions of the timings.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = "results/gpu_cost.json"
SCHEMA = 1

# name -> (T, n, d); h = d. "chapter" is the chapter's size, "large" the larger one;
# the goals refer to these names.
SIZES = {"chapter": (100, 64, 256), "large": (100, 256, 512)}
IMPLEMENTATIONS = {
    "cudnn": "nn.RNN(d, h, bidirectional=True), one layer (cuDNN)",
    "scratch": "BiRNNScratch.from_torch(rnn): two one-direction Python loops",
    "fast": "BiRNNFast.from_torch(rnn, batched=True): hoisted input products, one baddbmm per step",
    "graph": "BiRNNFast(batched=True) in CUDA graphs: fwd = CUDAGraph replay of a no-grad "
    "forward on a static input buffer (input copied in each call); fwdbwd = "
    "torch.cuda.make_graphed_callables(module), then outputs.sum().backward()",
}
REFERENCE = "cudnn"
PASSES = {
    "fwd": "forward under torch.no_grad()",
    "fwdbwd": "one training step: zero_grad, forward, outputs.sum().backward()",
}
CELLS = ("rnn", "gru", "lstm")
# Parity tolerances, float32: a tensor passes when max |got - want| <= atol + rtol * max |want|.
# Gradients sum T*n products, so their rounding grows with the size; TF32 has a 10-bit mantissa.
TOLERANCES = {
    False: {"outputs": (1e-4, 1e-5), "grads": (1e-3, 1e-5)},
    True: {"outputs": (1e-2, 1e-3), "grads": (2e-2, 1e-3)},
}


@dataclass(frozen=True)
class Goal:
    size: str  # a key of SIZES
    ratio: str  # a key of that size's "ratios"
    comparison: str  # "<=" or "<"
    bound: float
    stretch: bool
    description: str


GOALS = {
    "graph_fwdbwd_within_2.5x_cudnn_at_chapter_size": Goal(
        "chapter",
        "graph_over_cudnn_fwdbwd",
        "<=",
        2.5,
        False,
        "BiRNNFast in CUDA graphs, forward+backward, at most 2.5x cuDNN's time at the "
        "chapter's size",
    ),
    "graph_fwdbwd_faster_than_cudnn_at_large_size": Goal(
        "large",
        "graph_over_cudnn_fwdbwd",
        "<",
        1.0,
        False,
        "BiRNNFast in CUDA graphs, forward+backward, faster than cuDNN at the larger size",
    ),
    "graph_fwd_faster_than_cudnn_at_large_size": Goal(
        "large",
        "graph_over_cudnn_fwd",
        "<",
        1.0,
        False,
        "BiRNNFast in a CUDA graph, forward, faster than cuDNN at the larger size",
    ),
    "stretch_graph_fwdbwd_within_1.5x_cudnn_at_chapter_size": Goal(
        "chapter",
        "graph_over_cudnn_fwdbwd",
        "<=",
        1.5,
        True,
        "stretch: BiRNNFast in CUDA graphs, forward+backward, at most 1.5x cuDNN's time at "
        "the chapter's size",
    ),
}


class CudaUnavailable(RuntimeError):
    """Raised by the CUDA-only parts (graph capture, CUDA-event timing) without CUDA."""


class ParityError(AssertionError):
    """An implementation's outputs or gradients differ from cuDNN's beyond the tolerance."""


# ---------------------------------------------------------------------------------------
# CUDA, or why not


def no_cuda_reason() -> str:
    """Why ``torch.cuda.is_available()`` is false, in one sentence; '' when it is true."""
    try:
        import torch
    except ImportError:
        return f"torch is not installed for {sys.executable}"
    if torch.cuda.is_available():
        return ""
    if torch.version.cuda is None:
        return (
            f"torch {torch.__version__} in {sys.executable} is a CPU-only build, as the "
            "locked requirements install (choose another python: make bench-gpu "
            "GPU_PYTHON=...)"
        )
    return f"torch {torch.__version__} (CUDA {torch.version.cuda}) in {sys.executable} finds no GPU"


def require_cuda(device, what: str) -> None:
    """Raise :class:`CudaUnavailable` unless CUDA works and ``device`` is a CUDA device."""
    import torch

    reason = no_cuda_reason()
    if reason:
        raise CudaUnavailable(f"{what} needs CUDA: {reason}")
    if torch.device(device).type != "cuda":
        raise CudaUnavailable(f"{what} needs a CUDA device, got {device}")


@contextmanager
def fp32_precision(tf32: bool):
    """TensorFloat-32 on (``tf32``) or off for cuBLAS products and cuDNN RNNs; restored after.

    Uses torch's per-backend ``fp32_precision`` settings where they exist (torch >= 2.9; the
    legacy ``allow_tf32`` flags must not be mixed with them) and ``allow_tf32`` before.
    Yields what is in force, for the report.
    """
    import torch

    backends = torch.backends
    if hasattr(backends.cudnn, "rnn") and hasattr(backends.cudnn.rnn, "fp32_precision"):
        targets = ((backends.cuda.matmul, "fp32_precision"), (backends.cudnn.rnn, "fp32_precision"))
        value = "tf32" if tf32 else "ieee"
        names = ("cuda.matmul.fp32_precision", "cudnn.rnn.fp32_precision")
    else:
        targets = ((backends.cuda.matmul, "allow_tf32"), (backends.cudnn, "allow_tf32"))
        value = bool(tf32)
        names = ("cuda.matmul.allow_tf32", "cudnn.allow_tf32")
    saved = [getattr(obj, attr) for obj, attr in targets]
    try:
        for obj, attr in targets:
            setattr(obj, attr, value)
        yield {name: getattr(obj, attr) for name, (obj, attr) in zip(names, targets)}
    finally:
        for (obj, attr), old in zip(targets, saved):
            setattr(obj, attr, old)


# ---------------------------------------------------------------------------------------
# Timers and rounds


class PerfCounterTimer:
    """Milliseconds of one call by ``time.perf_counter``: the CPU stand-in, for the tests."""

    kind = "perf_counter"

    def __call__(self, fn: Callable[[], object]) -> float:
        start = time.perf_counter()
        fn()
        return 1e3 * (time.perf_counter() - start)


class CudaEventTimer:
    """Milliseconds of one call between two CUDA events, starting on an idle GPU.

    ``synchronize`` first, so earlier work is not counted; the start event is then recorded,
    ``fn`` launches its work, the end event is recorded after it, and the timer waits for the
    end event. The elapsed time covers the GPU's work and any time it waited for launches.
    """

    kind = "cuda_events"

    def __init__(self, device="cuda"):
        import torch

        require_cuda(device, "CudaEventTimer")
        self._torch = torch
        self.device = torch.device(device)
        self.start = torch.cuda.Event(enable_timing=True)
        self.end = torch.cuda.Event(enable_timing=True)

    def __call__(self, fn: Callable[[], object]) -> float:
        self._torch.cuda.synchronize(self.device)
        self.start.record()
        fn()
        self.end.record()
        self.end.synchronize()
        return self.start.elapsed_time(self.end)


def timer_for(device):
    """CUDA events on a CUDA device, :class:`PerfCounterTimer` elsewhere."""
    import torch

    return CudaEventTimer(device) if torch.device(device).type == "cuda" else PerfCounterTimer()


def measure(fns: dict, timer, repeats: int, warmup: int) -> dict[str, list[float]]:
    """Milliseconds of each zero-argument callable in ``fns``, ``repeats`` calls each.

    Runs ``warmup`` untimed rounds, then ``repeats`` timed rounds; each round calls every
    callable once, in an order that rotates from round to round, so a drift in clocks or
    load reaches all of them. Returns name -> list of ``repeats`` times (ms), round by round.
    """
    if repeats < 1 or warmup < 0:
        raise ValueError(f"measure needs repeats >= 1 and warmup >= 0, got {repeats}, {warmup}")
    from book.cost import interleaved_times

    return interleaved_times(fns, repeats, warmup, timer=timer)


def summarize(samples: dict[str, list[float]]) -> tuple[dict, dict]:
    """(name -> median ms, name -> [min ms, max ms]), rounded to 0.1 microsecond."""
    medians = {name: round(statistics.median(s), 4) for name, s in samples.items()}
    ranges = {name: [round(min(s), 4), round(max(s), 4)] for name, s in samples.items()}
    return medians, ranges


# ---------------------------------------------------------------------------------------
# The implementations, and their parity with cuDNN


@dataclass
class Impl:
    """One implementation, bound to its input: what is timed and what is checked.

    forward: a no-grad forward pass; returns the outputs (T, n, 2h).
    train_step: zero the gradients, run the forward pass and ``outputs.sum().backward()``.
    grads: the parameter gradients after ``train_step``, by BiRNNScratch parameter name.
    """

    forward: Callable[[], object]
    train_step: Callable[[], None]
    grads: Callable[[], dict]


def torch_grads(rnn) -> dict:
    """The gradients of layer 0 of a bidirectional ``nn.RNN`` in BiRNNScratch's layout.

    ``W_xh`` and ``W_hh`` are PyTorch's weights transposed; ``b_h`` stands for the sum
    ``bias_ih + bias_hh``, whose gradient is either one's (both get the same gradient).
    """
    grads = {}
    for ours, suffix in (("f_rnn", "_l0"), ("b_rnn", "_l0_reverse")):
        grads[f"{ours}.W_xh"] = getattr(rnn, "weight_ih" + suffix).grad.T
        grads[f"{ours}.W_hh"] = getattr(rnn, "weight_hh" + suffix).grad.T
        grads[f"{ours}.b_h"] = getattr(rnn, "bias_ih" + suffix).grad
    return grads


def module_grads(model) -> dict:
    """Parameter name -> gradient of a BiRNNScratch-like module."""
    return {name: p.grad for name, p in model.named_parameters()}


def _step(model, X, select=lambda out: out[0]):
    def train_step():
        model.zero_grad(set_to_none=True)
        select(model(X)).sum().backward()

    return train_step


def module_impl(model, X, grads=module_grads) -> Impl:
    """An :class:`Impl` for a module that returns ``outputs, state``, called on ``X``."""
    import torch

    def forward():
        with torch.no_grad():
            return model(X)[0]

    return Impl(forward, _step(model, X), lambda: grads(model))


def capture_forward(model, X, warmup: int = 3):
    """A CUDA graph of ``model``'s no-grad forward pass on a static copy of ``X``.

    Returns ``replay(X_new=X)``, which copies ``X_new`` into the static input, replays the
    graph and returns the static output tensor (overwritten by the next replay). Raises
    :class:`CudaUnavailable` without CUDA or for a CPU tensor.
    """
    require_cuda(X.device, "capture_forward (a CUDA graph)")
    import torch

    static_X = X.detach().clone()
    # Warm up on a side stream, as capture requires: cuBLAS handles and workspaces, the
    # caching allocator's blocks.
    stream = torch.cuda.Stream(device=X.device)
    stream.wait_stream(torch.cuda.current_stream(X.device))
    with torch.cuda.stream(stream), torch.no_grad():
        for _ in range(warmup):
            model(static_X)
    torch.cuda.current_stream(X.device).wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.no_grad(), torch.cuda.graph(graph):
        static_out = model(static_X)[0]

    def replay(X_new=X):
        static_X.copy_(X_new)
        graph.replay()
        return static_out

    replay.graph = graph
    return replay


def graph_training_module(model, X, warmup: int = 3):
    """``model`` (returning ``outputs, state``) as a module made by ``make_graphed_callables``.

    The returned module maps ``X`` to ``outputs`` only, through a captured forward graph and
    a captured backward graph that writes ``model``'s parameter gradients; ``X`` serves as
    the sample input (its shape, dtype and ``requires_grad`` must match later calls). Raises
    :class:`CudaUnavailable` without CUDA or for a CPU tensor.
    """
    require_cuda(X.device, "graph_training_module (CUDA graphs)")
    import torch
    from torch import nn

    class OutputsOnly(nn.Module):
        def __init__(self, layer):
            super().__init__()
            self.layer = layer

        def forward(self, X):
            return self.layer(X)[0]

    wrapped = OutputsOnly(model)
    return torch.cuda.make_graphed_callables(
        wrapped, (X.detach().clone(),), num_warmup_iters=warmup
    )


def graph_impl(rnn, X, warmup: int = 3) -> Impl:
    """The ``graph`` implementation: two BiRNNFast copies of ``rnn``, each in its graphs."""
    from book.fast import BiRNNFast

    fwd_model = BiRNNFast.from_torch(rnn, batched=True).to(X.device)
    train_model = BiRNNFast.from_torch(rnn, batched=True).to(X.device)
    replay = capture_forward(fwd_model, X, warmup)
    graphed = graph_training_module(train_model, X, warmup)
    return Impl(
        lambda: replay(X),
        _step(graphed, X, select=lambda out: out),
        lambda: module_grads(train_model),
    )


def implementations(rnn, X, graphs: bool = True, warmup: int = 3) -> dict[str, Impl]:
    """cuDNN's layer and the package's layers copied from it, all on ``X``'s device.

    ``graphs=False`` leaves out ``graph`` (CUDA graphs need CUDA; the CPU tests use this).
    """
    from book.fast import BiRNNFast
    from book.scratch import BiRNNScratch

    impls = {
        "cudnn": module_impl(rnn, X, grads=torch_grads),
        "scratch": module_impl(BiRNNScratch.from_torch(rnn).to(X.device), X),
        "fast": module_impl(BiRNNFast.from_torch(rnn, batched=True).to(X.device), X),
    }
    if graphs:
        impls["graph"] = graph_impl(rnn, X, warmup)
    return impls


def _compare(what: str, got, want, rtol: float, atol: float) -> float:
    """max |got - want|; raises :class:`ParityError` beyond ``atol + rtol * max |want|``."""
    if got is None or want is None:
        raise ParityError(f"{what}: {'got' if got is None else 'reference'} is missing")
    if tuple(got.shape) != tuple(want.shape):
        raise ParityError(f"{what}: shape {tuple(got.shape)}, cuDNN's is {tuple(want.shape)}")
    diff = float((got.double() - want.double()).abs().max())
    bound = atol + rtol * float(want.double().abs().max())
    if not diff <= bound:  # also catches NaN
        raise ParityError(
            f"{what}: max |difference| {diff:.3g} exceeds {bound:.3g} "
            f"(atol {atol:g} + rtol {rtol:g} x max |cuDNN|)"
        )
    return diff


def check_parity(impls: dict[str, Impl], tf32: bool = False) -> dict:
    """Check every implementation's outputs and gradients against ``impls["cudnn"]``.

    Returns name -> {"outputs_max_abs_diff", "grads_max_abs_diff"} (the largest over the
    six parameters); raises :class:`ParityError` naming the implementation and tensor.
    """
    tol = TOLERANCES[bool(tf32)]
    ref = impls[REFERENCE]
    want_out = ref.forward().detach().clone()
    ref.train_step()
    want_grads = {name: g.detach().clone() for name, g in ref.grads().items()}
    report = {}
    for name, impl in impls.items():
        if name == REFERENCE:
            continue
        out = _compare(f"{name} outputs", impl.forward(), want_out, *tol["outputs"])
        impl.train_step()
        got = impl.grads()
        if set(got) != set(want_grads):
            raise ParityError(
                f"{name} gradients: parameters {sorted(got)}, expected {sorted(want_grads)}"
            )
        grads = max(
            _compare(f"{name} gradient of {p}", got[p], want_grads[p], *tol["grads"])
            for p in want_grads
        )
        report[name] = {
            "outputs_max_abs_diff": float(f"{out:.3g}"),
            "grads_max_abs_diff": float(f"{grads:.3g}"),
        }
    return report


# ---------------------------------------------------------------------------------------
# Measuring one size


def time_implementations(impls: dict[str, Impl], timer, repeats: int, warmup: int) -> dict:
    """{"median_ms": {pass: {name: ms}}, "range_ms": {pass: {name: [min, max]}}}."""
    result = {"median_ms": {}, "range_ms": {}}
    for pas, pick in (("fwd", lambda i: i.forward), ("fwdbwd", lambda i: i.train_step)):
        samples = measure(
            {name: pick(impl) for name, impl in impls.items()}, timer, repeats, warmup
        )
        result["median_ms"][pas], result["range_ms"][pas] = summarize(samples)
    return result


def time_cells(
    T: int, n: int, d: int, h: int, device, timer, repeats: int, warmup: int, X=None
) -> dict:
    """cuDNN's RNN, GRU and LSTM, bidirectional and one-direction, fwd and fwdbwd.

    Returns cell -> {"median_ms": {pass: {"bi", "uni"}}, "range_ms": ...}.
    """
    import torch
    from torch import nn

    if X is None:
        X = torch.randn(T, n, d, device=device)
    result = {}
    for cell, cls in zip(CELLS, (nn.RNN, nn.GRU, nn.LSTM)):
        layers = {"bi": cls(d, h, bidirectional=True).to(device), "uni": cls(d, h).to(device)}
        impls = {name: module_impl(layer, X, grads=lambda m: {}) for name, layer in layers.items()}
        result[cell] = time_implementations(impls, timer, repeats, warmup)
    return result


def measure_size(
    T: int,
    n: int,
    d: int,
    h: int,
    device,
    timer,
    repeats: int,
    warmup: int,
    seed: int = 0,
    graphs: bool = True,
    tf32: bool = False,
) -> dict:
    """Parity, then timings, at one size: the raw material of :func:`size_entry`."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    rnn = nn.RNN(d, h, bidirectional=True).to(device)
    X = torch.randn(T, n, d, device=device)
    impls = implementations(rnn, X, graphs=graphs)
    parity = check_parity(impls, tf32=tf32)  # before any timing; raises on a mismatch
    timings = time_implementations(impls, timer, repeats, warmup)
    cells = time_cells(T, n, d, h, device, timer, repeats, warmup, X=X)
    return {
        "T": T,
        "n": n,
        "d": d,
        "h": h,
        "parity_max_abs_diff": parity,
        **timings,
        "cells": cells,
    }


# ---------------------------------------------------------------------------------------
# Pure functions: ratios, goals, the report, its table


def _ratio(num, den):
    if num is None or den is None or den <= 0:
        return None
    return round(num / den, 4)


def ratios(median_ms: dict, reference: str = REFERENCE) -> dict:
    """``<name>_over_<reference>_<pass>`` for every implementation but the reference.

    ``median_ms`` is {pass: {name: ms}}; a missing or null time gives a null ratio.
    """
    names = [name for name in IMPLEMENTATIONS if name != reference]
    return {
        f"{name}_over_{reference}_{pas}": _ratio(
            median_ms.get(pas, {}).get(name), median_ms.get(pas, {}).get(reference)
        )
        for pas in PASSES
        for name in names
    }


def cell_entry(cell: dict) -> dict:
    """A cell's timings with ``bi_over_uni_fwd`` and ``bi_over_uni_fwdbwd`` added."""
    entry = dict(cell)
    for pas in PASSES:
        ms = cell["median_ms"].get(pas, {})
        entry[f"bi_over_uni_{pas}"] = _ratio(ms.get("bi"), ms.get("uni"))
    return entry


def size_entry(measured: dict) -> dict:
    """One size's report entry: the measurements with every implementation present (null
    where not measured) and the ratios."""
    entry = dict(measured)
    entry["median_ms"] = {
        pas: {name: measured["median_ms"].get(pas, {}).get(name) for name in IMPLEMENTATIONS}
        for pas in PASSES
    }
    entry["range_ms"] = {
        pas: {name: measured.get("range_ms", {}).get(pas, {}).get(name) for name in IMPLEMENTATIONS}
        for pas in PASSES
    }
    entry["ratios"] = ratios(entry["median_ms"])
    entry["cells"] = {cell: cell_entry(c) for cell, c in measured.get("cells", {}).items()}
    return entry


def evaluate_goals(sizes: dict, goals: dict = GOALS) -> dict:
    """Each goal with its value and whether it is met (null where not measured)."""
    result = {}
    for key, goal in goals.items():
        value = sizes.get(goal.size, {}).get("ratios", {}).get(goal.ratio)
        if value is None:
            met = None
        elif goal.comparison == "<=":
            met = value <= goal.bound
        elif goal.comparison == "<":
            met = value < goal.bound
        else:
            raise ValueError(f"goal {key}: unknown comparison {goal.comparison!r}")
        result[key] = {
            "size": goal.size,
            "ratio": goal.ratio,
            "comparison": goal.comparison,
            "bound": goal.bound,
            "value": value,
            "met": met,
            "stretch": goal.stretch,
            "description": goal.description,
        }
    return result


def goals_met(goals: dict):
    """True if every goal that is not a stretch is met; null if one was not measured."""
    mets = [g["met"] for g in goals.values() if not g["stretch"]]
    if any(m is None for m in mets):
        return None
    return all(mets)


def build_report(environment: dict, command: str, config: dict, measured: dict) -> dict:
    """The JSON report from the environment, the command, the config and the measurements
    (size name -> :func:`measure_size`'s result). Pure: no torch, no clock."""
    sizes = {name: size_entry(m) for name, m in measured.items()}
    goals = evaluate_goals(sizes)
    return {
        "schema": SCHEMA,
        **environment,
        "command": command,
        "config": config,
        "sizes": sizes,
        "goals": goals,
        "goals_met": goals_met(goals),
        "notes": {
            "median_ms": "median milliseconds over config.repeats calls after config.warmup "
            "untimed rounds; range_ms holds [fastest, slowest]",
            "ratios": "<implementation>_over_cudnn_<pass>: ratio of median times; below 1 is "
            "faster than cuDNN",
            "cells": "cuDNN layers, bidirectional (bi) and one-direction (uni), one layer, "
            "d and h as the size; bi_over_uni_<pass> = bi time / uni time",
            "parity_max_abs_diff": "largest |difference| from cuDNN's outputs and parameter "
            "gradients, checked before timing",
            "goals_met": "every goal but the stretch goal met (null: one was not measured)",
        },
    }


def environment(device) -> dict:
    """Device name and versions, the date (UTC) and the checkout's commit."""
    import torch

    from tools.bench import cpu_model

    device = torch.device(device)
    env = {
        "device_name": cpu_model(),
        "device": {"type": device.type},
        "torch_version": torch.__version__,
        "cuda_version": torch.version.cuda,
        "cudnn_version": torch.backends.cudnn.version() if device.type == "cuda" else None,
        "python_version": platform.python_version(),
        "python_executable": sys.executable,
        "host_cpu": cpu_model(),
        "date_utc": datetime.datetime.now(datetime.timezone.utc)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "git_commit": git_commit(),
    }
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        env["device_name"] = props.name
        env["device"].update(
            {
                "capability": f"{props.major}.{props.minor}",
                "multiprocessors": props.multi_processor_count,
                "memory_gib": round(props.total_memory / 2**30, 1),
            }
        )
    return env


def git_commit() -> str | None:
    """HEAD of the checkout, with ``-dirty`` when tracked files differ; null outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("-dirty" if dirty else "")


def run(
    sizes: dict,
    device,
    timer,
    repeats: int,
    warmup: int,
    seed: int = 0,
    graphs: bool = True,
    tf32: bool = False,
    command: str = "",
) -> dict:
    """Measure every size and build the report. ``sizes``: name -> (T, n, d), h = d."""
    import torch

    with fp32_precision(tf32) as precision:
        measured = {}
        for name, (T, n, d) in sizes.items():
            print(f"  {name}: T={T}, n={n}, d=h={d} ...", flush=True)
            measured[name] = measure_size(
                T, n, d, d, device, timer, repeats, warmup, seed=seed, graphs=graphs, tf32=tf32
            )
            if torch.device(device).type == "cuda":
                torch.cuda.empty_cache()
    config = {
        "sizes": {name: {"T": T, "n": n, "d": d, "h": d} for name, (T, n, d) in sizes.items()},
        "repeats": repeats,
        "warmup": warmup,
        "seed": seed,
        "dtype": "float32",
        "tf32": tf32,
        "fp32_precision": precision,
        "timer": timer.kind,
        "implementations": IMPLEMENTATIONS,
        "passes": PASSES,
        "reference": REFERENCE,
        "input_requires_grad": False,
        "parity_tolerances": {
            k: {"rtol": r, "atol": a} for k, (r, a) in TOLERANCES[bool(tf32)].items()
        },
    }
    return build_report(environment(device), command, config, measured)


def table(report: dict) -> str:
    """The report as Markdown: per size and pass, milliseconds and ratios to cuDNN; the
    cells' bi/uni ratios; the goals."""

    def ms(value):
        return "n/a" if value is None else f"{value:.3g} ms" if value < 100 else f"{value:.0f} ms"

    def times(value):
        return "n/a" if value is None else f"{value:.2f}x"

    names = list(IMPLEMENTATIONS)
    lines = [
        f"{report.get('device_name')}, torch {report.get('torch_version')}, "
        f"CUDA {report.get('cuda_version')}, cuDNN {report.get('cudnn_version')}, "
        f"{report.get('date_utc')}",
        "",
        "| size, pass | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for size, entry in report["sizes"].items():
        for pas in PASSES:
            med = entry["median_ms"][pas]
            cells = [ms(med[REFERENCE])]
            for name in names[1:]:
                ratio = entry["ratios"][f"{name}_over_{REFERENCE}_{pas}"]
                cells.append(f"{ms(med[name])} ({times(ratio)})")
            lines.append(
                f"| {size} (T={entry['T']}, n={entry['n']}, d=h={entry['d']}), "
                f"{pas} | " + " | ".join(cells) + " |"
            )
    lines += [
        "",
        "| size | " + " | ".join(f"{c} bi/uni fwd, fwdbwd" for c in CELLS) + " |",
        "|---|" + "---|" * len(CELLS),
    ]
    for size, entry in report["sizes"].items():
        row = [
            f"{times(entry['cells'].get(c, {}).get('bi_over_uni_fwd'))}, "
            f"{times(entry['cells'].get(c, {}).get('bi_over_uni_fwdbwd'))}"
            for c in CELLS
        ]
        lines.append(f"| {size} | " + " | ".join(row) + " |")
    lines.append("")
    for key, goal in report["goals"].items():
        met = {True: "met", False: "NOT met", None: "not measured"}[goal["met"]]
        lines.append(
            f"- {key}: {goal['ratio']} = {times(goal['value'])} "
            f"{goal['comparison']} {goal['bound']:g}: {met}"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Command line


def parse_size(text: str) -> tuple[str, tuple[int, int, int]]:
    """``NAME=T,n,d`` -> (NAME, (T, n, d)), h = d; raises ``argparse.ArgumentTypeError``."""
    name, sep, dims = text.partition("=")
    try:
        values = tuple(int(v) for v in dims.split(","))
    except ValueError:
        values = ()
    if not sep or not name or len(values) != 3 or min(values) < 1:
        raise argparse.ArgumentTypeError(
            f"expected NAME=T,n,d with positive integers (h = d), e.g. chapter=100,64,256; "
            f"got {text!r}"
        )
    return name, values


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.bench_gpu", description=__doc__.split("\n")[0]
    )
    p.add_argument("--out", default=DEFAULT_OUT, help=f"the JSON report (default {DEFAULT_OUT})")
    p.add_argument("--repeats", type=int, default=30, help="timed calls per figure (median)")
    p.add_argument("--warmup", type=int, default=5, help="untimed rounds before timing")
    p.add_argument(
        "--size",
        type=parse_size,
        action="append",
        metavar="NAME=T,n,d",
        help="a size to measure (repeatable; replaces the defaults "
        + ", ".join(f"{k}={','.join(map(str, v))}" for k, v in SIZES.items())
        + "; the goals read 'chapter' and 'large')",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--tf32",
        action="store_true",
        help="allow TensorFloat-32 in cuBLAS products and cuDNN RNNs (default off)",
    )
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if args.repeats < 1 or args.warmup < 0:
        print("bench_gpu: --repeats must be at least 1 and --warmup at least 0", file=sys.stderr)
        return 2
    reason = no_cuda_reason()
    if reason:
        print(
            f"bench_gpu: needs an NVIDIA GPU and a CUDA build of torch, but {reason}; "
            f"nothing measured, {args.out} not written.",
            file=sys.stderr,
        )
        return 2
    # The interpreter by name (python, python3), not by its machine-specific path.
    command = f"{Path(sys.executable).name} -m tools.bench_gpu " + shlex.join(
        sys.argv[1:] if argv is None else list(argv)
    )
    sizes = dict(args.size) if args.size else dict(SIZES)
    print(f"bench_gpu: {len(sizes)} sizes, median of {args.repeats} calls each", flush=True)
    try:
        report = run(
            sizes,
            "cuda",
            CudaEventTimer("cuda"),
            args.repeats,
            args.warmup,
            seed=args.seed,
            graphs=True,
            tf32=args.tf32,
            command=command.strip(),
        )
    except ParityError as error:
        print(f"bench_gpu: parity check failed, nothing timed or written: {error}", file=sys.stderr)
        return 1
    from tools.bench import write_report

    write_report(report, Path(args.out), table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
