"""Layers, optimizer steps and a training step's memory: minigrad against PyTorch CPU, in one run.

    python benchmarks/layers.py [--repeats 7] [--only NAME,...] [--no-torch] [--torch-threads 2] [--no-memory]

Float32, through the public API of each framework (the same code drives both):

* layers, at LeNet (MNIST and the 8x8 digits) and CIFAR shapes: the forward with grad
  tracking, and forward+backward (``y.backward(g)``, every input's gradient) of ``max_pool2d``
  (2x2), ``relu``, ``linear`` (with a bias; shape ``(N, in, out)``) and ``cross_entropy`` with
  label smoothing 0.1 (shape ``(N, classes)``). conv2d has its own benchmark, ``conv.py``;
* optimizer steps: ``step()`` of SGD with momentum and of Adam over all parameters of the
  digits LeNet and of a larger CIFAR CNN, their gradients set;
* memory: the peak memory of one training step of the digits LeNet (forward, cross-entropy,
  backward, SGD step), measured as in ``conv.py`` (the largest convolution's is there).

Each row runs each framework in its own fresh process, alternating (see ``_common``); times are
medians of ``--repeats``, each long enough to rise above the clock's noise.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from _common import (
    MEMORY_ENV,
    Table,
    arguments,
    compare,
    compared,
    frameworks,
    lenet,
    library,
    machine,
    median_seconds,
    memory_supported,
    peak_mb,
    serve_worker,
    versus,
)

MIN_SECONDS = 0.02  # each timing runs a call often enough to last this long
LAYERS = {
    "max_pool2d": [
        ("LeNet-5", (64, 6, 28, 28)),
        ("LeNet-5", (64, 16, 10, 10)),
        ("digits", (128, 32, 8, 8)),
        ("digits", (128, 64, 4, 4)),
        ("CIFAR", (32, 64, 32, 32)),
        ("CIFAR", (32, 128, 16, 16)),
    ],
    "relu": [
        ("LeNet-5", (64, 6, 28, 28)),
        ("digits", (128, 32, 8, 8)),
        ("digits", (128, 120)),
        ("CIFAR", (32, 64, 32, 32)),
    ],
    "linear": [
        ("LeNet-5", (64, 400, 120)),
        ("LeNet-5", (64, 84, 10)),
        ("digits", (128, 256, 120)),
        ("CIFAR", (32, 4096, 512)),
        ("CIFAR", (32, 512, 10)),
    ],
    "cross_entropy": [
        ("digits", (32, 10)),
        ("digits", (128, 10)),
        ("CIFAR-100", (32, 100)),
        ("CIFAR-100", (256, 100)),
    ],
}
CIFAR_CNN = [
    (64, 3, 3, 3),
    (64,),
    (128, 64, 3, 3),
    (128,),
    (256, 128, 3, 3),
    (256,),
    (512, 4096),
    (512,),
    (10, 512),
    (10,),
]
OPTIMIZERS = {"SGD": {"lr": 0.05, "momentum": 0.9}, "Adam": {"lr": 1e-3}}
MEMORY_BATCHES = (32, 128)


def layer_call(lib: Any, layer: str, shape: tuple, rng: np.random.Generator) -> tuple[Any, list]:
    """``layer`` at ``shape`` as a function of no arguments, and the tensors it differentiates."""
    F = lib.nn.functional

    def leaf(*size: int) -> Any:
        return lib.tensor(rng.standard_normal(size, dtype=np.float32), requires_grad=True)

    if layer == "linear":
        n, features_in, features_out = shape
        x, w, b = leaf(n, features_in), leaf(features_out, features_in), leaf(features_out)
        return (lambda: F.linear(x, w, b)), [x, w, b]
    x = leaf(*shape)
    if layer == "cross_entropy":
        target = lib.tensor(rng.integers(0, shape[1], shape[0]))
        return (lambda: F.cross_entropy(x, target, label_smoothing=0.1)), [x]
    if layer == "max_pool2d":
        return (lambda: F.max_pool2d(x, 2)), [x]
    return (lambda: F.relu(x)), [x]


def time_layer(lib: Any, layer: str, shape: tuple, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    call, leaves = layer_call(lib, layer, shape, rng)
    g = lib.tensor(rng.standard_normal(call().shape, dtype=np.float32))

    def forward_backward() -> None:
        call().backward(g)
        for t in leaves:
            t.grad = None

    return {
        "forward": median_seconds(call, repeats, min_seconds=MIN_SECONDS),
        "forward_backward": median_seconds(forward_backward, repeats, min_seconds=MIN_SECONDS),
    }


def parameter_shapes(model: str) -> list[tuple]:
    if model == "CIFAR CNN":
        return CIFAR_CNN
    return [tuple(p.shape) for p in lenet(library("minigrad")).parameters()]


def time_optimizer(lib: Any, optimizer: str, model: str, repeats: int) -> dict:
    rng = np.random.default_rng(0)
    params = []
    for shape in parameter_shapes(model):
        p = lib.tensor(rng.standard_normal(shape, dtype=np.float32), requires_grad=True)
        p.grad = lib.tensor(rng.standard_normal(shape, dtype=np.float32))
        params.append(p)
    step = getattr(lib.optim, optimizer)(params, **OPTIMIZERS[optimizer]).step
    return {"step": median_seconds(step, repeats, min_seconds=MIN_SECONDS)}


def training_step_peak(lib: Any, batch: int) -> dict:
    rng = np.random.default_rng(0)
    model = lenet(lib)
    optimizer = lib.optim.SGD(model.parameters(), **OPTIMIZERS["SGD"])
    x = lib.tensor(rng.random((batch, 1, 8, 8), dtype=np.float32))
    labels = lib.tensor(rng.integers(0, 10, batch))

    def step() -> None:
        loss = lib.nn.functional.cross_entropy(model(x), labels, label_smoothing=0.1)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return {"peak_mb": peak_mb(step)}


def work(framework: str, kind: str, name: str, case: Any, repeats: int) -> dict:
    lib = library(framework)
    if kind == "layer":
        return time_layer(lib, name, tuple(case), repeats)
    if kind == "optimizer":
        return time_optimizer(lib, name, case, repeats)
    return training_step_peak(lib, case)


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--only", help="comma-separated names of layers and optimizers (default: all)")
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    names = frameworks(args)
    only = set(args.only.split(",")) if args.only else set(LAYERS) | set(OPTIMIZERS)
    print(f"float32; median of {args.repeats}; {machine()}")
    table = Table(
        ("layer", 13, None),
        ("shapes of", 9, None),
        ("shape", 18, None),
        "|",
        *compared("fwd ms", 7, 3),
        "|",
        *compared("f+b ms", 7, 3),
    )
    table.header()
    for layer, cases in LAYERS.items():
        for where, shape in cases if layer in only else []:
            spec = {"kind": "layer", "name": layer, "case": shape, "repeats": args.repeats}
            times = compare(__file__, names, spec)
            table.row(layer, where, str(shape), *versus(times, "forward"), *versus(times, "forward_backward"))
    optimizers = [o for o in OPTIMIZERS if o in only]
    if optimizers:
        print()
        table = Table(
            ("optimizer step", 14, None),
            ("parameters of", 13, None),
            "|",
            *compared("ms", 7, 3),
        )
        table.header()
        for optimizer in optimizers:
            for model in ("digits LeNet", "CIFAR CNN"):
                spec = {"kind": "optimizer", "name": optimizer, "case": model, "repeats": args.repeats}
                table.row(optimizer, model, *versus(compare(__file__, names, spec), "step"))
    if not args.no_memory and memory_supported():
        print()
        table = Table(("peak memory of", 28, None), "|", *compared("MB", 6, 2))
        table.header()
        for batch in MEMORY_BATCHES:
            spec = {"kind": "memory", "name": "lenet", "case": batch, "repeats": 1}
            peaks = compare(__file__, names, spec, MEMORY_ENV)
            table.row(f"digits LeNet step, batch {batch}", *versus(peaks, "peak_mb", 1))
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__" and not serve_worker(work):
    main()
