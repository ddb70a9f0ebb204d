"""The measuring tools in book.cost count what they claim to count."""

import torch
from torch import nn

from book.cost import OpCounter, input_gradient_norms, interleaved_medians, saved_bytes


def test_op_counter_counts_matmuls_and_elements():
    A, B = torch.randn(3, 4), torch.randn(4, 5)
    with OpCounter() as ops:
        C = torch.tanh(A @ B + 1)
    assert ops.matmuls == 1 and ops.counts["tanh"] == 1
    assert ops.elements["tanh"] == C.numel() == 15
    assert ops.others == 2  # add and tanh; the product is not "other"


def test_op_counter_sees_the_backward_pass():
    W = torch.randn(4, 4, requires_grad=True)
    loss = (torch.randn(2, 4) @ W).sum()
    with OpCounter() as ops:
        loss.backward()
    assert ops.matmuls >= 1  # the gradient of W is a product


def test_saved_bytes_excludes_given_tensors_and_counts_storage_once():
    x = torch.randn(10, requires_grad=True)
    y = torch.tanh(x)  # saves its output for backward
    assert saved_bytes(lambda: torch.tanh(x), exclude=[x]) == y.numel() * 4
    # x * x saves x twice; excluded, nothing is left.
    assert saved_bytes(lambda: x * x, exclude=[x]) == 0
    assert saved_bytes(lambda: x * x) == x.numel() * 4


def test_saved_bytes_doubles_with_a_second_direction():
    X = torch.randn(5, 2, 3)
    got = []
    for bidirectional in (False, True):
        rnn = nn.RNN(3, 4, bidirectional=bidirectional)
        got.append(saved_bytes(lambda: rnn(X)[0], exclude=[X, *rnn.parameters()]))
    assert got[1] == 2 * got[0] > 0


def test_interleaved_medians_calls_each_function_and_returns_seconds():
    calls = {"a": 0, "b": 0}

    def make(name):
        def run():
            calls[name] += 1

        return run

    medians = interleaved_medians({"a": make("a"), "b": make("b")}, repeats=3, warmup=1)
    assert set(medians) == {"a", "b"} and all(v >= 0 for v in medians.values())
    assert calls == {"a": 4, "b": 4}


def test_input_gradient_norms_shape_and_causality():
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4)
    X = torch.randn(6, 1, 3)
    # The output at step 3 of a forward RNN does not depend on later inputs.
    norms = input_gradient_norms(rnn, X, lambda result: result[0][2].sum())
    assert norms.shape == (6,)
    assert (norms[:3] > 0).all() and (norms[3:] == 0).all()


def test_count_graph_nodes_sees_every_in_place_write():
    from book.cost import bidirectional_preallocated, count_graph_nodes
    from book.fast import BiRNNFast

    model = BiRNNFast(3, 4, 2)
    X = torch.randn(5, 2, 3)
    assert count_graph_nodes(bidirectional_preallocated(model, X))["CopySlices"] == 2 * 5
    nodes = count_graph_nodes(model(X)[0])
    assert nodes["CopySlices"] == 0 and nodes["AccumulateGrad"] == 6  # six parameters


def test_counting_does_not_import_the_compiler():
    """OpCounter declines TorchDispatchMode's torch.compile guard, which would import
    torch._dynamo (about a second in a fresh kernel) at the first count."""
    import subprocess
    import sys

    code = (
        "import sys, torch; from book.cost import OpCounter\n"
        "with OpCounter() as ops: torch.nn.RNN(3, 4)(torch.randn(2, 1, 3))\n"
        "print(ops.matmuls, 'torch._dynamo' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split() == ["3", "False"]
