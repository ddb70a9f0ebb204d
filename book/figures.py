"""Figures drawn by code, and the colours the whole chapter uses.

The palette is Okabe and Ito's, chosen to stay distinguishable for readers with
the common forms of colour blindness. Forward is always blue, backward always
vermillion, in every figure and widget of the chapter; shapes and labels carry
the same information, so no figure relies on colour alone.

Figure words are in the learner's language (:func:`book.i18n.tr`). For Chinese, importing
this module makes matplotlib draw with Noto Sans CJK (Debian's ``fonts-noto-cjk``, the
Chinese pages' font too), which has Latin letters and maths symbols as well; without it, a
warning says how to install it (matplotlib would draw the Chinese characters as boxes).
"""
from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from book.i18n import N_, language, tr
from book.shapes import validate_size

__all__ = ["PALETTE", "CJK_FONTS", "use_language_font", "draw_birnn", "draw_dependence",
           "plot_learning_curves"]

PALETTE = {
    "forward": "#0072B2",   # blue
    "backward": "#D55E00",  # vermillion
    "input": "#009E73",     # bluish green
    "output": "#E69F00",    # orange
    "concat": "#CC79A7",    # reddish purple
    "neutral": "#555555",
}

# The Chinese figures' fonts (fonts-noto-cjk): proportional and monospace, Simplified Chinese.
CJK_FONTS = {"sans-serif": "Noto Sans CJK SC", "monospace": "Noto Sans Mono CJK SC"}


def use_language_font(lang: str | None = None) -> bool:
    """Make matplotlib draw in a font that has the language's characters; for Chinese,
    put Noto Sans CJK first in its sans-serif and monospace lists (rcParams). Returns
    whether the language can be drawn; warns, once, when the Chinese font is missing."""
    from matplotlib import font_manager

    if (lang or language()) != "zh":
        return True
    missing = []
    for generic, family in CJK_FONTS.items():
        try:
            font_manager.findfont(font_manager.FontProperties(family=family),
                                  fallback_to_default=False)
        except ValueError:
            missing.append(family)
            continue
        names = plt.rcParams[f"font.{generic}"]
        plt.rcParams[f"font.{generic}"] = [family] + [n for n in names if n != family]
    if missing:
        warnings.warn(f"figure labels are Chinese, but matplotlib finds no {missing[0]}: "
                      "they will be drawn as boxes. Install the Noto CJK fonts (Debian and "
                      "Ubuntu: apt-get install fonts-noto-cjk; then restart the kernel).",
                      stacklevel=2)
        return False
    return True


use_language_font()


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
    num_steps = validate_size("num_steps", num_steps, owner="draw_birnn", maximum=12)
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
    for y, role, word in ((y_f, "forward", tr("forward")), (y_b, "backward", tr("backward")),
                          (y_x, "input", tr("input")), (y_o, "output", tr("output"))):
        ax.text(0.55, y, word, ha="right", va="center", color=PALETTE[role], fontsize=12)
    ax.set_xlim(-0.9, 1.9 * num_steps + 0.7)
    ax.set_ylim(-0.5, 4.25)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# Panel titles of the maps book.dependence.direction_jacobians makes, by key.
MAP_TITLES = {"forward": N_("forward half"), "backward": N_("backward half"),
              "both": N_("both, concatenated")}


def draw_dependence(maps, *, titles=None, cmap="viridis", zero_colour="#dddddd"):
    """Dependence maps side by side, on one logarithmic colour scale.

    Entry ``[t, s]`` of each map is ‖∂H_t/∂x_s‖ (see :mod:`book.dependence`). Exact zeros
    cannot sit on a log scale; they are drawn in a flat light grey and named in the legend,
    so "no dependence at all" reads differently from "weak dependence".

    Args:
        maps: a dict ``{name: (T, T) tensor}``; one panel per entry, in order.
        titles: optional panel titles, one per map; by default those of
            :data:`MAP_TITLES` for its keys (in the learner's language), else the names.
        cmap: a perceptually uniform colour map (viridis and cividis are colour-blind safe).
        zero_colour: colour of exact zeros.

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib as mpl
    import numpy as np
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Patch

    arrays = [np.asarray(m, dtype=float) for m in maps.values()]
    T = arrays[0].shape[0]
    if any(a.shape != (T, T) for a in arrays):
        raise ValueError("draw_dependence expected square maps of one size (T, T), got "
                         f"{[a.shape for a in arrays]}")
    positive = np.concatenate([a[a > 0] for a in arrays])
    norm = LogNorm(vmin=positive.min(), vmax=positive.max())      # one scale for all panels
    colours = mpl.colormaps[cmap].with_extremes(bad=zero_colour)
    fig, axes = plt.subplots(1, len(arrays), figsize=(3.6 * len(arrays) + 1.2, 3.9),
                             constrained_layout=True)
    axes = np.atleast_1d(axes)
    ticks = np.arange(0, T, max(1, T // 6))
    titles = titles or [tr(MAP_TITLES[k]) if k in MAP_TITLES else k for k in maps]
    for ax, a, title in zip(axes, arrays, titles):
        image = ax.imshow(np.ma.masked_equal(a, 0.0), cmap=colours, norm=norm,
                          extent=(0.5, T + 0.5, T + 0.5, 0.5))
        ax.set_title(title)
        ax.set_xlabel(tr("input step $s$"))
        ax.set_xticks(ticks + 1)
        ax.set_yticks(ticks + 1)
    axes[0].set_ylabel(tr("state step $t$"))
    bar = fig.colorbar(image, ax=list(axes), shrink=0.85)
    bar.set_label(tr(r"$\|\partial \mathbf{H}_t / \partial \mathbf{x}_s\|$ (log scale)"))
    axes[-1].legend(handles=[Patch(facecolor=zero_colour, edgecolor="#999999",
                                   label=tr("exactly 0"))],
                    loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    return fig


def plot_learning_curves(histories, *, ylabel=None, ax=None, colours=None):
    """Training (solid) and held-out (dashed) loss against the training step.

    Args:
        histories: a dict ``{label: history}`` with histories as returned by
            :func:`book.train.train`; a label that is a message id of the catalog (such as
            the readers of :data:`book.pretrained.READERS`) is shown translated.
        ylabel: label of the vertical axis (the cross-entropy loss by default).
        colours: a dict ``{label: colour}``; by default the first model is drawn in the
            forward colour and the second in the backward colour.

    Returns:
        The matplotlib ``Figure``.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 3.8), constrained_layout=True)
    else:
        fig = ax.figure
    default = [PALETTE["forward"], PALETTE["backward"], PALETTE["input"], PALETTE["output"]]
    for i, (label, history) in enumerate(histories.items()):
        colour = (colours or {}).get(label, default[i % len(default)])
        name = tr(label)
        ax.plot(history["step"], history["train_loss"], color=colour, marker="o",
                markersize=3, label=tr("{name}, training", name=name))
        if "val_loss" in history:
            ax.plot(history["step"], history["val_loss"], color=colour, linestyle="--",
                    marker="s", markersize=3, label=tr("{name}, held out", name=name))
    ax.set_xlabel(tr("training step"))
    ax.set_ylabel(ylabel or tr("cross-entropy loss (nats)"))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return fig
