"""conv2d speed and memory: minigrad against PyTorch CPU and the textbook loop, in one run.

    python benchmarks/conv.py [--repeats 7] [--shapes 0,1,2] [--no-torch] [--torch-threads 2] [--no-memory]

For each shape (N, C_in, H, W, C_out, k, stride, padding, dilation), float32:

* forward (under ``no_grad``) and forward+backward (``F.conv2d`` with a bias, then
  ``y.backward(g)``, all three gradients), median of ``--repeats`` after one warm-up, through
  minigrad's public API and PyTorch's ``torch.nn.functional.conv2d`` with autograd;
* achieved GFLOP/s of forward+backward (3 x 2 N C_out C_in/groups kH kW H_out W_out), next to
  this machine's measured float32 matmul rate (a 2048 x 2048 product with NumPy);
* the textbook loop (``minigrad.testing.reference.corr2d_loop`` on NumPy arrays, one
  ``(X[i:i+h, j:j+w] * K).sum()`` per output element, summed over input channels and stacked over
  output channels as the chapter's multi-channel version does), forward only, timed on the first
  images and scaled to the batch, where that takes under a few seconds;
* peak memory of one forward+backward: the rise of the process's peak resident set (Linux
  ``VmHWM``, reset through ``/proc/self/clear_refs``) above its resident set before the call,
  after a warm-up call, in a fresh process per framework and shape. glibc is told to return
  every freed block over 64 KiB to the system (``MALLOC_MMAP_THRESHOLD_``), so the peak is that
  of live buffers, not of a reuse pattern; the inputs and ``g`` exist before and are not counted.

Each framework runs in its own process, alternating per shape (see ``_common``); the timing
processes keep freed memory, as a process does once a few training steps have run. Timings on
a shared machine are noisy: the load average is printed with the table.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import (
    MEMORY_ENV,
    Table,
    arguments,
    compare,
    compared,
    frameworks,
    library,
    machine,
    median_seconds,
    memory_supported,
    peak_mb,
    serve_worker,
    versus,
)

# N, C_in, H, W, C_out, k, stride, padding, dilation
SHAPES = [
    (64, 1, 28, 28, 6, 5, 1, 2, 1),  # LeNet-5 on MNIST
    (64, 6, 14, 14, 16, 5, 1, 0, 1),
    (128, 1, 8, 8, 32, 3, 1, 1, 1),  # the digits LeNet (minigrad.apps.digits.lenet), batch 128
    (128, 32, 4, 4, 64, 3, 1, 1, 1),
    (32, 3, 32, 32, 16, 3, 1, 1, 1),  # CIFAR-sized
    (32, 64, 32, 32, 64, 3, 1, 1, 1),
    (8, 128, 56, 56, 128, 3, 1, 1, 1),
    (32, 64, 32, 32, 64, 3, 2, 1, 1),
    (32, 64, 32, 32, 64, 3, 1, 2, 2),
    (8, 128, 56, 56, 128, 3, 2, 1, 1),
]
LOOP_BUDGET_OPS = 300_000  # textbook loop: at most this many (X * K).sum() calls per shape


def out_side(size: int, k: int, stride: int, padding: int, dilation: int) -> int:
    return (size + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def flops(shape: tuple) -> int:
    """Multiply-adds times two of one forward."""
    n, c, h, w, o, k, s, p, d = shape
    return 2 * n * o * c * k * k * out_side(h, k, s, p, d) * out_side(w, k, s, p, d)


def data(shape: tuple) -> tuple[np.ndarray, ...]:
    n, c, h, w, o, k, s, p, d = shape
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, w), dtype=np.float32)
    weight = rng.standard_normal((o, c, k, k), dtype=np.float32) / np.float32(np.sqrt(c * k * k))
    bias = rng.standard_normal(o, dtype=np.float32)
    g = rng.standard_normal((n, o, out_side(h, k, s, p, d), out_side(w, k, s, p, d)), dtype=np.float32)
    return x, weight, bias, g


# ---- the measured steps, the same code for both frameworks -----------------------------------------


def steps(framework: str, shape: tuple) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """Forward under ``no_grad`` and forward+backward (all three gradients) of ``shape``'s conv2d."""
    lib = library(framework)
    _, _, _, _, _, _, s, p, d = shape
    x, weight, bias, g = (lib.tensor(a) for a in data(shape))
    for t in (x, weight, bias):
        t.requires_grad_()

    def forward() -> None:
        with lib.no_grad():
            lib.nn.functional.conv2d(x, weight, bias, s, p, d)

    def forward_backward() -> None:
        lib.nn.functional.conv2d(x, weight, bias, s, p, d).backward(g)
        x.grad = weight.grad = bias.grad = None

    return forward, forward_backward


def textbook_forward_seconds(shape: tuple) -> float | None:
    """The chapter's loop on as many images as the budget allows, scaled to the batch."""
    from minigrad.testing.reference import corr2d_loop

    n, c, h, w, o, k, s, p, d = shape
    if s != 1 or d != 1:
        return None
    positions = out_side(h, k, s, p, d) * out_side(w, k, s, p, d)
    images = min(n, LOOP_BUDGET_OPS // (o * c * positions))
    if images == 0:
        return None
    x, weight, _, _ = data(shape)
    x = np.pad(x[:images], ((0, 0), (0, 0), (p, p), (p, p)))

    def run() -> None:
        for image in x:
            np.stack([sum(corr2d_loop(xc, kc) for xc, kc in zip(image, K)) for K in weight])

    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * n / images


def matmul_gflops(repeats: int) -> float:
    a = np.random.default_rng(0).standard_normal((2048, 2048), dtype=np.float32)
    return 2 * 2048**3 / median_seconds(lambda: a @ a, repeats) / 1e9


# ---- workers (run in fresh processes) ------------------------------------------------------------


def work(kind: str, framework: str, index: int, repeats: int) -> dict:
    """Times (``kind`` "time") or the peak memory ("memory") of one framework at ``SHAPES[index]``."""
    shape = SHAPES[index]
    forward, forward_backward = steps(framework, shape)
    if kind == "memory":
        return {"peak_mb": peak_mb(forward_backward)}
    result = {
        "forward": median_seconds(forward, repeats),
        "forward_backward": median_seconds(forward_backward, repeats),
        "textbook": None,
    }
    if framework == "minigrad":
        result["textbook"] = textbook_forward_seconds(shape)
    return result


# ---- the report ----------------------------------------------------------------------------------


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument(
        "--shapes",
        default=",".join(str(i) for i in range(len(SHAPES))),
        help="comma-separated indices into SHAPES",
    )
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    names = frameworks(args)
    memory = not args.no_memory and memory_supported()
    rate = matmul_gflops(args.repeats)
    print(f"float32; {machine()}; NumPy float32 matmul {rate:.0f} GFLOP/s; median of {args.repeats}")
    columns = [
        ("N, C, H, W, O, k, s, p, d", 30, None),
        "|",
        *compared("fwd ms", 7, 2),
        "|",
        *compared("f+b ms", 8, 2),
        "|",
        *[("GFLOP/s", 7, 0), ("%mm", 4, 0)],
        "|",
        *[("loop ms", 9, 0), ("speed-up", 8, 0)],
    ]
    if memory:
        columns += ["|", *compared("peak MB", 7, 1)]
    table = Table(*columns)
    table.header()
    for index in (int(i) for i in args.shapes.split(",")):
        shape = SHAPES[index]
        times = compare(__file__, names, {"kind": "time", "index": index, "repeats": args.repeats})
        ours = times["minigrad"]
        gflops = 3 * flops(shape) / ours["forward_backward"] / 1e9
        loop = ours["textbook"]
        values = [str(shape)[1:-1], *versus(times, "forward"), *versus(times, "forward_backward")]
        values += [gflops, 100 * gflops / rate, None if loop is None else loop * 1e3]
        values.append(None if loop is None else loop / ours["forward"])
        if memory:
            peaks = compare(__file__, names, {"kind": "memory", "index": index, "repeats": 1}, MEMORY_ENV)
            values += versus(peaks, "peak_mb", 1)
        table.row(*values)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__" and not serve_worker(work):
    main()
