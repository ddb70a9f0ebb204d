"""The Chinese edition stays in step with the English one (tools/translate.py, book/i18n.py).

Catalogs: every entry translated and none fuzzy, none missing or obsolete for the English
sources as they are, the prose's and the runtime words' (runtime.po: tr/N_/t message ids in
book/, tools/, _static/ and the notebooks' code); an English edit makes its entry fuzzy
until it is translated again, and the compiled catalog (book/locale) is what runtime.po
makes. The Chinese book (zh_CN/) is what the catalogs make, its code cells those of the
English notebooks (their outputs are the Chinese run's own: tests/test_editions.py), its
translations keep every formula, role, link target and code span, and its prose is
Chinese. No source file holds Chinese: words have one home, the catalogs. The learner's
language reaches the kernel from outside the shared code: exercise checks speak Chinese
in a kernel started in a zh_CN folder.
"""

import os
import re
import shutil
import subprocess
import sys
from collections import Counter

import nbformat
import pytest
from paths import ROOT

from book import i18n
from tools import translate

ENGLISH = translate.sources()
NOTEBOOKS = [p for p in ENGLISH if p.suffix == ".ipynb"]
# What must survive translation unchanged: maths, roles with their targets, link targets,
# code spans (kept in the order of the English text is not required: Chinese word order).
KEPT = re.compile(r"\$\$?[^$]+\$\$?|\{[\w:-]+\}`[^`]+`|\]\([^)]+\)|`[^`]+`")
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _kept(text: str) -> Counter:
    return Counter(" ".join(span.split()) for span in KEPT.findall(text))


def test_every_catalog_entry_is_translated_and_current():
    """Fails on an untranslated or fuzzy entry, and on catalogs older than the English
    sources (run `make translations`, then translate what it lists)."""
    assert translate.problems() == []


def test_the_chinese_book_is_what_the_catalogs_make():
    assert translate.stale() == [], "run `make translations` (or make export) and commit zh_CN/"


def test_markdown_round_trips_unchanged_through_the_message_cutter():
    for path in ENGLISH:
        texts = (
            [path.read_text(encoding="utf-8")]
            if path.suffix == ".md"
            else [
                c.source
                for c in nbformat.read(path, as_version=4).cells
                if c.cell_type == "markdown"
            ]
        )
        for text in texts:
            assert translate.transform(text, lambda m: m) == text, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_are_the_english_ones(path):
    english = nbformat.read(path, as_version=4)
    chinese = nbformat.read(ROOT / translate.OUT / path.relative_to(ROOT), as_version=4)
    assert translate.code_cells(chinese) == translate.code_cells(english)
    assert [c.cell_type for c in chinese.cells] == [c.cell_type for c in english.cells]
    assert [c.get("id") for c in chinese.cells] == [c.get("id") for c in english.cells]
    assert chinese.metadata.kernelspec == english.metadata.kernelspec


def test_translations_keep_maths_roles_targets_and_code():
    bad = []
    for domain in translate.templates():
        for m in translate.load(domain):
            if m.id and m.string:
                english, chinese = _kept(m.id), _kept(m.string)
                if english != chinese:
                    missing, extra = english - chinese, chinese - english
                    bad.append(
                        f"{domain}: {m.id[:50]!r}: lost {list(missing)}, added {list(extra)}"
                    )
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_chinese_prose_is_chinese(path):
    """Outside maths, code, roles and links, the Chinese sources' prose is Chinese: CJK
    characters outnumber Latin words (names such as BERT or PyTorch stay Latin) at least
    ten to one on every page."""
    target = ROOT / translate.OUT / path.relative_to(ROOT)
    if path.suffix == ".md":
        texts = [target.read_text(encoding="utf-8")]
    else:
        texts = [
            c.source
            for c in nbformat.read(target, as_version=4).cells
            if c.cell_type == "markdown" and not c.metadata.get("book", {}).get("references")
        ]
    prose = re.sub(
        r"^\s*(```|:::|:[\w-]+:|\([\w-]+\)=|\|[-|\s]+\|$).*$", " ", "\n".join(texts), flags=re.M
    )  # fences, options, labels, rules
    prose = KEPT.sub(" ", prose)
    cjk, latin = len(CJK.findall(prose)), LATIN_WORD.findall(prose)
    assert cjk >= 10 * len(latin), f"{target.name}: {cjk} CJK characters, Latin words {latin}"


def _copy_sources(tmp_path):
    """What the catalogs are made from: the English sources, the code and the catalogs."""
    for name in ("_config.yml", "_toc.yml", "intro.md", "references.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    code = shutil.ignore_patterns("models", "data", "locale", "__pycache__", "*.css", "*.wat")
    for folder in ("chapters", "locales", "book", "tools", "_static", "zh_CN"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=code)


def test_an_english_edit_without_its_translation_fails(tmp_path):
    _copy_sources(tmp_path)
    assert translate.problems(tmp_path) == []
    intro = tmp_path / "intro.md"
    intro.write_text(intro.read_text().replace("## Prerequisites", "## What you need first"))
    stale = translate.problems(tmp_path)
    assert any("missing" in p and "What you need first" in p for p in stale), stale
    translate.update(tmp_path)  # make translations
    left = translate.problems(tmp_path)
    assert left and all("untranslated" in p or "fuzzy" in p for p in left), left
    translate.generate(tmp_path)
    assert "## What you need first" in (tmp_path / "zh_CN" / "intro.md").read_text()


def test_language_comes_from_the_environment_or_the_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("BOOK_LANG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert i18n.language() == "en"
    (tmp_path / "zh_CN" / "chapters").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "zh_CN" / "chapters")
    assert i18n.language() == "zh"
    for value, lang in (
        ("en", "en"),
        ("zh", "zh"),
        ("zh_CN", "zh"),
        ("zh-Hans", "zh"),
        ("fr", "en"),
    ):
        monkeypatch.setenv("BOOK_LANG", value)
        assert i18n.language() == lang


def test_an_english_edit_of_a_runtime_word_turns_its_entry_fuzzy(tmp_path):
    """A reworded message in the code: its entry goes missing (and the old one obsolete)
    until `make translations`, then fuzzy, with the old translation, until a translator
    confirms it; the compiled catalog is stale until `make translations` rewrites it."""
    _copy_sources(tmp_path)
    old = "No blank yet: type _ where a character is hidden."
    new = "No blank yet: type _ for each hidden character."
    for name in ("book/fillin.py", "book/fillin.js"):
        path = tmp_path / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    found = translate.problems(tmp_path)
    assert any("missing" in p and new[:40] in p for p in found), found
    assert any("obsolete" in p and old[:40] in p for p in found), found
    translate.update(tmp_path)
    (entry,) = [m for m in translate.load(translate.RUNTIME, tmp_path) if m.id == new]
    assert entry.fuzzy and entry.string == i18n.tr(old, "zh")
    assert translate.problems(tmp_path) == [f"runtime.po: fuzzy: {new!r}"]
    catalog = translate.load(translate.RUNTIME, tmp_path)  # a translator confirms it
    catalog[new].flags.discard("fuzzy")
    translate._write(translate._po_path(translate.RUNTIME, tmp_path), catalog)
    assert translate.problems(tmp_path) == []
    assert translate.MO.as_posix() in translate.stale(tmp_path)
    translate.generate(tmp_path)
    assert translate.MO.as_posix() not in translate.stale(tmp_path)


def test_runtime_words_are_extracted_from_python_javascript_and_notebooks():
    entries = {
        m.id: [where for where, _ in m.locations]
        for m in translate.templates()[translate.RUNTIME]
        if m.id
    }
    # One message id for the Python check and the view's check of the same sentence.
    assert {"book/fillin.py", "book/fillin.js"} <= set(
        entries["No blank yet: type _ where a character is hidden."]
    )
    assert "_static/site.js" in entries["Open the figure at full size"]
    assert any(
        w.startswith("chapters/05_context_in_action.ipynb#cell")
        for w in entries["where the count table misses"]
    )  # in an f-string
    assert "tools/translate.py" in entries[translate.CAPTION]


def test_no_source_file_holds_chinese():
    """Words have one home, the catalogs: no Chinese character in book/, tools/ or _static/
    (binary model weights aside)."""
    holding = []
    for folder in ("book", "tools", "_static"):
        for path in sorted((ROOT / folder).rglob("*")):
            rel = path.relative_to(ROOT).as_posix()
            if not path.is_file() or path.suffix in (".safetensors", ".mo", ".pyc", ".txt"):
                continue
            if CJK.search(path.read_text(encoding="utf-8")):
                holding.append(rel)
    assert holding == [], holding


def test_a_kernel_in_a_chinese_notebook_folder_gets_chinese_feedback(tmp_path):
    """Jupyter starts a notebook's kernel in the notebook's folder: a Chinese notebook's
    exercise checks and the explorer speak Chinese, from the very same code."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from book.exercises import PERPLEXITY_CHOICES, check_perplexity, check_unequal_sizes\n"
            "from book.explorer import ShapeExplorer\n"
            "print(PERPLEXITY_CHOICES['b'])\n"
            "check_perplexity('a')\n"
            "check_unequal_sizes(lambda n, h_f, h_b, q: ((n, 2 * h_f), (2 * h_f, q)))\n"
            "print(ShapeExplorer().lang)"
        )
    ]
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "zh_CN" / "chapters")}},
    ).execute()
    out = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "反向方向已经读过" in out and "不是原因" in out, out
    # The detailed diagnosis too, with no English left in it.
    flat = re.sub(r"\s", "", out)
    assert "期望H_t的形状为(2,8)，得到的是(2,6)：这是把两个方向当成了同样大小" in flat, out
    assert not re.search(r"\b(expected|got|the)\b", out), out
    assert out.strip().endswith("zh"), out


def test_exercise_checks_speak_the_learners_language():
    code = (
        "from book.exercises import check_unequal_sizes\n"
        "def stub(n, h_f, h_b, q):\n    raise NotImplementedError\n"
        "check_unequal_sizes(stub)\n"
        "check_unequal_sizes(lambda n, f, b, q: ((n, f + b), (f + b, q)))"
    )
    outs = {
        lang: subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, "BOOK_LANG": lang},
            cwd=ROOT,
            check=True,
        ).stdout
        for lang in ("en", "zh")
    }
    flat = {lang: " ".join(out.split()) for lang, out in outs.items()}
    assert "Replace the stub" in flat["en"] and not CJK.search(flat["en"]), flat["en"]
    zh = re.sub(r"\s", "", outs["zh"])  # Chinese lines break between characters
    assert "请把占位代码" in zh and "✓h_f与h_b相等和不等时" in zh, outs["zh"]
