"""The chapter's closing network, LeNet, trained for real on scikit-learn's handwritten digits.

``python -m minigrad train-digits`` runs ``main``; ``DESCRIPTION`` (the command's ``--help``) says
what it does. ``train_epoch`` uses only PyTorch's API, so the same loop also trains a PyTorch
model, and ``lenet(torch.nn)`` builds the same network in PyTorch.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

import minigrad
from minigrad import nn
from minigrad.tensor import Tensor
from minigrad.utils.data import DataLoader, TensorDataset

EXTRA_HINT = "pip install 'minigrad[examples]'"
MODEL_FILE = "lenet_digits.npz"
PLOT_FILE = "lenet_digits.png"
LABEL_SMOOTHING = 0.1  # test accuracy over seeds 0-19: at least 98.0%, against 97.3% without
DESCRIPTION = (
    "Train a LeNet-style CNN on the 1,797 8x8 handwritten digits that ship with scikit-learn (no "
    "download). The digits are split into training and test sets (seeded, stratified by digit) and "
    "learned with SGD, momentum, a cosine learning-rate schedule and cross-entropy with label "
    f"smoothing {LABEL_SMOOTHING}, so the training loss stays well above 0 even when every digit is "
    "right. Each epoch prints its training loss and test accuracy (with a progress bar on a "
    "terminal). At the end the model is saved with minigrad.save, loaded back into a fresh network "
    "and evaluated again, and the losses and accuracies are plotted. Needs the examples extra: "
    f"{EXTRA_HINT} (scikit-learn, tqdm, matplotlib)."
)


def load_digits_split(seed: int = 0, test_size: float = 0.25) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``X_train, X_test, y_train, y_test``: images ``(N, 1, 8, 8)`` float32 in [0, 1], labels int64.

    The split is stratified (each digit keeps its share in both sets) and fixed by ``seed``.
    """
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as err:
        raise ImportError(f"the digits example needs scikit-learn: {EXTRA_HINT}") from err
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # pixels are 0..16
    labels = digits.target.astype(np.int64)
    parts = train_test_split(images, labels, test_size=test_size, stratify=labels, random_state=seed)
    return tuple(minigrad.tensor(part) for part in parts)


def lenet(layers: Any = nn) -> Any:
    """LeNet's two convolution + pooling blocks and three dense layers, sized for 8x8 inputs.

    3x3 kernels with padding 1 keep each block's size, so pooling gives 8 -> 4 -> 2. ReLU instead
    of the original sigmoid trains faster and more reliably, and 32 and 64 channels instead of 6
    and 16 make up for the small images (with 6 and 16 the test accuracy stays near 95%).
    ``layers`` is the module with the layer classes: ``minigrad.nn``, or ``torch.nn``.

    >>> lenet()(minigrad.zeros(5, 1, 8, 8)).shape
    minigrad.Size([5, 10])
    """
    return layers.Sequential(
        layers.Conv2d(1, 32, kernel_size=3, padding=1),
        layers.ReLU(),
        layers.MaxPool2d(2),  # 32 x 4 x 4
        layers.Conv2d(32, 64, kernel_size=3, padding=1),
        layers.ReLU(),
        layers.MaxPool2d(2),  # 64 x 2 x 2
        layers.Flatten(),
        layers.Linear(64 * 2 * 2, 120),
        layers.ReLU(),
        layers.Linear(120, 84),
        layers.ReLU(),
        layers.Linear(84, 10),
    )


def train_epoch(model: Any, loader: Iterable, optimizer: Any, loss_fn: Callable) -> float:
    """One pass over ``loader``'s ``(inputs, labels)`` batches; returns the mean training loss."""
    model.train()
    total, count = 0.0, 0
    for inputs, labels in loader:
        loss = loss_fn(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count


def evaluate(model: Any, X: Tensor, y: Tensor) -> float:
    """The fraction of ``X`` that ``model`` classifies as ``y`` (eval mode, no gradients)."""
    model.eval()
    with minigrad.no_grad():
        predicted = model(X).argmax(dim=1)
    return (predicted == y).float().mean().item()


def cosine_lr(base_lr: float, epoch: int, epochs: int) -> float:
    """The learning rate for ``epoch`` (0-based): from ``base_lr`` down a half cosine towards 0.

    >>> [round(cosine_lr(1.0, e, 4), 3) for e in range(4)]
    [1.0, 0.854, 0.5, 0.146]
    """
    return base_lr * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))


def plot_history(losses: list[float], accuracies: list[float], path: Path) -> None:
    """Save training loss and test accuracy per epoch side by side as a PNG (Agg, no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    epochs = range(1, len(losses) + 1)
    figure = Figure(figsize=(9, 3.5), layout="constrained")
    FigureCanvasAgg(figure)
    loss_axes, accuracy_axes = figure.subplots(1, 2)
    loss_axes.plot(epochs, losses, marker="o")
    loss_axes.set(
        xlabel="epoch", ylabel=f"cross-entropy (label smoothing {LABEL_SMOOTHING})", title="training loss"
    )
    accuracy_axes.plot(epochs, [100 * a for a in accuracies], marker="o", color="tab:green")
    accuracy_axes.set(xlabel="epoch", ylabel="%", title="test accuracy")
    for axes in (loss_axes, accuracy_axes):
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(alpha=0.3)
    figure.savefig(path, dpi=100)


def _progress_bar(quiet: bool, say: Callable[[str], None]) -> Callable[..., Iterable]:
    """``tqdm`` on a terminal when it is installed (and wanted), else a pass-through without a bar.

    Off a terminal (a log file, a pipe) a bar would be a stream of carriage returns, so each
    epoch is just its one line there.
    """
    if not quiet and sys.stderr.isatty():
        try:
            from tqdm.auto import tqdm
        except ImportError:
            say(f"note: tqdm is not installed, so there is no progress bar ({EXTRA_HINT})")
        else:
            return lambda batches, desc: tqdm(batches, desc=desc, unit="batch", leave=False)
    return lambda batches, desc: batches


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m minigrad train-digits", usage="%(prog)s [options]", description=DESCRIPTION
    )
    parser.add_argument(
        "--epochs", type=int, default=20, metavar="N", help="passes over the training set (default 20)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=32, metavar="N", help="images per step (default 32)"
    )
    parser.add_argument("--lr", type=float, default=0.05, help="initial SGD learning rate (default 0.05)")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="seeds the split, the weights and the shuffling (default 0)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("lenet-digits"),
        metavar="DIR",
        help=f"folder for {MODEL_FILE} and {PLOT_FILE} (default ./lenet-digits)",
    )
    parser.add_argument("--no-plot", action="store_true", help="do not draw the PNG plot")
    parser.add_argument("--quiet", action="store_true", help="print nothing, show no progress bar")
    args = parser.parse_args(argv)
    for name in ("epochs", "batch_size"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be positive, got {getattr(args, name)}")
    if args.lr <= 0:
        parser.error(f"--lr must be positive, got {args.lr}")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Train, plot, save, reload, re-evaluate; returns the per-epoch history and the file paths."""
    args = _parse_args(argv)
    say = (lambda message: None) if args.quiet else print
    start = time.perf_counter()
    try:
        X_train, X_test, y_train, y_test = load_digits_split(args.seed)
    except ImportError as err:
        raise SystemExit(f"error: {err}") from err
    if args.no_plot:
        draw = False
    else:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            say(f"note: matplotlib is not installed, so there is no plot ({EXTRA_HINT})")
            draw = False
        else:
            draw = True
    progress = _progress_bar(args.quiet, say)

    minigrad.manual_seed(args.seed)
    model = lenet()
    loader = DataLoader(
        TensorDataset(X_train, y_train), batch_size=args.batch_size, shuffle=True, generator=args.seed
    )
    optimizer = minigrad.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=LABEL_SMOOTHING)
    say(
        f"LeNet on {len(X_train)} training and {len(X_test)} test digits, "
        f"{sum(p.numel() for p in model.parameters()):,} parameters; the train loss includes "
        f"label smoothing {LABEL_SMOOTHING}, so it stays well above 0"
    )

    losses, accuracies = [], []
    for epoch in range(args.epochs):
        for group in optimizer.param_groups:
            group["lr"] = cosine_lr(args.lr, epoch, args.epochs)
        batches = progress(loader, f"epoch {epoch + 1}/{args.epochs}")
        losses.append(train_epoch(model, batches, optimizer, loss_fn))
        accuracies.append(evaluate(model, X_test, y_test))
        say(
            f"epoch {epoch + 1:2d}/{args.epochs}  train loss {losses[-1]:.4f}  "
            f"test accuracy {accuracies[-1]:.2%}"
        )

    args.out.mkdir(parents=True, exist_ok=True)
    model_path = args.out / MODEL_FILE
    minigrad.save(model.state_dict(), model_path)
    reloaded = lenet()
    reloaded.load_state_dict(minigrad.load(model_path))
    reloaded_accuracy = evaluate(reloaded, X_test, y_test)
    say(
        f"trained model: test accuracy {accuracies[-1]:.2%}; saved to {model_path}, "
        f"reloaded: test accuracy {reloaded_accuracy:.2%}"
    )
    if reloaded_accuracy != accuracies[-1]:
        raise RuntimeError(
            f"the reloaded model scores {reloaded_accuracy:.2%}, not the trained model's {accuracies[-1]:.2%}"
        )
    plot_path = None
    if draw:
        plot_path = args.out / PLOT_FILE
        plot_history(losses, accuracies, plot_path)
        say(f"plot of loss and accuracy per epoch: {plot_path}")
    say(f"done in {time.perf_counter() - start:.1f} s")
    return {
        "train_loss": losses,
        "test_accuracy": accuracies,
        "reloaded_accuracy": reloaded_accuracy,
        "model_path": model_path,
        "plot_path": plot_path,
    }


if __name__ == "__main__":
    main()
