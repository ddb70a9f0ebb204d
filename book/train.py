"""The chapter's one training loop, and a way to run seeded code inside a learner's kernel.

:func:`train` shows a ``tqdm.auto`` progress bar (a widget in Jupyter, text in a terminal).
Automated runs -- the tests, ``nbval`` and ``make execute`` -- set tqdm's own switch,
``TQDM_DISABLE=1``, so a saved notebook holds no bar and re-runs compare equal.

:func:`seeded` runs a block with torch's global random generator seeded and then restores
the generator and the thread count as they were, so library code that trains or builds
models in a learner's kernel (the polysemy encoder, the shape explorer's measurement, the
exercise checks) neither depends on nor disturbs the learner's own random stream.
"""
from __future__ import annotations

import contextlib
import itertools
import math
import os

import torch
from tqdm.auto import tqdm

__all__ = ["train", "seeded"]


@contextlib.contextmanager
def seeded(seed: int, num_threads: int | None = None):
    """Run the block with ``torch.manual_seed(seed)`` (and ``num_threads`` threads, if
    given), then put the global generator and the thread count back as they were."""
    previous = torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if num_threads is not None:
            torch.set_num_threads(num_threads)
        try:
            yield
        finally:
            torch.set_num_threads(previous)


def train(model, loss_fn, data, num_steps, *, lr=0.01, clip=1.0, evaluate=None,
          eval_every=50, desc="training"):
    """Train ``model`` with Adam for ``num_steps`` updates and return its history.

    Args:
        model: the ``nn.Module`` to train.
        loss_fn: ``loss_fn(model, batch)`` returns the mean loss of one batch (a scalar).
        data: a callable returning an iterable of batches (one pass over the data); it is
            called again whenever a pass runs out.
        num_steps: number of parameter updates.
        lr: Adam's learning rate.
        clip: largest gradient norm allowed; recurrent nets occasionally produce huge ones.
        evaluate: optional ``evaluate(model)`` returning a held-out loss, run in eval mode
            without gradients every ``eval_every`` steps and after the last.
        eval_every: steps between records in the history.
        desc: label of the progress bar.

    Returns:
        A dict of lists: ``step``, ``train_loss`` (mean over the steps since the previous
        record) and, with ``evaluate``, ``val_loss``.
    """
    if num_steps < 1 or eval_every < 1:
        raise ValueError(f"train expected num_steps >= 1 and eval_every >= 1, got "
                         f"num_steps={num_steps}, eval_every={eval_every}")
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"step": [], "train_loss": []}
    if evaluate is not None:
        history["val_loss"] = []
    stream = itertools.chain.from_iterable(data() for _ in itertools.count())
    running, count = 0.0, 0
    try:
        # tqdm.notebook forces disable=False over the TQDM_DISABLE variable that plain tqdm
        # reads, so the switch is passed on explicitly.
        disable = os.environ.get("TQDM_DISABLE", "").lower() not in ("", "0", "false")
        with tqdm(total=num_steps, desc=desc, disable=disable) as bar:
            for step, batch in zip(range(1, num_steps + 1), stream):
                model.train()
                loss = loss_fn(model, batch)
                if not math.isfinite(loss.item()):
                    raise FloatingPointError(f"train: the loss became {loss.item()} at step {step}")
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
                optimizer.step()
                running, count = running + loss.item(), count + 1
                bar.update(1)
                if step % eval_every == 0 or step == num_steps:
                    history["step"].append(step)
                    history["train_loss"].append(running / count)
                    running, count = 0.0, 0
                    if evaluate is not None:
                        model.eval()
                        with torch.no_grad():
                            history["val_loss"].append(float(evaluate(model)))
                    bar.set_postfix(loss=f"{history['train_loss'][-1]:.3f}")
    finally:
        model.eval()
    return history
