"""``make train-models``: train the shipped character models once, from book.pretrained.RECIPE.

Every model trains on one CPU thread from its own seeds (initialisation: torch.manual_seed;
data order and blanks: a torch.Generator), so a run repeats exactly on the same machine;
``--jobs`` runs that many models side by side. Writes ``book/models/*.safetensors`` and
``book/models/manifest.json`` (the recipe, the versions, the wall time, each model's first
training losses and held-out figures). ``--check`` re-runs only the first steps of every
model and compares the losses with the manifest: the proof that this script is the recipe.

    python -m tools.train_models [--jobs 2] [--only fill_in|language_model]
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import platform
import sys
import time

import torch

from book import pretrained as P
from book.text import count_parameters, masked_loss
from book.train import seeded, train

FIRST_STEPS = 20  # training losses recorded per model, re-run by the test


def schedule(total):
    warm = P.RECIPE["lr"]["warmup_steps"]

    def factor(step):
        if step <= warm:
            return step / warm
        progress = (step - warm) / max(1, total - warm)
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def jobs():
    fill, lm = P.RECIPE["fill_in"], P.RECIPE["language_model"]
    out = [("fill_in", r, s) for s in fill["seeds"] for r in P.READERS]
    out += [("language_model", r, s) for s in lm["seeds"] for r in lm["readers"]]
    return out


def run(task, reader, seed, steps=None):
    """Train one model; returns (state_dict, record)."""
    _, vocab, ids, cut = P.corpus()
    spec = P.RECIPE[task]
    steps = steps or spec["steps"]
    gen = torch.Generator().manual_seed(1000 + seed)
    with seeded(seed, num_threads=1):
        model = P.make_model(reader, len(vocab))
        if task == "fill_in":
            loss_fn, data = masked_loss, (lambda: P.fill_in_batches(ids[:cut], vocab, gen))
        else:
            loss_fn = P.next_char_loss
            data = lambda: P.random_windows(ids[:cut], spec["window"], spec["batch_size"], gen)  # noqa: E731
        losses = []
        start = time.perf_counter()
        history = train(
            model,
            loss_fn,
            data,
            steps,
            lr=P.RECIPE["lr"]["peak"],
            eval_every=max(1, steps // 20),
            schedule=schedule(spec["steps"]),
            on_step=lambda step, loss: losses.append(loss),
            desc=f"{task} {reader} {seed}",
        )
        wall = time.perf_counter() - start
    record = {
        "task": task,
        "reader": reader,
        "seed": seed,
        "steps": steps,
        "parameters": count_parameters(model),
        "wall_seconds": round(wall, 1),
        "first_losses": losses[:FIRST_STEPS],
        "train_loss_curve": {
            "step": history["step"],
            "loss": [round(x, 4) for x in history["train_loss"]],
        },
    }
    return model, record


def evaluate(task, model):
    """The held-out figures the manifest records and the tests reproduce."""
    if task == "fill_in":
        inputs, truth = P.centre_blanks()
        with torch.no_grad():
            logits = model(inputs)[P.CONTEXT]
        text, vocab, _, cut = P.corpus()
        wrong_table = ~P.table_right(P.LeftCounts(text[:cut]), inputs, truth, vocab)
        right = logits.argmax(-1) == truth
        return {
            "blanks": int(len(truth)),
            "correct": int(right.sum()),
            "accuracy": round(right.float().mean().item(), 4),
            "loss": round(torch.nn.functional.cross_entropy(logits, truth).item(), 4),
            "table_wrong_blanks": int(wrong_table.sum()),
            "table_wrong_correct": int(right[wrong_table].sum()),
        }
    _, _, ids, cut = P.corpus()
    held = P.random_windows(
        ids[cut:], P.RECIPE["language_model"]["window"], 256, torch.Generator().manual_seed(7)
    )
    with torch.no_grad():
        loss = P.next_char_loss(model, next(held)).item()
    return {"window_perplexity": round(math.exp(loss), 4)}


def _work(job):
    task, reader, seed = job
    model, record = run(task, reader, seed)
    from safetensors.torch import save_file

    save_file(
        {k: v.contiguous() for k, v in model.state_dict().items()}, str(P._file(task, reader, seed))
    )
    record["held_out"] = evaluate(task, model)
    print(
        json.dumps({k: record[k] for k in ("task", "reader", "seed", "wall_seconds", "held_out")}),
        flush=True,
    )
    return record


def check(steps=5):
    """Re-run the first ``steps`` steps of every model; the largest relative loss gap."""
    worst = 0.0
    for record in P.manifest()["models"]:
        _, fresh = run(record["task"], record["reader"], record["seed"], steps=steps)
        for a, b in zip(fresh["first_losses"], record["first_losses"][:steps]):
            worst = max(worst, abs(a - b) / abs(b))
    return worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.check:
        worst = check()
        print(f"largest relative gap to the recorded first losses: {worst:.2e}")
        return 0 if worst < 1e-4 else 1
    P.models_dir().mkdir(exist_ok=True)
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        records = pool.map(_work, jobs(), chunksize=1)
    manifest = {
        "format": "birnn-pretrained/1",
        "recipe": P.RECIPE,
        "command": f"make train-models (python -m tools.train_models --jobs {args.jobs})",
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "machine": platform.processor() or platform.machine(),
        "wall_seconds_total": round(time.perf_counter() - start, 1),
        "models": records,
    }
    path = P.models_dir() / "manifest.json"
    path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(records)} models and {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
