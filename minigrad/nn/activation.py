"""Activation modules, each the functional op with its settings stored, printed as PyTorch prints them."""

from __future__ import annotations

import warnings
from typing import Any

from minigrad.nn.init import constant_
from minigrad.nn.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.ops import activation as A
from minigrad.tensor import Tensor, empty


class _Inplace(Module):
    """An activation with only an ``inplace`` flag, shown as ``inplace=True`` when set."""

    function: Any  # the functional op, set by each subclass

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return type(self).function(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """``max(x, 0)``; with ``inplace=True`` it overwrites its input."""

    function = staticmethod(A.functional_relu)


class SiLU(_Inplace):
    """``x * sigmoid(x)``."""

    function = staticmethod(A.silu)


class Mish(_Inplace):
    """``x * tanh(softplus(x))``."""

    function = staticmethod(A.mish)


class SELU(_Inplace):
    """``scale * elu(x, alpha)`` with the self-normalizing constants."""

    function = staticmethod(A.selu)


class Hardswish(_Inplace):
    """``x * relu6(x + 3) / 6``; PyTorch prints it without its ``inplace`` flag."""

    function = staticmethod(A.hardswish)

    def extra_repr(self) -> str:
        return ""


class Hardsigmoid(Hardswish):
    """``relu6(x + 3) / 6``."""

    function = staticmethod(A.hardsigmoid)


class _Plain(Module):
    """An activation without settings."""

    function: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return type(self).function(input)


class Sigmoid(_Plain):
    """``1 / (1 + exp(-x))``."""

    function = staticmethod(A.sigmoid)


class Tanh(_Plain):
    """``tanh(x)``."""

    function = staticmethod(A.tanh)


class LogSigmoid(_Plain):
    """``log(sigmoid(x))``, finite for any ``x``."""

    function = staticmethod(A.logsigmoid)


class Softsign(_Plain):
    """``x / (1 + |x|)``."""

    function = staticmethod(A.softsign)


class Tanhshrink(_Plain):
    """``x - tanh(x)``."""

    function = staticmethod(A.tanhshrink)


class LeakyReLU(Module):
    """``x`` where ``x > 0``, else ``negative_slope * x``."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""

    function = staticmethod(A.elu)

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return type(self).function(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""

    function = staticmethod(A.celu)


class Hardtanh(Module):
    """``x`` clamped to ``[min_val, max_val]`` (gradient 0 at the bounds)."""

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
    ) -> None:
        super().__init__()
        for old, new in (("min_value", min_value), ("max_value", max_value)):  # PyTorch's old names
            if new is not None:
                warnings.warn(
                    f"keyword argument `{old}` is deprecated and renamed to `{old[:-2]}`",
                    FutureWarning,
                    stacklevel=2,
                )
        self.min_val = min_val if min_value is None else min_value
        self.max_val = max_val if max_value is None else max_value
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise ValueError(
                f"Hardtanh: max_val ({self.max_val}) must be greater than min_val ({self.min_val})"
            )

    def forward(self, input: Tensor) -> Tensor:
        return A.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """``min(max(x, 0), 6)``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Threshold(Module):
    """``value`` where ``x <= threshold``, else ``x``."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return A.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """``x * Phi(x)``, or its tanh approximation (``approximate='tanh'``)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return A.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return A.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class PReLU(Module):
    """leaky_relu with a learnt slope: one (``num_parameters=1``) or one per channel, starting at ``init``."""

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return A.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class _AlongDim(Module):
    """An op along ``dim``: softmax, log_softmax, softmin and glu."""

    function: Any

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return type(self).function(input, self.dim, _stacklevel=5)  # the warning names the caller

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """``softmax(x, dim)``."""

    function = staticmethod(A.softmax)


class LogSoftmax(_AlongDim):
    """``log_softmax(x, dim)``."""

    function = staticmethod(A.log_softmax)


class Softmin(_AlongDim):
    """``softmax(-x, dim)``."""

    function = staticmethod(A.softmin)


class GLU(_AlongDim):
    """The gated linear unit: ``a * sigmoid(b)`` for the halves of the input along ``dim``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__(dim)

    def forward(self, input: Tensor) -> Tensor:
        return A.glu(input, self.dim)
