"""The chapter's code-drawn figures."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from book.figures import PALETTE, draw_birnn  # noqa: E402


@pytest.mark.parametrize("num_steps", [1, 4, 7])
def test_architecture_figure_has_every_state(num_steps):
    fig = draw_birnn(num_steps)
    texts = [t.get_text() for t in fig.axes[0].texts]
    for t in range(1, num_steps + 1):
        for label in (rf"$\mathbf{{x}}_{t}$", rf"$\mathbf{{o}}_{t}$",
                      rf"$\overrightarrow{{\mathbf{{H}}}}_{t}$",
                      rf"$\overleftarrow{{\mathbf{{H}}}}_{t}$"):
            assert label in texts
    edges = {to_hex(p.get_edgecolor()) for p in fig.axes[0].patches}
    assert {PALETTE["forward"].lower(), PALETTE["backward"].lower()} <= edges
    plt.close(fig)


@pytest.mark.parametrize("bad", [0, -1, 2.5, 50])
def test_architecture_figure_refuses_bad_sizes(bad):
    with pytest.raises(ValueError, match="num_steps"):
        draw_birnn(bad)


def test_palette_has_distinct_direction_colours():
    assert PALETTE["forward"] != PALETTE["backward"]


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + \
        [ax.get_title() for ax in fig.axes]


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
    dashed = [sum(p.get_linestyle() not in ("-", "solid") for p in ax.patches)
              for ax in fig.axes]
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
