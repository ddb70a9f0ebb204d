"""The PDF of each edition (tools/pdfbook.py, made by `make book`) reads as a book.

Read back with poppler's tools (Debian's poppler-utils, `make system-deps`), as a reader's
viewer or a printer would: the PDF opens (``pdfinfo``: A4, tagged, more pages than there
are chapters), every font is embedded (``pdffonts``; the Chinese text in an embedded
TrueType CJK face), every section title of the website's pages and every figure caption is
in its text (``pdftotext``) and every figure picture in it (``pdfimages``), no word lies
outside the text column's margins (``pdftotext -bbox``: a clipped or overflowing code line
would), no raw MyST or website control text ("Show code cell source") is left, the widgets
are drawn, the solutions come after the exercises in an appendix, and the pages are numbered.
"""

from __future__ import annotations

import html as html_module
import re
import shutil
import subprocess

import pytest
import yaml
from paths import ROOT

from tools import pdfbook
from tools.editions import EDITIONS, tr

pytestmark = pytest.mark.site
MARGIN_PT = 16 / 25.4 * 72  # the side margins, 16 mm
RAW = re.compile(
    r"```\{|:::\{|\{(eq|ref|numref|cite(:\w+)?|exercise|solution(-start|-end)?|"
    r"admonition|bibliography)\}|^\([\w-]+\)=$|^:(label|class):|"
    r"Show code cell|Hide code cell|Click to show",
    re.M,
)


def _tool(name, *args) -> str:
    if not shutil.which(name):
        pytest.fail(f"{name} is missing: `make system-deps` installs Debian's poppler-utils")
    return subprocess.run(
        [name, *map(str, args)], capture_output=True, text=True, check=True, timeout=300
    ).stdout


def _plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).replace("#", "").split()).strip()


def _site_texts(edition) -> dict:
    """Headings (h1-h3), figure captions (up to their first formula) and the number of
    figures of the edition's built pages, as the website shows them."""
    found = {"headings": [], "captions": [], "figures": 0, "code": []}
    for path in pdfbook.pages(edition):
        html = (ROOT / edition.html / path).read_text(encoding="utf-8")
        article = html[html.find('<article class="bd-article">') : html.find("</article>")]
        found["headings"] += [
            _plain(h) for _, h in re.findall(r"<h([123])[^>]*>(.*?)</h\1>", article, re.S)
        ]
        found["captions"] += [
            _plain(c.split('<span class="math')[0])
            for c in re.findall(r"<figcaption>(.*?)</figcaption>", article, re.S)
        ]
        found["figures"] += len(re.findall(r"<figure\b", article))
        shown = re.sub(
            r'<details class="[^"]*above-input[^"]*">.*?</details>', "", article, flags=re.S
        )
        found["code"] += [
            html_module.unescape(re.sub(r"<[^>]+>", "", block))
            for block in re.findall(r"<pre[^>]*>(.*?)</pre>", shown, re.S)
        ]
    return found


@pytest.fixture(scope="module", params=list(EDITIONS), ids=list(EDITIONS))
def pdf(request, built_book):
    edition = EDITIONS[request.param]
    path = ROOT / edition.html / edition.pdf
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: `make book` prints it")
    text = _tool("pdftotext", "-layout", path, "-")
    return edition, path, text


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\u200b", ""))


def test_the_pdf_opens_as_an_a4_book(pdf):
    edition, path, _ = pdf
    info = dict(re.findall(r"^([\w ]+):\s+(.*)$", _tool("pdfinfo", path), re.M))
    assert int(info["Pages"]) > 2 * len(pdfbook.pages(edition)), info["Pages"]
    assert info["Page size"].startswith("594.96 x 841.92"), info["Page size"]
    assert info["Tagged"] == "yes"
    title = yaml.safe_load((ROOT / edition.source / "_config.yml").read_text())["title"]
    assert info["Title"] == title


def test_every_font_is_embedded(pdf):
    edition, path, _ = pdf
    rows = _tool("pdffonts", path).splitlines()[2:]
    assert rows, "no fonts"
    not_embedded = [r for r in rows if r.split()[-5] != "yes"]
    assert not not_embedded, not_embedded
    if edition.lang == "zh":
        cjk = [r for r in rows if "WenQuanYiMicroHei" in r and "CID TrueType" in r]
        assert cjk, "the Chinese text's TrueType face is not embedded"


def test_every_section_title_and_figure_is_in_it(pdf):
    edition, path, _ = pdf
    site = _site_texts(edition)
    # Reading order (-raw): in the layout text, a formula's superscript can fall between the
    # lines of a caption.
    body = _squeezed(_tool("pdftotext", "-raw", path, "-"))
    assert site["headings"] and site["captions"]
    missing = [h for h in site["headings"] if _squeezed(h) not in body]
    assert not missing, f"section titles missing from the PDF: {missing}"
    for caption in site["captions"]:
        assert _squeezed(caption)[:60] in body, f"figure caption missing: {caption[:60]}"
    images = [
        l for l in _tool("pdfimages", "-list", path).splitlines()[2:] if l.split()[2] == "image"
    ]
    assert len(images) >= site["figures"] > 0, (len(images), site["figures"])


def test_every_code_line_and_output_is_there_in_full(pdf):
    """Clipped code would be missing from the text (a clipped word is not extracted), so
    every line of every code block and printed output of the website is looked for whole
    (a wrapped line continues on the next line of the text; the order of lines around a page
    break follows Chromium's painting, so lines, not blocks, are looked for)."""
    edition, path, _ = pdf
    title = yaml.safe_load((ROOT / edition.source / "_config.yml").read_text())["title"]
    lines = [
        line
        for line in _tool("pdftotext", "-raw", path, "-").splitlines()
        if line.strip() != title and not re.fullmatch(r"\s*\d+ / \d+\s*", line)
    ]
    body = _squeezed("\n".join(lines))
    blocks = _site_texts(edition)["code"]
    assert len(blocks) > 50, len(blocks)
    lines = [line for block in blocks for line in block.splitlines() if _squeezed(line)]
    missing = [line for line in lines if _squeezed(line) not in body]
    assert len(lines) > 500 and not missing, (
        f"{len(missing)} of {len(lines)} code lines not whole in the PDF: {missing[:5]}"
    )


def test_no_word_runs_past_the_margins(pdf):
    _, path, _ = pdf
    bbox = _tool("pdftotext", "-bbox", path, "-")
    width = float(re.search(r'<page width="([\d.]+)"', bbox).group(1))
    outside = []
    for page, body in enumerate(bbox.split("<page ")[1:], start=1):
        for x0, x1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', body
        ):
            if float(x0) < MARGIN_PT - 1 or float(x1) > width - MARGIN_PT + 1:
                outside.append((page, word, round(float(x0)), round(float(x1))))
    assert not outside, f"{len(outside)} words outside the text column: {outside[:10]}"


def test_no_raw_myst_or_website_controls(pdf):
    _, _, text = pdf
    raw = sorted({m.group(0) for m in RAW.finditer(text)})
    assert not raw, raw


def test_solutions_are_in_the_appendix_and_pages_are_numbered(pdf):
    edition, path, text = pdf
    pages = text.split("\f")
    total = len([p for p in pages if p.strip()])
    for number, page in enumerate(pages[:total], start=1):
        assert re.search(rf"\b{number} / {total}\b", page), f"page {number} has no number"
    body = _squeezed(text)
    solutions = [m.start() for m in re.finditer(r"SolutiontoExercise|解答练习", body)]
    exercises = [m.start() for m in re.finditer(r"Exercise\d+\.\d+\(|练习\d+\.\d+\(", body)]
    appendix = body.find(_squeezed(tr("Appendix: solutions to the exercises", edition.lang)))
    assert solutions and exercises and appendix > 0
    assert min(solutions) > appendix > max(exercises[:7]), "a solution sits beside its exercise"


def test_widgets_are_drawn(pdf):
    _, _, text = pdf
    body = _squeezed(text)
    assert _squeezed("the w_ite sphinx") in body  # the fill-in demo, drawn
    assert "T=4" in body or "H_t" in body  # the shape explorer's drawing


def test_the_contents_give_each_section_its_page(pdf):
    """Every entry of the contents has a page number, and that page shows the heading."""
    edition, _, text = pdf
    pages = text.split("\f")
    headings = len(_site_texts(edition)["headings"])
    entries = []
    for page in pages[1:4]:  # the contents follow the cover
        entries += re.findall(r"^\s*(\S.*?\S)\s{2,}(\d+)\s*$", page, re.M)
    assert len(entries) >= headings // 2, entries[:5]
    for title, number in entries:
        assert _squeezed(title) in _squeezed(pages[int(number) - 1]), (
            f"contents: {title!r} is not on page {number}"
        )
