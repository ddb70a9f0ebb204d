"""The shape explorer in Python: sizes, shapes, the drawn picture, the model check, bad values."""

from __future__ import annotations

import base64
import io
import json
import re
from importlib.resources import files

import matplotlib
import pytest
import torch
from matplotlib.patches import Rectangle
from PIL import Image

from book import explorer
from book.explorer import (
    DEFAULTS,
    LIMITS,
    ShapeExplorer,
    draw_shapes,
    layout,
    measure_shapes,
    predict_shapes,
    validate_sizes,
)
from book.i18n import tr

matplotlib.use("Agg")

# A few size sets far from the defaults and from each other, including extremes.
SIZE_SETS = [
    DEFAULTS,
    dict(T=1, n=1, d=1, h_f=1, h_b=1, q=1, L=1),
    dict(T=7, n=2, d=3, h_f=9, h_b=2, q=5, L=3),
    dict(T=50, n=32, d=64, h_f=64, h_b=64, q=64, L=4),
    dict(T=3, n=5, d=11, h_f=4, h_b=13, q=1, L=2),
]


def shape_text(shape):
    return "×".join(map(str, shape))


@pytest.mark.parametrize("sizes", SIZE_SETS)
def test_predicted_shapes_match_a_real_model(sizes):
    predicted = predict_shapes(sizes)
    assert measure_shapes(sizes) == predicted
    h = sizes["h_f"] + sizes["h_b"]
    assert predicted["H_t"] == (sizes["n"], h)
    assert predicted["W_hq"] == (h, sizes["q"])
    assert predicted["input_1"][-1] == sizes["d"]
    assert all(predicted[f"input_{l}"][-1] == h for l in range(2, sizes["L"] + 1))
    assert f"input_{sizes['L'] + 1}" not in predicted


@pytest.mark.parametrize("sizes", SIZE_SETS)
def test_blocks_share_one_scale_and_fit(sizes):
    blocks = layout(sizes)
    scale = blocks[0].width / blocks[0].cols
    for b in blocks:
        assert b.shape == predict_shapes(sizes)[b.key]
        assert b.width == pytest.approx(b.cols * scale)
        assert b.height == pytest.approx(b.rows * scale)
        assert max(b.width, b.height) <= explorer.MAX_SIDE_PX + 1e-9
    assert scale <= explorer.MAX_SCALE_PX
    # Blocks on one line never overlap, labels included, and a line wraps before it grows
    # wider than MAX_ROW_PX (unless it holds a single block).
    for y in {b.y for b in blocks}:
        line = [b for b in blocks if b.y == y]
        for left, right in zip(line, line[1:]):
            assert right.x >= left.x + explorer._panel_width(left, 0)
        if len(line) > 1:
            right_edge = line[-1].x + explorer._panel_width(line[-1], 0)
            assert right_edge <= explorer.MAX_ROW_PX + 5 * explorer.STACK_OFFSET_PX
    assert len({b.row for b in blocks}) == (3 if sizes["L"] > 1 else 2)


@pytest.mark.parametrize("sizes", SIZE_SETS[:3] + SIZE_SETS[4:])
def test_the_matplotlib_drawing_shows_every_shape_to_scale(sizes):
    fig = draw_shapes(sizes)
    ax = fig.axes[0]
    texts = "\n".join(t.get_text() for t in ax.texts)
    blocks = layout(sizes)
    for b in blocks:
        assert f"{b.name}\n{b.formula} = {shape_text(b.shape)}" in texts
    coloured = [
        p for p in ax.patches if isinstance(p, Rectangle) and p.get_facecolor() != (1, 1, 1, 1)
    ]
    for b in blocks:
        # The front slab of every block: one rectangle, or two side by side (forward, backward).
        front = [
            p
            for p in coloured
            if p.get_x() >= b.x - 1e-9
            and p.get_y() == pytest.approx(b.y)
            and p.get_x() < b.x + max(b.width, 1.5) - 1e-9
        ]
        assert front, b.key
        assert sum(p.get_width() for p in front) == pytest.approx(b.width)
        assert all(p.get_height() == pytest.approx(b.height) for p in front)
        if b.split:
            widths = sorted(p.get_width() for p in front)
            unit = b.width / b.cols
            assert widths == pytest.approx(sorted([sizes["h_f"] * unit, sizes["h_b"] * unit]))
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize("name", list(LIMITS))
def test_setting_each_control_updates_shapes_picture_and_check(name):
    w = ShapeExplorer()
    low, high, default = LIMITS[name]
    value = high if default != high else low
    before = {b.key: b for b in w.blocks}
    setattr(w, name, value)
    assert w.error == ""
    assert w.sizes == {**DEFAULTS, name: value}
    assert w.shapes == predict_shapes(w.sizes)
    assert w.check["sizes"] == w.sizes and w.check["ok"]
    assert [b.label for b in w.blocks] == [b.label for b in layout(w.sizes)]
    changed = {b.key for b in w.blocks if b.key not in before or before[b.key].shape != b.shape}
    # Each size shows up somewhere in the picture.
    assert changed, name
    for b in w.blocks:
        assert b.label.endswith(shape_text(w.shapes[b.key]))


def test_constructor_sizes_and_the_torch_check():
    w = ShapeExplorer(h_f=5, h_b=5, L=3, T=6, n=2, d=7)
    assert w.check["torch"] == {"output": (6, 2, 10), "h_n": (6, 2, 5)}
    assert any("nn.RNN(7, 5, num_layers=3" in line for line in w.check["lines"])
    assert w.check["notes"] == []
    w.h_b = 3
    assert w.check["torch"] is None and w.check["ok"]
    assert "h_f = h_b" in w.check["notes"][0] and "h_f = 5, h_b = 3" in w.check["notes"][0]
    with pytest.raises(TypeError, match="unknown size 'hidden'"):
        ShapeExplorer(hidden=3)


# Each is bad for every size (every upper limit is below 65).
BAD_VALUES = [
    0,
    -1,
    -64,
    2.5,
    1e-9,
    "7",
    "abc",
    "",
    None,
    True,
    [3],
    float("nan"),
    float("inf"),
    10**6,
    65,
    object(),
]


@pytest.mark.parametrize("name", list(LIMITS))
# Stable ids (an object's repr holds its address, which differs between xdist workers).
@pytest.mark.parametrize(
    "bad", BAD_VALUES, ids=lambda v: "object()" if type(v) is object else repr(v)
)
def test_bad_values_explain_themselves_and_keep_the_picture(name, bad):
    w = ShapeExplorer()
    sizes, blocks, check = w.sizes, w.blocks, w.check
    setattr(w, name, bad)  # must not raise
    low, high, _ = LIMITS[name]
    assert w.error.startswith(f"{name} (") and f"from {low} to {high}" in w.error
    assert (w.sizes, w.blocks, w.check) == (sizes, blocks, check)
    json.dumps(w.get_state())  # the bad value can still be sent to the view
    setattr(w, name, DEFAULTS[name])
    assert w.error == "" and w.check["sizes"] == DEFAULTS


def test_validate_sizes_messages():
    assert validate_sizes(h_f=3.0)["h_f"] == 3  # JSON may carry 3 as 3.0
    with pytest.raises(ValueError, match=r"got 2.5, which is not a whole number"):
        validate_sizes(h_b=2.5)
    with pytest.raises(ValueError, match=r"too large"):
        validate_sizes(T=51)
    with pytest.raises(ValueError, match=r"unknown size 'hidden_size'"):
        validate_sizes(hidden_size=3)
    with pytest.raises(ValueError, match=r"got bool True"):
        validate_sizes(L=True)


def test_the_view_code_ships_with_the_package():
    js = files("book").joinpath("explorer.js").read_text()
    css = files("book").joinpath("explorer.css").read_text()
    w = ShapeExplorer()
    assert w._esm == js and w._css == css
    assert "export default { render }" in js
    # Every layout constant the view needs travels with the widget.
    for key in (
        "max_side_px",
        "max_scale_px",
        "min_panel_px",
        "char_px",
        "gap_px",
        "row_gap_px",
        "line_gap_px",
        "max_row_px",
        "stack_shown",
        "stack_offset_px",
        "limits",
        "palette",
        "row_titles",
        "block_table",
    ):
        assert key in w.config


def test_measuring_leaves_the_learners_random_stream_alone():
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    explorer.compare_shapes(explorer.DEFAULTS)
    torch.testing.assert_close(torch.rand(3), expected)


def test_the_mime_bundle_carries_a_picture_and_a_readable_repr():
    """Clients that cannot draw the view (untrusted JupyterLab, GitHub, nbviewer) show the
    PNG: draw_shapes of the last valid sizes and a note naming them, in the widget's language."""
    w = ShapeExplorer(h_f=9)
    data, _ = w._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == w.model_id
    assert "text/html" not in data
    png = base64.b64decode(data["image/png"])
    assert png == explorer.static_png(w.sizes) and png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = Image.open(io.BytesIO(png)).size
    right = max(b.x + explorer._panel_width(b, 0) for b in layout(w.sizes))
    assert right <= width <= right + 40 and height > 300  # one pixel a data unit
    assert data["text/plain"] == repr(w) == "ShapeExplorer(T=4, n=3, d=5, h_f=9, h_b=4, q=2, L=2)"
    w.h_f = 0  # invalid: the picture stays that of the last valid sizes
    assert base64.b64decode(w._repr_mimebundle_()[0]["image/png"]) == png


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_static_picture_is_the_drawing_and_a_note_in_the_language(lang):
    fig = explorer._static_figure(validate_sizes(h_f=9), lang)
    texts = [t.get_text() for t in fig.texts + fig.axes[0].texts]
    assert texts[0] == tr(
        "Shape explorer, drawn for {sizes}. Run this cell to get the sliders; "
        "the drawing and the model check then follow every change.",
        lang,
        sizes="T=4, n=3, d=5, h_f=9, h_b=4, q=2, L=2",
    )
    drawn = [t.get_text() for t in draw_shapes(validate_sizes(h_f=9), lang=lang).axes[0].texts]
    assert texts[1:] == drawn
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", texts[0])
    matplotlib.pyplot.close("all")


def test_the_top_layers_input_is_the_layer_below_from_two_layers_on():
    """Row 'one time step t (top layer)' shows the top layer's input: the data for one layer,
    the layer below's concatenated states (n, h_f + h_b) for more; the measurement agrees."""
    one = explorer.predict_shapes(explorer.DEFAULTS, L=1, n=3, d=5, h_f=4, h_b=2)
    two = explorer.predict_shapes(explorer.DEFAULTS, L=2, n=3, d=5, h_f=4, h_b=2)
    assert one["X_t"] == (3, 5) and two["X_t"] == (3, 6)
    assert explorer.compare_shapes(explorer.DEFAULTS, L=2, n=3, d=5, h_f=4, h_b=2)["ok"]
    label = next(b for b in explorer.layout(explorer.DEFAULTS, L=2) if b.key == "X_t").label
    assert "h_f+h_b" in label
