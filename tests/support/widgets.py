"""Driving the fill-in demo's view in a browser as a reader does: type, then wait until
the view has caught up."""

from __future__ import annotations


def wait_ready(page, text):
    """Wait until the view shows ``text`` with every highlight computed (or its message)."""
    page.wait_for_function(
        """t => { const e = document.querySelector('.birnn-fillin');
        return e.dataset.text === t && e.dataset.state !== 'busy'; }""",
        arg=text,
        timeout=10_000,
    )


def type_text(page, text):
    """Type into the box as a reader does and wait until the view has caught up."""
    box = page.locator(".birnn-fillin-input")
    box.fill("")
    box.press_sequentially(text, delay=5) if len(text) < 100 else box.fill(text)
    wait_ready(page, text)
