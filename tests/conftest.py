"""Shared fixtures: the built book served on 127.0.0.1 and headless Chromium.

The browser refuses every request that does not go to the local server, and each
page records console errors, page errors and failed requests so tests can assert
that a page works offline and cleanly.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from paths import HTML

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("headless Chromium is missing: `make system-deps` installs Debian's chromium")


@pytest.fixture(scope="session")
def built_book() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML} has no built book: run `make book` first (make test does)")
    return HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output readable
        pass


@pytest.fixture(scope="session")
def book_url(built_book):
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@dataclass
class PageLog:
    """What went wrong while a page loaded and ran."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed_requests]
            + [f"blocked non-local request: {m}" for m in self.blocked_requests]
        )


@pytest.fixture
def open_page(browser, book_url):
    """Open a page of the built book; returns ``(page, log)``.

    Requests to anything but the local server are aborted and recorded, so a page
    that needs the network fails its test.
    """
    contexts = []

    def _open(path: str, viewport=None, init_script=None):
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        contexts.append(context)
        if init_script:  # runs before the page's own scripts
            context.add_init_script(init_script)
        log = PageLog()

        def route(route):
            host = urlparse(route.request.url).hostname
            if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
                route.continue_()
            else:
                log.blocked_requests.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda msg: msg.type == "error" and log.console_errors.append(msg.text))
        page.on("pageerror", lambda err: log.page_errors.append(str(err)))
        page.on(
            "requestfailed",
            lambda req: (
                req.url not in log.blocked_requests
                and log.failed_requests.append(f"{req.url} ({req.failure})")
            ),
        )
        page.on(
            "response",
            lambda resp: (
                resp.status >= 400
                and log.failed_requests.append(f"{resp.url} (HTTP {resp.status})")
            ),
        )
        page.goto(f"{book_url}/{path.lstrip('/')}", wait_until="load")
        return page, log

    yield _open
    for context in contexts:
        context.close()
