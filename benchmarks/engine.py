"""Engine overhead and the chapter's corr2d: vectorized versus the textbook loop, in one run.

    python benchmarks/engine.py [--repeats 7] [--loop-size 64]

Reports the median of repeats. The per-op figures are the Python overhead of the graph for a
tiny ``a * b + a`` (two ops); the corr2d figures compare ``F.corr2d`` with the chapter's loop
(``Y[i, j] = (X[i:i+h, j:j+w] * K).sum()``, recorded for backward) on the same data.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

import minigrad
from minigrad.nn import functional as F
from minigrad.testing.reference import corr2d_loop


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def tiny_graph(repeats: int) -> None:
    a = minigrad.tensor(2.0, requires_grad=True)
    b = minigrad.tensor(3.0, requires_grad=True)

    def forward() -> minigrad.Tensor:
        return a * b + a

    def forward_backward() -> None:
        (a * b + a).backward()

    fwd = median_seconds(lambda: [forward() for _ in range(1000)], repeats) / 1000
    fwd_bwd = median_seconds(lambda: [forward_backward() for _ in range(1000)], repeats) / 1000
    print(f"a * b + a   forward          {fwd * 1e6:8.1f} us  ({fwd / 2 * 1e6:.1f} us per op)")
    print(f"a * b + a   forward+backward {fwd_bwd * 1e6:8.1f} us  ({fwd_bwd / 2 * 1e6:.1f} us per op)")


def corr2d_case(name: str, X: np.ndarray, K: np.ndarray, repeats: int, loop_repeats: int) -> None:
    def run(corr: Callable) -> Callable[[], None]:
        def step() -> None:
            x = minigrad.tensor(X, requires_grad=True)
            k = minigrad.tensor(K, requires_grad=True)
            corr(x, k).sum().backward()

        return step

    fast = median_seconds(run(F.corr2d), repeats)
    slow = median_seconds(run(corr2d_loop), loop_repeats)
    print(
        f"corr2d fwd+bwd {name:>16}: vectorized {fast * 1e3:9.3f} ms   textbook loop {slow * 1e3:10.1f} ms"
        f"   speed-up {slow / fast:8.0f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--loop-repeats", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    tiny_graph(args.repeats)
    image = np.ones((6, 8), dtype=np.float32)
    image[:, 2:6] = 0
    corr2d_case("6x8, k 1x2", image, np.array([[1.0, -1.0]], dtype=np.float32), args.repeats, args.repeats)
    big = rng.standard_normal((256, 256)).astype(np.float32)
    corr2d_case(
        "256x256, k 3x3", big, rng.standard_normal((3, 3)).astype(np.float32), args.repeats, args.loop_repeats
    )


if __name__ == "__main__":
    main()
