"""The shape explorer in the built book: no kernel, no network, and the controls still work.

The page must draw the widget with the site's own kernel-less view (tools/widget_setup.js,
no widget manager; every other host is refused by the ``open_page`` fixture) and redraw the
picture when a slider moves or a number is typed. The drawn blocks are compared with :func:`book.explorer.layout`,
so the JavaScript and the Python layouts cannot drift apart.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from paths import ROOT

from book.explorer import DEFAULTS, LIMITS, layout
from tools.sphinx_site import page_widget_state

pytestmark = pytest.mark.browser

PAGE = "chapters/04_shape_explorer.html"


def drawn_blocks(page) -> dict[str, dict]:
    """key -> shape, size and label text of every block in the widget's SVG."""
    return page.eval_on_selector_all(
        ".birnn-explorer svg g.birnn-block",
        """gs => Object.fromEntries(
        gs.map(g => [g.dataset.key, {
            shape: g.dataset.shape.split(",").map(Number),
            width: Number(g.dataset.width), height: Number(g.dataset.height),
            name: g.querySelector(".birnn-name").textContent,
            label: g.querySelector(".birnn-label").textContent,
            rects: Array.from(g.querySelectorAll("rect")).filter(r => r.getAttribute("fill") !== "white")
              .map(r => [Number(r.getAttribute("width")), Number(r.getAttribute("height"))]),
        }]))""",
    )


def assert_drawn(page, sizes):
    drawn = drawn_blocks(page)
    expected = layout(sizes)
    assert set(drawn) == {b.key for b in expected}
    for b in expected:
        got = drawn[b.key]
        assert tuple(got["shape"]) == b.shape, b.key
        assert got["name"] == b.name
        assert got["label"] == b.label, b.key
        assert got["width"] == pytest.approx(b.width) and got["height"] == pytest.approx(b.height)
        # The front rectangles on screen have the block's height and, together, its width.
        assert all(h == pytest.approx(max(b.height, 1.5)) for _, h in got["rects"])
    return drawn


@pytest.fixture
def explorer_page(open_page):
    page, log = open_page(PAGE)
    page.wait_for_selector(".birnn-explorer svg g.birnn-block", timeout=20_000)
    return page, log


def number_box(page, name):
    return page.locator(f'.birnn-explorer input[type="number"][data-size="{name}"]')


def slider(page, name):
    return page.locator(f'.birnn-explorer input[type="range"][data-size="{name}"]')


def test_explorer_draws_the_saved_sizes_offline(explorer_page):
    page, log = explorer_page
    assert page.locator(".birnn-explorer").count() == 1
    for name in LIMITS:
        assert number_box(page, name).input_value() == str(DEFAULTS[name])
    drawn = assert_drawn(page, DEFAULTS)
    assert drawn["H_t"]["label"] == "n×(h_f+h_b) = 3×10"
    # The saved check belongs to these sizes, so it is shown as confirmed.
    assert "measured shapes equal the predicted ones" in page.inner_text(".birnn-check")
    assert log.problems() == []


def test_moving_a_slider_redraws_shapes_and_labels(explorer_page):
    page, log = explorer_page
    h_f = slider(page, "h_f")
    h_f.focus()
    for _ in range(3):
        h_f.press("ArrowRight")  # as a reader would, one step at a time
    sizes = {**DEFAULTS, "h_f": DEFAULTS["h_f"] + 3}
    assert number_box(page, "h_f").input_value() == str(sizes["h_f"])
    drawn = assert_drawn(page, sizes)
    h = sizes["h_f"] + sizes["h_b"]
    assert drawn["H_f_t"]["label"] == f"n×h_f = {sizes['n']}×{sizes['h_f']}"
    assert drawn["H_t"]["label"] == f"n×(h_f+h_b) = {sizes['n']}×{h}"
    assert drawn["W_hq"]["label"] == f"(h_f+h_b)×q = {h}×{sizes['q']}"
    assert drawn["outputs"]["label"] == f"T×n×(h_f+h_b) = {sizes['T']}×{sizes['n']}×{h}"
    assert drawn["input_2"]["shape"] == [sizes["T"], sizes["n"], h]
    # H_t is split in the proportion h_f : h_b.
    unit = drawn["H_t"]["width"] / h
    widths = {round(w, 6) for w, _ in drawn["H_t"]["rects"]}
    assert widths == {round(sizes["h_f"] * unit, 6), round(sizes["h_b"] * unit, 6)}
    # No kernel: the page says the shapes are predicted, not confirmed on a model.
    assert "Run the notebook" in page.inner_text(".birnn-check")
    assert log.problems() == []


def test_typing_numbers_and_bad_values(explorer_page):
    page, log = explorer_page
    number_box(page, "L").fill("3")
    number_box(page, "L").press("Enter")
    number_box(page, "T").fill("9")
    number_box(page, "T").press("Enter")
    sizes = {**DEFAULTS, "L": 3, "T": 9}
    assert slider(page, "L").input_value() == "3"
    drawn = assert_drawn(page, sizes)
    assert (
        drawn["input_3"]["label"] == f"T×n×(h_f+h_b) = 9×{sizes['n']}×{sizes['h_f'] + sizes['h_b']}"
    )
    assert page.inner_text(".birnn-message") == ""

    low, high, _ = LIMITS["h_b"]
    for bad, reason in (
        ("0", "got 0"),
        ("-2", "got -2"),
        ("2.5", "not a whole number"),
        ("", "empty"),
        ("100000", "too large"),
    ):
        number_box(page, "h_b").fill(bad)
        number_box(page, "h_b").press("Enter")
        message = page.inner_text(".birnn-message")
        assert f"h_b (backward hidden units) must be a whole number from {low} to {high}" in message
        assert reason in message
        assert_drawn(page, sizes)  # the last valid picture stays
    number_box(page, "h_b").fill("7")
    number_box(page, "h_b").press("Enter")
    assert page.inner_text(".birnn-message") == ""
    assert_drawn(page, {**sizes, "h_b": 7})
    assert log.problems() == []


def drawn_sizes(page) -> dict[str, int]:
    label = page.get_attribute(".birnn-explorer svg.birnn-picture", "aria-label")
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", label)}


@pytest.mark.parametrize(
    "typed, final, reason",
    [
        ("10000", None, "too large"),
        ("2.5", None, "not a whole number"),
        ("1e2", None, "too large"),
        ("12", 12, None),
    ],
)
def test_typing_draws_only_committed_values(explorer_page, typed, final, reason):
    """Typing character by character never draws a prefix (1, 10, 100 of 10000; 2 of 2.5;
    1 of 1e2); the box says why a value is invalid; a valid value is drawn once the reader
    pauses, or at once on Enter."""
    page, log = explorer_page
    box = number_box(page, "h_f")
    # Every picture drawn while typing is recorded in the page, so that a slow test machine
    # (late samples) can neither miss a drawn prefix nor see one the reader would not.
    page.evaluate("""() => {
        const root = document.querySelector('.birnn-explorer');
        const label = () => root.querySelector('svg.birnn-picture').getAttribute('aria-label');
        window.birnnDrawn = [label()];
        new MutationObserver(() => window.birnnDrawn.push(label()))
            .observe(root, {subtree: true, childList: true, attributes: true});
    }""")
    box.click()
    box.press("Control+a")
    box.press_sequentially(typed, delay=120)  # a reader typing at about eight keys a second
    seen = {
        int(re.search(r"h_f=(\d+)", label).group(1)) for label in page.evaluate("window.birnnDrawn")
    }
    assert seen == {DEFAULTS["h_f"]}, f"typing {typed} drew h_f = {seen}"
    if reason:
        assert reason in page.inner_text(".birnn-message")
        assert "birnn-invalid" in page.get_attribute(".birnn-explorer", "class")
        box.press("Enter")
        box.blur()
        page.wait_for_timeout(1000)
        assert drawn_sizes(page)["h_f"] == DEFAULTS["h_f"]
    else:
        page.wait_for_timeout(1000)  # the reader pauses: the value is committed
        assert drawn_sizes(page)["h_f"] == final
        assert_drawn(page, {**DEFAULTS, "h_f": final})
        assert page.inner_text(".birnn-message") == ""
    assert log.problems() == []


def test_enter_commits_at_once(explorer_page):
    page, _ = explorer_page
    box = number_box(page, "h_f")
    box.fill("9")
    assert drawn_sizes(page)["h_f"] == DEFAULTS["h_f"]
    box.press("Enter")
    assert drawn_sizes(page)["h_f"] == 9


def test_phone_width_reflows_the_drawing_with_readable_labels(open_page):
    page, log = open_page(PAGE, viewport={"width": 375, "height": 812})
    page.wait_for_selector(".birnn-explorer svg g.birnn-block", timeout=20_000)
    page.wait_for_timeout(300)
    result = page.evaluate("""() => {
        const svg = document.querySelector('.birnn-explorer svg.birnn-picture');
        const root = document.querySelector('.birnn-explorer');
        const texts = [...svg.querySelectorAll('text')];
        return {
          smallest: Math.min(...texts.map(t => t.getBoundingClientRect().height)),
          fontPx: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize)
                  * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width)),
          svgRight: svg.getBoundingClientRect().right, rootRight: root.getBoundingClientRect().right,
        };
    }""")
    assert result["fontPx"] >= 10, f"labels render at {result['fontPx']:.1f} px"
    assert result["svgRight"] <= result["rootRight"] + 1, result
    assert_drawn(page, DEFAULTS)
    assert log.problems() == []


def test_every_widget_page_loads_the_self_served_view_and_only_anywidget_models(built_book):
    """Pages with widgets load tools/widget_setup.js (copied into the site by `make vendor`),
    which draws anywidget views from the saved state and nothing else: every saved view
    must be an anywidget model, or its output would silently stay empty."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    scripts = list(config["sphinx"]["config"]["nb_ipywidgets_js"])
    assert scripts == ["../vendor/widget_setup.js"], scripts
    pages = [
        p
        for p in built_book.rglob("*.html")
        if "application/vnd.jupyter.widget-state+json" in p.read_text(errors="ignore")
    ]
    assert built_book / PAGE in pages
    for page in pages:
        text = page.read_text()
        assert (built_book / "_static" / scripts[0]).resolve().is_file(), "run `make vendor`"
        # The site's own copy (the Chinese pages share the English edition's).
        sources = [
            (page.parent / src).resolve()
            for src in re.findall(r'<script [^>]*src="([^"?]+widget_setup\.js)', text)
        ]
        assert sources == [(built_book / "vendor" / "widget_setup.js").resolve()], page
        state = page_widget_state(page)["state"]
        for view in re.findall(
            r'<script type="application/vnd.jupyter.widget-view\+json">'
            r"(.*?)</script>",
            text,
            re.S,
        ):
            model = state[json.loads(view)["model_id"]]
            assert model["model_module"] == "anywidget", (page, model["model_name"])


def test_no_widget_manager_or_requirejs_is_loaded(explorer_page):
    page, log = explorer_page
    urls = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    assert not [u for u in urls if "html-manager" in u or "require.js" in u or "embed-amd" in u]
    assert log.problems() == []


def test_step_buttons_and_slider_resolution(explorer_page):
    """Finer control than a pointer on a slider: each slider gives a step several pixels
    at desktop width, and - and + move one step, stopping at the limits."""
    page, log = explorer_page
    for name, (low, high, _) in LIMITS.items():
        width = slider(page, name).bounding_box()["width"]
        assert width / (high - low) >= 4, f"{name}: {width:.0f} px for {high - low} steps"

    def step(name, sign):
        verb = "increase" if sign > 0 else "decrease"
        page.locator(f'.birnn-explorer button[aria-label="{verb} {name}"]').click()

    step("h_f", +1)
    assert drawn_sizes(page)["h_f"] == DEFAULTS["h_f"] + 1
    step("h_f", -1)
    step("h_f", -1)
    assert (
        number_box(page, "h_f").input_value()
        == slider(page, "h_f").input_value()
        == str(DEFAULTS["h_f"] - 1)
    )
    assert_drawn(page, {**DEFAULTS, "h_f": DEFAULTS["h_f"] - 1})
    for _ in range(DEFAULTS["L"] + 1):  # past the lower limit: stays at 1
        step("L", -1)
    assert drawn_sizes(page)["L"] == LIMITS["L"][0]
    page.locator('.birnn-explorer button[aria-label="increase L"]').press("Enter")
    assert drawn_sizes(page)["L"] == LIMITS["L"][0] + 1
    assert page.inner_text(".birnn-message") == ""
    page.emulate_media(media="print")  # on paper, the numbers and the drawing only
    assert page.locator(".birnn-explorer button.birnn-step").first.is_hidden()
    assert page.locator(".birnn-explorer input[type=range]").first.is_hidden()
    assert log.problems() == []
