"""book.figures: the chapter's code-drawn figures, and a palette readable for colour-blind
readers.

Every colour is from the Okabe-Ito palette (designed to stay distinguishable under the
common colour-vision deficiencies) or a grey, and the two directions' colours, the pair
every figure depends on, stay far apart when protanopia, deuteranopia and tritanopia are
simulated (Machado, Oliveira and Fernandes 2009, full severity).
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from book.figures import (  # noqa: E402
    PALETTE,
    draw_birnn,
    draw_dependence,
    plot_learning_curves,
)


@pytest.mark.parametrize("num_steps", [1, 4, 7])
def test_architecture_figure_has_every_state(num_steps):
    fig = draw_birnn(num_steps)
    texts = [t.get_text() for t in fig.axes[0].texts]
    for t in range(1, num_steps + 1):
        for label in (
            rf"$\mathbf{{x}}_{t}$",
            rf"$\mathbf{{o}}_{t}$",
            rf"$\overrightarrow{{\mathbf{{H}}}}_{t}$",
            rf"$\overleftarrow{{\mathbf{{H}}}}_{t}$",
        ):
            assert label in texts
    edges = {to_hex(p.get_edgecolor()) for p in fig.axes[0].patches}
    assert {PALETTE["forward"].lower(), PALETTE["backward"].lower()} <= edges
    plt.close(fig)


@pytest.mark.parametrize("bad", [0, -1, 2.5, 50])
def test_architecture_figure_refuses_bad_sizes(bad):
    with pytest.raises(ValueError, match="num_steps"):
        draw_birnn(bad)


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


@pytest.mark.parametrize("num_steps", [1, 3, 5])
def test_stacks_figure_draws_both_wirings(num_steps):
    from book.figures import draw_stacks

    fig = draw_stacks(num_steps)
    assert len(fig.axes) == 2
    texts = _texts(fig)
    for t in range(1, num_steps + 1):
        for layer in (1, 2):
            assert texts.count(rf"$\overrightarrow{{\mathbf{{H}}}}^{{({layer})}}_{t}$") == 2
    assert any("interleaved" in t for t in texts) and any("ELMo" in t for t in texts)
    # only the interleaved panel has the dashed leak path
    dashed = [sum(p.get_linestyle() not in ("-", "solid") for p in ax.patches) for ax in fig.axes]
    assert dashed[0] > 0 and dashed[1] == 0
    plt.close(fig)


@pytest.mark.parametrize("num_layers", [1, 2, 4])
def test_hn_layout_figure_numbers_every_row_in_each_view(num_layers):
    from book.figures import draw_hn_layout

    fig = draw_hn_layout(num_layers)
    texts = _texts(fig)
    for i in range(2 * num_layers):
        layer, kind = i // 2 + 1, ("forward", "backward")[i % 2]
        assert texts.count(f"[{i}] layer {layer} {kind}") == 3
    assert any("view(2, L, n, h)" in t for t in texts)
    plt.close(fig)


def test_padding_timeline_marks_where_each_direction_starts_and_stops():
    from book.figures import draw_padding_timeline

    fig = draw_padding_timeline(length=4, num_steps=6)
    texts = _texts(fig)
    assert texts.count("pad") == 2
    assert "backward starts at step 6 (on padding)" in texts
    assert "backward starts at step 4" in texts
    plt.close(fig)
    with pytest.raises(ValueError, match="length"):
        draw_padding_timeline(length=7, num_steps=6)


def test_posterior_change_figure_checks_its_maps():
    import torch

    from book.figures import draw_posterior_changes

    maps = {"a": torch.eye(3), "b": torch.ones(3, 3) * 0.5}
    fig = draw_posterior_changes(maps, ["x", "y", "z"])
    assert "0.50" in _texts(fig)
    plt.close(fig)
    with pytest.raises(ValueError, match="one row"):
        draw_posterior_changes(maps, ["x", "y"])


# --- dependence maps and learning curves ----------------------------------------------


def test_draw_dependence_shares_one_colour_scale():
    maps = {
        "a": torch.tensor([[1.0, 0.0], [0.5, 2.0]]),
        "b": torch.tensor([[3.0, 0.1], [0.0, 1.0]]),
    }
    fig = draw_dependence(maps)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 2
    for im in images:  # the same scale everywhere
        assert (im.norm.vmin, im.norm.vmax) == (pytest.approx(0.1), pytest.approx(3.0))
    assert all(ax.get_xlabel() for ax in fig.axes[:2])
    with pytest.raises(ValueError, match="square"):
        draw_dependence({"a": torch.ones(2, 3)})


def test_plot_learning_curves_labels_axes_and_colours():
    from book.figures import PALETTE

    histories = {
        "one": {"step": [1, 2], "train_loss": [2.0, 1.0], "val_loss": [2.1, 1.2]},
        "two": {"step": [1, 2], "train_loss": [1.5, 0.5]},
    }
    fig = plot_learning_curves(histories)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "training step" and ax.get_ylabel()
    colours = [line.get_color() for line in ax.lines]
    assert colours == [PALETTE["forward"], PALETTE["forward"], PALETTE["backward"]]


# --- the palette --------------------------------------------------------------------------

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}
# Machado et al. (2009) simulation matrices, severity 1.0, for linear RGB.
CVD = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}


def _linear(hex_colour):
    c = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb):
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ np.clip(linear_rgb, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _is_grey(hex_colour):
    return len({hex_colour[1:3], hex_colour[3:5], hex_colour[5:7]}) == 1


def test_every_colour_is_okabe_ito_or_grey():
    for name, colour in PALETTE.items():
        assert colour.upper() in OKABE_ITO or _is_grey(colour.upper()), (
            f"PALETTE[{name!r}] = {colour} is neither an Okabe-Ito colour nor a grey"
        )


@pytest.mark.parametrize("deficiency", sorted(CVD))
def test_directions_stay_distinct_under_colour_blindness(deficiency):
    matrix = np.array(CVD[deficiency])
    forward, backward = (_lab(matrix @ _linear(PALETTE[k])) for k in ("forward", "backward"))
    delta_e = float(np.linalg.norm(forward - backward))
    # CIE76 distance; about 2.3 is just noticeable, above 20 reads as clearly different.
    assert delta_e > 20, f"forward and backward look alike under {deficiency}: dE = {delta_e:.1f}"


def test_the_check_can_fail():
    """Red and green, the classic confusion pair, must fail the deuteranopia check."""
    matrix = np.array(CVD["deuteranopia"])
    red, green = (_lab(matrix @ _linear(c)) for c in ("#D62728", "#2CA02C"))
    assert np.linalg.norm(red - green) < 20
