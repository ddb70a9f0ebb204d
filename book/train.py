"""A small training loop with progress feedback for people and silence for tests.

Run by a person, :func:`train` shows a live line (in Jupyter) or a ``tqdm`` bar (in a
terminal) with the step, the running loss and the elapsed time. Under an automated run --
tests, ``nbval``, ``make execute`` -- what it leaves behind must not change from run to
run, so:

* outside Jupyter it draws a bar only when stderr is a terminal;
* in Jupyter the live line ends as it began, ``"<desc>: <num_steps> steps"``, so a
  saved notebook holds the same output whatever the timings were (``nbval`` compares the
  first state of a display, ``nbclient`` saves the last: they must agree);
* ``progress=False`` or the environment variable ``BOOK_PROGRESS=0`` turns it off.
"""
from __future__ import annotations

import itertools
import math
import os
import sys
import time

import torch

__all__ = ["train"]


def _in_jupyter() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class _Progress:
    """One live progress line: an IPython display handle, a tqdm bar, or nothing."""

    def __init__(self, mode, desc, total):
        self.mode, self.desc, self.total = mode, desc, total
        self.start = self.last = time.perf_counter()
        self.header = f"{desc}: {total} steps"
        if mode == "jupyter":
            from IPython.display import display
            self.handle = display({"text/plain": self.header}, raw=True, display_id=True)
        elif mode == "tqdm":
            from tqdm.auto import tqdm
            self.bar = tqdm(total=total, desc=desc, file=sys.stderr, leave=True)

    def update(self, step, loss):
        if self.mode == "tqdm":
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
        elif self.mode == "jupyter":
            now = time.perf_counter()
            if now - self.last < 0.2 and step < self.total:     # keep the front end calm
                return
            self.last = now
            filled = round(24 * step / self.total)
            line = (f"{self.header}  |{'#' * filled}{'.' * (24 - filled)}| {step}/{self.total}"
                    f"  loss {loss:.3f}  {now - self.start:.1f} s")
            self.handle.update({"text/plain": line}, raw=True)

    def close(self):
        if self.mode == "tqdm":
            self.bar.close()
        elif self.mode == "jupyter":
            self.handle.update({"text/plain": self.header}, raw=True)


def _mode(progress):
    if progress is False or os.environ.get("BOOK_PROGRESS") == "0":
        return None
    if _in_jupyter():
        return "jupyter"
    if progress is True or sys.stderr.isatty():
        return "tqdm"
    return None


def train(model, loss_fn, data, num_steps, *, lr=0.01, clip=1.0, evaluate=None,
          eval_every=50, progress=None, desc="training"):
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
        progress: ``None`` decides automatically (see the module's docstring); ``True``
            forces a bar, ``False`` silences it.
        desc: label shown beside the progress bar.

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
    bar = _Progress(_mode(progress), desc, num_steps)
    running, count = 0.0, 0
    try:
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
            bar.update(step, running / count)
            if step % eval_every == 0 or step == num_steps:
                history["step"].append(step)
                history["train_loss"].append(running / count)
                running, count = 0.0, 0
                if evaluate is not None:
                    model.eval()
                    with torch.no_grad():
                        history["val_loss"].append(float(evaluate(model)))
    finally:
        bar.close()
        model.eval()
    return history
