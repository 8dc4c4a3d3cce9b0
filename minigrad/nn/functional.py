"""The functional interface (``import minigrad.nn.functional as F``): ops without parameters."""

from minigrad.ops.activation import log_softmax, relu, sigmoid, softmax, tanh
from minigrad.ops.conv import conv2d, conv_transpose2d, convolve2d, corr2d, pad
from minigrad.ops.dropout import dropout
from minigrad.ops.linear import linear
from minigrad.ops.loss import cross_entropy, mse_loss
from minigrad.ops.pool import avg_pool2d, max_pool2d

__all__ = [
    "avg_pool2d",
    "conv2d",
    "conv_transpose2d",
    "convolve2d",
    "corr2d",
    "cross_entropy",
    "dropout",
    "linear",
    "log_softmax",
    "max_pool2d",
    "mse_loss",
    "pad",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]
