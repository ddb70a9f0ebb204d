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

__all__ = [
    "PALETTE",
    "CJK_FONTS",
    "use_language_font",
    "draw_birnn",
    "draw_dependence",
    "draw_hn_layout",
    "draw_padding_timeline",
    "draw_posterior_changes",
    "draw_stacks",
    "plot_learning_curves",
]

PALETTE = {
    "forward": "#0072B2",  # blue
    "backward": "#D55E00",  # vermillion
    "input": "#009E73",  # bluish green
    "output": "#E69F00",  # orange
    "concat": "#CC79A7",  # reddish purple
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
            font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            missing.append(family)
            continue
        names = plt.rcParams[f"font.{generic}"]
        plt.rcParams[f"font.{generic}"] = [family] + [n for n in names if n != family]
    if missing:
        warnings.warn(
            f"figure labels are Chinese, but matplotlib finds no {missing[0]}: "
            "they will be drawn as boxes. Install the Noto CJK fonts (Debian and "
            "Ubuntu: apt-get install fonts-noto-cjk; then restart the kernel).",
            stacklevel=2,
        )
        return False
    return True


use_language_font()


def _node(ax, x, y, text, colour, width=0.78, height=0.5, hatch=None):
    box = FancyBboxPatch(
        (x - width / 2, y - height / 2),
        width,
        height,
        boxstyle="round,pad=0.02,rounding_size=0.08",
        facecolor=colour + "33",
        edgecolor=colour,
        linewidth=2,
        hatch=hatch,
    )
    ax.add_patch(box)
    ax.text(x, y, text, ha="center", va="center", fontsize=13)


def _arrow(ax, start, end, colour, connection="arc3"):
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=14,
            connectionstyle=connection,
            color=colour,
            linewidth=1.6,
            shrinkA=0,
            shrinkB=0,
        )
    )


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
        _arrow(
            ax,
            (x - 0.3, y_x + 0.25),
            (x - 0.3, y_b - 0.25),
            PALETTE["backward"],
            connection="arc3,rad=-0.45",
        )
        # o_t reads both states of its own step (the concatenation H_t).
        _arrow(ax, (x, y_b + 0.25), (x, y_o - 0.25), PALETTE["concat"])
        _arrow(
            ax,
            (x + 0.3, y_f + 0.25),
            (x + 0.3, y_o - 0.25),
            PALETTE["concat"],
            connection="arc3,rad=0.4",
        )
        if t < num_steps:
            _arrow(ax, (x + 0.39, y_f), (x + 1.9 - 0.39, y_f), PALETTE["forward"])
            _arrow(ax, (x + 1.9 - 0.39, y_b), (x + 0.39, y_b), PALETTE["backward"])
    for y, role, word in (
        (y_f, "forward", tr("forward")),
        (y_b, "backward", tr("backward")),
        (y_x, "input", tr("input")),
        (y_o, "output", tr("output")),
    ):
        ax.text(0.55, y, word, ha="right", va="center", color=PALETTE[role], fontsize=12)
    ax.set_xlim(-0.9, 1.9 * num_steps + 0.7)
    ax.set_ylim(-0.5, 4.25)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


# Panel titles of the maps book.dependence.direction_jacobians makes, by key.
MAP_TITLES = {
    "forward": N_("forward half"),
    "backward": N_("backward half"),
    "both": N_("both, concatenated"),
}


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
        raise ValueError(
            "draw_dependence expected square maps of one size (T, T), got "
            f"{[a.shape for a in arrays]}"
        )
    positive = np.concatenate([a[a > 0] for a in arrays])
    norm = LogNorm(vmin=positive.min(), vmax=positive.max())  # one scale for all panels
    colours = mpl.colormaps[cmap].with_extremes(bad=zero_colour)
    fig, axes = plt.subplots(
        1, len(arrays), figsize=(3.6 * len(arrays) + 1.2, 3.9), constrained_layout=True
    )
    axes = np.atleast_1d(axes)
    ticks = np.arange(0, T, max(1, T // 6))
    titles = titles or [tr(MAP_TITLES[k]) if k in MAP_TITLES else k for k in maps]
    for ax, a, title in zip(axes, arrays, titles):
        image = ax.imshow(
            np.ma.masked_equal(a, 0.0), cmap=colours, norm=norm, extent=(0.5, T + 0.5, T + 0.5, 0.5)
        )
        ax.set_title(title)
        ax.set_xlabel(tr("input step $s$"))
        ax.set_xticks(ticks + 1)
        ax.set_yticks(ticks + 1)
    axes[0].set_ylabel(tr("state step $t$"))
    bar = fig.colorbar(image, ax=list(axes), shrink=0.85)
    bar.set_label(tr(r"$\|\partial \mathbf{H}_t / \partial \mathbf{x}_s\|$ (log scale)"))
    axes[-1].legend(
        handles=[Patch(facecolor=zero_colour, edgecolor="#999999", label=tr("exactly 0"))],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18),
        frameon=False,
    )
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
        ax.plot(
            history["step"],
            history["train_loss"],
            color=colour,
            marker="o",
            markersize=3,
            label=tr("{name}, training", name=name),
        )
        if "val_loss" in history:
            ax.plot(
                history["step"],
                history["val_loss"],
                color=colour,
                linestyle="--",
                marker="s",
                markersize=3,
                label=tr("{name}, held out", name=name),
            )
    ax.set_xlabel(tr("training step"))
    ax.set_ylabel(ylabel or tr("cross-entropy loss (nats)"))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return fig


def _label(ax, x, y, text, colour, size=11, **kw):
    ax.text(
        x,
        y,
        text,
        ha=kw.pop("ha", "center"),
        va=kw.pop("va", "center"),
        color=colour,
        fontsize=size,
        **kw,
    )


def draw_stacks(num_steps: int = 3):
    """Two bidirectional layers stacked two ways, side by side.

    Left, the interleaved stack of equation (1.5) and PyTorch's ``num_layers``: both
    directions of layer 2 read the concatenated states of layer 1. The dashed path shows
    how x_T reaches the forward state of layer 2 at step 1 through the backward state of
    layer 1. Right, separate stacks (ELMo's design): a forward stack and a backward stack
    that meet only at the output, so every forward state reads only earlier inputs.

    Returns:
        The matplotlib ``Figure``.
    """
    T = validate_size("num_steps", num_steps, owner="draw_stacks", maximum=6)
    fig, axes = plt.subplots(1, 2, figsize=(2.3 * 2 * T + 1.2, 5.6), constrained_layout=True)
    dx, gap = 0.42, 2.2  # forward left of a column, backward right
    y_x, y_f1, y_b1, y_f2, y_b2, y_o = 0.0, 1.15, 1.95, 3.25, 4.05, 5.25
    w, hgt = 0.72, 0.5
    names = {
        "f1": (y_f1, "forward", r"\overrightarrow{\mathbf{H}}^{(1)}", -dx),
        "b1": (y_b1, "backward", r"\overleftarrow{\mathbf{H}}^{(1)}", dx),
        "f2": (y_f2, "forward", r"\overrightarrow{\mathbf{H}}^{(2)}", -dx),
        "b2": (y_b2, "backward", r"\overleftarrow{\mathbf{H}}^{(2)}", dx),
    }
    leak = PALETTE["neutral"]
    for ax, interleaved in zip(axes, (True, False)):
        pos = {}
        for t in range(1, T + 1):
            x = gap * t
            _node(ax, x, y_x, rf"$\mathbf{{x}}_{t}$", PALETTE["input"], width=0.6, height=hgt)
            _node(ax, x, y_o, rf"$\mathbf{{o}}_{t}$", PALETTE["output"], width=0.6, height=hgt)
            for key, (y, kind, sym, off) in names.items():
                _node(
                    ax,
                    x + off,
                    y,
                    rf"${sym}_{t}$",
                    PALETTE[kind],
                    width=w,
                    height=hgt,
                    hatch="//" if kind == "backward" else None,
                )
                pos[key, t] = (x + off, y)
            # inputs into layer 1, both directions
            _arrow(ax, (x - 0.1, y_x + hgt / 2), (x - dx, y_f1 - hgt / 2), PALETTE["forward"])
            _arrow(ax, (x + 0.1, y_x + hgt / 2), (x + dx, y_b1 - hgt / 2), PALETTE["backward"])
            # layer 1 into layer 2
            _arrow(ax, (x - dx, y_f1 + hgt / 2), (x - dx, y_f2 - hgt / 2), PALETTE["forward"])
            _arrow(ax, (x + dx, y_b1 + hgt / 2), (x + dx, y_b2 - hgt / 2), PALETTE["backward"])
            if interleaved:
                _arrow(
                    ax,
                    (x - dx + 0.2, y_f1 + hgt / 2),
                    (x + dx - 0.2, y_b2 - hgt / 2),
                    PALETTE["concat"],
                )
                _arrow(
                    ax,
                    (x + dx - 0.2, y_b1 + hgt / 2),
                    (x - dx + 0.2, y_f2 - hgt / 2),
                    leak if t == 1 else PALETTE["concat"],
                )
            # the output reads both top states
            _arrow(ax, (x - dx, y_f2 + hgt / 2), (x - 0.12, y_o - hgt / 2), PALETTE["concat"])
            _arrow(ax, (x + dx, y_b2 + hgt / 2), (x + 0.12, y_o - hgt / 2), PALETTE["concat"])
            if t < T:
                for key in ("f1", "f2"):
                    (x0, y0), (x1, _) = pos[key, t], (gap * (t + 1) - dx, 0)
                    _arrow(ax, (x0 + w / 2, y0), (x1 - w / 2, y0), PALETTE["forward"])
            if t > 1:
                for key in ("b1", "b2"):
                    (x0, y0) = pos[key, t]
                    x1 = gap * (t - 1) + dx
                    colour = leak if key == "b1" and interleaved else PALETTE["backward"]
                    _arrow(ax, (x0 - w / 2, y0), (x1 + w / 2, y0), colour)
        if interleaved:
            # the leak: x_T -> backward layer 1 at T -> ... -> backward layer 1 at 1 -> forward
            # layer 2 at 1, redrawn dashed on top of the ordinary arrows
            xT = gap * T
            path = [((xT + 0.1, y_x + hgt / 2), (xT + dx, y_b1 - hgt / 2))]
            path += [
                ((gap * t + dx - w / 2, y_b1), (gap * (t - 1) + dx + w / 2, y_b1))
                for t in range(T, 1, -1)
            ]
            path += [((gap + dx - 0.2, y_b1 + hgt / 2), (gap - dx + 0.2, y_f2 - hgt / 2))]
            for start, end in path:
                ax.add_patch(
                    FancyArrowPatch(
                        start,
                        end,
                        arrowstyle="-|>",
                        mutation_scale=16,
                        color=leak,
                        linewidth=2.6,
                        linestyle="--",
                        shrinkA=0,
                        shrinkB=0,
                        zorder=5,
                    )
                )
            ax.set_title(
                tr("interleaved (PyTorch's num_layers): layer 2 reads both halves"), fontsize=12
            )
            rows = (
                (y_x, tr("input")),
                ((y_f1 + y_b1) / 2, tr("layer {number}", number=1)),
                ((y_f2 + y_b2) / 2, tr("layer {number}", number=2)),
                (y_o, tr("output")),
            )
            for y, text in rows:
                _label(ax, gap - 0.95, y, text, PALETTE["neutral"], size=11, ha="right")
            x_T = rf"$\mathbf{{x}}_{T}$"
            _label(ax, gap - dx, y_f2 + 0.55, tr("reads {x}", x=x_T), leak, size=11)
        else:
            ax.set_title(
                tr("separate stacks (ELMo): the halves meet only at the output"), fontsize=12
            )
        ax.set_xlim(gap - (2.1 if interleaved else 1.2), gap * T + 1.0)
        ax.set_ylim(-0.5, y_o + 0.5)
        ax.set_aspect("equal")
        ax.axis("off")
    return fig


def draw_hn_layout(num_layers: int = 3):
    """The rows of ``h_n`` for a bidirectional stack of ``num_layers`` layers, and two views.

    Left, the 2L rows as PyTorch stores them, layer-major: layer 1 forward, layer 1
    backward, layer 2 forward, ... Middle, ``view(L, 2, n, h)``: L pairs, each one layer's
    forward and backward state (right). Right, ``view(2, L, n, h)``: the same rows cut into
    two groups of L, which a reader would take for "all forward" and "all backward"; each
    group mixes layers and directions (wrong, and no error is raised).

    Returns:
        The matplotlib ``Figure``.
    """
    L = validate_size("num_layers", num_layers, owner="draw_hn_layout", maximum=4)
    rows = [(layer, kind) for layer in range(1, L + 1) for kind in ("forward", "backward")]
    fig, ax = plt.subplots(figsize=(10.4, 0.62 * 2 * L + 1.5), constrained_layout=True)
    hgt, w = 0.5, 2.3
    columns = {
        tr("h_n, as stored: (2L, n, h)"): 0.0,
        "h_n.view(L, 2, n, h)": 4.0,
        "h_n.view(2, L, n, h)": 8.0,
    }
    row_names = {
        "forward": N_("[{i}] layer {layer} forward"),
        "backward": N_("[{i}] layer {layer} backward"),
    }
    not_states = {
        "forward": N_("[{group}]: not the\nforward states"),
        "backward": N_("[{group}]: not the\nbackward states"),
    }

    def top(i):
        return (2 * L - 1 - i) * 0.62

    for title, x0 in columns.items():
        _label(
            ax, x0 + w / 2, top(0) + 0.75, title, PALETTE["neutral"], size=11, family="monospace"
        )
        for i, (layer, kind) in enumerate(rows):
            box = FancyBboxPatch(
                (x0, top(i) - hgt / 2),
                w,
                hgt,
                boxstyle="round,pad=0.01,rounding_size=0.05",
                facecolor=PALETTE[kind] + "33",
                edgecolor=PALETTE[kind],
                linewidth=2,
                hatch="//" if kind == "backward" else None,
            )
            ax.add_patch(box)
            ax.text(
                x0 + w / 2,
                top(i),
                tr(row_names[kind], i=i, layer=layer),
                ha="center",
                va="center",
                fontsize=10,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"),
            )

    # groups: view(L, 2): pairs; view(2, L): two blocks of L rows
    def bracket(x, first, last, text, colour, ok):
        y0, y1 = top(last) - hgt / 2 + 0.04, top(first) + hgt / 2 - 0.04
        ax.plot([x, x + 0.15, x + 0.15, x], [y0, y0, y1, y1], color=colour, linewidth=1.8)
        ax.text(
            x + 0.25,
            (y0 + y1) / 2,
            text,
            ha="left",
            va="center",
            fontsize=9.5,
            color=colour,
            fontweight="bold" if not ok else "normal",
        )

    for layer in range(L):
        bracket(
            4.0 + w + 0.08,
            2 * layer,
            2 * layer + 1,
            tr("[{index}]: layer {layer}", index=layer, layer=layer + 1),
            PALETTE["neutral"],
            True,
        )
    for group, name in enumerate(("forward", "backward")):
        bracket(
            8.0 + w + 0.08,
            group * L,
            group * L + L - 1,
            tr(not_states[name], group=group),
            PALETTE["backward"],
            False,
        )
    ax.set_xlim(-0.2, 12.3)
    ax.set_ylim(top(2 * L - 1) - 0.5, top(0) + 1.05)
    ax.axis("off")
    return fig


def draw_padding_timeline(length: int = 4, num_steps: int = 6):
    """One sequence of ``length`` valid steps in a batch padded to ``num_steps``.

    Top, the padded batch: the forward direction reads the valid steps, then runs on
    through the padding, and its final state is taken after step T; the backward direction
    starts on the padding at step T and reaches the valid steps only after it. Bottom, the
    packed batch: each direction runs over the valid steps only, the backward one starting
    at the sequence's own last step.

    Returns:
        The matplotlib ``Figure``.
    """
    T = validate_size("num_steps", num_steps, owner="draw_padding_timeline", maximum=12)
    n = validate_size("length", length, owner="draw_padding_timeline", maximum=T)
    fig, ax = plt.subplots(figsize=(1.05 * T + 3.2, 4.2), constrained_layout=True)
    rows = {N_("padded"): 2.4, N_("packed"): 0.0}
    for name, y in rows.items():
        ax.text(-0.35, y, tr(name), ha="right", va="center", fontsize=12, fontweight="bold")
        for t in range(1, T + 1):
            valid = t <= n
            colour = PALETTE["input"] if valid else "#999999"
            if name == "packed" and not valid:
                ax.add_patch(
                    FancyBboxPatch(
                        (t - 0.4, y - 0.22),
                        0.8,
                        0.44,
                        boxstyle="round,pad=0.01",
                        facecolor="none",
                        edgecolor="#bbbbbb",
                        linestyle=":",
                        linewidth=1.2,
                    )
                )
                continue
            _node(
                ax,
                t,
                y,
                rf"$\mathbf{{x}}_{t}$" if valid else tr("pad"),
                colour,
                width=0.8,
                height=0.44,
            )
        end_f = T if name == "padded" else n
        start_b = T if name == "padded" else n
        yf, yb = y + 0.48, y - 0.48
        _arrow(ax, (0.6, yf), (end_f + 0.4, yf), PALETTE["forward"])
        _arrow(ax, (start_b + 0.4, yb), (0.6, yb), PALETTE["backward"])
        bad = name == "padded" and n < T
        forward = (
            N_("forward $h_n$ after step {step} (ran through padding)")
            if bad
            else N_("forward $h_n$ after step {step}")
        )
        backward = (
            N_("backward starts at step {step} (on padding)")
            if bad
            else N_("backward starts at step {step}")
        )
        ax.text(
            end_f + 0.5,
            yf,
            tr(forward, step=end_f),
            ha="left",
            va="center",
            fontsize=10,
            color=PALETTE["forward"],
        )
        ax.text(
            start_b + 0.5,
            yb,
            tr(backward, step=start_b),
            ha="left",
            va="center",
            fontsize=10,
            color=PALETTE["backward"],
        )
    ax.set_xlim(-1.6, T + 5.4)  # room for the longest note, in either language
    ax.set_ylim(-0.9, 3.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def draw_posterior_changes(maps, words, *, titles=None, floor=1e-12):
    """How far each posterior moves when one observation changes, one panel per map.

    Entry ``[t, s]`` of each (T, T) map is a total-variation distance in [0, 1] (see
    :func:`book.hmm.changed_posteriors`). Values at or below ``floor`` are drawn grey,
    "unchanged", and each cell carries its value.

    Returns:
        The matplotlib ``Figure``.
    """
    import numpy as np
    from matplotlib.patches import Patch

    arrays = [np.asarray(m, dtype=float) for m in maps.values()]
    T = len(words)
    if any(a.shape != (T, T) for a in arrays):
        raise ValueError(
            f"draw_posterior_changes expected maps of shape ({T}, {T}), one row "
            f"and column per word, got {[a.shape for a in arrays]}"
        )
    colours = plt.get_cmap("cividis").with_extremes(bad="#dddddd")
    fig, axes = plt.subplots(
        1, len(arrays), figsize=(4.3 * len(arrays) + 1.0, 4.3), constrained_layout=True
    )
    axes = np.atleast_1d(axes)
    for ax, a, title in zip(axes, arrays, titles or list(maps)):
        image = ax.imshow(np.ma.masked_less_equal(a, floor), cmap=colours, vmin=0, vmax=1)
        for t in range(T):
            for s in range(T):
                if a[t, s] > floor:
                    ax.text(
                        s,
                        t,
                        f"{a[t, s]:.2f}",
                        ha="center",
                        va="center",
                        fontsize=9,
                        color="white" if a[t, s] < 0.6 else "black",
                    )
        ax.set_title(title)
        ax.set_xticks(range(T), [f"{w}\n({s + 1})" for s, w in enumerate(words)])
        ax.set_yticks(range(T), [f"{w} ({t + 1})" for t, w in enumerate(words)])
        ax.set_xlabel(tr("the word changed, $s$"))
    axes[0].set_ylabel(tr("the posterior at step $t$"))
    bar = fig.colorbar(image, ax=list(axes), shrink=0.85)
    bar.set_label(tr("total-variation distance"))
    axes[-1].legend(
        handles=[Patch(facecolor="#dddddd", edgecolor="#999999", label=tr("unchanged"))],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        frameon=False,
    )
    return fig
