"""A small ResNet on scikit-learn's handwritten digits: residual blocks, batch normalization and an
adaptive average pool, as in "Dive into Deep Learning" section 8.6 (pip install '.[examples]').

    python examples/resnet_digits.py [--epochs 8] [--seed 0]

It is written against PyTorch's API: with ``import torch`` in place of ``import minigrad as
torch`` (and the digits loaded as torch tensors) it trains the same network in PyTorch.
"""

from __future__ import annotations

import argparse

import minigrad as torch
from minigrad import nn
from minigrad.apps.digits import evaluate, load_digits_split
from minigrad.nn import functional as F


class Residual(nn.Module):
    """Two 3x3 convolutions with batch normalization, added to the input (1x1-projected when the
    shape changes): the book's residual block."""

    def __init__(self, channels: int, use_1x1conv: bool = False, strides: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.LazyConv2d(channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.LazyConv2d(channels, kernel_size=3, padding=1)
        self.conv3 = nn.LazyConv2d(channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.LazyBatchNorm2d()
        self.bn2 = nn.LazyBatchNorm2d()

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return F.relu(Y + X)


def resnet(num_classes: int = 10) -> nn.Sequential:
    """A stem, two stages of residual blocks (8x8 -> 4x4), a global average pool and a classifier."""
    return nn.Sequential(
        nn.LazyConv2d(32, kernel_size=3, padding=1),
        nn.LazyBatchNorm2d(),
        nn.ReLU(),
        Residual(32),
        Residual(32),
        Residual(64, use_1x1conv=True, strides=2),
        Residual(64),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
        nn.LazyLinear(num_classes),
    )


def train(epochs: int = 8, seed: int = 0, quiet: bool = False) -> float:
    """Train on the digits' training split with Adam and a one-cycle schedule; returns the test accuracy."""
    torch.manual_seed(seed)
    X_train, X_test, y_train, y_test = load_digits_split(seed=seed)
    model = resnet()
    model(X_train[:2])  # the lazy layers take their sizes from a first batch
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X_train, y_train), batch_size=64, shuffle=True
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=epochs * len(loader))
    accuracy = 0.0
    for epoch in range(epochs):
        model.train()
        for X, y in loader:
            loss = F.cross_entropy(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        accuracy = evaluate(model, X_test, y_test)
        if not quiet:
            print(f"epoch {epoch + 1:2d}  last batch loss {loss.item():.4f}  test accuracy {accuracy:.2%}")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    train(arguments.epochs, arguments.seed)
