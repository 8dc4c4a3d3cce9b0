"""conv2d speed and memory: minigrad against PyTorch CPU and the textbook loop, in one run.

    python benchmarks/conv.py [--repeats 7] [--shapes 0,1,2] [--no-torch] [--no-memory]

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

Each framework runs in its own process, alternating per shape, because PyTorch's OpenMP
threads and NumPy's OpenBLAS threads slow each other down when they share one. The timing
processes keep freed memory (glibc's ``MALLOC_MMAP_THRESHOLD_`` 32 MiB, ``MALLOC_TRIM_THRESHOLD_``
1 GiB), as a process does once a few training steps have run; a fresh process otherwise hands
buffers of a few MB back to the system after each call and pays page faults on the next, which
slows both frameworks several times on some shapes. Timings on a shared machine are noisy: the
load average is printed with the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

# N, C_in, H, W, C_out, k, stride, padding, dilation
SHAPES = [
    (64, 1, 28, 28, 6, 5, 1, 2, 1),
    (64, 6, 14, 14, 16, 5, 1, 0, 1),
    (32, 3, 32, 32, 16, 3, 1, 1, 1),
    (32, 64, 32, 32, 64, 3, 1, 1, 1),
    (8, 128, 56, 56, 128, 3, 1, 1, 1),
    (32, 64, 32, 32, 64, 3, 2, 1, 1),
    (32, 64, 32, 32, 64, 3, 1, 2, 2),
    (8, 128, 56, 56, 128, 3, 2, 1, 1),
]
LOOP_BUDGET_OPS = 300_000  # textbook loop: at most this many (X * K).sum() calls per shape


def median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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


# ---- the two frameworks, behind one interface ---------------------------------------------------


def minigrad_steps(shape: tuple) -> tuple[Callable[[], Any], Callable[[], Any]]:
    import minigrad
    import minigrad.nn.functional as F

    _, _, _, _, _, _, s, p, d = shape
    x, weight, bias, g = (minigrad.tensor(a) for a in data(shape))
    for t in (x, weight, bias):
        t.requires_grad_()

    def forward() -> None:
        with minigrad.no_grad():
            F.conv2d(x, weight, bias, s, p, d)

    def forward_backward() -> None:
        F.conv2d(x, weight, bias, s, p, d).backward(g)
        x.grad = weight.grad = bias.grad = None

    return forward, forward_backward


def torch_steps(shape: tuple) -> tuple[Callable[[], Any], Callable[[], Any]]:
    import torch

    _, _, _, _, _, _, s, p, d = shape
    x, weight, bias, g = (torch.from_numpy(a) for a in data(shape))
    for t in (x, weight, bias):
        t.requires_grad_()

    def forward() -> None:
        with torch.no_grad():
            torch.nn.functional.conv2d(x, weight, bias, s, p, d)

    def forward_backward() -> None:
        torch.nn.functional.conv2d(x, weight, bias, s, p, d).backward(g)
        x.grad = weight.grad = bias.grad = None

    return forward, forward_backward


STEPS = {"minigrad": minigrad_steps, "torch": torch_steps}


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


def _status(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise OSError(f"/proc/self/status has no {field}")


def time_worker(framework: str, shape: tuple, repeats: int) -> dict:
    forward, forward_backward = STEPS[framework](shape)
    result = {
        "forward": median_seconds(forward, repeats),
        "forward_backward": median_seconds(forward_backward, repeats),
    }
    if framework == "minigrad":
        result["textbook"] = textbook_forward_seconds(shape)
    return result


def memory_worker(framework: str, shape: tuple) -> dict:
    _, forward_backward = STEPS[framework](shape)
    forward_backward()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current resident set
    before = _status("VmRSS")
    forward_backward()
    return {"peak_mb": _status("VmHWM") - before}


def run_worker(kind: str, framework: str, index: int, repeats: int) -> dict:
    """One worker in a fresh process (see the module docstring for the environment)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # a checkout runs without installing
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    if kind == "memory":
        env["MALLOC_MMAP_THRESHOLD_"] = str(64 << 10)
    else:
        env.update(MALLOC_MMAP_THRESHOLD_=str(32 << 20), MALLOC_TRIM_THRESHOLD_=str(1 << 30))
    command = [sys.executable, __file__, "--repeats", str(repeats), "--worker", kind, framework, str(index)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- the report ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--shapes",
        default=",".join(str(i) for i in range(len(SHAPES))),
        help="comma-separated indices into SHAPES",
    )
    parser.add_argument("--no-torch", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, framework, index = args.worker
        shape = SHAPES[int(index)]
        result = (
            time_worker(framework, shape, args.repeats) if kind == "time" else memory_worker(framework, shape)
        )
        print(json.dumps(result))
        return

    frameworks = ["minigrad"]
    if not args.no_torch:
        try:
            import torch  # noqa: F401

            frameworks.append("torch")
        except ImportError:
            print("PyTorch is not installed: minigrad only")
    memory = not args.no_memory and os.path.exists("/proc/self/clear_refs")
    rate = matmul_gflops(args.repeats)
    print(
        f"float32, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
        f"NumPy float32 matmul {rate:.0f} GFLOP/s; median of {args.repeats}"
    )
    header = (
        f"{'N, C, H, W, O, k, s, p, d':>28} | {'fwd ms':>7} {'torch':>7} {'x':>5} | {'f+b ms':>8} "
        f"{'torch':>8} {'x':>5} | {'GFLOP/s':>7} {'%mm':>4} | {'loop ms':>9} {'speed-up':>8} | "
        f"{'peak MB':>7} {'torch':>6} {'x':>5}"
    )
    print(header)
    print("-" * len(header))
    for index in (int(i) for i in args.shapes.split(",")):
        shape = SHAPES[index]
        times = {f: run_worker("time", f, index, args.repeats) for f in frameworks}
        ours = times["minigrad"]
        gflops = 3 * flops(shape) / ours["forward_backward"] / 1e9
        row = f"{str(shape)[1:-1]:>28} | {ours['forward'] * 1e3:7.2f} "
        row += _versus(times, "forward", 1e3, 7, 2) + " | "
        row += f"{ours['forward_backward'] * 1e3:8.2f} " + _versus(times, "forward_backward", 1e3, 8, 2)
        row += f" | {gflops:7.0f} {100 * gflops / rate:4.0f} | "
        loop = ours["textbook"]
        row += f"{loop * 1e3:9.0f} {loop / ours['forward']:8.0f}" if loop else f"{'-':>9} {'-':>8}"
        if memory:
            peaks = {f: run_worker("memory", f, index, args.repeats)["peak_mb"] for f in frameworks}
            row += f" | {peaks['minigrad']:7.1f} " + (
                f"{peaks['torch']:6.1f} {peaks['minigrad'] / peaks['torch']:5.2f}"
                if "torch" in peaks
                else f"{'-':>6} {'-':>5}"
            )
        print(row, flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


def _versus(times: dict, key: str, scale: float, width: int, digits: int) -> str:
    if "torch" not in times:
        return f"{'-':>{width}} {'-':>5}"
    theirs = times["torch"][key]
    return f"{theirs * scale:{width}.{digits}f} {times['minigrad'][key] / theirs:5.2f}"


if __name__ == "__main__":
    main()
