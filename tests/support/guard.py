"""The install guard (the first code cell of every notebook, ``tools.nbrefs.install_guard``),
run with process launching intercepted."""

from __future__ import annotations

import importlib.util
import os
import subprocess

import yaml
from paths import ROOT

REPOSITORY = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def run_guard(source: str, monkeypatch, book_missing: bool) -> list:
    """Execute the guard's source; return the commands it tried to launch."""
    launched = []

    def fake_run(cmd, *args, **kwargs):
        launched.append((list(cmd), kwargs))
        return subprocess.CompletedProcess(cmd, 0)

    def forbidden(*args, **kwargs):
        raise AssertionError(f"the guard launched a process another way: {args}")

    monkeypatch.setattr(subprocess, "run", fake_run)
    for name in ("Popen", "call", "check_call", "check_output"):
        monkeypatch.setattr(subprocess, name, forbidden)
    monkeypatch.setattr(os, "system", forbidden)
    if book_missing:
        real_find_spec = importlib.util.find_spec
        monkeypatch.setattr(
            importlib.util,
            "find_spec",
            lambda name, *a, **k: (
                None if name.split(".")[0] == "book" else real_find_spec(name, *a, **k)
            ),
        )
    exec(compile(source, "<install guard>", "exec"), {"__name__": "__main__"})
    return launched
