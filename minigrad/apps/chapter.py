"""The chapter "Convolutions for Images" of Dive into Deep Learning, section by section.

This is the book's PyTorch code with one change, the import: ``torch`` here is minigrad (a test
runs this very module on PyTorch too, and gets the same numbers). Each section is a function
that returns its values by name; its docstring is the section's text. ``python -m minigrad``
prints the sections in order, each script in ``examples/`` runs one, and the tests check the
numbers.

>>> cross_correlation()["corr2d(X, K)"]
tensor([[19., 25.],
        [37., 43.]])
"""

import minigrad as torch
from minigrad import nn


def corr2d(X, K):
    """The book's two-dimensional cross-correlation: a loop over the output positions."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


class Conv2D(nn.Module):
    """The book's convolution layer: a kernel and a scalar bias, both learnable parameters."""

    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias


def input_and_kernel():
    """The 3x3 input and 2x2 kernel of 1.1."""
    X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    return X, K


def edge_image():
    """The 6x8 image of 1.3: white (1), with four black (0) columns in the middle."""
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    return X


def cross_correlation():
    """1.1 Two-dimensional cross-correlation

    The kernel slides over the input, row by row; at each position the window is multiplied by
    the kernel element-wise and summed: 19 = 0*0 + 1*1 + 3*2 + 4*3. An n_h x n_w input and a
    k_h x k_w kernel give an (n_h - k_h + 1) x (n_w - k_w + 1) output.
    """
    X, K = input_and_kernel()
    return {"X": X, "K": K, "corr2d(X, K)": corr2d(X, K)}


def convolution_layer():
    """1.2 The convolution layer

    Conv2D cross-correlates its input with a kernel and adds a scalar bias. Both are parameters,
    drawn at random and then learned; a 2x2 kernel turns a 4x4 input into a 3x3 output.
    """
    torch.manual_seed(0)
    layer = Conv2D((2, 2))
    return {
        "layer": layer,
        "parameters": [(name, tuple(p.shape)) for name, p in layer.named_parameters()],
        "layer(torch.ones((4, 4))).shape": tuple(layer(torch.ones((4, 4))).shape),
    }


def edge_detection():
    """1.3 Edge detection

    In a white image with a black band, the kernel [1, -1] outputs 0 where two horizontal
    neighbours agree, 1 at white-to-black edges and -1 at black-to-white ones. It sees vertical
    edges only: on the transposed image it outputs nothing.
    """
    X = edge_image()
    K = torch.tensor([[1.0, -1.0]])
    return {"X": X, "K": K, "corr2d(X, K)": corr2d(X, K), "corr2d(X.t(), K)": corr2d(X.t(), K)}


def learning_a_kernel(lr=0.01, steps=20):
    """1.4 Learning a kernel

    From X and its edges Y alone, a Conv2D layer learns the kernel back: gradient descent on the
    squared error, with learning rate 0.01. The weight ends close to [1, -1], the bias close to 0.
    """
    torch.manual_seed(0)
    X = edge_image()
    Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    conv2d = Conv2D(kernel_size=(1, 2))
    losses, log = [], []
    for i in range(steps):
        Y_hat = conv2d(X)
        loss = ((Y_hat - Y) ** 2).sum()
        loss.backward()
        conv2d.weight.data -= lr * conv2d.weight.grad
        conv2d.bias.data -= lr * conv2d.bias.grad
        conv2d.weight.grad.zero_()
        conv2d.bias.grad.zero_()
        losses.append(loss.item())
        if (i + 1) % 5 == 0:
            log.append(f"step {i + 1}, loss {loss:.3f}")
    return {
        "log": log,
        "losses": torch.tensor(losses),
        "conv2d.weight.data": conv2d.weight.data,
        "conv2d.bias.data": conv2d.bias.data,
    }


def learning_with_nn_conv2d(lr=3e-2, steps=10):
    """1.4 Learning a kernel, with the built-in nn.Conv2d

    The same with d2l's layer: one input and one output channel, no bias, and 4-D inputs and
    outputs (batch, channel, height, width); learning rate 0.03.
    """
    torch.manual_seed(0)
    X = edge_image()
    Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
    X = X.reshape((1, 1, 6, 8))
    Y = Y.reshape((1, 1, 6, 7))
    log = []
    for i in range(steps):
        Y_hat = conv2d(X)
        l = (Y_hat - Y) ** 2
        conv2d.zero_grad()
        l.sum().backward()
        conv2d.weight.data[:] -= lr * conv2d.weight.grad
        if (i + 1) % 2 == 0:
            log.append(f"epoch {i + 1}, loss {l.sum():.3f}")
    return {"log": log, "conv2d.weight.data.reshape((1, 2))": conv2d.weight.data.reshape((1, 2))}


def convolution_versus_cross_correlation():
    """1.5 Convolution versus cross-correlation

    Strict convolution flips the kernel up-down and left-right, then cross-correlates. A layer
    that learns its kernel would just learn it flipped, so deep-learning "convolution" layers
    compute cross-correlation.
    """
    X, K = input_and_kernel()
    return {
        "corr2d(X, K)": corr2d(X, K),
        "K.flip(0, 1)": K.flip(0, 1),
        "convolution: corr2d(X, K.flip(0, 1))": corr2d(X, K.flip(0, 1)),
    }


def receptive_field():
    """1.6 Feature maps and receptive fields

    The receptive field of an output is every input that can change it: where the output's
    gradient is non-zero (1 below). After one 2x2 layer, Y1[0, 0] sees the four inputs of 1.1's
    19; after a second 2x2 layer, the single output Y2[0, 0] sees all nine.
    """
    X, _ = input_and_kernel()
    X.requires_grad_()
    K = torch.ones((2, 2))
    Y1 = corr2d(X, K)
    (g1,) = torch.autograd.grad(Y1[0, 0], X, retain_graph=True)
    Y2 = corr2d(Y1, K)
    (g2,) = torch.autograd.grad(Y2[0, 0], X)
    return {"receptive field of Y1[0, 0]": (g1 != 0).long(), "receptive field of Y2[0, 0]": (g2 != 0).long()}


SECTIONS = (
    cross_correlation,
    convolution_layer,
    edge_detection,
    learning_a_kernel,
    learning_with_nn_conv2d,
    convolution_versus_cross_correlation,
    receptive_field,
)
"""The chapter's sections in order, each a function that returns its values by name."""
