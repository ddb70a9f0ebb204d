"""Notebook housekeeping: export library code from notebooks, re-execute them.

The classes a reader studies in ``chapters/02_from_scratch.ipynb`` are the
classes ``book`` ships: cells whose first line is ``#| export`` are copied, in
order, into the module named by the notebook's ``book.export`` metadata, each block
headed by a comment naming its notebook cell (index and id).
``python -m tools.nbtools export`` writes the modules; ``... check`` fails when
a committed module differs from what the notebooks say (CI runs it as a test).
``python -m tools.nbtools execute NB...`` re-runs notebooks in place and saves
their outputs without volatile timing metadata, each in its edition's language: a notebook
under ``zh_CN/`` runs with ``BOOK_LANG=zh`` (in its own folder, as Jupyter would start it),
every other with ``BOOK_LANG=en``, so its printed words, check feedback, figure labels and
saved widget words are the edition's own.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat

from tools.editions import ROOT, edition_of

MARKER = "#| export"


def exports(root: Path = ROOT) -> dict[Path, str]:
    """Map each target module to the source text the notebooks say it has."""
    out: dict[Path, str] = {}
    for nb_path in sorted((root / "chapters").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        target = nb.metadata.get("book", {}).get("export")
        if not target:
            continue
        rel = nb_path.relative_to(root).as_posix()
        parts = [
            f'"""Generated from {rel} by `make export`;\nedit the notebook, not this file."""\n'
        ]
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and cell.source.startswith(MARKER):
                body = cell.source[len(MARKER) :].lstrip("\n").rstrip() + "\n"
                # Each block names the cell it came from: its position and its stable id.
                origin = f"# From {rel}, cell {index} (id {cell.get('id', '?')})\n"
                parts.append(origin + body)
        out[root / target] = "\n\n".join(parts)
    return out


def export(root: Path = ROOT) -> list[Path]:
    written = []
    for path, text in exports(root).items():
        path.write_text(text)
        written.append(path)
    return written


def stale(root: Path = ROOT) -> list[str]:
    """Modules whose committed text differs from their notebook export."""
    bad = []
    for path, text in exports(root).items():
        if not path.exists() or path.read_text() != text:
            bad.append(path.relative_to(root).as_posix())
    return bad


def execute(paths: list[str], timeout: int = 600) -> None:
    from nbclient import NotebookClient

    # Kernels inherit this: training progress bars draw nothing, as under the tests
    # (conftest.py), so the saved outputs are what nbval will see again.
    os.environ["TQDM_DISABLE"] = "1"

    for p in paths:
        path = Path(p).resolve()
        os.environ["BOOK_LANG"] = edition_of(path).lang
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
            record_timing=False,
            store_widget_state=True,
        )
        client.execute()
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nbformat.write(nb, path)
        print(f"executed {path.relative_to(ROOT)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("export")
    sub.add_parser("check")
    ex = sub.add_parser("execute")
    ex.add_argument("notebooks", nargs="+")
    args = parser.parse_args(argv)
    if args.cmd == "export":
        for p in export():
            print(f"wrote {p.relative_to(ROOT)}")
    elif args.cmd == "check":
        bad = stale()
        if bad:
            print("out of date with their notebooks (run `make export`):", *bad)
            return 1
        print("exported modules match their notebooks")
    else:
        execute(args.notebooks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
