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
"""
from __future__ import annotations

import contextlib
import functools
import numbers
import re
import signal
import textwrap
import threading

import torch
from torch import nn

from book.i18n import language
from book.i18n import message as _message
from book.scratch import BiRNNScratch
from book.shapes import describe
from book.train import seeded

__all__ = ["check_unequal_sizes", "check_deep_birnn", "check_polysemy", "check_merge",
           "check_summary", "check_padding", "check_perplexity", "PERPLEXITY_CHOICES"]

TIME_LIMIT_S = 10.0
OK, BAD = "✓", "✗"
WIDTH = 70  # feedback is wrapped to fit a notebook output and the book's page

# Feedback in the learner's language (book.i18n.language(): Chinese in the zh_CN notebooks).
# The frame of every check (errors in the learner's code, time limits, a missing function),
# each check's verdict and the perplexity exercise speak both languages; the detailed
# diagnoses of wrong shapes and values are English only, introduced in Chinese.
MESSAGES = {
    "en": {
        "raised": "{what} raised {error}",
        "exit": "{what} called sys.exit() (or exit()), which would stop the program; return the "
                "result, or raise an exception to signal a problem.",
        "time_limit": "{what} did not finish within {limit:g} s on a tiny input: is there a "
                      "loop that never ends?",
        "at_line": " (line {line} of {function})",
        "stub": " Replace the stub's `raise NotImplementedError` with your code.",
        "unfinished": "the check could not finish: {error}. Look at the type and shape of what "
                      "your answer returns.",
        "expected": "expected {name}, got {got}.",
        "detail": "{detail}",
        "ok_unequal_sizes": "H_t and W_hq have the right shapes for equal and unequal h_f, h_b "
                            "(confirmed on a real BiRNNScratch and output layer).",
        "ok_deep_birnn": "outputs and h_n match nn.RNN(num_layers=L, bidirectional=True) with "
                         "copied weights, for L = 2 and 3.",
        "ok_polysemy": "context-dependent vectors: same-sense contexts are closer than "
                       "cross-sense ones (separation {right:.2f} with the cue on the right, "
                       "{left:.2f} on the left).",
        "ok_merge": "concat, sum and mean give the right shapes and values; sum and mean refuse "
                    "unequal hidden sizes with a clear ValueError.",
        "ok_summary": "the summary holds the top layer's final forward state and its backward "
                      "state after x_1, for one and two layers.",
        "ok_padding": "the final states of every sequence, short or long, equal those of the "
                      "sequence run on its own, in the original batch order.",
        "ok_perplexity": "right: the backward half of H_t is computed from x_t..x_T, so the "
                         "target x_{{t+1}} is part of the input. The model copies it, and the low "
                         "perplexity measures copying, not prediction.",
        "one_letter": "expected one letter, 'a', 'b', 'c' or 'd', got {got}.",
        "not_the_reason": "({letter}) is not the reason: {why}",
    },
    "zh": {
        "raised": "{what} 抛出了 {error}",
        "exit": "{what} 调用了 sys.exit()（或 exit()），这会终止程序；请返回结果，"
                "或者抛出异常来表示出了问题。",
        "time_limit": "{what} 在一个很小的输入上 {limit:g} 秒内没有结束："
                      "是不是有一个永不结束的循环？",
        "at_line": "（{function} 的第 {line} 行）",
        "stub": "请把占位代码中的 `raise NotImplementedError` 换成你的代码。",
        "unfinished": "自检无法完成：{error}。请检查你的答案返回值的类型和形状。",
        "expected": "期望 {name}，得到的是 {got}。",
        "detail": "答案还不对（详细诊断为英文）：{detail}",
        "ok_unequal_sizes": "h_f 与 h_b 相等和不等时，H_t 和 W_hq 的形状都正确"
                            "（已在真实的 BiRNNScratch 和输出层上确认）。",
        "ok_deep_birnn": "复制权重后，outputs 和 h_n 与 nn.RNN(num_layers=L, bidirectional=True) "
                         "一致，L = 2 和 3 均如此。",
        "ok_polysemy": "向量随上下文而变：同一词义的上下文比不同词义的更接近"
                       "（线索在右侧时区分度为 {right:.2f}，在左侧时为 {left:.2f}）。",
        "ok_merge": "concat、sum 和 mean 的形状和数值都正确；隐藏单元数不等时，sum 和 mean "
                    "会以清楚的 ValueError 拒绝。",
        "ok_summary": "对一层和两层的情形，概括向量都由顶层的前向最终状态和读完 x_1 之后的"
                      "反向状态组成。",
        "ok_padding": "每个序列（无论长短）的最终状态都等于该序列单独运行的结果，"
                      "并保持批次原来的顺序。",
        "ok_perplexity": "正确：H_t 的反向一半由 x_t..x_T 算出，所以目标 x_{{t+1}} 就在输入之中。"
                         "模型把它抄了过来，低困惑度衡量的是抄写，而不是预测。",
        "one_letter": "期望一个字母：'a'、'b'、'c' 或 'd'，得到的是 {got}。",
        "not_the_reason": "({letter}) 不是原因：{why}",
    },
}


def _t(key: str, **fields) -> str:
    return _message(MESSAGES, key, **fields)


def _say(mark: str, message: str) -> None:
    print(textwrap.fill(f"{mark} {message}", width=WIDTH, subsequent_indent="  ",
                        break_long_words=False, break_on_hyphens=False))


class _TimeLimit(BaseException):
    """Raised inside learner code that runs too long. A BaseException, so that a learner's
    ``except Exception`` cannot swallow it; only :func:`_time_limit` catches it."""


class _Failed(Exception):
    """A check found a problem; its message is the feedback. When the learner's code raised,
    that exception is the ``__cause__``. ``translated`` says whether the message is in the
    learner's language already (made from :data:`MESSAGES`) or an English diagnosis."""

    def __init__(self, text: str, translated: bool | None = None):
        super().__init__(text)
        self.translated = (language() == "en") if translated is None else translated


def _describe(value) -> str:
    if callable(value) and not isinstance(value, torch.Tensor):
        return f"{type(value).__name__} {getattr(value, '__name__', repr(value))}"
    text = describe(value)
    return text if len(text) <= 120 else text[:117] + "..."


@contextlib.contextmanager
def _time_limit(what: str):
    """Stop the block after ``TIME_LIMIT_S`` with SIGALRM, where that is possible: in the
    main thread, on a platform with ``setitimer``, when no one else (a test runner's
    timeout, say) owns the timer. Elsewhere the block runs without a limit."""
    if (threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "setitimer") or signal.getitimer(signal.ITIMER_REAL)[0]):
        yield
        return

    def on_alarm(signum, frame):
        raise _TimeLimit()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    try:
        yield
    except _TimeLimit:
        raise _Failed(_t("time_limit", what=what, limit=TIME_LIMIT_S), translated=True) from None
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
        raise _Failed(_t("exit", what=what), translated=True) from exc
    except Exception as exc:  # the learner's error becomes feedback
        raise _Failed(_t("raised", what=what, error=_explain(exc)), translated=True) from exc


def _explain(exc: Exception) -> str:
    """``Type: message (line N of f).`` for a learner's exception, with a hint for stubs."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    line = (_t("at_line", line=frames[-1].tb_lineno, function=frames[-1].tb_frame.f_code.co_name)
            if frames else "")
    hint = _t("stub") if isinstance(exc, NotImplementedError) else ""
    stop = "。" if language() == "zh" else "."
    return f"{type(exc).__name__}: {exc}{line}{stop}{hint}"


def _check(fn):
    """Make a check total for ordinary errors: print feedback and return a bool."""
    @functools.wraps(fn)
    def wrapper(answer):
        try:
            # The check seeds its own models; the learner's random stream stays untouched.
            with seeded(0):
                message = fn(answer)
        except _Failed as failure:
            _say(BAD, str(failure) if failure.translated else _t("detail", detail=failure))
            return False
        except Exception as exc:  # noqa: BLE001 - a surprise inside the check is feedback too
            _say(BAD, _t("unfinished", error=f"{type(exc).__name__}: {exc}"))
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
        raise _Failed(_t("expected", name=name, got=_describe(answer)), translated=True)


def _as_tensor(value, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise _Failed(f"{what} should be a tensor, got {_describe(value)}.")
    return value.detach()


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a.float(), b.float(), atol=1e-5, rtol=1e-4)


def _shape(value, what: str) -> tuple:
    """A shape given as a tuple, list or torch.Size of whole numbers, as a tuple of ints."""
    if isinstance(value, (tuple, list, torch.Size)) and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
        return tuple(int(v) for v in value)
    raise _Failed(f"{what} should be a shape: a tuple of whole numbers such as (2, 8), "
                  f"got {_describe(value)}.")


# --- Exercise 1: different hidden sizes per direction ------------------------------------------

@_check
def check_unequal_sizes(answer):
    """``answer(n, h_f, h_b, q)`` returns ``(shape of H_t, shape of W_hq)``.

    The truth is read off a real :class:`~book.BiRNNScratch` and a real output layer, not
    typed in, so the check and the chapter's equations cannot drift apart.
    """
    _require_callable(answer, "a function shapes(n, h_f, h_b, q) returning (H_t shape, W_hq shape)")
    for n, h_f, h_b, q in ((2, 3, 5, 4), (3, 6, 2, 7), (1, 4, 4, 2)):
        result = _run(answer, n, h_f, h_b, q, what=f"shapes({n}, {h_f}, {h_b}, {q})")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise _Failed(f"shapes({n}, {h_f}, {h_b}, {q}) should return a pair "
                          f"(H_t shape, W_hq shape), got {_describe(result)}.")
        H_shape = _shape(result[0], "the first item (the shape of H_t)")
        W_shape = _shape(result[1], "the second item (the shape of W_hq)")
        layer = BiRNNScratch(3, h_f, h_b)
        with torch.no_grad():
            outputs, _ = layer(torch.zeros(2, n, 3))        # (T, n, h_f + h_b)
        true_H = tuple(outputs[0].shape)
        head = nn.Linear(h_f + h_b, q)                       # weight is stored as (q, h_f + h_b)
        true_W = tuple(head.weight.T.shape)
        case = f"with n={n}, h_f={h_f}, h_b={h_b}, q={q}"
        if H_shape != true_H:
            same_size = ("that treats both directions as if they had the same size; the "
                         "forward half has h_f columns and the backward half h_b")
            one_half = "H_t holds both directions side by side, not one of them"
            why = _diagnose(H_shape, [
                *(((n, 2 * h), same_size) for h in (h_f, h_b) if h_f != h_b),
                ((n, h_f), one_half), ((n, h_b), one_half),
                (true_H[::-1], "the rows of H_t are the n examples of the batch; the columns "
                               "are features"),
                (lambda s: len(s) == 3, "H_t is the state at one time step t, so it has no "
                                        "time axis"),
            ], "see the concatenation equation (eq-concat)")
            raise _Failed(f"{case}: expected H_t of shape {true_H}, got {H_shape}: {why}.")
        if W_shape != true_W:
            why = _diagnose(W_shape, [
                (true_W[::-1], "that is how nn.Linear stores its weight, (out, in); in "
                               "O_t = H_t W_hq the matrix W_hq multiplies H_t from the right, "
                               "so it has one row per column of H_t"),
                (lambda s: len(s) == 2 and s[1] == q,
                 f"W_hq needs one row per column of H_t, and H_t has {true_H[1]} columns"),
            ], "see the output equation (eq-output)")
            raise _Failed(f"{case}: expected W_hq of shape {true_W}, got {W_shape}: {why}.")
    return _t("ok_unequal_sizes")


# --- Exercise 2: a deep bidirectional RNN ------------------------------------------------------

def _load_layers(model, rnn):
    """Load layer ``l`` of a multi-layer bidirectional ``nn.RNN`` into ``model.layers[l]``
    with :meth:`book.BiRNNScratch.load_torch`, after checking what can be diagnosed."""
    layers = getattr(model, "layers", None)
    if layers is None or not hasattr(layers, "__len__") or not hasattr(layers, "__getitem__"):
        raise _Failed("the model should keep its layers in `self.layers` (an nn.ModuleList of "
                      f"BiRNNScratch), got {_describe(layers)}; the check loads PyTorch's "
                      "weights through it.")
    if len(layers) != rnn.num_layers:
        raise _Failed(f"with num_layers={rnn.num_layers}, expected {rnn.num_layers} layers in "
                      f"`self.layers`, got {len(layers)}.")
    registered = {id(p) for p in model.parameters()} if isinstance(model, nn.Module) else set()
    d, h = rnn.input_size, rnn.hidden_size
    for l, layer in enumerate(layers):
        name = f"layer {l + 1}"
        if not isinstance(layer, BiRNNScratch):
            raise _Failed(f"{name} should be a BiRNNScratch, got {_describe(layer)}.")
        if any(id(p) not in registered for p in layer.parameters()):
            raise _Failed(f"{name}'s parameters are not registered with the model, so an "
                          "optimizer would never see them: keep the layers in an "
                          "nn.ModuleList, not a plain Python list.")
        f_rnn, b_rnn = layer.f_rnn, layer.b_rnn
        if f_rnn is b_rnn or f_rnn.W_xh is b_rnn.W_xh or f_rnn.W_hh is b_rnn.W_hh:
            raise _Failed(f"in {name} the forward and backward directions share weights; "
                          "equations eq-forward and eq-backward have separate parameters.")
        expected = (d if l == 0 else 2 * h, h)
        got = tuple(f_rnn.W_xh.shape)
        if got != expected or tuple(b_rnn.W_xh.shape) != expected:
            why = _diagnose(got, [
                (lambda s: l > 0 and s[0] == d,
                 f"{name} reads the concatenated states of layer {l}, so its input size is "
                 f"h_f + h_b = {2 * h}, not the data's d = {d}"),
                (lambda s: l > 0 and s[0] == h,
                 f"{name} reads both directions of layer {l}, {2 * h} features, not one "
                 f"direction's {h}"),
            ], f"its input size should be {expected[0]} and its hidden size {h}")
            raise _Failed(f"with d={d}, h={h}: {name}'s W_xh should have shape {expected}, "
                          f"got {got}: {why}.")
        layer.load_torch(rnn, layer=l)


@_check
def check_deep_birnn(answer):
    """``answer(input_size, hidden_size, num_layers)`` builds a deep bidirectional RNN.

    The model keeps its layers in ``self.layers`` (``BiRNNScratch`` each); ``model(X)``
    returns ``(outputs, h_n)`` shaped like ``nn.RNN(..., bidirectional=True)``'s:
    ``(T, n, 2h)`` and ``(2L, n, h)``. The check copies the weights of a real ``nn.RNN``
    into it and compares every number.
    """
    _require_callable(answer, "a class DeepBiRNN(input_size, hidden_size, num_layers)")
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
            model.eval()                  # dropout between layers, if any, is switched off
        X = torch.randn(T, n, d, generator=gen)
        result = _run(lambda: model(X), what=f"model(X) with X of shape {(T, n, d)}")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise _Failed(f"model(X) should return a pair (outputs, h_n), got {_describe(result)}.")
        outputs, h_n = (_as_tensor(r, w) for r, w in zip(result, ("outputs", "h_n")))
        with torch.no_grad():
            want_out, want_h = rnn(X)
            first_out, _ = BiRNNScratch.from_torch(rnn, layer=0)(X)
        case = f"with d={d}, h={h}, num_layers={L}"
        if outputs.shape != want_out.shape:
            raise _Failed(f"{case}: expected outputs of shape {tuple(want_out.shape)} "
                          f"(T, n, 2h), got {tuple(outputs.shape)}.")
        if not _same(outputs, want_out):
            why = _diagnose(outputs, [
                (first_out, "they are layer 1's outputs; return the top layer's"),
                (lambda o: _same(o[..., :h], want_out[..., :h]),
                 "the forward half matches but the backward half does not"),
            ], "each layer should read the previous layer's outputs, (T, n, 2h)")
            raise _Failed(f"{case}: outputs differ from nn.RNN(num_layers={L}, "
                          f"bidirectional=True) with the same weights: {why}.")
        if h_n.shape != want_h.shape:
            raise _Failed(f"{case}: expected h_n of shape {tuple(want_h.shape)} (2L, n, h), "
                          f"got {tuple(h_n.shape)}.")
        if not _same(h_n, want_h):
            why = _diagnose(h_n, [
                (torch.cat([want_h[0::2], want_h[1::2]]),
                 "the rows are grouped by direction; PyTorch groups them by layer: layer 1 "
                 "forward, layer 1 backward, layer 2 forward, ..."),
            ], "row 2l should be layer l+1's last forward state and row 2l+1 its backward "
               "state after reading x_1")
            raise _Failed(f"{case}: h_n differs from nn.RNN's: {why}.")
    return _t("ok_deep_birnn")


# --- Exercise 3: polysemy and contextual word vectors -----------------------------------------

def _vector(value, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise _Failed(f"{what} should return a tensor (a vector), got {_describe(value)}.")
    v = value.detach().float().flatten()
    if v.numel() == 0 or not torch.isfinite(v).all():
        raise _Failed(f"{what} returned an empty or non-finite tensor: {_describe(value)}.")
    return v


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

    _require_callable(answer, "a function contextual_vector(tokens, position)")
    probes = probe_sentences()
    vectors = []
    for p in probes:
        what = f"contextual_vector({list(p.tokens)}, {p.position})"
        try:
            vectors.append(_vector(_run(answer, list(p.tokens), p.position, what=what), what))
        except _Failed as failure:
            if isinstance(failure.__cause__, IndexError):
                raise _Failed(f"{failure} The encoder reads a time-first batch, (T, n): a "
                              "(1, T) input is T sequences of one word each. Use "
                              "vocab.encode(tokens)[:, None].") from failure.__cause__
            raise
    sizes = {v.numel() for v in vectors}
    if len(sizes) > 1:
        raise _Failed("expected vectors of one size for every sentence, got sizes "
                      f"{sorted(sizes)}.")
    V = torch.stack(vectors)
    if torch.allclose(V, V[0].expand_as(V), atol=1e-6):
        word = probes[0].tokens[probes[0].position]
        raise _Failed(f"all {len(probes)} sentences gave the same vector for '{word}'. "
                      "That is a static vector: one per word, whatever surrounds it. Either it "
                      "is the embedding table's row, or the encoder saw each word alone, as "
                      "happens when a (1, T) batch-first input is read as T one-word "
                      "sequences (the encoder wants (T, n): vocab.encode(tokens)[:, None]). "
                      "Run the encoder over the whole sentence and take its state at the word.")
    first = probes[0]
    other = 0 if first.position != 0 else 1
    what = f"contextual_vector({list(first.tokens)}, {other})"
    v_other = _vector(_run(answer, list(first.tokens), other, what=what), what)
    if v_other.numel() == V.shape[1] and torch.allclose(v_other, V[0], atol=1e-6):
        raise _Failed(f"'{first.tokens[other]}' and '{first.tokens[first.position]}' in the same "
                      "sentence got the same vector: the answer ignores `position` and describes "
                      "the sentence, not the word.")
    right = [g for g in range(8) if probes[4 * g].cue == "right"]
    left = [g for g in range(8) if probes[4 * g].cue == "left"]

    def frozen(groups):
        return all(torch.allclose(V[4 * g:4 * g + 4], V[4 * g].expand(4, -1), atol=1e-6)
                   for g in groups)

    if frozen(right):
        raise _Failed("sentences that differ only in a word to the RIGHT of 'bank' ('... bank "
                      "near the water' vs '... bank near the cash') got identical vectors: your "
                      "vector reads only leftwards. Include the backward direction's state.")
    if frozen(left):
        raise _Failed("sentences that differ only in a word to the LEFT of 'bank' ('the muddy "
                      "bank' vs 'the central bank') got identical vectors: your vector reads only "
                      "rightwards. Include the forward direction's state.")
    sep_right = sum(_group_separation(list(V[4 * g:4 * g + 4])) for g in right) / len(right)
    sep_left = sum(_group_separation(list(V[4 * g:4 * g + 4])) for g in left) / len(left)
    threshold = 0.5
    if sep_right < threshold or sep_left < threshold:
        raise _Failed(f"the vectors change with the context but do not group by sense: after "
                      f"centring, same-sense pairs beat cross-sense pairs by {sep_right:.2f} "
                      f"(cue on the right) and {sep_left:.2f} (cue on the left) in cosine "
                      f"similarity; expected at least {threshold} for both (at most 2 is "
                      "possible). Use the trained encoder's states, not random or untrained ones.")
    return _t("ok_polysemy", right=sep_right, left=sep_left)


# --- Exercise 4: merging the directions --------------------------------------------------------

@_check
def check_merge(answer):
    """``answer(f_outputs, b_outputs, mode)`` merges the two directions' states.

    ``f_outputs`` is (T, n, h_f), ``b_outputs`` is (T, n, h_b), already in the original time
    order. ``mode="concat"`` gives (T, n, h_f + h_b); ``"sum"`` and ``"mean"`` give (T, n, h)
    and raise ``ValueError`` naming both sizes when h_f != h_b.
    """
    _require_callable(answer, "a function merge(f_outputs, b_outputs, mode)")
    gen = torch.Generator().manual_seed(0)
    T, n = 4, 2
    F, B = torch.randn(T, n, 3, generator=gen), torch.randn(T, n, 3, generator=gen)
    wants = {"concat": torch.cat([F, B], dim=-1), "sum": F + B, "mean": (F + B) / 2}
    for mode, want in wants.items():
        what = f"merge(f_outputs, b_outputs, {mode!r}) with both of shape {(T, n, 3)}"
        got = _as_tensor(_run(answer, F.clone(), B.clone(), mode, what=what), what)
        if got.shape != want.shape:
            reduced = (": the merge happens at every step, per feature; nothing is reduced over "
                       "time or features")
            why = _diagnose(tuple(got.shape), {
                "concat": [((2 * T, n, 3), ": that joins them along time (dim 0); the directions "
                                           "go side by side in the feature axis"),
                           ((T, 2 * n, 3), ": that joins them along the batch axis (dim 1); use "
                                           "the feature axis")],
                "sum": [((T, n, 6), ": sum combines matching features of the two directions, "
                                    "so the size stays h")],
                "mean": [((T, n, 6), ": mean combines matching features of the two directions, "
                                     "so the size stays h")],
            }[mode] + [((n, 3), reduced), ((T, n), reduced), ((n, 6), reduced)], "")
            raise _Failed(f"{what}: expected shape {tuple(want.shape)}, "
                          f"got {tuple(got.shape)}{why}.")
        if not _same(got, want):
            why = _diagnose(got, {
                "concat": [(torch.cat([B, F], dim=-1), "the backward half comes first; the "
                            "chapter (and PyTorch) put forward first")],
                "mean": [(F + B / 2, "only the backward states were halved: mind the operator "
                                     "precedence"),
                         (F + B, "that is the sum; the mean divides it by the number of "
                                 "directions")],
                "sum": [((F + B) / 2, "that is the mean, not the sum")],
            }[mode] + [(F, "only one direction came through"),
                       (B, "only one direction came through")],
                "compare with the definition of the mode, feature by feature, step by step")
            raise _Failed(f"{what}: the shape is right but the values are not: {why}.")
    F5 = torch.randn(T, n, 5, generator=gen)
    what = "merge(f_outputs, b_outputs, 'concat') with h_f=3, h_b=5"
    got = _as_tensor(_run(answer, F, F5, "concat", what=what), what)
    if not _same(got, torch.cat([F, F5], dim=-1)):
        raise _Failed(f"{what}: expected shape {(T, n, 8)} holding forward then backward states, "
                      f"got {_describe(got)}.")
    for mode in ("sum", "mean"):
        what = f"merge(f_outputs, b_outputs, {mode!r}) with h_f=3, h_b=5"
        try:
            got = _run(answer, F, F5, mode, what=what)
        except _Failed as failure:
            exc = failure.__cause__
            if not isinstance(exc, ValueError):
                raise _Failed(f"{str(failure).rstrip('.')}. Expected a ValueError that names both "
                              "sizes (3 and 5): check them before any arithmetic, as the "
                              "chapter's layers do.") from None
            named = {int(m) for m in re.findall(r"(?<![\d.])\d+(?![\d.])", str(exc))}
            if not {3, 5} <= named:
                raise _Failed(f"{what}: a ValueError is right, but its message should name both "
                              f"sizes, 3 and 5; it said: {exc}") from None
            continue
        raise _Failed(f"{what}: expected a ValueError ({mode} needs h_f == h_b), but it returned "
                      f"{_describe(got)}.")
    return _t("ok_merge")


# --- Exercise 5: a sentence summary from output and h_n ---------------------------------------

@_check
def check_summary(answer):
    """``answer(output, h_n)`` returns an (n, 2h) summary of each whole sequence.

    ``output`` and ``h_n`` come from ``nn.GRU(d, h, num_layers=L, bidirectional=True)``; the
    summary is the top layer's final forward state and its backward state after reading x_1,
    forward first.
    """
    _require_callable(answer, "a function summarize(output, h_n)")
    d, T, n = 3, 5, 3
    for L, h in ((1, 4), (2, 5)):           # h varies too: a summary may not assume a size
        torch.manual_seed(10 + L)
        gru = nn.GRU(d, h, num_layers=L, bidirectional=True)
        X = torch.randn(T, n, d)
        with torch.no_grad():
            output, h_n = gru(X)                               # (T, n, 2h), (2L, n, h)
        want = torch.cat([h_n[-2], h_n[-1]], dim=-1)            # (n, 2h)
        what = (f"summarize(output, h_n) for num_layers={L} (output {tuple(output.shape)}, "
                f"h_n {tuple(h_n.shape)})")
        got = _as_tensor(_run(answer, output.clone(), h_n.clone(), what=what), what)
        if got.shape != want.shape:
            side_by_side = ": one row per sequence, both directions side by side"
            why = _diagnose(tuple(got.shape), [
                ((h, n, 2), side_by_side), ((2, n, h), side_by_side),
                ((n, h), ": that is one direction; the summary needs both"),
                ((n, 2 * L * h), ": that includes every layer; the summary is the top layer's"),
            ], "")
            raise _Failed(f"{what}: expected shape {tuple(want.shape)} (n, 2h), "
                          f"got {tuple(got.shape)}{why}.")
        if _same(got, want):
            continue
        mixed = ("reshape mixes the examples: in h_n the batch is the middle axis, so "
                 "reshaping (2, n, h) to (n, 2h) pairs rows of different sequences")
        why = _diagnose(got, [
            (output[-1], "that is output[-1]: its backward half is the backward state at the "
                         "last step, which has read only x_T"),
            (output[0], "that is output[0]: its forward half has read only x_1"),
            *([(torch.cat([h_n[0], h_n[1]], dim=-1), "those are layer 1's final states; the "
                "top layer's are the last two rows of h_n")] if L == 2 else []),
            (torch.cat([h_n[-1], h_n[-2]], dim=-1), "the backward state comes first; put the "
                                                   "forward state first, as in output"),
            (h_n[-2:].reshape(n, 2 * h), mixed), (h_n.reshape(n, -1)[:, :2 * h], mixed),
            (output.mean(dim=0), "that is the mean over time, which is a different summary; "
                                 "use the final states"),
        ], "compare it with the final states in h_n")
        raise _Failed(f"{what}: the shape is right but the values are not: {why}.")
    return _t("ok_summary")


# --- Exercise 6: the padding bug --------------------------------------------------------------

@_check
def check_padding(answer):
    """``answer(rnn, X, lengths)`` returns correct (n, 2h) final states of a padded batch.

    ``X`` is (T, n, d), time first, with sequence i occupying ``X[:lengths[i], i]``; the rest
    is padding. Row i must equal what ``rnn`` gives for sequence i alone: the forward state
    after its last real step, then the backward state after reading it back to x_1.
    """
    _require_callable(answer, "a function final_states(rnn, X, lengths)")
    d, h = 3, 4
    for T, lengths in ((6, [6, 3, 5, 1]), (4, [4, 4, 2])):
        torch.manual_seed(T)
        rnn = nn.GRU(d, h, bidirectional=True)
        n = len(lengths)
        X = torch.randn(T, n, d)
        for i, length in enumerate(lengths):
            X[length:, i] = 0.0                       # padding, as a padded batch would hold
        lengths_t = torch.tensor(lengths)
        with torch.no_grad():
            alone = []
            for i, length in enumerate(lengths):
                _, h_i = rnn(X[:length, i:i + 1])     # (2, 1, h)
                alone.append(torch.cat([h_i[0, 0], h_i[1, 0]]))
            want = torch.stack(alone)                 # (n, 2h)
            output, h_n = rnn(X)
            naive = torch.cat([h_n[0], h_n[1]], dim=-1)
            # A frequent slip: the backward half computed with the forward direction's
            # weights, run over each reversed sequence.
            forward_only = nn.GRU(d, h)
            forward_only.load_state_dict({k: v for k, v in rnn.state_dict().items()
                                          if not k.endswith("_reverse")})
            reversed_forward = torch.stack([forward_only(X[:length, i:i + 1].flip(0))[1][0, 0]
                                            for i, length in enumerate(lengths)])
            forward_weights = torch.cat([want[:, :h], reversed_forward], dim=-1)
        what = f"final_states(rnn, X, lengths) with X of shape {(T, n, d)} and lengths {lengths}"
        got = _as_tensor(_run(answer, rnn, X.clone(), lengths_t.clone(), what=what), what)
        if got.shape != want.shape:
            raise _Failed(f"{what}: expected shape {tuple(want.shape)} (n, 2h), "
                          f"got {tuple(got.shape)}.")
        if _same(got, want):
            continue
        short = [i for i, length in enumerate(lengths) if length < T]
        why = _diagnose(got, [
            (naive, f"these are the final states of the padded batch: sequences {short} are "
                    "shorter than T, so their forward state went on through the padding and "
                    "their backward state started on it. Only the full-length rows are right"),
            (forward_weights, "the backward halves were computed with the forward direction's "
                              "weights over the reversed sequences; the backward direction has "
                              "weights of its own (the `_reverse` parameters), so take its "
                              "state, e.g. h_n[1] of a packed run"),
            (lambda g: _same(g[:, :h], want[:, :h]),
             "the forward halves are right, the backward halves are not: for a short sequence "
             "the backward direction must start at its last real step, not at the padding"),
            (lambda g: _same(g[:, h:], want[:, h:]),
             "the backward halves are right, the forward halves are not: the forward state "
             "should stop at each sequence's last real step"),
        ], "neither direction matches running each sequence on its own; rows must stay in the "
           "original batch order")
        raise _Failed(f"{what}: {why}.")
    return _t("ok_padding")


# --- Exercise 7: why a bidirectional language model's perplexity lies --------------------------

_PERPLEXITY_CHOICES = {"en": {
    "a": "It has twice as many parameters as a one-direction model, so it memorises the "
         "training text.",
    "b": "Its state at step t includes the backward direction, which has already read the "
         "character x_{t+1} it is asked to predict.",
    "c": "The backward direction is trained to predict x_{t-1}, and averaging the two "
         "directions' losses halves the reported loss.",
    "d": "Perplexity is the exponential of the loss, and two directions' states make the "
         "logits larger, which the exponential exaggerates.",
}, "zh": {
    "a": "它的参数是单向模型的两倍，所以背下了训练文本。",
    "b": "它在第 t 步的状态包含反向方向，而反向方向已经读过它要预测的字符 x_{t+1}。",
    "c": "反向方向被训练来预测 x_{t-1}，对两个方向的损失取平均使报告的损失减半。",
    "d": "困惑度是损失的指数，两个方向的状态使 logits 变大，而指数函数放大了这一点。",
}}
# The statements in the learner's language, fixed when the module is imported (a Chinese
# notebook's kernel imports it in Chinese).
PERPLEXITY_CHOICES = _PERPLEXITY_CHOICES[language()]
_PERPLEXITY_WHY_NOT = {"en": {
    "a": "memorising would not carry over to new text, yet such a model scores almost as well "
         "on text it has never seen. Ask which inputs the state H_t has read.",
    "c": "nothing in the next-character objective asks the backward direction to predict "
         "x_{t-1}: both halves of H_t feed one prediction of x_{t+1}. Ask what the backward "
         "half has read.",
    "d": "scaling the logits does not lower a well-calibrated loss on its own, and perplexity "
         "is a monotone function of the loss. The question is what information the "
         "prediction had.",
}, "zh": {
    "a": "死记硬背无法迁移到新文本上，可这样的模型在从未见过的文本上得分几乎一样好。"
         "想一想状态 H_t 读过哪些输入。",
    "c": "下一字符的目标中没有任何部分要求反向方向预测 x_{t-1}：H_t 的两个一半共同参与对 "
         "x_{t+1} 的同一个预测。想一想反向一半读过什么。",
    "d": "单纯放大 logits 并不会降低一个校准良好的损失，而困惑度是损失的单调函数。"
         "问题在于预测时掌握了哪些信息。",
}}


@_check
def check_perplexity(answer):
    """``answer`` is one letter, a-d, from :data:`PERPLEXITY_CHOICES`."""
    if not isinstance(answer, str) or answer.strip().strip("()").lower() not in PERPLEXITY_CHOICES:
        raise _Failed(_t("one_letter", got=_describe(answer)), translated=True)
    letter = answer.strip().strip("()").lower()
    if letter in _PERPLEXITY_WHY_NOT["en"]:
        why = _PERPLEXITY_WHY_NOT[language()][letter]
        raise _Failed(_t("not_the_reason", letter=letter, why=why), translated=True)
    return _t("ok_perplexity")
