"""Prose word counts and reading times of the chapter's pages, core and optional.

Counts the words a reader reads in Markdown cells (and in intro.md): display maths, code
blocks, directive options and MyST target lines are left out; inline maths counts as one
word; hidden caption cells for Jupyter (``remove-cell``) are not counted, since the website
shows the same caption once. Text folded away until the reader asks for it (dropdown hints
and the gated solutions of the exercises) is counted apart, as "on demand": the reading path
does not include it. Reading time is at 200 words a minute. Pages are grouped by
the parts of ``_toc.yml`` (``tools.editions.toc`` says which part is optional);
the landing page (the root) is counted on its own, outside the core path.

``python -m tools.wordcount`` prints a table; ``--json`` prints the numbers. ``--zh`` counts
the Chinese edition's pages (zh_CN/, the same pages in the same parts): each CJK character
is a word there, as is each Latin word (names, code-like terms), read at 300 a minute.

``--zh --cjk-share`` measures how Chinese each Chinese page reads: CJK characters over CJK
characters plus Latin letters, in the prose (all of it, folded text included; maths, code
blocks and inline code left out) and in the outputs a reader sees (printed text, tables,
check feedback, error messages; not figures or widgets), per page (issue 24's goal: 0.7).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from pathlib import Path

import nbformat

from tools.editions import EDITIONS, ROOT, toc

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
# Chinese: a character is the unit, and Latin words amid it count one each.
_ZH_WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9][A-Za-z0-9_'’.-]*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_TAG = re.compile(r"<[^>]+>")
SHARE_GOAL = 0.7
ZH_WPM = 300
ZH_ROOT = EDITIONS["zh"].source

# Directives whose body is prose the reader reads (exercises, hints, solutions, notes).
_PROSE_DIRECTIVES = re.compile(
    r"^\{(exercise|solution|admonition|note|tip|warning|"
    r"important|seealso|solution-start)\}"
)


def prose(markdown: str, on_demand: bool = False) -> str:
    """The reader-visible prose of one Markdown source; with ``on_demand``, only the text
    folded into dropdowns (and nothing else)."""
    folded = []

    def fence(match):
        info = match.group(2).strip()
        if re.search(r"^:class:.*\bdropdown\b", match.group(3), re.M):
            title = _PROSE_DIRECTIVES.sub("", info)
            folded.append(prose(match.group(3)))
            return title
        if _PROSE_DIRECTIVES.match(info):
            title = _PROSE_DIRECTIVES.sub("", info)
            return title + "\n" + prose(match.group(3))
        return ""  # code, or a non-prose directive

    text = _FENCE.sub(fence, markdown)
    text = _DISPLAY_MATH.sub(" ", text)
    text = _INLINE_MATH.sub(" x ", text)
    text = _TARGET.sub("", text)
    text = _OPTION.sub("", text)
    text = _COLON_FENCE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _ROLE.sub(r"\1", text)
    return "\n".join(folded) if on_demand else text


def words(markdown: str, on_demand: bool = False, unit: re.Pattern = _WORD) -> int:
    return len(unit.findall(prose(markdown, on_demand)))


_words_in = words


def page_words(path: Path, unit: re.Pattern = _WORD) -> tuple[int, int]:
    """(words on the reading path, words on demand) of one page."""
    words = functools.partial(_words_in, unit=unit)
    if path.suffix == ".md":
        text = path.read_text(encoding="utf-8")
        return words(text), words(text, on_demand=True)
    nb = nbformat.read(path, as_version=4)
    read = demand = 0
    in_solution = False
    for cell in nb.cells:
        if cell.cell_type != "markdown" or "remove-cell" in cell.metadata.get("tags", []):
            continue
        source = cell.source
        if "{solution-start}" in source:  # a gated solution: folded until opened
            in_solution = True
        if in_solution:
            before, _, after = source.partition("````{solution-end}\n````")
            demand += words(before) + words(before, on_demand=True)
            if "{solution-end}" in source:
                in_solution = False
                read += words(after)
                demand += words(after, on_demand=True)
            continue
        read += words(source)
        demand += words(source, on_demand=True)
    return read, demand


def visible_outputs(nb) -> str:
    """The text of the outputs a reader sees: streams, errors, and each result's HTML (its
    tags left out) or plain text; not figures or widget views, not removed outputs."""
    texts = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "remove-cell" in tags or "remove-output" in tags:
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                texts.append(out.text)
            elif out.output_type == "error":
                texts.append(f"{out.ename}: {out.evalue}")
            else:
                data = out.get("data", {})
                if any(k.startswith("image/") or "widget-view" in k for k in data):
                    continue
                if "text/html" in data:
                    texts.append(_TAG.sub(" ", data["text/html"]))
                elif "text/plain" in data:
                    texts.append(data["text/plain"])
    return "\n".join(texts)


def cjk_share(path: Path) -> dict:
    """CJK characters and Latin letters of one Chinese page, in its prose and its outputs,
    and the share of CJK characters in both together."""
    if path.suffix == ".md":
        sources, outputs = [path.read_text(encoding="utf-8")], ""
    else:
        nb = nbformat.read(path, as_version=4)
        sources = [
            c.source
            for c in nb.cells
            if c.cell_type == "markdown" and "remove-cell" not in c.metadata.get("tags", [])
        ]
        outputs = visible_outputs(nb)
    text = "\n".join(prose(s) + "\n" + prose(s, on_demand=True) for s in sources)
    text = _INLINE_CODE.sub(" ", _INLINE_MATH.sub(" ", text.replace(" x ", " ")))
    counts = {
        "prose_cjk": len(_CJK.findall(text)),
        "prose_latin": len(_LATIN.findall(text)),
        "output_cjk": len(_CJK.findall(outputs)),
        "output_latin": len(_LATIN.findall(outputs)),
    }
    cjk = counts["prose_cjk"] + counts["output_cjk"]
    latin = counts["prose_latin"] + counts["output_latin"]
    counts["share"] = round(cjk / (cjk + latin), 3) if cjk + latin else 1.0
    counts["prose_share"] = round(
        counts["prose_cjk"] / max(1, counts["prose_cjk"] + counts["prose_latin"]), 3
    )
    return counts


def pages(root: Path = ROOT) -> list[tuple[str, Path]]:
    """(part, path) for every page in table-of-contents order; the root page is "landing"."""
    book = toc(root)
    return [("landing", book.landing)] + [
        ("optional" if part.optional else "core", path)
        for part in book.parts
        for path in part.pages
    ]


def report(root: Path = ROOT, zh: bool = False) -> dict:
    rows = []
    wpm = ZH_WPM if zh else WPM
    for kind, p in pages(root):
        if zh:
            p = root / ZH_ROOT / p.relative_to(root)
        read, demand = page_words(p, _ZH_WORD if zh else _WORD)
        rows.append(
            {
                "page": p.relative_to(root).as_posix(),
                "part": kind,
                "words": read,
                "minutes": round(read / wpm, 1),
                "on_demand_words": demand,
            }
        )
    kinds = ("landing", "core", "optional")
    totals = {kind: sum(r["words"] for r in rows if r["part"] == kind) for kind in kinds}
    demand = {kind: sum(r["on_demand_words"] for r in rows if r["part"] == kind) for kind in kinds}
    return {
        "pages": rows,
        "words": totals,
        "on_demand_words": demand,
        "minutes": {k: round(v / wpm, 1) for k, v in totals.items()},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--zh", action="store_true", help="the Chinese edition (zh_CN/)")
    parser.add_argument(
        "--cjk-share",
        action="store_true",
        help="with --zh: the share of CJK characters in each page's prose and outputs",
    )
    args = parser.parse_args(argv)
    if args.cjk_share:
        rows = {
            (ROOT / ZH_ROOT / p.relative_to(ROOT)).relative_to(ROOT).as_posix(): cjk_share(
                ROOT / ZH_ROOT / p.relative_to(ROOT)
            )
            for _, p in pages()
        }
        if args.json:
            print(json.dumps(rows, indent=2))
            return 0
        print(
            f"| page | CJK share (goal {SHARE_GOAL}) | prose only | prose CJK / Latin "
            "letters | outputs CJK / Latin letters |\n|---|---|---|---|---|"
        )
        for page, r in rows.items():
            print(
                f"| {page} | {r['share']:.2f} | {r['prose_share']:.2f} | {r['prose_cjk']} / "
                f"{r['prose_latin']} | {r['output_cjk']} / {r['output_latin']} |"
            )
        return 0
    result = report(zh=args.zh)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    unit = "characters read" if args.zh else "words read"
    print(
        f"| page | part | {unit} | minutes at {ZH_WPM if args.zh else WPM} a minute | "
        "on demand (hints, solutions) |\n|---|---|---|---|---|"
    )
    for row in result["pages"]:
        print(
            f"| {row['page']} | {row['part']} | {row['words']} | {row['minutes']} | "
            f"{row['on_demand_words']} |"
        )
    for kind in ("landing", "core", "optional"):
        print(
            f"| **{kind}** | | {result['words'][kind]} | {result['minutes'][kind]} | "
            f"{result['on_demand_words'][kind]} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
