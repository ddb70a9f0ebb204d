"""The runnable chapter, one archive per edition, to take away and run offline.

Each archive (``tools/editions.py`` names it; ``make book`` puts it in the site's
``downloads/`` folder, linked from every page) holds, under one folder:

* ``README.md``: three steps, in the edition's language: create an environment, install,
  open the first notebook;
* ``requirements.txt``: the project's lock (``requirements.txt``) with this checkout's
  editable ``book`` replaced by the wheel below, and PyTorch's CPU index named for
  ``torch==...+cpu``;
* ``wheels/``: the ``book`` package as a wheel built from this repository, with its data
  (The Time Machine) and the shipped models;
* the edition's notebooks (MyST, for JupyterLab with jupyterlab-myst, which the lock
  installs), at the paths they have in the repository, so a kernel started beside a Chinese
  notebook (in a ``zh_CN`` folder) speaks Chinese;
* the licences and ``CITATION.cff``.

Reproducible: the wheel is built from a copy of the package's files with
``SOURCE_DATE_EPOCH`` set to the last commit's time, and the zip lists its entries in a
fixed order with that time and fixed permissions, so the same checkout gives the same
bytes. ``python -m tools.archive`` writes both editions; ``tests/test_archive.py``
unpacks one into a fresh virtual environment, installs it offline and runs notebooks.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import yaml

from tools.editions import EDITIONS, NAME, ROOT, Edition, chapters, tr

TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
EXTRA_FILES = ("LICENSE", "LICENSE-TEXT.md", "CITATION.cff")
# What the wheel is built from (pyproject.toml's packages and readme).
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", "LICENSE-TEXT.md", "book")


def source_date_epoch(root: Path = ROOT) -> int:
    """The last commit's time (SOURCE_DATE_EPOCH when set), for reproducible timestamps."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        return int(out.stdout.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        return 315532800  # 1980-01-01, the earliest time a zip can hold


def build_wheel(out: Path, epoch: int, root: Path = ROOT) -> Path:
    """The ``book`` wheel, built without network or build isolation from a clean copy of the
    package's files."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in PACKAGE_FILES:
            path = root / name
            if path.is_dir():
                shutil.copytree(
                    path,
                    src / name,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
                )
            elif path.exists():
                shutil.copy2(path, src / name)
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch), PYTHONHASHSEED="0")
        # The build backend pyproject.toml names (setuptools, in the lock), called directly:
        # what `pip wheel --no-build-isolation` does, without pip's start-up.
        built = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, setuptools.build_meta as backend; backend.build_wheel(sys.argv[1])",
                str(out),
            ],
            env=env,
            cwd=src,
            timeout=600,
            capture_output=True,
            text=True,
        )
        if built.returncode:
            raise RuntimeError(f"building the book wheel failed:\n{built.stderr[-3000:]}")
    wheels = sorted(out.glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel in {out}, found {wheels}")
    return wheels[0]


def requirements(wheel_name: str, root: Path = ROOT) -> str:
    lock = (root / "requirements.txt").read_text().splitlines()
    kept = [line for line in lock if line.strip() != "-e file:."]
    if len(kept) == len(lock):
        raise RuntimeError(
            "requirements.txt no longer installs `-e file:.`: update tools/archive.py"
        )
    return "\n".join(
        [
            "# The chapter's locked requirements (the project's requirements.txt), with the",
            "# chapter's own `book` package from the wheel beside this file. PyTorch's CPU build",
            "# (torch==...+cpu) comes from PyTorch's own index.",
            f"--extra-index-url {TORCH_CPU_INDEX}",
            f"./wheels/{wheel_name}",
            *kept,
            "",
        ]
    )


def readme(edition: Edition, first: str, root: Path = ROOT) -> str:
    config = yaml.safe_load((root / edition.source / "_config.yml").read_text())
    lang = edition.lang
    return "\n".join(
        [
            f"# {config['title']}",
            "",
            "1. "
            + tr(
                "Create an environment (Python 3.10 or newer): `python3 -m venv .venv`, then "
                "`source .venv/bin/activate` (on Windows: `.venv\\Scripts\\activate`).",
                lang,
            ),
            "2. "
            + tr(
                "Install the chapter and its locked requirements: "
                "`pip install -r requirements.txt`.",
                lang,
            ),
            "3. " + tr("Open the first notebook: `jupyter lab {notebook}`.", lang, notebook=first),
            "",
        ]
    )


def _add(archive: zipfile.ZipFile, name: str, data: bytes, epoch: int) -> None:
    info = zipfile.ZipInfo(name, date_time=time.gmtime(max(epoch, 315532800))[:6])
    # A wheel is a zip already: stored as it is, the rest compressed.
    info.compress_type = zipfile.ZIP_STORED if name.endswith(".whl") else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # Unix, so the permissions above are read
    archive.writestr(info, data, compresslevel=9)


def build(edition: Edition, out: Path, wheel: Path, epoch: int, root: Path = ROOT) -> Path:
    """Write the edition's archive to ``out``."""
    top = f"{NAME}-{edition.locale}"
    notebooks = chapters(root / edition.source)
    first = notebooks[0].relative_to(root / edition.source).as_posix()
    files: dict[str, bytes] = {
        "README.md": readme(edition, first, root).encode(),
        "requirements.txt": requirements(wheel.name, root).encode(),
        f"wheels/{wheel.name}": wheel.read_bytes(),
    }
    for path in notebooks:
        files[
            path.relative_to(root / edition.source).as_posix()
            if edition.lang == "en"
            else path.relative_to(root).as_posix()
        ] = path.read_bytes()
    if edition.lang != "en":  # the README's first notebook, at its archive path
        files["README.md"] = readme(
            edition, notebooks[0].relative_to(root).as_posix(), root
        ).encode()
    for name in EXTRA_FILES:
        if (root / name).exists():
            files[name] = (root / name).read_bytes()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(files):
            _add(archive, f"{top}/{name}", files[name], epoch)
    return out


def build_all(site: Path | None = None, root: Path = ROOT) -> list[Path]:
    """Both editions' archives, into each edition's built site (or ``site`` for tests)."""
    epoch = source_date_epoch(root)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp), epoch, root)
        for edition in EDITIONS.values():
            target = (
                site / edition.html.relative_to(EDITIONS["en"].html)
                if site
                else root / edition.html
            ) / edition.archive
            written.append(build(edition, target, wheel, epoch, root))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, help="write into this folder instead of _build/html")
    args = parser.parse_args(argv)
    for path in build_all(args.site):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
