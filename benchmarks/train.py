"""One training epoch of the digits LeNet: minigrad against PyTorch CPU, in one run.

    python benchmarks/train.py [--repeats 7] [--batch-size 32] [--seed 0] [--no-torch] [--profile]

Both frameworks train ``minigrad.apps.digits.lenet()`` (PyTorch's is ``lenet(torch.nn)``) from the same
initial ``state_dict``, with the example's optimizer (SGD with momentum) and loss (cross-entropy
with label smoothing), on the same batches in the same order: one epoch over the 1,347 training
digits. Each repeat starts again from that state. The medians and their ratio are printed, with
each framework's mean loss over the epoch (they agree to float32 rounding, a check that both did
the same work). Each framework runs in its own process, because PyTorch's OpenMP threads and
NumPy's OpenBLAS threads slow each other down when they share one; PyTorch is skipped when it is
not installed. ``--profile`` then runs minigrad's epoch under cProfile and shows where the time
goes: own time per source file (which includes the NumPy calls made there) and the busiest
functions.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

import minigrad
from minigrad import nn
from minigrad.apps import digits

LR, MOMENTUM = 0.05, 0.9
FRAMEWORKS = ("minigrad", "torch")


def epoch_runner(
    model: Any, optimizer_cls: Any, loss_fn: Any, batches: list, initial: Callable[[], None]
) -> Callable[[], tuple[float, float]]:
    """A function that resets ``model`` to its initial state and times one epoch: (seconds, loss)."""

    def run() -> tuple[float, float]:
        initial()
        optimizer = optimizer_cls(model.parameters(), lr=LR, momentum=MOMENTUM)
        start = time.perf_counter()
        loss = digits.train_epoch(model, batches, optimizer, loss_fn)
        return time.perf_counter() - start, loss

    return run


def minigrad_runner(state: dict, images: list[np.ndarray], labels: list[np.ndarray]) -> Callable:
    model = digits.lenet()
    batches = [(minigrad.tensor(x), minigrad.tensor(y)) for x, y in zip(images, labels)]
    loss_fn = nn.CrossEntropyLoss(label_smoothing=digits.LABEL_SMOOTHING)
    return epoch_runner(model, minigrad.optim.SGD, loss_fn, batches, lambda: model.load_state_dict(state))


def torch_runner(state: dict, images: list[np.ndarray], labels: list[np.ndarray]) -> Callable:
    import torch
    from torch import nn as tnn

    model = digits.lenet(tnn)
    torch_state = {key: torch.from_numpy(value.numpy().copy()) for key, value in state.items()}
    model.load_state_dict(torch_state)  # strict: fails if the two architectures differ
    batches = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in zip(images, labels)]
    loss_fn = tnn.CrossEntropyLoss(label_smoothing=digits.LABEL_SMOOTHING)
    return epoch_runner(model, torch.optim.SGD, loss_fn, batches, lambda: model.load_state_dict(torch_state))


def runner(framework: str, batch_size: int, seed: int) -> Callable[[], tuple[float, float]]:
    """``framework``'s epoch timer on the seeded batches, from minigrad's seeded initial state."""
    X_train, _, y_train, _ = digits.load_digits_split(seed)
    order = np.random.default_rng(seed).permutation(len(X_train))
    batch_indices = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    images = [X_train.numpy()[i] for i in batch_indices]
    labels = [y_train.numpy()[i] for i in batch_indices]
    minigrad.manual_seed(seed)
    state = digits.lenet().state_dict()
    make = minigrad_runner if framework == "minigrad" else torch_runner
    return make(state, images, labels)


def worker(framework: str, repeats: int, batch_size: int, seed: int) -> None:
    """Time ``repeats`` epochs after a warm-up; print the versions and ``[seconds, loss]`` per epoch as JSON."""
    run = runner(framework, batch_size, seed)
    if framework == "torch":
        import torch

        about = f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads"
    else:
        about = f"minigrad {minigrad.__version__}, NumPy {np.__version__}"
    run()
    print(json.dumps({"about": about, "runs": [run() for _ in range(repeats)]}))


def time_in_subprocess(framework: str, args: argparse.Namespace) -> dict[str, Any] | None:
    """``worker``'s report from a fresh process, or None when ``framework`` is not installed."""
    command = [
        sys.executable,
        __file__,
        "--worker",
        framework,
        "--repeats",
        str(args.repeats),
        "--batch-size",
        str(args.batch_size),
        "--seed",
        str(args.seed),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        if framework == "torch" and "No module named 'torch'" in done.stderr:
            return None
        raise RuntimeError(f"{framework} benchmark failed:\n{done.stderr}")
    return json.loads(done.stdout)


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
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-torch", action="store_true", help="time minigrad only")
    parser.add_argument("--profile", action="store_true", help="also cProfile minigrad's epoch")
    parser.add_argument("--worker", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.repeats, args.batch_size, args.seed)
        return

    steps = math.ceil(len(digits.load_digits_split(args.seed)[0]) / args.batch_size)
    print(
        f"one epoch = {steps} steps of batch size {args.batch_size}, float32; median of {args.repeats} "
        f"epochs; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    medians = {}
    for framework in FRAMEWORKS[:1] if args.no_torch else FRAMEWORKS:
        report = time_in_subprocess(framework, args)
        if report is None:
            print("PyTorch is not installed: timing minigrad only")
            continue
        seconds = sorted(s for s, _ in report["runs"])
        medians[framework] = statistics.median(seconds)
        print(
            f"{framework:>9}: {medians[framework] * 1e3:7.1f} ms per epoch (range {seconds[0] * 1e3:.1f}-"
            f"{seconds[-1] * 1e3:.1f}), {medians[framework] / steps * 1e3:.2f} ms per step, mean loss "
            f"{report['runs'][0][1]:.6f}  [{report['about']}]"
        )
    if "torch" in medians:
        print(
            f"minigrad / PyTorch: {medians['minigrad'] / medians['torch']:.2f}x per epoch (target: at most 1.5x)"
        )
    if args.profile:
        profile(runner("minigrad", args.batch_size, args.seed), args.repeats)


if __name__ == "__main__":
    main()
