"""The project's benchmark: how long the chapter takes to run and build, and how fast its code is.

``make bench`` (or ``python -m tools.bench``) prints a table and writes ``_build/bench.json``.
It measures:

* ``notebooks_s``: seconds to execute each notebook in ``chapters/`` with a fresh kernel
  (kernel start included), run on a temporary copy so committed notebooks are untouched;
  ``chapter_exec_s`` is their sum and ``slowest_notebook_s`` their maximum;
* ``floor_notebook_s``: the same for a notebook that only imports what the chapter imports
  (kernel start and imports, the least any notebook can take), and the goals' ratios
  ``chapter_over_floor`` = chapter_exec_s / (notebooks × floor) and ``slowest_over_floor``
  = slowest_notebook_s / floor, with the CPU model and torch version beside them. The
  notebooks run ``--notebook-rounds`` times (default 3), a floor run before each notebook and
  after the last; each figure is the median over rounds;
* ``build_s``: seconds for ``jupyter-book build`` into a clean temporary output folder; the
  book's execution is off (``_config.yml``), so this is the cost of rendering committed outputs;
* ``fwd_ratio_scratch_vs_torch`` and ``fwdbwd_ratio_scratch_vs_torch``: time of
  :class:`book.fast.BiRNNFast` over time of ``nn.RNN(bidirectional=True)``, both on the CPU
  at T=100, n=64, d=h=256, measured side by side in rounds (one call of each, order
  alternating), the median over rounds of each round's ratio, so a load spike that hits a
  round hits both; "forward" runs under ``torch.no_grad()``, "forward+backward" is one
  training step's forward and ``backward()``;
* ``widget_update_ms``: ``benchmark_update(repeats=20)`` (below), the median time of one
  shape-explorer update in this process;
* ``pages``: Core Web Vitals of every page of both editions on a throttled phone (slow 4G,
  4x CPU, through Playwright's CDP session, served gzipped as GitHub Pages serves them):
  LCP, CLS, an estimate of TBT (by the clock, and from main-thread CPU time as Lighthouse
  simulates it) and the bytes transferred per page, and CLS on a desktop screen
  (tools/pagespeed.py); ``pages_lcp_ms_max``, ``pages_cls_max``, ``pages_tbt_ms_max``,
  ``pages_tbt_cpu_ms_max`` and ``pages_desktop_cls_max`` are the worst page's figures,
  against the goals;
* ``peak_rss_mb``: the larger of the peak resident set size of this process and that of the
  largest child process it waited for (notebook kernels, the book build), from
  ``resource.getrusage``; both parts are recorded too. A peak, not a sum.

The goals are reported next to the numbers; a missed goal is printed, never an error, because
wall-clock times depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# metric -> (goal, how to read it); "<=" everywhere.
# Notebook goals are ratios to the floor measured in the same run, because absolute
# seconds differ twofold between machines of one kind.
GOALS = {
    "fwd_ratio_scratch_vs_torch": 1.1,
    "fwdbwd_ratio_scratch_vs_torch": 1.6,
    "chapter_over_floor": 1.5,
    "slowest_over_floor": 3.0,
    "widget_update_ms": 100.0,
    "fillin_update_ms": 50.0,
    "fillin_update_ms_cpu4x": 150.0,
    # Every page on a throttled phone (issue 26; Lighthouse's "good" thresholds).
    "pages_lcp_ms_max": 2500.0,
    "pages_cls_max": 0.1,
    "pages_tbt_ms_max": 200.0,
    "pages_tbt_cpu_ms_max": 200.0,
    "pages_desktop_cls_max": 0.1,
}
PAGE_METRICS = {
    "pages_lcp_ms_max": "lcp_ms",
    "pages_cls_max": "cls",
    "pages_tbt_ms_max": "tbt_ms",
    "pages_tbt_cpu_ms_max": "tbt_cpu_ms",
    "pages_desktop_cls_max": "desktop_cls",
}
FILLIN_PAGE = "chapters/05_context_in_action.html"
# 49 characters (the most the demo reads), blanks at the start, the middle and the end.
FILLIN_SENTENCES = [
    "th_ time traveller said that it was a very good d",
    "the time traveller said that i_ was a very good d",
    "the time traveller said that it was a very good _",
]

# The floor: a fresh kernel that only imports what the chapter's notebooks import.
FLOOR_SOURCE = """\
import matplotlib.pyplot as plt
import torch
import book
from book import (cost, dependence, exercises, explorer, fast, figures, polysemy, shapes,
                  text, train)
"""


def _execute(nb, path: Path, timeout: int) -> float:
    """Seconds to run ``nb`` with a fresh kernel in ``path``'s folder, kernel start included."""
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return round(time.perf_counter() - start, 3)


def time_floor(chapters: Path, timeout: int = 600) -> float:
    """Seconds for a fresh kernel to run only the chapter's imports (``FLOOR_SOURCE``)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])
    return _execute(nb, chapters / "floor.ipynb", timeout)


def time_notebooks(
    chapters: Path, timeout: int = 600, floors: list | None = None
) -> dict[str, float]:
    """Execute every notebook under ``chapters`` in a temporary copy; seconds per notebook.

    With a ``floors`` list, a floor notebook (:func:`time_floor`) runs before each notebook
    and once after the last, and its times are appended: the floor then sees the same
    machine state as the notebooks around it.
    """
    import nbformat

    times = {}
    with tempfile.TemporaryDirectory(prefix="bench-nb-") as tmp:
        copy = Path(tmp) / chapters.name
        shutil.copytree(chapters, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        for path in sorted(copy.glob("*.ipynb")):
            if floors is not None:
                floors.append(time_floor(copy, timeout))
            times[path.name] = _execute(nbformat.read(path, as_version=4), path, timeout)
            print(f"  executed {path.name} in {times[path.name]:.1f} s", flush=True)
        if floors is not None:
            floors.append(time_floor(copy, timeout))
    return times


def notebook_rounds(chapters: Path, rounds: int) -> dict:
    """Run the notebooks with interleaved floors ``rounds`` times; medians over rounds."""
    per_round = []
    for r in range(rounds):
        print(f"executing notebooks in {chapters}, round {r + 1} of {rounds} ...", flush=True)
        floors: list = []
        times = time_notebooks(chapters, floors=floors)
        floor = statistics.median(floors)
        chapter, slowest = sum(times.values()), max(times.values())
        per_round.append(
            {
                "notebooks_s": times,
                "floor_runs_s": floors,
                "floor_notebook_s": floor,
                "chapter_exec_s": chapter,
                "slowest_notebook_s": slowest,
                "chapter_over_floor": chapter / (len(times) * floor),
                "slowest_over_floor": slowest / floor,
            }
        )

    def median(key):
        return round(statistics.median(r[key] for r in per_round), 3)

    names = per_round[0]["notebooks_s"]
    return {
        "notebooks_s": {
            n: round(statistics.median(r["notebooks_s"][n] for r in per_round), 3) for n in names
        },
        "chapter_exec_s": median("chapter_exec_s"),
        "slowest_notebook_s": median("slowest_notebook_s"),
        "floor_notebook_s": median("floor_notebook_s"),
        "floor_runs_s": [x for r in per_round for x in r["floor_runs_s"]],
        "chapter_over_floor": median("chapter_over_floor"),
        "slowest_over_floor": median("slowest_over_floor"),
        "notebook_rounds": per_round,
    }


def time_build(source: Path) -> float:
    """Seconds for ``jupyter-book build`` of ``source`` into a clean temporary folder."""
    exe = Path(sys.executable).with_name("jupyter-book")
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        start = time.perf_counter()
        subprocess.run(
            [str(exe), "build", "--all", "--path-output", tmp, str(source)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return round(time.perf_counter() - start, 3)


def time_birnn(T: int, n: int, size: int, repeats: int, seed: int = 0) -> dict:
    """BiRNNFast against nn.RNN, interleaved, forward and forward+backward.

    Returns, per pass, the median milliseconds of each, the median of the per-round time
    ratios (``ratio``) and the ratio of the medians; the same for ``batched=True``, which
    runs in the same rounds.
    """
    import torch
    from torch import nn

    from book.cost import interleaved_times
    from book.fast import BiRNNFast

    torch.manual_seed(seed)
    rnn = nn.RNN(size, size, bidirectional=True)
    fast = BiRNNFast.from_torch(rnn)  # the default: batched on CUDA only
    batched = BiRNNFast.from_torch(rnn, batched=True)  # one baddbmm per step, for contrast
    X = torch.randn(T, n, size)
    # A benchmark of a wrong result is worthless: check parity before timing.
    for model in (fast, batched):
        torch.testing.assert_close(model(X)[0], rnn(X)[0], rtol=1e-4, atol=1e-5)

    def forward(model):
        with torch.no_grad():
            model(X)

    def forward_backward(model):
        model.zero_grad(set_to_none=True)
        model(X)[0].sum().backward()

    result = {}
    for name, step in (("fwd", forward), ("fwdbwd", forward_backward)):
        # Side by side, alternating which goes first; the warm-up round allocates and picks
        # kernels.
        samples = interleaved_times(
            {
                "fast": lambda: step(fast),
                "torch": lambda: step(rnn),
                "batched": lambda: step(batched),
            },
            repeats=repeats,
            warmup=1,
        )
        fast_s, torch_s = statistics.median(samples["fast"]), statistics.median(samples["torch"])
        # The headline ratio is the median of per-round ratios: each pair ran back to back,
        # so drifts in the machine's load cancel. The ratio of the two medians is kept too; a
        # large gap between them flags a noisy run.
        paired = statistics.median(f / t for f, t in zip(samples["fast"], samples["torch"]))
        batched_paired = statistics.median(
            b / t for b, t in zip(samples["batched"], samples["torch"])
        )
        result[name] = {
            "fast_ms": round(1e3 * fast_s, 3),
            "torch_ms": round(1e3 * torch_s, 3),
            "ratio": round(paired, 4),
            "ratio_of_medians": round(fast_s / torch_s, 4),
            "batched_ms": round(1e3 * statistics.median(samples["batched"]), 3),
            "batched_ratio": round(batched_paired, 4),
        }
    return result


def benchmark_update(repeats: int = 20) -> float:
    """Median milliseconds of one shape-explorer update in the kernel.

    One update: set a control programmatically, validate, recompute the shapes and the
    layout of the picture, rebuild the model, run the forward check (and ``nn.RNN`` when
    ``h_f = h_b``) and publish the result to the view. The drawing itself happens in the
    browser (``explorer.js``) and is not counted.
    """
    from book.explorer import ShapeExplorer

    explorer = ShapeExplorer()
    times = []
    for i in range(repeats):
        value = 5 + i % 7  # alternate equal and unequal hidden sizes
        start = time.perf_counter()
        explorer.h_f = value
        times.append((time.perf_counter() - start) * 1000)
        if explorer.error or explorer.check["sizes"]["h_f"] != value:
            raise RuntimeError(f"explorer update failed: {explorer.error or explorer.check}")
    return statistics.median(times)


def widget_update_ms() -> tuple[float, str]:
    return round(float(benchmark_update(repeats=20)), 3), "median of 20 updates"


def fillin_update_ms(html: Path, rounds: int = 5) -> dict:
    """The live fill-in demo's update in headless Chromium, on the built page.

    For each sentence of FILLIN_SENTENCES, the quickest of ``rounds`` updates (guesses and
    both models' highlights, the view's own ``data-update-ms``), after a warm-up; then the
    same with the CPU throttled 4x (Chromium's emulation of a mid-range phone). Returns the
    slowest position's figure of each, or None with the reason when the book is not built or
    Chromium is missing.
    """
    import shutil

    page_path = html / FILLIN_PAGE
    browser_path = shutil.which("chromium")
    if not page_path.exists() or browser_path is None:
        return {
            "plain": None,
            "cpu4x": None,
            "note": "skipped: needs the built book (make book) and chromium",
        }
    from playwright.sync_api import sync_playwright

    from tools.pagespeed import serve  # the site's static server, as for the page timings

    server = serve(html)
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=browser_path,
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/{FILLIN_PAGE}")
            page.wait_for_selector('.birnn-fillin[data-state="ready"]', timeout=60_000)
            cdp = page.context.new_cdp_session(page)

            def measure():
                worst = 0.0
                for sentence in FILLIN_SENTENCES:
                    best = float("inf")
                    for _ in range(rounds + 1):  # the first warms up
                        # Clear the box and wait for the view to show it, so the wait below
                        # cannot pass on the last round's state before this update starts.
                        page.fill(".birnn-fillin-input", "")
                        page.wait_for_function(
                            "() => document.querySelector('.birnn-fillin').dataset.text === ''",
                            timeout=60_000,
                        )
                        page.fill(".birnn-fillin-input", sentence)
                        page.wait_for_function(
                            "t => { const r = document.querySelector('.birnn-fillin');"
                            " return r.dataset.text === t && r.dataset.state === 'ready'; }",
                            arg=sentence,
                            timeout=60_000,
                        )
                        best = min(
                            best, float(page.get_attribute(".birnn-fillin", "data-update-ms"))
                        )
                    worst = max(worst, best)
                return round(worst, 2)

            out["plain"] = measure()
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
            out["cpu4x"] = measure()
            browser.close()
    finally:
        server.shutdown()
    out["note"] = (
        "the fill-in demo on the built page in headless Chromium: per blank "
        "position (start, middle, end of a 49-character sentence) the quickest of "
        f"{rounds} updates (guesses and both highlights, data-update-ms), the "
        "slowest position reported; cpu4x under Emulation.setCPUThrottlingRate 4"
    )
    return out


def cpu_model() -> str:
    """The processor's name, as the kernel reports it (``platform.processor()`` elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def peak_rss() -> dict[str, float]:
    # ru_maxrss is in kibibytes on Linux, bytes on macOS.
    scale = 1 / 2**20 if sys.platform == "darwin" else 1 / 2**10
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    return {"self": round(own, 1), "children": round(children, 1)}


def run(args) -> dict:
    import torch

    report: dict = {
        "config": {
            "T": args.T,
            "n": args.n,
            "d": args.size,
            "h": args.size,
            "repeats": args.repeats,
            "device": "cpu",
        },
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "cpu_model": cpu_model(),
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        },
        "notes": {},
    }
    if args.skip_notebooks:
        report["notebooks_s"] = {}
        report["notes"]["notebooks_s"] = "skipped (--skip-notebooks)"
        report["chapter_exec_s"] = report["slowest_notebook_s"] = None
        report["floor_notebook_s"] = report["chapter_over_floor"] = None
        report["slowest_over_floor"] = None
    else:
        report.update(notebook_rounds(Path(args.chapters), args.notebook_rounds))
        report["notes"]["floor_notebook_s"] = (
            "a fresh kernel running only the chapter's imports, run before each notebook and "
            "after the last; per round the floor is the median of those runs, and "
            "chapter_over_floor = chapter_exec_s / (notebooks x floor), slowest_over_floor = "
            "slowest / floor. Every figure is the median over rounds (notebooks_rounds), so "
            "one disturbed run does not decide a goal"
        )

    if args.skip_build:
        report["build_s"] = None
        report["notes"]["build_s"] = "skipped (--skip-build)"
    else:
        print("building the book into a clean temporary folder ...", flush=True)
        report["build_s"] = time_build(Path(args.book))
        report["notes"]["build_s"] = "jupyter-book build --all, execution off: committed outputs"

    print(
        f"timing BiRNNFast against nn.RNN at T={args.T}, n={args.n}, d=h={args.size} ...",
        flush=True,
    )
    birnn = time_birnn(args.T, args.n, args.size, args.repeats)
    report["birnn_ms"] = birnn
    report["fwd_ratio_scratch_vs_torch"] = birnn["fwd"]["ratio"]
    report["fwdbwd_ratio_scratch_vs_torch"] = birnn["fwdbwd"]["ratio"]
    report["notes"]["ratios"] = (
        "median over interleaved rounds of BiRNNFast time / "
        "nn.RNN(bidirectional=True) time; fwd under no_grad, fwdbwd = "
        "forward + backward of output.sum(); birnn_ms also has the "
        "ratio of medians"
    )

    report["widget_update_ms"], report["notes"]["widget_update_ms"] = widget_update_ms()

    if args.skip_fillin:
        fillin = {"plain": None, "cpu4x": None, "note": "skipped (--skip-fillin)"}
    else:
        print("timing the fill-in demo in headless Chromium ...", flush=True)
        fillin = fillin_update_ms(Path(args.book) / "_build" / "html")
    report["fillin_update_ms"], report["fillin_update_ms_cpu4x"] = fillin["plain"], fillin["cpu4x"]
    report["notes"]["fillin_update_ms"] = fillin["note"]

    if args.skip_pages:
        pages = {"pages": {}, "note": "skipped (--skip-pages)"}
    else:
        from tools import pagespeed

        print("loading every page on a throttled phone in headless Chromium ...", flush=True)
        pages = pagespeed.measure(Path(args.book) / "_build" / "html", runs=args.page_runs)
    report["pages"] = pages["pages"]
    report["notes"]["pages"] = pages["note"]
    for key, metric in PAGE_METRICS.items():
        values = [row[metric] for row in pages["pages"].values() if row[metric] is not None]
        report[key] = round(max(values), 4) if values else None

    rss = peak_rss()
    report["peak_rss_mb"] = max(rss.values())
    report["peak_rss_mb_parts"] = rss
    report["notes"]["peak_rss_mb"] = (
        "max of peak RSS of the benchmark process (RUSAGE_SELF) "
        "and of its largest waited-for child (RUSAGE_CHILDREN: "
        "notebook kernels, book build); a peak, not a sum"
    )
    report["goals"] = {
        key: {
            "goal_max": goal,
            "value": report[key],
            "met": None if report[key] is None else report[key] <= goal,
        }
        for key, goal in GOALS.items()
    }
    return report


def table(report: dict) -> str:
    """The report as a Markdown table, one metric a row, goals beside them."""

    def fmt(value):
        if value is None:
            return "null"
        return f"{value:.3g}" if isinstance(value, float) and abs(value) < 10 else f"{value:.1f}"

    rows = [("metric", "value", "goal", "met")]
    for name, seconds in report["notebooks_s"].items():
        rows.append((f"notebooks_s[{name}]", fmt(seconds), "", ""))
    for key in (
        "chapter_exec_s",
        "slowest_notebook_s",
        "floor_notebook_s",
        "chapter_over_floor",
        "slowest_over_floor",
        "build_s",
        "fwd_ratio_scratch_vs_torch",
        "fwdbwd_ratio_scratch_vs_torch",
        "widget_update_ms",
        "fillin_update_ms",
        "fillin_update_ms_cpu4x",
        *PAGE_METRICS,
        "peak_rss_mb",
    ):
        goal = report["goals"].get(key)
        met = "" if goal is None else {True: "yes", False: "NO", None: "n/a"}[goal["met"]]
        rows.append(
            (key, fmt(report[key]), "" if goal is None else f"<= {goal['goal_max']:g}", met)
        )
    for kind in ("fwd", "fwdbwd"):
        r = report["birnn_ms"][kind]
        rows.append(
            (f"{kind} ms (BiRNNFast / nn.RNN)", f"{r['fast_ms']:.1f} / {r['torch_ms']:.1f}", "", "")
        )
        rows.append((f"{kind} ratio of medians (noise check)", fmt(r["ratio_of_medians"]), "", ""))
        if "batched_ratio" in r:
            rows.append((f"{kind} ratio, BiRNNFast(batched=True)", fmt(r["batched_ratio"]), "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |" for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    notes = [f"- {key}: {text}" for key, text in report["notes"].items()]
    pages = []
    if report.get("pages"):
        from tools import pagespeed

        pages = [
            "",
            "Per page (tools/pagespeed.py):",
            "",
            pagespeed.table({"pages": report["pages"], "note": report["notes"]["pages"]}),
        ]
    return "\n".join(lines + [""] + notes + pages)


def write_report(report: dict, out: Path, render) -> None:
    """Write ``report`` as JSON to ``out`` and print it as ``render(report)`` renders it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(render(report))
    print(f"\nwrote {out}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "_build" / "bench.json"))
    parser.add_argument("--chapters", default=str(ROOT / "chapters"))
    parser.add_argument("--book", default=str(ROOT))
    parser.add_argument("--T", type=int, default=100)
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--size", type=int, default=256, help="d = h")
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument(
        "--notebook-rounds",
        type=int,
        default=3,
        help="runs of all notebooks (with floors); medians are reported",
    )
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument(
        "--skip-fillin",
        action="store_true",
        help="do not time the fill-in demo in Chromium (needs make book)",
    )
    parser.add_argument(
        "--skip-pages",
        action="store_true",
        help="do not load the pages on a throttled phone (needs make book)",
    )
    parser.add_argument(
        "--page-runs",
        type=int,
        default=1,
        help="loads of each page (phone and desktop); medians are reported",
    )
    args = parser.parse_args(argv)
    write_report(run(args), Path(args.out), table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
