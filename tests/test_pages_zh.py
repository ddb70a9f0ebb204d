"""The Chinese edition in the browser, beside the English one.

Every English page has a Chinese counterpart under zh_CN/ with ``<html lang="zh-CN">``;
a visible link on every page leads to its counterpart and back to the same page; the
Chinese pages' prose (outside code, maths, outputs and references) is Chinese and drawn in
a CJK font, and so are the site script's words and the footer's author line; the shape
explorer speaks Chinese there, with no kernel, in the words its Chinese run saved; Chinese
search finds Chinese words; Live Code starts its kernel beside the Chinese notebook, and a
new issue's title names the Chinese page. The checks every page gets (offline, no console
errors, maths typeset, links, launch and download buttons, axe-core, phone width, print) run
on both editions through tests/test_pages.py and tests/test_site_devices.py, whose page
lists hold both.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from paths import HTML
from support.site import CONTENT_PAGES, SPHINX_PAGES, ZH, wait_for_math

ENGLISH = [p for p in CONTENT_PAGES if not p.startswith(f"{ZH}/")]
CHINESE = [p for p in CONTENT_PAGES if p.startswith(f"{ZH}/")]
EXPLORER = f"{ZH}/chapters/04_shape_explorer.html"
CJK = r"[\u3400-\u9fff]"


def test_every_english_page_has_a_chinese_counterpart(built_book):
    assert ENGLISH and CHINESE
    assert sorted(f"{ZH}/{p}" for p in ENGLISH) == sorted(CHINESE)


@pytest.mark.parametrize("path", SPHINX_PAGES)
def test_html_lang_is_the_editions_language(built_book, path):
    html = (HTML / path).read_text(encoding="utf-8")
    lang = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", html).group(1)
    assert lang == ("zh-CN" if path.startswith(f"{ZH}/") else "en"), path


@pytest.mark.browser
@pytest.mark.parametrize("path", ENGLISH)
def test_language_switch_round_trips_to_the_same_page(open_page, book_url, path):
    page, log = open_page(path)
    switch = page.locator("a.birnn-language")
    assert switch.is_visible() and switch.inner_text() == "中文"
    # Leaving a page cancels what it still loads (the favicon, on a busy machine), which
    # the log would report as a failed request: let each page finish first.
    page.wait_for_load_state("networkidle")
    switch.click()
    page.wait_for_load_state("load")
    assert page.url == f"{book_url}/{ZH}/{path}"
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    back = page.locator("a.birnn-language")
    assert back.is_visible() and back.inner_text() == "English"
    page.wait_for_load_state("networkidle")
    back.click()
    page.wait_for_load_state("load")
    assert page.url == f"{book_url}/{path}"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert not log.problems(), log.problems()


@pytest.mark.browser
@pytest.mark.parametrize("path", CHINESE)
def test_chinese_page_prose_is_chinese_in_a_cjk_font(open_page, path):
    """Text outside code, maths, outputs, citations and the reference list: CJK characters
    outnumber the letters of Latin words. What stays Latin is names (PyTorch, BERT) and the
    English example sentences of chapter 1; an untranslated page has almost no CJK."""
    page, log = open_page(path)
    wait_for_math(page)
    text = page.evaluate("""() => {
        const article = document.querySelector('.bd-article').cloneNode(true);
        article.querySelectorAll('.cell_input, .cell_output, pre, code, .math, .katex, '
            + '.citation-list, .bibtex, a.reference.internal .std, .headerlink, '
            + 'div.bibliography, [role="doc-biblioentry"]').forEach(e => e.remove());
        return article.innerText;
    }""")
    cjk = len(re.findall(CJK, text))
    latin = sum(len(w) for w in re.findall(r"[A-Za-z]{2,}", text))
    assert cjk > latin, f"{path}: {cjk} CJK characters against {latin} Latin letters"
    font = page.evaluate("getComputedStyle(document.querySelector('.bd-article p')).fontFamily")
    assert "Noto Sans CJK SC" in font, font
    assert not log.problems(), log.problems()


@pytest.mark.browser
def test_explorer_speaks_chinese_without_a_kernel(open_page):
    page, log = open_page(EXPLORER)
    page.wait_for_selector(".birnn-explorer svg g.birnn-block", timeout=20_000)
    explorer = page.locator(".birnn-explorer")
    assert explorer.get_attribute("lang") == "zh-CN"
    slider = page.locator('.birnn-explorer input[type="range"][data-size="h_b"]')
    assert slider.get_attribute("aria-label") == "h_b, 反向隐藏单元数"
    assert (
        page.locator('.birnn-step[data-size="h_b"][data-step="-1"]').get_attribute("aria-label")
        == "减小 h_b"
    )
    captions = page.eval_on_selector_all(
        ".birnn-explorer svg .birnn-caption", "els => els.map(e => e.textContent)"
    )
    assert captions[0] == "一个时间步 t（顶层）", captions
    assert re.search(CJK, page.locator(".birnn-explorer svg").get_attribute("aria-label"))
    # The saved check, from the Chinese notebook's own run (make execute).
    check = page.locator(".birnn-check").inner_text()
    assert "从零实现的模型" in check and "nn.RNN(" in check, check
    # A move the saved check does not cover: the kernel-less note, in Chinese.
    page.locator('.birnn-step[data-size="h_b"][data-step="-1"]').click()
    assert "预测的形状" in page.locator(".birnn-check").inner_text()
    assert "要求 h_f = h_b" in page.locator(".birnn-check").inner_text()
    box = page.locator('.birnn-explorer input[type="number"][data-size="L"]')
    box.fill("9")
    box.press("Enter")
    message = page.locator(".birnn-message").inner_text()
    assert message.startswith("L（层数）必须是 1 到 4 之间的整数"), message
    assert not log.problems(), log.problems()


@pytest.mark.browser
def test_english_explorer_stays_english(open_page):
    page, log = open_page("chapters/04_shape_explorer.html")
    page.wait_for_selector(".birnn-explorer svg g.birnn-block", timeout=20_000)
    assert page.locator(".birnn-explorer").get_attribute("lang") == "en"
    assert "Scratch model" in page.locator(".birnn-check").inner_text()
    assert not re.search(CJK, page.locator(".birnn-explorer").inner_text())


@pytest.mark.browser
@pytest.mark.parametrize(
    "query, page_name",
    [
        ("困惑度", "05_context_in_action"),
        ("隐状态", "01_looking_both_ways"),
        ("打包", "03_concise"),
    ],
)
def test_chinese_search_finds_chinese_words(open_page, query, page_name):
    page, log = open_page(f"{ZH}/search.html?q={query}")
    page.wait_for_selector("#search-results li", timeout=20_000)
    hits = page.eval_on_selector_all(
        "#search-results li a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert any(page_name in h for h in hits), hits
    assert not log.problems(), log.problems()


@pytest.mark.parametrize("edition", ["", f"{ZH}/"])
def test_live_code_starts_its_kernel_beside_the_editions_notebook(built_book, edition):
    """sphinx-thebe starts the Binder kernel in the page's folder of the repository: a
    Chinese page's kernel must start in zh_CN/chapters, where book.i18n speaks Chinese."""
    html = (HTML / edition / "chapters" / "05_context_in_action.html").read_text(encoding="utf-8")
    path = re.search(r'kernelOptions: \{[^}]*path: "([^"]+)"', html).group(1)
    assert path.strip("./") == f"{edition}chapters", path


@pytest.mark.parametrize("edition", ["", f"{ZH}/"])
def test_a_new_issues_title_names_the_editions_page(built_book, edition):
    html = (HTML / edition / "chapters" / "04_shape_explorer.html").read_text(encoding="utf-8")
    url = re.search(r'href="([^"]*/issues/new\?[^"]*)"', html).group(1).replace("&amp;", "&")
    # "Report an error on this page" (tools/sphinx_clients.py): the new issue's body gives the
    # page's address on the site, in the edition's folder (tests/test_clients.py checks more).
    body = parse_qs(urlparse(url).query)["body"][0]
    assert f"/{edition}chapters/04_shape_explorer.html" in body, url


def test_the_chinese_footer_and_site_words_come_from_the_catalog(built_book):
    from book.i18n import tr
    from tools.translate import translator

    html = (HTML / ZH / "chapters" / "01_looking_both_ways.html").read_text(encoding="utf-8")
    author = translator("book")("The BiRNN chapter authors")  # from book.po
    assert author == "本章作者" and author in html and "The BiRNN chapter authors" not in html
    words = json.loads(re.search(r"const BIRNN_WORDS = (\{.*?\});", html).group(1))
    full_size = "Open the figure at full size"
    assert words["words"][full_size] == tr(full_size, "zh")
    switch = re.compile(r'<a class="btn btn-sm birnn-language"[^>]*title="([^"]*)">([^<]*)</a>')
    assert switch.search(html).groups() == ("Read this page in English", "English")
    english = (HTML / "chapters" / "01_looking_both_ways.html").read_text(encoding="utf-8")
    words = json.loads(re.search(r"const BIRNN_WORDS = (\{.*?\});", english).group(1))
    assert words["words"] == {}
    # The switch names the Chinese edition in Chinese: the catalog's word for "English".
    assert (
        switch.search(english).groups()
        == (tr("Read this page in English", "zh"), tr("English", "zh"))
        != ("Read this page in English", "English")
    )
