"""Shape ops: reshape, permute, expand, sum_to_size, flip, cat, movedim, repeat, the stacks and friends.

They move or copy values without arithmetic, so each backward is the inverse movement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minigrad._checks import is_int, normalize_dim, normalize_dims
from minigrad.autograd.function import Function
from minigrad.ops.elementwise import promote
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


def _shape_args(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


class Reshape(Function):
    node_name = "ViewBackward0"  # PyTorch's name for this backward step
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return Tensor(a.array.reshape(shape))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


@op(method=("reshape", "view"), function=True)
def reshape(a: Tensor, *shape: Any) -> Tensor:
    """The same values in a new shape (one dimension may be -1)."""
    shape = _shape_args(shape)
    known = 1
    for s in shape:
        known *= s if s != -1 else 1
    if (
        shape.count(-1) > 1
        or (-1 not in shape and known != a.numel())
        or (-1 in shape and (known == 0 or a.numel() % known))
    ):
        raise RuntimeError(
            f"reshape: shape {list(shape)} is invalid for input of size {a.numel()} (shape {a.shape})"
        )
    if tuple(shape) == a.shape:
        return a
    if not a.array.flags.c_contiguous:  # as PyTorch: what cannot be a view is copied first
        a = Clone.apply(a)
    return Reshape.apply(a, tuple(shape))


class Permute(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return Tensor(a.array.transpose(dims))

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return grad.permute(*inverse), None


@op(method=True, function=True)
def permute(a: Tensor, *dims: Any) -> Tensor:
    dims = _shape_args(dims)
    if len(dims) != a.ndim:
        raise RuntimeError(f"permute: got {len(dims)} dims for a tensor of shape {a.shape}")
    dims = tuple(normalize_dim(d, a.ndim) for d in dims)
    if sorted(dims) != list(range(a.ndim)):
        raise RuntimeError(f"permute: dims {dims} are not a permutation of the {a.ndim} dimensions")
    return Permute.apply(a, dims)


@op(method=True, function=True)
def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """``a`` with dimensions ``dim0`` and ``dim1`` swapped (a 0-d tensor takes 0 or -1 for both)."""
    d0, d1 = normalize_dim(dim0, a.ndim), normalize_dim(dim1, a.ndim)
    if a.ndim < 2 or d0 == d1:
        return a
    dims = list(range(a.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(a, tuple(dims))


@op(method=True, function=True)
def swapaxes(a: Tensor, axis0: int, axis1: int) -> Tensor:
    """NumPy's name for ``transpose``."""
    return transpose(a, axis0, axis1)


@op(method=True, function=True)
def swapdims(a: Tensor, dim0: int, dim1: int) -> Tensor:
    return transpose(a, dim0, dim1)


def _dim_list(dims: Any, ndim: int, what: str) -> list[int]:
    """An int or a sequence of ints as normalized dims, refusing repeats (``movedim``'s checks)."""
    dims = list(dims) if isinstance(dims, (tuple, list)) else [dims]
    out = [normalize_dim(d, ndim) for d in dims]
    if len(set(out)) != len(out):
        raise RuntimeError(f"movedim: repeated dim in `{what}` ({dims})")
    return out


@op(method=("movedim", "moveaxis"), function=("movedim", "moveaxis"))
def movedim(a: Tensor, source: Any, destination: Any) -> Tensor:
    """``a`` with the dimensions ``source`` moved to the positions ``destination``, the others in order."""
    src, dst = _dim_list(source, a.ndim, "source"), _dim_list(destination, a.ndim, "destination")
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the same "
            f"number of dims as destination ({dst} dims)"
        )
    order: list[int | None] = [None] * a.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(a.ndim) if d not in src)
    return permute(a, *[next(rest) if d is None else d for d in order]) if a.ndim else a


@op(method=True, function=True)
def t(a: Tensor) -> Tensor:
    """Transpose of a matrix (0-d and 1-d tensors are returned as they are)."""
    if a.ndim > 2:
        raise RuntimeError(f"t: expects a tensor with <= 2 dimensions, but got shape {a.shape}")
    return transpose(a, 0, 1) if a.ndim == 2 else a


class Expand(Function):
    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return Tensor(a.xp.broadcast_to(a.array, shape))

    @staticmethod
    def backward(ctx, grad):
        return grad.sum_to_size(ctx.shape), None


@op(method=True)
def expand(a: Tensor, *sizes: Any) -> Tensor:
    """A broadcast view to ``sizes`` (-1 keeps a dimension); no memory is copied."""
    sizes = _shape_args(sizes)
    if len(sizes) < a.ndim:
        raise RuntimeError(
            f"expand: the number of sizes {list(sizes)} must be >= the tensor's dims {a.shape}"
        )
    lead = len(sizes) - a.ndim
    shape = list(sizes)
    for i, s in enumerate(a.shape):
        want = sizes[lead + i]
        if want == -1:
            shape[lead + i] = s
        elif s != 1 and s != want:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({want}) must match the existing size ({s}) "
                f"at non-singleton dimension {lead + i}; target sizes {list(sizes)}, tensor shape {a.shape}"
            )
    if tuple(shape) == a.shape:
        return a
    return Expand.apply(a, tuple(shape))


@op(function=True)
def broadcast_shapes(*shapes: Sequence[int] | int) -> tuple[int, ...]:
    """The shape all ``shapes`` broadcast to (an int is a 1-d shape), or a ValueError naming them."""
    shapes = tuple((s,) if is_int(s) else tuple(s) for s in shapes)
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(ndim):
        sizes = {s[i - ndim + len(s)] for s in shapes if i - ndim + len(s) >= 0} - {1}
        if len(sizes) > 1:
            raise ValueError(f"shapes {' and '.join(str(tuple(s)) for s in shapes)} are not broadcastable")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


class SumTo(Function):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        lead = a.ndim - len(shape)
        dims = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and a.shape[lead + i] != 1
        )
        return Tensor(a.array.sum(axis=dims).reshape(shape) if dims else a.array.reshape(shape))

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape), None


@op(method=True)
def sum_to_size(a: Tensor, *shape: Any) -> Tensor:
    """Sum ``a`` down to ``shape``, the inverse of broadcasting (as PyTorch's ``sum_to_size``)."""
    shape = _shape_args(shape)
    if broadcast_shapes(a.shape, shape) != a.shape:
        raise RuntimeError(f"sum_to_size: size {shape} is not expandable to size {a.shape}")
    if tuple(shape) == a.shape:
        return a
    return SumTo.apply(a, tuple(shape))


@op(function=True)
def broadcast_to(a: Tensor, shape: Sequence[int]) -> Tensor:
    return expand(a, *shape)


@op(method=True, function=True)
def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if a.ndim == 0:
        return reshape(a, 1)
    start, end = normalize_dim(start_dim, a.ndim), normalize_dim(end_dim, a.ndim)
    if start > end:
        raise RuntimeError(f"flatten: start_dim {start_dim} cannot come after end_dim {end_dim}")
    return reshape(a, *a.shape[:start], -1, *a.shape[end + 1 :])


@op(method=True, function=True)
def squeeze(a: Tensor, dim: Any = None) -> Tensor:
    """Remove dimensions of size 1 (all of them, or those in ``dim``)."""
    dims = normalize_dims(dim, a.ndim) if a.ndim else ()
    return reshape(a, *[s for i, s in enumerate(a.shape) if not (i in dims and s == 1)])


@op(method=True, function=True)
def unsqueeze(a: Tensor, dim: int) -> Tensor:
    d = normalize_dim(dim, a.ndim + 1)
    return reshape(a, *a.shape[:d], 1, *a.shape[d:])


class Flip(Function):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return Tensor(a.xp.flip(a.array, axis=dims).copy())

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(ctx.dims), None


@op(method=True, function=True)
def flip(a: Tensor, *args: Any, dims: Any = None) -> Tensor:
    """``a`` reversed along ``dims`` (given as ints, a list or tuple, or ``dims=``)."""
    if dims is None:
        dims = _shape_args(args)
    elif args:
        raise TypeError("flip: got dims both positionally and as a keyword")
    dims = normalize_dims(dims if isinstance(dims, (tuple, list)) else (dims,), a.ndim)
    return Flip.apply(a, dims) if dims else Clone.apply(a)


class Clone(Function):
    @staticmethod
    def forward(ctx, a):
        return Tensor(a.array.copy())

    @staticmethod
    def backward(ctx, grad):
        return grad


@op(method=True)
def clone(a: Tensor) -> Tensor:
    """A copy with its own storage; gradients flow through it unchanged."""
    return Clone.apply(a)


@op(method=True)
def contiguous(a: Tensor) -> Tensor:
    return a if a.array.flags.c_contiguous else Clone.apply(a)


class Cat(Function):
    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        ctx.sizes = [t.shape[dim] for t in tensors]
        return Tensor(tensors[0].xp.concatenate([t.array for t in tensors], axis=dim))

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size in ctx.sizes:
            index = (slice(None),) * ctx.dim + (slice(start, start + size),)
            grads.append(grad[index])
            start += size
        return (None, *grads)


@op(function=True)
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty sequence of tensors")
    first = tensors[0]
    d = normalize_dim(dim, first.ndim)
    for i, x in enumerate(tensors):
        if x.ndim != first.ndim or x.shape[:d] + x.shape[d + 1 :] != first.shape[:d] + first.shape[d + 1 :]:
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {dim}: tensor 0 has shape "
                f"{first.shape}, tensor {i} has shape {x.shape}"
            )
    return Cat.apply(d, *promote(*tensors))


@op(function=True)
def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty sequence of tensors")
    for i, x in enumerate(tensors):
        if x.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack: expects each tensor to be equal size, but got {tensors[0].shape} at entry 0 "
                f"and {x.shape} at entry {i}"
            )
    d = normalize_dim(dim, tensors[0].ndim + 1)
    return cat([unsqueeze(x, d) for x in tensors], dim=d)


@op(method=True)
def expand_as(a: Tensor, other: Tensor) -> Tensor:
    return expand(a, *other.shape)


@op(property="T")
def _reversed(a: Tensor) -> Tensor:
    """All dimensions reversed."""
    return permute(a, *reversed(range(a.ndim)))


@op(property="mT")
def _last_two_swapped(a: Tensor) -> Tensor:
    """The last two dimensions swapped."""
    if a.ndim < 2:
        raise RuntimeError(
            f"tensor.mT is only supported on matrices or batches of matrices. Got {a.ndim}-D tensor."
        )
    return transpose(a, -2, -1)


@op(method=True)
def view_as(a: Tensor, other: Tensor) -> Tensor:
    return reshape(a, other.shape)


@op(method=True)
def reshape_as(a: Tensor, other: Tensor) -> Tensor:
    return reshape(a, other.shape)


@op(method=True, function=True)
def unflatten(a: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Dimension ``dim`` split into ``sizes`` (one of them may be -1)."""
    d = normalize_dim(dim, a.ndim)
    sizes = list(sizes)
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    if (
        not sizes
        or sizes.count(-1) > 1
        or (known != a.shape[d] if -1 not in sizes else known == 0 or a.shape[d] % known)
    ):
        raise RuntimeError(
            f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} ({a.shape[d]}) "
            "in the input tensor"
        )
    sizes = [a.shape[d] // known if s == -1 else s for s in sizes]
    return reshape(a, *a.shape[:d], *sizes, *a.shape[d + 1 :])


@op(function=True)
def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Each tensor expanded to the shape they all broadcast to (views)."""
    tensors = _tensor_args(tensors)
    try:
        shape = broadcast_shapes(*[x.shape for x in tensors])
    except ValueError as error:
        raise RuntimeError(f"broadcast_tensors: {error}") from None
    return tuple(expand(x, *shape) for x in tensors)


def _tensor_args(tensors: tuple) -> list[Tensor]:
    """Tensors given one by one or as a single list or tuple."""
    return list(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)) else list(tensors)


@op(function=True)
def meshgrid(*tensors: Tensor, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 0-d or 1-d tensors: with ``indexing="ij"`` (the default) tensor ``i``
    varies along dimension ``i``; ``"xy"`` swaps the first two dimensions, as NumPy's default."""
    tensors = _tensor_args(tensors)
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    for x in tensors:
        if x.ndim > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got shape {x.shape}"
            )
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(axes) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for x, axis in zip(tensors, axes):
        shape[axis] = x.numel()
    return tuple(
        expand(reshape(x, *[-1 if k == axis else 1 for k in range(len(shape))]), *shape)
        for x, axis in zip(tensors, axes)
    )


@op(method=True)
def repeat(a: Tensor, *sizes: Any) -> Tensor:
    """``a`` tiled ``sizes[i]`` times along dimension ``i`` (leading sizes add dimensions): a
    broadcast of ``a`` with a new axis before each dimension, reshaped."""
    sizes = _shape_args(sizes)
    if len(sizes) < a.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
        )
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension: repeats {list(sizes)}")
    shape = (1,) * (len(sizes) - a.ndim) + a.shape
    spread = reshape(a, *[k for s in shape for k in (1, s)])
    grown = expand(spread, *[k for r, s in zip(sizes, shape) for k in (r, s)])
    return reshape(grown, *[r * s for r, s in zip(sizes, shape)])


@op(method=True, function=True)
def tile(a: Tensor, dims: Sequence[int]) -> Tensor:
    """``repeat``, with missing leading ``dims`` taken as 1."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    return repeat(a, *(1,) * (a.ndim - len(dims)), *dims)


@op(method=True, function=True)
def rot90(a: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """``a`` rotated by ``k`` quarter turns in the plane ``dims``, from the first axis to the second."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if a.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {a.ndim}")
    d0, d1 = normalize_dim(dims[0], a.ndim), normalize_dim(dims[1], a.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return transpose(flip(a, d1), d0, d1)
    if k == 2:
        return flip(a, d0, d1)
    if k == 3:
        return transpose(flip(a, d0), d0, d1)
    return clone(a)


def _at_least(a: Tensor, ndim: int) -> Tensor:
    """``a`` with dimensions of size 1 added as ``torch.atleast_{1,2,3}d`` adds them."""
    if a.ndim >= ndim:
        return a
    if ndim == 3 and a.ndim > 0:
        return reshape(a, *(1,) * (2 - a.ndim), *a.shape, 1)
    return reshape(a, *(1,) * (ndim - a.ndim), *a.shape)


@op(function=True)
def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along the columns: dimension 1, or 0 for 1-d tensors."""
    tensors = [_at_least(x, 1) for x in tensors]
    return cat(tensors, dim=0 if tensors and tensors[0].ndim == 1 else 1)


@op(function=True)
def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along the rows, 1-d tensors taken as rows."""
    return cat([_at_least(x, 2) for x in tensors], dim=0)


@op(function=True)
def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along the depth, dimension 2."""
    return cat([_at_least(x, 3) for x in tensors], dim=2)


@op(function=True)
def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Join along dimension 1, 0-d and 1-d tensors taken as columns."""
    return cat([reshape(x, x.numel(), 1) if x.ndim <= 1 else x for x in tensors], dim=1)
