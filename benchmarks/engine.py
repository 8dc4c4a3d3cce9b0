"""Engine overhead per op, minigrad against PyTorch CPU in one run; corr2d against the textbook loop.

    python benchmarks/engine.py [--repeats 7] [--no-torch] [--torch-threads 2] [--no-scaling] [--no-corr2d]

Per-op cost, in microseconds per op, on 0-d tensors (so that the arithmetic costs nothing and
what is left is the framework's bookkeeping), in float32 and float64, with the second operand a
Python scalar or a tensor:

* ``forward``: ``a * b + a`` with ``a`` requiring grad (and ``b`` too when it is a tensor),
  two recorded ops;
* ``backward``: ``y.backward()`` of graphs built that way beforehand, per op in the graph;
* ``chain``: ``y = y * 1.0001 + 0.0001`` 2,000 times from a leaf, then ``y.backward()``,
  forward and backward together, per op;
* ``no-grad``: ``a * b`` under ``no_grad``.

Scaling: the backward time per node of chains ``y = y * 1.0001`` of 1k, 10k and 100k nodes
(constant when the engine's work grows linearly with the graph), and the ``forward`` case's cost
per op with 100,000 other graphs alive against none (1.00 when no per-op cost grows with the
number of live tensors).

Each row runs each framework in its own fresh process, alternating (see ``_common``), and prints
the medians of ``--repeats`` and their ratio. The corr2d figures compare ``F.corr2d`` with the
chapter's loop (``Y[i, j] = (X[i:i+h, j:j+w] * K).sum()``, recorded for backward) on the same
data, in minigrad.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import (
    Table,
    arguments,
    compare,
    compared,
    frameworks,
    library,
    machine,
    median_seconds,
    serve_worker,
    versus,
)

import minigrad
from minigrad.nn import functional as F
from minigrad.testing.reference import corr2d_loop

GRAPHS = 1000  # tiny graphs per timing
CHAIN = 2000  # steps of the chain, two ops each
SCALING_NODES = (1_000, 10_000, 100_000)
LIVE_GRAPHS = 100_000


def operands(lib: Any, dtype: str, operand: str) -> tuple[Any, Any]:
    """A 0-d leaf ``a`` requiring grad and ``b``: a Python float, or a 0-d tensor requiring grad."""
    a = lib.tensor(2.0, dtype=getattr(lib, dtype), requires_grad=True)
    b = 3.0 if operand == "scalar" else lib.tensor(3.0, dtype=getattr(lib, dtype), requires_grad=True)
    return a, b


def per_op_seconds(lib: Any, case: str, dtype: str, operand: str, repeats: int) -> float:
    """Seconds per op of one per-op ``case`` (see the module docstring)."""
    a, b = operands(lib, dtype, operand)
    if case == "forward":
        return median_seconds(lambda: [a * b + a for _ in range(GRAPHS)], repeats) / (2 * GRAPHS)
    if case == "backward":

        def backward(graphs: list) -> None:
            for y in graphs:
                y.backward()

        return median_seconds(backward, repeats, setup=lambda: [a * b + a for _ in range(GRAPHS)]) / (
            2 * GRAPHS
        )
    if case == "no-grad":

        def no_grad() -> None:
            with lib.no_grad():
                for _ in range(GRAPHS):
                    a * b

        return median_seconds(no_grad, repeats) / GRAPHS
    scale, shift = (
        (1.0001, 0.0001) if operand == "scalar" else (lib.tensor(v, dtype=a.dtype) for v in (1.0001, 0.0001))
    )

    def chain() -> None:
        y = a
        for _ in range(CHAIN):
            y = y * scale + shift
        y.backward()

    return median_seconds(chain, repeats) / (2 * CHAIN)


def backward_per_node(lib: Any, nodes: int, repeats: int) -> float:
    """Backward seconds per node of a chain of ``nodes`` multiplications (built before timing)."""
    a = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)

    def build() -> Any:
        y = a
        for _ in range(nodes):
            y = y * 1.0001
        return y

    return median_seconds(lambda y: y.backward(), repeats, setup=build) / nodes


def work(framework: str, case: str, repeats: int, dtype: str = "", operand: str = "", nodes: int = 0) -> dict:
    lib = library(framework)
    if case == "scaling":
        return {"seconds": backward_per_node(lib, nodes, repeats)}
    if case == "live":
        few = per_op_seconds(lib, "forward", "float32", "tensor", repeats)
        a, b = operands(lib, "float32", "tensor")
        alive = [a * b + a for _ in range(LIVE_GRAPHS)]  # noqa: F841 (kept alive while timing)
        return {"few": few, "many": per_op_seconds(lib, "forward", "float32", "tensor", repeats)}
    return {"seconds": per_op_seconds(lib, case, dtype, operand, repeats)}


def engine_tables(script: str, names: list[str], repeats: int, scaling: bool) -> None:
    table = Table(
        ("case", 8, None),
        ("dtype", 7, None),
        ("operand", 7, None),
        "|",
        *compared("us/op", 7, 2),
    )
    table.header()
    for case in ("forward", "backward", "chain", "no-grad"):
        for dtype in ("float32", "float64"):
            for operand in ("scalar", "tensor"):
                spec = {"case": case, "dtype": dtype, "operand": operand, "repeats": repeats}
                table.row(case, dtype, operand, *versus(compare(script, names, spec), "seconds", 1e6))
    if not scaling:
        return
    print(
        f"\nscaling: backward of a chain y = y * 1.0001, per node; growth is per node against {SCALING_NODES[0]:,}"
    )
    table = Table(
        ("nodes", 8, None),
        "|",
        *compared("us/node", 7, 2),
        "|",
        ("growth", 6, 2),
        ("torch", 6, 2),
    )
    table.header()
    first = None
    for nodes in SCALING_NODES:
        results = compare(script, names, {"case": "scaling", "nodes": nodes, "repeats": repeats})
        first = first or results
        growth = [
            results[n]["seconds"] / first[n]["seconds"] if n in results else None
            for n in ("minigrad", "torch")
        ]
        table.row(f"{nodes:,}", *versus(results, "seconds", 1e6), *growth)
    print(f"\nforward a * b + a, per op, with {LIVE_GRAPHS:,} other graphs alive and with none")
    table = Table(("framework", 9, None), "|", ("few us/op", 9, 2), ("many", 7, 2), ("many/few", 8, 2))
    table.header()
    results = compare(script, names, {"case": "live", "repeats": repeats})
    for name, r in results.items():
        table.row(name, r["few"] * 1e6, r["many"] * 1e6, r["many"] / r["few"])


def corr2d_case(name: str, X: np.ndarray, K: np.ndarray, repeats: int, loop_repeats: int) -> None:
    def run(corr: Callable) -> Callable[[], None]:
        def step() -> None:
            x = minigrad.tensor(X, requires_grad=True)
            k = minigrad.tensor(K, requires_grad=True)
            corr(x, k).sum().backward()

        return step

    fast = median_seconds(run(F.corr2d), repeats)
    slow = median_seconds(run(corr2d_loop), loop_repeats, warmup_seconds=0)
    print(
        f"corr2d fwd+bwd {name:>16}: vectorized {fast * 1e3:9.3f} ms   textbook loop {slow * 1e3:10.1f} ms"
        f"   speed-up {slow / fast:8.0f}x"
    )


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--loop-repeats", type=int, default=1)
    parser.add_argument("--no-scaling", action="store_true")
    parser.add_argument("--no-corr2d", action="store_true")
    args = parser.parse_args()
    print(f"per-op cost, median of {args.repeats}; {machine()}")
    engine_tables(__file__, frameworks(args), args.repeats, not args.no_scaling)
    if not args.no_corr2d:
        print()
        rng = np.random.default_rng(0)
        image = np.ones((6, 8), dtype=np.float32)
        image[:, 2:6] = 0
        kernel = np.array([[1.0, -1.0]], dtype=np.float32)
        corr2d_case("6x8, k 1x2", image, kernel, args.repeats, args.repeats)
        big = rng.standard_normal((256, 256)).astype(np.float32)
        kernel = rng.standard_normal((3, 3)).astype(np.float32)
        corr2d_case("256x256, k 3x3", big, kernel, args.repeats, args.loop_repeats)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__" and not serve_worker(work):
    main()
