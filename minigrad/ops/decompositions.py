"""Inverses, determinants, solves and decompositions of (batches of) matrices, as ``torch.linalg``.

The array module's ``linalg`` computes each forward; each backward is PyTorch's formula (its
``FunctionsManual.cpp``) written with minigrad ops, on the saved inputs and outputs, so it is
differentiable again. Inputs are ``(..., n, n)`` (or ``(..., m, n)``) float32 or float64 tensors.
"""

from __future__ import annotations

from collections import namedtuple

from minigrad import dtypes
from minigrad.autograd.function import Function
from minigrad.ops.elementwise import where
from minigrad.ops.linalg import matmul
from minigrad.ops.registry import op
from minigrad.ops.shape import broadcast_shapes, cat, expand
from minigrad.tensor import Tensor

linalg_slogdet = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
linalg_qr = namedtuple("linalg_qr", ["Q", "R"])
linalg_svd = namedtuple("linalg_svd", ["U", "S", "Vh"])
linalg_eigh = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])


def _check(name: str, A: Tensor, square: bool = True, what: str = "A") -> None:
    """PyTorch's checks of a linalg input: a float32/float64 batch of (square) matrices."""
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {what} must have at least 2 dimensions.")
    if not dtypes.is_floating(A.dtype):
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. Got {dtypes.torch_name(A.dtype)}"
        )
    if A.dtype == dtypes.float16:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got Half")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are {A.shape[-2]} by {A.shape[-1]} matrices"
        )


def _eye(like: Tensor, n: int) -> Tensor:
    return Tensor(like.xp.eye(n, dtype=like.dtype))


def _diag(v: Tensor) -> Tensor:
    """Batched ``diag_embed``: the vectors ``v[..., :]`` on the diagonals of matrices."""
    return v.unsqueeze(-1) * _eye(v, v.shape[-1])


def _tril(like: Tensor, n: int, diagonal: float) -> Tensor:
    """The lower triangle of ones, ``diagonal`` on its diagonal: multiplying by it masks a matrix."""
    xp = like.xp
    return Tensor((xp.tril(xp.ones((n, n)), -1) + diagonal * xp.eye(n)).astype(like.dtype))


def _unsqueezed(t: Tensor) -> Tensor:
    return t.unsqueeze(-1).unsqueeze(-1)


# --- inverse, determinants, solve --------------------------------------------------------


class Inv(Function):
    """``A⁻¹``; ``dA = -A⁻ᵀ G A⁻ᵀ``."""

    @staticmethod
    def forward(ctx, a):
        xp = a.xp
        try:
            out = Tensor(xp.linalg.inv(a.array))
        except xp.linalg.LinAlgError:
            raise RuntimeError(
                "linalg.inv: The inversion could not be completed because the input matrix is singular."
            ) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (inverse,) = ctx.saved_tensors
        return -matmul(matmul(inverse.mT, grad), inverse.mT)


@op(linalg="inv", function="inverse", method="inverse")
def inv(A: Tensor) -> Tensor:
    """The inverse of each square matrix of ``A``; a singular one is an error."""
    _check("linalg.inv", A)
    return Inv.apply(A)


class Det(Function):
    """``det A``; ``dA = G det(A) A⁻ᵀ`` (invertible ``A``)."""

    @staticmethod
    def forward(ctx, a):
        out = Tensor(a.xp.asarray(a.xp.linalg.det(a.array)))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, det = ctx.saved_tensors
        return _unsqueezed(grad * det) * inv(a).mT


@op(linalg=True, function=True, method=True)
def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix of ``A``."""
    _check("linalg.det", A)
    return Det.apply(A)


class SlogDet(Function):
    """``(sign, log|det A|)``; the sign has no gradient, ``d log|det A| = A⁻ᵀ``."""

    @staticmethod
    def forward(ctx, a):
        sign, logabsdet = a.xp.linalg.slogdet(a.array)
        ctx.save_for_backward(a)
        return Tensor(a.xp.asarray(sign)), Tensor(a.xp.asarray(logabsdet))

    @staticmethod
    def backward(ctx, grad_sign, grad_logabsdet):
        (a,) = ctx.saved_tensors
        return _unsqueezed(grad_logabsdet) * inv(a).mT


@op(linalg=True, function=True, method=True)
def slogdet(A: Tensor) -> linalg_slogdet:
    """The sign and the log of the absolute value of the determinant, without over- or underflow."""
    _check("linalg.slogdet", A)
    return linalg_slogdet(*SlogDet.apply(A))


@op(function=True, method=True)
def logdet(A: Tensor) -> Tensor:
    """``log(det A)``: NaN where the determinant is negative, -inf where it is 0."""
    _check("logdet", A)
    sign, logabsdet = SlogDet.apply(A)
    return where(sign < 0, float("nan"), logabsdet)


class Solve(Function):
    """``X = A⁻¹ B`` for ``A`` (..., n, n) and ``B`` (..., n, k) of one batch shape;
    ``dB = A⁻ᵀ G``, ``dA = -dB Xᵀ``."""

    @staticmethod
    def forward(ctx, a, b):
        xp = a.xp
        try:
            out = Tensor(xp.linalg.solve(a.array, b.array))
        except xp.linalg.LinAlgError:
            raise RuntimeError(
                "torch.linalg.solve: The solver failed because the input matrix is singular."
            ) from None
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        grad_b = Solve.apply(a.mT, grad)
        return (-matmul(grad_b, x.mT) if ctx.needs_input_grad[0] else None), grad_b


@op(linalg=True)
def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """The solution ``X`` of ``A X = B`` (``X A = B`` with ``left=False``), batches broadcast. ``B``
    is a vector (or a batch of them) when it has one dimension, or the shape of ``A`` without its
    last."""
    _check("linalg.solve", A)
    if B.ndim < 1:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    if A.dtype != B.dtype:
        raise RuntimeError(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{dtypes.torch_name(A.dtype)} and B of type {dtypes.torch_name(B.dtype)} instead"
        )
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if vector:  # a column, also with left=False (where it fits only 1x1 matrices), as in PyTorch
        B = B.unsqueeze(-1)
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
            f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})"
        )
    if not left:  # X A = B is Aᵀ Xᵀ = Bᵀ
        X = solve(A.mT, B.mT).mT
        return X.squeeze(-1) if vector else X
    batch = broadcast_shapes(A.shape[:-2], B.shape[:-2])
    X = Solve.apply(expand(A, *batch, n, n), expand(B, *batch, *B.shape[-2:]))
    return X.squeeze(-1) if vector else X


# --- Cholesky ----------------------------------------------------------------------------


class Cholesky(Function):
    """``A = L Lᵀ`` from the lower triangle of ``A``; ``dA = sym(L⁻ᵀ Φ(Lᵀ G) L⁻¹)`` with ``Φ``
    the lower triangle, its diagonal halved (Murray 2016)."""

    @staticmethod
    def forward(ctx, a):
        xp = a.xp
        try:
            out = Tensor(xp.linalg.cholesky(a.array))
        except xp.linalg.LinAlgError:
            raise _not_positive_definite(a) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (lower,) = ctx.saved_tensors
        phi = matmul(lower.mT, grad) * _tril(grad, grad.shape[-1], 0.5)
        lower_inv = inv(lower)
        grad_a = matmul(matmul(lower_inv.mT, phi), lower_inv)
        return (grad_a + grad_a.mT) * 0.5


def _not_positive_definite(a: Tensor) -> RuntimeError:
    """PyTorch's message, naming the first batch element and leading minor that fail (an error
    path only: it factors the leading minors one by one)."""
    xp, n = a.xp, a.shape[-1]
    matrices = a.array.reshape(-1, n, n)
    for b in range(matrices.shape[0]):
        for k in range(1, n + 1):
            try:
                xp.linalg.cholesky(matrices[b, :k, :k])
            except xp.linalg.LinAlgError:
                element = f"(Batch element {b}): " if a.ndim > 2 else ""
                return RuntimeError(
                    f"linalg.cholesky: {element}The factorization could not be completed because the input is "
                    f"not positive-definite (the leading minor of order {k} is not positive-definite)."
                )
    return RuntimeError("linalg.cholesky: the input is not positive-definite")


@op(linalg=True)
def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """The lower triangular ``L`` with ``A = L Lᵀ`` (read from ``A``'s lower triangle), or ``Lᵀ``
    with ``upper=True``; ``A`` must be symmetric positive-definite."""
    _check("linalg.cholesky", A)
    lower = Cholesky.apply(A)
    return lower.mT if upper else lower


# --- QR ----------------------------------------------------------------------------------


class QR(Function):
    """``A = Q R``; the backward is PyTorch's ``linalg_qr_backward``: for ``m >= n``,
    ``dA = (dQ + Q copyltu(M)) R⁻ᵀ`` with ``M = R dRᵀ - dQᵀ Q``; a wide matrix splits into its
    square part and the rest."""

    @staticmethod
    def forward(ctx, a, mode):
        ctx.mode, ctx.shape = mode, a.shape
        xp = a.xp
        if mode == "r":
            q, r = xp.zeros((0,), dtype=a.dtype), xp.linalg.qr(a.array, mode="r")
        else:
            q, r = xp.linalg.qr(a.array, mode=mode)
        q, r = Tensor(q), Tensor(r)
        ctx.save_for_backward(q, r)
        return q, r

    @staticmethod
    def backward(ctx, grad_q, grad_r):
        m, n = ctx.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr."
            )
        if ctx.mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        q, r = ctx.saved_tensors
        if m >= n:
            return _qr_backward(grad_q, grad_r, q, r), None
        square, rest = r[..., :m], r[..., m:]  # A = Q [square | rest], rest = Qᵀ A[..., m:]
        grad_square, grad_rest = grad_r[..., :m], grad_r[..., m:]
        grad_q = grad_q + matmul(matmul(q, rest), grad_rest.mT)
        return cat([_qr_backward(grad_q, grad_square, q, square), matmul(q, grad_rest)], dim=-1), None


def _qr_backward(grad_q: Tensor, grad_r: Tensor, q: Tensor, r: Tensor) -> Tensor:
    """The gradient of ``A = Q R`` for a tall or square ``A`` (``R`` square, invertible)."""
    m_ = matmul(r, grad_r.mT) - matmul(grad_q.mT, q)
    strict = m_ * _tril(m_, m_.shape[-1], 0.0)
    copyltu = strict + strict.mT + m_ * _eye(m_, m_.shape[-1])
    b = grad_q + matmul(q, copyltu)
    return solve(r, b.mT).mT  # b R⁻ᵀ


@op(linalg=True)
def qr(A: Tensor, mode: str = "reduced") -> linalg_qr:
    """``Q`` with orthonormal columns and upper triangular ``R``, ``A = Q R``. ``mode="complete"``
    gives a square ``Q``; ``mode="r"`` only ``R`` (``Q`` is empty)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or 'complete'"
        )
    _check("linalg.qr", A, square=False)
    return linalg_qr(*QR.apply(A, mode))


# --- SVD ---------------------------------------------------------------------------------


class SVD(Function):
    """``A = U diag(S) Vh``; the backward is PyTorch's ``svd_backward`` (singular values must be
    distinct where ``U`` or ``Vh`` get a gradient; with ``full_matrices`` only the first
    ``min(m, n)`` singular vectors get one, as in PyTorch)."""

    @staticmethod
    def forward(ctx, a, full_matrices):
        u, s, vh = (Tensor(x) for x in a.xp.linalg.svd(a.array, full_matrices=full_matrices))
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, grad_u, grad_s, grad_vh):
        u, s, vh = ctx.saved_tensors
        m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
        u, grad_u, vh, grad_vh = u[..., :k], grad_u[..., :k], vh[..., :k, :], grad_vh[..., :k, :]
        v, grad_v = vh.mT, grad_vh.mT
        uu, vv = matmul(u.mT, grad_u), matmul(vh, grad_v)
        s2 = s * s
        gap = s2.unsqueeze(-2) - s2.unsqueeze(-1) + _eye(s, k)  # sⱼ² - sᵢ², 1 on the diagonal
        core = ((uu - uu.mT) * s.unsqueeze(-2) + s.unsqueeze(-1) * (vv - vv.mT)) / gap + _diag(grad_s)
        if m > n:  # the part of dU outside the span of U
            grad_u_scaled = grad_u / s.unsqueeze(-2)
            core = matmul(u, core) + grad_u_scaled - matmul(u, matmul(u.mT, grad_u_scaled))
            return matmul(core, vh), None
        if m < n:
            grad_v_scaled = grad_v / s.unsqueeze(-2)
            core = matmul(core, vh) + (grad_v_scaled - matmul(v, matmul(vh, grad_v_scaled))).mT
            return matmul(u, core), None
        return matmul(matmul(u, core), vh), None


@op(linalg=True)
def svd(A: Tensor, full_matrices: bool = True) -> linalg_svd:
    """The singular value decomposition ``A = U diag(S) Vh``, ``S`` descending; ``U`` and ``Vh`` are
    square with ``full_matrices=True`` (the default), else ``min(m, n)`` wide."""
    _check("linalg.svd", A, square=False)
    return linalg_svd(*SVD.apply(A, full_matrices))


class SVDVals(Function):
    """The singular values; ``dA = U diag(G) Vh``, with ``U`` and ``Vh`` from a differentiable ``svd``
    in backward, so that second derivatives see how they move."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return Tensor(a.xp.linalg.svd(a.array, compute_uv=False))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        u, _, vh = SVD.apply(a, False)
        return matmul(u * grad.unsqueeze(-2), vh)


@op(linalg=True)
def svdvals(A: Tensor) -> Tensor:
    """The singular values of ``A``, descending."""
    _check("linalg.svdvals", A, square=False)
    return SVDVals.apply(A)


# --- symmetric eigendecomposition --------------------------------------------------------


def _uplo(UPLO: str) -> str:
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper()


class Eigh(Function):
    """``A = V diag(L) Vᵀ`` from one triangle of ``A``; ``dA = V (diag(dL) + skew(Vᵀ dV) / E) Vᵀ``
    with ``Eᵢⱼ = Lⱼ - Lᵢ`` (PyTorch's ``linalg_eig_backward``; eigenvalues must be distinct where
    ``V`` gets a gradient)."""

    @staticmethod
    def forward(ctx, a, uplo):
        values, vectors = (Tensor(x) for x in a.xp.linalg.eigh(a.array, UPLO=uplo))
        ctx.save_for_backward(values, vectors)
        return values, vectors

    @staticmethod
    def backward(ctx, grad_values, grad_vectors):
        values, vectors = ctx.saved_tensors
        vv = matmul(vectors.mT, grad_vectors)
        gap = values.unsqueeze(-2) - values.unsqueeze(-1) + _eye(values, values.shape[-1])
        core = (vv - vv.mT) * 0.5 / gap + _diag(grad_values)
        return matmul(matmul(vectors, core), vectors.mT), None


@op(linalg=True)
def eigh(A: Tensor, UPLO: str = "L") -> linalg_eigh:
    """Eigenvalues (ascending) and orthonormal eigenvectors of symmetric matrices, read from the
    lower (``UPLO="L"``) or upper triangle."""
    _check("linalg.eigh", A)
    return linalg_eigh(*Eigh.apply(A, _uplo(UPLO)))


class EigvalsH(Function):
    """The eigenvalues of symmetric matrices; ``dA = V diag(G) Vᵀ``, ``V`` from a differentiable
    ``eigh`` in backward."""

    @staticmethod
    def forward(ctx, a, uplo):
        ctx.uplo = uplo
        ctx.save_for_backward(a)
        return Tensor(a.xp.linalg.eigvalsh(a.array, UPLO=uplo))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        _, vectors = Eigh.apply(a, ctx.uplo)
        return matmul(vectors * grad.unsqueeze(-2), vectors.mT), None


@op(linalg=True)
def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues (ascending) of symmetric matrices."""
    _check("linalg.eigvalsh", A)
    return EigvalsH.apply(A, _uplo(UPLO))
