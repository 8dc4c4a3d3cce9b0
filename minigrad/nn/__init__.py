"""Neural-network building blocks with PyTorch's names: modules, layers, losses, ``functional``."""

from minigrad.nn import functional, init, utils
from minigrad.nn.conv import Conv2d, ConvTranspose2d, Corr2d
from minigrad.nn.layers import (
    Dropout,
    Flatten,
    Identity,
    Linear,
    LogSoftmax,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from minigrad.nn.lazy import LazyConv2d, LazyConvTranspose2d, LazyLinear, LazyModuleMixin
from minigrad.nn.loss import CrossEntropyLoss, MSELoss
from minigrad.nn.module import Module, Parameter, UninitializedParameter
from minigrad.nn.pooling import AvgPool2d, MaxPool2d

__all__ = [
    "AvgPool2d",
    "Conv2d",
    "ConvTranspose2d",
    "Corr2d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "Identity",
    "LazyConv2d",
    "LazyConvTranspose2d",
    "LazyLinear",
    "LazyModuleMixin",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "UninitializedParameter",
    "functional",
    "init",
    "utils",
]
