"""tools/css_purge.py: which rules of a stylesheet stay, on small sheets and pages."""

import pytest

from tools import css_purge

PAGE = """<!DOCTYPE html><html><head><script>
  el.classList.add("copybtn"); document.createElement("dialog");
  const WORDS = {"复制": "已复制"};
</script></head><body><main id="content" class="bd-main narrow">
<p class="lead">Text <code>x</code></p><details class="toggle"><summary>Hint</summary></details>
</main></body></html>"""


@pytest.fixture(scope="module")
def names():
    return css_purge.page_names(PAGE)


def test_a_page_names_its_elements_ids_classes_and_what_its_scripts_could_add(names):
    assert {"html", "main", "p", "code", "details", "summary"} <= names
    assert {"content", "bd-main", "narrow", "lead", "toggle"} <= names
    assert {"copybtn", "dialog", "classList"} <= names  # words of the inline script
    assert not {n for n in names if not n.isascii()}  # the words of a table are no names
    assert "Text" not in names and "Hint" not in names  # the page's text is not markup


@pytest.mark.parametrize(
    "rule",
    [
        ".lead{color:red}",
        "main .lead > code{color:red}",
        "#content p{margin:0}",
        "p.lead{x:y}",
        "DETAILS{x:y}",  # element names are not case-sensitive
        ".nowhere,.lead{color:red}",  # one selector of the list is enough
        ".copybtn{opacity:0}",  # a class a script adds
        "dialog::backdrop{x:y}",
        ".toggle:not(.nowhere){x:y}",  # what :not() holds is not needed
        "details[open] summary{x:y}",  # attributes are left to the browser (a click sets open)
        "a:hover,.lead:hover{x:y}",
        "*{box-sizing:border-box}",
        ":root{--c:1}",
        "[hidden]{display:none}",
        ".lead:is(.a,.b){x:y}",
    ],
)
def test_a_rule_that_can_match_stays_whole(names, rule):
    assert css_purge.purge(rule, names).strip() == rule


@pytest.mark.parametrize(
    "rule",
    [
        ".nowhere{color:red}",
        ".lead .nowhere{color:red}",  # every name of the selector is needed
        "#elsewhere p{x:y}",
        "table.lead{x:y}",
        ".Lead{x:y}",  # classes are case-sensitive
        ".sd-card,.sd-tab{x:y}",
        "Text{x:y}",  # a word of the page's text is no element
    ],
)
def test_a_rule_nothing_can_match_goes(names, rule):
    assert css_purge.purge(rule, names).strip() == ""


def test_grouping_rules_are_cut_inside_and_dropped_when_empty(names):
    css = (
        "@media (max-width:960px){.lead{a:b}.nowhere{c:d}}"
        "@media print{.nowhere{c:d}}"
        "@supports (display:grid){@media screen{p{e:f}}}"
    )
    out = css_purge.purge(css, names)
    assert "@media (max-width:960px){.lead{a:b}}" in out
    assert "print" not in out and "nowhere" not in out
    assert "@supports (display:grid){@media screen{p{e:f}}}" in out


def test_other_at_rules_stay_as_they_came(names):
    css = (
        '@charset "UTF-8";\n'
        '@font-face{font-family:"KaTeX_AMS";src:url(f.woff2) format("woff2")}'
        "@keyframes spin{from{transform:rotate(0)}to{transform:rotate(1turn)}}"
        "@page{margin:1cm}"
    )
    out = css_purge.purge(css, names)
    assert out.startswith('@charset "UTF-8";\n')
    for part in css.split("\n")[1].replace("}@", "}\n@").split("\n"):
        assert part in out


def test_comments_go_and_kept_rules_keep_their_text(names):
    css = "/* the theme */\n.lead{\n  color: red; /* why */\n}\n.nowhere{x:y}"
    assert css_purge.purge(css, names) == ".lead{\n  color: red; \n}\n"


def test_an_invalid_selector_in_a_list_keeps_the_rule_as_the_browser_reads_it(names):
    # The browser drops the whole rule (one selector it cannot read); rewriting the list
    # to the readable selector alone would bring it to life.
    rule = ".lead,.x::-moz-weird{x:y}"
    assert css_purge.purge(rule, names).strip() == rule


def test_script_names_are_ascii_words():
    assert css_purge.script_names('a.className="bd-Sidebar"; x["已复制"]') == {
        "a",
        "className",
        "classname",
        "bd-Sidebar",
        "bd-sidebar",
        "x",
    }


def test_the_site_names_leave_out_sphinx_data_files(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "page.html").write_text('<p class="used">x</p>')
    (tmp_path / "_static/view.js").write_text('el.className = "from-script"')
    (tmp_path / "_static/state.json").write_text('{"_dom_classes": ["from-state"]}')
    (tmp_path / "_static/searchindex.js").write_text('Search.setIndex({"terms": ["lead"]})')
    names = css_purge.site_names(tmp_path)
    assert {"used", "from-script", "from-state"} <= names
    assert "lead" not in names and "terms" not in names


def test_unreadable_css_is_an_error_that_says_where(names):
    with pytest.raises(ValueError, match="line 2"):
        css_purge.purge(".lead{a:b}\n}", names)
