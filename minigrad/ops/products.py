"""Products of vectors, matrices and batches, as PyTorch names them: dot, mv, mm, bmm, outer, the
``add*`` forms (``beta * input + alpha * product``), einsum, tensordot, kron, cross, multi_dot.

Each is a shape check and a formula of ``matmul``, ``einsum`` or elementwise ops, so gradients
(of any order) come from those. ``einsum`` is the one new Function: the gradient of an operand
is an einsum of the output gradient with the other operands.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from minigrad import dtypes
from minigrad._checks import is_int, normalize_dim
from minigrad.autograd.function import Function
from minigrad.ops.elementwise import promote, where
from minigrad.ops.linalg import c_name, check_dtypes, matmul
from minigrad.ops.registry import op
from minigrad.ops.shape import broadcast_shapes, expand
from minigrad.tensor import Tensor


def _no_bool(kernel: str, *tensors: Tensor) -> None:
    if any(t.dtype == dtypes.bool_ for t in tensors):
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _matrix_shape(t: Tensor) -> str:
    return "x".join(str(s) for s in t.shape)


def _scalar_type(first: Tensor, *others: Tensor) -> None:
    """PyTorch's check that every operand has the first one's dtype."""
    for t in others:
        if t.dtype != first.dtype:
            raise RuntimeError(
                f"expected scalar type {dtypes.torch_name(first.dtype)} but found {dtypes.torch_name(t.dtype)}"
            )


def _add_scaled(input: Tensor, product: Tensor, beta: Any, alpha: Any) -> Tensor:
    """``beta * input + alpha * product``, ``input`` broadcast to the product's shape. With
    ``beta == 0`` the values of ``input`` are ignored (NaN included); integer tensors take the
    integer parts of ``beta`` and ``alpha``, as PyTorch's do."""
    input = expand(input, *product.shape)
    if not dtypes.is_floating(product.dtype):
        beta, alpha = int(beta), int(alpha)
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:  # a zero term that still passes (zero) gradients to input
        return scaled + where(Tensor(input.xp.zeros(input.shape, dtype=bool)), input, 0)
    return scaled + (input if beta == 1 else input * beta)


# --- vectors -----------------------------------------------------------------------------


@op(method=("dot", "vdot"), function=("dot", "vdot"))
def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The inner product of two 1-D tensors of one dtype; ``vdot`` is the same for real tensors."""
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    check_dtypes(input, tensor)
    if input.shape != tensor.shape:
        n, m = input.shape[0], tensor.shape[0]
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number of "
            f"elements, but got {n} and {m} elements respectively"
        )
    _no_bool("dot", input)
    return matmul(input, tensor)


@op(method=("outer", "ger"), function=("outer", "ger"))
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """``input[i] * vec2[j]``: the outer product of two 1-D tensors (dtypes promote)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return input.reshape(-1, 1) * vec2


@op(method=True, function=True, inplace="addr_")
def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    for name, t in (("vec1", vec1), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {t.ndim}-D")
    product = outer(vec1, vec2)
    input, product = promote(input, product)
    return _add_scaled(input, product, beta, alpha)


# --- matrix times vector -----------------------------------------------------------------


def _check_mv(input_shape: str, mat: Tensor, vec: Tensor, *, input: Tensor | None = None) -> None:
    ndims = f"{1 if input is None else input.ndim}, {mat.ndim}, {vec.ndim}"
    if mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {ndims}")
    if mat.shape[1] != vec.shape[0] or (
        input is not None and input.ndim == 1 and input.shape[0] not in (1, mat.shape[0])
    ):
        raise RuntimeError(
            f"size mismatch, got input ({input_shape}), mat ({_matrix_shape(mat)}), vec ({vec.shape[0]})"
        )
    first = vec if input is None else input
    if not first.dtype == mat.dtype == vec.dtype:
        names = ", ".join(dtypes.torch_name(t.dtype) for t in (first, mat))
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {names}, and {dtypes.torch_name(vec.dtype)}"
        )


@op(method=True, function=True)
def mv(input: Tensor, vec: Tensor) -> Tensor:
    """A matrix times a vector."""
    _check_mv(str(input.shape[0]) if input.ndim else "", input, vec)
    _no_bool("addmv_impl_cpu", input)
    return matmul(input, vec)


@op(method=True, function=True, inplace="addmv_")
def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    if input.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {mat.ndim}, {vec.ndim}")
    _check_mv(str(input.shape[0]) if input.ndim else "", mat, vec, input=input)
    _no_bool("addmv_impl_cpu", mat)
    return _add_scaled(input, matmul(mat, vec), beta, alpha)


# --- matrix times matrix -----------------------------------------------------------------


def _check_mm(mat1: Tensor, mat2: Tensor) -> None:
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_matrix_shape(mat1)} and {_matrix_shape(mat2)})"
        )
    _no_bool("addmm_impl_cpu_", mat1, mat2)


@op(method=True, function=True)
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """The product of two matrices (2-D only; ``matmul`` broadcasts)."""
    for name, t in (("self", input), ("mat2", mat2)):
        if t.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix")
    check_dtypes(input, mat2)
    _check_mm(input, mat2)
    return matmul(input, mat2)


@op(method=True, function=True, inplace="addmm_")
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``, ``input`` broadcast to the product's shape."""
    for name, t in (("mat1", mat1), ("mat2", mat2)):
        if t.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t.ndim}-D tensor")
    for name, t in (("self", input), ("mat1", mat1)):
        if t.dtype != mat2.dtype:
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got {dtypes.torch_name(t.dtype)} and "
                f"{dtypes.torch_name(mat2.dtype)}"
            )
    _check_mm(mat1, mat2)
    return _add_scaled(input, matmul(mat1, mat2), beta, alpha)


# --- batches of matrices -----------------------------------------------------------------


def _check_bmm(batch1: Tensor, batch2: Tensor) -> None:
    for name, t in (("batch1", batch1), ("batch2", batch2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    expected = [batch1.shape[0], batch1.shape[2]]
    if list(batch2.shape[:2]) != expected:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: {expected} but got: "
            f"{list(batch2.shape[:2])}."
        )
    _no_bool("bmm", batch1)


@op(method=True, function=True)
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Matrix products of two batches of matrices of the same length (no broadcasting)."""
    _check_bmm(input, mat2)
    check_dtypes(input, mat2)
    return matmul(input, mat2)


@op(method=True, function=True, inplace="baddbmm_")
def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    _check_bmm(batch1, batch2)
    if not input.dtype == batch1.dtype == batch2.dtype:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {c_name(input)}, batch1: {c_name(batch1)}, "
            f"batch2: {c_name(batch2)}"
        )
    return _add_scaled(input, matmul(batch1, batch2), beta, alpha)


@op(method=True, function=True, inplace="addbmm_")
def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (the sum over the batch of batch1[b] @ batch2[b])``."""
    for name, t in (("batch1", batch1), ("batch2", batch2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if batch1.shape[2] != batch2.shape[1] or batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(
            f"Incompatible matrix sizes for bmm ({_matrix_shape(batch1[0])} and {_matrix_shape(batch2[0])})"
        )
    for name, t in (("self", input), ("batch1", batch1)):
        if t.dtype != batch2.dtype:
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got {dtypes.torch_name(t.dtype)} and "
                f"{dtypes.torch_name(batch2.dtype)}"
            )
    _no_bool("addbmm", batch1)
    return _add_scaled(input, einsum("bij,bjk->ik", batch1, batch2), beta, alpha)


# --- einsum ------------------------------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Einsum(Function):
    """``einsum`` of an explicit equation (``"ij,jk->ik"``, letters only, sizes that match).

    The gradient of operand ``i`` is the einsum of the output gradient with the other operands,
    into operand ``i``'s subscripts; a subscript repeated in it (a diagonal) is given fresh letters
    tied to the first by identity matrices, and one found in no other term by a vector of ones.
    """

    @staticmethod
    def forward(ctx, equation, *operands):
        ctx.equation = equation
        ctx.save_for_backward(*operands)
        return Tensor(operands[0].xp.einsum(equation, *[t.array for t in operands], optimize=True))

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        lhs, output = ctx.equation.split("->")
        terms = lhs.split(",")
        sizes = {c: s for term, t in zip(terms, operands) for c, s in zip(term, t.shape)}
        fresh = iter(c for c in _LETTERS if c not in ctx.equation)
        grads = [None]
        for i, term in enumerate(terms):
            if not ctx.needs_input_grad[i + 1]:
                grads.append(None)
                continue
            seen = output + "".join(t for j, t in enumerate(terms) if j != i)
            ins, args = [output] + [t for j, t in enumerate(terms) if j != i], [grad]
            args += [t for j, t in enumerate(operands) if j != i]
            target = ""
            for c in term:
                if c in target:  # a diagonal: a fresh letter, equal to c through the identity
                    tied = next(fresh)
                    ins.append(c + tied)
                    args.append(Tensor(grad.xp.eye(sizes[c], dtype=grad.dtype)))
                    c = tied
                elif c not in seen:  # summed in forward within this operand alone
                    ins.append(c)
                    args.append(Tensor(grad.xp.ones(sizes[c], dtype=grad.dtype)))
                target += c
            grads.append(Einsum.apply(",".join(ins) + "->" + target, *args))
        return tuple(grads)


def _term_letters(term: str, i: int, t: Tensor) -> tuple[str, bool]:
    """The letters of one operand's term and whether it has an ellipsis, checked against its shape."""
    letters = term.replace("...", "", 1)
    if "." in letters:
        where_ = (
            "for which an ellipsis was already found" if "..." in term else "that is not part of any ellipsis"
        )
        raise RuntimeError(f"einsum(): found '.' for operand {i} {where_}")
    ellipsis = "..." in term
    if not ellipsis and len(letters) != t.ndim:
        raise RuntimeError(
            f"einsum(): the number of subscripts in the equation ({len(letters)}) does not match the number "
            f"of dimensions ({t.ndim}) for operand {i} and no ellipsis was given"
        )
    if ellipsis and len(letters) > t.ndim:
        raise RuntimeError(
            f"einsum(): the number of subscripts in the equation ({len(letters)}) is more than the number "
            f"of dimensions ({t.ndim}) for operand {i}"
        )
    return letters, ellipsis


def _explicit(equation: str, operands: Sequence[Tensor]) -> tuple[list[str], str, dict[str, int]]:
    """Each operand's letters (an ellipsis replaced by unused letters), the output's, and each
    letter's size after broadcasting (PyTorch's rules and messages)."""
    for k, c in enumerate(equation):
        if not (c in _LETTERS or c in " ,.->"):
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {k} in the equation string, subscripts must "
                "be in [a-zA-Z]"
            )
    lhs, arrow, rhs = equation.replace(" ", "").partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        fewer = "fewer" if len(terms) > len(operands) else "more"
        raise RuntimeError(f"einsum(): {fewer} operands were provided than specified in the equation")
    parsed = [_term_letters(term, i, t) for i, (term, t) in enumerate(zip(terms, operands))]
    spare = [c for c in _LETTERS if c not in equation]
    ellipsis = spare[: max([t.ndim - len(s) for (s, e), t in zip(parsed, operands) if e] or [0])]
    subscripts, sizes = [], {}
    for i, ((letters, has_ellipsis), t) in enumerate(zip(parsed, operands)):
        covered = ellipsis[len(ellipsis) - (t.ndim - len(letters)) :] if has_ellipsis else []
        head, _, tail = terms[i].partition("...")
        subs = head + "".join(covered) + tail if has_ellipsis else letters
        own: dict[str, int] = {}
        for d, (c, s) in enumerate(zip(subs, t.shape)):
            if own.get(c, s) != s:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't match, {s} != {own[c]}"
                )
            own[c] = s
            seen = sizes.get(c, 1)
            if s != 1 and seen != 1 and s != seen:
                if c in covered:
                    raise RuntimeError(
                        f"einsum(): dimension {d - len(head)} covered by ellipsis in operand {i}has size {s} "
                        f"which does not broadcast with previously seen ellipsis with size {seen} for the "
                        "respective dimension"
                    )
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {s} for operand {i} which does not broadcast with "
                    f"previously seen size {seen}"
                )
            sizes[c] = s if seen == 1 else seen
        subscripts.append(subs)
    every = "".join(subscripts)
    if arrow:
        output = rhs.replace("...", "".join(ellipsis))
        for c in output:
            if output.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if c not in every:
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any input operand"
                )
    else:  # implicit: the ellipsis, then the letters seen once, in ASCII order
        output = "".join(ellipsis) + "".join(
            sorted(c for c in set(every) - set(ellipsis) if every.count(c) == 1)
        )
    return subscripts, output, sizes


def _sublist(subscripts: Sequence[Any]) -> str:
    """A sublist's subscripts as letters: 0-25 are A-Z, 26-51 a-z, and ``...`` an ellipsis."""
    out = ""
    for i in subscripts:
        if i is Ellipsis:
            out += "..."
        elif not (is_int(i) and 0 <= i < len(_LETTERS)):
            raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")
        else:
            out += _LETTERS[i]
    return out


@op(function=True)
def einsum(equation: Any, *operands: Any) -> Tensor:
    """Sums of products over the subscripts of ``equation`` (``"bij,bjk->bik"``); the operands come
    as arguments or as one list. Ellipses, size-1 broadcasting, repeated subscripts (diagonals),
    the implicit output and the sublist form (``einsum(a, [0, 1], b, [1, 2])``) are PyTorch's."""
    if not isinstance(equation, str):  # the sublist form, with an optional output sublist last
        args = (equation, *operands)
        odd = len(args) % 2
        operands = args[0 : len(args) - odd : 2]
        equation = ",".join(_sublist(s) for s in args[1::2]) + ("->" + _sublist(args[-1]) if odd else "")
    elif len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    _scalar_type(*operands)
    subscripts, output, sizes = _explicit(equation, operands)
    operands = [expand(t, *[sizes[c] for c in subs]) for t, subs in zip(operands, subscripts)]
    return Einsum.apply(",".join(subscripts) + "->" + output, *operands)


@op(function=True)
def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract the last ``dims`` dimensions of ``a`` with the first of ``b``, or the dimensions
    that ``dims = (dims_a, dims_b)`` lists."""
    if is_int(dims):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
        shown_a = [d - a.ndim for d in dims_a]
    else:
        dims_a, dims_b = (list(d) if isinstance(d, (list, tuple)) else [d] for d in dims)
        if len(dims_a) != len(dims_b):
            raise RuntimeError("both dimension lists should have same length")
        shown_a = dims_a
    for dims_, t in ((dims_a, a), (dims_b, b)):
        wrapped = [normalize_dim(d, t.ndim) for d in dims_]
        for d in wrapped:
            if wrapped.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    letters_a, letters_b = list(_LETTERS[: a.ndim]), list(_LETTERS[a.ndim : a.ndim + b.ndim])
    for da, db, shown in zip(dims_a, dims_b, shown_a):
        da, db = normalize_dim(da, a.ndim), normalize_dim(db, b.ndim)
        if a.shape[da] != b.shape[db] and 1 not in (a.shape[da], b.shape[db]):
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[da]} in dim {shown} and "
                f"second has size {b.shape[db]} in dim {db}"
            )
        letters_b[db] = letters_a[da]
    contracted = set(letters_b) & set(letters_a)
    output = [c for c in letters_a if c not in contracted] + [c for c in letters_b if c not in contracted]
    return einsum(f"{''.join(letters_a)},{''.join(letters_b)}->{''.join(output)}", a, b)


# --- kron, cross, chains -----------------------------------------------------------------


@op(method=True, function=True)
def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: block ``(i, j)`` of the result is ``input[i, j] * other``."""
    ndim = max(input.ndim, other.ndim)
    a_shape = (1,) * (ndim - input.ndim) + tuple(input.shape)
    b_shape = (1,) * (ndim - other.ndim) + tuple(other.shape)
    a = input.reshape([s for side in a_shape for s in (side, 1)])
    b = other.reshape([s for side in b_shape for s in (1, side)])
    return (a * b).reshape([p * q for p, q in zip(a_shape, b_shape)])


def _cross(input: Tensor, other: Tensor, dim: int) -> Tensor:
    """``input × other`` along ``dim``, where both have length 3; the other dimensions broadcast."""
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    _scalar_type(input, other)
    d = normalize_dim(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and {other.shape[d]}"
        )
    shape = broadcast_shapes(input.shape, other.shape)
    lead = (slice(None),) * d

    def rotated(t: Tensor, order: list[int]) -> Tensor:
        return expand(t, *shape)[(*lead, order)]

    next_, after = [1, 2, 0], [2, 0, 1]
    return rotated(input, next_) * rotated(other, after) - rotated(input, after) * rotated(other, next_)


@op(linalg="cross")
def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (the last by default), inputs broadcast."""
    return _cross(input, other, dim)


@op(method="cross", function="cross")
def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product along ``dim``; without ``dim``, along the first dimension of size 3 (with
    PyTorch's deprecation warning)."""
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
            "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
            "with that of linalg.cross in a future release.",
            UserWarning,
            stacklevel=2,
        )
        if 3 not in input.shape:
            raise RuntimeError("no dimension of size 3 in input")
        dim = list(input.shape).index(3)
    return _cross(input, other, dim)


@op(linalg=True)
def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """``tensors[0] @ tensors[1] @ ...``: the first may be a row vector, the last a column vector,
    the others are matrices."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        end = {0: "the first tensor", len(tensors) - 1: "the last tensor"}.get(i)
        if t.ndim != 2 and (end is None or t.ndim != 1):
            what = f"{end} must be 1D or 2D" if end else f"tensor {i} must be 2D"
            raise RuntimeError(f"multi_dot(): {what} but got {t.ndim}D")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{c_name(tensors[0])} and tensor {i} {c_name(t)}"
            )
    first, last = tensors[0].ndim == 1, tensors[-1].ndim == 1
    if first:
        tensors[0] = tensors[0].unsqueeze(0)
    if last:
        tensors[-1] = tensors[-1].unsqueeze(-1)
    out = tensors[0]
    for i, t in enumerate(tensors[1:]):
        if t.shape[0] != tensors[i].shape[1]:
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                f"{list(t.shape)} cannot be multiplied"
            )
        out = matmul(out, t)
    return out.reshape([s for s, keep in zip(out.shape, (not first, not last)) if keep])


@op(function=True)
def chain_matmul(*matrices: Tensor) -> Tensor:
    """Deprecated by PyTorch for ``linalg.multi_dot``: the product of 2-D matrices, in order."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
        "parameters.",
        UserWarning,
        stacklevel=2,
    )
    for t in matrices:
        if t.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {t.ndim}, expected 2 instead.")
    return matrices[0].clone() if len(matrices) == 1 else multi_dot(matrices)
