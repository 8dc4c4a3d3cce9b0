"""The GPU check in one prepared script: GPU tests, then minigrad-on-CuPy against PyTorch CUDA.

    python benchmarks/gpu.py --out gpu-report.txt [--skip-tests] [--repeats 10]
    python benchmarks/gpu.py --standin          # dry run of the same code on the CPU stand-in

1. Runs the real-GPU tests (``-m gpu``) and the op/autograd/nn/optim suites with CuPy as the
   default device (``MINIGRAD_TEST_GPU=1``).
2. Times conv2d forward+backward (float32) at (32,64,32,32)->64 k3 and (8,128,56,56)->128 k3,
   and one LeNet-digits epoch, in minigrad on CuPy and in PyTorch CUDA, synchronized, median
   of repeats, and checks GPU results against CPU results (1e-5 relative in float32).
Everything printed also goes to ``--out``. Budget: under 5 minutes on a data-center GPU.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _common import lenet, median_seconds

import minigrad
from minigrad.nn import functional as F

ROOT = Path(__file__).resolve().parent.parent
CONV_SHAPES = [(32, 64, 32, 32, 64, 3), (8, 128, 56, 56, 128, 3)]
SUITES = [
    "tests/test_engine.py",
    "tests/test_conv.py",
    "tests/test_pool.py",
    "tests/test_nn.py",
    "tests/test_optim.py",
    "tests/test_activation_loss.py",
]


class Report:
    """Print and keep every line, to write them to a file at the end."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)


def run_tests(say: Report, gpu: bool) -> None:
    env = dict(os.environ, MINIGRAD_TEST_GPU="1" if gpu else "0")
    for label, args in (("GPU tests", ["tests/test_gpu.py", "-m", "gpu"]), ("suites on the device", SUITES)):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        tail = [line for line in done.stdout.splitlines() if line.strip()][-3:]
        say(f"{label}: exit {done.returncode} in {time.perf_counter() - start:.0f} s: {' | '.join(tail)}")


def conv_case(say: Report, shape: tuple, device: str, sync: Callable[[], None], repeats: int) -> None:
    n, c_in, h, w, c_out, k = shape
    rng = np.random.default_rng(0)
    x_host = rng.standard_normal((n, c_in, h, w)).astype(np.float32)
    w_host = (rng.standard_normal((c_out, c_in, k, k)) / np.sqrt(c_in * k * k)).astype(np.float32)
    results = {}
    for dev in ("cpu", device):
        x = minigrad.tensor(x_host, device=dev, requires_grad=True)
        wt = minigrad.tensor(w_host, device=dev, requires_grad=True)

        def step(x: minigrad.Tensor = x, wt: minigrad.Tensor = wt) -> minigrad.Tensor:
            x.grad = wt.grad = None
            y = F.conv2d(x, wt, padding=1)
            y.sum().backward()
            return y

        y = step()
        results[dev] = [y.detach().numpy(), x.grad.numpy(), wt.grad.numpy()]
        if dev == device:
            ours = median_seconds(step, repeats, sync=sync)
    error = max(float(np.abs(g - c).max() / np.abs(c).max()) for g, c in zip(results[device], results["cpu"]))
    line = f"conv2d fwd+bwd {shape}: minigrad {ours * 1e3:8.2f} ms"
    torch_time = _torch_conv(x_host, w_host, repeats)
    if torch_time is not None:
        line += f"   torch {TORCH_DEVICE} {torch_time * 1e3:8.2f} ms   ratio {ours / torch_time:5.2f}x"
    say(f"{line}   max rel. error vs CPU {error:.1e} ({'ok' if error < 1e-5 else 'TOO LARGE'})")


TORCH_DEVICE = "cuda"  # the dry run (--standin) times PyTorch on the CPU instead


def _torch():
    """PyTorch when it can run on ``TORCH_DEVICE``, else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch if TORCH_DEVICE == "cpu" or torch.cuda.is_available() else None


def _torch_sync(torch) -> None:
    if TORCH_DEVICE == "cuda":
        torch.cuda.synchronize()


def _torch_conv(x_host: np.ndarray, w_host: np.ndarray, repeats: int) -> float | None:
    torch = _torch()
    if torch is None:
        return None
    x = torch.tensor(x_host, device=TORCH_DEVICE, requires_grad=True)
    w = torch.tensor(w_host, device=TORCH_DEVICE, requires_grad=True)

    def step() -> None:
        x.grad = w.grad = None
        torch.nn.functional.conv2d(x, w, padding=1).sum().backward()

    return median_seconds(step, repeats, sync=lambda: _torch_sync(torch))


def lenet_epoch(say: Report, device: str, sync: Callable[[], None], repeats: int) -> None:
    from minigrad import optim
    from minigrad.apps import digits
    from minigrad.utils.data import DataLoader, TensorDataset

    x_train, _, y_train, _ = (t.numpy() for t in digits.load_digits_split(seed=0))
    minigrad.manual_seed(0)
    model = digits.lenet().to(device)
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    x, y = minigrad.tensor(x_train, device=device), minigrad.tensor(y_train, device=device)
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, generator=0)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    def epoch() -> None:
        for features, labels in loader:
            opt.zero_grad()
            F.cross_entropy(model(features), labels).backward()
            opt.step()

    ours = median_seconds(epoch, repeats, sync=sync)
    line = f"LeNet-digits epoch ({len(x_train)} images, batch 64): minigrad {ours * 1e3:8.1f} ms"
    torch = _torch()
    if torch is not None:
        line += _torch_lenet_epoch(torch, initial, x_train, y_train, repeats, ours)
    say(line)


def _torch_lenet_epoch(torch, initial, x_train, y_train, repeats: int, ours: float) -> str:
    net = lenet(torch).to(TORCH_DEVICE)
    net.load_state_dict({k: torch.tensor(v) for k, v in initial.items()})
    x = torch.tensor(x_train, device=TORCH_DEVICE)
    y = torch.tensor(y_train, device=TORCH_DEVICE)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    gen = torch.Generator(device="cpu").manual_seed(0)

    def epoch() -> None:
        order = torch.randperm(len(x), generator=gen).to(TORCH_DEVICE)
        for start in range(0, len(x), 64):
            idx = order[start : start + 64]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[idx]), y[idx]).backward()
            opt.step()

    theirs = median_seconds(epoch, repeats, sync=lambda: _torch_sync(torch))
    return f"   torch {TORCH_DEVICE} {theirs * 1e3:8.1f} ms   ratio {ours / theirs:5.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", ".")) / "gpu-report.txt")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--standin", action="store_true", help="dry run on the CPU stand-in for CuPy")
    args = parser.parse_args()
    say = Report()
    if args.standin:
        from minigrad.testing.standin import use_standin

        global TORCH_DEVICE
        TORCH_DEVICE = "cpu"
        context, sync = use_standin(), lambda: None
    else:
        import contextlib

        import cupy

        say(f"GPU: {cupy.cuda.runtime.getDeviceProperties(0)['name'].decode()}, CuPy {cupy.__version__}")
        context, sync = contextlib.nullcontext(), cupy.cuda.Device().synchronize
    if not args.skip_tests:
        run_tests(say, gpu=not args.standin)
    with context:
        for shape in CONV_SHAPES:
            conv_case(say, shape, "cuda", sync, args.repeats)
        lenet_epoch(say, "cuda", sync, max(3, args.repeats // 3))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(say.lines) + "\n")
    print(f"report written to {args.out}")


if __name__ == "__main__":
    main()
