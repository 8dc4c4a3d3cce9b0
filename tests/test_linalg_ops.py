"""Matrix products and linear algebra: PyTorch as the oracle of values, gradients, second
derivatives and error messages (float64 and float32, batched), and the edge cases by hand
(``beta=0``, empty and integer tensors, the deprecated forms, the non-differentiable modes)."""

import warnings

import numpy as np
import pytest
from test_properties_ops import host

import minigrad
from minigrad.autograd import grad
from minigrad.testing import assert_close

RNG = np.random.default_rng(0)


def spd(*shape):
    """A symmetric positive-definite (batch of) matrix with distinct eigenvalues."""
    b = RNG.standard_normal(shape)
    return b @ np.swapaxes(b, -1, -2) + shape[-1] * np.eye(shape[-1]) + np.diag(np.arange(shape[-1]))


def normal(*shape):
    return RNG.standard_normal(shape)


def usv(lib, a, full):
    u, s, vh = lib.linalg.svd(a, full_matrices=full)
    k = s.shape[-1]
    return u[..., :k] ** 2, s, vh[..., :k, :] ** 2  # the sign of a singular vector is arbitrary


def eigh_squares(lib, a, uplo):
    values, vectors = lib.linalg.eigh(a, UPLO=uplo)
    return values, vectors**2


def sym(x):
    return (x + x.mT) / 2


# name: (call on the library, input arrays); the call returns a tensor or a tuple of them
CASES = {
    "dot": (lambda lib, a, b: lib.dot(a, b), [normal(3), normal(3)]),
    "vdot": (lambda lib, a, b: a.vdot(b), [normal(3), normal(3)]),
    "mv": (lambda lib, a, b: lib.mv(a, b), [normal(2, 3), normal(3)]),
    "mm": (lambda lib, a, b: a.mm(b), [normal(2, 3), normal(3, 4)]),
    "bmm": (lambda lib, a, b: lib.bmm(a, b), [normal(2, 2, 3), normal(2, 3, 4)]),
    "outer": (lambda lib, a, b: lib.ger(a, b), [normal(2), normal(3)]),
    "addmm": (
        lambda lib, i, a, b: lib.addmm(i, a, b, beta=0.5, alpha=2),
        [normal(4), normal(2, 3), normal(3, 4)],
    ),
    "addmv": (lambda lib, i, a, b: i.addmv(a, b, alpha=-1), [normal(1), normal(2, 3), normal(3)]),
    "addr": (lambda lib, i, a, b: lib.addr(i, a, b, beta=2), [normal(2, 3), normal(2), normal(3)]),
    "addbmm": (lambda lib, i, a, b: lib.addbmm(i, a, b), [normal(2, 4), normal(5, 2, 3), normal(5, 3, 4)]),
    "baddbmm": (
        lambda lib, i, a, b: i.baddbmm(a, b, beta=3),
        [normal(5, 2, 4), normal(5, 2, 3), normal(5, 3, 4)],
    ),
    "einsum": (lambda lib, a, b: lib.einsum("b i j, b j k -> b k", a, b), [normal(2, 2, 3), normal(2, 3, 4)]),
    "einsum diagonal": (lambda lib, a, b: lib.einsum("iij,jk", [a, b]), [normal(3, 3, 2), normal(2, 4)]),
    "einsum ellipsis": (
        lambda lib, a, b: lib.einsum("...ij,...jk", a, b),
        [normal(5, 2, 3), normal(1, 3, 4)],
    ),
    "einsum implicit": (lambda lib, a: lib.einsum("bA", a), [normal(2, 3)]),
    "einsum sublist": (
        lambda lib, a, b: lib.einsum(a, [0, 1], b, [1, Ellipsis], [Ellipsis, 0]),
        [normal(2, 3), normal(3, 4, 2)],
    ),
    "tensordot": (
        lambda lib, a, b: lib.tensordot(a, b, dims=([1, 0], [0, 2])),
        [normal(2, 3), normal(3, 4, 2)],
    ),
    "kron": (lambda lib, a, b: a.kron(b), [normal(2, 3), normal(3, 1, 2)]),
    "cross": (lambda lib, a, b: lib.cross(a, b, dim=1), [normal(2, 3), normal(1, 3)]),
    "linalg.cross": (lambda lib, a, b: lib.linalg.cross(a, b), [normal(4, 3), normal(4, 3)]),
    "multi_dot": (
        lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]),
        [normal(3), normal(3, 4), normal(4, 2)],
    ),
    "inv": (lambda lib, a: lib.linalg.inv(a), [normal(2, 3, 3)]),
    "inverse": (lambda lib, a: a.inverse(), [normal(3, 3)]),
    "det": (lambda lib, a: lib.linalg.det(a), [normal(2, 3, 3)]),
    "slogdet": (lambda lib, a: tuple(lib.slogdet(a)), [normal(2, 3, 3)]),
    "logdet": (lambda lib, a: a.logdet(), [spd(2, 3, 3)]),
    "solve": (lambda lib, a, b: lib.linalg.solve(a, b), [normal(2, 3, 3), normal(3, 2)]),
    "solve vector": (lambda lib, a, b: lib.linalg.solve(a, b), [normal(2, 3, 3), normal(2, 3)]),
    "solve left=False": (lambda lib, a, b: lib.linalg.solve(a, b, left=False), [normal(3, 3), normal(2, 3)]),
    "cholesky": (lambda lib, a: lib.linalg.cholesky(sym(a)), [spd(2, 3, 3)]),
    "cholesky upper": (lambda lib, a: lib.linalg.cholesky(sym(a), upper=True), [spd(3, 3)]),
    "qr tall": (lambda lib, a: tuple(lib.linalg.qr(a)), [normal(2, 4, 3)]),
    "qr wide": (lambda lib, a: tuple(lib.linalg.qr(a)), [normal(2, 3, 4)]),
    "qr complete": (lambda lib, a: tuple(lib.linalg.qr(a, mode="complete")), [normal(3, 4)]),
    "svd tall": (lambda lib, a: usv(lib, a, False), [normal(2, 4, 3)]),
    "svd wide": (lambda lib, a: usv(lib, a, False), [normal(2, 3, 4)]),
    "svd full": (lambda lib, a: usv(lib, a, True), [normal(4, 3)]),
    "svdvals": (lambda lib, a: lib.linalg.svdvals(a), [normal(2, 3, 4)]),
    "eigh": (lambda lib, a: eigh_squares(lib, sym(a), "L"), [spd(2, 3, 3)]),
    "eigh upper": (lambda lib, a: eigh_squares(lib, a, "U"), [spd(3, 3) + np.triu(np.ones((3, 3)), 1)]),
    "eigvalsh": (lambda lib, a: lib.linalg.eigvalsh(a), [spd(2, 3, 3) + np.triu(np.ones((3, 3)), 1)]),
}


def _outputs(out):
    return out if isinstance(out, tuple) else (out,)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", CASES)
def test_values_and_gradients_match_pytorch(name, dtype, torch):
    call, arrays = CASES[name]
    arrays = [a.astype(dtype) for a in arrays]
    ours = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = _outputs(call(minigrad, *ours)), _outputs(call(torch, *theirs))
    tol = {"rtol": 1e-9, "atol": 1e-9} if dtype == "float64" else {"rtol": 2e-4, "atol": 2e-4}
    for o, e in zip(out, expected):
        assert o.dtype == getattr(minigrad, dtype) and o.shape == tuple(e.shape)
        assert_close(o, e.detach().numpy(), **tol)
    seeds = [RNG.standard_normal(tuple(e.shape)).astype(dtype) for e in expected]
    ours_grads = grad(out, ours, [minigrad.tensor(s) for s in seeds], create_graph=True)
    their_grads = torch.autograd.grad(expected, theirs, [torch.tensor(s) for s in seeds], create_graph=True)
    for g, e in zip(ours_grads, their_grads):
        assert_close(g, e.detach().numpy(), **tol)
    if dtype == "float64" and any(g.requires_grad for g in their_grads):  # the gradients' sum of squares
        second = grad(sum((g * g).sum() for g in ours_grads), ours, allow_unused=True)
        their_second = torch.autograd.grad(sum((g * g).sum() for g in their_grads), theirs, allow_unused=True)
        for g, e in zip(second, their_second):
            if e is None:  # the gradient does not depend on this input
                assert g is None or not host(g).any()
            else:
                assert_close(g, e.numpy(), rtol=1e-7, atol=1e-8)


ERRORS = [
    "lib.ones(2, 3) @ lib.ones(3, 2, dtype=lib.float64)",
    "lib.ones(3) @ lib.ones(3, dtype=lib.float64)",
    "lib.ones(2, 3, dtype=lib.float64) @ lib.ones(3)",
    "lib.ones(2, 2, 3) @ lib.ones(2, 3, 2, dtype=lib.float64)",
    "lib.matmul(lib.ones(3, dtype=lib.int64), lib.ones(3, 2))",
    "lib.dot(lib.ones(3), lib.ones(3, dtype=lib.float64))",
    "lib.dot(lib.ones(2, 3), lib.ones(3))",
    "lib.dot(lib.ones(3), lib.ones(4))",
    "lib.dot(lib.ones(3) > 0, lib.ones(3) > 0)",
    "lib.vdot(lib.ones(()), lib.ones(3))",
    "lib.mv(lib.ones(2, 3), lib.ones(3, dtype=lib.float64))",
    "lib.mv(lib.ones(3), lib.ones(3))",
    "lib.mv(lib.ones(2, 3), lib.ones(2))",
    "lib.mm(lib.ones(2, 3), lib.ones(3))",
    "lib.mm(lib.ones(2, 2, 3), lib.ones(3, 4))",
    "lib.mm(lib.ones(2, 3), lib.ones(2, 3))",
    "lib.mm(lib.ones(2, 3), lib.ones(3, 4, dtype=lib.float64))",
    "lib.bmm(lib.ones(2, 3), lib.ones(3, 4))",
    "lib.bmm(lib.ones(2, 2, 3), lib.ones(3, 3, 4))",
    "lib.bmm(lib.ones(2, 2, 3), lib.ones(2, 3, 4, dtype=lib.float64))",
    "lib.outer(lib.ones(2, 3), lib.ones(3))",
    "lib.outer(lib.ones(3), lib.ones(()))",
    "lib.addmm(lib.ones(2, 4, dtype=lib.float64), lib.ones(2, 3), lib.ones(3, 4))",
    "lib.addmm(lib.ones(2, 4), lib.ones(2, 3, dtype=lib.float64), lib.ones(3, 4))",
    "lib.addmm(lib.ones(2, 4), lib.ones(2, 3), lib.ones(3))",
    "lib.addmm(lib.ones(2, 4), lib.ones(2, 3), lib.ones(2, 3))",
    "lib.addmv(lib.ones(3), lib.ones(2, 3), lib.ones(3))",
    "lib.addmv(lib.ones(2, dtype=lib.float64), lib.ones(2, 3), lib.ones(3))",
    "lib.addr(lib.ones(3, 3), lib.ones(3, 3), lib.ones(3))",
    "lib.baddbmm(lib.ones(2, 2, 4, dtype=lib.float64), lib.ones(2, 2, 3), lib.ones(2, 3, 4))",
    "lib.addbmm(lib.ones(2, 4), lib.ones(2, 2, 3), lib.ones(2, 2, 4))",
    "lib.einsum('ij,jk->ik', lib.ones(2, 3))",
    "lib.einsum('ij', lib.ones(2, 3), lib.ones(2))",
    "lib.einsum('ij->ik', lib.ones(2, 3))",
    "lib.einsum('ij->ii', lib.ones(2, 3))",
    "lib.einsum('ijk', lib.ones(2, 3))",
    "lib.einsum('ii', lib.ones(3, 2))",
    "lib.einsum('ij,jk', lib.ones(2, 3), lib.ones(2, 4))",
    "lib.einsum('i1', lib.ones(2, 3))",
    "lib.einsum('i.j', lib.ones(2, 3))",
    "lib.einsum('...i...', lib.ones(2, 3))",
    "lib.einsum('...,...', lib.ones(2), lib.ones(3))",
    "lib.einsum('ij,jk', lib.ones(2, 3), lib.ones(3, 4, dtype=lib.float64))",
    "lib.einsum(lib.ones(2), [60])",
    "lib.tensordot(lib.ones(2, 3), lib.ones(3, 4), dims=-1)",
    "lib.tensordot(lib.ones(2, 3), lib.ones(3, 4), dims=3)",
    "lib.tensordot(lib.ones(2, 3), lib.ones(3, 4))",
    "lib.tensordot(lib.ones(2, 3), lib.ones(3, 4), dims=([0], [0]))",
    "lib.tensordot(lib.ones(2, 3), lib.ones(3, 4), dims=([1, 0], [0]))",
    "lib.tensordot(lib.ones(2, 3), lib.ones(3, 4), dims=([1, 1], [0, 0]))",
    "lib.tensordot(lib.ones(2, 3), lib.ones(3, 4, dtype=lib.float64), dims=1)",
    "lib.cross(lib.ones(2, 4), lib.ones(2, 4))",
    "lib.cross(lib.ones(2, 3), lib.ones(2, 3), dim=0)",
    "lib.linalg.cross(lib.ones(3), lib.ones(2, 3))",
    "lib.linalg.cross(lib.ones(3, 2), lib.ones(3, 2))",
    "lib.linalg.cross(lib.ones(3), lib.ones(3, dtype=lib.float64))",
    "lib.linalg.multi_dot([lib.ones(2, 3)])",
    "lib.linalg.multi_dot([lib.ones(2, 3), lib.ones(2, 2)])",
    "lib.linalg.multi_dot([lib.ones(2, 3), lib.ones(3, 4, dtype=lib.float64)])",
    "lib.linalg.multi_dot([lib.ones(2, 2, 2), lib.ones(2, 3)])",
    "lib.linalg.multi_dot([lib.ones(2, 3), lib.ones(3, 2, 2), lib.ones(2, 4)])",
    "lib.linalg.inv(lib.ones(2, 3))",
    "lib.linalg.inv(lib.ones(3))",
    "lib.linalg.inv(lib.ones(2, 2, dtype=lib.int64))",
    "lib.linalg.det(lib.ones(2, 3))",
    "lib.linalg.solve(lib.eye(2), lib.ones(3))",
    "lib.linalg.solve(lib.eye(2), lib.ones(3, 2))",
    "lib.linalg.solve(lib.eye(2), lib.ones(2), left=False)",
    "lib.linalg.solve(lib.eye(2), lib.ones(2, dtype=lib.float64))",
    "lib.linalg.solve(lib.zeros(2, 2), lib.ones(2))",
    "lib.linalg.cholesky(-lib.eye(2))",
    "lib.linalg.cholesky(lib.stack([lib.eye(2), -lib.eye(2)]))",
    "lib.linalg.cholesky(lib.tensor([[1.0, 2.0], [2.0, 1.0]]))",
    "lib.linalg.qr(lib.ones(2, 3), mode='x')",
    "lib.linalg.qr(lib.ones(3))",
    "lib.linalg.svd(lib.ones(2, 2, dtype=lib.int64))",
    "lib.linalg.eigh(lib.eye(2), UPLO='X')",
    "lib.linalg.eigh(lib.ones(2, 3))",
]


def _error(lib, expression):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            eval(expression, {"lib": lib})
        except Exception as err:  # noqa: BLE001 - the errors are what is compared
            return err
    raise AssertionError(f"{lib.__name__}: {expression} did not raise")


@pytest.mark.torch
@pytest.mark.parametrize("expression", ERRORS)
def test_errors_match_pytorch(expression, torch):
    ours, theirs = _error(minigrad, expression), _error(torch, expression)
    kind = next(
        k
        for k in (IndexError, NotImplementedError, TypeError, ValueError, RuntimeError)
        if isinstance(theirs, k)
    )
    assert isinstance(ours, kind) and str(ours) == str(theirs).split("\n")[0]


# --- by hand ---------------------------------------------------------------------------------


def test_beta_zero_ignores_the_values_of_input_yet_gives_it_a_zero_gradient():
    nan = minigrad.full((2, 2), float("nan"), dtype=minigrad.float64, requires_grad=True)
    a = minigrad.eye(2, dtype=minigrad.float64, requires_grad=True)
    out = minigrad.addmm(nan, a, a, beta=0)
    assert out.tolist() == [[1.0, 0.0], [0.0, 1.0]]
    out.sum().backward()
    assert nan.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]] and a.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_integer_products_stay_integer_and_take_integer_parts_of_beta_and_alpha():
    a = minigrad.ones(2, 3, dtype=minigrad.int64)
    b = minigrad.ones(3, 4, dtype=minigrad.int64)
    assert a.mm(b).dtype == minigrad.int64 and minigrad.einsum("ij,jk", a, b).tolist() == [[3] * 4] * 2
    out = minigrad.addmm(minigrad.ones(2, 4, dtype=minigrad.int64), a, b, beta=0.5, alpha=1.5)
    assert out.dtype == minigrad.int64 and out.tolist() == [[3] * 4] * 2  # beta 0, alpha 1
    assert minigrad.outer(minigrad.ones(2), minigrad.ones(2, dtype=minigrad.int64)).dtype == minigrad.float32


def test_empty_operands():
    assert minigrad.mm(minigrad.ones(2, 0), minigrad.ones(0, 3)).tolist() == [[0.0] * 3] * 2
    assert minigrad.einsum("ij,jk->ik", minigrad.ones(0, 3), minigrad.ones(3, 4)).shape == (0, 4)
    assert minigrad.einsum("ii->", minigrad.ones(0, 0)).item() == 0.0
    assert minigrad.linalg.inv(minigrad.ones(2, 0, 0)).shape == (2, 0, 0)
    assert minigrad.linalg.det(minigrad.ones(0, 0)).item() == 1.0


def test_in_place_products_write_into_the_tensor():
    x = minigrad.zeros(2, 4)
    assert x.addmm_(minigrad.ones(2, 3), minigrad.ones(3, 4), alpha=2) is x
    assert x.tolist() == [[6.0] * 4] * 2
    with pytest.raises(RuntimeError, match="shape"):
        minigrad.zeros(4).addmm_(minigrad.ones(2, 3), minigrad.ones(3, 4))


def test_einsum_backward_is_einsum_so_third_derivatives_exist():
    a = minigrad.tensor(np.arange(1.0, 5.0).reshape(2, 2), requires_grad=True)
    (g,) = grad(minigrad.einsum("ij,jk,ki", a, a, a), a, create_graph=True)  # trace(A³)
    assert_close(g, 3 * (host(a) @ host(a)).T)
    (gg,) = grad(g[0, 1], a, create_graph=True)  # of 3 (A²)[1, 0] = 3 Σⱼ A[1, j] A[j, 0]
    expected = np.zeros((2, 2))
    expected[1, :] += 3 * host(a)[:, 0]
    expected[:, 0] += 3 * host(a)[1, :]
    assert_close(gg, expected)
    (ggg,) = grad(gg.sum(), a)
    assert ggg.shape == (2, 2)


def test_cross_without_dim_warns_and_takes_the_first_dimension_of_size_3():
    a, b = minigrad.eye(3)[:2].T, minigrad.eye(3)[1:].T  # (3, 2): dim 0
    with pytest.warns(UserWarning, match="without specifying the dim arg is deprecated"):
        out = minigrad.cross(a, b)
    assert out.tolist() == minigrad.linalg.cross(a, b, dim=0).tolist() == [[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]]


def test_chain_matmul_is_deprecated_and_a_single_matrix_is_copied():
    m = minigrad.ones(2, 3)
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        out = minigrad.chain_matmul(m)
    assert out is not m and out.tolist() == m.tolist()


def test_qr_mode_r_and_complete_tall_qr_cannot_be_differentiated():
    a = minigrad.tensor(normal(3, 2), requires_grad=True)
    q, r = minigrad.linalg.qr(a, mode="r")
    assert q.shape == (0,) and r.shape == (2, 2)
    with pytest.raises(RuntimeError, match="not computed when mode='r'"):
        r.sum().backward()
    q, r = minigrad.linalg.qr(a, mode="complete")
    assert q.shape == (3, 3) and r.shape == (3, 2)
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete' and nrows > ncols"):
        q.sum().backward()


def test_singular_inverse_is_an_error():
    with pytest.raises(RuntimeError, match="linalg.inv: .*singular"):
        minigrad.linalg.inv(minigrad.zeros(2, 2))


def test_half_precision_is_refused():
    with pytest.raises(RuntimeError, match="linalg.det: Low precision dtypes not supported. Got Half"):
        minigrad.linalg.det(minigrad.ones(2, 2, dtype=minigrad.float16))
