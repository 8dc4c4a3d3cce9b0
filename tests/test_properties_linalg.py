"""Property tests of the matrix products and the linear algebra: forward values against NumPy,
gradcheck and gradgradcheck on hypothesis-drawn inputs.

Products take distinct values in [-2, 2]. The decompositions take well-conditioned matrices: a
dominant diagonal (``D + X/4``, ``X`` drawn) keeps inverses, solves and QR's ``R`` tame and the
singular values apart; ``Y Yᵀ + n I`` is positive-definite for Cholesky; a symmetric matrix with
a spread diagonal has distinct eigenvalues. Losses on singular vectors and eigenvectors are
invariant under their sign (``U²``, ``U diag(S) Vh``), as their gradients only exist for those.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties_ops import check, distinct_tensors, host, op

import minigrad
from minigrad.testing import assert_close

FEW = settings(max_examples=8)  # the decompositions
FEWER = settings(max_examples=5)  # products: each example checks a small graph of matmuls
SIDES = st.integers(1, 3)


def _sizes(draw):
    return {name: draw(SIDES) for name in "bnmk"}


# spelling: (input shapes from the sizes b, n, m, k; keyword arguments; NumPy reference)
PRODUCTS = {
    "minigrad.dot": (lambda b, n, m, k: [(n,), (n,)], {}, np.dot),
    "minigrad.outer": (lambda b, n, m, k: [(n,), (m,)], {}, np.outer),
    "minigrad.addr": (
        lambda b, n, m, k: [(n, 1), (n,), (m,)],
        {"beta": 0.5, "alpha": 2.0},
        lambda i, u, v: 0.5 * i + 2.0 * np.outer(u, v),
    ),
    "minigrad.mv": (lambda b, n, m, k: [(n, m), (m,)], {}, np.matmul),
    "minigrad.addmv": (
        lambda b, n, m, k: [(n,), (n, m), (m,)],
        {"alpha": -1.5},
        lambda i, a, v: i - 1.5 * (a @ v),
    ),
    "minigrad.mm": (lambda b, n, m, k: [(n, m), (m, k)], {}, np.matmul),
    "minigrad.addmm": (
        lambda b, n, m, k: [(k,), (n, m), (m, k)],
        {"beta": 2.0},
        lambda i, a, c: 2.0 * i + a @ c,
    ),
    "minigrad.bmm": (lambda b, n, m, k: [(b, n, m), (b, m, k)], {}, np.matmul),
    "minigrad.baddbmm": (
        lambda b, n, m, k: [(n, k), (b, n, m), (b, m, k)],
        {"beta": 0.5, "alpha": 0.25},
        lambda i, a, c: 0.5 * i + 0.25 * (a @ c),
    ),
    "minigrad.addbmm": (
        lambda b, n, m, k: [(n, k), (b, n, m), (b, m, k)],
        {"alpha": 2.0},
        lambda i, a, c: i + 2.0 * (a @ c).sum(0),
    ),
    "minigrad.kron": (lambda b, n, m, k: [(n, m), (k, b, 2)], {}, np.kron),
    "minigrad.tensordot": (lambda b, n, m, k: [(n, m, k), (m, k, b)], {}, np.tensordot),
    "linalg.cross": (lambda b, n, m, k: [(n, 1, 3), (1, m, 3)], {}, np.cross),
    "minigrad.cross": (
        lambda b, n, m, k: [(3, n), (3, n)],
        {"dim": 0},
        lambda a, c: np.cross(a, c, axis=0),
    ),
    "linalg.multi_dot": (
        lambda b, n, m, k: [(n,), (n, m), (m, k), (k,)],
        {},
        lambda *ts: np.linalg.multi_dot(ts),
    ),
}


@FEWER
@pytest.mark.parametrize("name", PRODUCTS)
@given(data=st.data())
def test_products(name, data):
    shapes, kwargs, reference = PRODUCTS[name]
    inputs = data.draw(distinct_tensors(shapes(**_sizes(data.draw)), min_value=-2.0, max_value=2.0))
    if name == "linalg.multi_dot":
        func = lambda *ts: op(name)(list(ts))  # noqa: E731
    else:
        func = lambda *ts: op(name)(*ts, **kwargs)  # noqa: E731
    assert_close(func(*inputs), reference(*[host(t) for t in inputs]), rtol=1e-12, atol=1e-12)
    check(func, *inputs)


# spelling: the out-of-place op it writes into its tensor
IN_PLACE = {
    "Tensor.addr_": "minigrad.addr",
    "Tensor.addmv_": "minigrad.addmv",
    "Tensor.addmm_": "minigrad.addmm",
    "Tensor.baddbmm_": "minigrad.baddbmm",
    "Tensor.addbmm_": "minigrad.addbmm",
}


@FEWER
@pytest.mark.parametrize("name", IN_PLACE)
@given(data=st.data())
def test_products_in_place(name, data):
    """``y = x * 1`` overwritten by the op, times ``x``: both paths through ``x`` carry gradients."""
    shapes, kwargs, reference = PRODUCTS[IN_PLACE[name]]
    sizes = _sizes(data.draw)
    x, *others = data.draw(distinct_tensors(shapes(**sizes), min_value=-2.0, max_value=2.0))
    x = minigrad.tensor(np.broadcast_to(host(x), reference(host(x), *map(host, others)).shape).copy())
    x.requires_grad_()

    def func(t, *args):
        y = t * 1
        op(name)(y, *args, **kwargs)
        return y * t

    expected = reference(host(x), *[host(t) for t in others]) * host(x)
    assert_close(func(x, *others), expected, rtol=1e-12, atol=1e-12)
    check(func, x, *others)


EQUATIONS = [
    # equation, input shapes from the sizes
    ("ij,jk->ik", lambda b, n, m, k: [(n, m), (m, k)]),
    ("ij,jk", lambda b, n, m, k: [(n, m), (1, k)]),  # size-1 broadcasting of j
    ("bij,bjk->bik", lambda b, n, m, k: [(b, n, m), (b, m, k)]),
    ("...ij,...jk", lambda b, n, m, k: [(b, n, m), (m, k)]),  # ellipsis broadcasting
    ("ii->i", lambda b, n, m, k: [(n, n)]),  # a diagonal
    ("ii", lambda b, n, m, k: [(n, n)]),  # a trace
    ("iij,k->jk", lambda b, n, m, k: [(n, n, m), (k,)]),
    ("i,j->ij", lambda b, n, m, k: [(n,), (m,)]),
    ("ij->", lambda b, n, m, k: [(n, m)]),
    ("i...->...", lambda b, n, m, k: [(n, m, k)]),
    ("ab,bc,cd->da", lambda b, n, m, k: [(n, m), (m, k), (k, b)]),
    ("ji", lambda b, n, m, k: [(n, m)]),
]


@FEWER
@pytest.mark.parametrize("equation, shapes", EQUATIONS, ids=[e for e, _ in EQUATIONS])
@given(data=st.data())
def test_einsum(equation, shapes, data):
    inputs = data.draw(distinct_tensors(shapes(**_sizes(data.draw)), min_value=-2.0, max_value=2.0))
    assert_close(
        minigrad.einsum(equation, *inputs), np.einsum(equation, *map(host, inputs)), rtol=1e-12, atol=1e-12
    )
    check(lambda *ts: minigrad.einsum(equation, *ts), *inputs)


@FEWER
@given(data=st.data())
def test_mm_and_chain_matmul(data):
    a, b = data.draw(
        distinct_tensors([(data.draw(SIDES), 2), (2, data.draw(SIDES))], min_value=-2.0, max_value=2.0)
    )
    assert_close(a.mm(b), host(a) @ host(b), rtol=1e-12, atol=1e-12)
    check(lambda p, q: p.mm(q), a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # chain_matmul is deprecated, as in PyTorch
        check(minigrad.chain_matmul, a, b)


# --- decompositions --------------------------------------------------------------------------

BATCHES = st.sampled_from([(), (2,)])


@st.composite
def dominant(draw, rows=None, cols=None):
    """A (batch of) matrix ``D + X / 4``: ``D`` with the spread diagonal 3, 2, 1 (singular values
    apart, well conditioned), ``X`` distinct values in [-1, 1]."""
    batch, rows = draw(BATCHES), rows or draw(SIDES)
    cols = cols or rows
    (x,) = draw(distinct_tensors([(*batch, rows, cols)], min_value=-1.0, max_value=1.0))
    spread = np.zeros((rows, cols))
    k = min(rows, cols)
    spread[range(k), range(k)] = np.arange(k, 0, -1) + 0.5
    return minigrad.tensor(host(x) / 4 + spread, requires_grad=True)


def symmetric(x):
    return (x + x.mT) / 2


def positive_definite(x):
    return x @ x.mT + x.shape[-1] * minigrad.eye(x.shape[-1], dtype=x.dtype)


@FEW
@given(a=dominant())
def test_inv_det_slogdet_logdet(a):
    assert_close(minigrad.linalg.inv(a), np.linalg.inv(host(a)), rtol=1e-10, atol=1e-12)
    assert_close(minigrad.linalg.det(a), np.linalg.det(host(a)), rtol=1e-10, atol=1e-12)
    check(minigrad.linalg.inv, a)
    check(minigrad.linalg.det, a)
    check(lambda t: minigrad.linalg.slogdet(t).logabsdet, a)
    check(lambda t: minigrad.logdet(positive_definite(t)), a)


@FEW
@given(data=st.data())
def test_solve(data):
    a = data.draw(dominant())
    n, k = a.shape[-1], data.draw(SIDES)
    (b,) = data.draw(distinct_tensors([(1, n, k)], min_value=-2.0, max_value=2.0))  # a batch broadcast
    assert_close(minigrad.linalg.solve(a, b), np.linalg.solve(host(a), host(b)), rtol=1e-10, atol=1e-12)
    check(minigrad.linalg.solve, a, b)
    check(lambda p, q: minigrad.linalg.solve(p, q.mT, left=False), a, b)
    check(lambda p, q: minigrad.linalg.solve(p, q[0, :, 0]), a, b)  # a vector


@FEW
@given(a=dominant(), upper=st.booleans())
def test_cholesky(a, upper):
    """Of ``Y Yᵀ + n I``: the factorization reads one triangle, so the input is made symmetric first."""
    lower = np.linalg.cholesky(host(positive_definite(a)))
    expected = np.swapaxes(lower, -1, -2) if upper else lower
    assert_close(
        minigrad.linalg.cholesky(positive_definite(a), upper=upper), expected, rtol=1e-10, atol=1e-12
    )
    check(lambda t: minigrad.linalg.cholesky(positive_definite(t), upper=upper), a)


@FEW
@given(data=st.data())
def test_qr(data):
    rows, cols = data.draw(SIDES), data.draw(SIDES)
    a = data.draw(dominant(rows, cols))
    mode = data.draw(st.sampled_from(["reduced", "complete"] if rows <= cols else ["reduced"]))
    q, r = minigrad.linalg.qr(a, mode=mode)
    assert_close(q @ r, host(a), rtol=1e-10, atol=1e-12)
    check(lambda t: tuple(minigrad.linalg.qr(t, mode=mode)), a)


@FEW
@given(data=st.data())
def test_svd_and_svdvals(data):
    a = data.draw(dominant(data.draw(SIDES), data.draw(SIDES)))
    assert_close(minigrad.linalg.svdvals(a), np.linalg.svd(host(a), compute_uv=False), rtol=1e-10, atol=1e-12)
    full = data.draw(st.booleans())
    k = min(a.shape[-2:])

    def squares(t):
        u, s, vh = minigrad.linalg.svd(t, full_matrices=full)
        return u[..., :k] ** 2, s, vh[..., :k, :] ** 2

    check(squares, a)
    check(minigrad.linalg.svdvals, a)


@FEW
@given(a=dominant(), uplo=st.sampled_from(["L", "U"]))
def test_eigh_and_eigvalsh(a, uplo):
    values, vectors = minigrad.linalg.eigh(symmetric(a), UPLO=uplo)
    assert_close(values, np.linalg.eigvalsh(host(symmetric(a))), rtol=1e-10, atol=1e-12)
    assert_close((vectors * values.unsqueeze(-2)) @ vectors.mT, host(symmetric(a)), rtol=1e-10, atol=1e-12)

    def squares(t):
        values, vectors = minigrad.linalg.eigh(symmetric(t), UPLO=uplo)
        return values, vectors**2

    check(squares, a)
    check(lambda t: minigrad.linalg.eigvalsh(symmetric(t), UPLO=uplo), a)


TABLES = [PRODUCTS, IN_PLACE]

CHECKED_BY = {
    "minigrad.einsum": test_einsum,
    "Tensor.mm": test_mm_and_chain_matmul,
    "minigrad.chain_matmul": test_mm_and_chain_matmul,
    "linalg.inv": test_inv_det_slogdet_logdet,
    "linalg.det": test_inv_det_slogdet_logdet,
    "linalg.slogdet": test_inv_det_slogdet_logdet,
    "minigrad.logdet": test_inv_det_slogdet_logdet,
    "linalg.solve": test_solve,
    "linalg.cholesky": test_cholesky,
    "linalg.qr": test_qr,
    "linalg.svd": test_svd_and_svdvals,
    "linalg.svdvals": test_svd_and_svdvals,
    "linalg.eigh": test_eigh_and_eigvalsh,
    "linalg.eigvalsh": test_eigh_and_eigvalsh,
}
