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

Every word of feedback comes from :data:`MESSAGES`, in the learner's language
(:func:`book.i18n.language`: Chinese in the zh_CN notebooks, else English).
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

from book.i18n import language
from book.i18n import message as _message
from book.scratch import BiRNNScratch
from book.train import seeded

__all__ = ["check_unequal_sizes", "check_deep_birnn", "check_polysemy", "check_merge",
           "check_summary", "check_padding", "check_perplexity", "check_lookbehind",
           "PERPLEXITY_CHOICES"]

TIME_LIMIT_S = 10.0
OK, BAD = "✓", "✗"
WIDTH = 70  # feedback is wrapped to fit a notebook output and the book's page

# Feedback in the learner's language, one template per message and language, with the same
# keys and the same {fields} in both (a test checks). Fields carry what is not translated:
# code, shapes, numbers and the chapter's equation labels (eq-concat ...). Terms follow
# locales/zh_CN/GLOSSARY.md.
MESSAGES = {
    "en": {
        # The frame of every check: the learner's code, time limits, answers of the wrong kind.
        "raised": "{what} raised {error}",
        "exception": "{kind}: {text}{line}.{hint}",
        "exit": "{what} called sys.exit() (or exit()), which would stop the program; return the "
                "result, or raise an exception to signal a problem.",
        "time_limit": "{what} did not finish within {limit:g} s on a tiny input: is there a "
                      "loop that never ends?",
        "at_line": " (line {line} of {function})",
        "stub": " Replace the stub's `raise NotImplementedError` with your code.",
        "unfinished": "the check could not finish: {error}. Look at the type and shape of what "
                      "your answer returns.",
        "expected": "expected {name}, got {got}.",
        "a_tensor": "a tensor of shape {shape} and dtype {dtype}",
        "not_a_tensor": "{what} should be a tensor, got {got}.",
        "not_a_shape": "{what} should be a shape: a tuple of whole numbers such as (2, 8), "
                       "got {got}.",
        "because": ": {why}",
        "values_wrong": "{what}: the shape is right but the values are not: {why}.",
        # Exercise 1: different hidden sizes per direction.
        "shapes_function": "a function shapes(n, h_f, h_b, q) returning (H_t shape, W_hq shape)",
        "shapes_not_a_pair": "{call} should return a pair (H_t shape, W_hq shape), got {got}.",
        "first_item": "the first item (the shape of H_t)",
        "second_item": "the second item (the shape of W_hq)",
        "sizes_case": "with n={n}, h_f={h_f}, h_b={h_b}, q={q}",
        "H_shape": "{case}: expected H_t of shape {want}, got {got}: {why}.",
        "H_same_size": "that treats both directions as if they had the same size; the forward "
                       "half has h_f columns and the backward half h_b",
        "H_one_half": "H_t holds both directions side by side, not one of them",
        "H_transposed": "the rows of H_t are the n examples of the batch; the columns are "
                        "features",
        "H_time_axis": "H_t is the state at one time step t, so it has no time axis",
        "see_eq_concat": "see the concatenation equation ({label})",
        "W_shape": "{case}: expected W_hq of shape {want}, got {got}: {why}.",
        "W_linear_layout": "that is how nn.Linear stores its weight, (out, in); in "
                           "O_t = H_t W_hq the matrix W_hq multiplies H_t from the right, so it "
                           "has one row per column of H_t",
        "W_rows": "W_hq needs one row per column of H_t, and H_t has {columns} columns",
        "see_eq_output": "see the output equation ({label})",
        # Exercise 2: a deep bidirectional RNN.
        "deep_class": "a class DeepBiRNN(input_size, hidden_size, num_layers)",
        "no_layers": "the model should keep its layers in `self.layers` (an nn.ModuleList of "
                     "BiRNNScratch), got {got}; the check loads PyTorch's weights through it.",
        "layer_count": "with num_layers={L}, expected {L} layers in `self.layers`, got {got}.",
        "layer": "layer {number}",
        "not_a_birnn": "{name} should be a BiRNNScratch, got {got}.",
        "not_registered": "{name}'s parameters are not registered with the model, so an "
                          "optimizer would never see them: keep the layers in an "
                          "nn.ModuleList, not a plain Python list.",
        "shared_weights": "in {name} the forward and backward directions share weights; "
                          "equations {forward} and {backward} have separate parameters.",
        "W_xh_shape": "with d={d}, h={h}: {name}'s W_xh should have shape {want}, got {got}: "
                      "{why}.",
        "W_xh_reads_concat": "{name} reads the concatenated states of layer {below}, so its "
                             "input size is h_f + h_b = {both}, not the data's d = {d}",
        "W_xh_reads_both": "{name} reads both directions of layer {below}, {both} features, "
                           "not one direction's {h}",
        "W_xh_sizes": "its input size should be {input} and its hidden size {h}",
        "model_call": "model(X) with X of shape {shape}",
        "model_not_a_pair": "model(X) should return a pair (outputs, h_n), got {got}.",
        "deep_case": "with d={d}, h={h}, num_layers={L}",
        "outputs_shape": "{case}: expected outputs of shape {want} (T, n, 2h), got {got}.",
        "outputs_differ": "{case}: outputs differ from nn.RNN(num_layers={L}, "
                          "bidirectional=True) with the same weights: {why}.",
        "outputs_first_layer": "they are layer 1's outputs; return the top layer's",
        "outputs_forward_only": "the forward half matches but the backward half does not",
        "outputs_stacking": "each layer should read the previous layer's outputs, (T, n, 2h)",
        "h_n_shape": "{case}: expected h_n of shape {want} (2L, n, h), got {got}.",
        "h_n_differs": "{case}: h_n differs from nn.RNN's: {why}.",
        "h_n_by_direction": "the rows are grouped by direction; PyTorch groups them by layer: "
                            "layer 1 forward, layer 1 backward, layer 2 forward, ...",
        "h_n_rows": "row 2l should be layer l+1's last forward state and row 2l+1 its backward "
                    "state after reading x_1",
        # Exercise 3: polysemy and contextual word vectors.
        "vector_function": "a function contextual_vector(tokens, position)",
        "not_a_vector": "{what} should return a tensor (a vector), got {got}.",
        "empty_vector": "{what} returned an empty or non-finite tensor: {got}.",
        "index_error_axes": "{failure} The encoder reads a time-first batch, (T, n): a (1, T) "
                            "input is T sequences of one word each. Use {fix}.",
        "vector_sizes": "expected vectors of one size for every sentence, got sizes {sizes}.",
        "static_vector": "all {count} sentences gave the same vector for '{word}'. That is a "
                         "static vector: one per word, whatever surrounds it. Either it is the "
                         "embedding table's row, or the encoder saw each word alone, as happens "
                         "when a (1, T) batch-first input is read as T one-word sequences (the "
                         "encoder wants (T, n): {fix}). Run the encoder over the whole sentence "
                         "and take its state at the word.",
        "sentence_vector": "'{other}' and '{word}' in the same sentence got the same vector: "
                           "the answer ignores `position` and describes the sentence, not the "
                           "word.",
        "reads_only_leftwards": "sentences that differ only in a word to the RIGHT of 'bank' "
                                "({example}) got identical vectors: your vector reads only "
                                "leftwards. Include the backward direction's state.",
        "reads_only_rightwards": "sentences that differ only in a word to the LEFT of 'bank' "
                                 "({example}) got identical vectors: your vector reads only "
                                 "rightwards. Include the forward direction's state.",
        "example_pair": "'{a}' vs '{b}'",
        "polysemy_next_word": "these are the states of the word after '{word}' (position + 1: "
                              "'{neighbour}' in '{sentence}'), not of '{word}' itself: take the "
                              "state at `position`.",
        "polysemy_previous_word": "these are the states of the word before '{word}' (position "
                                  "- 1: '{neighbour}' in '{sentence}'), not of '{word}' itself: "
                                  "take the state at `position`.",
        "polysemy_scores": "these are the read-out's {q} scores (or probabilities) for the words "
                           "of the vocabulary at '{word}': calling `encoder` runs the output "
                           "layer on the states. The contextual vector is the state that the "
                           "read-out reads, from `encoder.states`.",
        "no_sense_groups": "the vectors change with the context but do not group by sense: "
                           "after centring, same-sense pairs beat cross-sense pairs by "
                           "{right:.2f} (cue on the right) and {left:.2f} (cue on the left) in "
                           "cosine similarity; expected at least {threshold} for both (at most "
                           "2 is possible). Use the trained encoder's states, not random or "
                           "untrained ones.",
        # Exercise 4: merging the directions.
        "merge_function": "a function merge(f_outputs, b_outputs, mode)",
        "merge_call": "merge(f_outputs, b_outputs, {mode}) with both of shape {shape}",
        "merge_call_unequal": "merge(f_outputs, b_outputs, {mode}) with h_f=3, h_b=5",
        "merge_shape": "{what}: expected shape {want}, got {got}{why}.",
        "merge_along_time": "that joins them along time (dim 0); the directions go side by "
                            "side in the feature axis",
        "merge_along_batch": "that joins them along the batch axis (dim 1); use the feature "
                             "axis",
        "merge_size_stays": "{mode} combines matching features of the two directions, so the "
                            "size stays h",
        "merge_reduced": "the merge happens at every step, per feature; nothing is reduced "
                         "over time or features",
        "merge_backward_first": "the backward half comes first; the chapter (and PyTorch) put "
                                "forward first",
        "merge_precedence": "only the backward states were halved: mind the operator "
                            "precedence",
        "merge_mean_is_sum": "that is the sum; the mean divides it by the number of directions",
        "merge_sum_is_mean": "that is the mean, not the sum",
        "merge_one_direction": "only one direction came through",
        "merge_compare": "compare with the definition of the mode, feature by feature, step by "
                         "step",
        "merge_concat_unequal": "{what}: expected shape {want} holding forward then backward "
                                "states, got {got}.",
        "merge_wrong_error": "{failure}. Expected a ValueError that names both sizes (3 and 5): "
                             "check them before any arithmetic, as the chapter's layers do.",
        "merge_vague_error": "{what}: a ValueError is right, but its message should name both "
                             "sizes, 3 and 5; it said: {said}",
        "merge_no_error": "{what}: expected a ValueError ({mode} needs h_f == h_b), but it "
                          "returned {got}.",
        # Exercise 5: summaries of a padded, batch-first batch.
        "summary_function": "a function summarize(output, h_n, lengths)",
        "summary_call": "summarize(output, h_n, lengths) for num_layers={L} (output {output}, "
                        "h_n {h_n}, lengths {lengths})",
        "summary_not_a_pair": "{what} should return a pair (final, mean), got {got}.",
        "summary_item": "{call}, {item}",
        "summary_final": "the first item (the final states)",
        "summary_mean_item": "the second item (the mean)",
        "shape_n_2h": "{what}: expected shape {want} (n, 2h), got {got}{why}.",
        "summary_side_by_side": "one row per sequence, both directions side by side",
        "summary_one_direction": "that is one direction; the summary needs both",
        "summary_every_layer": "that includes every layer; the summary is the top layer's",
        "summary_h_n_not_batch_first": "that is one row per layer and direction: h_n is not "
                                       "batch-first. batch_first=True changes the input and "
                                       "output, but h_n stays (2L, n, h): its rows are layers "
                                       "and directions, its second axis the sequences",
        "summary_one_sequence": "that is one sequence at every step: with batch_first=True, "
                                "output is (n, T, 2h), so output[-1] is the last sequence, not "
                                "the last step",
        "summary_reshape": "reshape mixes the examples: in h_n the batch is the middle axis, so "
                           "reshaping (2, n, h) to (n, 2h) pairs rows of different sequences",
        "summary_last_padded_step": "that is output[:, -1], the last step of the padded batch: "
                                    "for a sequence shorter than T it holds the zeros that "
                                    "pad_packed_sequence fills in, and even for a full one its "
                                    "backward half is the backward direction's first step, "
                                    "not its final state",
        "summary_last_real_step": "the forward halves are right: output[i, lengths[i] - 1] is "
                                  "where the forward direction stops. The backward halves are "
                                  "not: there the backward direction has taken only its first "
                                  "step; it ends at step 0",
        "summary_first_step": "that is output[:, 0]: its backward half is the final backward "
                              "state, but its forward half is the forward direction's first "
                              "step",
        "summary_first_layer": "those are layer 1's final states; the top layer's are the last "
                               "two rows of h_n",
        "summary_backward_first": "the backward state comes first; put the forward state "
                                  "first, as in output",
        "summary_compare": "compare it with the top layer's final states in h_n",
        "summary_mean_over_batch": "that averages over the batch (dim 0); with "
                                   "batch_first=True, time is dim 1",
        "summary_mean_over_features": "that averages over the features; average over time "
                                      "(dim 1)",
        "summary_mean_padding": "that is output.mean(dim=1), which also counts the padded steps "
                                "(zeros after pad_packed_sequence), so a short sequence's mean "
                                "is pulled toward zero. Divide the sum over time by each "
                                "sequence's own length",
        "summary_sum": "that is the sum over time; divide it by each sequence's length",
        "summary_mean_compare": "compare it with the mean of output[i, :lengths[i]] for each "
                                "sequence i",
        # Exercise 6: final states of a scratch layer on a padded batch.
        "padding_function": "a function final_states(layer, X, lengths)",
        "padding_call": "final_states(layer, X, lengths) with X of shape {shape}, lengths "
                        "{lengths}, h_f={h_f} and h_b={h_b}",
        "padding_shape": "{what}: expected shape {want} (n, h_f + h_b), got {got}.",
        "padding_wrong": "{what}: {why}.",
        "padding_naive": "these are the final states of the padded batch: sequences {short} "
                         "are shorter than T, so their forward state went on through the "
                         "padding and their backward state started on it. Only the full-length "
                         "rows are right",
        "padding_flip_whole": "the forward halves are right, but the backward halves come from "
                              "reversing the padded batch as a whole (X.flip(0), as "
                              "BiRNNScratch does), so a short sequence's backward pass reads "
                              "its padding before its last real step. Reverse each sequence "
                              "within its own length",
        "padding_past_x1": "the forward halves are right and the backward pass starts where it "
                           "should, but its final state has run on past x_1 into the padding "
                           "at the end of the reversed batch: read its output at step "
                           "lengths - 1, where it has just read x_1",
        "padding_scratch_forward_weights": "the backward halves were computed with layer.f_rnn; "
                                           "the backward direction is layer.b_rnn, with weights "
                                           "of its own ({label})",
        "padding_backward_wrong": "the forward halves are right, the backward halves are not: "
                                  "for a short sequence the backward direction must start at "
                                  "its last real step, not at the padding",
        "padding_forward_wrong": "the backward halves are right, the forward halves are not: "
                                 "the forward state should stop at each sequence's last real "
                                 "step",
        "padding_neither": "neither direction matches running each sequence on its own; rows "
                           "must stay in the original batch order",
        "padding_loop": "{what}: the values are right, but the backward direction ran {calls} "
                        "times, once per sequence. Reverse every sequence within its own "
                        "length in one batch: then one call of layer.b_rnn covers them all.",
        # Exercise 8: how far to the left must the reader read?
        "lookbehind_function": "a function accuracy_left(model, inputs, truth, k)",
        "lookbehind_call": "accuracy_left(model, inputs, truth, {k}) on {n} held-out questions",
        "lookbehind_not_a_number": "{what} should return a number, the share of the questions "
                                   "answered right, got {got}.",
        "lookbehind_wrong": "{what}: expected {want:.3f}, got {got:.3f}: {why}.",
        "lookbehind_percent": "that is a percentage; return the share, between 0 and 1",
        "lookbehind_count": "that is the number of questions answered right; return their share",
        "lookbehind_right_side": "that cuts the text k characters after the blank, as the "
                                 "look-ahead measurement did; here keep the whole right side "
                                 "and cut the left",
        "lookbehind_wrong_row": "after the cut the blank is no longer at row CONTEXT = "
                                "{context}: with k characters left of it, it is at row k",
        "lookbehind_off_by_one": "that reads {read} characters left of the blank, not {k}",
        "lookbehind_filled": "the characters further left were replaced by {token}, not "
                             "removed: the model still reads those steps, and a run of {token} "
                             "tells it something. Drop them, so that the text starts k "
                             "characters before the blank",
        "lookbehind_compare": "keep inputs[CONTEXT - k:], in which the blank is at row k, and "
                              "compare the model's guesses there with truth",
        # Verdicts.
        "ok_unequal_sizes": "H_t and W_hq have the right shapes for equal and unequal h_f, h_b "
                            "(confirmed on a real BiRNNScratch and output layer).",
        "ok_deep_birnn": "outputs and h_n match nn.RNN(num_layers=L, bidirectional=True) with "
                         "copied weights, for L = 2 and 3.",
        "ok_polysemy": "context-dependent vectors: same-sense contexts are closer than "
                       "cross-sense ones (separation {right:.2f} with the cue on the right, "
                       "{left:.2f} on the left).",
        "ok_merge": "concat, sum and mean give the right shapes and values; sum and mean refuse "
                    "unequal hidden sizes with a clear ValueError.",
        "ok_summary": "the final states come from the top layer's rows of h_n (which is not "
                      "batch-first), and the mean covers each sequence's real steps only, for "
                      "one and two layers.",
        "ok_padding": "the final states of every sequence, short or long, equal those of the "
                      "sequence run on its own, with one call of each direction over the whole "
                      "batch.",
        "ok_lookbehind": "accuracy_left agrees with the reference on the held-out questions, "
                         "for k = {ks}.",
        # Exercise 7: the perplexity quiz.
        "ok_perplexity": "right: the backward half of H_t is computed from x_t..x_T, so the "
                         "target x_{{t+1}} is part of the input. The model copies it, and the low "
                         "perplexity measures copying, not prediction.",
        "one_letter": "expected one letter, 'a', 'b', 'c' or 'd', got {got}.",
        "not_the_reason": "({letter}) is not the reason: {why}",
    },
    "zh": {
        "raised": "{what} 抛出了 {error}",
        "exception": "{kind}: {text}{line}。{hint}",
        "exit": "{what} 调用了 sys.exit()（或 exit()），这会终止程序；请返回结果，"
                "或者抛出异常来表示出了问题。",
        "time_limit": "{what} 在一个很小的输入上 {limit:g} 秒内没有结束："
                      "是不是有一个永不结束的循环？",
        "at_line": "（{function} 的第 {line} 行）",
        "stub": "请把占位代码中的 `raise NotImplementedError` 换成你的代码。",
        "unfinished": "自检无法完成：{error}。请检查你的答案返回值的类型和形状。",
        "expected": "期望{name}，得到的是 {got}。",
        "a_tensor": "形状为 {shape}、dtype 为 {dtype} 的张量",
        "not_a_tensor": "{what} 应当是张量，得到的是 {got}。",
        "not_a_shape": "{what}应当是一个形状，即由整数组成的元组，例如 (2, 8)；"
                       "得到的是 {got}。",
        "because": "：{why}",
        "values_wrong": "{what}：形状正确，但数值不对：{why}。",
        "shapes_function": "一个返回 (H_t 的形状, W_hq 的形状) 的函数 shapes(n, h_f, h_b, q)",
        "shapes_not_a_pair": "{call} 应当返回一对形状 (H_t 的形状, W_hq 的形状)，"
                             "得到的是 {got}。",
        "first_item": "第一项（H_t 的形状）",
        "second_item": "第二项（W_hq 的形状）",
        "sizes_case": "当 n={n}、h_f={h_f}、h_b={h_b}、q={q} 时",
        "H_shape": "{case}，期望 H_t 的形状为 {want}，得到的是 {got}：{why}。",
        "H_same_size": "这是把两个方向当成了同样大小；前向部分有 h_f 列，反向部分有 h_b 列",
        "H_one_half": "H_t 把两个方向的隐状态并排放在一起，而不是只含其中一个",
        "H_transposed": "H_t 的行是批次中的 n 个样本，列是特征",
        "H_time_axis": "H_t 是某一个时间步 t 的隐状态，所以没有时间轴",
        "see_eq_concat": "参见拼接方程（{label}）",
        "W_shape": "{case}，期望 W_hq 的形状为 {want}，得到的是 {got}：{why}。",
        "W_linear_layout": "这是 nn.Linear 存储权重的方式，即 (out, in)；而在 O_t = H_t W_hq 中，"
                           "是用 W_hq 右乘 H_t，所以 H_t 有多少列，W_hq 就有多少行",
        "W_rows": "H_t 的每一列都对应 W_hq 的一行，而 H_t 有 {columns} 列",
        "see_eq_output": "参见输出层方程（{label}）",
        "deep_class": "一个类 DeepBiRNN(input_size, hidden_size, num_layers)",
        "no_layers": "模型应当把各层放在 `self.layers` 中（一个由 BiRNNScratch 组成的 "
                     "nn.ModuleList），得到的是 {got}；自检要通过它载入 PyTorch 的权重。",
        "layer_count": "num_layers={L} 时，期望 `self.layers` 中有 {L} 层，得到的是 {got} 层。",
        "layer": "第 {number} 层",
        "not_a_birnn": "{name}应当是 BiRNNScratch，得到的是 {got}。",
        "not_registered": "{name}的参数没有注册到模型中，优化器永远看不到它们："
                          "请把各层放在 nn.ModuleList 中，而不是普通的 Python 列表。",
        "shared_weights": "{name}的前向和反向方向共享了权重；方程 {forward} 和 {backward} "
                          "各有自己的参数。",
        "W_xh_shape": "d={d}、h={h} 时，{name}的 W_xh 形状应为 {want}，得到的是 {got}：{why}。",
        "W_xh_reads_concat": "{name}读取的是第 {below} 层拼接后的隐状态，所以输入大小是 "
                             "h_f + h_b = {both}，而不是数据的 d = {d}",
        "W_xh_reads_both": "{name}读取第 {below} 层两个方向的隐状态，共 {both} 个特征，"
                           "而不是一个方向的 {h} 个",
        "W_xh_sizes": "它的输入大小应为 {input}，隐藏单元数应为 {h}",
        "model_call": "model(X)（X 的形状为 {shape}）",
        "model_not_a_pair": "model(X) 应当返回一对值 (outputs, h_n)，得到的是 {got}。",
        "deep_case": "当 d={d}、h={h}、num_layers={L} 时",
        "outputs_shape": "{case}，期望 outputs 的形状为 {want}，即 (T, n, 2h)，得到的是 {got}。",
        "outputs_differ": "{case}，outputs 与权重相同的 nn.RNN(num_layers={L}, "
                          "bidirectional=True) 不一致：{why}。",
        "outputs_first_layer": "这是第 1 层的输出；应当返回顶层的输出",
        "outputs_forward_only": "前向部分一致，但反向部分不一致",
        "outputs_stacking": "每一层都应当读取上一层的输出 (T, n, 2h)",
        "h_n_shape": "{case}，期望 h_n 的形状为 {want}，即 (2L, n, h)，得到的是 {got}。",
        "h_n_differs": "{case}，h_n 与 nn.RNN 的不一致：{why}。",
        "h_n_by_direction": "这些行是按方向分组的；PyTorch 按层分组：第 1 层前向、"
                            "第 1 层反向、第 2 层前向，依此类推",
        "h_n_rows": "第 2l 行应为第 l+1 层最后的前向状态，第 2l+1 行应为该层读完 x_1 "
                    "之后的反向状态",
        "vector_function": "一个函数 contextual_vector(tokens, position)",
        "not_a_vector": "{what} 应当返回一个张量（一个向量），得到的是 {got}。",
        "empty_vector": "{what} 返回了一个空的或含有非有限值的张量：{got}。",
        "index_error_axes": "{failure}编码器读取的是时间维在前的批次 (T, n)：形状为 (1, T) "
                            "的输入是 T 个各含一个词的序列。请使用 {fix}。",
        "vector_sizes": "期望每个句子的向量大小都相同，得到的大小为 {sizes}。",
        "static_vector": "全部 {count} 个句子为 '{word}' 给出了同一个向量。这是静态向量："
                         "每个词只有一个，与上下文无关。它要么是嵌入表中的一行，要么是编码器"
                         "单独看到了每个词：把批量维在前的 (1, T) 输入当作 T 个单词序列读取时"
                         "就会这样（编码器需要 (T, n)：{fix}）。请让编码器读完整个句子，"
                         "再取它在该词处的状态。",
        "sentence_vector": "同一个句子中的 '{other}' 和 '{word}' 得到了同一个向量：答案忽略了 "
                           "`position`，描述的是句子，而不是这个词。",
        "reads_only_leftwards": "只在 'bank' 右侧有一个词不同的句子（{example}）得到了完全"
                                "相同的向量：你的向量只读取了左侧的上下文。请加入反向方向的状态。",
        "reads_only_rightwards": "只在 'bank' 左侧有一个词不同的句子（{example}）得到了完全"
                                 "相同的向量：你的向量只读取了右侧的上下文。请加入前向方向的状态。",
        "example_pair": "'{a}' 与 '{b}'",
        "polysemy_next_word": "这些是 '{word}' 后一个词的状态（position + 1：'{sentence}' 中的 "
                              "'{neighbour}'），而不是 '{word}' 本身的状态：请取 `position` "
                              "处的状态。",
        "polysemy_previous_word": "这些是 '{word}' 前一个词的状态（position - 1：'{sentence}' "
                                  "中的 '{neighbour}'），而不是 '{word}' 本身的状态：请取 "
                                  "`position` 处的状态。",
        "polysemy_scores": "这些是读出层在 '{word}' 处为词表中 {q} 个词给出的分数（或概率）："
                           "调用 `encoder` 会在状态之上运行输出层。上下文相关向量是读出层所读取"
                           "的状态，由 `encoder.states` 给出。",
        "no_sense_groups": "向量随上下文而变，但没有按词义分组：中心化之后，同一词义的向量对"
                           "在余弦相似度上比不同词义的向量对高出 {right:.2f}（线索在右侧）和 "
                           "{left:.2f}（线索在左侧）；期望两者都至少为 {threshold}（最大可能为 "
                           "2）。请使用训练好的编码器的状态，而不是随机的或未经训练的状态。",
        "merge_function": "一个函数 merge(f_outputs, b_outputs, mode)",
        "merge_call": "merge(f_outputs, b_outputs, {mode})（两者的形状均为 {shape}）",
        "merge_call_unequal": "merge(f_outputs, b_outputs, {mode})（h_f=3、h_b=5 时）",
        "merge_shape": "{what}：期望形状为 {want}，得到的是 {got}{why}。",
        "merge_along_time": "这是沿时间维（dim 0）拼接；两个方向应当在特征轴上并排放置",
        "merge_along_batch": "这是沿批量轴（dim 1）拼接；请沿特征轴拼接",
        "merge_size_stays": "{mode} 把两个方向中对应的特征合并起来，所以大小仍为 h",
        "merge_reduced": "合并在每个时间步上逐个特征进行，不在时间或特征上做任何归约",
        "merge_backward_first": "反向部分放在了前面；本章（以及 PyTorch）都把前向放在前面",
        "merge_precedence": "只有反向状态被减半了：注意运算符的优先级",
        "merge_mean_is_sum": "这是求和；平均值还要再除以方向的个数",
        "merge_sum_is_mean": "这是平均值，不是求和",
        "merge_one_direction": "结果中只有一个方向的状态",
        "merge_compare": "请对照该模式的定义，逐个特征、逐个时间步地比较",
        "merge_concat_unequal": "{what}：期望形状为 {want}，先放前向状态、再放反向状态，"
                                "得到的是 {got}。",
        "merge_wrong_error": "{failure}。期望抛出写明两个大小（3 和 5）的 ValueError："
                             "请像本章的层那样，在做任何运算之前先检查它们。",
        "merge_vague_error": "{what}：抛出 ValueError 是对的，但它的消息应当写明两个大小 "
                             "3 和 5；它说的是：{said}",
        "merge_no_error": "{what}：期望抛出 ValueError（{mode} 要求 h_f == h_b），"
                          "但它返回了 {got}。",
        "summary_function": "一个函数 summarize(output, h_n, lengths)",
        "summary_call": "summarize(output, h_n, lengths)（num_layers={L}，output 的形状为 "
                        "{output}，h_n 的形状为 {h_n}，lengths 为 {lengths}）",
        "summary_not_a_pair": "{what} 应当返回一对值 (final, mean)，得到的是 {got}。",
        "summary_item": "{call}的{item}",
        "summary_final": "第一项（最终状态）",
        "summary_mean_item": "第二项（平均值）",
        "shape_n_2h": "{what}：期望形状为 {want}，即 (n, 2h)，得到的是 {got}{why}。",
        "summary_side_by_side": "每个序列一行，两个方向并排放置",
        "summary_one_direction": "这只是一个方向；序列表示需要两个方向",
        "summary_every_layer": "这包含了每一层；序列表示只取顶层",
        "summary_h_n_not_batch_first": "这里每一行对应一层的一个方向：h_n 不是批量维在前"
                                       "的。batch_first=True 改变的是输入和 output，h_n 仍为 "
                                       "(2L, n, h)，它的第二个轴才是序列",
        "summary_one_sequence": "这是一个序列在所有时间步上的状态：batch_first=True 时 output "
                                "为 (n, T, 2h)，所以 output[-1] 是最后一个序列，而不是最后一步",
        "summary_reshape": "reshape 打乱了样本：在 h_n 中批量轴是中间一维，所以把 (2, n, h) "
                           "reshape 成 (n, 2h) 会把不同序列的行配在一起",
        "summary_last_padded_step": "这是 output[:, -1]，即填充后批次的最后一步：对于短于 T "
                                    "的序列，这里是 pad_packed_sequence 填入的零；即便是完整的"
                                    "序列，它的反向部分也只是反向方向的第一步，而不是它的"
                                    "最终状态",
        "summary_last_real_step": "前向部分是对的：output[i, lengths[i] - 1] 正是前向方向停下"
                                  "的地方。反向部分不对：反向方向在那里只走了第一步；它在第 0 "
                                  "步结束",
        "summary_first_step": "这是 output[:, 0]：它的反向部分是反向的最终状态，但它的前向部分"
                              "只是前向方向的第一步",
        "summary_first_layer": "这是第 1 层的最终状态；顶层的最终状态是 h_n 的最后两行",
        "summary_backward_first": "反向状态放在了前面；请像 output 中那样把前向状态放在前面",
        "summary_compare": "请与 h_n 中顶层的最终状态比较",
        "summary_mean_over_batch": "这是在批量轴（dim 0）上取平均；batch_first=True 时，"
                                   "时间是 dim 1",
        "summary_mean_over_features": "这是在特征上取平均；应当在时间（dim 1）上取平均",
        "summary_mean_padding": "这是 output.mean(dim=1)，它把填充的时间步（pad_packed_sequence "
                                "之后的零）也算了进去，所以短序列的平均值被拉向零。应当用时间上"
                                "的和除以每个序列自己的长度",
        "summary_sum": "这是在时间上求和；还要除以每个序列的长度",
        "summary_mean_compare": "请与每个序列 i 的 output[i, :lengths[i]] 的平均值比较",
        "padding_function": "一个函数 final_states(layer, X, lengths)",
        "padding_call": "final_states(layer, X, lengths)（X 的形状为 {shape}，lengths 为 "
                        "{lengths}，h_f={h_f}，h_b={h_b}）",
        "padding_shape": "{what}：期望形状为 {want}，即 (n, h_f + h_b)，得到的是 {got}。",
        "padding_wrong": "{what}：{why}。",
        "padding_naive": "这些是填充后整个批次的最终状态：序列 {short} 比 T 短，所以它们的"
                         "前向状态在填充部分上继续运行，反向状态则是从填充处开始的。只有长度"
                         "完整的那些行是对的",
        "padding_flip_whole": "前向部分是对的，但反向部分来自把填充后的整个批次一起翻转"
                              "（X.flip(0)，BiRNNScratch 就是这样做的），于是短序列的反向计算"
                              "先读到填充，然后才读到它最后一个有效时间步。应当在每个序列"
                              "自己的长度之内翻转它",
        "padding_past_x1": "前向部分是对的，反向计算的起点也对，但它的最终状态在读完 x_1 之后"
                           "又继续读了翻转后批次末尾的填充：请取它在第 lengths - 1 步的输出，"
                           "那时它刚刚读完 x_1",
        "padding_scratch_forward_weights": "反向部分是用 layer.f_rnn 算出来的；反向方向是 "
                                           "layer.b_rnn，它有自己的权重（{label}）",
        "padding_backward_wrong": "前向部分是对的，反向部分不对：对于较短的序列，反向方向"
                                  "必须从它最后一个有效时间步开始，而不是从填充处开始",
        "padding_forward_wrong": "反向部分是对的，前向部分不对：前向状态应当停在每个序列"
                                 "最后一个有效时间步",
        "padding_neither": "两个方向都与单独运行每个序列的结果不一致；各行必须保持批次原来的"
                           "顺序",
        "padding_loop": "{what}：数值是对的，但反向方向运行了 {calls} 次，每个序列一次。请在"
                        "同一个批次中把每个序列在它自己的长度之内翻转，这样调用一次 layer.b_rnn "
                        "就能处理全部序列。",
        "lookbehind_function": "一个函数 accuracy_left(model, inputs, truth, k)",
        "lookbehind_call": "accuracy_left(model, inputs, truth, {k})（在 {n} 个留出问题上）",
        "lookbehind_not_a_number": "{what} 应当返回一个数，即答对的问题所占的比例，得到的是 "
                                   "{got}。",
        "lookbehind_wrong": "{what}：期望 {want:.3f}，得到的是 {got:.3f}：{why}。",
        "lookbehind_percent": "这是百分数；请返回 0 到 1 之间的比例",
        "lookbehind_count": "这是答对的问题个数；请返回它们所占的比例",
        "lookbehind_right_side": "这是在空位之后 k 个字符处截断文本，和前瞻测量的做法一样；"
                                 "这里要保留全部右侧文本，截掉左侧",
        "lookbehind_wrong_row": "截断之后，空位不再位于第 CONTEXT = {context} 行：它左边有 k 个"
                                "字符，所以位于第 k 行",
        "lookbehind_off_by_one": "这读取了空位左侧 {read} 个字符，而不是 {k} 个",
        "lookbehind_filled": "更靠左的字符被替换成了 {token}，而不是被删除：模型仍然要读这些"
                             "时间步，而一串 {token} 本身也会透露信息。请把它们删掉，让文本从"
                             "空位之前 k 个字符处开始",
        "lookbehind_compare": "请保留 inputs[CONTEXT - k:]（其中空位位于第 k 行），并把模型在"
                              "那里的猜测与 truth 比较",
        "ok_unequal_sizes": "h_f 与 h_b 相等和不等时，H_t 和 W_hq 的形状都正确"
                            "（已在真实的 BiRNNScratch 和输出层上确认）。",
        "ok_deep_birnn": "复制权重后，outputs 和 h_n 与 nn.RNN(num_layers=L, bidirectional=True) "
                         "一致，L = 2 和 3 均如此。",
        "ok_polysemy": "向量随上下文而变：同一词义的上下文比不同词义的更接近"
                       "（线索在右侧时区分度为 {right:.2f}，在左侧时为 {left:.2f}）。",
        "ok_merge": "concat、sum 和 mean 的形状和数值都正确；隐藏单元数不等时，sum 和 mean "
                    "会以清楚的 ValueError 拒绝。",
        "ok_summary": "对一层和两层的情形，最终状态都取自 h_n 中顶层的行（h_n 不是批量维在前"
                      "的），平均值也只覆盖每个序列的有效时间步。",
        "ok_padding": "每个序列（无论长短）的最终状态都等于该序列单独运行的结果，"
                      "而且每个方向只在整个批次上调用了一次。",
        "ok_lookbehind": "对 k = {ks}，accuracy_left 在留出问题上与参考结果一致。",
        "ok_perplexity": "正确：H_t 的反向部分由 x_t..x_T 算出，所以目标 x_{{t+1}} 就在输入之中。"
                         "模型把它抄了过来，低困惑度衡量的是抄写，而不是预测。",
        "one_letter": "期望一个字母：'a'、'b'、'c' 或 'd'，得到的是 {got}。",
        "not_the_reason": "({letter}) 不是原因：{why}",
    },
}


def _t(key: str, **fields) -> str:
    return _message(MESSAGES, key, **fields)


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
        return textwrap.fill(text, width=width, subsequent_indent=indent,
                             break_long_words=False, break_on_hyphens=False)
    pieces: list[list[str]] = []          # [space before, piece]: no line break inside a piece
    for space, char in re.findall(r"(\s*)(\S)", text):
        # No space beside a full-width mark or between two wide characters: a template's
        # space before a field that turned out Chinese ("得到的是 {got}") is dropped.
        before = pieces[-1][1][-1] if pieces else ""
        space = " " if space and not (char in _FULL_WIDTH or before in _FULL_WIDTH
                                      or _wide(char) and _wide(before)) else ""
        if pieces and not space and (not (_wide(char) or _wide(before))  # a narrow word
                                     or char in _NO_BREAK_BEFORE or before in _NO_BREAK_AFTER):
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
        text = _t("a_tensor", shape=tuple(value.shape), dtype=value.dtype)
    else:
        text = f"{type(value).__name__} {value!r}"
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
        raise _Failed(_t("time_limit", what=what, limit=TIME_LIMIT_S)) from None
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
        raise _Failed(_t("exit", what=what)) from exc
    except Exception as exc:  # the learner's error becomes feedback
        raise _Failed(_t("raised", what=what, error=_explain(exc))) from exc


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
    return _t("exception", kind=type(exc).__name__, text=exc, line=line, hint=hint)


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
        raise _Failed(_t("expected", name=name, got=_describe(answer)))


def _as_tensor(value, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise _Failed(_t("not_a_tensor", what=what, got=_describe(value)))
    return value.detach()


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a.float(), b.float(), atol=1e-5, rtol=1e-4)


def _shape(value, what: str) -> tuple:
    """A shape given as a tuple, list or torch.Size of whole numbers, as a tuple of ints."""
    if isinstance(value, (tuple, list, torch.Size)) and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value):
        return tuple(int(v) for v in value)
    raise _Failed(_t("not_a_shape", what=what, got=_describe(value)))


# --- Exercise 1: different hidden sizes per direction ------------------------------------------

@_check
def check_unequal_sizes(answer):
    """``answer(n, h_f, h_b, q)`` returns ``(shape of H_t, shape of W_hq)``.

    The truth is read off a real :class:`~book.BiRNNScratch` and a real output layer, not
    typed in, so the check and the chapter's equations cannot drift apart.
    """
    _require_callable(answer, _t("shapes_function"))
    for n, h_f, h_b, q in ((2, 3, 5, 4), (3, 6, 2, 7), (1, 4, 4, 2)):
        call = f"shapes({n}, {h_f}, {h_b}, {q})"
        result = _run(answer, n, h_f, h_b, q, what=call)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise _Failed(_t("shapes_not_a_pair", call=call, got=_describe(result)))
        H_shape = _shape(result[0], _t("first_item"))
        W_shape = _shape(result[1], _t("second_item"))
        layer = BiRNNScratch(3, h_f, h_b)
        with torch.no_grad():
            outputs, _ = layer(torch.zeros(2, n, 3))        # (T, n, h_f + h_b)
        true_H = tuple(outputs[0].shape)
        head = nn.Linear(h_f + h_b, q)                       # weight is stored as (q, h_f + h_b)
        true_W = tuple(head.weight.T.shape)
        case = _t("sizes_case", n=n, h_f=h_f, h_b=h_b, q=q)
        if H_shape != true_H:
            same_size, one_half = _t("H_same_size"), _t("H_one_half")
            why = _diagnose(H_shape, [
                *(((n, 2 * h), same_size) for h in (h_f, h_b) if h_f != h_b),
                ((n, h_f), one_half), ((n, h_b), one_half),
                (true_H[::-1], _t("H_transposed")),
                (lambda s: len(s) == 3, _t("H_time_axis")),
            ], _t("see_eq_concat", label="eq-concat"))
            raise _Failed(_t("H_shape", case=case, want=true_H, got=H_shape, why=why))
        if W_shape != true_W:
            why = _diagnose(W_shape, [
                (true_W[::-1], _t("W_linear_layout")),
                (lambda s: len(s) == 2 and s[1] == q, _t("W_rows", columns=true_H[1])),
            ], _t("see_eq_output", label="eq-output"))
            raise _Failed(_t("W_shape", case=case, want=true_W, got=W_shape, why=why))
    return _t("ok_unequal_sizes")


# --- Exercise 2: a deep bidirectional RNN ------------------------------------------------------

def _load_layers(model, rnn):
    """Load layer ``l`` of a multi-layer bidirectional ``nn.RNN`` into ``model.layers[l]``
    with :meth:`book.BiRNNScratch.load_torch`, after checking what can be diagnosed."""
    layers = getattr(model, "layers", None)
    if layers is None or not hasattr(layers, "__len__") or not hasattr(layers, "__getitem__"):
        raise _Failed(_t("no_layers", got=_describe(layers)))
    if len(layers) != rnn.num_layers:
        raise _Failed(_t("layer_count", L=rnn.num_layers, got=len(layers)))
    registered = {id(p) for p in model.parameters()} if isinstance(model, nn.Module) else set()
    d, h = rnn.input_size, rnn.hidden_size
    for l, layer in enumerate(layers):
        name = _t("layer", number=l + 1)
        if not isinstance(layer, BiRNNScratch):
            raise _Failed(_t("not_a_birnn", name=name, got=_describe(layer)))
        if any(id(p) not in registered for p in layer.parameters()):
            raise _Failed(_t("not_registered", name=name))
        f_rnn, b_rnn = layer.f_rnn, layer.b_rnn
        if f_rnn is b_rnn or f_rnn.W_xh is b_rnn.W_xh or f_rnn.W_hh is b_rnn.W_hh:
            raise _Failed(_t("shared_weights", name=name, forward="eq-forward",
                             backward="eq-backward"))
        expected = (d if l == 0 else 2 * h, h)
        got = tuple(f_rnn.W_xh.shape)
        if got != expected or tuple(b_rnn.W_xh.shape) != expected:
            why = _diagnose(got, [
                (lambda s: l > 0 and s[0] == d,
                 _t("W_xh_reads_concat", name=name, below=l, both=2 * h, d=d)),
                (lambda s: l > 0 and s[0] == h,
                 _t("W_xh_reads_both", name=name, below=l, both=2 * h, h=h)),
            ], _t("W_xh_sizes", input=expected[0], h=h))
            raise _Failed(_t("W_xh_shape", d=d, h=h, name=name, want=expected, got=got,
                             why=why))
        layer.load_torch(rnn, layer=l)


@_check
def check_deep_birnn(answer):
    """``answer(input_size, hidden_size, num_layers)`` builds a deep bidirectional RNN.

    The model keeps its layers in ``self.layers`` (``BiRNNScratch`` each); ``model(X)``
    returns ``(outputs, h_n)`` shaped like ``nn.RNN(..., bidirectional=True)``'s:
    ``(T, n, 2h)`` and ``(2L, n, h)``. The check copies the weights of a real ``nn.RNN``
    into it and compares every number.
    """
    _require_callable(answer, _t("deep_class"))
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
        result = _run(lambda: model(X), what=_t("model_call", shape=(T, n, d)))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise _Failed(_t("model_not_a_pair", got=_describe(result)))
        outputs, h_n = (_as_tensor(r, w) for r, w in zip(result, ("outputs", "h_n")))
        with torch.no_grad():
            want_out, want_h = rnn(X)
            first_out, _ = BiRNNScratch.from_torch(rnn, layer=0)(X)
        case = _t("deep_case", d=d, h=h, L=L)
        if outputs.shape != want_out.shape:
            raise _Failed(_t("outputs_shape", case=case, want=tuple(want_out.shape),
                             got=tuple(outputs.shape)))
        if not _same(outputs, want_out):
            why = _diagnose(outputs, [
                (first_out, _t("outputs_first_layer")),
                (lambda o: _same(o[..., :h], want_out[..., :h]), _t("outputs_forward_only")),
            ], _t("outputs_stacking"))
            raise _Failed(_t("outputs_differ", case=case, L=L, why=why))
        if h_n.shape != want_h.shape:
            raise _Failed(_t("h_n_shape", case=case, want=tuple(want_h.shape),
                             got=tuple(h_n.shape)))
        if not _same(h_n, want_h):
            why = _diagnose(h_n, [
                (torch.cat([want_h[0::2], want_h[1::2]]), _t("h_n_by_direction")),
            ], _t("h_n_rows"))
            raise _Failed(_t("h_n_differs", case=case, why=why))
    return _t("ok_deep_birnn")


# --- Exercise 3: polysemy and contextual word vectors -----------------------------------------

def _vector(value, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise _Failed(_t("not_a_vector", what=what, got=_describe(value)))
    v = value.detach().float().flatten()
    if v.numel() == 0 or not torch.isfinite(v).all():
        raise _Failed(_t("empty_vector", what=what, got=_describe(value)))
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
            S = encoder.states(vocab.encode(p.tokens)[:, None])[:, 0]       # (T, 2h)
            states.append(S)
            scores.append(encoder.head(S))                                 # (T, q)
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

    _require_callable(answer, _t("vector_function"))
    probes = probe_sentences()
    time_first = "vocab.encode(tokens)[:, None]"
    vectors = []
    for p in probes:
        what = f"contextual_vector({list(p.tokens)}, {p.position})"
        try:
            vectors.append(_vector(_run(answer, list(p.tokens), p.position, what=what), what))
        except _Failed as failure:
            if isinstance(failure.__cause__, IndexError):
                raise _Failed(_t("index_error_axes", failure=failure, fix=time_first)
                              ) from failure.__cause__
            raise
    sizes = {v.numel() for v in vectors}
    if len(sizes) > 1:
        raise _Failed(_t("vector_sizes", sizes=sorted(sizes)))
    V = torch.stack(vectors)
    first = probes[0]
    word = first.tokens[first.position]
    states, scores = _polysemy_reference()
    for step, key in ((1, "polysemy_next_word"), (-1, "polysemy_previous_word")):
        if _all_same(V, [S[p.position + step] for S, p in zip(states, probes)]):
            raise _Failed(_t(key, word=word, neighbour=first.tokens[first.position + step],
                             sentence=" ".join(first.tokens)))
    for read_out in (lambda o: o, lambda o: o.softmax(-1), lambda o: o.log_softmax(-1)):
        if _all_same(V, [read_out(L[p.position]) for L, p in zip(scores, probes)]):
            raise _Failed(_t("polysemy_scores", q=scores[0].shape[-1], word=word))
    if torch.allclose(V, V[0].expand_as(V), atol=1e-6):
        raise _Failed(_t("static_vector", count=len(probes), word=word, fix=time_first))
    other = 0 if first.position != 0 else 1
    what = f"contextual_vector({list(first.tokens)}, {other})"
    v_other = _vector(_run(answer, list(first.tokens), other, what=what), what)
    if v_other.numel() == V.shape[1] and torch.allclose(v_other, V[0], atol=1e-6):
        raise _Failed(_t("sentence_vector", other=first.tokens[other],
                         word=first.tokens[first.position]))
    right = [g for g in range(8) if probes[4 * g].cue == "right"]
    left = [g for g in range(8) if probes[4 * g].cue == "left"]

    def frozen(groups):
        return all(torch.allclose(V[4 * g:4 * g + 4], V[4 * g].expand(4, -1), atol=1e-6)
                   for g in groups)

    if frozen(right):
        raise _Failed(_t("reads_only_leftwards", example=_t(
            "example_pair", a="... bank near the water", b="... bank near the cash")))
    if frozen(left):
        raise _Failed(_t("reads_only_rightwards", example=_t(
            "example_pair", a="the muddy bank", b="the central bank")))
    sep_right = sum(_group_separation(list(V[4 * g:4 * g + 4])) for g in right) / len(right)
    sep_left = sum(_group_separation(list(V[4 * g:4 * g + 4])) for g in left) / len(left)
    threshold = 0.5
    if sep_right < threshold or sep_left < threshold:
        raise _Failed(_t("no_sense_groups", right=sep_right, left=sep_left,
                         threshold=threshold))
    return _t("ok_polysemy", right=sep_right, left=sep_left)


# --- Exercise 4: merging the directions --------------------------------------------------------

@_check
def check_merge(answer):
    """``answer(f_outputs, b_outputs, mode)`` merges the two directions' states.

    ``f_outputs`` is (T, n, h_f), ``b_outputs`` is (T, n, h_b), already in the original time
    order. ``mode="concat"`` gives (T, n, h_f + h_b); ``"sum"`` and ``"mean"`` give (T, n, h)
    and raise ``ValueError`` naming both sizes when h_f != h_b.
    """
    _require_callable(answer, _t("merge_function"))
    gen = torch.Generator().manual_seed(0)
    T, n = 4, 2
    F, B = torch.randn(T, n, 3, generator=gen), torch.randn(T, n, 3, generator=gen)
    wants = {"concat": torch.cat([F, B], dim=-1), "sum": F + B, "mean": (F + B) / 2}
    for mode, want in wants.items():
        what = _t("merge_call", mode=repr(mode), shape=(T, n, 3))
        got = _as_tensor(_run(answer, F.clone(), B.clone(), mode, what=what), what)
        if got.shape != want.shape:
            reduced = _t("merge_reduced")
            why = _diagnose(tuple(got.shape), {
                "concat": [((2 * T, n, 3), _t("merge_along_time")),
                           ((T, 2 * n, 3), _t("merge_along_batch"))],
                "sum": [((T, n, 6), _t("merge_size_stays", mode="sum"))],
                "mean": [((T, n, 6), _t("merge_size_stays", mode="mean"))],
            }[mode] + [((n, 3), reduced), ((T, n), reduced), ((n, 6), reduced)], "")
            raise _Failed(_t("merge_shape", what=what, want=tuple(want.shape),
                             got=tuple(got.shape), why=_t("because", why=why) if why else ""))
        if not _same(got, want):
            one_direction = _t("merge_one_direction")
            why = _diagnose(got, {
                "concat": [(torch.cat([B, F], dim=-1), _t("merge_backward_first"))],
                "mean": [(F + B / 2, _t("merge_precedence")), (F + B, _t("merge_mean_is_sum"))],
                "sum": [((F + B) / 2, _t("merge_sum_is_mean"))],
            }[mode] + [(F, one_direction), (B, one_direction)], _t("merge_compare"))
            raise _Failed(_t("values_wrong", what=what, why=why))
    F5 = torch.randn(T, n, 5, generator=gen)
    what = _t("merge_call_unequal", mode=repr("concat"))
    got = _as_tensor(_run(answer, F, F5, "concat", what=what), what)
    if not _same(got, torch.cat([F, F5], dim=-1)):
        raise _Failed(_t("merge_concat_unequal", what=what, want=(T, n, 8), got=_describe(got)))
    for mode in ("sum", "mean"):
        what = _t("merge_call_unequal", mode=repr(mode))
        try:
            got = _run(answer, F, F5, mode, what=what)
        except _Failed as failure:
            exc = failure.__cause__
            if not isinstance(exc, ValueError):
                raise _Failed(_t("merge_wrong_error", failure=str(failure).rstrip(".。"))
                              ) from None
            named = {int(m) for m in re.findall(r"(?<![\d.])\d+(?![\d.])", str(exc))}
            if not {3, 5} <= named:
                raise _Failed(_t("merge_vague_error", what=what, said=exc)) from None
            continue
        raise _Failed(_t("merge_no_error", what=what, mode=mode, got=_describe(got)))
    return _t("ok_merge")


# --- Exercise 5: summaries of a padded, batch-first batch -------------------------------------

def _pair(value, what: str):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise _Failed(_t("summary_not_a_pair", what=what, got=_describe(value)))
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
    _require_callable(answer, _t("summary_function"))
    d = 2
    for L, h, lengths in ((1, 4, [5, 2, 4]), (2, 3, [3, 5, 1])):   # h varies: no sizes assumed
        torch.manual_seed(20 + L)
        lstm = nn.LSTM(d, h, num_layers=L, bidirectional=True, batch_first=True)
        n, T = len(lengths), max(lengths)
        lengths_t = torch.tensor(lengths)
        X = torch.randn(n, T, d)
        for i, length in enumerate(lengths):
            X[i, length:] = 0.0                                       # padding
        with torch.no_grad():
            packed = pack_padded_sequence(X, lengths_t, batch_first=True, enforce_sorted=False)
            packed_output, (h_n, _) = lstm(packed)
            output, _ = pad_packed_sequence(packed_output, batch_first=True)  # (n, T, 2h)
        final = torch.cat([h_n[-2], h_n[-1]], dim=-1)                     # (n, 2h)
        mean = output.sum(dim=1) / lengths_t[:, None]                     # (n, 2h)
        call = _t("summary_call", L=L, output=tuple(output.shape), h_n=tuple(h_n.shape),
                  lengths=lengths)
        got_final, got_mean = _pair(_run(answer, output.clone(), h_n.clone(), lengths_t.clone(),
                                         what=call), call)
        rows = torch.arange(n)
        what = _t("summary_item", call=call, item=_t("summary_final"))
        _compare_summary(
            _as_tensor(got_final, what), final, what,
            shapes=[((2 * L, 2 * h), _t("summary_h_n_not_batch_first")),
                    ((T, 2 * h), _t("summary_one_sequence")),
                    ((h, n, 2), _t("summary_side_by_side")),
                    ((2, n, h), _t("summary_side_by_side")),
                    ((n, h), _t("summary_one_direction")),
                    ((n, 2 * L * h), _t("summary_every_layer"))],
            values=[(output[:, -1], _t("summary_last_padded_step")),
                    (output[rows, lengths_t - 1], _t("summary_last_real_step")),
                    (output[:, 0], _t("summary_first_step")),
                    *([(torch.cat([h_n[0], h_n[1]], dim=-1), _t("summary_first_layer"))]
                      if L == 2 else []),
                    (torch.cat([h_n[-1], h_n[-2]], dim=-1), _t("summary_backward_first")),
                    (h_n[-2:].reshape(n, 2 * h), _t("summary_reshape"))],
            otherwise=_t("summary_compare"))
        what = _t("summary_item", call=call, item=_t("summary_mean_item"))
        _compare_summary(
            _as_tensor(got_mean, what), mean, what,
            shapes=[((T, 2 * h), _t("summary_mean_over_batch")),
                    ((n, T), _t("summary_mean_over_features")),
                    ((n, h), _t("summary_one_direction"))],
            values=[(output.mean(dim=1), _t("summary_mean_padding")),
                    (output.sum(dim=1), _t("summary_sum"))],
            otherwise=_t("summary_mean_compare"))
    return _t("ok_summary")


def _compare_summary(got, want, what, shapes, values, otherwise):
    if got.shape != want.shape:
        why = _diagnose(tuple(got.shape), shapes, "")
        raise _Failed(_t("shape_n_2h", what=what, want=tuple(want.shape), got=tuple(got.shape),
                         why=_t("because", why=why) if why else ""))
    if not _same(got, want):
        raise _Failed(_t("values_wrong", what=what, why=_diagnose(got, values, otherwise)))


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
    _require_callable(answer, _t("padding_function"))
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
            X[length:, i] = 0.0                       # padding, as a padded batch would hold
        rows, last = torch.arange(n), torch.tensor(lengths) - 1
        with torch.no_grad():
            alone = [torch.cat(layer(X[:length, i:i + 1])[1], dim=-1)[0]
                     for i, length in enumerate(lengths)]
            want = torch.stack(alone)                 # (n, h_f + h_b)
            _, (naive_f, naive_b) = layer(X)
            right_f = want[:, :h_f]
            flipped, _ = layer.b_rnn(X.flip(0))       # the padded batch reversed as a whole
            reversed_out, reversed_last = layer.b_rnn(_reverse_within(X, lengths))
            with_f_rnn, _ = layer.f_rnn(_reverse_within(X, lengths))
        known = [
            (torch.cat([naive_f, naive_b], dim=-1), _t("padding_naive", short=[
                i for i, length in enumerate(lengths) if length < T])),
            (torch.cat([right_f, naive_b], dim=-1), _t("padding_flip_whole")),
            (torch.cat([right_f, flipped[last, rows]], dim=-1), _t("padding_flip_whole")),
            (torch.cat([right_f, reversed_last], dim=-1), _t("padding_past_x1")),
            (torch.cat([right_f, with_f_rnn[last, rows]], dim=-1),
             _t("padding_scratch_forward_weights", label="eq-backward")),
            (lambda g: _same(g[:, :h_f], right_f), _t("padding_backward_wrong")),
            (lambda g: _same(g[:, h_f:], want[:, h_f:]), _t("padding_forward_wrong")),
        ]
        calls = {"f": 0, "b": 0}
        # Count the calls of each direction: a loop over the sequences calls b_rnn n times.
        hooks = [rnn.register_forward_hook(lambda *_, key=key: calls.update({key: calls[key] + 1}))
                 for rnn, key in ((layer.f_rnn, "f"), (layer.b_rnn, "b"))]
        what = _t("padding_call", shape=(T, n, d), lengths=lengths, h_f=h_f, h_b=h_b)
        try:
            got = _as_tensor(_run(answer, layer, X.clone(), torch.tensor(lengths), what=what),
                             what)
        finally:
            for hook in hooks:
                hook.remove()
        if got.shape != want.shape:
            raise _Failed(_t("padding_shape", what=what, want=tuple(want.shape),
                             got=tuple(got.shape)))
        if not _same(got, want):
            raise _Failed(_t("padding_wrong", what=what,
                             why=_diagnose(got, known, _t("padding_neither"))))
        if calls["b"] >= n:
            raise _Failed(_t("padding_loop", what=what, calls=calls["b"]))
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
    "c": "下一字符的目标中没有任何部分要求反向方向预测 x_{t-1}：H_t 的两部分共同参与对 "
         "x_{t+1} 的同一个预测。想一想反向部分读过什么。",
    "d": "单纯放大 logits 并不会降低一个校准良好的损失，而困惑度是损失的单调函数。"
         "问题在于预测时掌握了哪些信息。",
}}


@_check
def check_perplexity(answer):
    """``answer`` is one letter, a-d, from :data:`PERPLEXITY_CHOICES`."""
    if not isinstance(answer, str) or answer.strip().strip("()").lower() not in PERPLEXITY_CHOICES:
        raise _Failed(_t("one_letter", got=_describe(answer)))
    letter = answer.strip().strip("()").lower()
    if letter in _PERPLEXITY_WHY_NOT["en"]:
        why = _PERPLEXITY_WHY_NOT[language()][letter]
        raise _Failed(_t("not_the_reason", letter=letter, why=why))
    return _t("ok_perplexity")



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
    raise _Failed(_t("lookbehind_not_a_number", what=what, got=_describe(value)))


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

    _require_callable(answer, _t("lookbehind_function"))
    model, inputs, truth = _lookbehind_questions()
    n = len(truth)
    ks = (3, 0, 1, CONTEXT)
    # The small models run fastest on one thread, the more so on a busy machine.
    with seeded(0, num_threads=1):
        for k in ks:
            model.eval()
            want = _share_right(model, inputs[CONTEXT - k:], truth, k)
            what = _t("lookbehind_call", k=k, n=n)
            got = _number(_run(answer, model, inputs.clone(), truth.clone(), k, what=what), what)
            if abs(got - want) <= 1.5 / n:            # one question may flip on another CPU
                continue
            model.eval()

            def near(value):
                return lambda g: abs(g - value) <= 1.5 / n

            def filled(token):
                X = inputs.clone()
                X[:CONTEXT - k] = token
                return _share_right(model, X, truth, CONTEXT)

            known = [
                (near(100 * want), _t("lookbehind_percent")),
                (near(want * n), _t("lookbehind_count")),
                (near(_share_right(model, inputs[:CONTEXT + 1 + k], truth, CONTEXT)),
                 _t("lookbehind_right_side")),
                *([(near(_share_right(model, inputs[CONTEXT - k:], truth, CONTEXT)),
                    _t("lookbehind_wrong_row", context=CONTEXT))] if k < CONTEXT else []),
                *[(near(_share_right(model, inputs[CONTEXT - r:], truth, r)),
                   _t("lookbehind_off_by_one", read=r, k=k))
                  for r in (k - 1, k + 1) if 0 <= r <= CONTEXT],
                *[(near(filled(token)), _t("lookbehind_filled", token=name))
                  for token, name in ((Vocab.mask_id, "<mask>"), (Vocab.pad_id, "<pad>"))
                  if k < CONTEXT],
            ]
            why = next((why for test, why in known if test(got)), _t("lookbehind_compare"))
            raise _Failed(_t("lookbehind_wrong", what=what, want=want, got=got, why=why))
    return _t("ok_lookbehind", ks=", ".join(str(k) for k in sorted(ks)))
