"""The Time Machine, shipped with the package and checked on every load.

Nothing is downloaded: the text lies in ``book/data/timemachine.txt`` and its
SHA-256 is pinned here, so a damaged or edited copy is refused loudly rather
than silently training on different data.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

__all__ = ["TIME_MACHINE_SHA256", "time_machine_path", "load_time_machine"]

TIME_MACHINE_SHA256 = "8424dbd9532ac81f7e5f0b6add90e6952baea29158309d7d1bf3884f4e12c516"


def time_machine_path() -> Path:
    """Path of the shipped copy of The Time Machine (H. G. Wells, public domain)."""
    return Path(str(resources.files("book") / "data" / "timemachine.txt"))


def load_time_machine(path: str | Path | None = None) -> str:
    """Return the raw text of The Time Machine after verifying its SHA-256.

    Args:
        path: another copy to load instead of the shipped one (tests use this).

    Raises:
        ValueError: if the file's digest differs from :data:`TIME_MACHINE_SHA256`.
    """
    path = Path(path) if path is not None else time_machine_path()
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != TIME_MACHINE_SHA256:
        raise ValueError(
            f"{path} is not the expected text: sha256 should be {TIME_MACHINE_SHA256}, got {digest}"
        )
    return raw.decode("utf-8")
