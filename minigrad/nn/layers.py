"""Basic layers and containers: ``Linear``, ``Flatten``/``Unflatten``, the dropouts, ``Identity``,
and ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList`` and ``ParameterDict``
(the activations are in ``nn.activation``)."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from minigrad import dtypes
from minigrad._checks import is_int, normalize_dim
from minigrad.nn import init
from minigrad.nn.module import Module, _indent
from minigrad.nn.parameter import Parameter
from minigrad.ops.channel_dropout import dropout1d, dropout2d, dropout3d
from minigrad.ops.dropout import _check_p, dropout
from minigrad.ops.linear import linear
from minigrad.tensor import Tensor, zeros


class Linear(Module):
    """``y = x @ weight.T + bias``; ``weight`` is ``(out_features, in_features)`` as in PyTorch.

    Both are initialised from ``U(-1/sqrt(in_features), 1/sqrt(in_features))``.

    >>> layer = Linear(3, 2)
    >>> layer.weight.shape, layer.bias.shape
    (minigrad.Size([2, 3]), minigrad.Size([2]))
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not is_int(value) or value < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {value!r}")
        self.in_features = in_features = int(in_features)
        self.out_features = out_features = int(out_features)
        factory = {"dtype": dtype, "device": device}
        self.weight = Parameter(zeros(out_features, in_features, **factory))
        if bias:
            self.bias = Parameter(zeros(out_features, **factory))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: kaiming_uniform_(a=sqrt(5)) for the weight, the same bound for the bias."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
        )


class Identity(Module):
    """Returns its input unchanged (a placeholder that keeps a model's layout)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Flatten(Module):
    """Flattens dims ``start_dim..end_dim`` into one (by default all but the batch dim)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Zeroes each element with probability ``p`` while training (scaling the rest by ``1/(1-p)``)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        _check_p(p)
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Zeroes whole channels of (N, C, L) or (C, L) with probability ``p`` while training."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(Dropout):
    """Zeroes whole channels of (N, C, H, W) or (C, H, W) with probability ``p`` while training."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(Dropout):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) with probability ``p`` while training."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout3d(input, self.p, self.training, self.inplace)


class Unflatten(Module):
    """Splits dim ``dim`` into ``unflattened_size`` (one entry may be -1), undoing ``Flatten``.

    >>> import minigrad
    >>> Unflatten(1, (2, 5))(minigrad.zeros(3, 10)).shape
    minigrad.Size([3, 2, 5])
    """

    def __init__(self, dim: int, unflattened_size: Iterable[int]) -> None:
        super().__init__()
        sizes = tuple(unflattened_size)
        if not sizes or not all(is_int(s) for s in sizes):
            raise TypeError(
                f"Unflatten: unflattened_size must be a non-empty tuple of ints, got {unflattened_size!r}"
            )
        self.dim, self.unflattened_size = dim, sizes

    def forward(self, input: Tensor) -> Tensor:
        d = normalize_dim(self.dim, input.ndim)
        return input.reshape(*input.shape[:d], *self.unflattened_size, *input.shape[d + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Sequential(Module):
    """Applies its modules in order; they are named ``"0"``, ``"1"``, ... (or by an OrderedDict).

    >>> from minigrad.nn import ReLU
    >>> model = Sequential(Linear(4, 3), ReLU(), Linear(3, 1))
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """

    def __init__(self, *args: Module) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(args):
                self.add_module(str(index), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Module:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        if not -len(items) <= index < len(items):
            raise IndexError(f"index {index} is out of range for a Sequential of length {len(items)}")
        return items[index][1]

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self

    def forward(self, input: Any) -> Any:
        for module in self:
            input = module(input)
        return input


def _position(container: Module, index: Any) -> int:
    """``index`` into a list container as a non-negative int, or PyTorch's IndexError."""
    if not is_int(index):
        raise TypeError(
            f"{type(container).__name__} indices must be integers or slices, not {type(index).__name__}"
        )
    size = len(container)
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of range")
    return int(index) % size


class ModuleList(Module):
    """A list of modules, registered as ``"0"``, ``"1"``, ... (their parameters are the list's).

    >>> from minigrad.nn import ReLU
    >>> ModuleList([Linear(2, 2), Linear(2, 2), ReLU()])
    ModuleList(
      (0-1): 2 x Linear(in_features=2, out_features=2, bias=True)
      (2): ReLU()
    )
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return type(self)(list(self._modules.values())[index])
        return self._modules[str(_position(self, index))]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(str(_position(self, index)), module)

    def __delitem__(self, index: int | slice) -> None:
        kept = list(self)
        del kept[index if isinstance(index, slice) else _position(self, index)]
        self._renumber(kept)

    def _renumber(self, modules: list[Module]) -> None:
        """Hold ``modules`` under the names 0, 1, ... (PyTorch renumbers after a delete or insert)."""
        self._modules.clear()
        self.extend(modules)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"ModuleList.extend should be called with an iterable, but got {type(modules).__name__}"
            )
        for module in list(modules):
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        modules = list(self)
        modules.insert(index, module)
        self._renumber(modules)

    def pop(self, index: int | slice = -1) -> Any:
        module = self[index]
        del self[index]
        return module

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleList is a container: iterate over it and call its modules")

    def __repr__(self) -> str:
        """PyTorch's: runs of modules with the same repr are printed once, as ``(0-2): 3 x ...``."""
        reprs = [repr(m) for m in self]
        if not reprs:
            return "ModuleList()"
        lines, start = [], 0
        for end in range(1, len(reprs) + 1):
            if end == len(reprs) or reprs[end] != reprs[start]:
                count = end - start
                label = f"({start}): " if count == 1 else f"({start}-{end - 1}): {count} x "
                lines.append(_indent(label + reprs[start], 2))
                start = end
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """A dict of modules, registered under their keys, in insertion order.

    >>> [name for name, _ in ModuleDict({"fc": Linear(2, 1)}).named_parameters()]
    ['fc.weight', 'fc.bias']
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def clear(self) -> None:
        self._modules.clear()

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()

    def values(self) -> Iterable[Module]:
        return self._modules.values()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        for key, module in _pairs("ModuleDict", modules):
            self[key] = module

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleDict is a container: look up its modules and call them")


def _pairs(container: str, entries: Any) -> Iterator[tuple[Any, Any]]:
    """``(key, value)`` pairs from a mapping or an iterable of pairs, as ``update`` takes them."""
    if isinstance(entries, (Mapping, ModuleDict, ParameterDict)):
        yield from entries.items()
        return
    if not isinstance(entries, Iterable):
        raise TypeError(
            f"{container}.update should be called with an iterable of key/value pairs, got {type(entries).__name__}"
        )
    for index, entry in enumerate(entries):
        if not isinstance(entry, Iterable) or len(entry := tuple(entry)) != 2:
            raise ValueError(
                f"{container} update sequence element #{index} should be an iterable of length 2"
            )
        yield entry


def _as_parameter(value: Any) -> Parameter:
    """A Parameter as it is, a plain tensor wrapped in one (as PyTorch's parameter containers do)."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(f"parameter containers hold tensors, got {type(value).__name__}")


def _describe(key: Any, param: Parameter, dtype_name: str) -> str:
    device = "" if param.device.type == "cpu" else f" ({param.device})"
    size = "x".join(str(s) for s in param.shape)
    return f"  ({key}): Parameter containing: [{dtype_name} of size {size}{device}]"


class ParameterList(Module):
    """A list of parameters, registered as ``"0"``, ``"1"``, ... (tensors are made Parameters).

    >>> import minigrad
    >>> [name for name, _ in ParameterList([Parameter(minigrad.zeros(2))]).named_parameters()]
    ['0']
    """

    def __init__(self, values: Iterable[Tensor] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return type(self)(list(self)[index])
        return self._parameters[str(_position(self, index))]

    def __setitem__(self, index: int, param: Tensor) -> None:
        self.register_parameter(str(_position(self, index)), _as_parameter(param))

    def __iadd__(self, params: Iterable[Tensor]) -> ParameterList:
        return self.extend(params)

    def append(self, value: Tensor) -> ParameterList:
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Tensor]) -> ParameterList:
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError(
                f"ParameterList.extend should be called with an iterable, but got {type(values).__name__}"
            )
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_describe(i, p, f"minigrad.{p.dtype}") for i, p in enumerate(self))


class ParameterDict(Module):
    """A dict of parameters, registered under their keys (tensors are made Parameters)."""

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]

    def __setitem__(self, key: str, value: Tensor) -> None:
        self.register_parameter(key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._parameters[key]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> Iterable[str]:
        return self._parameters.keys()

    def items(self) -> Iterable[tuple[str, Parameter]]:
        return self._parameters.items()

    def values(self) -> Iterable[Parameter]:
        return self._parameters.values()

    def pop(self, key: str) -> Parameter:
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        self._parameters.clear()

    def update(self, parameters: Any) -> None:
        for key, value in _pairs("ParameterDict", parameters):
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(
            _describe(k, p, f"minigrad.{dtypes.torch_name(p.dtype)}Tensor") for k, p in self.items()
        )
