"""Lazy modules: layers that infer their input size (``in_features``, ``in_channels``) from the
first batch they see, as PyTorch's ``nn.LazyLinear`` and ``nn.LazyConv2d``.

Until then their parameters are ``UninitializedParameter``s; the first call materializes them,
initialises them as the plain layer does, and turns the module into that layer
(``type(m) is nn.Linear``), so code that tests a layer's type keeps working.

>>> import minigrad
>>> layer = LazyLinear(2)
>>> layer
LazyLinear(in_features=0, out_features=2, bias=True)
>>> layer(minigrad.ones(4, 3)).shape
minigrad.Size([4, 2])
>>> layer
Linear(in_features=3, out_features=2, bias=True)
"""

from __future__ import annotations

from typing import Any

from minigrad.autograd import no_grad
from minigrad.nn.conv import Conv2d, ConvTranspose2d
from minigrad.nn.layers import Linear
from minigrad.nn.module import Module
from minigrad.nn.normalization import BatchNorm1d, BatchNorm2d
from minigrad.nn.parameter import UninitializedBuffer, UninitializedParameter, _Uninitialized
from minigrad.tensor import Tensor


class LazyModuleMixin:
    """Infers the parameters in a forward pre-hook on the first call, then becomes ``cls_to_become``."""

    cls_to_become: type[Module] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer still waits for its shape."""
        tensors = [*self._parameters.values(), *self._buffers.values()]
        return any(isinstance(t, _Uninitialized) for t in tensors)

    def initialize_parameters(self, *args: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define initialize_parameters()")


def _infer_parameters(module: Any, args: tuple) -> None:
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {type(module).__name__} has not been fully initialized")
    module._initialize_hook.remove()
    del module._initialize_hook
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become


def _uninitialized(module: Module, names: tuple[str, ...], bias: bool, factory: dict) -> None:
    """Replace the named parameters by uninitialized ones (``bias`` only when asked for)."""
    for name in names:
        if name != "bias" or bias:
            setattr(module, name, UninitializedParameter(**factory))


class LazyLinear(LazyModuleMixin, Linear):
    """``Linear`` whose ``in_features`` is the last dimension of the first input."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__(0, 0, False)
        self.out_features = int(out_features)
        _uninitialized(self, ("weight", "bias"), bias, {"device": device, "dtype": dtype})

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()


class _LazyConv(LazyModuleMixin):
    """The shared inference of the lazy convolutions: ``in_channels`` from dimension 1 (0 unbatched)."""

    transposed = False

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        if not self.has_uninitialized_params():
            return
        if input.ndim not in (3, 4):
            raise RuntimeError(
                f"Expected 3D (unbatched) or 4D (batched) input to {type(self).__name__}, but got input "
                f"of size: {list(input.shape)}"
            )
        self.in_channels = input.shape[1] if input.ndim == 4 else input.shape[0]
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        first, second = (
            (self.in_channels, self.out_channels)
            if self.transposed
            else (self.out_channels, self.in_channels)
        )
        with no_grad():
            self.weight.materialize((first, second // self.groups, *self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()


class LazyConv2d(_LazyConv, Conv2d):
    """``Conv2d`` whose ``in_channels`` comes from the first input."""

    cls_to_become = Conv2d

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode)
        self.out_channels = int(out_channels)
        _uninitialized(self, ("weight", "bias"), bias, {"device": device, "dtype": dtype})


class LazyConvTranspose2d(_LazyConv, ConvTranspose2d):
    """``ConvTranspose2d`` whose ``in_channels`` comes from the first input."""

    cls_to_become = ConvTranspose2d
    transposed = True

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            0, 0, kernel_size, stride, padding, output_padding, groups, False, dilation, padding_mode
        )
        self.out_channels = int(out_channels)
        _uninitialized(self, ("weight", "bias"), bias, {"device": device, "dtype": dtype})


class _LazyBatchNorm(LazyModuleMixin):
    """The shared inference of the lazy batch norms: ``num_features`` from dimension 1."""

    def __init__(
        self,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(0, eps, momentum, affine, track_running_stats)
        factory = {"device": device, "dtype": dtype}
        if affine:
            self.weight, self.bias = UninitializedParameter(**factory), UninitializedParameter(**factory)
        if track_running_stats:
            self.running_mean, self.running_var = (
                UninitializedBuffer(**factory),
                UninitializedBuffer(**factory),
            )

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        if not self.has_uninitialized_params():
            return
        self.num_features = input.shape[1]
        with no_grad():
            for name in ("weight", "bias", "running_mean", "running_var"):
                tensor = getattr(self, name)
                if isinstance(tensor, _Uninitialized):
                    tensor.materialize((self.num_features,))
            self.reset_parameters()


class LazyBatchNorm1d(_LazyBatchNorm, BatchNorm1d):
    """``BatchNorm1d`` whose ``num_features`` comes from the first input."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNorm, BatchNorm2d):
    """``BatchNorm2d`` whose ``num_features`` comes from the first input."""

    cls_to_become = BatchNorm2d
