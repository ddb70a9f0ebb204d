"""Core Web Vitals of the built site on a throttled phone, as a static host serves it.

``make bench`` reports these per page (``tools/bench.py``); ``python -m tools.pagespeed``
prints the table alone. Every HTML page of both editions (the redirect stubs ``index.html``
excepted) is opened in headless Chromium through Playwright, in a fresh context (empty
cache), served by :class:`GzipHandler` from 127.0.0.1 the way GitHub Pages serves the site
(gzip for text, ``Cache-Control: max-age=600``), under the conditions of Lighthouse's mobile
preset applied through the page's CDP session:

* network: slow 4G, 150 ms round trip, 1.6 Mbps down, 750 kbps up
  (``Network.emulateNetworkConditions``);
* CPU: 4x slower (``Emulation.setCPUThrottlingRate``);
* screen: 412 x 823 CSS pixels at 1.75 device pixels (Lighthouse's Moto G Power), touch.

Measured in the page with PerformanceObserver (buffered, so nothing before the observer is
lost): FCP, LCP (the last candidate before the page settled), CLS (the largest session
window of layout shifts without recent input, as web-vitals computes it) and an estimate of
Total Blocking Time (the long tasks' time over 50 ms after FCP, until the page settled:
more than Lighthouse counts, which stops at Time to Interactive). Transferred bytes are the
encoded bytes of every response (CDP ``Network.loadingFinished``), so they are what the
gzip server sent. A second, unthrottled load at Lighthouse's desktop size (1350 x 940) gives
the desktop CLS.

Total Blocking Time measured by the clock swings with whatever else the machine runs (on a
busy shared 2-core machine, 0.2-0.9 s on pages with no long task of their own), so a third
load on the phone gives ``tbt_cpu_ms`` the way Lighthouse's default (simulated) throttling
estimates it: the page is loaded with the network throttled but the CPU not, its main
thread traced (Chromium's ``devtools.timeline`` trace through CDP), and each task after FCP
counts 4 x its thread CPU time (what a 4x slower CPU spends on it), less 50 ms. Thread time
leaves out the time the thread waited for a core, so this figure holds on a busy machine.

These are wall-clock measurements on a possibly busy machine: they are reported against the
goals and never fail anything; tests/test_page_speed.py keeps CLS at 0 deterministically.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import mimetypes
import os
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

from tools.editions import EDITIONS

ROOT = Path(__file__).resolve().parent.parent
ZH = EDITIONS["zh"].locale  # the Chinese edition's folder in the site

# Lighthouse's mobile preset (lighthouse-core/config/constants.js: mobileSlow4G, moto G Power).
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8,  # bytes per second
    "uploadThroughput": 750 * 1024 / 8,
}
CPU_SLOWDOWN = 4
PHONE = {
    "viewport": {"width": 412, "height": 823},
    "device_scale_factor": 1.75,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1350, "height": 940}}

# The goals of issue 26 (Lighthouse's "good" thresholds); "<=" everywhere.
GOALS = {"lcp_ms": 2500.0, "cls": 0.1, "tbt_ms": 200.0, "tbt_cpu_ms": 200.0, "desktop_cls": 0.1}

# Text types a static host compresses (GitHub Pages gzips these; fonts and images are
# compressed formats already).
COMPRESSED = {
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "text/plain",
    "application/xml",
}

# Collected in the page from its first script on (an init script): paint, LCP candidates,
# layout shifts and long tasks, all buffered.
OBSERVE_JS = """(() => {
  const v = window.__birnnVitals = {fcp: null, lcp: null, lcpElement: null, shifts: [],
                                    longTasks: []};
  const watch = (type, f) => { try { new PerformanceObserver(l => l.getEntries().forEach(f))
      .observe({type, buffered: true}); } catch (e) {} };
  watch('paint', e => { if (e.name === 'first-contentful-paint') v.fcp = e.startTime; });
  watch('largest-contentful-paint', e => {
    v.lcp = e.startTime;
    const el = e.element;
    v.lcpElement = el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.className && typeof el.className === 'string'
         ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : '') : e.url;
  });
  watch('layout-shift', e => { if (!e.hadRecentInput) v.shifts.push({
    t: e.startTime, value: e.value,
    sources: (e.sources || []).map(s => s.node ? (s.node.nodeName || '').toLowerCase()
      + (s.node.id ? '#' + s.node.id : '')
      + (s.node.className && typeof s.node.className === 'string'
         ? '.' + s.node.className.trim().split(/\\s+/).slice(0, 2).join('.') : '') : '?')}); });
  watch('longtask', e => v.longTasks.push({t: e.startTime, d: e.duration}));
})();"""

# CLS as web-vitals computes it: shifts grouped into session windows (gaps under 1 s, at
# most 5 s long); the largest window's sum.
READ_JS = """() => {
  const v = window.__birnnVitals;
  let best = 0, sum = 0, first = 0, last = 0;
  for (const s of v.shifts) {
    if (sum && s.t - last < 1000 && s.t - first < 5000) { sum += s.value; }
    else { sum = s.value; first = s.t; }
    last = s.t;
    best = Math.max(best, sum);
  }
  const fcp = v.fcp || 0;
  const tbt = v.longTasks.filter(t => t.t + t.d > fcp)
    .reduce((a, t) => a + Math.max(0, t.t + t.d - Math.max(t.t, fcp) - 50), 0);
  return {fcp_ms: v.fcp, lcp_ms: v.lcp, lcp_element: v.lcpElement, cls: best,
          cls_sources: v.shifts.filter(s => s.value > 0.001)
            .map(s => [Math.round(s.t), +s.value.toFixed(4), s.sources.slice(0, 3)]),
          tbt_ms: tbt};
}"""


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """A static file server as GitHub Pages is one: gzip for text when the browser accepts
    it, ``Cache-Control: max-age=600``, ``Last-Modified``."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        kind = mimetypes.guess_type(path)[0] or ""
        if kind not in COMPRESSED or not os.path.isfile(path):
            return super().send_head()
        body = gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header(
            "Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else "")
        )
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", self.date_time_string(os.stat(path).st_mtime))
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()


def serve(html: Path):
    """Serve ``html`` with :class:`GzipHandler` on a free port; returns the server (running
    in a daemon thread; call ``shutdown()``)."""
    handler = functools.partial(GzipHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def site_pages(html: Path) -> list[str]:
    """Every page of both editions except the redirect stubs, theme assets and sources."""
    pages = []
    for path in sorted(html.rglob("*.html")):
        rel = path.relative_to(html).as_posix()
        inner = rel.removeprefix(f"{ZH}/")
        if inner == "index.html" or inner.split("/")[0].startswith(("_", ".", "vendor")):
            continue
        pages.append(rel)
    return pages


def _load(browser, url: str, *, phone: bool, settle_ms: int) -> dict:
    context = browser.new_context(**(PHONE if phone else DESKTOP))
    try:
        context.add_init_script(OBSERVE_JS)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        sent = {"bytes": 0, "requests": 0}

        def finished(event):
            sent["bytes"] += event.get("encodedDataLength", 0)
            sent["requests"] += 1

        cdp.on("Network.loadingFinished", finished)
        cdp.send("Network.enable")
        if phone:
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        start = time.perf_counter()
        page.goto(url, wait_until="load", timeout=120_000)
        load_ms = (time.perf_counter() - start) * 1000
        try:
            page.wait_for_load_state("networkidle", timeout=60_000)
        except Exception:  # noqa: BLE001 -- a page that never idles is measured as it stands
            pass
        page.wait_for_timeout(settle_ms)
        result = page.evaluate(READ_JS)
        result.update(load_ms=round(load_ms), bytes=sent["bytes"], requests=sent["requests"])
        return result
    finally:
        context.close()


TRACE_CATEGORIES = "devtools.timeline,disabled-by-default-devtools.timeline"


def blocking_from_trace(events: list[dict], page_url: str, slowdown: float = CPU_SLOWDOWN) -> dict:
    """Total Blocking Time from a trace of an unthrottled load: the page's renderer main
    thread (the ``CrRendererMain`` thread that parsed ``page_url``), its top-level tasks that
    end after first contentful paint, each counted as ``slowdown`` x its thread CPU time
    (``tdur``), less 50 ms. Returns ``{"tbt_cpu_ms", "longest_task_cpu_ms"}`` (the longest
    task so scaled), None values when the trace lacks the thread or the paint."""
    names = {
        (e["pid"], e["tid"]): e.get("args", {}).get("name")
        for e in events
        if e.get("name") == "thread_name"
    }
    parsed = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "ParseHTML"
        and str(e.get("args", {}).get("beginData", {}).get("url", "")).startswith(page_url)
    }
    main = [key for key in parsed if names.get(key) == "CrRendererMain"]
    paints = [
        e["ts"]
        for e in events
        if e.get("name") == "firstContentfulPaint" and (e["pid"], e["tid"]) in main
    ]
    if not main or not paints:
        return {"tbt_cpu_ms": None, "longest_task_cpu_ms": None}
    fcp = min(paints)
    tasks = sorted(
        (
            e
            for e in events
            if (e["pid"], e["tid"]) in main and e.get("ph") == "X" and e.get("name") == "RunTask"
        ),
        key=lambda e: e["ts"],
    )
    total, longest, end = 0.0, 0.0, -1
    for task in tasks:
        if task["ts"] < end:  # a task run inside another one: counted with it
            continue
        end = task["ts"] + task.get("dur", 0)
        if end <= fcp:
            continue
        scaled = slowdown * task.get("tdur", 0) / 1000
        longest = max(longest, scaled)
        total += max(0.0, scaled - 50)
    return {"tbt_cpu_ms": round(total, 1), "longest_task_cpu_ms": round(longest, 1)}


def _cpu_load(browser, url: str, *, settle_ms: int) -> dict:
    """The phone load with the network throttled and the CPU not, traced:
    :func:`blocking_from_trace`."""
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        events, done = [], threading.Event()
        cdp.on("Tracing.dataCollected", lambda event: events.extend(event["value"]))
        cdp.on("Tracing.tracingComplete", lambda event: done.set())
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
        cdp.send("Tracing.start", {"categories": TRACE_CATEGORIES, "transferMode": "ReportEvents"})
        page.goto(url, wait_until="load", timeout=120_000)
        try:
            page.wait_for_load_state("networkidle", timeout=60_000)
        except Exception:  # noqa: BLE001 -- a page that never idles is measured as it stands
            pass
        page.wait_for_timeout(settle_ms)
        cdp.send("Tracing.end")
        for _ in range(300):
            if done.is_set():
                break
            page.wait_for_timeout(100)
        return blocking_from_trace(events, url)
    finally:
        context.close()


def measure(
    html: Path, pages: list[str] | None = None, runs: int = 1, settle_ms: int = 1500
) -> dict:
    """Per page: the median over ``runs`` throttled phone loads of each figure, and the
    largest desktop CLS over ``runs`` unthrottled desktop loads. Returns ``{"pages": {...},
    "note": ...}``, or ``{"pages": {}, "note": reason}`` without a built book or Chromium."""
    browser_path = shutil.which("chromium") or "/usr/bin/chromium"
    if not (html / "intro.html").exists() or not Path(browser_path).exists():
        return {"pages": {}, "note": "skipped: needs the built book (make book) and chromium"}
    from playwright.sync_api import sync_playwright

    pages = pages or site_pages(html)
    server = serve(html)
    base = f"http://127.0.0.1:{server.server_port}/"
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
                    "--disable-component-update",
                    "--no-first-run",
                    "--disable-quic",
                ],
            )
            for rel in pages:
                try:
                    phone = [
                        _load(browser, base + rel, phone=True, settle_ms=settle_ms)
                        for _ in range(runs)
                    ]
                    desktop = [
                        _load(browser, base + rel, phone=False, settle_ms=settle_ms)
                        for _ in range(runs)
                    ]
                    cpu = [_cpu_load(browser, base + rel, settle_ms=settle_ms) for _ in range(runs)]
                except Exception as error:  # noqa: BLE001 -- reported, never fatal
                    out[rel] = {
                        **{
                            k: None
                            for k in (
                                "fcp_ms",
                                "lcp_ms",
                                "cls",
                                "tbt_ms",
                                "tbt_cpu_ms",
                                "load_ms",
                                "desktop_cls",
                            )
                        },
                        "bytes": 0,
                        "requests": 0,
                        "error": str(error)[:300],
                        "met": {key: False for key in GOALS},
                    }
                    print(f"  {rel}: not measured: {str(error)[:200]}", flush=True)
                    continue

                def median(key, runs_=phone):
                    values = [r[key] for r in runs_ if r[key] is not None]
                    return round(statistics.median(values), 4) if values else None

                row = {
                    "fcp_ms": median("fcp_ms"),
                    "lcp_ms": median("lcp_ms"),
                    "cls": median("cls"),
                    "tbt_ms": median("tbt_ms"),
                    "tbt_cpu_ms": median("tbt_cpu_ms", cpu),
                    "longest_task_cpu_ms": median("longest_task_cpu_ms", cpu),
                    "bytes": int(statistics.median(r["bytes"] for r in phone)),
                    "requests": int(statistics.median(r["requests"] for r in phone)),
                    "load_ms": median("load_ms"),
                    "desktop_cls": round(max(r["cls"] for r in desktop), 4),
                    "lcp_element": phone[-1]["lcp_element"],
                    "cls_sources": phone[-1]["cls_sources"][:4],
                    "desktop_cls_sources": max(desktop, key=lambda r: r["cls"])["cls_sources"][:4],
                }
                row["met"] = {
                    key: row[key] is not None and row[key] <= goal for key, goal in GOALS.items()
                }
                out[rel] = row
                cpu_tbt = row["tbt_cpu_ms"]
                print(
                    f"  {rel}: LCP {row['lcp_ms']:.0f} ms, CLS {row['cls']:.3f} "
                    f"(desktop {row['desktop_cls']:.3f}), TBT {row['tbt_ms']:.0f} ms "
                    f"(CPU {'null' if cpu_tbt is None else format(cpu_tbt, '.0f')} ms), "
                    f"{row['bytes'] / 1024:.0f} KiB",
                    flush=True,
                )
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    note = (
        "each page in a fresh headless Chromium context, gzip-serving local server "
        f"(GitHub Pages' way), phone 412x823 at DPR 1.75 under CDP throttling: latency "
        f"{SLOW_4G['latency']} ms, 1.6 Mbps down, 750 kbps up, CPU {CPU_SLOWDOWN}x; "
        f"median of {runs} load(s); LCP = last candidate, CLS = largest session window, "
        "TBT = long tasks over 50 ms after FCP until the page settled (an overestimate "
        "of Lighthouse's); TBT cpu = the same from 4x each task's main-thread CPU time "
        f"in a trace of a load with the CPU unthrottled (median of {runs}), as "
        "Lighthouse's simulated throttling counts it; bytes = encoded bytes received "
        "(CDP loadingFinished); "
        f"desktop_cls = the largest of {runs} unthrottled 1350x940 load(s)"
    )
    return {"pages": out, "note": note}


def table(result: dict) -> str:
    rows = [
        (
            "page",
            "FCP ms",
            "LCP ms",
            "CLS",
            "TBT ms",
            "TBT cpu ms",
            "KiB",
            "desktop CLS",
            "goals met",
        )
    ]
    for rel, r in result["pages"].items():

        def f(value, spec):
            return "null" if value is None else format(value, spec)

        missed = [k for k, ok in r["met"].items() if not ok]
        rows.append(
            (
                rel,
                f(r["fcp_ms"], ".0f"),
                f(r["lcp_ms"], ".0f"),
                f(r["cls"], ".3f"),
                f(r["tbt_ms"], ".0f"),
                f(r.get("tbt_cpu_ms"), ".0f"),
                f"{r['bytes'] / 1024:.0f}",
                f(r["desktop_cls"], ".3f"),
                "yes" if not missed else "NO: " + ", ".join(missed),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    goals = ", ".join(f"{k} <= {v:g}" for k, v in GOALS.items())
    return "\n".join(lines + ["", f"goals: {goals}", f"- {result['note']}"])


def main(argv=None) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--html", default=str(ROOT / "_build" / "html"))
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out", default=None, help="also write the JSON here")
    parser.add_argument("pages", nargs="*", help="pages relative to the site (default: all)")
    args = parser.parse_args(argv)
    result = measure(Path(args.html), args.pages or None, runs=args.runs)
    print()
    print(table(result))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
