"""Convolution: ``conv2d``, ``conv_transpose2d``, and the chapter's ``corr2d`` and ``convolve2d``.

Three Functions close the algebra so that every gradient is itself differentiable (the array
kernels are in ``window_kernels``):

* ``Conv2d``: ``y = conv(x, w)``, cross-correlation of a batch with a weight;
* ``ConvInputGrad``: ``x' = convT(g, w)``, its gradient with respect to ``x``, which is also the
  transposed convolution;
* ``ConvWeightGrad``: ``w' = convW(x, g)``, its gradient with respect to ``w``.

All three are bilinear and ``<conv(x, w), g> = <x, convT(g, w)> = <w, convW(x, g)>``, so each
one's backward is made of the other two. ``corr2d`` is the one-image, one-channel case of
``conv2d``: the textbook's loop and the batched layer run the same code.
"""

from __future__ import annotations

from typing import Any

from minigrad import dtypes
from minigrad._checks import IntOrPair, Pair, is_int, pair, transposed_out_size
from minigrad.autograd.function import Function
from minigrad.ops import window_kernels as kernels
from minigrad.ops.registry import op
from minigrad.ops.window_kernels import Geometry
from minigrad.tensor import Tensor


class Conv2d(Function):
    """``conv(x, w) + b`` for a batch ``x`` (N, C, H, W) and weight ``w`` (O, C/groups, kH, kW)."""

    node_name = "ConvolutionBackward0"  # PyTorch's name for this backward step

    @staticmethod
    def forward(ctx, x, w, b, geom, groups):
        need_x, need_w = ctx.needs_input_grad[:2]
        ctx.save_for_backward(x if need_w else None, w if need_x else None)
        ctx.geom, ctx.groups = geom, groups
        return Tensor(kernels.conv2d(x.array, w.array, geom, groups, None if b is None else b.array))

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad_x = ConvInputGrad.apply(grad, w, ctx.geom, ctx.groups) if need_x else None
        grad_w = ConvWeightGrad.apply(x, grad, ctx.geom, ctx.groups) if need_w else None
        grad_b = grad.sum(dim=(0, 2, 3)) if need_b else None
        return grad_x, grad_w, grad_b, None, None


class ConvInputGrad(Function):
    """``convT(g, w)``: the gradient of ``conv(x, w)`` with respect to ``x``, given ``g`` (N, O, Ho, Wo)."""

    @staticmethod
    def forward(ctx, g, w, geom, groups):
        need_g, need_w = ctx.needs_input_grad[:2]
        ctx.save_for_backward(g if need_w else None, w if need_g else None)
        ctx.geom, ctx.groups = geom, groups
        return Tensor(kernels.conv2d_input_grad(g.array, w.array, geom, groups))

    @staticmethod
    def backward(ctx, grad):
        g, w = ctx.saved_tensors
        grad_g = Conv2d.apply(grad, w, None, ctx.geom, ctx.groups) if ctx.needs_input_grad[0] else None
        grad_w = ConvWeightGrad.apply(grad, g, ctx.geom, ctx.groups) if ctx.needs_input_grad[1] else None
        return grad_g, grad_w, None, None


class ConvWeightGrad(Function):
    """``convW(x, g)``: the gradient of ``conv(x, w)`` with respect to ``w``, given ``g`` (N, O, Ho, Wo)."""

    @staticmethod
    def forward(ctx, x, g, geom, groups):
        need_x, need_g = ctx.needs_input_grad[:2]
        ctx.save_for_backward(x if need_g else None, g if need_x else None)
        ctx.geom, ctx.groups = geom, groups
        return Tensor(kernels.conv2d_weight_grad(x.array, g.array, geom, groups))

    @staticmethod
    def backward(ctx, grad):
        x, g = ctx.saved_tensors
        grad_x = ConvInputGrad.apply(g, grad, ctx.geom, ctx.groups) if ctx.needs_input_grad[0] else None
        grad_g = Conv2d.apply(x, grad, None, ctx.geom, ctx.groups) if ctx.needs_input_grad[1] else None
        return grad_x, grad_g, None, None


# ---- argument checks -------------------------------------------------------------------------


# The integer dtypes PyTorch's CPU kernels take, besides the floating ones.
ANY_INTEGER = (dtypes.uint8, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64)
INT64 = (dtypes.int64,)


def check_dtypes(op: str, integers: tuple, **tensors: Tensor | None) -> None:
    """All given tensors are Tensors of one dtype, floating or one of ``integers`` (the integer
    dtypes PyTorch's kernel for ``op`` takes); only a ``bias`` may be ``None``."""
    dtype, first = None, None
    for name, t in tensors.items():
        if t is None and name == "bias":
            continue
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
        if not (dtypes.is_floating(t.dtype) or t.dtype in integers):
            kinds = "integer" if integers == ANY_INTEGER else "/".join(str(d) for d in integers)
            wanted = f"floating-point or {kinds}" if integers else "floating-point"
            raise TypeError(f"{op}: {name} must be a {wanted} tensor, got dtype {t.dtype}")
        if dtype is not None and t.dtype != dtype:
            raise TypeError(
                f"{op}: {first} and {name} must have the same dtype (a floating-point or integer one), "
                f"got {dtype} and {t.dtype}"
            )
        dtype, first = t.dtype, first or name


def functional_pair(value: Any, name: str, op: str, minimum: int) -> Pair:
    """An int, a one-element sequence or a pair, as a pair: the functional forms take all three, as
    PyTorch's do."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    return pair(value, name, op, minimum)


def batched(op: str, input: Tensor) -> tuple[Tensor, bool]:
    """A 4-D (N, C, H, W) view of ``input`` and whether it was an unbatched (C, H, W) one."""
    if input.ndim not in (3, 4):
        raise ValueError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {input.shape}")
    return (input.unsqueeze(0), True) if input.ndim == 3 else (input, False)


def _check_conv(
    op: str, x: Tensor, w: Tensor, b: Tensor | None, groups: Any, in_dim: int, out_dim: int
) -> None:
    """Channel counts: ``x`` has ``groups * w.shape[in_dim]`` channels, bias ``w.shape[out_dim] * ...``."""
    if w.ndim != 4:
        raise ValueError(f"{op}: weight must be 4-D, got shape {w.shape}")
    if min(w.shape[2:]) < 1:
        raise RuntimeError(
            f"{op}: kernel size should be greater than zero, but got kernel_height: {w.shape[2]} "
            f"kernel_width: {w.shape[3]} (weight shape {w.shape})"
        )
    if not is_int(groups) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    if w.shape[0] == 0:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be at least 1 at dimension 0, "
            f"but got weight of size {list(w.shape)} instead"
        )
    if in_dim == 0 and w.numel() == 0:  # a transposed convolution with no output channels
        raise RuntimeError(f"{op}: non-empty 4D weight tensor expected, but got: {list(w.shape)}")
    if min(x.shape[2:]) == 0:
        raise RuntimeError(
            f"{op}: Only zero batch or zero channel inputs are supported, but got input shape: {list(x.shape)}"
        )
    if w.shape[0] % groups:
        raise ValueError(
            f"{op}: weight's first dimension {w.shape[0]} must be divisible by groups={groups} "
            f"(weight shape {w.shape})"
        )
    expected = w.shape[1] * groups if in_dim == 1 else w.shape[0]
    if x.shape[1] != expected:
        raise ValueError(
            f"{op}: given groups={groups} and weight of shape {w.shape}, expected input of shape "
            f"{x.shape} to have {expected} channels, but got {x.shape[1]}"
        )
    channels = w.shape[0] if out_dim == 0 else w.shape[1] * groups
    if b is not None and b.shape != (channels,):
        raise ValueError(f"{op}: bias must have shape ({channels},), got {b.shape} (weight shape {w.shape})")


def _check_fits(op: str, x: Tensor, geom: Geometry) -> None:
    reach = tuple(d * (k - 1) + 1 for d, k in zip(geom.dilation, geom.kernel))
    padded = geom.padded_hw
    if padded[0] < reach[0] or padded[1] < reach[1]:
        raise ValueError(
            f"{op}: padded input size per channel {padded} is smaller than the dilated kernel size "
            f"{reach} (input shape {x.shape}, kernel {geom.kernel}, dilation {geom.dilation}); "
            f"the kernel can't be larger than the (padded) input"
        )


def conv_padding(op: str, padding: Any, kernel: Pair, stride: Pair, dilation: Pair) -> kernels.Padding:
    """``padding`` as (top, bottom, left, right); "same" puts an odd extra row/column at the end."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"{op}: padding must be 'same', 'valid', an int or a pair, got {padding!r}")
        if stride != (1, 1):
            raise ValueError(
                f"{op}: padding='same' is not supported for strided convolutions (stride={stride})"
            )
        total = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return (total[0] // 2, total[0] - total[0] // 2, total[1] // 2, total[1] - total[1] // 2)
    ph, pw = functional_pair(padding, "padding", op, 0)
    return (ph, ph, pw, pw)


# ---- public functions ------------------------------------------------------------------------


@op(functional=True)
def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair | str = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation of ``input`` (N, C, H, W) or (C, H, W) with ``weight`` (O, C/groups, kH, kW).

    As ``torch.nn.functional.conv2d``, with ``padding="same"|"valid"``.

    >>> import minigrad
    >>> conv2d(minigrad.ones(1, 2, 4, 4), minigrad.ones(3, 2, 3, 3), padding=1)[0, 0]
    tensor([[ 8., 12., 12.,  8.],
            [12., 18., 18., 12.],
            [12., 18., 18., 12.],
            [ 8., 12., 12.,  8.]])
    """
    op = "conv2d"
    check_dtypes(op, ANY_INTEGER, input=input, weight=weight, bias=bias)
    x, unbatched = batched(op, input)
    _check_conv(op, x, weight, bias, groups, 1, 0)
    groups = int(groups)
    stride = functional_pair(stride, "stride", op, 1)
    dilation = functional_pair(dilation, "dilation", op, 1)
    kernel = weight.shape[2:]
    geom = kernels.geometry(
        x.shape[2:], kernel, stride, conv_padding(op, padding, kernel, stride, dilation), dilation
    )
    _check_fits(op, x, geom)
    y = Conv2d.apply(x, weight, bias, geom, groups)
    return y.squeeze(0) if unbatched else y


@op(functional=True)
def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    groups: int = 1,
    dilation: IntOrPair = 1,
) -> Tensor:
    """Transposed convolution of ``input`` (N, C_in, H, W) with ``weight`` (C_in, C_out/groups, kH, kW).

    The gradient of ``conv2d`` with respect to its input, as ``torch.nn.functional.conv_transpose2d``:
    ``H_out = (H - 1) stride - 2 padding + dilation (kH - 1) + output_padding + 1``.

    >>> import minigrad
    >>> conv_transpose2d(minigrad.ones(1, 1, 2, 2), minigrad.ones(1, 1, 2, 2))[0, 0]
    tensor([[1., 2., 1.],
            [2., 4., 2.],
            [1., 2., 1.]])
    """
    op = "conv_transpose2d"
    check_dtypes(op, INT64, input=input, weight=weight, bias=bias)
    z, unbatched = batched(op, input)
    _check_conv(op, z, weight, bias, groups, 0, 1)
    groups = int(groups)
    stride = functional_pair(stride, "stride", op, 1)
    dilation = functional_pair(dilation, "dilation", op, 1)
    ph, pw = functional_pair(padding, "padding", op, 0)
    extra = functional_pair(output_padding, "output_padding", op, 0)
    for axis in range(2):
        if extra[axis] >= max(stride[axis], dilation[axis]):
            raise ValueError(
                f"{op}: output_padding {extra} must be smaller than either stride {stride} or "
                f"dilation {dilation}"
            )
    kernel = weight.shape[2:]
    out_hw = tuple(
        transposed_out_size(z.shape[2 + a], kernel[a], stride[a], (ph, pw)[a], dilation[a], extra[a])
        for a in range(2)
    )
    if min(out_hw) < 1:
        raise ValueError(
            f"{op}: output size {out_hw} is too small (input shape {z.shape}, weight {weight.shape}, "
            f"stride {stride}, padding {(ph, pw)}, dilation {dilation})"
        )
    # the convolution whose input gradient this is; output_padding rows get no contribution
    geom = Geometry(out_hw, kernel, stride, (ph, ph, pw, pw), dilation, z.shape[2:], stride == (1, 1))
    y = ConvInputGrad.apply(z, weight, geom, groups)
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1)
    return y.squeeze(0) if unbatched else y


@op(functional=True)
def corr2d(X: Tensor, K: Tensor) -> Tensor:
    """The textbook's 2-D cross-correlation of a 2-D input ``X`` and a 2-D kernel ``K``.

    Output size ``(n_h - k_h + 1, n_w - k_w + 1)``; the one-channel case of ``conv2d``.

    >>> import minigrad
    >>> X = minigrad.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    >>> corr2d(X, minigrad.tensor([[0.0, 1.0], [2.0, 3.0]]))
    tensor([[19., 25.],
            [37., 43.]])
    """
    check_dtypes("corr2d", ANY_INTEGER, X=X, K=K)
    if X.ndim != 2 or K.ndim != 2:
        raise ValueError(f"corr2d: X and K must both be 2-D, got shapes {X.shape} and {K.shape}")
    if K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError(
            f"corr2d: kernel K of shape {tuple(K.shape)} is larger than input X of shape {tuple(X.shape)}"
        )
    out = conv2d(X.reshape(1, 1, *X.shape), K.reshape(1, 1, *K.shape))
    return out.reshape(out.shape[2:])


@op(functional=True)
def convolve2d(X: Tensor, K: Tensor) -> Tensor:
    """True 2-D convolution: ``corr2d`` with the kernel flipped up-down and left-right.

    >>> import minigrad
    >>> X = minigrad.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    >>> convolve2d(X, minigrad.tensor([[0.0, 1.0], [2.0, 3.0]]))
    tensor([[ 5., 11.],
            [23., 29.]])
    """
    check_dtypes("convolve2d", ANY_INTEGER, X=X, K=K)
    if K.ndim != 2:
        raise ValueError(f"convolve2d: K must be 2-D, got shape {K.shape}")
    return corr2d(X, K.flip(0, 1))
