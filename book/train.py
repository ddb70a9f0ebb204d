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

from book.i18n import tr

__all__ = ["train", "seeded", "Adam"]


class Adam:
    """Adam with PyTorch's defaults (betas 0.9 and 0.999, eps 1e-8, no weight decay).

    ``torch.optim``'s optimizers import ``torch._dynamo`` when they are built (their
    ``add_param_group`` is wrapped to keep the compiler out), which takes about a second in a
    fresh kernel: longer than training one of the chapter's small models. This is the same
    update as ``torch.optim.Adam``'s single-tensor implementation, written out;
    tests/test_train.py checks that the two agree step for step.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params = [p for p in params if p.requires_grad]
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]
        self.steps = 0

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        self.steps += 1
        step_size = self.lr / (1 - self.beta1**self.steps)
        correction2_sqrt = math.sqrt(1 - self.beta2**self.steps)
        for p, m, v in zip(self.params, self.exp_avg, self.exp_avg_sq):
            if p.grad is None:
                continue
            m.lerp_(p.grad, 1 - self.beta1)
            v.mul_(self.beta2).addcmul_(p.grad, p.grad.conj(), value=1 - self.beta2)
            denom = (v.sqrt() / correction2_sqrt).add_(self.eps)
            p.addcdiv_(m, denom, value=-step_size)


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


def train(
    model,
    loss_fn,
    data,
    num_steps,
    *,
    lr=0.01,
    clip=1.0,
    evaluate=None,
    eval_every=50,
    desc=None,
    schedule=None,
    on_step=None,
):
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
        desc: label of the progress bar ("training", in the learner's language, by default).
        schedule: optional ``schedule(step)`` giving the factor of ``lr`` for that step
            (1-based); constant ``lr`` by default.
        on_step: optional ``on_step(step, loss)`` called after every update.

    Returns:
        A dict of lists: ``step``, ``train_loss`` (mean over the steps since the previous
        record) and, with ``evaluate``, ``val_loss``.
    """
    if num_steps < 1 or eval_every < 1:
        raise ValueError(
            tr(
                "train expected num_steps >= 1 and eval_every >= 1, got "
                "num_steps={num_steps}, eval_every={eval_every}",
                num_steps=num_steps,
                eval_every=eval_every,
            )
        )
    optimizer = Adam(model.parameters(), lr=lr)
    history = {"step": [], "train_loss": []}
    if evaluate is not None:
        history["val_loss"] = []
    stream = itertools.chain.from_iterable(data() for _ in itertools.count())
    running, count = 0.0, 0
    try:
        # tqdm.notebook forces disable=False over the TQDM_DISABLE variable that plain tqdm
        # reads, so the switch is passed on explicitly.
        disable = os.environ.get("TQDM_DISABLE", "").lower() not in ("", "0", "false")
        with tqdm(total=num_steps, desc=desc or tr("training"), disable=disable) as bar:
            for step, batch in zip(range(1, num_steps + 1), stream):
                model.train()
                loss = loss_fn(model, batch)
                if not math.isfinite(loss.item()):
                    raise FloatingPointError(
                        tr(
                            "train: the loss became {loss} at step {step}",
                            loss=loss.item(),
                            step=step,
                        )
                    )
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
                if schedule is not None:
                    optimizer.lr = lr * schedule(step)
                optimizer.step()
                running, count = running + loss.item(), count + 1
                if on_step is not None:
                    on_step(step, loss.item())
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
