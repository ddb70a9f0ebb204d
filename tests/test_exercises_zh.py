"""The exercise checks in Chinese (BOOK_LANG=zh, as in a zh_CN notebook's kernel): the wrong
answers of test_exercises.py (and a few more, one for each remaining diagnosis) get Chinese
feedback from runtime.po with no English sentence left, and Chinese feedback is wrapped by
display width."""

from __future__ import annotations

import re
import sys

import pytest
import torch
from support.answers import (
    DirectionMajor,
    FirstLayerOutputs,
    GoodDeep,
    Hostile,
    OwnLayout,
    PlainList,
    SharedWeights,
    WrongInputSize,
    accuracy_left,
    bad_final,
    bad_mean,
    contextual_states,
    encoder_states,
    good_merge,
    good_summary,
    lookbehind_filled,
    lookbehind_wrong_row,
    padding_flip_whole,
    padding_forward_through,
    padding_forward_weights,
    padding_loop,
    padding_naive,
    padding_past_x1,
    padding_reordered,
    raises,
    scratch_final_states,
)
from torch import nn

import book.exercises as ex
from book import BiRNNScratch
from book.polysemy import train_encoder
from book.pretrained import CONTEXT, accuracy
from book.text import Vocab

CJK = re.compile(r"[\u3400-\u9fff]")
# What stays as it is in Chinese feedback: quoted data ('bank', the probe sentences), code
# spans, and code-like tokens (names with _ . ( [ = or digits).
QUOTED = re.compile(r"'[^']*'|`[^`]*`")
FOUR_WORDS = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){3,}\b")
WORD = re.compile(r"(?<![\w.(\[=])[A-Za-z]{2,}(?![\w.(\[=])")


# --- wrapping ---------------------------------------------------------------------------------


def _lines_fit(text: str) -> None:
    for line in text.splitlines():
        # A line may overflow only when it is one piece that cannot be broken.
        assert ex._width(line) <= ex.WIDTH or " " not in line.strip() and not CJK.search(line), line


def test_english_is_wrapped_as_before():
    import textwrap

    text = "✗ " + "the forward halves are right, the backward halves are not " * 3
    assert ex._wrap(text) == textwrap.fill(
        text, width=ex.WIDTH, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
    )


def test_chinese_is_wrapped_by_display_width_between_characters():
    text = (
        "✗ 当 n=2、h_f=3、h_b=5、q=4 时，期望 H_t 的形状为 (2, 8)，得到的是 (2, 6)："
        "这是把两个方向当成了同样大小；前向部分有 h_f 列，反向部分有 h_b 列。"
        "请把占位代码中的 `raise NotImplementedError` 换成你的代码，再运行 "
        "nn.RNN(num_layers=L, bidirectional=True) 比较。"
    )
    wrapped = ex._wrap(text)
    lines = wrapped.splitlines()
    assert len(lines) >= 3
    _lines_fit(wrapped)
    assert all(line.startswith("  ") for line in lines[1:])
    # Most lines are full: the break is not at the last space, as textwrap would make it.
    assert all(ex._width(line) >= ex.WIDTH - 6 for line in lines[:-1]), wrapped
    for before, after in zip(lines, lines[1:]):
        after = after[2:]
        assert after[0] not in "，。、；：？！）", wrapped  # no closing mark opens a line
        assert before[-1] not in "（(", wrapped  # no opening mark ends one
        # Words, numbers and code are never split.
        assert not (re.search(r"[A-Za-z0-9_.=]$", before) and re.match(r"[A-Za-z0-9_.=]", after)), (
            wrapped
        )
    # Nothing is lost: the lines joined again are the text (spaces only at the breaks).
    assert re.sub(r"\s", "", wrapped) == re.sub(r"\s", "", text)
    assert "h_f=3" in wrapped and "(2, 8)" in wrapped and "NotImplementedError" in wrapped


def test_chinese_wrapping_drops_spaces_beside_full_width_marks():
    assert (
        ex._wrap("model(X)（X 的形状为 (5, 2, 3)） 抛出了 ValueError")
        == "model(X)（X 的形状为 (5, 2, 3)）抛出了 ValueError"
    )
    assert ex._wrap("得到的是 形状为 (4, 2, 3) 的张量") == "得到的是形状为 (4, 2, 3) 的张量"


# --- the wrong answers, in Chinese ------------------------------------------------------------


def _stub(*args):
    raise NotImplementedError


class WrongLayerCount(GoodDeep):
    def __init__(self, d, h, L):
        super().__init__(d, h, L - 1)


class NotBiRNNLayers(GoodDeep):
    def __init__(self, d, h, L):
        nn.Module.__init__(self)
        self.layers = nn.ModuleList(nn.RNN(d, h) for _ in range(L))


class OneDirectionInput(GoodDeep):
    def __init__(self, d, h, L):
        nn.Module.__init__(self)
        self.layers = nn.ModuleList(BiRNNScratch(d if i == 0 else h, h) for i in range(L))


class NotAPair(GoodDeep):
    def forward(self, X):
        return super().forward(X)[0]


class FlatOutputs(GoodDeep):
    def forward(self, X):
        outputs, h_n = super().forward(X)
        return outputs.flatten(1), h_n


class TopHn(GoodDeep):
    def forward(self, X):
        outputs, h_n = super().forward(X)
        return outputs, h_n[-2:]


class ForwardHalfOnly(GoodDeep):
    def forward(self, X):
        outputs, h_n = super().forward(X)
        return torch.cat([outputs[..., :4], 0 * outputs[..., 4:]], -1), h_n


class ScrambledHn(GoodDeep):
    def forward(self, X):
        outputs, h_n = super().forward(X)
        return outputs, h_n.flip(-1)


def _unequal_raises(error):
    """For h_f != h_b: concatenate, and raise ``error`` for sum and mean."""

    def merge(f, b, mode):
        if mode == "concat":
            return good_merge(f, b, mode)
        raise error

    return merge


def _merge(concat=None, sum=None, mean=None, unequal=None):
    """``good_merge`` with one mode (or the unequal-size case) replaced."""

    def merge(f, b, mode):
        if unequal is not None and f.shape[-1] != b.shape[-1]:
            return unequal(f, b, mode)
        wrong = {"concat": concat, "sum": sum, "mean": mean}[mode]
        return wrong(f, b) if wrong else good_merge(f, b, mode)

    return merge


def _padding_backward_only(layer, X, lengths):
    """Right forward halves, backward halves from somewhere else entirely."""
    good = scratch_final_states(layer, X, lengths)
    return torch.cat([good[:, : layer.hidden_size], -good[:, layer.hidden_size :]], dim=-1)


def _polysemy(make):
    """A polysemy answer built from the trained ``(encoder, vocab)``."""
    make.needs_encoder = True
    return make


def _batch_first(encoder, vocab):
    def vector(tokens, position):
        with torch.no_grad():
            return encoder.states(vocab.encode(tokens)[None, :])[0, position]

    return vector


def _batch_first_indexed(encoder, vocab):
    def vector(tokens, position):
        with torch.no_grad():
            return encoder.states(vocab.encode(tokens)[None, :])[position, 0]

    return vector


def _half(encoder, vocab, forward):
    full, h = contextual_states(encoder, vocab), encoder.rnn.hidden_size
    return lambda t, i: full(t, i)[:h] if forward else full(t, i)[h:]


def _random_vectors(encoder, vocab):
    gen = torch.Generator().manual_seed(0)
    return lambda t, i: torch.randn(64, generator=gen)


def _sentence_vector(encoder, vocab):
    full = contextual_states(encoder, vocab)
    return lambda t, i: torch.stack([full(t, j) for j in range(len(t))]).mean(0)


def _shifted(step):
    def make(encoder, vocab):
        return lambda t, i: encoder_states(encoder, vocab, t)[i + step]

    return make


def _scores(encoder, vocab):
    def vector(tokens, position):
        with torch.no_grad():
            return encoder(vocab.encode(tokens)[:, None])[position, 0]

    return vector


def _uneven_sizes(encoder, vocab):
    full = contextual_states(encoder, vocab)
    return lambda t, i: full(t, i)[: 10 + len(t[-1])]


# check, wrong answer, what the Chinese feedback must say.
U, D, P, M, S, F, K = (
    ex.check_unequal_sizes,
    ex.check_deep_birnn,
    ex.check_polysemy,
    ex.check_merge,
    ex.check_summary,
    ex.check_padding,
    ex.check_lookbehind,
)
CASES = {
    # The frame.
    "garbage": (
        U,
        None,
        ["期望一个返回 (H_t 的形状, W_hq 的形状) 的函数", "得到的是 NoneType None"],
    ),
    "garbage_quiz": (ex.check_perplexity, 42, ["期望一个字母", "得到的是 int 42"]),
    "stub": (S, _stub, ["抛出了 NotImplementedError", "请把占位代码中的"]),
    "learner_error": (M, raises, ["抛出了 RuntimeError: boom from the learner（raises 的第"]),
    "exit": (M, lambda *a: sys.exit(1), ["调用了 sys.exit()"]),
    "surprise": (D, Hostile, ["自检无法完成：KeyError"]),
    # Exercise 1.
    "same_size": (
        U,
        lambda n, h_f, h_b, q: ((n, 2 * h_f), (2 * h_f, q)),
        [
            "当 n=2、h_f=3、h_b=5、q=4 时，期望 H_t 的形状为 (2, 8)，得到的是 (2, 6)：",
            "当成了同样大小",
        ],
    ),
    "linear_layout": (
        U,
        lambda n, h_f, h_b, q: ((n, h_f + h_b), (q, h_f + h_b)),
        ["期望 W_hq 的形状为 (8, 4)，得到的是 (4, 8)", "nn.Linear 存储权重"],
    ),
    "one_half": (U, lambda n, h_f, h_b, q: ((n, h_f), (h_f, q)), ["而不是只含其中一个"]),
    "transposed": (
        U,
        lambda n, h_f, h_b, q: ((h_f + h_b, n), (h_f + h_b, q)),
        ["H_t 的行是批次中的 n 个样本"],
    ),
    "time_axis": (U, lambda n, h_f, h_b, q: ((2, n, h_f + h_b), (h_f + h_b, q)), ["没有时间轴"]),
    "other_H": (U, lambda n, h_f, h_b, q: ((n, 99), (h_f + h_b, q)), ["参见拼接方程（eq-concat）"]),
    "W_rows": (U, lambda n, h_f, h_b, q: ((n, h_f + h_b), (h_f, q)), ["而 H_t 有 8 列"]),
    "other_W": (
        U,
        lambda n, h_f, h_b, q: ((n, h_f + h_b), (1, 2, 3)),
        ["参见输出层方程（eq-output）"],
    ),
    "not_a_shape": (
        U,
        lambda n, h_f, h_b, q: (n, h_f + h_b),
        ["第一项（H_t 的形状）应当是一个形状"],
    ),
    "not_a_pair": (U, lambda n, h_f, h_b, q: (1, 2, 3), ["shapes(2, 3, 5, 4) 应当返回一对形状"]),
    # Exercise 2.
    "wrong_input_size": (
        D,
        WrongInputSize,
        ["d=3、h=4 时，第 2 层的 W_xh 形状应为 (8, 4)，得到的是 (3, 4)", "而不是数据的 d = 3"],
    ),
    "one_direction_input": (D, OneDirectionInput, ["而不是一个方向的 4 个"]),
    "direction_major": (D, DirectionMajor, ["h_n 与 nn.RNN 的不一致", "按方向分组"]),
    "first_layer_outputs": (D, FirstLayerOutputs, ["这是第 1 层的输出"]),
    "forward_half_only": (D, ForwardHalfOnly, ["前向部分一致，但反向部分不一致"]),
    "scrambled_h_n": (D, ScrambledHn, ["第 2l 行应为第 l+1 层最后的前向状态"]),
    "shared_weights": (D, SharedWeights, ["第 1 层的前向和反向方向共享了权重"]),
    "plain_list": (D, PlainList, ["没有注册到模型中", "nn.ModuleList"]),
    "own_layout": (D, OwnLayout, ["模型应当把各层放在 `self.layers` 中"]),
    "layer_count": (
        D,
        WrongLayerCount,
        ["num_layers=2 时，期望 `self.layers` 中有 2 层，得到的是 1 层"],
    ),
    "not_birnn": (D, NotBiRNNLayers, ["第 1 层应当是 BiRNNScratch"]),
    "model_not_a_pair": (D, NotAPair, ["model(X) 应当返回一对值 (outputs, h_n)"]),
    "outputs_shape": (D, FlatOutputs, ["期望 outputs 的形状为 (5, 2, 8)，即 (T, n, 2h)"]),
    "h_n_shape": (D, TopHn, ["期望 h_n 的形状为 (4, 2, 4)，即 (2L, n, h)"]),
    # Exercise 3.
    "static": (
        P,
        _polysemy(lambda enc, voc: lambda t, i: enc.embedding.weight[voc.token_to_idx[t[i]]]),
        ["个句子为 'bank' 给出了同一个向量", "这是静态向量"],
    ),
    "batch_first": (P, _polysemy(_batch_first), ["把批量维在前的 (1, T) 输入"]),
    "batch_first_indexed": (
        P,
        _polysemy(_batch_first_indexed),
        ["抛出了 IndexError", "编码器读取的是时间维在前的批次 (T, n)"],
    ),
    "leftwards": (
        P,
        _polysemy(lambda enc, voc: _half(enc, voc, True)),
        ["你的向量只读取了左侧的上下文", "'... bank near the water' 与"],
    ),
    "rightwards": (
        P,
        _polysemy(lambda enc, voc: _half(enc, voc, False)),
        ["你的向量只读取了右侧的上下文"],
    ),
    "sentence_vector": (P, _polysemy(_sentence_vector), ["答案忽略了 `position`"]),
    "no_senses": (P, _polysemy(_random_vectors), ["没有按词义分组", "期望两者都至少为 0.5"]),
    "uneven_sizes": (P, _polysemy(_uneven_sizes), ["期望每个句子的向量大小都相同"]),
    "not_a_vector": (P, lambda t, i: [0.0, 1.0], ["应当返回一个张量（一个向量）"]),
    "empty_vector": (P, lambda t, i: torch.tensor([]), ["返回了一个空的或含有非有限值的张量"]),
    "next_word": (
        P,
        _polysemy(_shifted(1)),
        ["这些是 'bank' 后一个词的状态", "'we found the old bank near the water' 中的 'near'"],
    ),
    "previous_word": (P, _polysemy(_shifted(-1)), ["这些是 'bank' 前一个词的状态"]),
    "scores": (
        P,
        _polysemy(_scores),
        ["读出层在 'bank' 处为词表中 38 个词给出的分数", "由 `encoder.states` 给出"],
    ),
    # Exercise 4.
    "along_time": (
        M,
        _merge(concat=lambda f, b: torch.cat([f, b], 0)),
        [
            "merge(f_outputs, b_outputs, 'concat')（两者的形状均为 (4, 2, 3)）：",
            "期望形状为 (4, 2, 6)，得到的是 (8, 2, 3)：这是沿时间维",
        ],
    ),
    "along_batch": (M, _merge(concat=lambda f, b: torch.cat([f, b], 1)), ["沿批量轴"]),
    "sum_size": (M, _merge(sum=lambda f, b: torch.cat([f, b], -1)), ["所以大小仍为 h"]),
    "reduced": (M, _merge(sum=lambda f, b: (f + b).sum(0)), ["不在时间或特征上做任何归约"]),
    "other_shape": (M, _merge(sum=lambda f, b: (f + b)[:1]), ["得到的是 (1, 2, 3)。"]),
    "precedence": (
        M,
        _merge(mean=lambda f, b: f + b / 2),
        ["形状正确，但数值不对", "运算符的优先级"],
    ),
    "backward_first": (
        M,
        _merge(concat=lambda f, b: torch.cat([b, f], -1)),
        ["反向部分放在了前面"],
    ),
    "mean_is_sum": (M, _merge(mean=lambda f, b: f + b), ["这是求和"]),
    "sum_is_mean": (M, _merge(sum=lambda f, b: (f + b) / 2), ["这是平均值，不是求和"]),
    "one_direction": (M, _merge(sum=lambda f, b: f), ["结果中只有一个方向的状态"]),
    "other_values": (M, _merge(sum=lambda f, b: f - b), ["请对照该模式的定义"]),
    "not_a_tensor": (M, _merge(sum=lambda f, b: (f + b).tolist()), ["应当是张量，得到的是 list"]),
    "concat_unequal": (
        M,
        _merge(unequal=lambda f, b, mode: f),
        ["（h_f=3、h_b=5 时）：期望形状为 (4, 2, 8)，先放前向状态"],
    ),
    "no_error": (
        M,
        _merge(unequal=lambda f, b, mode: good_merge(f, b, "concat") if mode == "concat" else f),
        ["期望抛出 ValueError（sum 要求 h_f == h_b），但它返回了"],
    ),
    "wrong_error": (
        M,
        _merge(unequal=_unequal_raises(ZeroDivisionError("division by zero"))),
        ["抛出了 ZeroDivisionError", "。期望抛出写明两个大小（3 和 5）的 ValueError"],
    ),
    "vague_error": (
        M,
        _merge(unequal=_unequal_raises(ValueError("尺寸不同"))),
        ["抛出 ValueError 是对的，但它的消息应当写明两个大小 3 和 5；它说的是：尺寸不同"],
    ),
    # Exercise 5.
    "summary_not_a_pair": (
        S,
        lambda o, h, l: good_summary(o, h, l)[0],
        ["应当返回一对值 (final, mean)"],
    ),
    "h_n_not_batch_first": (
        S,
        bad_final(lambda o, h, l: torch.cat([h[:, -2], h[:, -1]], -1)),
        [
            "summarize(output, h_n, lengths)（num_layers=1，output 的形状为 "
            "(3, 5, 8)，h_n 的形状为 (2, 3, 4)，lengths 为 [5, 2, 4]）的第一项"
            "（最终状态）：期望形状为 (3, 8)，即 (n, 2h)，得到的是 (2, 8)",
            "h_n 不是批量维在前的",
        ],
    ),
    "one_sequence": (S, bad_final(lambda o, h, l: o[-1]), ["output[-1] 是最后一个序列"]),
    "last_padded_step": (
        S,
        bad_final(lambda o, h, l: o[:, -1]),
        ["这是 output[:, -1]", "pad_packed_sequence 填入的零"],
    ),
    "last_real_step": (
        S,
        bad_final(lambda o, h, l: o[torch.arange(o.shape[0]), l - 1]),
        ["前向部分是对的", "它在第 0 步结束"],
    ),
    "first_step": (S, bad_final(lambda o, h, l: o[:, 0]), ["这是 output[:, 0]"]),
    "first_layer": (
        S,
        bad_final(lambda o, h, l: torch.cat([h[0], h[1]], -1)),
        ["这是第 1 层的最终状态"],
    ),
    "backward_first_summary": (
        S,
        bad_final(lambda o, h, l: torch.cat([h[-1], h[-2]], -1)),
        ["反向状态放在了前面"],
    ),
    "reshape": (
        S,
        bad_final(lambda o, h, l: h[-2:].reshape(h.shape[1], -1)),
        ["reshape 打乱了样本"],
    ),
    "other_summary": (
        S,
        bad_final(lambda o, h, l: -good_summary(o, h, l)[0]),
        ["请与 h_n 中顶层的最终状态比较"],
    ),
    "one_direction_shape": (
        S,
        bad_final(lambda o, h, l: h[-1]),
        ["期望形状为 (3, 8)，即 (n, 2h)，得到的是 (3, 4)：这只是一个方向"],
    ),
    "side_by_side": (S, bad_final(lambda o, h, l: h[-2:]), ["每个序列一行"]),
    "every_layer": (
        S,
        bad_final(
            lambda o, h, l: (
                h.permute(1, 0, 2).reshape(h.shape[1], -1)
                if h.shape[0] > 2
                else good_summary(o, h, l)[0]
            )
        ),
        ["这包含了每一层"],
    ),
    "mean_padding": (
        S,
        bad_mean(lambda o, h, l: o.mean(1)),
        ["的第二项（平均值）", "这是 output.mean(dim=1)", "除以每个序列自己的长度"],
    ),
    "mean_over_batch": (S, bad_mean(lambda o, h, l: o.mean(0)), ["这是在批量轴（dim 0）上取平均"]),
    "mean_over_features": (S, bad_mean(lambda o, h, l: o.mean(2)), ["这是在特征上取平均"]),
    "mean_one_direction": (
        S,
        bad_mean(lambda o, h, l: o.mean(1)[:, : h.shape[-1]]),
        ["这只是一个方向"],
    ),
    "sum": (S, bad_mean(lambda o, h, l: o.sum(1)), ["这是在时间上求和"]),
    "mean_other": (
        S,
        bad_mean(lambda o, h, l: o.sum(1) / (l[:, None] + 1)),
        ["output[i, :lengths[i]] 的平均值"],
    ),
    # Exercise 6.
    "padding_naive": (
        F,
        padding_naive,
        ["这些是填充后整个批次的最终状态", "序列 [1, 2, 3] 比 T 短"],
    ),
    "padding_flip_whole": (
        F,
        padding_flip_whole,
        ["X.flip(0)", "应当在每个序列自己的长度之内翻转它"],
    ),
    "padding_past_x1": (F, padding_past_x1, ["读完 x_1 之后", "第 lengths - 1 步的输出"]),
    "padding_forward_weights": (
        F,
        padding_forward_weights,
        ["反向部分是用 layer.f_rnn 算出来的", "（eq-backward）"],
    ),
    "padding_forward_through": (F, padding_forward_through, ["反向部分是对的，前向部分不对"]),
    "padding_backward_only": (F, _padding_backward_only, ["前向部分是对的，反向部分不对"]),
    "padding_reordered": (F, padding_reordered, ["各行必须保持批次原来的顺序"]),
    "padding_loop": (F, padding_loop, ["数值是对的，但反向方向运行了 4 次，每个序列一次"]),
    "padding_shape": (
        F,
        lambda layer, X, lengths: scratch_final_states(layer, X, lengths)[:, :4],
        [
            "final_states(layer, X, lengths)（X 的形状为 (6, 4, 3)，lengths 为 "
            "[6, 3, 5, 1]，h_f=4，h_b=4）：期望形状为 (4, 8)，即 (n, h_f + h_b)，"
            "得到的是 (4, 4)。"
        ],
    ),
    # Exercise 7.
    **{
        f"quiz_{letter}": (ex.check_perplexity, letter, [f"({letter}) 不是原因："])
        for letter in "acd"
    },
    "quiz_e": (
        ex.check_perplexity,
        "e",
        ["期望一个字母：'a'、'b'、'c' 或 'd'，得到的是 str 'e'。"],
    ),
    # Exercise 8.
    "lookbehind_right_side": (
        K,
        lambda m, i, t, k: accuracy(m, i, t, right=k),
        [
            "accuracy_left(model, inputs, truth, 0)（在 309 个留出问题上）：",
            "期望 0.495，得到的是 0.521：这是在空位之后 k 个字符处截断文本",
        ],
    ),
    "lookbehind_percent": (K, lambda m, i, t, k: 100 * accuracy_left(m, i, t, k), ["这是百分数"]),
    "lookbehind_count": (
        K,
        lambda m, i, t, k: accuracy_left(m, i, t, k) * len(t),
        ["这是答对的问题个数"],
    ),
    "lookbehind_wrong_row": (K, lookbehind_wrong_row, ["空位不再位于第 CONTEXT = 24 行"]),
    "lookbehind_off_by_one": (
        K,
        lambda m, i, t, k: accuracy_left(m, i, t, min(k + 1, CONTEXT)),
        ["这读取了空位左侧 4 个字符，而不是 3 个"],
    ),
    "lookbehind_filled": (K, lookbehind_filled(Vocab.mask_id), ["被替换成了 <mask>"]),
    "lookbehind_other": (K, lambda m, i, t, k: 0.5, ["请保留 inputs[CONTEXT - k:]"]),
    "lookbehind_not_a_number": (K, lambda m, i, t, k: "0.5", ["应当返回一个数"]),
}


# Feedback that quotes English from outside the check: the learner's exception or PyTorch's.
QUOTES_ENGLISH = {"learner_error", "batch_first_indexed", "wrong_error"}


@pytest.fixture(scope="module")
def trained():
    encoder, vocab, _ = train_encoder()
    return encoder, vocab


def _english_left(out: str) -> list[str]:
    """Outside quoted data, code spans and code-like tokens: the runs of four or more
    English words, the number of English words and the number of CJK characters."""
    flat = QUOTED.sub(" ", " ".join(out.split()))
    return FOUR_WORDS.findall(flat), len(WORD.findall(flat)), len(CJK.findall(flat))


@pytest.mark.parametrize("name", CASES)
def test_wrong_answers_get_chinese_feedback(name, monkeypatch, capsys, request):
    monkeypatch.setenv("BOOK_LANG", "zh")
    check, answer, says = CASES[name]
    if getattr(answer, "needs_encoder", False):
        answer = answer(*request.getfixturevalue("trained"))
    assert check(answer) is False
    out = capsys.readouterr().out
    assert out.startswith(ex.BAD) and "详细诊断" not in out, out
    _lines_fit(out)
    flat = re.sub(r"\s", "", out)
    for fragment in says:
        assert re.sub(r"\s", "", fragment) in flat, f"expected {fragment!r} in:\n{out}"
    if name in QUOTES_ENGLISH:
        return
    runs, words, cjk = _english_left(out)
    assert not runs, f"English left in:\n{out}"
    assert cjk >= 2 * words, f"{words} English words, {cjk} CJK characters in:\n{out}"


def test_right_answers_get_chinese_verdicts(monkeypatch, capsys):
    monkeypatch.setenv("BOOK_LANG", "zh")
    assert ex.check_merge(good_merge) and ex.check_deep_birnn(GoodDeep)
    out = capsys.readouterr().out
    assert out.startswith("✓ concat、sum 和 mean 的形状和数值都正确"), out
    assert "✓ 复制权重后" in out
