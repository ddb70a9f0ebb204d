"""Figures drawn by code, and the colours the whole chapter uses.

The palette is Okabe and Ito's, chosen to stay distinguishable for readers with
the common forms of colour blindness. Forward is always blue, backward always
vermillion, in every figure and widget of the chapter; shapes and labels carry
the same information, so no figure relies on colour alone.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from book.shapes import check_size

__all__ = ["PALETTE", "draw_birnn"]

PALETTE = {
    "forward": "#0072B2",   # blue
    "backward": "#D55E00",  # vermillion
    "input": "#009E73",     # bluish green
    "output": "#E69F00",    # orange
    "concat": "#CC79A7",    # reddish purple
    "neutral": "#555555",
}


def _node(ax, x, y, text, colour, width=0.78, height=0.5, hatch=None):
    box = FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                         boxstyle="round,pad=0.02,rounding_size=0.08",
                         facecolor=colour + "33", edgecolor=colour, linewidth=2, hatch=hatch)
    ax.add_patch(box)
    ax.text(x, y, text, ha="center", va="center", fontsize=13)


def _arrow(ax, start, end, colour, connection="arc3"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14,
                                 connectionstyle=connection, color=colour, linewidth=1.6,
                                 shrinkA=0, shrinkB=0))


def draw_birnn(num_steps: int = 4, ax=None):
    """Draw a one-layer bidirectional RNN unrolled over ``num_steps`` time steps.

    Inputs x_t sit at the bottom, then the forward states (blue, arrows to the right), the
    backward states (vermillion, hatched, arrows to the left) and the
    outputs o_t at the top; every output reads both states of its own step.

    Returns:
        The matplotlib ``Figure``.
    """
    num_steps = check_size("num_steps", num_steps, owner="draw_birnn", maximum=12)
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.9 * num_steps + 1.4, 4.6))
    else:
        fig = ax.figure
    y_x, y_f, y_b, y_o = 0.0, 1.25, 2.5, 3.75
    for t in range(1, num_steps + 1):
        x = 1.9 * t
        _node(ax, x, y_x, rf"$\mathbf{{x}}_{t}$", PALETTE["input"])
        _node(ax, x, y_f, rf"$\overrightarrow{{\mathbf{{H}}}}_{t}$", PALETTE["forward"])
        _node(ax, x, y_b, rf"$\overleftarrow{{\mathbf{{H}}}}_{t}$", PALETTE["backward"], hatch="//")
        _node(ax, x, y_o, rf"$\mathbf{{o}}_{t}$", PALETTE["output"])
        # x_t feeds both directions: straight up into the forward state, and around its
        # left side into the backward state.
        _arrow(ax, (x, y_x + 0.25), (x, y_f - 0.25), PALETTE["forward"])
        _arrow(ax, (x - 0.3, y_x + 0.25), (x - 0.3, y_b - 0.25), PALETTE["backward"],
               connection="arc3,rad=-0.45")
        # o_t reads both states of its own step (the concatenation H_t).
        _arrow(ax, (x, y_b + 0.25), (x, y_o - 0.25), PALETTE["concat"])
        _arrow(ax, (x + 0.3, y_f + 0.25), (x + 0.3, y_o - 0.25), PALETTE["concat"],
               connection="arc3,rad=0.4")
        if t < num_steps:
            _arrow(ax, (x + 0.39, y_f), (x + 1.9 - 0.39, y_f), PALETTE["forward"])
            _arrow(ax, (x + 1.9 - 0.39, y_b), (x + 0.39, y_b), PALETTE["backward"])
    ax.text(0.55, y_f, "forward", ha="right", va="center", color=PALETTE["forward"], fontsize=12)
    ax.text(0.55, y_b, "backward", ha="right", va="center", color=PALETTE["backward"], fontsize=12)
    ax.text(0.55, y_x, "input", ha="right", va="center", color=PALETTE["input"], fontsize=12)
    ax.text(0.55, y_o, "output", ha="right", va="center", color=PALETTE["output"], fontsize=12)
    ax.set_xlim(-0.9, 1.9 * num_steps + 0.7)
    ax.set_ylim(-0.5, 4.25)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
