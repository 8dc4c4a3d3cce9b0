"""One training epoch of the digits LeNet: minigrad against PyTorch CPU, in one run.

    python benchmarks/train.py [--repeats 7] [--batch-size 32,128] [--seed 0] [--no-torch] [--torch-threads 2] [--profile]

Both frameworks train ``minigrad.apps.digits.lenet()`` (PyTorch's is ``lenet(torch.nn)``) from the same
initial ``state_dict``, with the example's optimizer (SGD with momentum) and loss (cross-entropy
with label smoothing), on the same batches in the same order: one epoch over the 1,347 training
digits, at each of the batch sizes given. Each repeat starts again from that state. The medians
and their ratio are printed, with each framework's mean loss over the epoch (they agree to
float32 rounding, a check that both did the same work). Each framework runs in its own process,
alternating per batch size, PyTorch with 2 threads (see ``_common``); PyTorch is skipped when it
is not installed. ``--profile`` then runs minigrad's epoch under cProfile and shows where the
time goes: own time per source file (which includes the NumPy calls made there) and the busiest
functions.
"""

from __future__ import annotations

import cProfile
import math
import os
import pstats
import statistics
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import (
    FRAMEWORKS,
    Table,
    arguments,
    clock,
    compare,
    frameworks,
    lenet,
    library,
    machine,
    serve_worker,
    versus,
)

import minigrad
from minigrad.apps import digits

LR, MOMENTUM = 0.05, 0.9


def epoch_runner(
    model: Any, optimizer_cls: Any, loss_fn: Any, batches: list, initial: Callable[[], None]
) -> Callable[[], tuple[float, float]]:
    """A function that resets ``model`` to its initial state and times one epoch: (seconds, loss)."""

    def run() -> tuple[float, float]:
        initial()
        optimizer = optimizer_cls(model.parameters(), lr=LR, momentum=MOMENTUM)
        now = clock()
        start = now()
        loss = digits.train_epoch(model, batches, optimizer, loss_fn)
        return now() - start, loss

    return run


def runner(framework: str, batch_size: int, seed: int) -> Callable[[], tuple[float, float]]:
    """``framework``'s epoch timer on the seeded batches, from minigrad's seeded initial state."""
    lib = library(framework)
    X_train, _, y_train, _ = digits.load_digits_split(seed)
    order = np.random.default_rng(seed).permutation(len(X_train))
    batch_indices = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    batches = [(lib.tensor(X_train.numpy()[i]), lib.tensor(y_train.numpy()[i])) for i in batch_indices]
    minigrad.manual_seed(seed)
    state = {key: lib.tensor(value.numpy()) for key, value in digits.lenet().state_dict().items()}
    model = lenet(lib)
    model.load_state_dict(state)  # strict: fails if the two architectures differ
    loss_fn = lib.nn.CrossEntropyLoss(label_smoothing=digits.LABEL_SMOOTHING)
    return epoch_runner(model, lib.optim.SGD, loss_fn, batches, lambda: model.load_state_dict(state))


def work(framework: str, repeats: int, batch_size: int, seed: int) -> dict[str, Any]:
    """Time ``repeats`` epochs after a warm-up: the versions and ``[seconds, loss]`` per epoch."""
    run = runner(framework, batch_size, seed)
    lib = library(framework)
    if framework == "torch":
        about = f"PyTorch {lib.__version__}, {lib.get_num_threads()} threads"
    else:
        about = f"minigrad {lib.__version__}, NumPy {np.__version__}"
    run()
    return {"about": about, "runs": [run() for _ in range(repeats)]}


def profile(run: Callable, repeats: int, top: int = 15) -> None:
    """cProfile ``repeats`` epochs; print own time per source file and the busiest functions."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    per_file: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        if "minigrad" + os.sep in filename:
            per_file[filename[filename.rindex("minigrad" + os.sep) :]] += own
        else:
            per_file["(other: Python and NumPy built-ins)" if filename == "~" else "(other: libraries)"] += (
                own
            )
    total = sum(per_file.values())
    print(
        f"\ncProfile of {repeats} minigrad epochs ({total:.2f} s with profiling overhead), own time per file:"
    )
    for name, own in sorted(per_file.items(), key=lambda item: -item[1]):
        if own >= 0.005 * total:
            print(f"  {own / repeats * 1e3:8.1f} ms/epoch  {own / total:6.1%}  {name}")
    print(f"\nbusiest {top} functions (own time):")
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--batch-size", default="32,128", help="comma-separated batch sizes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="also cProfile minigrad's epoch")
    args = parser.parse_args()
    names = frameworks(args)
    images = len(digits.load_digits_split(args.seed)[0])
    print(f"one epoch over {images} images, float32; median of {args.repeats} epochs; {machine()}")
    table = Table(
        ("batch", 5, None),
        ("steps", 5, None),
        "|",
        *[("minigrad ms", 11, 1), ("torch ms", 9, 1), ("x", 5, 2)],
        "|",
        *[("ms/step", 7, 2), ("torch", 6, 2)],
        "|",
        *[("range ms", 13, None), ("torch", 13, None)],
        "|",
        *[("mean loss", 9, 6), ("torch", 9, 6)],
    )
    table.header()
    abouts = set()
    for batch_size in (int(b) for b in args.batch_size.split(",")):
        spec = {"repeats": args.repeats, "batch_size": batch_size, "seed": args.seed}
        reports = compare(__file__, names, spec)
        results = {name: {"epoch": statistics.median(s for s, _ in r["runs"])} for name, r in reports.items()}
        steps = math.ceil(images / batch_size)
        per_step = [None if t is None else t / steps for t in versus(results, "epoch")[:2]]
        spans = [_span(reports[name]) if name in reports else None for name in FRAMEWORKS]
        losses = [reports[name]["runs"][0][1] if name in reports else None for name in FRAMEWORKS]
        table.row(batch_size, steps, *versus(results, "epoch"), *per_step, *spans, *losses)
        abouts.update(r["about"] for r in reports.values())
    print(f"target: minigrad / PyTorch at most 1.25x; {'; '.join(sorted(abouts))}")
    if args.profile:
        for batch_size in (int(b) for b in args.batch_size.split(",")):
            profile(runner("minigrad", batch_size, args.seed), args.repeats)


def _span(report: dict[str, Any]) -> str:
    seconds = sorted(s for s, _ in report["runs"])
    return f"{seconds[0] * 1e3:.1f}-{seconds[-1] * 1e3:.1f}"


if __name__ == "__main__" and not serve_worker(work):
    main()
