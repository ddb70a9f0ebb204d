"""The shipped pre-trained models (book/models): what the manifest records is what they do.

Every model is reloaded from its safetensors file and scored again on the held-out
questions: the counts of right answers must be the recorded ones exactly. The first steps of
the recipe are re-run for one model of each kind and must give the recorded losses, so
``tools/train_models.py`` is shown to be the recipe that made the weights.
"""

from __future__ import annotations

import math

import pytest
import torch

from book import pretrained as P
from book.text import count_parameters
from tools import train_models

MODELS = P.manifest()["models"]


def test_manifest_lists_every_model_of_the_recipe():
    expected = set(train_models.jobs())
    assert {(m["task"], m["reader"], m["seed"]) for m in MODELS} == expected
    assert P.manifest()["recipe"] == P.RECIPE
    assert P.manifest()["torch"].split("+")[0] == torch.__version__.split("+")[0]
    for spec in P.RECIPE["fill_in"], P.RECIPE["language_model"]:
        assert spec["steps"] >= 1000


def test_readers_match_in_size():
    sizes = [count_parameters(P.make_model(r)) for r in P.READERS]
    assert max(sizes) / min(sizes) < 1.01
    assert all(m["parameters"] in sizes for m in MODELS)


def test_no_pickle_in_the_shipped_files():
    for path in P.models_dir().glob("*.safetensors"):
        assert not path.read_bytes().startswith(b"\x80"), path  # a pickle's first byte


@pytest.mark.parametrize("record", MODELS, ids=lambda m: f"{m['task']}-{m['reader']}-{m['seed']}")
def test_shipped_model_reproduces_its_recorded_figures(record):
    model = P.load(record["reader"], record["seed"], task=record["task"])
    got = train_models.evaluate(record["task"], model)
    want = record["held_out"]
    for key, value in want.items():
        if isinstance(value, int):
            assert got[key] == value, key  # counts: exact
        else:
            assert math.isclose(got[key], value, abs_tol=2e-4), key  # rounded floats


@pytest.mark.parametrize(
    "task,reader",
    [
        ("fill_in", "bidirectional"),
        ("fill_in", "right to left"),
        ("language_model", "left to right"),
    ],
)
def test_the_script_is_the_recipe(task, reader):
    record = next(m for m in MODELS if m["task"] == task and m["reader"] == reader)
    _, fresh = train_models.run(task, reader, record["seed"], steps=5)
    torch.testing.assert_close(
        torch.tensor(fresh["first_losses"]),
        torch.tensor(record["first_losses"][:5]),
        rtol=1e-4,
        atol=1e-5,
    )


def test_load_names_what_is_missing():
    with pytest.raises(
        ValueError, match="no shipped fill_in model for reader='bidirectional', seed=9"
    ):
        P.load("bidirectional", 9)
    with pytest.raises(ValueError, match="reader must be one of"):
        P.make_model("sideways")


def test_count_table_backs_off_and_classifies():
    table = P.LeftCounts("abcabd", order=2)
    assert table.guess("xab") in "cd" and table.context("zz") == ""
    assert table.evidence("ab")[1] == 2
    text = "the cat sat on the mat the cat"
    assert P.both_sides(text, "the c", "t sat")[1][0][0] == "a"
    assert P.classify(P.LeftCounts(text), text, "zz_zz", "q") == "unseen"


def test_right_to_left_reader_is_the_mirror():
    torch.manual_seed(0)
    model = P.make_model("right to left")
    X = torch.randint(2, 29, (7, 3))
    torch.testing.assert_close(
        model(X.flip(0)).flip(0), model.head(model.rnn(model.embedding(X))[0])
    )
