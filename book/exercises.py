"""Self-checks for the chapter's exercises (section "Summary and exercises").

Each ``check_<name>(answer)`` takes the learner's answer, prints feedback and returns
``True`` or ``False``. The feedback says what was expected and what came, in terms of shapes,
values and the chapter's equations, never by quoting a solution. An ordinary exception from
the learner's code (or a surprise inside the check) becomes feedback, not a traceback; a
kernel interrupt stops the cell as it does everywhere else. Learner code runs on small
inputs; in the kernel's main thread a time limit stops an endless loop, elsewhere there is
none (interrupt the kernel instead).

Known wrong answers are diagnosed from tables: each pairs a wrong shape or wrong values
with the mistake that produces them (:func:`_diagnose`).

Every word of feedback is written here in English, as the message id of
:func:`book.i18n.tr`, which gives it in the learner's language (:func:`book.i18n.language`:
Chinese in the zh_CN notebooks, else English) from the catalog ``runtime.po``. Fields carry
what is not translated: code, shapes, numbers and the chapter's equation labels (eq-concat
...).
"""

from __future__ import annotations

import contextlib
import functools
import numbers
import os
import re
import signal
import textwrap
import threading
import unicodedata

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from book.i18n import N_, tr
from book.scratch import BiRNNScratch
from book.train import seeded

__all__ = [
    "check_unequal_sizes",
    "check_deep_birnn",
    "check_polysemy",
    "check_merge",
    "check_summary",
    "check_padding",
    "check_perplexity",
    "check_lookbehind",
    "PERPLEXITY_CHOICES",
]

TIME_LIMIT_S = 10.0
OK, BAD = "✓", "✗"
WIDTH = 70  # feedback is wrapped to fit a notebook output and the book's page

# Line breaking. English is wrapped at spaces (textwrap). Chinese has no spaces between
# words: a line may break between two wide (CJK) characters, or between a wide character and
# a word, but never inside a word, number or code span of narrow characters, before a closing
# mark (，。）...) or after an opening one (（ ...). Widths are display widths: a wide
# character takes two columns. Chinese puts no space between two wide characters, nor
# beside a full-width mark.
_NO_BREAK_BEFORE = set("，。、；：？！）》」』】…,.;:?!)]}")
_NO_BREAK_AFTER = set("（《「『【([{")
_FULL_WIDTH = set("，。、；：？！（）《》「」『』【】")


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def _width(text: str) -> int:
    return sum(2 if _wide(c) else 1 for c in text)


def _wrap(text: str, width: int = WIDTH, indent: str = "  ") -> str:
    """``text`` broken into lines of at most ``width`` columns, the later ones indented; a
    piece that cannot be broken stays whole, as with ``textwrap(break_long_words=False)``."""
    if not any(_wide(c) for c in text):
        return textwrap.fill(
            text,
            width=width,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
    pieces: list[list[str]] = []  # [space before, piece]: no line break inside a piece
    for space, char in re.findall(r"(\s*)(\S)", text):
        # No space beside a full-width mark or between two wide characters: a template's
        # space before a field that turned out Chinese (a Chinese word, then {got}) is dropped.
        before = pieces[-1][1][-1] if pieces else ""
        space = (
            " "
            if space
            and not (char in _FULL_WIDTH or before in _FULL_WIDTH or _wide(char) and _wide(before))
            else ""
        )
        if (
            pieces
            and not space
            and (
                not (_wide(char) or _wide(before))  # a narrow word
                or char in _NO_BREAK_BEFORE
                or before in _NO_BREAK_AFTER
            )
        ):
            pieces[-1][1] += char
        else:
            pieces.append([space, char])
    lines, line = [], ""
    for space, piece in pieces:
        if line and _width(line + space + piece) > width:
            lines.append(line)
            line = indent + piece
        else:
            line += (space if line else "") + piece
    return "\n".join(lines + [line])


def _say(mark: str, message: str) -> None:
    print(_wrap(f"{mark} {message}"))


class _TimeLimit(BaseException):
    """Raised inside learner code that runs too long. A BaseException, so that a learner's
    ``except Exception`` cannot swallow it; only :func:`_time_limit` catches it."""


class _Failed(Exception):
    """A check found a problem; its message, in the learner's language, is the feedback.
    When the learner's code raised, that exception is the ``__cause__``."""


def _describe(value) -> str:
    if callable(value) and not isinstance(value, torch.Tensor):
        return f"{type(value).__name__} {getattr(value, '__name__', repr(value))}"
    if isinstance(value, torch.Tensor):
        text = tr(
            "a tensor of shape {shape} and dtype {dtype}",
            shape=tuple(value.shape),
            dtype=value.dtype,
        )
    else:
        text = f"{type(value).__name__} {value!r}"
    return text if len(text) <= 120 else text[:117] + "..."


@contextlib.contextmanager
def _time_limit(what: str):
    """Stop the block after ``TIME_LIMIT_S`` with SIGALRM, where that is possible: in the
    main thread, on a platform with ``setitimer``, when no one else (a test runner's
    timeout, say) owns the timer. Elsewhere the block runs without a limit."""
    if (
        threading.current_thread() is not threading.main_thread()
        or not hasattr(signal, "setitimer")
        or signal.getitimer(signal.ITIMER_REAL)[0]
    ):
        yield
        return

    def on_alarm(signum, frame):
        raise _TimeLimit()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    try:
        yield
    except _TimeLimit:
        raise _Failed(
            tr(
                "{what} did not finish within {limit:g} s on a tiny input: is there a "
                "loop that never ends?",
                what=what,
                limit=TIME_LIMIT_S,
            )
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run(fn, *args, what: str):
    """Call learner code; its exceptions and overruns become :class:`_Failed`."""
    try:
        with _time_limit(what):
            return fn(*args)
    except _Failed:
        raise
    except SystemExit as exc:
        raise _Failed(
            tr(
                "{what} called sys.exit() (or exit()), which would stop the program; "
                "return the result, or raise an exception to signal a problem.",
                what=what,
            )
        ) from exc
    except Exception as exc:  # the learner's error becomes feedback
        raise _Failed(tr("{what} raised {error}", what=what, error=_explain(exc))) from exc


def _explain(exc: Exception) -> str:
    """``Type: message (line N of f).`` for a learner's exception, with a hint for stubs."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    line = (
        tr(
            " (line {line} of {function})",
            line=frames[-1].tb_lineno,
            function=frames[-1].tb_frame.f_code.co_name,
        )
        if frames
        else ""
    )
    hint = (
        tr(" Replace the stub's `raise NotImplementedError` with your code.")
        if isinstance(exc, NotImplementedError)
        else ""
    )
    return tr(
        "{kind}: {text}{line}.{hint}", kind=type(exc).__name__, text=exc, line=line, hint=hint
    )


def _check(fn):
    """Make a check total for ordinary errors: print feedback and return a bool."""

    @functools.wraps(fn)
    def wrapper(answer):
        try:
            # The check seeds its own models; the learner's random stream stays untouched.
            with seeded(0):
                message = fn(answer)
        except _Failed as failure:
            _say(BAD, str(failure))
            return False
        except Exception as exc:  # noqa: BLE001 - a surprise inside the check is feedback too
            error = f"{type(exc).__name__}: {exc}"
            _say(
                BAD,
                tr(
                    "the check could not finish: {error}. Look at the type and shape of what "
                    "your answer returns.",
                    error=error,
                ),
            )
            return False
        _say(OK, message)
        return True

    return wrapper


def _diagnose(got, known, otherwise: str) -> str:
    """The mistake behind ``got``: the message of the first entry of ``known`` that matches,
    else ``otherwise``. ``known`` pairs a wrong answer with its explanation; a wrong answer
    is a shape (a tuple, matched by ``==``), a tensor (matched by :func:`_same`) or a
    predicate (a callable that returns True for the answers it explains)."""
    for wrong, why in known:
        if isinstance(wrong, torch.Tensor):
            matched = isinstance(got, torch.Tensor) and _same(got, wrong)
        elif isinstance(wrong, tuple):
            matched = not isinstance(got, torch.Tensor) and tuple(got) == wrong
        else:
            matched = wrong(got)
        if matched:
            return why
    return otherwise


def _require_callable(answer, name: str):
    if not callable(answer):
        raise _Failed(tr("expected {name}, got {got}.", name=name, got=_describe(answer)))


def _as_tensor(value, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise _Failed(tr("{what} should be a tensor, got {got}.", what=what, got=_describe(value)))
    return value.detach()


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a.float(), b.float(), atol=1e-5, rtol=1e-4)


def _shape(value, what: str) -> tuple:
    """A shape given as a tuple, list or torch.Size of whole numbers, as a tuple of ints."""
    if isinstance(value, (tuple, list, torch.Size)) and all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value
    ):
        return tuple(int(v) for v in value)
    raise _Failed(
        tr(
            "{what} should be a shape: a tuple of whole numbers such as (2, 8), got {got}.",
            what=what,
            got=_describe(value),
        )
    )


# --- Exercise 1: different hidden sizes per direction ------------------------------------------


@_check
def check_unequal_sizes(answer):
    """``answer(n, h_f, h_b, q)`` returns ``(shape of H_t, shape of W_hq)``.

    The truth is read off a real :class:`~book.BiRNNScratch` and a real output layer, not
    typed in, so the check and the chapter's equations cannot drift apart.
    """
    _require_callable(
        answer, tr("a function shapes(n, h_f, h_b, q) returning (H_t shape, W_hq shape)")
    )
    for n, h_f, h_b, q in ((2, 3, 5, 4), (3, 6, 2, 7), (1, 4, 4, 2)):
        call = f"shapes({n}, {h_f}, {h_b}, {q})"
        result = _run(answer, n, h_f, h_b, q, what=call)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise _Failed(
                tr(
                    "{call} should return a pair (H_t shape, W_hq shape), got {got}.",
                    call=call,
                    got=_describe(result),
                )
            )
        H_shape = _shape(result[0], tr("the first item (the shape of H_t)"))
        W_shape = _shape(result[1], tr("the second item (the shape of W_hq)"))
        layer = BiRNNScratch(3, h_f, h_b)
        with torch.no_grad():
            outputs, _ = layer(torch.zeros(2, n, 3))  # (T, n, h_f + h_b)
        true_H = tuple(outputs[0].shape)
        head = nn.Linear(h_f + h_b, q)  # weight is stored as (q, h_f + h_b)
        true_W = tuple(head.weight.T.shape)
        case = tr("with n={n}, h_f={h_f}, h_b={h_b}, q={q}", n=n, h_f=h_f, h_b=h_b, q=q)
        if H_shape != true_H:
            same_size = tr(
                "that treats both directions as if they had the same size; the forward "
                "half has h_f columns and the backward half h_b"
            )
            one_half = tr("H_t holds both directions side by side, not one of them")
            why = _diagnose(
                H_shape,
                [
                    *(((n, 2 * h), same_size) for h in (h_f, h_b) if h_f != h_b),
                    ((n, h_f), one_half),
                    ((n, h_b), one_half),
                    (
                        true_H[::-1],
                        tr(
                            "the rows of H_t are the n examples of the batch; the columns "
                            "are features"
                        ),
                    ),
                    (
                        lambda s: len(s) == 3,
                        tr("H_t is the state at one time step t, so it has no time axis"),
                    ),
                ],
                tr("see the concatenation equation ({label})", label="eq-concat"),
            )
            raise _Failed(
                tr(
                    "{case}: expected H_t of shape {want}, got {got}: {why}.",
                    case=case,
                    want=true_H,
                    got=H_shape,
                    why=why,
                )
            )
        if W_shape != true_W:
            why = _diagnose(
                W_shape,
                [
                    (
                        true_W[::-1],
                        tr(
                            "that is how nn.Linear stores its weight, (out, in); in O_t = "
                            "H_t W_hq the matrix W_hq multiplies H_t from the right, so it "
                            "has one row per column of H_t"
                        ),
                    ),
                    (
                        lambda s: len(s) == 2 and s[1] == q,
                        tr(
                            "W_hq needs one row per column of H_t, and H_t has {columns} columns",
                            columns=true_H[1],
                        ),
                    ),
                ],
                tr("see the output equation ({label})", label="eq-output"),
            )
            raise _Failed(
                tr(
                    "{case}: expected W_hq of shape {want}, got {got}: {why}.",
                    case=case,
                    want=true_W,
                    got=W_shape,
                    why=why,
                )
            )
    return tr(
        "H_t and W_hq have the right shapes for equal and unequal h_f, h_b (confirmed on a "
        "real BiRNNScratch and output layer)."
    )


# --- Exercise 2: a deep bidirectional RNN ------------------------------------------------------


def _load_layers(model, rnn):
    """Load layer ``l`` of a multi-layer bidirectional ``nn.RNN`` into ``model.layers[l]``
    with :meth:`book.BiRNNScratch.load_torch`, after checking what can be diagnosed."""
    layers = getattr(model, "layers", None)
    if layers is None or not hasattr(layers, "__len__") or not hasattr(layers, "__getitem__"):
        raise _Failed(
            tr(
                "the model should keep its layers in `self.layers` (an nn.ModuleList of "
                "BiRNNScratch), got {got}; the check loads PyTorch's weights through it.",
                got=_describe(layers),
            )
        )
    if len(layers) != rnn.num_layers:
        raise _Failed(
            tr(
                "with num_layers={L}, expected {L} layers in `self.layers`, got {got}.",
                L=rnn.num_layers,
                got=len(layers),
            )
        )
    registered = {id(p) for p in model.parameters()} if isinstance(model, nn.Module) else set()
    d, h = rnn.input_size, rnn.hidden_size
    for l, layer in enumerate(layers):
        name = tr("layer {number}", number=l + 1)
        if not isinstance(layer, BiRNNScratch):
            raise _Failed(
                tr("{name} should be a BiRNNScratch, got {got}.", name=name, got=_describe(layer))
            )
        if any(id(p) not in registered for p in layer.parameters()):
            raise _Failed(
                tr(
                    "{name}'s parameters are not registered with the model, so an "
                    "optimizer would never see them: keep the layers in an "
                    "nn.ModuleList, not a plain Python list.",
                    name=name,
                )
            )
        f_rnn, b_rnn = layer.f_rnn, layer.b_rnn
        if f_rnn is b_rnn or f_rnn.W_xh is b_rnn.W_xh or f_rnn.W_hh is b_rnn.W_hh:
            raise _Failed(
                tr(
                    "in {name} the forward and backward directions share weights; "
                    "equations {forward} and {backward} have separate parameters.",
                    name=name,
                    forward="eq-forward",
                    backward="eq-backward",
                )
            )
        expected = (d if l == 0 else 2 * h, h)
        got = tuple(f_rnn.W_xh.shape)
        if got != expected or tuple(b_rnn.W_xh.shape) != expected:
            why = _diagnose(
                got,
                [
                    (
                        lambda s: l > 0 and s[0] == d,
                        tr(
                            "{name} reads the concatenated states of layer {below}, so its input size is "
                            "h_f + h_b = {both}, not the data's d = {d}",
                            name=name,
                            below=l,
                            both=2 * h,
                            d=d,
                        ),
                    ),
                    (
                        lambda s: l > 0 and s[0] == h,
                        tr(
                            "{name} reads both directions of layer {below}, {both} features, not one "
                            "direction's {h}",
                            name=name,
                            below=l,
                            both=2 * h,
                            h=h,
                        ),
                    ),
                ],
                tr(
                    "its input size should be {input} and its hidden size {h}",
                    input=expected[0],
                    h=h,
                ),
            )
            raise _Failed(
                tr(
                    "with d={d}, h={h}: {name}'s W_xh should have shape {want}, got {got}: {why}.",
                    d=d,
                    h=h,
                    name=name,
                    want=expected,
                    got=got,
                    why=why,
                )
            )
        layer.load_torch(rnn, layer=l)


@_check
def check_deep_birnn(answer):
    """``answer(input_size, hidden_size, num_layers)`` builds a deep bidirectional RNN.

    The model keeps its layers in ``self.layers`` (``BiRNNScratch`` each); ``model(X)``
    returns ``(outputs, h_n)`` shaped like ``nn.RNN(..., bidirectional=True)``'s:
    ``(T, n, 2h)`` and ``(2L, n, h)``. The check copies the weights of a real ``nn.RNN``
    into it and compares every number.
    """
    _require_callable(answer, tr("a class DeepBiRNN(input_size, hidden_size, num_layers)"))
    d, h, T, n = 3, 4, 5, 2
    for L in (2, 3):
        gen = torch.Generator().manual_seed(L)
        rnn = nn.RNN(d, h, num_layers=L, bidirectional=True)
        with torch.no_grad():
            for p in rnn.parameters():
                p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
        model = _run(answer, d, h, L, what=f"DeepBiRNN({d}, {h}, {L})")
        _load_layers(model, rnn)
        if isinstance(model, nn.Module):
            model.eval()  # dropout between layers, if any, is switched off
        X = torch.randn(T, n, d, generator=gen)
        result = _run(
            lambda: model(X), what=tr("model(X) with X of shape {shape}", shape=(T, n, d))
        )
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise _Failed(
                tr(
                    "model(X) should return a pair (outputs, h_n), got {got}.",
                    got=_describe(result),
                )
            )
        outputs, h_n = (_as_tensor(r, w) for r, w in zip(result, ("outputs", "h_n")))
        with torch.no_grad():
            want_out, want_h = rnn(X)
            first_out, _ = BiRNNScratch.from_torch(rnn, layer=0)(X)
        case = tr("with d={d}, h={h}, num_layers={L}", d=d, h=h, L=L)
        if outputs.shape != want_out.shape:
            raise _Failed(
                tr(
                    "{case}: expected outputs of shape {want} (T, n, 2h), got {got}.",
                    case=case,
                    want=tuple(want_out.shape),
                    got=tuple(outputs.shape),
                )
            )
        if not _same(outputs, want_out):
            why = _diagnose(
                outputs,
                [
                    (first_out, tr("they are layer 1's outputs; return the top layer's")),
                    (
                        lambda o: _same(o[..., :h], want_out[..., :h]),
                        tr("the forward half matches but the backward half does not"),
                    ),
                ],
                tr("each layer should read the previous layer's outputs, (T, n, 2h)"),
            )
            raise _Failed(
                tr(
                    "{case}: outputs differ from nn.RNN(num_layers={L}, "
                    "bidirectional=True) with the same weights: {why}.",
                    case=case,
                    L=L,
                    why=why,
                )
            )
        if h_n.shape != want_h.shape:
            raise _Failed(
                tr(
                    "{case}: expected h_n of shape {want} (2L, n, h), got {got}.",
                    case=case,
                    want=tuple(want_h.shape),
                    got=tuple(h_n.shape),
                )
            )
        if not _same(h_n, want_h):
            why = _diagnose(
                h_n,
                [
                    (
                        torch.cat([want_h[0::2], want_h[1::2]]),
                        tr(
                            "the rows are grouped by direction; PyTorch groups them by layer: layer 1 "
                            "forward, layer 1 backward, layer 2 forward, ..."
                        ),
                    ),
                ],
                tr(
                    "row 2l should be layer l+1's last forward state and row 2l+1 its backward "
                    "state after reading x_1"
                ),
            )
            raise _Failed(tr("{case}: h_n differs from nn.RNN's: {why}.", case=case, why=why))
    return tr(
        "outputs and h_n match nn.RNN(num_layers=L, bidirectional=True) with copied "
        "weights, for L = 2 and 3."
    )


# --- Exercise 3: polysemy and contextual word vectors -----------------------------------------


def _vector(value, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise _Failed(
            tr(
                "{what} should return a tensor (a vector), got {got}.",
                what=what,
                got=_describe(value),
            )
        )
    v = value.detach().float().flatten()
    if v.numel() == 0 or not torch.isfinite(v).all():
        raise _Failed(
            tr(
                "{what} returned an empty or non-finite tensor: {got}.",
                what=what,
                got=_describe(value),
            )
        )
    return v


@contextlib.contextmanager
def _no_progress_bar():
    """tqdm's own switch (see :mod:`book.train`), on for the block: the check's copy of the
    encoder trains without drawing a bar in the learner's notebook."""
    before = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["TQDM_DISABLE"]
        else:
            os.environ["TQDM_DISABLE"] = before


@functools.cache
def _polysemy_reference():
    """The exercise's encoder at every probe sentence: ``(states, scores)``, one ``(T, 2h)``
    and one ``(T, q)`` tensor per probe.

    :func:`book.polysemy.train_encoder` is seeded and runs on one thread, so this copy has
    the very weights of the encoder the notebook trains: an answer that reads a neighbouring
    word's state, or the read-out's scores, can be named exactly. (An answer built on some
    other encoder is judged by the other tests alone.) Trained once per kernel."""
    from book.polysemy import probe_sentences, train_encoder

    with _no_progress_bar():
        encoder, vocab, _ = train_encoder()
    states, scores = [], []
    with torch.no_grad():
        for p in probe_sentences():
            S = encoder.states(vocab.encode(p.tokens)[:, None])[:, 0]  # (T, 2h)
            states.append(S)
            scores.append(encoder.head(S))  # (T, q)
    return states, scores


def _all_same(V: torch.Tensor, wanted) -> bool:
    """Every row of ``V`` equals the matching tensor of ``wanted``, flattened."""
    return all(w.numel() == v.numel() and _same(v, w.flatten()) for v, w in zip(V, wanted))


def _group_separation(vectors) -> float:
    """Mean same-sense minus mean cross-sense cosine, after centring the group of four."""
    V = torch.stack(vectors)
    V = V - V.mean(dim=0)
    V = V / V.norm(dim=1, keepdim=True).clamp_min(1e-12)
    C = V @ V.T
    # Rows 0-1 are one sense, rows 2-3 the other (book.polysemy.probe_sentences).
    within = (C[0, 1] + C[2, 3]) / 2
    across = C[:2, 2:].mean()
    return float(within - across)


@_check
def check_polysemy(answer):
    """``answer(tokens, position)`` returns a vector for ``tokens[position]`` in its sentence.

    The check uses the held-out probe sentences of :mod:`book.polysemy`: groups of four in
    which "bank" keeps every word on one side and the sense cue on the other side changes.
    A contextual vector must (1) differ between contexts, (2) differ between words of one
    sentence, (3) change with the cue on either side, and (4) put the same sense closer than
    the other sense.
    """
    from book.polysemy import probe_sentences

    _require_callable(answer, tr("a function contextual_vector(tokens, position)"))
    probes = probe_sentences()
    time_first = "vocab.encode(tokens)[:, None]"
    vectors = []
    for p in probes:
        what = f"contextual_vector({list(p.tokens)}, {p.position})"
        try:
            vectors.append(_vector(_run(answer, list(p.tokens), p.position, what=what), what))
        except _Failed as failure:
            if isinstance(failure.__cause__, IndexError):
                raise _Failed(
                    tr(
                        "{failure} The encoder reads a time-first batch, (T, n): a (1, "
                        "T) input is T sequences of one word each. Use {fix}.",
                        failure=failure,
                        fix=time_first,
                    )
                ) from failure.__cause__
            raise
    sizes = {v.numel() for v in vectors}
    if len(sizes) > 1:
        raise _Failed(
            tr(
                "expected vectors of one size for every sentence, got sizes {sizes}.",
                sizes=sorted(sizes),
            )
        )
    V = torch.stack(vectors)
    first = probes[0]
    word = first.tokens[first.position]
    states, scores = _polysemy_reference()
    neighbours = {
        1: N_(
            "these are the states of the word after '{word}' (position + 1: '{neighbour}' in "
            "'{sentence}'), not of '{word}' itself: take the state at `position`."
        ),
        -1: N_(
            "these are the states of the word before '{word}' (position - 1: '{neighbour}' in "
            "'{sentence}'), not of '{word}' itself: take the state at `position`."
        ),
    }
    for step, key in neighbours.items():
        if _all_same(V, [S[p.position + step] for S, p in zip(states, probes)]):
            raise _Failed(
                tr(
                    key,
                    word=word,
                    neighbour=first.tokens[first.position + step],
                    sentence=" ".join(first.tokens),
                )
            )
    for read_out in (lambda o: o, lambda o: o.softmax(-1), lambda o: o.log_softmax(-1)):
        if _all_same(V, [read_out(L[p.position]) for L, p in zip(scores, probes)]):
            raise _Failed(
                tr(
                    "these are the read-out's {q} scores (or probabilities) for the "
                    "words of the vocabulary at '{word}': calling `encoder` runs the "
                    "output layer on the states. The contextual vector is the state that "
                    "the read-out reads, from `encoder.states`.",
                    q=scores[0].shape[-1],
                    word=word,
                )
            )
    if torch.allclose(V, V[0].expand_as(V), atol=1e-6):
        raise _Failed(
            tr(
                "all {count} sentences gave the same vector for '{word}'. That is a "
                "static vector: one per word, whatever surrounds it. Either it is the "
                "embedding table's row, or the encoder saw each word alone, as happens "
                "when a (1, T) batch-first input is read as T one-word sequences (the "
                "encoder wants (T, n): {fix}). Run the encoder over the whole sentence "
                "and take its state at the word.",
                count=len(probes),
                word=word,
                fix=time_first,
            )
        )
    other = 0 if first.position != 0 else 1
    what = f"contextual_vector({list(first.tokens)}, {other})"
    v_other = _vector(_run(answer, list(first.tokens), other, what=what), what)
    if v_other.numel() == V.shape[1] and torch.allclose(v_other, V[0], atol=1e-6):
        raise _Failed(
            tr(
                "'{other}' and '{word}' in the same sentence got the same vector: the "
                "answer ignores `position` and describes the sentence, not the word.",
                other=first.tokens[other],
                word=first.tokens[first.position],
            )
        )
    right = [g for g in range(8) if probes[4 * g].cue == "right"]
    left = [g for g in range(8) if probes[4 * g].cue == "left"]

    def frozen(groups):
        return all(
            torch.allclose(V[4 * g : 4 * g + 4], V[4 * g].expand(4, -1), atol=1e-6) for g in groups
        )

    if frozen(right):
        raise _Failed(
            tr(
                "sentences that differ only in a word to the RIGHT of 'bank' ({example}) "
                "got identical vectors: your vector reads only leftwards. Include the "
                "backward direction's state.",
                example=tr(
                    "'{a}' vs '{b}'", a="... bank near the water", b="... bank near the cash"
                ),
            )
        )
    if frozen(left):
        raise _Failed(
            tr(
                "sentences that differ only in a word to the LEFT of 'bank' ({example}) "
                "got identical vectors: your vector reads only rightwards. Include the "
                "forward direction's state.",
                example=tr("'{a}' vs '{b}'", a="the muddy bank", b="the central bank"),
            )
        )
    sep_right = sum(_group_separation(list(V[4 * g : 4 * g + 4])) for g in right) / len(right)
    sep_left = sum(_group_separation(list(V[4 * g : 4 * g + 4])) for g in left) / len(left)
    threshold = 0.5
    if sep_right < threshold or sep_left < threshold:
        raise _Failed(
            tr(
                "the vectors change with the context but do not group by sense: after "
                "centring, same-sense pairs beat cross-sense pairs by {right:.2f} (cue "
                "on the right) and {left:.2f} (cue on the left) in cosine similarity; "
                "expected at least {threshold} for both (at most 2 is possible). Use the "
                "trained encoder's states, not random or untrained ones.",
                right=sep_right,
                left=sep_left,
                threshold=threshold,
            )
        )
    return tr(
        "context-dependent vectors: same-sense contexts are closer than cross-sense ones "
        "(separation {right:.2f} with the cue on the right, {left:.2f} on the left).",
        right=sep_right,
        left=sep_left,
    )


# --- Exercise 4: merging the directions --------------------------------------------------------


@_check
def check_merge(answer):
    """``answer(f_outputs, b_outputs, mode)`` merges the two directions' states.

    ``f_outputs`` is (T, n, h_f), ``b_outputs`` is (T, n, h_b), already in the original time
    order. ``mode="concat"`` gives (T, n, h_f + h_b); ``"sum"`` and ``"mean"`` give (T, n, h)
    and raise ``ValueError`` naming both sizes when h_f != h_b.
    """
    _require_callable(answer, tr("a function merge(f_outputs, b_outputs, mode)"))
    gen = torch.Generator().manual_seed(0)
    T, n = 4, 2
    F, B = torch.randn(T, n, 3, generator=gen), torch.randn(T, n, 3, generator=gen)
    wants = {"concat": torch.cat([F, B], dim=-1), "sum": F + B, "mean": (F + B) / 2}
    for mode, want in wants.items():
        what = tr(
            "merge(f_outputs, b_outputs, {mode}) with both of shape {shape}",
            mode=repr(mode),
            shape=(T, n, 3),
        )
        got = _as_tensor(_run(answer, F.clone(), B.clone(), mode, what=what), what)
        if got.shape != want.shape:
            reduced = tr(
                "the merge happens at every step, per feature; nothing is reduced over "
                "time or features"
            )
            why = _diagnose(
                tuple(got.shape),
                {
                    "concat": [
                        (
                            (2 * T, n, 3),
                            tr(
                                "that joins them along time (dim 0); the directions go side by "
                                "side in the feature axis"
                            ),
                        ),
                        (
                            (T, 2 * n, 3),
                            tr(
                                "that joins them along the batch axis (dim 1); use the feature axis"
                            ),
                        ),
                    ],
                    "sum": [
                        (
                            (T, n, 6),
                            tr(
                                "{mode} combines matching features of the two directions, "
                                "so the size stays h",
                                mode="sum",
                            ),
                        )
                    ],
                    "mean": [
                        (
                            (T, n, 6),
                            tr(
                                "{mode} combines matching features of the two directions, "
                                "so the size stays h",
                                mode="mean",
                            ),
                        )
                    ],
                }[mode]
                + [((n, 3), reduced), ((T, n), reduced), ((n, 6), reduced)],
                "",
            )
            raise _Failed(
                tr(
                    "{what}: expected shape {want}, got {got}{why}.",
                    what=what,
                    want=tuple(want.shape),
                    got=tuple(got.shape),
                    why=tr(": {why}", why=why) if why else "",
                )
            )
        if not _same(got, want):
            one_direction = tr("only one direction came through")
            why = _diagnose(
                got,
                {
                    "concat": [
                        (
                            torch.cat([B, F], dim=-1),
                            tr(
                                "the backward half comes first; the chapter (and PyTorch) put "
                                "forward first"
                            ),
                        )
                    ],
                    "mean": [
                        (
                            F + B / 2,
                            tr(
                                "only the backward states were halved: mind the operator precedence"
                            ),
                        ),
                        (
                            F + B,
                            tr("that is the sum; the mean divides it by the number of directions"),
                        ),
                    ],
                    "sum": [((F + B) / 2, tr("that is the mean, not the sum"))],
                }[mode]
                + [(F, one_direction), (B, one_direction)],
                tr("compare with the definition of the mode, feature by feature, step by step"),
            )
            raise _Failed(
                tr("{what}: the shape is right but the values are not: {why}.", what=what, why=why)
            )
    F5 = torch.randn(T, n, 5, generator=gen)
    what = tr("merge(f_outputs, b_outputs, {mode}) with h_f=3, h_b=5", mode=repr("concat"))
    got = _as_tensor(_run(answer, F, F5, "concat", what=what), what)
    if not _same(got, torch.cat([F, F5], dim=-1)):
        raise _Failed(
            tr(
                "{what}: expected shape {want} holding forward then backward states, got {got}.",
                what=what,
                want=(T, n, 8),
                got=_describe(got),
            )
        )
    for mode in ("sum", "mean"):
        what = tr("merge(f_outputs, b_outputs, {mode}) with h_f=3, h_b=5", mode=repr(mode))
        try:
            got = _run(answer, F, F5, mode, what=what)
        except _Failed as failure:
            exc = failure.__cause__
            if not isinstance(exc, ValueError):
                raise _Failed(
                    tr(
                        "{failure}. Expected a ValueError that names both sizes (3 and "
                        "5): check them before any arithmetic, as the chapter's layers "
                        "do.",
                        failure=str(failure).rstrip(".。"),
                    )
                ) from None
            named = {int(m) for m in re.findall(r"(?<![\d.])\d+(?![\d.])", str(exc))}
            if not {3, 5} <= named:
                raise _Failed(
                    tr(
                        "{what}: a ValueError is right, but its message should name both "
                        "sizes, 3 and 5; it said: {said}",
                        what=what,
                        said=exc,
                    )
                ) from None
            continue
        raise _Failed(
            tr(
                "{what}: expected a ValueError ({mode} needs h_f == h_b), but it returned {got}.",
                what=what,
                mode=mode,
                got=_describe(got),
            )
        )
    return tr(
        "concat, sum and mean give the right shapes and values; sum and mean refuse unequal "
        "hidden sizes with a clear ValueError."
    )


# --- Exercise 5: summaries of a padded, batch-first batch -------------------------------------


def _pair(value, what: str):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise _Failed(
            tr(
                "{what} should return a pair (final, mean), got {got}.",
                what=what,
                got=_describe(value),
            )
        )
    return value


@_check
def check_summary(answer):
    """``answer(output, h_n, lengths)`` returns ``(final, mean)``, each ``(n, 2h)``.

    ``output`` and ``h_n`` come from ``nn.LSTM(d, h, num_layers=L, bidirectional=True,
    batch_first=True)`` run on a packed batch of sequences of unequal ``lengths``, the
    output unpacked batch-first, ``(n, T, 2h)``, with zeros past each length; ``h_n`` is
    ``(2L, n, h)``. ``final`` is the top layer's final forward state, then its backward
    state after reading x_1; ``mean`` is the mean of ``output`` over each sequence's real
    steps.
    """
    _require_callable(answer, tr("a function summarize(output, h_n, lengths)"))
    d = 2
    for L, h, lengths in ((1, 4, [5, 2, 4]), (2, 3, [3, 5, 1])):  # h varies: no sizes assumed
        torch.manual_seed(20 + L)
        lstm = nn.LSTM(d, h, num_layers=L, bidirectional=True, batch_first=True)
        n, T = len(lengths), max(lengths)
        lengths_t = torch.tensor(lengths)
        X = torch.randn(n, T, d)
        for i, length in enumerate(lengths):
            X[i, length:] = 0.0  # padding
        with torch.no_grad():
            packed = pack_padded_sequence(X, lengths_t, batch_first=True, enforce_sorted=False)
            packed_output, (h_n, _) = lstm(packed)
            output, _ = pad_packed_sequence(packed_output, batch_first=True)  # (n, T, 2h)
        final = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (n, 2h)
        mean = output.sum(dim=1) / lengths_t[:, None]  # (n, 2h)
        call = tr(
            "summarize(output, h_n, lengths) for num_layers={L} (output {output}, h_n "
            "{h_n}, lengths {lengths})",
            L=L,
            output=tuple(output.shape),
            h_n=tuple(h_n.shape),
            lengths=lengths,
        )
        got_final, got_mean = _pair(
            _run(answer, output.clone(), h_n.clone(), lengths_t.clone(), what=call), call
        )
        rows = torch.arange(n)
        what = tr("{call}, {item}", call=call, item=tr("the first item (the final states)"))
        _compare_summary(
            _as_tensor(got_final, what),
            final,
            what,
            shapes=[
                (
                    (2 * L, 2 * h),
                    tr(
                        "that is one row per layer and direction: h_n is not "
                        "batch-first. batch_first=True changes the input and "
                        "output, but h_n stays (2L, n, h): its rows are layers "
                        "and directions, its second axis the sequences"
                    ),
                ),
                (
                    (T, 2 * h),
                    tr(
                        "that is one sequence at every step: with batch_first=True, "
                        "output is (n, T, 2h), so output[-1] is the last sequence, "
                        "not the last step"
                    ),
                ),
                ((h, n, 2), tr("one row per sequence, both directions side by side")),
                ((2, n, h), tr("one row per sequence, both directions side by side")),
                ((n, h), tr("that is one direction; the summary needs both")),
                ((n, 2 * L * h), tr("that includes every layer; the summary is the top layer's")),
            ],
            values=[
                (
                    output[:, -1],
                    tr(
                        "that is output[:, -1], the last step of the padded batch: "
                        "for a sequence shorter than T it holds the zeros that "
                        "pad_packed_sequence fills in, and even for a full one its "
                        "backward half is the backward direction's first step, not "
                        "its final state"
                    ),
                ),
                (
                    output[rows, lengths_t - 1],
                    tr(
                        "the forward halves are right: output[i, lengths[i] - 1] is where the "
                        "forward direction stops. The backward halves are not: there the backward "
                        "direction has taken only its first step; it ends at step 0"
                    ),
                ),
                (
                    output[:, 0],
                    tr(
                        "that is output[:, 0]: its backward half is the final "
                        "backward state, but its forward half is the forward "
                        "direction's first step"
                    ),
                ),
                *(
                    [
                        (
                            torch.cat([h_n[0], h_n[1]], dim=-1),
                            tr(
                                "those are layer 1's final states; the top layer's are the last two "
                                "rows of h_n"
                            ),
                        )
                    ]
                    if L == 2
                    else []
                ),
                (
                    torch.cat([h_n[-1], h_n[-2]], dim=-1),
                    tr("the backward state comes first; put the forward state first, as in output"),
                ),
                (
                    h_n[-2:].reshape(n, 2 * h),
                    tr(
                        "reshape mixes the examples: in h_n the batch is the middle axis, so "
                        "reshaping (2, n, h) to (n, 2h) pairs rows of different sequences"
                    ),
                ),
            ],
            otherwise=tr("compare it with the top layer's final states in h_n"),
        )
        what = tr("{call}, {item}", call=call, item=tr("the second item (the mean)"))
        _compare_summary(
            _as_tensor(got_mean, what),
            mean,
            what,
            shapes=[
                (
                    (T, 2 * h),
                    tr(
                        "that averages over the batch (dim 0); with batch_first=True, time is dim 1"
                    ),
                ),
                ((n, T), tr("that averages over the features; average over time (dim 1)")),
                ((n, h), tr("that is one direction; the summary needs both")),
            ],
            values=[
                (
                    output.mean(dim=1),
                    tr(
                        "that is output.mean(dim=1), which also counts the padded steps (zeros "
                        "after pad_packed_sequence), so a short sequence's mean is pulled toward "
                        "zero. Divide the sum over time by each sequence's own length"
                    ),
                ),
                (
                    output.sum(dim=1),
                    tr("that is the sum over time; divide it by each sequence's length"),
                ),
            ],
            otherwise=tr("compare it with the mean of output[i, :lengths[i]] for each sequence i"),
        )
    return tr(
        "the final states come from the top layer's rows of h_n (which is not batch-first), "
        "and the mean covers each sequence's real steps only, for one and two layers."
    )


def _compare_summary(got, want, what, shapes, values, otherwise):
    if got.shape != want.shape:
        why = _diagnose(tuple(got.shape), shapes, "")
        raise _Failed(
            tr(
                "{what}: expected shape {want} (n, 2h), got {got}{why}.",
                what=what,
                want=tuple(want.shape),
                got=tuple(got.shape),
                why=tr(": {why}", why=why) if why else "",
            )
        )
    if not _same(got, want):
        raise _Failed(
            tr(
                "{what}: the shape is right but the values are not: {why}.",
                what=what,
                why=_diagnose(got, values, otherwise),
            )
        )


# --- Exercise 6: final states of a scratch layer on a padded batch -----------------------------


def _reverse_within(X: torch.Tensor, lengths) -> torch.Tensor:
    """Each sequence of a padded time-first batch reversed within its own length; the
    padding stays at the end."""
    out = X.clone()
    for i, length in enumerate(lengths):
        out[:length, i] = X[:length, i].flip(0)
    return out


@_check
def check_padding(answer):
    """``answer(layer, X, lengths)`` returns the (n, h_f + h_b) final states of a padded batch
    for a :class:`~book.BiRNNScratch` ``layer``, which cannot be told the lengths.

    ``X`` is (T, n, d), time first, with sequence i occupying ``X[:lengths[i], i]``; the rest
    is padding. Row i must equal what ``layer`` gives for sequence i alone: the forward state
    after its last real step, then the backward state after reading it back to x_1. Each
    direction is to be run once over the whole batch, not once per sequence.
    """
    _require_callable(answer, tr("a function final_states(layer, X, lengths)"))
    d = 3
    for T, lengths, h_f, h_b in ((6, [6, 3, 5, 1], 4, 4), (4, [2, 4, 3], 3, 5)):
        torch.manual_seed(T)
        layer = BiRNNScratch(d, h_f, h_b)
        with torch.no_grad():
            # Biases too: with b_h = 0, a state of zeros stays zero on zero padding, and
            # reading the padding first would do no harm.
            for p in layer.parameters():
                p.copy_(torch.randn(p.shape) * 0.5)
        n = len(lengths)
        X = torch.randn(T, n, d)
        for i, length in enumerate(lengths):
            X[length:, i] = 0.0  # padding, as a padded batch would hold
        rows, last = torch.arange(n), torch.tensor(lengths) - 1
        with torch.no_grad():
            alone = [
                torch.cat(layer(X[:length, i : i + 1])[1], dim=-1)[0]
                for i, length in enumerate(lengths)
            ]
            want = torch.stack(alone)  # (n, h_f + h_b)
            _, (naive_f, naive_b) = layer(X)
            right_f = want[:, :h_f]
            flipped, _ = layer.b_rnn(X.flip(0))  # the padded batch reversed as a whole
            reversed_out, reversed_last = layer.b_rnn(_reverse_within(X, lengths))
            with_f_rnn, _ = layer.f_rnn(_reverse_within(X, lengths))
        known = [
            (
                torch.cat([naive_f, naive_b], dim=-1),
                tr(
                    "these are the final states of the padded batch: sequences {short} are shorter "
                    "than T, so their forward state went on through the padding and their backward "
                    "state started on it. Only the full-length rows are right",
                    short=[i for i, length in enumerate(lengths) if length < T],
                ),
            ),
            (
                torch.cat([right_f, naive_b], dim=-1),
                tr(
                    "the forward halves are right, but the backward halves come from reversing the "
                    "padded batch as a whole (X.flip(0), as BiRNNScratch does), so a short sequence's "
                    "backward pass reads its padding before its last real step. Reverse each sequence "
                    "within its own length"
                ),
            ),
            (
                torch.cat([right_f, flipped[last, rows]], dim=-1),
                tr(
                    "the forward halves are right, but the backward halves come from reversing the "
                    "padded batch as a whole (X.flip(0), as BiRNNScratch does), so a short sequence's "
                    "backward pass reads its padding before its last real step. Reverse each sequence "
                    "within its own length"
                ),
            ),
            (
                torch.cat([right_f, reversed_last], dim=-1),
                tr(
                    "the forward halves are right and the backward pass starts where it should, but "
                    "its final state has run on past x_1 into the padding at the end of the reversed "
                    "batch: read its output at step lengths - 1, where it has just read x_1"
                ),
            ),
            (
                torch.cat([right_f, with_f_rnn[last, rows]], dim=-1),
                tr(
                    "the backward halves were computed with layer.f_rnn; the backward direction is "
                    "layer.b_rnn, with weights of its own ({label})",
                    label="eq-backward",
                ),
            ),
            (
                lambda g: _same(g[:, :h_f], right_f),
                tr(
                    "the forward halves are right, the backward halves are not: for a short sequence "
                    "the backward direction must start at its last real step, not at the padding"
                ),
            ),
            (
                lambda g: _same(g[:, h_f:], want[:, h_f:]),
                tr(
                    "the backward halves are right, the forward halves are not: the forward state "
                    "should stop at each sequence's last real step"
                ),
            ),
        ]
        calls = {"f": 0, "b": 0}
        # Count the calls of each direction: a loop over the sequences calls b_rnn n times.
        hooks = [
            rnn.register_forward_hook(lambda *_, key=key: calls.update({key: calls[key] + 1}))
            for rnn, key in ((layer.f_rnn, "f"), (layer.b_rnn, "b"))
        ]
        what = tr(
            "final_states(layer, X, lengths) with X of shape {shape}, lengths {lengths}, "
            "h_f={h_f} and h_b={h_b}",
            shape=(T, n, d),
            lengths=lengths,
            h_f=h_f,
            h_b=h_b,
        )
        try:
            got = _as_tensor(_run(answer, layer, X.clone(), torch.tensor(lengths), what=what), what)
        finally:
            for hook in hooks:
                hook.remove()
        if got.shape != want.shape:
            raise _Failed(
                tr(
                    "{what}: expected shape {want} (n, h_f + h_b), got {got}.",
                    what=what,
                    want=tuple(want.shape),
                    got=tuple(got.shape),
                )
            )
        if not _same(got, want):
            neither = tr(
                "neither direction matches running each sequence on its own; rows must "
                "stay in the original batch order"
            )
            raise _Failed(tr("{what}: {why}.", what=what, why=_diagnose(got, known, neither)))
        if calls["b"] >= n:
            raise _Failed(
                tr(
                    "{what}: the values are right, but the backward direction ran "
                    "{calls} times, once per sequence. Reverse every sequence within its "
                    "own length in one batch: then one call of layer.b_rnn covers them "
                    "all.",
                    what=what,
                    calls=calls["b"],
                )
            )
    return tr(
        "the final states of every sequence, short or long, equal those of the sequence run "
        "on its own, with one call of each direction over the whole batch."
    )


# --- Exercise 7: why a bidirectional language model's perplexity lies --------------------------

_PERPLEXITY_CHOICES = {
    "a": N_(
        "It has twice as many parameters as a one-direction model, so it memorises the "
        "training text."
    ),
    "b": N_(
        "Its state at step t includes the backward direction, which has already read the "
        "character x_{t+1} it is asked to predict."
    ),
    "c": N_(
        "The backward direction is trained to predict x_{t-1}, and averaging the two "
        "directions' losses halves the reported loss."
    ),
    "d": N_(
        "Perplexity is the exponential of the loss, and two directions' states make the "
        "logits larger, which the exponential exaggerates."
    ),
}
# The statements in the learner's language, fixed when the module is imported (a Chinese
# notebook's kernel imports it in Chinese).
PERPLEXITY_CHOICES = {k: tr(v) for k, v in _PERPLEXITY_CHOICES.items()}
_PERPLEXITY_WHY_NOT = {
    "a": N_(
        "memorising would not carry over to new text, yet such a model scores almost as well "
        "on text it has never seen. Ask which inputs the state H_t has read."
    ),
    "c": N_(
        "nothing in the next-character objective asks the backward direction to predict "
        "x_{t-1}: both halves of H_t feed one prediction of x_{t+1}. Ask what the backward "
        "half has read."
    ),
    "d": N_(
        "scaling the logits does not lower a well-calibrated loss on its own, and perplexity "
        "is a monotone function of the loss. The question is what information the prediction "
        "had."
    ),
}


@_check
def check_perplexity(answer):
    """``answer`` is one letter, a-d, from :data:`PERPLEXITY_CHOICES`."""
    if not isinstance(answer, str) or answer.strip().strip("()").lower() not in PERPLEXITY_CHOICES:
        raise _Failed(
            tr("expected one letter, 'a', 'b', 'c' or 'd', got {got}.", got=_describe(answer))
        )
    letter = answer.strip().strip("()").lower()
    if letter in _PERPLEXITY_WHY_NOT:
        why = tr(_PERPLEXITY_WHY_NOT[letter])
        raise _Failed(tr("({letter}) is not the reason: {why}", letter=letter, why=why))
    return tr(
        "right: the backward half of H_t is computed from x_t..x_T, so the target x_{t+1} "
        "is part of the input. The model copies it, and the low perplexity measures "
        "copying, not prediction."
    )


# --- Exercise 8: how far to the left must the reader read? -------------------------------------


@functools.cache
def _lookbehind_questions():
    """The shipped bidirectional fill-in reader (seed 0) and every 8th held-out question of
    :func:`book.pretrained.centre_blanks`: ``(model, inputs, truth)``."""
    from book import pretrained

    inputs, truth = pretrained.centre_blanks()
    return pretrained.load("bidirectional", 0), inputs[:, ::8].clone(), truth[::8].clone()


def _share_right(model, inputs, truth, row) -> float:
    with torch.no_grad():
        guesses = model(inputs)[row].argmax(-1)
    return (guesses == truth).float().mean().item()


def _number(value, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.dtype != torch.bool:
        return float(value.item())
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    raise _Failed(
        tr(
            "{what} should return a number, the share of the questions answered right, got {got}.",
            what=what,
            got=_describe(value),
        )
    )


@_check
def check_lookbehind(answer):
    """``answer(model, inputs, truth, k)`` returns the share of the held-out questions
    ``(inputs, truth)`` that ``model`` answers right when the text starts ``k`` characters
    before the blank (the characters further left removed; the whole right side kept).

    ``inputs`` is (2 CONTEXT + 1, n) with the blank at row CONTEXT, as
    :func:`book.pretrained.centre_blanks` makes them; the check uses the shipped
    bidirectional reader on every 8th question.
    """
    from book.pretrained import CONTEXT
    from book.text import Vocab

    _require_callable(answer, tr("a function accuracy_left(model, inputs, truth, k)"))
    model, inputs, truth = _lookbehind_questions()
    n = len(truth)
    ks = (3, 0, 1, CONTEXT)
    # The small models run fastest on one thread, the more so on a busy machine.
    with seeded(0, num_threads=1):
        for k in ks:
            model.eval()
            want = _share_right(model, inputs[CONTEXT - k :], truth, k)
            what = tr(
                "accuracy_left(model, inputs, truth, {k}) on {n} held-out questions", k=k, n=n
            )
            got = _number(_run(answer, model, inputs.clone(), truth.clone(), k, what=what), what)
            if abs(got - want) <= 1.5 / n:  # one question may flip on another CPU
                continue
            model.eval()

            def near(value):
                return lambda g: abs(g - value) <= 1.5 / n

            def filled(token):
                X = inputs.clone()
                X[: CONTEXT - k] = token
                return _share_right(model, X, truth, CONTEXT)

            known = [
                (near(100 * want), tr("that is a percentage; return the share, between 0 and 1")),
                (
                    near(want * n),
                    tr("that is the number of questions answered right; return their share"),
                ),
                (
                    near(_share_right(model, inputs[: CONTEXT + 1 + k], truth, CONTEXT)),
                    tr(
                        "that cuts the text k characters after the blank, as the look-ahead "
                        "measurement did; here keep the whole right side and cut the left"
                    ),
                ),
                *(
                    [
                        (
                            near(_share_right(model, inputs[CONTEXT - k :], truth, CONTEXT)),
                            tr(
                                "after the cut the blank is no longer at row CONTEXT = {context}: with k "
                                "characters left of it, it is at row k",
                                context=CONTEXT,
                            ),
                        )
                    ]
                    if k < CONTEXT
                    else []
                ),
                *[
                    (
                        near(_share_right(model, inputs[CONTEXT - r :], truth, r)),
                        tr("that reads {read} characters left of the blank, not {k}", read=r, k=k),
                    )
                    for r in (k - 1, k + 1)
                    if 0 <= r <= CONTEXT
                ],
                *[
                    (
                        near(filled(token)),
                        tr(
                            "the characters further left were replaced by {token}, "
                            "not removed: the model still reads those steps, and a "
                            "run of {token} tells it something. Drop them, so that "
                            "the text starts k characters before the blank",
                            token=name,
                        ),
                    )
                    for token, name in ((Vocab.mask_id, "<mask>"), (Vocab.pad_id, "<pad>"))
                    if k < CONTEXT
                ],
            ]
            why = next(
                (why for test, why in known if test(got)),
                tr(
                    "keep inputs[CONTEXT - k:], in which the blank is at row k, and compare "
                    "the model's guesses there with truth"
                ),
            )
            raise _Failed(
                tr(
                    "{what}: expected {want:.3f}, got {got:.3f}: {why}.",
                    what=what,
                    want=want,
                    got=got,
                    why=why,
                )
            )
    return tr(
        "accuracy_left agrees with the reference on the held-out questions, for k = {ks}.",
        ks=", ".join(str(k) for k in sorted(ks)),
    )
