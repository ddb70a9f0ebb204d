"""Prose word counts and reading times of the chapter's pages, core and optional.

Counts the words a reader reads in Markdown cells (and in intro.md): display maths, code
blocks, directive options and MyST target lines are left out; inline maths counts as one
word; hidden caption cells for Jupyter (``remove-cell``) are not counted, since the website
shows the same caption once. Reading time is at 200 words a minute. Pages are grouped by
the parts of ``_toc.yml`` (a part whose caption starts with "Going further" is optional).

``python -m tools.wordcount`` prints a table; ``--json`` prints the numbers.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
WPM = 200

_FENCE = re.compile(r"^(`{3,}|~{3,})(.*?)$([\s\S]*?)^\1\s*$", re.M)
_DISPLAY_MATH = re.compile(r"\$\$[\s\S]*?\$\$(\s*\([\w-]+\))?")
_INLINE_MATH = re.compile(r"\$[^$\n]+\$")
_TARGET = re.compile(r"^\([\w-]+\)=\s*$", re.M)
_OPTION = re.compile(r"^:[\w-]+:.*$", re.M)
_COLON_FENCE = re.compile(r"^:{3,}.*$", re.M)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_ROLE = re.compile(r"\{[\w:-]+\}`([^`]*)`")
_WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*")

# Directives whose body is prose the reader reads (exercises, hints, solutions, notes).
_PROSE_DIRECTIVES = re.compile(r"^\{(exercise|solution|admonition|note|tip|warning|"
                               r"important|seealso|solution-start)\}")


def prose(markdown: str) -> str:
    """The reader-visible prose of one Markdown source."""
    def fence(match):
        info = match.group(2).strip()
        if _PROSE_DIRECTIVES.match(info):
            title = _PROSE_DIRECTIVES.sub("", info)
            return title + "\n" + prose(match.group(3))
        return ""                                   # code, or a non-prose directive
    text = _FENCE.sub(fence, markdown)
    text = _DISPLAY_MATH.sub(" ", text)
    text = _INLINE_MATH.sub(" x ", text)
    text = _TARGET.sub("", text)
    text = _OPTION.sub("", text)
    text = _COLON_FENCE.sub("", text)
    text = _LINK.sub(r"\1", text)
    return _ROLE.sub(r"\1", text)


def words(markdown: str) -> int:
    return len(_WORD.findall(prose(markdown)))


def page_words(path: Path) -> int:
    if path.suffix == ".md":
        return words(path.read_text(encoding="utf-8"))
    nb = nbformat.read(path, as_version=4)
    return sum(words(c.source) for c in nb.cells
               if c.cell_type == "markdown" and "remove-cell" not in c.metadata.get("tags", []))


def pages(root: Path = ROOT) -> list[tuple[str, Path]]:
    """(part, path) for every page in table-of-contents order; the root page is "core"."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    out = [("core", root / f"{toc['root']}.md")]
    for part in toc.get("parts", [{"caption": "", "chapters": toc.get("chapters", [])}]):
        kind = "optional" if part.get("caption", "").startswith("Going further") else "core"
        for entry in part["chapters"]:
            for suffix in (".ipynb", ".md"):
                path = root / f"{entry['file']}{suffix}"
                if path.exists():
                    out.append((kind, path))
                    break
    return out


def report(root: Path = ROOT) -> dict:
    rows = [{"page": p.relative_to(root).as_posix(), "part": kind, "words": page_words(p)}
            for kind, p in pages(root)]
    for row in rows:
        row["minutes"] = round(row["words"] / WPM, 1)
    totals = {kind: sum(r["words"] for r in rows if r["part"] == kind)
              for kind in ("core", "optional")}
    return {"pages": rows, "words": totals,
            "minutes": {k: round(v / WPM, 1) for k, v in totals.items()}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = report()
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"| page | part | words | minutes at {WPM} wpm |\n|---|---|---|---|")
    for row in result["pages"]:
        print(f"| {row['page']} | {row['part']} | {row['words']} | {row['minutes']} |")
    for kind in ("core", "optional"):
        print(f"| **{kind}** | | {result['words'][kind]} | {result['minutes'][kind]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
