"""Layout stays put while every page loads: CLS <= 0.1 on a phone and on a desktop screen.

Each page of both editions is served as a static host serves it (tools/pagespeed.py's gzip
server, with cache headers) and opened twice in one browser context: the first visit fills
the cache, the second is measured, so the fonts are there before the first paint and the
measurement does not depend on how fast this machine serves them. What it measures is every
other cause of layout shift: the colour mode resolved after the first paint (code blocks
grew when pygments.css's line height arrived, CLS 0.17 on chapter 4), images without a size,
widgets, scripts that move the header. How fonts arriving late shift a page on a slow phone
(the reason KaTeX's fonts are preloaded) is reported by `make bench` under throttling, with
the other Core Web Vitals (tools/pagespeed.py), never as a timed test.

The sum of every layout shift counts here (stricter than CLS's largest session window).
"""

from __future__ import annotations

import pytest
from support.site import PAGES, ZH

from tools import pagespeed

pytestmark = pytest.mark.browser

GOAL = 0.1
VIEWPORTS = {"phone": pagespeed.PHONE, "desktop": pagespeed.DESKTOP}
MEASURED = [p for p in PAGES if p.removeprefix(f"{ZH}/") != "index.html"]  # not redirects


@pytest.fixture(scope="module")
def gzip_url(built_book):
    server = pagespeed.serve(built_book)
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_every_page_is_measured():
    assert len(MEASURED) >= 20 and any(p.startswith(f"{ZH}/") for p in MEASURED), MEASURED


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path", MEASURED)
def test_layout_does_not_shift_while_the_page_loads(browser, gzip_url, path, viewport):
    context = browser.new_context(**VIEWPORTS[viewport])
    context.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(gzip_url) or r.request.url.startswith(("data:", "blob:"))
            else r.abort()
        ),
    )
    try:
        page = context.new_page()
        page.goto(gzip_url + path, wait_until="load")  # fills the cache
        page.wait_for_load_state("networkidle")
        page.goto("about:blank")
        context.add_init_script(pagespeed.OBSERVE_JS)
        page.goto(gzip_url + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate("() => document.fonts.ready.then(() => true)")
        page.wait_for_timeout(500)
        shifts = page.evaluate("() => window.__birnnVitals.shifts")
    finally:
        context.close()
    total = sum(s["value"] for s in shifts)
    assert total <= GOAL, (
        f"{path} ({viewport}): layout shifts add up to {total:.3f} > "
        f"{GOAL}: "
        + "; ".join(f"{s['value']:.3f} at {s['t']:.0f} ms in {s['sources']}" for s in shifts)
    )
