"""Property tests: gradcheck and gradgradcheck for every core op on hypothesis-drawn inputs.

Values come from ``minigrad.testing.strategies``: unique, at least 1e-3 apart and away from 0,
so no finite-difference stencil straddles a kink (relu, abs, a max tie, a clamp bound at a
multiple of 0.1). Forward values are compared with NumPy along the way.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad.autograd import grad, gradcheck, gradgradcheck
from minigrad.testing import assert_close
from minigrad.testing import strategies as mst

SMALL = mst.shapes(max_dims=3, max_side=3)
NONEMPTY = mst.shapes(min_dims=1, max_dims=3, max_side=3)
# Second derivatives of big products and indexing graphs cost the most: fewer examples there.
FEWER = settings(max_examples=max(5, settings.default.max_examples // 2))


def check(func, *inputs):
    """Both checks; hypothesis reports the drawn inputs when one fails."""
    assert gradcheck(func, inputs)
    assert gradgradcheck(func, inputs)


def host(t):
    return t.detach().numpy()


# --- elementwise binary ops, broadcasting ------------------------------------------------

BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
}


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_ops_broadcast(name, data):
    shapes = data.draw(mst.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    a = data.draw(mst.tensors(shapes.input_shapes[0]))
    b = data.draw(mst.tensors(shapes.input_shapes[1], away_from_zero=0.5 if name == "div" else None))
    op, reference = BINARY[name]
    out = op(a, b)
    assert out.shape == shapes.result_shape
    assert_close(out, reference(host(a), host(b)))
    check(op, a, b)


@given(data=st.data())
def test_pow_with_a_tensor_exponent(data):
    shapes = data.draw(mst.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    base = data.draw(mst.tensors(shapes.input_shapes[0], positive=True, away_from_zero=0.5, max_value=3.0))
    exponent = data.draw(mst.tensors(shapes.input_shapes[1], min_value=-2.0, max_value=2.0))
    assert_close(base**exponent, host(base) ** host(exponent))
    check(lambda a, b: a**b, base, exponent)
    check(lambda a, b: a.pow(b), base, exponent)


SCALAR_OPS = {
    # name: (func of (tensor, scalar), tensor strategy kwargs, scalar strategy)
    "x + c": (lambda x, c: x + c, {}, mst.elements(-3, 3)),
    "c + x": (lambda x, c: c + x, {}, mst.elements(-3, 3)),
    "x - c": (lambda x, c: x - c, {}, mst.elements(-3, 3)),
    "c - x": (lambda x, c: c - x, {}, mst.elements(-3, 3)),
    "x * c": (lambda x, c: x * c, {}, mst.elements(-3, 3)),
    "c * x": (lambda x, c: c * x, {}, mst.elements(-3, 3)),
    "x / c": (lambda x, c: x / c, {}, mst.elements(-3, 3, away_from_zero=0.25)),
    "c / x": (lambda x, c: c / x, {"away_from_zero": 0.5}, mst.elements(-3, 3)),
    "x ** c": (
        lambda x, c: x**c,
        {"positive": True, "away_from_zero": 0.5, "max_value": 3.0},
        mst.elements(-3, 3),
    ),
    "x ** k": (lambda x, k: x**k, {"min_value": -3.0, "max_value": 3.0}, st.integers(0, 4)),
    "x.pow(c)": (
        lambda x, c: x.pow(c),
        {"positive": True, "away_from_zero": 0.5, "max_value": 3.0},
        mst.elements(-3, 3),
    ),
    "c ** x": (lambda x, c: c**x, {"min_value": -3.0, "max_value": 3.0}, mst.elements(0.5, 3)),
}


@pytest.mark.parametrize("name", SCALAR_OPS)
@given(data=st.data())
def test_ops_with_a_python_scalar(name, data):
    op, tensor_kwargs, scalar = SCALAR_OPS[name]
    x = data.draw(mst.tensors(SMALL, **tensor_kwargs))
    c = data.draw(scalar)
    reference = np.power if name == "x.pow(c)" else op
    assert_close(op(x, c), reference(host(x), c))
    check(lambda t: op(t, c), x)


# --- elementwise unary ops ---------------------------------------------------------------

UNARY = {
    "neg": (lambda x: -x, lambda a: -a, {}),
    "exp": (lambda x: x.exp(), np.exp, {"min_value": -5.0, "max_value": 5.0}),
    "log": (lambda x: x.log(), np.log, {"positive": True, "away_from_zero": 0.1}),
    "sqrt": (lambda x: x.sqrt(), np.sqrt, {"positive": True, "away_from_zero": 0.1}),
    "abs": (lambda x: x.abs(), np.abs, {}),
    "tanh": (lambda x: x.tanh(), np.tanh, {"min_value": -5.0, "max_value": 5.0}),
    "sigmoid": (lambda x: x.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), {}),
    "relu": (lambda x: x.relu(), lambda a: np.maximum(a, 0), {}),
    "minigrad.exp": (minigrad.exp, np.exp, {"min_value": -5.0, "max_value": 5.0}),
}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_ops(name, data):
    op, reference, kwargs = UNARY[name]
    x = data.draw(mst.tensors(SMALL, **kwargs))
    assert_close(op(x), reference(host(x)))
    check(op, x)


# Bounds at multiples of 0.1 stay at least 5e-4 away from every drawn value.
BOUNDS = st.integers(-50, 50).map(lambda k: k / 10)


@pytest.mark.parametrize("which", ["min", "max", "both"])
@given(data=st.data())
def test_clamp(which, data):
    x = data.draw(mst.tensors(SMALL, min_value=-6.0, max_value=6.0))
    lo, hi = sorted(data.draw(st.lists(BOUNDS, min_size=2, max_size=2, unique=True)))
    kwargs = {"min": {"min": lo}, "max": {"max": hi}, "both": {"min": lo, "max": hi}}[which]
    out = x.clamp(**kwargs)
    assert_close(out, np.clip(host(x), kwargs.get("min"), kwargs.get("max")))
    check(lambda t: t.clamp(**kwargs), x)


# --- reductions --------------------------------------------------------------------------

REDUCTIONS = {
    "sum": (lambda x, a: x.sum(dim=a.dim, keepdim=a.keepdim), np.sum),
    "mean": (lambda x, a: x.mean(dim=a.dim, keepdim=a.keepdim), np.mean),
    "amax": (lambda x, a: x.amax(dim=a.dim, keepdim=a.keepdim), np.max),
    "amin": (lambda x, a: x.amin(dim=a.dim, keepdim=a.keepdim), np.min),
}


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data())
def test_reductions(name, data):
    args = data.draw(mst.reduction_args(SMALL))
    x = data.draw(mst.tensors(args.shape))
    op, reference = REDUCTIONS[name]
    assert_close(op(x, args), reference(host(x), axis=args.dim, keepdims=args.keepdim))
    check(lambda t: op(t, args), x)


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_max_and_min_values(name, data):
    args = data.draw(mst.reduction_args(SMALL, allow_tuple=False))
    x = data.draw(mst.tensors(args.shape))
    reference = getattr(np, name)(host(x), axis=args.dim, keepdims=args.keepdim and args.dim is not None)
    if args.dim is None:
        op = lambda t: getattr(t, name)()  # noqa: E731
    else:
        op = lambda t: getattr(t, name)(dim=args.dim, keepdim=args.keepdim).values  # noqa: E731
    assert_close(op(x), reference)
    check(op, x)


# --- shape ops ---------------------------------------------------------------------------


@given(data=st.data())
def test_reshape_and_view(data):
    x = data.draw(mst.tensors(SMALL))
    target = data.draw(mst.reshape_shapes(x.shape))
    assert_close(x.reshape(target), host(x).reshape(target))
    check(lambda t: t.reshape(target), x)
    check(lambda t: t.reshape(*target), x)
    check(lambda t: t.view(target), x)


@given(data=st.data())
def test_permute(data):
    x = data.draw(mst.tensors(SMALL))
    perm = data.draw(st.permutations(range(x.ndim)))
    assert_close(x.permute(*perm), host(x).transpose(perm))
    check(lambda t: t.permute(*perm), x)
    check(lambda t: t.permute(tuple(perm)), x)


@given(data=st.data())
def test_transpose_t_and_T(data):
    x = data.draw(mst.tensors(NONEMPTY))
    d0, d1 = data.draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=2, max_size=2))
    assert_close(x.transpose(d0, d1), np.swapaxes(host(x), d0, d1))
    check(lambda t: t.transpose(d0, d1), x)
    if x.ndim <= 2:
        assert_close(x.t(), host(x).T)
        check(lambda t: t.t(), x)
    if x.ndim == 2:
        assert_close(x.T, host(x).T)
        check(lambda t: t.T, x)


@given(data=st.data())
def test_flatten(data):
    x = data.draw(mst.tensors(SMALL))
    ndim = max(x.ndim, 1)  # a 0-d tensor flattens like a 1-element vector
    first, last = sorted(data.draw(st.lists(st.integers(0, ndim - 1), min_size=2, max_size=2)))
    expected = x.shape[:first] + (int(np.prod(x.shape[first : last + 1])),) + x.shape[last + 1 :]
    start = first - data.draw(st.sampled_from([0, ndim]))  # negative dims too
    assert x.flatten(start, last).shape == expected
    assert x.flatten().shape == (x.numel(),)
    check(lambda t: t.flatten(start, last), x)
    check(lambda t: t.flatten(), x)


@given(data=st.data())
def test_squeeze_and_unsqueeze(data):
    x = data.draw(mst.tensors(mst.shapes(max_dims=4, max_side=2)))
    assert_close(x.squeeze(), host(x).squeeze())
    check(lambda t: t.squeeze(), x)
    if x.ndim:
        d = data.draw(st.integers(-x.ndim, x.ndim - 1))
        expected = host(x).squeeze(d) if x.shape[d] == 1 else host(x)
        assert_close(x.squeeze(d), expected)
        check(lambda t: t.squeeze(d), x)
    u = data.draw(st.integers(-x.ndim - 1, x.ndim))
    assert_close(x.unsqueeze(u), np.expand_dims(host(x), u))
    check(lambda t: t.unsqueeze(u), x)


@given(data=st.data())
def test_expand(data):
    x = data.draw(mst.tensors(mst.shapes(max_dims=3, max_side=2)))
    target = data.draw(mst.expand_shapes(x.shape, max_side=3))
    concrete = tuple(x.shape[k - len(target) + x.ndim] if s == -1 else s for k, s in enumerate(target))
    assert_close(x.expand(*target), np.broadcast_to(host(x), concrete))
    check(lambda t: t.expand(*target), x)
    check(lambda t: t.expand(target), x)


@given(data=st.data())
def test_flip(data):
    x = data.draw(mst.tensors(NONEMPTY))
    dims = data.draw(
        st.lists(
            st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=x.ndim, unique_by=lambda d: d % x.ndim
        )
    )
    assert_close(x.flip(dims), np.flip(host(x), tuple(dims)))
    check(lambda t: t.flip(dims), x)


# --- matmul ------------------------------------------------------------------------------


def test_vector_dot_vector():
    a = minigrad.tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = minigrad.tensor(np.array([3.0, -4.0]), requires_grad=True)
    assert_close(a @ b, np.float64(-5.0))
    check(lambda p, q: p @ q, a, b)


@FEWER
@given(data=st.data())
def test_matmul(data):
    shapes = data.draw(mst.matmul_shapes(max_side=3))
    a = data.draw(mst.tensors(shapes.input_shapes[0], min_value=-3.0, max_value=3.0))
    b = data.draw(mst.tensors(shapes.input_shapes[1], min_value=-3.0, max_value=3.0))
    out = a @ b
    assert out.shape == shapes.result_shape
    assert_close(out, host(a) @ host(b))
    check(lambda p, q: p @ q, a, b)
    check(lambda p, q: p.matmul(q), a, b)


# --- indexing ----------------------------------------------------------------------------


@FEWER
@given(data=st.data())
def test_basic_indexing(data):
    x = data.draw(mst.tensors(SMALL))
    index = data.draw(mst.basic_indices(x.shape))
    assert_close(x[index], host(x)[index])
    check(lambda t: t[index], x)


@FEWER
@given(data=st.data())
def test_integer_array_indexing_with_repeats(data):
    x = data.draw(mst.tensors(NONEMPTY))
    n = x.shape[0]
    rows = data.draw(hnp.arrays(np.int64, st.integers(1, 5), elements=st.integers(-n, n - 1)))
    assert_close(x[rows], host(x)[rows])
    check(lambda t: t[rows], x)
    check(lambda t: t[rows.tolist()], x)
    if x.ndim >= 2:
        cols = data.draw(hnp.arrays(np.int64, rows.shape, elements=st.integers(0, x.shape[1] - 1)))
        assert_close(x[rows, cols], host(x)[rows, cols])
        check(lambda t: t[rows, cols], x)
        check(lambda t: t[::-1, cols], x)


@FEWER
@given(data=st.data())
def test_integer_array_indices_over_every_dimension(data):
    x = data.draw(mst.tensors(NONEMPTY))
    index = data.draw(mst.integer_array_indices(x.shape))
    assert_close(x[index], host(x)[index])
    check(lambda t: t[index], x)


def test_repeated_indices_accumulate():
    x = minigrad.tensor(np.arange(4.0), requires_grad=True)
    (g,) = grad(x[[0, 0, 3, 0]].sum(), x)
    assert_close(g, np.array([3.0, 0.0, 0.0, 1.0]))


# --- setitem -----------------------------------------------------------------------------


def assigned(index):
    """``x`` with ``x[index] = v``, times ``x`` so that both paths through x matter."""

    def func(x, v):
        y = x.clone()
        y[index] = v
        return y * x

    return func


@FEWER
@given(data=st.data())
def test_setitem_with_basic_indices(data):
    x = data.draw(mst.tensors(NONEMPTY))
    index = data.draw(mst.basic_indices(x.shape))
    v = data.draw(mst.tensors(mst.broadcasting_to(host(x)[index].shape)))
    expected = host(x).copy()
    expected[index] = host(v)
    assert_close(assigned(index)(x, v), expected * host(x))
    check(assigned(index), x, v)


@FEWER
@given(data=st.data())
def test_setitem_with_an_integer_array(data):
    x = data.draw(mst.tensors(NONEMPTY))
    rows = np.array(data.draw(st.lists(st.integers(0, x.shape[0] - 1), min_size=1, unique=True)))
    v = data.draw(mst.tensors(mst.broadcasting_to(host(x)[rows].shape)))
    expected = host(x).copy()
    expected[rows] = host(v)
    assert_close(assigned(rows)(x, v), expected * host(x))
    check(assigned(rows), x, v)


@given(x=mst.tensors(NONEMPTY), value=mst.elements(-3, 3))
def test_setitem_with_a_python_scalar(x, value):
    def func(t):
        y = t * 2
        y[0] = value
        return y * t

    check(func, x)
    (g,) = grad(func(x).sum(), x)
    expected = 4 * host(x)
    expected[0] = value
    assert_close(g, expected)


# --- algebraic identities ----------------------------------------------------------------


@given(x=mst.tensors(SMALL, min_value=-3.0, max_value=3.0), a=mst.elements(-3, 3), b=mst.elements(-3, 3))
def test_gradient_is_linear(x, a, b):
    def f(t):
        return (t**3).sum()

    def g(t):
        return t.tanh().sum()

    (combined,) = grad(a * f(x) + b * g(x), x)
    (gf,) = grad(f(x), x)
    (gg,) = grad(g(x), x)
    assert_close(combined, a * host(gf) + b * host(gg))


@given(data=st.data())
def test_broadcasting_equals_explicit_expand(data):
    shapes = data.draw(mst.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    a = data.draw(mst.tensors(shapes.input_shapes[0]))
    b = data.draw(mst.tensors(shapes.input_shapes[1]))
    weights = minigrad.tensor(data.draw(mst.arrays(shapes.result_shape)))
    implicit = a * b
    explicit = a.expand(*shapes.result_shape) * b.expand(*shapes.result_shape)
    assert_close(implicit, explicit)
    grads_implicit = grad((implicit * weights).sum(), (a, b))
    grads_explicit = grad((explicit * weights).sum(), (a, b))
    for g, h, t in zip(grads_implicit, grads_explicit, (a, b)):
        assert g.shape == t.shape
        assert_close(g, h)


def sum_to(array, shape):
    """NumPy's version of summing a broadcast gradient back to ``shape``."""
    array = array.sum(axis=tuple(range(array.ndim - len(shape))))
    stretched = tuple(k for k, side in enumerate(shape) if side == 1)
    return array.sum(axis=stretched, keepdims=True).reshape(shape)


@given(data=st.data())
def test_broadcast_gradients_are_summed_back_to_the_input_shape(data):
    shape = data.draw(SMALL)
    source = data.draw(mst.broadcasting_to(shape))
    x = data.draw(mst.tensors(source))
    w = minigrad.tensor(data.draw(mst.arrays(shape)))
    (g,) = grad((x * w).sum(), x)
    assert g.shape == x.shape
    assert_close(g, sum_to(host(w), source))
