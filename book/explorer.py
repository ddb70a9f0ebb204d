"""The shape explorer: every tensor of a bidirectional RNN drawn to scale.

Seven sizes fix every shape in the chapter: ``T`` steps, batch ``n``, ``d`` inputs,
``h_f`` and ``h_b`` hidden units per direction, ``q`` outputs and ``L`` layers.
This module turns sizes into shapes (:func:`predict_shapes`), shapes into blocks
whose sides are proportional to the dimensions (:func:`layout`), blocks into a
matplotlib figure (:func:`draw_shapes`, also the saved notebook's static picture,
:func:`static_png`), and sizes into a real model whose measured shapes are compared with
the prediction (:func:`compare_shapes`).

:class:`ShapeExplorer` is the widget. Its drawing lives in ``explorer.js``, so the picture
responds in the rendered book where no kernel is running; in a kernel, every change also
rebuilds the model and runs the check. Python owns every word and the table of blocks
(:func:`view_config` sends them); the view repeats only what a slider needs at once,
:func:`validate_sizes`, :func:`predict_shapes` and :func:`layout`, as named exports that
tests/test_js_parity.py runs under Node against these functions.

Words: every word the explorer shows comes from :func:`book.i18n.tr` in the learner's
language (``lang``, by default :func:`book.i18n.language`); the view's own words are its
``t("...")`` message ids, whose translations the widget sends (``words``).
"""

from __future__ import annotations

import base64
import math
import numbers
from dataclasses import dataclass
from pathlib import Path

import anywidget
import torch
import traitlets

from book.figures import PALETTE
from book.i18n import N_, language, tr, view_words
from book.scratch import BiRNNScratch
from book.train import seeded

__all__ = [
    "LIMITS",
    "DEFAULTS",
    "validate_sizes",
    "predict_shapes",
    "layout",
    "draw_shapes",
    "static_png",
    "compare_shapes",
    "view_config",
    "ShapeExplorer",
]

# name: (smallest, largest, default). The upper limits keep the picture readable and the
# in-kernel check well under a tenth of a second; they are not limits of the model.
LIMITS = {
    "T": (1, 50, 4),
    "n": (1, 32, 3),
    "d": (1, 64, 5),
    "h_f": (1, 64, 6),
    "h_b": (1, 64, 4),
    "q": (1, 64, 2),
    "L": (1, 4, 2),
}
DEFAULTS = {name: default for name, (_, _, default) in LIMITS.items()}
DESCRIPTIONS = {  # English message ids (book.i18n.tr gives them in the learner's language)
    "T": N_("time steps"),
    "n": N_("batch size"),
    "d": N_("inputs per step"),
    "h_f": N_("forward hidden units"),
    "h_b": N_("backward hidden units"),
    "q": N_("outputs"),
    "L": N_("layers"),
}

# Layout constants; the view gets them in its config (view_config).
MAX_SIDE_PX = 150  # the longest block side, in pixels
MAX_SCALE_PX = 14  # pixels per unit when every dimension is small
MIN_PANEL_PX = 60  # the narrowest room a block gets in its row
CHAR_PX = 7.4  # width of one label character (12 px monospace), to keep labels apart
GAP_PX = 18
ROW_GAP_PX = 64  # between rows (room for labels and the next row's title)
LINE_GAP_PX = 44  # between the lines of a row that wraps (room for labels)
MAX_ROW_PX = 720  # a row wraps rather than grow wider than this
STACK_SHOWN = 5  # slabs drawn for the T steps of the whole-sequence output
STACK_OFFSET_PX = 4
ROW_TITLES = [
    N_("one time step t (top layer)"),
    N_("the whole sequence (top layer) and final states"),
    N_("each layer's input"),
]
VIEW = Path(__file__).with_name("explorer.js")


def validate_sizes(
    sizes: dict | None = None, *, lang: str | None = None, **changes
) -> dict[str, int]:
    """Return a complete, checked dict of the seven sizes.

    Args:
        sizes: some or all of ``T, n, d, h_f, h_b, q, L``; missing ones take their defaults.
        **changes: sizes that override ``sizes``.

    Raises:
        ValueError: naming the size, the allowed range and the value received, for a
            value that is not a whole number (``bool``, text, ``2.5``, ``nan``), is below 1
            or above the limit in :data:`LIMITS`, or for an unknown name; in ``lang`` (by
            default the learner's language), with the message ids the view uses too
            (explorer.js ``validate``).
    """
    merged = dict(DEFAULTS)
    merged.update(sizes or {})
    merged.update(changes)
    unknown = sorted(set(merged) - set(LIMITS))
    if unknown:
        raise ValueError(
            tr(
                "unknown size {name}; the sizes are {sizes}",
                lang,
                name=repr(unknown[0]),
                sizes=", ".join(LIMITS),
            )
        )
    checked = {}
    for name, (low, high, _) in LIMITS.items():
        value = merged[name]
        allowed = tr(
            "{name} ({desc}) must be a whole number from {low} to {high}",
            lang,
            name=name,
            desc=tr(DESCRIPTIONS[name], lang),
            low=low,
            high=high,
        )
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(
                tr(
                    "{allowed}; got {kind} {value}",
                    lang,
                    allowed=allowed,
                    kind=type(value).__name__,
                    value=repr(value),
                )
            )
        if isinstance(value, numbers.Integral):
            value = int(value)
        elif float(value).is_integer():  # 3.0 arrives from JSON as easily as 3
            value = int(value)
        else:
            raise ValueError(
                tr(
                    "{allowed}; got {value}, which is not a whole number",
                    lang,
                    allowed=allowed,
                    value=repr(value),
                )
            )
        if value < low:
            raise ValueError(tr("{allowed}; got {value}", lang, allowed=allowed, value=value))
        if value > high:
            raise ValueError(
                tr(
                    "{allowed}; got {value}, which is too large to draw or to check quickly here",
                    lang,
                    allowed=allowed,
                    value=value,
                )
            )
        checked[name] = value
    return checked


def predict_shapes(sizes: dict | None = None, **changes) -> dict[str, tuple[int, ...]]:
    """The shape of every tensor the explorer shows, from the sizes alone.

    Keys: ``X_t``, the top layer's input at one step: (n, d) with one layer, (n, h_f + h_b)
    from two on (the layer below's states); ``H_f_t`` (n, h_f), ``H_b_t`` (n, h_b), ``H_t``
    (n, h_f + h_b), ``W_hq`` (h_f + h_b, q), ``O_t`` (n, q), ``outputs`` (T, n, h_f + h_b);
    per layer
    ``l`` = 1..L: ``input_l`` (T, n, d or h_f + h_b), ``H_f_final_l`` (n, h_f) and
    ``H_b_final_l`` (n, h_b). The per-step tensors belong to the top layer.
    """
    s = validate_sizes(sizes, **changes)
    T, n, d, h_f, h_b, q, L = (s[k] for k in ("T", "n", "d", "h_f", "h_b", "q", "L"))
    h = h_f + h_b
    shapes = {
        "X_t": (n, d if L == 1 else h),
        "H_f_t": (n, h_f),
        "H_b_t": (n, h_b),
        "H_t": (n, h),
        "W_hq": (h, q),
        "O_t": (n, q),
        "outputs": (T, n, h),
    }
    for layer in range(1, L + 1):
        # Layer 1 reads the inputs; every later layer reads the concatenated states below it.
        shapes[f"input_{layer}"] = (T, n, d if layer == 1 else h)
        shapes[f"H_f_final_{layer}"] = (n, h_f)
        shapes[f"H_b_final_{layer}"] = (n, h_b)
    return shapes


@dataclass(frozen=True)
class Block:
    """One tensor drawn as a rectangle: ``width = cols * scale``, ``height = rows * scale``.

    ``split`` is the number of leading columns that hold forward states (drawn in the
    forward colour, the rest in the backward colour); 0 when the block is one colour.
    ``depth`` is the leading dimension of a 3-D tensor (drawn as stacked slabs), else 1.
    """

    key: str
    name: str
    formula: str
    shape: tuple[int, ...]
    role: str
    row: int
    x: float
    y: float
    width: float
    height: float
    split: int = 0

    @property
    def rows(self) -> int:
        return self.shape[-2]

    @property
    def cols(self) -> int:
        return self.shape[-1]

    @property
    def depth(self) -> int:
        return self.shape[0] if len(self.shape) == 3 else 1

    @property
    def label(self) -> str:
        """The text drawn under the block, e.g. ``n×h_f = 3×6``."""
        return f"{self.formula} = {'×'.join(map(str, self.shape))}"


def _specs(L: int, lang: str | None = None) -> list[tuple]:
    """The table of blocks for ``L`` layers: (key, name, formula, role, row) of every block,
    in drawing order, the names in ``lang``. A block whose role is ``concat`` holds both
    directions' states, forward first: it is drawn split after its first h_f columns. The
    view gets this table for every L in its config (``block_table``), so it has one home."""
    # The top layer's input at step t: the data, or from two layers on the layer below's states.
    top_input = (
        ("X_t", "X_t", "n×d", "input", 0)
        if L == 1
        else ("X_t", tr("H_t layer {layer}", lang, layer=L - 1), "n×(h_f+h_b)", "concat", 0)
    )
    specs = [
        top_input,
        ("H_f_t", "H→_t", "n×h_f", "forward", 0),
        ("H_b_t", "H←_t", "n×h_b", "backward", 0),
        ("H_t", "H_t", "n×(h_f+h_b)", "concat", 0),
        ("W_hq", "W_hq", "(h_f+h_b)×q", "weight", 0),
        ("O_t", "O_t", "n×q", "output", 0),
        ("outputs", "outputs", "T×n×(h_f+h_b)", "concat", 1),
    ]
    for layer in range(1, L + 1):
        specs.append(
            (
                f"H_f_final_{layer}",
                tr("H→_T layer {layer}", lang, layer=layer),
                "n×h_f",
                "forward",
                1,
            )
        )
        specs.append(
            (
                f"H_b_final_{layer}",
                tr("H←_1 layer {layer}", lang, layer=layer),
                "n×h_b",
                "backward",
                1,
            )
        )
    if L > 1:
        for layer in range(1, L + 1):
            specs.append(
                (
                    f"input_{layer}",
                    tr("input of layer {layer}", lang, layer=layer),
                    "T×n×d" if layer == 1 else "T×n×(h_f+h_b)",
                    "input" if layer == 1 else "concat",
                    2,
                )
            )
    return specs


def layout(
    sizes: dict | None = None, *, lang: str | None = None, max_row_px: float = MAX_ROW_PX, **changes
) -> list[Block]:
    """Place every tensor as a block; one scale for all blocks, so sizes compare by eye.

    The scale is the largest that keeps every side at most ``MAX_SIDE_PX`` pixels (and
    at most ``MAX_SCALE_PX`` per unit). Row 0 is one time step, row 1 the whole sequence
    and the final states, row 2 (when L > 1) each layer's input; a row wider than
    ``max_row_px`` (the view passes the width it has, at most ``MAX_ROW_PX``) wraps onto
    another line. Names are in ``lang`` (by default the learner's language), which also
    sets their room in the row. explorer.js's ``layout`` is the same rule
    (tests/test_js_parity.py runs both).
    """
    s = validate_sizes(sizes, lang=lang, **changes)
    shapes = predict_shapes(s)
    specs = _specs(s["L"], lang)
    longest = max(max(shapes[key][-2:]) for key, *_ in specs)
    scale = min(MAX_SCALE_PX, MAX_SIDE_PX / longest)
    blocks, x, row_now, y, row_height = [], 0.0, 0, 0.0, 0.0
    for key, name, formula, role, row in specs:
        shape = shapes[key]
        width, height = shape[-1] * scale, shape[-2] * scale
        split = s["h_f"] if role == "concat" else 0
        extra = (min(shape[0], STACK_SHOWN) - 1) * STACK_OFFSET_PX if len(shape) == 3 else 0
        if row != row_now:
            x, y, row_now, row_height = 0.0, y + row_height + ROW_GAP_PX, row, 0.0
        block = Block(key, name, formula, shape, role, row, x, y, width, height, split)
        panel = _panel_width(block, extra)
        if x > 0 and x + panel > max_row_px:
            x, y, row_height = 0.0, y + row_height + LINE_GAP_PX, 0.0
            block = Block(key, name, formula, shape, role, row, x, y, width, height, split)
        blocks.append(block)
        x += panel + GAP_PX
        row_height = max(row_height, height + extra)
    return blocks


def _panel_width(block: Block, extra: float) -> float:
    """Room a block takes in its row: the block, its stack, or its longest label line."""
    chars = max(len(block.name), len(block.label))
    return max(block.width + extra, MIN_PANEL_PX, chars * CHAR_PX)


def _colour(role: str) -> str:
    return PALETTE["neutral"] if role == "weight" else PALETTE[role]


def _slabs(b: Block):
    """The rectangles that draw block ``b``: ``(x, y, width, height, role)``, back slabs
    first; a concatenated block is split into its forward and backward parts."""
    for k in reversed(range(min(b.depth, STACK_SHOWN))):
        x, y = b.x + k * STACK_OFFSET_PX, b.y + k * STACK_OFFSET_PX
        if b.split:
            unit = b.width / b.cols
            yield x, y, b.split * unit, b.height, "forward"
            yield x + b.split * unit, y, b.width - b.split * unit, b.height, "backward"
        else:
            yield x, y, b.width, b.height, b.role


def draw_shapes(sizes: dict | None = None, ax=None, *, lang: str | None = None, **changes):
    """Draw :func:`layout` with matplotlib; forward blue, backward vermillion and hatched.

    Words are in ``lang`` (by default the learner's language), in a font that has them
    (:func:`book.figures.use_language_font`).

    Returns:
        The matplotlib ``Figure``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from book.figures import use_language_font

    lang = lang or language()
    use_language_font(lang)
    blocks = layout(sizes, lang=lang, **changes)
    right = max(b.x + _panel_width(b, 0) for b in blocks)
    bottom = (
        max(b.y + b.height + (min(b.depth, STACK_SHOWN) - 1) * STACK_OFFSET_PX for b in blocks) + 40
    )
    if ax is None:
        # One data unit is one pixel at 90 dpi, so the label sizes below match the widget's.
        fig = plt.figure(figsize=((right + 24) / 90, (bottom + 22) / 90))
        ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig = ax.figure
    font = dict(family="monospace", fontsize=12 * 72 / 90)  # 12 px, as in explorer.css

    def rect(x, y, w, h, role, **kw):
        colour = _colour(role)
        # An opaque white base keeps stacked slabs from blending into each other.
        ax.add_patch(Rectangle((x, y), max(w, 1.5), max(h, 1.5), facecolor="white"))
        ax.add_patch(
            Rectangle(
                (x, y),
                max(w, 1.5),
                max(h, 1.5),
                facecolor=colour + "55",
                edgecolor=colour,
                linewidth=1.2,
                hatch="//" if role == "backward" else None,
                **kw,
            )
        )

    for b in blocks:
        for x, y, w, h, role in _slabs(b):
            rect(x, y, w, h, role)
        top = b.y + b.height + (min(b.depth, STACK_SHOWN) - 1) * STACK_OFFSET_PX
        ax.text(
            b.x,
            top + 3,
            f"{b.name}\n{b.label}",
            ha="left",
            va="top",
            linespacing=1.35,
            **font,
            color=_colour(b.role) if b.role in ("forward", "backward") else "#222222",
        )
    for row in sorted({b.row for b in blocks}):
        y = min(b.y for b in blocks if b.row == row)
        ax.text(0, y - 6, tr(ROW_TITLES[row], lang), va="bottom", **font)
    ax.set_xlim(-4, right + 20)
    ax.set_ylim(bottom, -22)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def static_png(sizes: dict | None = None, *, lang: str | None = None, **changes) -> bytes:
    """:func:`draw_shapes` as a PNG, with a line under it that names the sizes and says how
    to get the sliders (in ``lang``, by default the learner's language).

    The explorer's picture where no widget can run: a notebook saved with the explorer
    carries it next to the widget view, so a client that will not draw the view shows it
    rather than the object's repr: JupyterLab and Notebook 7 before a saved notebook is
    trusted or run (they draw only safe formats from untrusted outputs), GitHub, nbviewer.
    One data unit is one pixel, as in the view.
    """
    import io

    import matplotlib.pyplot as plt

    fig = _static_figure(validate_sizes(sizes, lang=lang, **changes), lang)
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=90,
        bbox_inches="tight",
        pad_inches=0.05,
        metadata={"Software": None},
    )
    plt.close(fig)  # drawn for the fallback only: no figure left for the notebook
    return buffer.getvalue()


def _static_figure(s: dict[str, int], lang: str | None):
    """The figure :func:`static_png` saves: the drawing and, under it, the note."""
    fig = draw_shapes(s, lang=lang)
    sizes_text = ", ".join(f"{k}={v}" for k, v in s.items())
    note = tr(
        "Shape explorer, drawn for {sizes}. Run this cell to get the sliders; the "
        "drawing and the model check then follow every change.",
        lang,
        sizes=sizes_text,
    )
    # Upright: the CJK font has no italic, and matplotlib would fall back to one without Chinese.
    fig.text(0.005, 0, note, ha="left", va="top", wrap=True, fontsize=13 * 72 / 90, color="#444444")
    return fig


class _StackedBiRNN(torch.nn.Module):
    """``L`` scratch bidirectional layers and an output layer O = H W_hq + b_q."""

    def __init__(self, d, h_f, h_b, q, num_layers):
        super().__init__()
        self.layers = torch.nn.ModuleList(
            BiRNNScratch(d if i == 0 else h_f + h_b, h_f, h_b) for i in range(num_layers)
        )
        self.W_hq = torch.nn.Parameter(torch.randn(h_f + h_b, q) * 0.01)  # (h_f + h_b, q)
        self.b_q = torch.nn.Parameter(torch.zeros(q))

    def forward(self, X):
        inputs, finals = [], []
        H = X
        for layer in self.layers:
            inputs.append(H)
            H, (H_f, H_b) = layer(H)  # (T, n, h_f + h_b)
            finals.append((H_f, H_b))
        O = H @ self.W_hq + self.b_q  # (T, n, q)
        return H, O, inputs, finals


def measure_shapes(sizes: dict | None = None, seed: int = 0, **changes) -> dict:
    """Build the scratch model for these sizes, run it once and return measured shapes.

    Same keys as :func:`predict_shapes`.
    """
    s = validate_sizes(sizes, **changes)
    h_f = s["h_f"]
    with seeded(seed), torch.no_grad():  # the learner's random stream stays untouched
        model = _StackedBiRNN(s["d"], h_f, s["h_b"], s["q"], s["L"])
        X = torch.randn(s["T"], s["n"], s["d"])  # (T, n, d)
        outputs, O, inputs, finals = model(X)
    t = 0  # any step has the same shapes; the first always exists
    measured = {
        "X_t": inputs[-1][t].shape,
        "H_f_t": outputs[t, :, :h_f].shape,
        "H_b_t": outputs[t, :, h_f:].shape,
        "H_t": outputs[t].shape,
        "W_hq": model.W_hq.shape,
        "O_t": O[t].shape,
        "outputs": outputs.shape,
    }
    for i, (inp, (H_f, H_b)) in enumerate(zip(inputs, finals), start=1):
        measured[f"input_{i}"] = inp.shape
        measured[f"H_f_final_{i}"] = H_f.shape
        measured[f"H_b_final_{i}"] = H_b.shape
    return {k: tuple(v) for k, v in measured.items()}


def compare_shapes(sizes: dict | None = None, *, lang: str | None = None, **changes) -> dict:
    """Compare measured and predicted shapes, with the scratch model and with ``nn.RNN``.

    Returns:
        ``{"sizes", "ok", "lines", "notes", "torch"}``: ``ok`` is True when every measured
        shape equals its prediction; ``lines`` report the comparisons and ``notes`` what
        was skipped, as shown in the widget (in ``lang``, by default the learner's
        language); ``torch`` is ``None`` when ``h_f != h_b`` (``nn.RNN`` has one
        ``hidden_size`` for both directions), else the measured ``{"output", "h_n"}``
        shapes.
    """
    s = validate_sizes(sizes, lang=lang, **changes)
    predicted, measured = predict_shapes(s), measure_shapes(s)
    wrong = [k for k in predicted if measured.get(k) != predicted[k]]
    T, n, d, h_f, h_b, L = (s[k] for k in ("T", "n", "d", "h_f", "h_b", "L"))
    layers = (
        tr("{L} scratch bidirectional layers", lang, L=L)
        if L > 1
        else tr("1 scratch bidirectional layer", lang)
    )
    if wrong:
        details = [
            tr(
                "{key} measured {measured}, predicted {predicted}",
                lang,
                key=k,
                measured=measured[k],
                predicted=predicted[k],
            )
            for k in wrong
        ]
        lines = [
            tr(
                "Mismatch in the scratch model ({layers}): {details}",
                lang,
                layers=layers,
                details="; ".join(details),
            )
        ]
    else:
        lines = [
            tr(
                "Scratch model ({layers} + W_hq): all {count} measured shapes equal the "
                "predicted ones, e.g. outputs {outputs}, O_t {O_t}.",
                lang,
                layers=layers,
                count=len(predicted),
                outputs=measured["outputs"],
                O_t=measured["O_t"],
            )
        ]
    torch_shapes, notes = None, []
    if h_f == h_b:
        with seeded(0), torch.no_grad():
            rnn = torch.nn.RNN(d, h_f, num_layers=L, bidirectional=True)
            output, h_n = rnn(torch.randn(T, n, d))
        torch_shapes = {"output": tuple(output.shape), "h_n": tuple(h_n.shape)}
        expected = {"output": (T, n, 2 * h_f), "h_n": (2 * L, n, h_f)}
        same = torch_shapes == expected
        wrong = wrong or not same
        call = f"nn.RNN({d}, {h_f}, num_layers={L}, bidirectional=True)"
        fields = dict(call=call, output=torch_shapes["output"], h_n=torch_shapes["h_n"])
        lines.append(
            tr("{call}: output {output}, h_n {h_n} as predicted.", lang, **fields)
            if same
            else tr(
                "{call}: output {output}, h_n {h_n} but predicted {expected}.",
                lang,
                expected=expected,
                **fields,
            )
        )
    else:
        notes.append(
            tr(
                "nn.RNN(bidirectional=True) is skipped: it has one hidden_size for "
                "both directions, so it needs h_f = h_b (here h_f = {h_f}, h_b = {h_b}).",
                lang,
                h_f=h_f,
                h_b=h_b,
            )
        )
    return {"sizes": s, "ok": not wrong, "lines": lines, "notes": notes, "torch": torch_shapes}


def view_config(lang: str | None = None) -> dict:
    """What explorer.js needs besides the sizes, in ``lang``: each size's limits and
    description, the layout constants, the palette, the row titles and the table of blocks
    for every number of layers (:func:`_specs`), so the view holds no rule of its own but
    validating, predicting and placing (tests/test_js_parity.py runs those against Python)."""
    return {
        "limits": {k: list(v) for k, v in LIMITS.items()},
        "descriptions": {k: tr(v, lang) for k, v in DESCRIPTIONS.items()},
        "palette": PALETTE,
        "max_side_px": MAX_SIDE_PX,
        "max_scale_px": MAX_SCALE_PX,
        "min_panel_px": MIN_PANEL_PX,
        "char_px": CHAR_PX,
        "gap_px": GAP_PX,
        "row_gap_px": ROW_GAP_PX,
        "line_gap_px": LINE_GAP_PX,
        "max_row_px": MAX_ROW_PX,
        "stack_shown": STACK_SHOWN,
        "stack_offset_px": STACK_OFFSET_PX,
        "row_titles": [tr(title, lang) for title in ROW_TITLES],
        "block_table": {
            str(L): [list(row) for row in _specs(L, lang)]
            for L in range(LIMITS["L"][0], LIMITS["L"][1] + 1)
        },
    }


def _size_to_json(value, widget=None):
    """Send a size to the view as it is when JSON can carry it, else as its ``repr``.

    Sizes are ``traitlets.Any`` so that a bad value set from Python is kept and explained
    instead of raising; this keeps such a value (``nan``, an object) from breaking the sync.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and math.isfinite(value):
        return float(value)
    return repr(value)


def _size_trait(name):
    return traitlets.Any(DEFAULTS[name]).tag(sync=True, to_json=_size_to_json)


class ShapeExplorer(anywidget.AnyWidget):
    """Sliders for the seven sizes and a to-scale drawing of every tensor.

    Set a size from Python (``explorer.h_f = 8``) or with the controls. A valid change
    redraws the picture and, in a kernel, rebuilds the model and reruns
    :func:`compare_shapes` (its result is in ``explorer.check``). An invalid one leaves
    the last valid picture and check in place and explains itself in ``explorer.error``
    and in the widget; nothing raises.
    """

    _esm = VIEW
    _css = Path(__file__).with_name("explorer.css")

    T = _size_trait("T")
    n = _size_trait("n")
    d = _size_trait("d")
    h_f = _size_trait("h_f")
    h_b = _size_trait("h_b")
    q = _size_trait("q")
    L = _size_trait("L")
    # Layout constants and colours travel with the widget, so explorer.js uses the same ones.
    config = traitlets.Dict().tag(sync=True)
    check = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    # The view's language, "en" or "zh" (book.i18n.language(): Chinese in the zh_CN
    # notebooks), and its words in it: {English message id: word} for its t("...") calls.
    lang = traitlets.Unicode("en").tag(sync=True)
    words = traitlets.Dict().tag(sync=True)

    def __init__(self, **sizes):
        super().__init__()
        self.lang = language()
        self.words = view_words(VIEW, self.lang)
        self.config = view_config(self.lang)
        self.sizes = validate_sizes()
        self.blocks = layout(self.sizes, lang=self.lang)
        self.check = compare_shapes(self.sizes, lang=self.lang)
        self.observe(self._update, names=list(LIMITS))
        for name, value in sizes.items():
            if name not in LIMITS:
                raise TypeError(
                    tr(
                        "ShapeExplorer() got an unknown size {name}; the sizes are {sizes}",
                        name=repr(name),
                        sizes=", ".join(LIMITS),
                    )
                )
            setattr(self, name, value)

    def _update(self, change=None):
        try:
            sizes = validate_sizes({k: getattr(self, k) for k in LIMITS}, lang=self.lang)
        except ValueError as err:
            # Keep the last valid sizes, picture and check; say what is wrong.
            self.error = str(err)
            return
        self.error = ""
        self.sizes = sizes
        self.blocks = layout(sizes, lang=self.lang)
        self.check = compare_shapes(sizes, lang=self.lang)

    def __repr__(self) -> str:
        return f"ShapeExplorer({', '.join(f'{k}={getattr(self, k)!r}' for k in LIMITS)})"

    def _repr_mimebundle_(self, **kwargs):
        """The widget view, and a static picture for clients that cannot draw it.

        JupyterLab and Notebook 7 draw the live view only from outputs they trust (ones
        run in this session, or a trusted notebook); in a notebook as saved they fall back
        to the best safe format, which is this PNG (:func:`static_png`), never the
        object's repr. The rendered book draws the view (it comes first there).
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:  # a closed widget has no view
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        png = static_png(self.sizes, lang=self.lang)
        return {**data, "image/png": base64.b64encode(png).decode("ascii")}, metadata

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """The predicted shapes for the current (last valid) sizes."""
        return predict_shapes(self.sizes)
