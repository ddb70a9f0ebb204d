"""The GPU benchmark's logic, on the CPU (tools/bench_gpu.py); CUDA paths skip without CUDA.

No timing thresholds: the CPU tests check names, shapes of the report, arithmetic on fake
timings, parity on tiny layers and the command line's clean refusal without a GPU.
"""

import json
import re
import subprocess
import sys

import pytest
import torch
from paths import ROOT
from torch import nn

from book.fast import BiRNNFast
from tools import bench_gpu

CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU (CUDA graphs, CUDA events)")
# Tiny sizes under the names the goals read, so a CPU run exercises the whole report.
TINY = {"chapter": (5, 3, 8), "large": (4, 2, 6)}
RATIO_KEYS = {
    f"{name}_over_cudnn_{pas}" for name in ("scratch", "fast", "graph") for pas in ("fwd", "fwdbwd")
}


def fake_measured(
    cudnn=(1.0, 2.0),
    scratch=(20.0, 60.0),
    fast=(5.0, 16.0),
    graph=(1.5, 4.0),
    T=100,
    n=64,
    d=256,
    cells=None,
):
    """What measure_size returns, with made-up milliseconds (fwd, fwdbwd) per implementation."""
    times = {"cudnn": cudnn, "scratch": scratch, "fast": fast, "graph": graph}
    median = {
        pas: {name: None if t is None else t[i] for name, t in times.items()}
        for i, pas in enumerate(("fwd", "fwdbwd"))
    }
    ranges = {
        pas: {name: None if v is None else [v, v] for name, v in med.items()}
        for pas, med in median.items()
    }
    if cells is None:
        cells = {
            c: {
                "median_ms": {"fwd": {"bi": 2.0, "uni": 1.0}, "fwdbwd": {"bi": 3.0, "uni": 2.0}},
                "range_ms": {},
            }
            for c in bench_gpu.CELLS
        }
    return {
        "T": T,
        "n": n,
        "d": d,
        "h": d,
        "median_ms": median,
        "range_ms": ranges,
        "parity_max_abs_diff": {},
        "cells": cells,
    }


# --- ratios and goals from fake timings --------------------------------------------------


def test_ratios_are_named_implementation_over_cudnn_pass():
    entry = bench_gpu.size_entry(fake_measured())
    assert set(entry["ratios"]) == RATIO_KEYS
    assert entry["ratios"]["graph_over_cudnn_fwdbwd"] == 2.0
    assert entry["ratios"]["scratch_over_cudnn_fwd"] == 20.0
    assert entry["ratios"]["fast_over_cudnn_fwdbwd"] == 8.0
    assert entry["ratios"]["graph_over_cudnn_fwd"] == 1.5


def test_a_missing_implementation_gives_null_ratios_not_an_error():
    entry = bench_gpu.size_entry(fake_measured(graph=None))
    assert entry["median_ms"]["fwd"]["graph"] is None
    assert entry["ratios"]["graph_over_cudnn_fwd"] is None
    assert entry["ratios"]["scratch_over_cudnn_fwd"] == 20.0
    # Absent altogether (a CPU run without graphs): filled in as null.
    measured = fake_measured()
    for pas in ("fwd", "fwdbwd"):
        del measured["median_ms"][pas]["graph"]
    assert bench_gpu.size_entry(measured)["median_ms"]["fwdbwd"]["graph"] is None


def test_bi_over_uni_per_cell_type():
    entry = bench_gpu.size_entry(fake_measured())
    assert set(entry["cells"]) == {"rnn", "gru", "lstm"}
    for cell in entry["cells"].values():
        assert cell["bi_over_uni_fwd"] == 2.0 and cell["bi_over_uni_fwdbwd"] == 1.5


@pytest.mark.parametrize(
    "chapter_graph, large_graph, expected",
    [
        (
            (1.0, 5.0),
            (0.5, 1.5),
            {
                "graph_fwdbwd_within_2.5x_cudnn_at_chapter_size": True,
                "graph_fwdbwd_faster_than_cudnn_at_large_size": True,
                "graph_fwd_faster_than_cudnn_at_large_size": True,
                "stretch_graph_fwdbwd_within_1.5x_cudnn_at_chapter_size": False,
            },
        ),
        # Exactly 2.5x is within 2.5x; exactly as fast as cuDNN is not faster.
        (
            (1.0, 5.0),
            (1.0, 2.0),
            {
                "graph_fwdbwd_within_2.5x_cudnn_at_chapter_size": True,
                "graph_fwdbwd_faster_than_cudnn_at_large_size": False,
                "graph_fwd_faster_than_cudnn_at_large_size": False,
                "stretch_graph_fwdbwd_within_1.5x_cudnn_at_chapter_size": False,
            },
        ),
        (
            (1.0, 2.8),
            (0.9, 1.9),
            {
                "graph_fwdbwd_within_2.5x_cudnn_at_chapter_size": True,
                "graph_fwdbwd_faster_than_cudnn_at_large_size": True,
                "graph_fwd_faster_than_cudnn_at_large_size": True,
                "stretch_graph_fwdbwd_within_1.5x_cudnn_at_chapter_size": True,
            },
        ),
        (
            (1.0, 5.2),
            (0.9, 1.9),
            {
                "graph_fwdbwd_within_2.5x_cudnn_at_chapter_size": False,
                "graph_fwdbwd_faster_than_cudnn_at_large_size": True,
                "graph_fwd_faster_than_cudnn_at_large_size": True,
                "stretch_graph_fwdbwd_within_1.5x_cudnn_at_chapter_size": False,
            },
        ),
    ],
)
def test_goals_from_fake_timings(chapter_graph, large_graph, expected):
    sizes = {
        "chapter": bench_gpu.size_entry(fake_measured(graph=chapter_graph)),
        "large": bench_gpu.size_entry(fake_measured(graph=large_graph)),
    }
    goals = bench_gpu.evaluate_goals(sizes)
    assert {key: goal["met"] for key, goal in goals.items()} == expected
    for goal in goals.values():
        assert goal["value"] == sizes[goal["size"]]["ratios"][goal["ratio"]]
    core = [met for key, met in expected.items() if not key.startswith("stretch")]
    assert bench_gpu.goals_met(goals) is all(core)


def test_goals_are_null_when_not_measured():
    goals = bench_gpu.evaluate_goals({"chapter": bench_gpu.size_entry(fake_measured())})
    large = [g for g in goals.values() if g["size"] == "large"]
    assert large and all(g["value"] is None and g["met"] is None for g in large)
    assert bench_gpu.goals_met(goals) is None


def test_the_goals_are_the_issues():
    goals = {(g.size, g.ratio, g.comparison, g.bound, g.stretch) for g in bench_gpu.GOALS.values()}
    assert goals == {
        ("chapter", "graph_over_cudnn_fwdbwd", "<=", 2.5, False),
        ("large", "graph_over_cudnn_fwdbwd", "<", 1.0, False),
        ("large", "graph_over_cudnn_fwd", "<", 1.0, False),
        ("chapter", "graph_over_cudnn_fwdbwd", "<=", 1.5, True),
    }
    assert bench_gpu.SIZES == {"chapter": (100, 64, 256), "large": (100, 256, 512)}


# --- the report and its table -------------------------------------------------------------

ENV = {
    "device_name": "Fake GPU",
    "device": {"type": "cuda", "capability": "9.0"},
    "torch_version": "2.x",
    "cuda_version": "13.0",
    "cudnn_version": 91000,
    "python_version": "3.12",
    "host_cpu": "cpu",
    "date_utc": "2026-01-01T00:00:00Z",
    "git_commit": None,
}


def test_report_schema_and_field_names():
    report = bench_gpu.build_report(
        ENV,
        "python -m tools.bench_gpu --out results/gpu_cost.json",
        {"repeats": 30},
        {"chapter": fake_measured(), "large": fake_measured(graph=(0.5, 1.5), n=256, d=512)},
    )
    json.loads(json.dumps(report))  # plain JSON, nothing else
    for key in (
        "device_name",
        "torch_version",
        "cuda_version",
        "cudnn_version",
        "date_utc",
        "command",
        "config",
        "sizes",
        "goals",
        "goals_met",
        "notes",
        "schema",
    ):
        assert key in report, key
    assert report["command"] == "python -m tools.bench_gpu --out results/gpu_cost.json"
    for entry in report["sizes"].values():
        assert set(entry["median_ms"]) == set(entry["range_ms"]) == {"fwd", "fwdbwd"}
        for pas in ("fwd", "fwdbwd"):
            assert set(entry["median_ms"][pas]) == set(bench_gpu.IMPLEMENTATIONS)
        assert set(entry["ratios"]) == RATIO_KEYS
        assert {"T", "n", "d", "h", "parity_max_abs_diff", "cells"} <= set(entry)
    for goal in report["goals"].values():
        assert {
            "size",
            "ratio",
            "comparison",
            "bound",
            "value",
            "met",
            "stretch",
            "description",
        } <= set(goal)
    assert report["goals_met"] is True


def test_table_shows_times_ratios_and_goals():
    report = bench_gpu.build_report(
        ENV,
        "cmd",
        {},
        {"chapter": fake_measured(graph=(1.5, 6.0)), "large": fake_measured(graph=(0.5, 1.0))},
    )
    text = bench_gpu.table(report)
    assert "Fake GPU" in text and "CUDA 13.0" in text
    assert "| chapter (T=100, n=64, d=h=256), fwdbwd | 2 ms | 60 ms (30.00x)" in text
    assert "6 ms (3.00x)" in text
    assert (
        "graph_fwdbwd_within_2.5x_cudnn_at_chapter_size: graph_over_cudnn_fwdbwd = 3.00x "
        "<= 2.5: NOT met" in text
    )
    assert (
        "graph_fwdbwd_faster_than_cudnn_at_large_size: graph_over_cudnn_fwdbwd = 0.50x < 1: "
        "met" in text
    )


# --- timers and rounds ------------------------------------------------------------------


def test_measure_warms_up_rotates_and_returns_one_time_per_round():
    calls = []
    fns = {name: (lambda name=name: calls.append(name)) for name in "abc"}
    ticks = iter(range(1000))

    def timer(fn):
        fn()
        return float(next(ticks))

    samples = bench_gpu.measure(fns, timer, repeats=4, warmup=2)
    assert calls[:6] == list("abcabc")  # warm-up rounds, untimed
    assert calls[6:] == list("abcbcacababc")  # the order rotates
    assert {k: len(v) for k, v in samples.items()} == {"a": 4, "b": 4, "c": 4}
    assert samples["a"] == [0.0, 5.0, 7.0, 9.0]
    medians, ranges = bench_gpu.summarize(samples)
    assert medians["a"] == 6.0 and ranges["a"] == [0.0, 9.0]
    with pytest.raises(ValueError):
        bench_gpu.measure(fns, timer, repeats=0, warmup=0)


def test_perf_counter_timer_and_timer_for_cpu():
    timer = bench_gpu.timer_for("cpu")
    assert isinstance(timer, bench_gpu.PerfCounterTimer) and timer.kind == "perf_counter"
    ms = timer(lambda: sum(range(1000)))
    assert isinstance(ms, float) and ms >= 0


def test_fp32_precision_is_set_and_restored():
    def read():
        backends = torch.backends
        if hasattr(backends.cudnn, "rnn") and hasattr(backends.cudnn.rnn, "fp32_precision"):
            return backends.cuda.matmul.fp32_precision, backends.cudnn.rnn.fp32_precision
        return backends.cuda.matmul.allow_tf32, backends.cudnn.allow_tf32

    before = read()
    for tf32 in (False, True):
        with bench_gpu.fp32_precision(tf32) as in_force:
            assert tuple(in_force.values()) == read()
            assert read() in (
                (("tf32", "tf32"), (True, True)) if tf32 else (("ieee", "ieee"), (False, False))
            )
        assert read() == before


# --- parity, on tiny CPU layers -----------------------------------------------------------


def tiny_layers(T=5, n=3, d=6, seed=0):
    torch.manual_seed(seed)
    return nn.RNN(d, d, bidirectional=True), torch.randn(T, n, d)


def test_parity_holds_for_the_package_layers_on_cpu():
    rnn, X = tiny_layers()
    impls = bench_gpu.implementations(rnn, X, graphs=False)
    assert set(impls) == {"cudnn", "scratch", "fast"}
    report = bench_gpu.check_parity(impls)
    assert set(report) == {"scratch", "fast"}
    for diffs in report.values():
        assert set(diffs) == {"outputs_max_abs_diff", "grads_max_abs_diff"}
        assert 0 <= diffs["outputs_max_abs_diff"] < 1e-4
        assert 0 <= diffs["grads_max_abs_diff"] < 1e-3


def test_torch_grads_match_the_scratch_layout():
    rnn, X = tiny_layers()
    impls = bench_gpu.implementations(rnn, X, graphs=False)
    impls["cudnn"].train_step()
    grads = bench_gpu.torch_grads(rnn)
    assert set(grads) == {f"{d}.{p}" for d in ("f_rnn", "b_rnn") for p in ("W_xh", "W_hh", "b_h")}
    assert grads["f_rnn.W_xh"].shape == (6, 6) and grads["b_rnn.b_h"].shape == (6,)
    torch.testing.assert_close(grads["b_rnn.b_h"], rnn.bias_hh_l0_reverse.grad)


def test_parity_catches_a_wrong_layer():
    rnn, X = tiny_layers()
    impls = bench_gpu.implementations(rnn, X, graphs=False)
    wrong = BiRNNFast.from_torch(rnn, batched=True)
    with torch.no_grad():
        wrong.b_rnn.W_hh.mul_(1.01)  # a 1% error in one weight
    impls["fast"] = bench_gpu.module_impl(wrong, X)
    with pytest.raises(bench_gpu.ParityError, match="fast outputs"):
        bench_gpu.check_parity(impls)


def test_parity_catches_wrong_gradients_with_right_outputs():
    rnn, X = tiny_layers()
    impls = bench_gpu.implementations(rnn, X, graphs=False)
    model = BiRNNFast.from_torch(rnn)

    def bad_grads(m):
        grads = bench_gpu.module_grads(m)
        grads["f_rnn.W_hh"] = grads["f_rnn.W_hh"] * 2
        return grads

    impls["fast"] = bench_gpu.module_impl(model, X, grads=bad_grads)
    with pytest.raises(bench_gpu.ParityError, match="fast gradient of f_rnn.W_hh"):
        bench_gpu.check_parity(impls)


def test_compare_reports_shape_and_nan():
    want = torch.zeros(2, 3)
    with pytest.raises(bench_gpu.ParityError, match="shape"):
        bench_gpu._compare("x", torch.zeros(3, 2), want, 1e-4, 1e-5)
    with pytest.raises(bench_gpu.ParityError, match="exceeds"):
        bench_gpu._compare("x", torch.full((2, 3), float("nan")), want, 1e-4, 1e-5)
    assert bench_gpu._compare("x", want + 1e-6, want, 1e-4, 1e-5) <= 1e-5


# --- the CUDA-only parts refuse cleanly without CUDA --------------------------------------


@pytest.mark.skipif(CUDA, reason="checks the behaviour without CUDA")
def test_graph_wrappers_and_event_timer_need_cuda():
    rnn, X = tiny_layers()
    model = BiRNNFast.from_torch(rnn, batched=True)
    with pytest.raises(bench_gpu.CudaUnavailable, match="capture_forward.*needs CUDA"):
        bench_gpu.capture_forward(model, X)
    with pytest.raises(bench_gpu.CudaUnavailable, match="graph_training_module.*needs CUDA"):
        bench_gpu.graph_training_module(model, X)
    with pytest.raises(bench_gpu.CudaUnavailable, match="CudaEventTimer needs CUDA"):
        bench_gpu.CudaEventTimer("cuda")
    with pytest.raises(bench_gpu.CudaUnavailable):
        bench_gpu.implementations(rnn, X, graphs=True)
    assert bench_gpu.no_cuda_reason()


def test_graph_wrappers_refuse_a_cpu_tensor(monkeypatch):
    monkeypatch.setattr(bench_gpu, "no_cuda_reason", lambda: "")  # as if CUDA worked
    rnn, X = tiny_layers()
    with pytest.raises(bench_gpu.CudaUnavailable, match="needs a CUDA device, got cpu"):
        bench_gpu.capture_forward(BiRNNFast.from_torch(rnn, batched=True), X)


def test_main_refuses_without_cuda_in_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    out = tmp_path / "gpu_cost.json"
    assert bench_gpu.main(["--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bench_gpu: needs an NVIDIA GPU") and err.count("\n") == 1
    assert str(out) in err and "not written" in err
    assert not out.exists()


@pytest.mark.skipif(CUDA, reason="checks the command line without CUDA")
def test_command_line_fails_cleanly_without_cuda(tmp_path):
    out = tmp_path / "gpu_cost.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tools.bench_gpu", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("bench_gpu: ") and proc.stderr.count("\n") == 1
    assert not out.exists()


def test_command_line_rejects_a_malformed_size(capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench_gpu.main(["--size", "tiny=5,3"])
    assert exit_info.value.code == 2
    assert "expected NAME=T,n,d" in capsys.readouterr().err
    assert bench_gpu.parse_size("tiny=5,3,8") == ("tiny", (5, 3, 8))


# --- the whole pipeline on the CPU, tiny, without graphs ---------------------------------


def test_run_on_cpu_builds_a_complete_report():
    report = bench_gpu.run(
        TINY, "cpu", bench_gpu.PerfCounterTimer(), repeats=2, warmup=1, graphs=False, command="test"
    )
    json.loads(json.dumps(report))
    assert report["device"]["type"] == "cpu" and report["cudnn_version"] is None
    assert report["config"]["timer"] == "perf_counter"
    assert report["config"]["sizes"]["chapter"] == {"T": 5, "n": 3, "d": 8, "h": 8}
    assert set(report["config"]["fp32_precision"].values()) <= {"ieee", False}
    for entry in report["sizes"].values():
        for pas in ("fwd", "fwdbwd"):
            med = entry["median_ms"][pas]
            assert all(med[name] > 0 for name in ("cudnn", "scratch", "fast"))
            assert med["graph"] is None
            assert entry["ratios"][f"scratch_over_cudnn_{pas}"] > 0
        assert set(entry["parity_max_abs_diff"]) == {"scratch", "fast"}
        for cell in entry["cells"].values():
            assert cell["bi_over_uni_fwd"] > 0 and cell["bi_over_uni_fwdbwd"] > 0
    assert all(goal["met"] is None for goal in report["goals"].values())
    assert report["goals_met"] is None


# --- on a CUDA GPU only --------------------------------------------------------------------


@needs_cuda
def test_cuda_graphs_match_cudnn():
    rnn, X = tiny_layers()
    rnn, X = rnn.cuda(), X.cuda()
    with bench_gpu.fp32_precision(False):
        impls = bench_gpu.implementations(rnn, X, graphs=True)
        report = bench_gpu.check_parity(impls)
        # Replaying with new input gives new outputs, still cuDNN's.
        X2 = torch.randn_like(X)
        replay = bench_gpu.capture_forward(BiRNNFast.from_torch(rnn, batched=True).cuda(), X)
        with torch.no_grad():
            torch.testing.assert_close(replay(X2).clone(), rnn(X2)[0], rtol=1e-4, atol=1e-5)
    assert set(report) == {"scratch", "fast", "graph"}


@needs_cuda
def test_cuda_event_timer_measures_milliseconds():
    timer = bench_gpu.CudaEventTimer("cuda")
    x = torch.randn(256, 256, device="cuda")
    assert timer(lambda: x @ x) > 0


@needs_cuda
def test_command_line_on_cuda_writes_the_report(tmp_path):
    out = tmp_path / "gpu_cost.json"
    assert (
        bench_gpu.main(
            [
                "--out",
                str(out),
                "--repeats",
                "2",
                "--warmup",
                "1",
                "--size",
                "chapter=5,3,8",
                "--size",
                "large=4,2,16",
            ]
        )
        == 0
    )
    report = json.loads(out.read_text())
    assert report["device"]["type"] == "cuda" and report["device_name"]
    assert report["cuda_version"] and report["config"]["timer"] == "cuda_events"
    assert re.match(r"python\S* -m tools\.bench_gpu --out \S+ --repeats 2 ", report["command"])
    for entry in report["sizes"].values():
        assert all(v > 0 for pas in ("fwd", "fwdbwd") for v in entry["median_ms"][pas].values())
        assert set(entry["parity_max_abs_diff"]) == {"scratch", "fast", "graph"}
    assert all(goal["met"] in (True, False) for goal in report["goals"].values())
