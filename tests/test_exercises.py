"""The exercise checks: right answers pass, plausible wrong ones fail with a specific message,
garbage is reported rather than raised, and learner code cannot hang a check."""

from __future__ import annotations

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
from book.polysemy import cosine_table, make_corpus, probe_sentences, train_encoder
from book.pretrained import CONTEXT, accuracy
from book.text import TokenRNN, Vocab
from book.train import seeded


def verdict(check, answer, capsys):
    """Run a check; return (result, printed feedback)."""
    result = check(answer)
    out = capsys.readouterr().out
    assert isinstance(result, bool)
    assert out.startswith(ex.OK if result else ex.BAD), out
    return result, out


def accepts(check, answer, capsys):
    ok, out = verdict(check, answer, capsys)
    assert ok, out


def rejects(check, answer, capsys, *fragments):
    ok, out = verdict(check, answer, capsys)
    assert not ok, out
    flat = " ".join(out.split())  # feedback is wrapped to the page width
    for fragment in fragments:
        assert " ".join(fragment.split()) in flat, f"expected {fragment!r} in the feedback:\n{out}"
    return out


ALL_CHECKS = [
    ex.check_unequal_sizes,
    ex.check_deep_birnn,
    ex.check_polysemy,
    ex.check_merge,
    ex.check_summary,
    ex.check_padding,
    ex.check_perplexity,
    ex.check_lookbehind,
]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("garbage", [None, "an answer", 42], ids=["None", "str", "int"])
def test_garbage_is_rejected_with_feedback(check, garbage, capsys):
    out = rejects(check, garbage, capsys)
    assert "expected" in out and type(garbage).__name__ in out
    assert all(len(line) <= ex.WIDTH for line in out.splitlines())


@pytest.mark.parametrize(
    "check", [c for c in ALL_CHECKS if c is not ex.check_perplexity], ids=lambda c: c.__name__
)
def test_learner_exceptions_are_reported_by_type_and_message(check, capsys):
    rejects(check, raises, capsys, "raised RuntimeError: boom from the learner")


@pytest.mark.parametrize(
    "check", [c for c in ALL_CHECKS if c is not ex.check_perplexity], ids=lambda c: c.__name__
)
def test_stubs_get_a_hint_to_replace_them(check, capsys):
    def stub(*args):
        raise NotImplementedError("fill me in")

    rejects(check, stub, capsys, "NotImplementedError: fill me in", "Replace the stub")


def test_endless_learner_code_is_stopped(monkeypatch, capsys):
    monkeypatch.setattr(ex, "TIME_LIMIT_S", 0.5)

    def forever(*args):
        while True:
            pass

    rejects(ex.check_unequal_sizes, forever, capsys, "did not finish within 0.5 s")


def test_off_the_main_thread_a_check_runs_learner_code_in_place(capsys):
    """No time limit is possible there, and none is faked with a thread left running."""
    import threading

    before = threading.active_count()
    box = {}

    def check_in_a_thread():
        box["thread"] = threading.current_thread()
        box["result"] = ex.check_merge(
            lambda f, b, mode: box.setdefault("ran_in", threading.current_thread()) and None
        )

    worker = threading.Thread(target=check_in_a_thread)
    worker.start()
    worker.join(10)
    assert box["result"] is False and box["ran_in"] is box["thread"]
    assert threading.active_count() == before


def test_a_kernel_interrupt_stops_the_check(capsys):
    def interrupted(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ex.check_merge(interrupted)


def test_sys_exit_in_learner_code_gets_feedback(capsys):
    import sys

    rejects(ex.check_merge, lambda *args: sys.exit(1), capsys, "called sys.exit()")


def test_the_learners_exception_is_the_cause_of_the_failure():
    try:
        ex._run(raises, what="f()")
    except ex._Failed as failure:
        assert isinstance(failure.__cause__, RuntimeError)
    else:
        raise AssertionError("_run did not fail")


def test_surprises_inside_a_check_become_feedback(capsys):
    rejects(ex.check_deep_birnn, Hostile, capsys, "could not finish", "KeyError")


def test_checks_leave_the_learners_random_stream_alone(capsys):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ex.check_summary(good_summary)
    torch.testing.assert_close(torch.rand(3), expected)


def test_checks_leave_the_thread_count_alone(capsys):
    threads = torch.get_num_threads()
    ex.check_lookbehind(accuracy_left)
    assert torch.get_num_threads() == threads


# --- unequal hidden sizes ----------------------------------------------------------------------


def test_unequal_sizes(capsys):
    accepts(ex.check_unequal_sizes, lambda n, h_f, h_b, q: ((n, h_f + h_b), (h_f + h_b, q)), capsys)
    accepts(
        ex.check_unequal_sizes,
        lambda n, h_f, h_b, q: (torch.Size([n, h_f + h_b]), [h_f + h_b, q]),
        capsys,
    )
    rejects(
        ex.check_unequal_sizes,
        lambda n, h_f, h_b, q: ((n, 2 * h_f), (2 * h_f, q)),
        capsys,
        "expected H_t of shape (2, 8), got (2, 6)",
        "same size",
    )
    rejects(
        ex.check_unequal_sizes,
        lambda n, h_f, h_b, q: ((n, h_f + h_b), (q, h_f + h_b)),
        capsys,
        "expected W_hq of shape (8, 4), got (4, 8)",
        "nn.Linear",
    )
    rejects(
        ex.check_unequal_sizes,
        lambda n, h_f, h_b, q: ((n, h_f), (h_f, q)),
        capsys,
        "got (2, 3)",
        "both directions",
    )
    rejects(
        ex.check_unequal_sizes,
        lambda n, h_f, h_b, q: ((h_f + h_b, n), (h_f + h_b, q)),
        capsys,
        "got (8, 2)",
        "rows of H_t are the n examples",
    )
    rejects(
        ex.check_unequal_sizes, lambda n, h_f, h_b, q: (n, h_f + h_b), capsys, "should be a shape"
    )


# --- deep bidirectional RNN --------------------------------------------------------------------


def test_deep_birnn(capsys):
    accepts(ex.check_deep_birnn, GoodDeep, capsys)
    rejects(
        ex.check_deep_birnn,
        WrongInputSize,
        capsys,
        "layer 2's W_xh should have shape (8, 4), got (3, 4)",
        "not the data's d = 3",
    )
    rejects(ex.check_deep_birnn, DirectionMajor, capsys, "h_n differs", "grouped by direction")
    rejects(ex.check_deep_birnn, FirstLayerOutputs, capsys, "layer 1's outputs")
    rejects(ex.check_deep_birnn, SharedWeights, capsys, "share weights")


class WithDropout(GoodDeep):
    """Dropout between layers, as nn.RNN(dropout=...) has: harmless in eval mode."""

    def __init__(self, input_size, hidden_size, num_layers):
        super().__init__(input_size, hidden_size, num_layers)
        self.dropout = nn.Dropout(0.5)

    def forward(self, X):
        finals = []
        for i, layer in enumerate(self.layers):
            X, (H_f, H_b) = layer(self.dropout(X) if i else X)
            finals += [H_f, H_b]
        return X, torch.stack(finals)


def test_deep_birnn_needs_registered_layers_and_evaluates_in_eval_mode(capsys):
    rejects(ex.check_deep_birnn, PlainList, capsys, "not registered", "nn.ModuleList")
    accepts(ex.check_deep_birnn, WithDropout, capsys)


def test_shapes_may_be_numpy_integers(capsys):
    np = pytest.importorskip("numpy")
    accepts(
        ex.check_unequal_sizes,
        lambda n, h_f, h_b, q: (
            (np.int64(n), np.int64(h_f + h_b)),
            (np.int64(h_f + h_b), np.int64(q)),
        ),
        capsys,
    )


def test_merge_names_the_sizes_not_just_any_digits(capsys):
    def digits_only(f, b, mode):
        if mode != "concat" and f.shape[-1] != b.shape[-1]:
            raise ValueError("sizes differ: see note 35")  # contains 3 and 5 as digits only
        return good_merge(f, b, mode)

    rejects(ex.check_merge, digits_only, capsys, "should name both sizes")


def test_deep_birnn_without_the_layers_convention(capsys):
    rejects(ex.check_deep_birnn, OwnLayout, capsys, "self.layers")


# --- polysemy -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained():
    encoder, vocab, history = train_encoder()
    assert history["train_loss"][-1] < history["train_loss"][0] / 2
    return encoder, vocab


def test_polysemy_accepts_the_trained_encoders_states(trained, capsys):
    accepts(ex.check_polysemy, contextual_states(*trained), capsys)


def test_polysemy_rejects_a_static_vector(trained, capsys):
    encoder, vocab = trained
    rejects(
        ex.check_polysemy,
        lambda t, i: encoder.embedding.weight[vocab.token_to_idx[t[i]]],
        capsys,
        "same vector",
        "static vector",
    )


def test_polysemy_names_a_time_batch_axis_slip(trained, capsys):
    """A (1, T) batch-first input used to be diagnosed as a static embedding, or as an
    IndexError without a word about the axes."""
    encoder, vocab = trained

    def batch_first(tokens, position):
        with torch.no_grad():
            return encoder.states(vocab.encode(tokens)[None, :])[0, position]

    rejects(ex.check_polysemy, batch_first, capsys, "(1, T) batch-first input")

    def batch_first_indexed(tokens, position):
        with torch.no_grad():
            return encoder.states(vocab.encode(tokens)[None, :])[position, 0]

    rejects(ex.check_polysemy, batch_first_indexed, capsys, "IndexError", "time-first batch")


def test_polysemy_rejects_one_direction(trained, capsys):
    full = contextual_states(*trained)
    h = trained[0].rnn.hidden_size
    rejects(ex.check_polysemy, lambda t, i: full(t, i)[:h], capsys, "reads only leftwards")
    rejects(ex.check_polysemy, lambda t, i: full(t, i)[h:], capsys, "reads only rightwards")


def test_polysemy_rejects_a_sentence_vector(trained, capsys):
    full = contextual_states(*trained)
    rejects(
        ex.check_polysemy,
        lambda t, i: torch.stack([full(t, j) for j in range(len(t))]).mean(0),
        capsys,
        "ignores `position`",
    )


def test_polysemy_rejects_vectors_without_sense_structure(trained, capsys):
    gen = torch.Generator().manual_seed(0)
    rejects(
        ex.check_polysemy,
        lambda t, i: torch.randn(64, generator=gen),
        capsys,
        "do not group by sense",
    )


def test_polysemy_rejects_an_untrained_encoder_or_says_why(capsys):
    """An untrained encoder's states change with context but need not group by sense."""
    vocab = Vocab(w for e in make_corpus() for w in e.tokens)
    torch.manual_seed(0)
    encoder = TokenRNN(len(vocab), 32, bidirectional=True)
    ok, out = verdict(ex.check_polysemy, contextual_states(encoder, vocab), capsys)
    assert ok or "do not group by sense" in out


def test_polysemy_rejects_a_neighbouring_words_state(trained, capsys):
    """The review's probes: off by one either way used to pass, as the neighbour's state
    depends on the whole sentence too."""
    encoder, vocab = trained
    rejects(
        ex.check_polysemy,
        lambda t, i: encoder_states(encoder, vocab, t)[i + 1],
        capsys,
        "states of the word after 'bank'",
        "'near' in 'we found the old bank near the water'",
    )
    rejects(
        ex.check_polysemy,
        lambda t, i: encoder_states(encoder, vocab, t)[i - 1],
        capsys,
        "states of the word before 'bank'",
        "'old'",
    )


def test_polysemy_rejects_the_read_out_scores(trained, capsys):
    """The hint says calling `encoder` gives the scores, not the vector; that used to pass."""
    encoder, vocab = trained

    def scores(tokens, position):
        with torch.no_grad():
            return encoder(vocab.encode(tokens)[:, None])[position, 0]  # (q,)

    rejects(ex.check_polysemy, scores, capsys, "read-out's 38 scores", "encoder.states")
    rejects(ex.check_polysemy, lambda t, i: scores(t, i).softmax(-1), capsys, "read-out's")
    rejects(ex.check_polysemy, lambda t, i: scores(t, i).log_softmax(-1), capsys, "read-out's")


def _masked_word(encoder, vocab):
    def vector(tokens, position):
        ids = vocab.encode(tokens)
        ids[position] = vocab.mask_id
        with torch.no_grad():
            return encoder.states(ids[:, None])[position, 0]

    return vector


def test_polysemy_keeps_accepting_unusual_right_answers(trained, capsys):
    """The review's unusual but right answers: ELMo-like [embedding; states], context2vec-like
    [forward state before the word; backward state after it], the sum of the two halves,
    the state with the word itself masked, and a (1, 2h) row."""
    encoder, vocab = trained
    h = encoder.rnn.hidden_size

    def states(t):
        return encoder_states(encoder, vocab, t)

    def embedding(word):
        return encoder.embedding.weight[vocab.token_to_idx[word]].detach()

    for answer in (
        lambda t, i: torch.cat([embedding(t[i]), states(t)[i]]),
        lambda t, i: torch.cat([states(t)[i - 1, :h], states(t)[i + 1, h:]]),
        lambda t, i: states(t)[i, :h] + states(t)[i, h:],
        _masked_word(encoder, vocab),
        lambda t, i: states(t)[i][None, :],
    ):
        accepts(ex.check_polysemy, answer, capsys)


def test_polysemy_tables_print_the_same_on_any_cpu(trained):
    """The solution prints the probe groups' cosine similarities to two decimals. CPUs differ
    in the last bits (about 1e-6 here), so every value must sit clearly away from a rounding
    boundary for the table to print the same everywhere: a margin ten times that drift."""
    encoder, vocab = trained
    probes = probe_sentences()
    for group in (0, 4):
        sentences = probes[4 * group : 4 * group + 4]
        C = cosine_table([encoder_states(encoder, vocab, s.tokens)[s.position] for s in sentences])
        printed = C.flatten().tolist() + [
            ((C[0, 1] + C[2, 3]) / 2).item(),
            C[:2, 2:].mean().item(),
        ]  # same sense, across
        assert all(abs((c * 100) % 1 - 0.5) > 1e-3 for c in printed), printed


def test_polysemy_rejects_inconsistent_sizes(trained, capsys):
    full = contextual_states(*trained)
    rejects(ex.check_polysemy, lambda t, i: full(t, i)[: 10 + len(t[-1])], capsys, "one size")


def test_probe_sentences_are_held_out_and_grouped():
    probes = probe_sentences()
    training = {e.tokens for e in make_corpus()}
    assert probes and not training & {p.tokens for p in probes}
    for g in range(len(probes) // 4):
        group = probes[4 * g : 4 * g + 4]
        assert [p.sense for p in group] == ["river", "river", "money", "money"]
        pos = group[0].position
        if group[0].cue == "right":

            def shared(p):
                return p.tokens[:pos]
        else:

            def shared(p):
                return p.tokens[pos + 1 :]

        assert len({shared(p) for p in group}) == 1


def test_train_encoder_is_deterministic_and_leaves_the_callers_state_alone():
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    _, _, a = train_encoder(num_steps=5)
    torch.testing.assert_close(torch.rand(3), expected)
    _, _, b = train_encoder(num_steps=5)
    assert a == b and torch.get_num_threads() == threads


# --- merge ----------------------------------------------------------------------------------


def test_merge(capsys):
    accepts(ex.check_merge, good_merge, capsys)

    def wrong_axis(f, b, mode):
        return torch.cat([f, b], dim=0) if mode == "concat" else good_merge(f, b, mode)

    rejects(
        ex.check_merge, wrong_axis, capsys, "expected shape (4, 2, 6), got (8, 2, 3)", "along time"
    )

    def precedence(f, b, mode):
        return f + b / 2 if mode == "mean" else good_merge(f, b, mode)

    rejects(ex.check_merge, precedence, capsys, "'mean'", "operator precedence")

    def backward_first(f, b, mode):
        return torch.cat([b, f], dim=-1) if mode == "concat" else good_merge(f, b, mode)

    rejects(ex.check_merge, backward_first, capsys, "backward half comes first")

    def unchecked(f, b, mode):
        if mode == "concat":
            return torch.cat([f, b], dim=-1)
        return (f + b) / (1 if mode == "sum" else 2)

    rejects(ex.check_merge, unchecked, capsys, "raised RuntimeError", "Expected a ValueError")

    def vague(f, b, mode):
        if mode != "concat" and f.shape != b.shape:
            raise ValueError("sizes differ")
        return good_merge(f, b, mode)

    rejects(ex.check_merge, vague, capsys, "should name both sizes")

    def over_time(f, b, mode):
        return (f + b).sum(0) if mode == "sum" else good_merge(f, b, mode)

    rejects(ex.check_merge, over_time, capsys, "got (2, 3)", "nothing is reduced")


# --- summary of a padded, batch-first batch ---------------------------------------------------


def _halves(output, h_n, lengths):
    """The final states read from output: the forward half where each sequence stops, the
    backward half at step 0; the mean by a loop over the sequences."""
    h, rows = h_n.shape[-1], torch.arange(output.shape[0])
    final = torch.cat([output[rows, lengths - 1, :h], output[:, 0, h:]], dim=-1)
    mean = torch.stack([output[i, :length].mean(dim=0) for i, length in enumerate(lengths)])
    return final, mean


def test_summary_accepts_every_way_of_reading_it(capsys):
    accepts(ex.check_summary, good_summary, capsys)
    accepts(ex.check_summary, _halves, capsys)
    accepts(
        ex.check_summary,
        bad_final(lambda o, h, l: h[-2:].transpose(0, 1).reshape(h.shape[1], -1)),
        capsys,
    )
    accepts(
        ex.check_summary,
        lambda o, h, l: [good_summary(o, h, l)[0], good_summary(o, h, l)[1].double()],
        capsys,
    )


def test_summary_final_states(capsys):
    rejects(
        ex.check_summary,
        bad_final(lambda o, h, l: torch.cat([h[:, -2], h[:, -1]], dim=-1)),
        capsys,
        "the first item (the final states)",
        "got (2, 8)",
        "h_n is not batch-first",
    )
    rejects(
        ex.check_summary,
        bad_final(lambda o, h, l: o[-1]),
        capsys,
        "got (5, 8)",
        "output[-1] is the last sequence, not the last step",
    )
    rejects(
        ex.check_summary,
        bad_final(lambda o, h, l: o[:, -1]),
        capsys,
        "output[:, -1]",
        "zeros that pad_packed_sequence fills in",
    )
    rejects(
        ex.check_summary,
        bad_final(lambda o, h, l: o[torch.arange(o.shape[0]), l - 1]),
        capsys,
        "forward halves are right",
        "it ends at step 0",
    )
    rejects(
        ex.check_summary,
        bad_final(lambda o, h, l: o[:, 0]),
        capsys,
        "output[:, 0]",
        "forward half is the forward direction's first step",
    )
    rejects(
        ex.check_summary,
        bad_final(lambda o, h, l: torch.cat([h[0], h[1]], dim=-1)),
        capsys,
        "num_layers=2",
        "layer 1's final states",
    )
    rejects(
        ex.check_summary,
        bad_final(lambda o, h, l: torch.cat([h[-1], h[-2]], dim=-1)),
        capsys,
        "backward state comes first",
    )
    rejects(
        ex.check_summary,
        bad_final(lambda o, h, l: h[-2:].reshape(h.shape[1], -1)),
        capsys,
        "reshape mixes the examples",
    )
    rejects(
        ex.check_summary,
        bad_final(lambda o, h, l: h[-1]),
        capsys,
        "expected shape (3, 8)",
        "one direction",
    )
    rejects(
        ex.check_summary,
        bad_final(lambda o, h, l: -good_summary(o, h, l)[0]),
        capsys,
        "compare it with the top layer's final states",
    )


def test_summary_mean_over_the_real_steps(capsys):
    rejects(
        ex.check_summary,
        bad_mean(lambda o, h, l: o.mean(dim=1)),
        capsys,
        "the second item (the mean)",
        "output.mean(dim=1)",
        "counts the padded steps",
    )
    rejects(
        ex.check_summary,
        bad_mean(lambda o, h, l: o.mean(dim=0)),
        capsys,
        "got (5, 8)",
        "averages over the batch (dim 0)",
    )
    rejects(
        ex.check_summary,
        bad_mean(lambda o, h, l: o.mean(dim=2)),
        capsys,
        "got (3, 5)",
        "averages over the features",
    )
    rejects(ex.check_summary, bad_mean(lambda o, h, l: o.sum(dim=1)), capsys, "sum over time")
    rejects(
        ex.check_summary,
        bad_mean(lambda o, h, l: o.sum(dim=1) / (l[:, None] + 1)),
        capsys,
        "mean of output[i, :lengths[i]]",
    )
    rejects(
        ex.check_summary,
        lambda o, h, l: good_summary(o, h, l)[0],
        capsys,
        "should return a pair (final, mean)",
    )


# --- final states of a scratch layer on a padded batch -----------------------------------------


def _padding_flip_whole_indexed(layer, X, lengths):
    rows, last = torch.arange(X.shape[1]), lengths - 1
    f_outputs, _ = layer.f_rnn(X)
    b_outputs, _ = layer.b_rnn(X.flip(0))
    return torch.cat([f_outputs[last, rows], b_outputs[last, rows]], dim=-1)


def test_padding_accepts_a_batched_answer(capsys):
    accepts(ex.check_padding, scratch_final_states, capsys)

    def with_a_loop_for_the_index(layer, X, lengths):
        """Reversal built by a Python loop over the sequences: still one call per direction."""
        reversed_X = X.clone()
        for i, length in enumerate(lengths.tolist()):
            reversed_X[:length, i] = X[:length, i].flip(0)
        rows, last = torch.arange(X.shape[1]), lengths - 1
        outputs, _ = layer(X)
        b_outputs, _ = layer.b_rnn(reversed_X)
        return torch.cat([outputs[last, rows, : layer.hidden_size], b_outputs[last, rows]], -1)

    accepts(ex.check_padding, with_a_loop_for_the_index, capsys)


def test_padding(capsys):
    rejects(
        ex.check_padding,
        padding_naive,
        capsys,
        "final states of the padded batch",
        "sequences [1, 2, 3]",
    )
    rejects(
        ex.check_padding,
        padding_flip_whole,
        capsys,
        "X.flip(0)",
        "Reverse each sequence within its own length",
    )
    rejects(ex.check_padding, _padding_flip_whole_indexed, capsys, "X.flip(0)")
    rejects(ex.check_padding, padding_past_x1, capsys, "run on past x_1", "lengths - 1")
    rejects(ex.check_padding, padding_forward_weights, capsys, "computed with layer.f_rnn")
    rejects(
        ex.check_padding,
        padding_forward_through,
        capsys,
        "the backward halves are right, the forward halves are not",
    )
    rejects(
        ex.check_padding,
        padding_loop,
        capsys,
        "the values are right",
        "ran 4 times, once per sequence",
    )
    rejects(ex.check_padding, padding_reordered, capsys, "original batch order")
    rejects(
        ex.check_padding,
        lambda layer, X, lengths: scratch_final_states(layer, X, lengths)[:, :4],
        capsys,
        "expected shape (4, 8) (n, h_f + h_b), got (4, 4)",
    )


def test_padding_uses_unequal_widths_and_nonzero_biases(capsys):
    """With b_h = 0 a state of zeros stays zero on zero padding, and reading the padding first
    would pass; the check's layers have biases. h_f != h_b in its second case."""
    seen = []

    def spy(layer, X, lengths):
        seen.append(
            (layer.hidden_size, layer.hidden_size_b, layer.b_rnn.b_h.detach().abs().sum().item())
        )
        return scratch_final_states(layer, X, lengths)

    accepts(ex.check_padding, spy, capsys)
    assert any(h_f != h_b for h_f, h_b, _ in seen) and all(bias > 0 for *_, bias in seen)


# --- how far to the left must the reader read? -------------------------------------------------


def test_lookbehind_table_prints_the_same_on_any_cpu():
    """The solution prints both curves in whole percents of 1236 questions. Another CPU may
    flip the answer to a question whose two best guesses nearly tie, so every printed value
    must sit more than one question away from a rounding boundary."""
    from book import pretrained

    model = pretrained.load("bidirectional")
    inputs, truth = pretrained.centre_blanks()
    inputs, truth = inputs[:, ::2], truth[::2]
    ks = (0, 1, 2, 4, 8)
    with seeded(0, num_threads=1):  # as in the notebook: one thread
        values = (
            [accuracy_left(model, inputs, truth, k) for k in ks]
            + [accuracy(model, inputs, truth, right=k) for k in ks]
            + [accuracy(model, inputs, truth)]
        )
    n = len(truth)
    assert all(abs((v * 100) % 1 - 0.5) / 100 * n > 1 for v in values), values


def test_lookbehind(capsys):
    accepts(ex.check_lookbehind, accuracy_left, capsys)
    accepts(ex.check_lookbehind, lambda m, i, t, k: torch.tensor(accuracy_left(m, i, t, k)), capsys)
    rejects(
        ex.check_lookbehind,
        lambda m, i, t, k: accuracy(m, i, t, right=k),
        capsys,
        "cuts the text k characters after the blank",
    )
    rejects(
        ex.check_lookbehind,
        lambda m, i, t, k: 100 * accuracy_left(m, i, t, k),
        capsys,
        "that is a percentage",
    )
    rejects(
        ex.check_lookbehind,
        lambda m, i, t, k: accuracy_left(m, i, t, k) * len(t),
        capsys,
        "number of questions answered right",
    )
    rejects(
        ex.check_lookbehind,
        lookbehind_wrong_row,
        capsys,
        "no longer at row CONTEXT = 24",
        "it is at row k",
    )
    rejects(
        ex.check_lookbehind,
        lambda m, i, t, k: accuracy_left(m, i, t, min(k + 1, CONTEXT)),
        capsys,
        "reads 4 characters left of the blank, not 3",
    )
    rejects(
        ex.check_lookbehind,
        lookbehind_filled(Vocab.mask_id),
        capsys,
        "replaced by <mask>, not removed",
    )
    rejects(ex.check_lookbehind, lookbehind_filled(Vocab.pad_id), capsys, "replaced by <pad>")
    rejects(
        ex.check_lookbehind,
        lambda m, i, t, k: 0.5,
        capsys,
        "expected 0.780, got 0.500",
        "keep inputs[CONTEXT - k:]",
    )
    rejects(ex.check_lookbehind, lambda m, i, t, k: "0.5", capsys, "should return a number")
    rejects(ex.check_lookbehind, lambda m, i, t, k: True, capsys, "should return a number")


# --- perplexity -----------------------------------------------------------------------------


def test_perplexity(capsys):
    for right in ("b", " B ", "(b)"):
        accepts(ex.check_perplexity, right, capsys)
    for wrong in "acd":
        out = rejects(ex.check_perplexity, wrong, capsys, f"({wrong}) is not the reason")
        assert ex.PERPLEXITY_CHOICES["b"] not in out
    rejects(ex.check_perplexity, "e", capsys, "expected one letter")
    rejects(ex.check_perplexity, raises, capsys, "expected one letter")


def test_wrong_perplexity_feedback_differs_per_letter(capsys):
    outs = {rejects(ex.check_perplexity, letter, capsys) for letter in "acd"}
    assert len(outs) == 3
