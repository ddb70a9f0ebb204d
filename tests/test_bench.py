"""The benchmark's report format, on a tiny configuration (no timing thresholds here)."""

import json

import nbformat

from tools import bench

KEYS = {
    "notebooks_s",
    "chapter_exec_s",
    "slowest_notebook_s",
    "build_s",
    "fwd_ratio_scratch_vs_torch",
    "fwdbwd_ratio_scratch_vs_torch",
    "widget_update_ms",
    "peak_rss_mb",
    "goals",
    "notes",
    "birnn_ms",
    "config",
    "machine",
    "floor_notebook_s",
    "chapter_over_floor",
    "slowest_over_floor",
}


def _tiny_chapters(tmp_path):
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    for name, source in (("01_a.ipynb", "x = 1 + 1"), ("02_b.ipynb", "print('hi')")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        nbformat.write(nb, chapters / name)
    return chapters


def test_report_has_every_key_with_the_right_types(tmp_path, capsys):
    chapters = _tiny_chapters(tmp_path)
    original = {p.name: p.read_text() for p in chapters.iterdir()}
    out = tmp_path / "bench.json"
    assert (
        bench.main(
            [
                "--out",
                str(out),
                "--chapters",
                str(chapters),
                "--skip-build",
                "--T",
                "3",
                "--n",
                "2",
                "--size",
                "4",
                "--repeats",
                "3",
                "--notebook-rounds",
                "1",
                "--skip-fillin",
                "--skip-pages",
            ]
        )
        == 0
    )
    report = json.loads(out.read_text())
    assert KEYS <= set(report)
    assert set(report["notebooks_s"]) == set(original)
    assert all(isinstance(v, float) and v > 0 for v in report["notebooks_s"].values())
    assert report["chapter_exec_s"] >= report["slowest_notebook_s"] > 0
    assert report["slowest_notebook_s"] == max(report["notebooks_s"].values())
    assert report["build_s"] is None and "skipped" in report["notes"]["build_s"]
    floor = report["floor_notebook_s"]
    assert isinstance(floor, float) and floor > 0
    # One floor run before each of the two notebooks and one after the last; the median counts.
    runs = sorted(report["floor_runs_s"])
    assert len(runs) == 3 and floor == round(runs[1], 3)
    assert len(report["notebook_rounds"]) == 1
    assert report["chapter_over_floor"] == round(report["chapter_exec_s"] / (2 * floor), 3)
    assert report["slowest_over_floor"] == round(report["slowest_notebook_s"] / floor, 3)
    assert report["machine"]["cpu_model"] and report["machine"]["torch"]
    for key in ("fwd_ratio_scratch_vs_torch", "fwdbwd_ratio_scratch_vs_torch", "peak_rss_mb"):
        assert isinstance(report[key], float) and report[key] > 0
    for kind in ("fwd", "fwdbwd"):
        r = report["birnn_ms"][kind]
        assert r["ratio"] > 0 and r["batched_ratio"] > 0 and r["batched_ms"] > 0
        # fast_ms and torch_ms are rounded to 0.001 ms, so at this tiny size their quotient
        # is only as exact as that rounding allows.
        ratio = r["fast_ms"] / r["torch_ms"]
        rounding = 0.0005 * (1 + ratio) / r["torch_ms"]
        assert abs(ratio - r["ratio_of_medians"]) <= rounding + 1e-3
    assert report["fwd_ratio_scratch_vs_torch"] == report["birnn_ms"]["fwd"]["ratio"]
    assert report["fwdbwd_ratio_scratch_vs_torch"] == report["birnn_ms"]["fwdbwd"]["ratio"]
    # The widget timing is a number, or null with a note saying why.
    assert isinstance(report["widget_update_ms"], float) or (
        report["widget_update_ms"] is None and "not measured" in report["notes"]["widget_update_ms"]
    )
    assert report["fillin_update_ms"] is None and report["fillin_update_ms_cpu4x"] is None
    assert "skipped" in report["notes"]["fillin_update_ms"]
    assert report["pages"] == {} and "skipped" in report["notes"]["pages"]
    assert all(report[k] is None for k in bench.PAGE_METRICS)
    assert set(report["goals"]) == set(bench.GOALS)
    for key, goal in report["goals"].items():
        assert goal["value"] == report[key]
        assert goal["met"] in (True, False, None)
    assert report["config"] == {"T": 3, "n": 2, "d": 4, "h": 4, "repeats": 3, "device": "cpu"}
    # The run executed copies; the notebooks themselves are unchanged.
    assert {p.name: p.read_text() for p in chapters.iterdir()} == original
    printed = capsys.readouterr().out
    assert "| fwd_ratio_scratch_vs_torch" in printed and str(out) in printed


def test_table_marks_missed_goals_without_failing():
    report = {
        "notebooks_s": {"a.ipynb": 30.0},
        "chapter_exec_s": 30.0,
        "slowest_notebook_s": 30.0,
        "build_s": None,
        "floor_notebook_s": 5.0,
        "chapter_over_floor": 6.0,
        "slowest_over_floor": 6.0,
        "fwd_ratio_scratch_vs_torch": 2.0,
        "fwdbwd_ratio_scratch_vs_torch": 1.0,
        "widget_update_ms": None,
        "fillin_update_ms": 40.0,
        "fillin_update_ms_cpu4x": 160.0,
        "peak_rss_mb": 100.0,
        "pages_lcp_ms_max": 3000.0,
        "pages_cls_max": 0.05,
        "pages_tbt_ms_max": None,
        "pages_tbt_cpu_ms_max": 120.0,
        "pages_desktop_cls_max": 0.0,
        "notes": {"build_s": "skipped"},
        "birnn_ms": {
            k: {"fast_ms": 2.0, "torch_ms": 1.0, "ratio": 2.0, "ratio_of_medians": 2.0}
            for k in ("fwd", "fwdbwd")
        },
    }
    report["goals"] = {
        k: {"goal_max": g, "value": report[k], "met": None if report[k] is None else report[k] <= g}
        for k, g in bench.GOALS.items()
    }
    rows = {
        line.split("|")[1].strip(): line
        for line in bench.table(report).splitlines()
        if line.startswith("| ")
    }
    assert rows["fwd_ratio_scratch_vs_torch"].rstrip(" |").endswith("NO")
    assert rows["fwdbwd_ratio_scratch_vs_torch"].rstrip(" |").endswith("yes")
    assert rows["slowest_over_floor"].rstrip(" |").endswith("NO")
    assert "null" in rows["widget_update_ms"] and "n/a" in rows["widget_update_ms"]
    assert rows["fillin_update_ms"].rstrip(" |").endswith("yes")
    assert rows["fillin_update_ms_cpu4x"].rstrip(" |").endswith("NO")
    assert rows["pages_lcp_ms_max"].rstrip(" |").endswith("NO")
    assert rows["pages_cls_max"].rstrip(" |").endswith("yes")
    assert "n/a" in rows["pages_tbt_ms_max"]
    assert rows["pages_tbt_cpu_ms_max"].rstrip(" |").endswith("yes")


def test_page_table_names_the_goals_each_page_missed():
    from tools import pagespeed

    row = {
        "fcp_ms": 900.0,
        "lcp_ms": 2600.0,
        "cls": 0.01,
        "tbt_ms": 50.0,
        "tbt_cpu_ms": 40.0,
        "bytes": 512_000,
        "desktop_cls": 0.2,
    }
    row["met"] = {k: row[k] <= g for k, g in pagespeed.GOALS.items()}
    good = {**row, "lcp_ms": 1000.0, "desktop_cls": 0.0}
    good["met"] = {k: good[k] <= g for k, g in pagespeed.GOALS.items()}
    text = pagespeed.table({"pages": {"a.html": row, "b.html": good}, "note": "n"})
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ")}
    assert rows["a.html"].rstrip(" |").endswith("NO: lcp_ms, desktop_cls")
    assert rows["b.html"].rstrip(" |").endswith("yes") and "500" in rows["b.html"]


def test_benchmark_update_returns_milliseconds():
    from tools.bench import benchmark_update

    ms = benchmark_update(repeats=3)
    assert isinstance(ms, float) and ms > 0
