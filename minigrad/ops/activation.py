"""Activation functions: ``relu``, ``sigmoid``, ``tanh``, ``softmax`` and ``log_softmax``.

Each is built from differentiable Tensor ops, so gradients of any order flow through it.
``softmax`` and ``log_softmax`` subtract the (detached) row maximum first: the result is the
same, and logits in the thousands no longer overflow ``exp``.
"""

from __future__ import annotations

from minigrad.tensor import Tensor


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(input, 0)`` elementwise, as ``Tensor.relu`` (``Tensor.relu_`` when ``inplace``)."""
    return input.relu_() if inplace else input.relu()


def sigmoid(input: Tensor) -> Tensor:
    """``1 / (1 + exp(-input))`` elementwise, as ``Tensor.sigmoid``."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent elementwise, as ``Tensor.tanh``."""
    return input.tanh()


def _shifted(input: Tensor, dim: int) -> Tensor:
    """``input`` minus its maximum along ``dim``; the shift is a constant, so it has no gradient."""
    _check_dim(input, dim)
    return input - input.detach().amax(dim=dim, keepdim=True)


def softmax(input: Tensor, dim: int) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed without overflow.

    >>> import minigrad
    >>> softmax(minigrad.tensor([1000.0, 1000.0]), dim=0).tolist()
    [0.5, 0.5]
    """
    exps = _shifted(input, dim).exp()
    return exps / exps.sum(dim=dim, keepdim=True)


def log_softmax(input: Tensor, dim: int) -> Tensor:
    """``x - log(exp(x).sum(dim))``, computed without overflow.

    >>> import minigrad
    >>> log_softmax(minigrad.tensor([0.0, 1e4]), dim=0).tolist()
    [-10000.0, 0.0]
    """
    shifted = _shifted(input, dim)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def _check_dim(input: Tensor, dim: int) -> None:
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    ndim = max(input.ndim, 1)
    if not -ndim <= dim < ndim:
        raise IndexError(
            f"dim {dim} is out of range for a tensor of shape {tuple(input.shape)} "
            f"(expected a value in [{-ndim}, {ndim - 1}])"
        )
