"""Property tests: gradcheck and gradgradcheck for every exported op on hypothesis-drawn inputs.

Values come from ``minigrad.testing.strategies``: unique, at least 1e-3 apart and away from 0,
so no finite-difference stencil straddles a kink (relu, abs, a max tie, a clamp bound at a
multiple of 0.1). Forward values are compared with NumPy along the way. The tables are keyed by
the op's exported spelling (``"Tensor.__radd__"``, ``"minigrad.cat"``, ``"F.conv2d"``, a variant
after a space) and call the function that spelling names; ``test_every_exported_op_is_checked``
fails when an op is exported without an entry. Ties and bounds, which the strategies avoid on
purpose, have hand-written cases at the end.
"""

import importlib
import inspect
import pathlib
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
import minigrad.nn.functional as F
from minigrad import Tensor
from minigrad.autograd import grad, gradcheck, gradgradcheck
from minigrad.ops import registry
from minigrad.testing import assert_close
from minigrad.testing import strategies as mst
from minigrad.testing.conv_strategies import conv2d_configs

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


def op(name):
    """The function that an exported spelling names ("Tensor.T", "minigrad.cat (dim)" ...)."""
    namespace, attr = name.split()[0].split(".")
    if namespace == "Tensor":
        value = inspect.getattr_static(Tensor, attr)
        return value.fget if isinstance(value, property) else value
    return getattr({"minigrad": minigrad, "F": F, "linalg": minigrad.linalg}[namespace], attr)


@st.composite
def distinct_tensors(draw, shapes, **kwargs):
    """Tensors of ``shapes`` whose values are all distinct from each other (no ties across them)."""
    sizes = [int(np.prod(s)) for s in shapes]
    values = draw(mst.arrays((sum(sizes),), **kwargs))
    parts = np.split(values, np.cumsum(sizes)[:-1])
    return [minigrad.tensor(v.reshape(s), requires_grad=True) for v, s in zip(parts, shapes)]


# --- elementwise binary ops, broadcasting ------------------------------------------------

BINARY = {
    "Tensor.__add__": (np.add, {}),
    "Tensor.__sub__": (np.subtract, {}),
    "Tensor.__mul__": (np.multiply, {}),
    "Tensor.__truediv__": (np.divide, {"away_from_zero": 0.5}),
    "minigrad.maximum": (np.maximum, {}),  # distinct values: no ties between the two inputs
    "minigrad.minimum": (np.minimum, {}),
}


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_ops_broadcast(name, data):
    shapes = data.draw(mst.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    reference, kwargs = BINARY[name]
    a, b = data.draw(distinct_tensors(shapes.input_shapes, **kwargs))
    out = op(name)(a, b)
    assert out.shape == shapes.result_shape
    assert_close(out, reference(host(a), host(b)))
    check(op(name), a, b)


@pytest.mark.parametrize("function", list(registry.DRAWN), ids=lambda f: f.__name__)
@given(data=st.data())
def test_ops_whose_declaration_says_their_inputs(function, data):
    """``@op(inputs=n, domain=...)``: n tensors of broadcastable shapes, drawn within the domain."""
    count, domain = registry.DRAWN[function]
    shapes = data.draw(mst.mutually_broadcastable_shapes(count, max_dims=3, max_side=3))
    inputs = data.draw(distinct_tensors(shapes.input_shapes, **domain))
    assert function(*inputs).shape == shapes.result_shape
    check(function, *inputs)


@given(data=st.data())
def test_pow_with_a_tensor_exponent(data):
    shapes = data.draw(mst.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    base = data.draw(mst.tensors(shapes.input_shapes[0], positive=True, away_from_zero=0.5, max_value=3.0))
    exponent = data.draw(mst.tensors(shapes.input_shapes[1], min_value=-2.0, max_value=2.0))
    assert_close(base**exponent, host(base) ** host(exponent))
    check(lambda a, b: a**b, base, exponent)
    check(lambda a, b: a.pow(b), base, exponent)
    check(lambda a: a ** exponent.detach(), base)  # only one side needs a gradient
    check(lambda b: base.detach() ** b, exponent)


SCALAR_OPS = {
    # spelling, called as op(tensor, scalar): (NumPy reference, tensor strategy kwargs, scalar strategy)
    "Tensor.__add__": (lambda a, c: a + c, {}, mst.elements(-3, 3)),
    "Tensor.__radd__": (lambda a, c: c + a, {}, mst.elements(-3, 3)),
    "Tensor.__sub__": (lambda a, c: a - c, {}, mst.elements(-3, 3)),
    "Tensor.__rsub__": (lambda a, c: c - a, {}, mst.elements(-3, 3)),
    "Tensor.__mul__": (lambda a, c: a * c, {}, mst.elements(-3, 3)),
    "Tensor.__rmul__": (lambda a, c: c * a, {}, mst.elements(-3, 3)),
    "Tensor.__truediv__": (lambda a, c: a / c, {}, mst.elements(-3, 3, away_from_zero=0.25)),
    "Tensor.__rtruediv__": (lambda a, c: c / a, {"away_from_zero": 0.5}, mst.elements(-3, 3)),
    "Tensor.__pow__": (
        lambda a, c: a**c,
        {"positive": True, "away_from_zero": 0.5, "max_value": 3.0},
        mst.elements(-3, 3),
    ),
    "Tensor.__pow__ (int exponent)": (
        lambda a, k: a**k,
        {"min_value": -3.0, "max_value": 3.0},
        st.integers(0, 4),
    ),
    "Tensor.pow": (
        np.power,
        {"positive": True, "away_from_zero": 0.5, "max_value": 3.0},
        mst.elements(-3, 3),
    ),
    "Tensor.__rpow__": (lambda a, c: c**a, {"min_value": -3.0, "max_value": 3.0}, mst.elements(0.5, 3)),
}


@pytest.mark.parametrize("name", SCALAR_OPS)
@given(data=st.data())
def test_ops_with_a_python_scalar(name, data):
    reference, tensor_kwargs, scalar = SCALAR_OPS[name]
    x = data.draw(mst.tensors(SMALL, **tensor_kwargs))
    c = data.draw(scalar)
    assert_close(op(name)(x, c), reference(host(x), c))
    check(lambda t: op(name)(t, c), x)


# --- elementwise unary ops ---------------------------------------------------------------


def identity(a):
    return a


UNARY = {
    "Tensor.__neg__": (lambda a: -a, {}),
    "Tensor.__pos__": (identity, {}),
    "Tensor.exp": (np.exp, {"min_value": -5.0, "max_value": 5.0}),
    "Tensor.log": (np.log, {"positive": True, "away_from_zero": 0.1}),
    "Tensor.sqrt": (np.sqrt, {"positive": True, "away_from_zero": 0.1}),
    "Tensor.sin": (np.sin, {}),
    "Tensor.cos": (np.cos, {}),
    "Tensor.abs": (np.abs, {}),
    "Tensor.tanh": (np.tanh, {"min_value": -5.0, "max_value": 5.0}),
    "Tensor.sigmoid": (lambda a: 1 / (1 + np.exp(-a)), {}),
    "Tensor.relu": (lambda a: np.maximum(a, 0), {}),
    "minigrad.exp": (np.exp, {"min_value": -5.0, "max_value": 5.0}),
    "F.relu": (lambda a: np.maximum(a, 0), {}),
    "F.sigmoid": (lambda a: 1 / (1 + np.exp(-a)), {}),
    "F.tanh": (np.tanh, {"min_value": -5.0, "max_value": 5.0}),
    "Tensor.clone": (identity, {}),
    "Tensor.contiguous": (identity, {}),
    "Tensor.double": (identity, {}),  # float64 already: the cast is the identity, with its own node
    "Tensor.cpu": (identity, {}),  # a move to the host on the stand-in, the identity on NumPy
}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_ops(name, data):
    reference, kwargs = UNARY[name]
    x = data.draw(mst.tensors(SMALL, **kwargs))
    assert_close(op(name)(x).cpu(), reference(host(x)))
    check(op(name), x)


CONVERSIONS = {
    # casts and moves to where a float64 tensor already is (or to the host): new nodes, identity gradients
    "Tensor.to (dtype)": (minigrad.float64,),
    "Tensor.to (device)": ("cpu",),
    "Tensor.type_as": (minigrad.zeros(1, dtype=minigrad.float64),),
}


@pytest.mark.parametrize("name", CONVERSIONS)
@given(x=mst.tensors(SMALL))
def test_conversions(name, x):
    args = CONVERSIONS[name]
    assert_close(op(name)(x, *args).cpu(), host(x))
    check(lambda t: op(name)(t, *args), x)


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


@FEWER
@given(data=st.data())
def test_clamp_with_tensor_bounds(data):
    shapes = data.draw(mst.mutually_broadcastable_shapes(3, max_dims=3, max_side=3))
    x, first, second = data.draw(distinct_tensors(shapes.input_shapes))
    lo, hi = minigrad.minimum(first, second).detach(), minigrad.maximum(first, second).detach()
    lo.requires_grad_(), hi.requires_grad_()
    assert_close(minigrad.clamp(x, lo, hi), np.minimum(np.maximum(host(x), host(lo)), host(hi)))
    check(lambda t, a, b: minigrad.clamp(t, a, b), x, lo, hi)
    check(lambda t, a: minigrad.clamp(t, min=a), x, lo)
    check(lambda t, b: minigrad.clamp(t, max=b), x, hi)


# --- reductions --------------------------------------------------------------------------

REDUCTIONS = {
    # spelling, called as op(x, dim=..., keepdim=...): (NumPy reference, dim=None allowed)
    "Tensor.sum": (np.sum, True),
    "Tensor.mean": (np.mean, True),
    "Tensor.amax": (np.max, True),
    "Tensor.amin": (np.min, True),
    "Tensor.var": (lambda a, axis, keepdims: np.var(a, axis=axis, keepdims=keepdims, ddof=1), True),
    "Tensor.std": (lambda a, axis, keepdims: np.std(a, axis=axis, keepdims=keepdims, ddof=1), True),
    "Tensor.logsumexp": (
        lambda a, axis, keepdims: np.log(np.exp(a).sum(axis=axis, keepdims=keepdims)),
        False,
    ),
}


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data())
def test_reductions(name, data):
    reference, allow_none = REDUCTIONS[name]
    args = data.draw(mst.reduction_args(SMALL, allow_none=allow_none))
    if name in ("Tensor.var", "Tensor.std"):  # Bessel's correction needs two values per reduction
        dims = range(len(args.shape)) if args.dim is None else np.atleast_1d(args.dim)
        assume(int(np.prod([args.shape[d] for d in dims] if args.shape else [1])) >= 2)
    x = data.draw(mst.tensors(args.shape))
    out = op(name)(x, dim=args.dim, keepdim=args.keepdim)
    assert_close(out, reference(host(x), axis=args.dim, keepdims=args.keepdim))
    check(lambda t: op(name)(t, dim=args.dim, keepdim=args.keepdim), x)


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
    if x.ndim >= 2:
        assert_close(x.mT, np.swapaxes(host(x), -1, -2))
        check(lambda t: t.mT, x)


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


@FEWER
@pytest.mark.parametrize("name", ["minigrad.cat", "minigrad.stack"])
@given(data=st.data())
def test_cat_and_stack_along_every_dim(name, data):
    shape = data.draw(NONEMPTY)
    count = data.draw(st.integers(1, 3))
    ndim = len(shape) + (name == "minigrad.stack")
    for dim in range(-ndim, ndim):
        sizes = [data.draw(st.integers(1, 3)) if name == "minigrad.cat" else shape[dim % len(shape)]] * count
        shapes = [
            shape if name == "minigrad.stack" else shape[: dim % ndim] + (k,) + shape[dim % ndim + 1 :]
            for k in sizes
        ]
        parts = data.draw(distinct_tensors(shapes))
        reference = np.concatenate if name == "minigrad.cat" else np.stack
        assert_close(op(name)(parts, dim=dim), reference([host(t) for t in parts], axis=dim))
        check(lambda *ts, dim=dim: op(name)(ts, dim=dim), *parts)


@given(data=st.data())
def test_broadcast_to_expand_as_and_sum_to_size(data):
    target = data.draw(SMALL)
    x = data.draw(mst.tensors(data.draw(mst.broadcasting_to(target))))
    assert_close(minigrad.broadcast_to(x, target), np.broadcast_to(host(x), target))
    check(lambda t: minigrad.broadcast_to(t, target), x)
    like = minigrad.zeros(*target)
    check(lambda t: t.expand_as(like), x)
    wide = data.draw(mst.tensors(target))
    assert_close(wide.sum_to_size(*x.shape), sum_to(host(wide), x.shape))
    check(lambda t: t.sum_to_size(*x.shape), wide)
    check(lambda t: t.sum_to_size(x.shape), wide)


@FEWER
@given(data=st.data())
def test_gather(data):
    x = data.draw(mst.tensors(NONEMPTY))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    shape = tuple(
        data.draw(st.integers(1, 3)) if d == dim % x.ndim else side for d, side in enumerate(x.shape)
    )
    index = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, x.shape[dim] - 1)))
    assert_close(
        minigrad.gather(x, dim, minigrad.tensor(index)), np.take_along_axis(host(x), index, axis=dim)
    )
    check(lambda t: t.gather(dim, minigrad.tensor(index)), x)


@given(data=st.data())
def test_where(data):
    shapes = data.draw(mst.mutually_broadcastable_shapes(3, max_dims=3, max_side=3))
    condition = data.draw(hnp.arrays(np.bool_, shapes.input_shapes[0]))
    a, b = data.draw(distinct_tensors(shapes.input_shapes[1:]))
    out = minigrad.where(minigrad.tensor(condition), a, b)
    assert_close(out, np.where(condition, host(a), host(b)))
    check(lambda p, q: minigrad.where(minigrad.tensor(condition), p, q), a, b)
    check(lambda p: minigrad.where(minigrad.tensor(condition), p, 0.5), a)


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
    check(lambda p, q: q.__rmatmul__(p), a, b)  # what `array @ tensor` calls
    check(lambda p: p @ b.detach(), a)  # only one side needs a gradient
    check(lambda q: a.detach() @ q, b)


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


# --- recorded in-place ops -----------------------------------------------------------------

INPLACE = {
    # spelling: (extra tensor args drawn like x, other args, NumPy reference of the new value)
    "Tensor.add_": (1, (), lambda a, v: a + v),
    "Tensor.sub_": (1, (), lambda a, v: a - v),
    "Tensor.mul_": (1, (), lambda a, v: a * v),
    "Tensor.div_": (1, (), lambda a, v: a / v),
    "Tensor.__iadd__": (1, (), lambda a, v: a + v),
    "Tensor.__isub__": (1, (), lambda a, v: a - v),
    "Tensor.__imul__": (1, (), lambda a, v: a * v),
    "Tensor.__itruediv__": (1, (), lambda a, v: a / v),
    "Tensor.copy_": (1, (), lambda a, v: v),
    "Tensor.fill_": (0, (2.5,), lambda a: np.full_like(a, 2.5)),
    "Tensor.zero_": (0, (), np.zeros_like),
    "Tensor.clamp_": (0, (-1.0505, 2.0505), lambda a: np.clip(a, -1.0505, 2.0505)),  # bounds off the lattice
    "Tensor.relu_": (0, (), lambda a: np.maximum(a, 0)),
}


def written_in_place(name, *args):
    """``y = x * 1`` changed in place by the op, times ``x`` so that both paths through x matter."""

    def func(x, *values):
        y = x * 1
        op(name)(y, *values, *args)
        return y * x

    return func


@FEWER
@pytest.mark.parametrize("name", INPLACE)
@given(data=st.data())
def test_recorded_inplace_ops(name, data):
    count, args, reference = INPLACE[name]
    shape = data.draw(SMALL)
    x, *values = data.draw(distinct_tensors([shape] * (1 + count), away_from_zero=0.5))
    expected = reference(host(x), *[host(v) for v in values]) * host(x)
    assert_close(written_in_place(name, *args)(x, *values), expected)
    check(written_in_place(name, *args), x, *values)


# --- nn.functional -------------------------------------------------------------------------


def leaves(draw, *shapes, **kwargs):
    return draw(distinct_tensors(shapes, **kwargs))


@st.composite
def conv2d_args(draw):
    config = draw(conv2d_configs(max_extra_side=1))
    x, w, b = leaves(draw, config.input_shape, config.weight_shape, (config.out_channels,), max_value=2.0)
    return (x, w, b), config.kwargs


@st.composite
def conv_transpose2d_args(draw):
    """The adjoint of a drawn conv2d: its output shape in, its input shape out."""
    c = draw(conv2d_configs(max_extra_side=1))
    sides = [
        (o - 1) * s - 2 * p + d * (k - 1) + 1
        for o, s, p, d, k in zip(c.output_shape[2:], c.stride, c.padding, c.dilation, c.kernel_size)
    ]
    output_padding = tuple(size - side for size, side in zip((c.height, c.width), sides))
    assume(all(e < max(s, d) for e, s, d in zip(output_padding, c.stride, c.dilation)))
    z, w, b = leaves(draw, c.output_shape, c.weight_shape, (c.in_channels,), max_value=2.0)
    return (z, w, b), {**c.kwargs, "output_padding": output_padding}


@st.composite
def corr2d_args(draw):
    h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return leaves(draw, (h, w), (draw(st.integers(1, h)), draw(st.integers(1, w)))), {}


@st.composite
def pad_args(draw):
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    shape = draw(mst.shapes(min_dims=3, max_dims=4, min_side=2, max_side=3))
    most = {"constant": 2, "reflect": 1, "replicate": 2, "circular": 2}[mode]
    pads = tuple(draw(st.integers(-1 if mode == "constant" else 0, most)) for _ in range(4))
    kwargs = {"mode": mode} | ({"value": draw(mst.elements(-2, 2))} if mode == "constant" else {})
    return leaves(draw, shape), {"pad": pads, **kwargs}


@st.composite
def pool2d_args(draw, average):
    """Windows of dilation 1 with padding <= kernel / 2 all touch the input."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *(k + draw(st.integers(0, 2)) for k in kernel))
    kwargs = {"kernel_size": kernel, "stride": stride, "padding": padding, "ceil_mode": draw(st.booleans())}
    if average:
        kwargs["count_include_pad"] = draw(st.booleans())
        kwargs["divisor_override"] = draw(st.sampled_from([None, 3]))
    return leaves(draw, shape), kwargs


@st.composite
def softmax_args(draw):
    (x,) = leaves(draw, draw(NONEMPTY))
    return (x,), {"dim": draw(st.integers(-x.ndim, x.ndim - 1))}


@st.composite
def cross_entropy_args(draw):
    classes = draw(st.integers(2, 4))
    shape = draw(st.sampled_from([(classes,), (draw(st.integers(1, 3)), classes), (2, classes, 2)]))
    target_shape = () if len(shape) == 1 else (shape[0], *shape[2:])
    target = draw(hnp.arrays(np.int64, target_shape, elements=st.integers(0, classes - 1)))
    kwargs = {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}
    kwargs["label_smoothing"] = draw(st.sampled_from([0.0, 0.2]))
    if draw(st.booleans()):
        kwargs["weight"] = minigrad.tensor(draw(mst.arrays((classes,), positive=True, away_from_zero=0.5)))
    if len(shape) > 1 and draw(st.booleans()):
        kwargs["ignore_index"] = int(target.reshape(-1)[0])  # at least one target ignored
        assume(kwargs["reduction"] != "mean" or (target != kwargs["ignore_index"]).any())
    return (*leaves(draw, shape, max_value=3.0), minigrad.tensor(target)), kwargs


@st.composite
def mse_loss_args(draw):
    shape = draw(SMALL)
    return leaves(draw, shape, shape), {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}


@st.composite
def linear_args(draw):
    """1-D, 2-D and 3-D inputs, with and without a bias."""
    batch = draw(st.lists(st.integers(1, 3), max_size=2))
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shapes = [(*batch, n_in), (n_out, n_in)] + ([(n_out,)] if draw(st.booleans()) else [])
    return leaves(draw, *shapes, max_value=3.0), {}


@st.composite
def dropout_args(draw):
    return leaves(draw, draw(NONEMPTY)), {
        "p": draw(st.sampled_from([0.25, 0.5])),
        "seed": draw(st.integers(0, 9)),
    }


def call_functional(name, kwargs):
    """The op with fixed keyword arguments; dropout re-seeded on every call, so its mask is fixed."""
    kwargs = dict(kwargs)
    seed = kwargs.pop("seed", None)

    def func(*args):
        if seed is not None:
            minigrad.manual_seed(seed)
        return op(name)(*args, **kwargs)

    return func


FUNCTIONAL = {
    "F.conv2d": conv2d_args(),
    "F.conv_transpose2d": conv_transpose2d_args(),
    "F.corr2d": corr2d_args(),
    "F.convolve2d": corr2d_args(),
    "F.pad": pad_args(),
    "F.max_pool2d": pool2d_args(average=False),
    "F.avg_pool2d": pool2d_args(average=True),
    "F.softmax": softmax_args(),
    "F.log_softmax": softmax_args(),
    "F.cross_entropy": cross_entropy_args(),
    "F.mse_loss": mse_loss_args(),
    "F.linear": linear_args(),
    "F.dropout": dropout_args(),
}


@FEWER
@pytest.mark.parametrize("name", FUNCTIONAL)
@given(data=st.data())
def test_functional_ops(name, data):
    args, kwargs = data.draw(FUNCTIONAL[name])
    check(call_functional(name, kwargs), *args)


@given(data=st.data())
def test_linear_on_3d_inputs_is_a_matmul_on_the_last_dim(data):
    x, w, b = data.draw(distinct_tensors([(2, 3, 4), (5, 4), (5,)]))
    assert_close(F.linear(x, w, b), host(x) @ host(w).T + host(b), rtol=1e-12, atol=1e-12)
    assert_close(F.linear(x, w), host(x) @ host(w).T, rtol=1e-12, atol=1e-12)
    for alone in range(3):  # only one input needs a gradient
        args = [t if k == alone else t.detach() for k, t in enumerate((x, w, b))]
        check(
            lambda t, k=alone, a=args: F.linear(*(t if j == k else c for j, c in enumerate(a))), args[alone]
        )


# --- hand-written: third derivatives ----------------------------------------------------------
# The backward of a backward is an op too (ConvInputGrad, MaxPoolScatter, IndexAdd, ...): its own
# backward shows only in third derivatives, which gradgradcheck of the first derivative checks.


def check_third_derivatives(func, *inputs):
    outputs = func(*inputs)
    seed = minigrad.tensor(np.random.default_rng(0).uniform(-1, 1, outputs.shape), requires_grad=True)

    def first_derivatives(*args):
        return grad(func(*args[:-1]), args[:-1], args[-1], create_graph=True)

    assert gradgradcheck(first_derivatives, (*inputs, seed))


def small(*shape, seed=0):
    values = np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 0.5
    return minigrad.tensor(values, requires_grad=True)


THIRD_ORDER = {
    "conv2d": (lambda x, w: F.conv2d(x, w, padding=1, stride=(1, 2)), ((1, 2, 3, 3), (2, 2, 2, 2))),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2, 1, 1), ((1, 1, 3, 3),)),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 2, 1, 1, count_include_pad=False), ((1, 1, 3, 3),)),
    "pad": (lambda x: F.pad(x, (1, -1, 2, 0), value=0.5), ((2, 3),)),
    "integer indexing": (lambda x: x[[0, 0, 2]] * x[[1, 2, 2]], ((3, 2),)),
    "setitem": (lambda x, v: assigned((0, slice(1, None)))(x, v), ((2, 3), (2,))),
}


@pytest.mark.parametrize("name", THIRD_ORDER)
def test_third_derivatives(name):
    func, shapes = THIRD_ORDER[name]
    check_third_derivatives(func, *(small(*shape, seed=k) for k, shape in enumerate(shapes)))


# --- hand-written: the ties and bounds that the strategies avoid ---------------------------------


def gradients(func, *values):
    """``d func(*leaves).sum() / d leaf`` for float64 leaves holding ``values``, as lists."""
    leaves_ = [minigrad.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for v in values]
    func(*leaves_).sum().backward()
    return [leaf.grad.tolist() for leaf in leaves_]


def test_maximum_and_minimum_split_a_tie_in_half():
    assert gradients(lambda x: minigrad.maximum(x, x), [1.0, -2.0]) == [[1.0, 1.0]]  # 0.5 + 0.5
    assert gradients(minigrad.maximum, [1.0, 2.0, 3.0], [1.0, 0.0, 3.0]) == [[0.5, 1.0, 0.5], [0.5, 0.0, 0.5]]
    assert gradients(minigrad.minimum, [1.0, 2.0, 3.0], [1.0, 0.0, 3.0]) == [[0.5, 0.0, 0.5], [0.5, 1.0, 0.5]]
    assert gradients(lambda a, b: minigrad.maximum(a, b), [2.0, 2.0], [2.0]) == [[0.5, 0.5], [1.0]]


def test_amax_amin_and_full_max_min_split_the_gradient_among_ties():
    for reduce in (lambda x: x.amax(), lambda x: x.max(), lambda x: x.amax(dim=0)):
        assert gradients(reduce, [1.0, 3.0, 3.0]) == [[0.0, 0.5, 0.5]]
    for reduce in (lambda x: x.amin(), lambda x: x.min()):
        assert gradients(reduce, [1.0, 1.0, 3.0]) == [[0.5, 0.5, 0.0]]
    assert gradients(lambda x: x.amax(dim=1), [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]) == [
        [[0.0, 0.5, 0.5], [1 / 3] * 3]
    ]
    assert gradients(lambda x: x.amax(dim=(0, 1)), [[4.0, 1.0], [4.0, 4.0]]) == [
        [[1 / 3, 0.0], [1 / 3, 1 / 3]]
    ]


def test_max_and_min_along_a_dim_send_a_tie_to_the_returned_index():
    x = minigrad.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], dtype=minigrad.float64, requires_grad=True)
    values, indices = x.max(dim=1)
    assert indices.tolist() == [1, 0]
    values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    assert gradients(lambda t: t.min(dim=0).values, [[1.0, 0.0], [1.0, 5.0]]) == [[[1.0, 1.0], [0.0, 0.0]]]


def test_values_exactly_at_clamp_bounds_keep_their_gradient():
    """PyTorch's rule: the gradient passes where min <= x <= max, bounds included."""
    x = [-1.0, 0.0, 0.5, 1.0, 2.0]
    assert gradients(lambda t: t.clamp(0.0, 1.0), x) == [[0.0, 1.0, 1.0, 1.0, 0.0]]
    assert gradients(lambda t: t.clamp(min=0.0), x) == [[0.0, 1.0, 1.0, 1.0, 1.0]]
    assert gradients(lambda t: t.clamp(max=1.0), x) == [[1.0, 1.0, 1.0, 1.0, 0.0]]
    assert gradients(lambda t: t.clamp(1.0, 1.0), x) == [[0.0, 0.0, 0.0, 1.0, 0.0]]
    lo, hi = [0.0] * 5, [1.0] * 5  # tensor bounds: a bound gets the gradient only where it is exceeded
    assert gradients(minigrad.clamp, x, lo, hi) == [
        [0.0, 1.0, 1.0, 1.0, 0.0],
        [1.0] + [0.0] * 4,
        [0.0] * 4 + [1.0],
    ]
    assert gradients(lambda t, a: t.clamp(min=a), x, lo) == [[0.0, 1.0, 1.0, 1.0, 1.0], [1.0] + [0.0] * 4]


def test_the_exponent_gradient_of_a_zero_base_is_zero():
    """d/db a**b = a**b log a, taken as 0 where a == 0 (PyTorch), also for 0**0 = 1."""
    assert gradients(
        lambda b: minigrad.tensor([0.0, 0.0, 2.0], dtype=minigrad.float64) ** b, [0.0, 2.0, 1.5]
    ) == [[0.0, 0.0, 2.0**1.5 * np.log(2.0)]]


def test_a_float32_cast_passes_gradients_back_and_is_differentiable_again():
    x = minigrad.tensor([1.5, -2.0], dtype=minigrad.float64, requires_grad=True)
    (g,) = grad((x.float() ** 3).sum(), x, create_graph=True)
    assert g.dtype == minigrad.float64 and g.tolist() == [6.75, 12.0]  # 3 x**2, exact in float32
    (gg,) = grad(g.sum(), x)
    assert gg.dtype == minigrad.float64 and gg.tolist() == [9.0, -12.0]  # 6 x


def test_max_and_min_of_two_tensors_are_maximum_and_minimum():
    assert gradients(lambda a, b: minigrad.max(a, b), [1.0, 3.0], [2.0, 3.0]) == [[0.0, 0.5], [1.0, 0.5]]
    assert gradients(lambda a, b: a.min(b), [1.0, 3.0], [2.0, 3.0]) == [[1.0, 0.5], [0.0, 0.5]]


def test_setitem_of_a_tensor_that_needs_no_gradient_passes_one_to_the_value():
    v = minigrad.tensor([2.0, 3.0], dtype=minigrad.float64, requires_grad=True)
    y = minigrad.zeros(3, dtype=minigrad.float64)
    y[1:] = v * v
    (y * minigrad.tensor([1.0, 10.0, 100.0], dtype=minigrad.float64)).sum().backward()
    assert v.grad.tolist() == [40.0, 600.0]


def test_relu_and_abs_at_zero_have_gradient_zero():
    assert gradients(lambda t: t.relu(), [-1.0, 0.0, 1.0]) == [[0.0, 0.0, 1.0]]
    assert gradients(lambda t: t.abs(), [-1.0, 0.0, 1.0]) == [[-1.0, 0.0, 1.0]]


# --- every exported op has an entry ----------------------------------------------------------

TABLES = [BINARY, SCALAR_OPS, UNARY, CONVERSIONS, REDUCTIONS, INPLACE, FUNCTIONAL]

# Ops checked by a test of their own (each calls check, so gradcheck and gradgradcheck)
CHECKED_BY = {
    "Tensor.__pow__": test_pow_with_a_tensor_exponent,
    "minigrad.clamp": test_clamp_with_tensor_bounds,
    "Tensor.clamp": test_clamp,
    "Tensor.max": test_max_and_min_values,
    "Tensor.min": test_max_and_min_values,
    "Tensor.reshape": test_reshape_and_view,
    "Tensor.permute": test_permute,
    "Tensor.transpose": test_transpose_t_and_T,
    "Tensor.t": test_transpose_t_and_T,
    "Tensor.T": test_transpose_t_and_T,
    "Tensor.mT": test_transpose_t_and_T,
    "Tensor.flatten": test_flatten,
    "Tensor.squeeze": test_squeeze_and_unsqueeze,
    "Tensor.unsqueeze": test_squeeze_and_unsqueeze,
    "Tensor.expand": test_expand,
    "Tensor.flip": test_flip,
    "minigrad.cat": test_cat_and_stack_along_every_dim,
    "minigrad.stack": test_cat_and_stack_along_every_dim,
    "minigrad.broadcast_to": test_broadcast_to_expand_as_and_sum_to_size,
    "Tensor.expand_as": test_broadcast_to_expand_as_and_sum_to_size,
    "Tensor.sum_to_size": test_broadcast_to_expand_as_and_sum_to_size,
    "Tensor.gather": test_gather,
    "minigrad.where": test_where,
    "Tensor.matmul": test_matmul,
    "Tensor.__rmatmul__": test_matmul,
    "Tensor.__getitem__": test_basic_indexing,
    "Tensor.__setitem__": test_setitem_with_basic_indices,
}

NOT_DIFFERENTIABLE = {
    "minigrad.argmax": "an integer index",
    "minigrad.argmin": "an integer index",
    "minigrad.broadcast_shapes": "works on shapes, not tensors",
    "Tensor.sign": "piecewise constant (derivative 0 where it exists); its result has no graph",
    "Tensor.__eq__": "a comparison: a bool tensor",
    "Tensor.__ne__": "a comparison: a bool tensor",
    "Tensor.__lt__": "a comparison: a bool tensor",
    "Tensor.__le__": "a comparison: a bool tensor",
    "Tensor.__gt__": "a comparison: a bool tensor",
    "Tensor.__ge__": "a comparison: a bool tensor",
    "Tensor.eq": "a comparison: a bool tensor",
    "Tensor.long": "an integer cast",
    "Tensor.bool": "a bool cast",
    "Tensor.float": "a float32 result, where central differences are noise; its first and second "
    "derivatives are test_a_float32_cast_passes_gradients_back_and_is_differentiable_again's",
    "Tensor.cuda": "needs a GPU; the moves and their gradients are test_device's",
}


TENSOR_MOVES = {"Tensor.to", "Tensor.cpu", "Tensor.cuda"}


def exported_ops():
    """Every exported op, as ``{function: [its spellings]}``, read from the op registry: the
    ``minigrad`` functions, Tensor methods and properties and nn.functional names each op declares,
    and the device and dtype moves (differentiable, but methods of the tensor itself)."""
    spellings = {}
    candidates = [(f"minigrad.{n}", f) for n, f in registry.FUNCTIONS.items()]
    candidates += [(f"F.{n}", f) for n, f in registry.FUNCTIONAL.items()]
    candidates += [(f"linalg.{n}", f) for n, f in registry.LINALG.items()]
    tensor_names = [*registry.METHODS, *registry.INPLACE, *registry.PROPERTIES]
    tensor_names += sorted(move.split(".")[1] for move in TENSOR_MOVES)
    candidates += [(f"Tensor.{n}", op(f"Tensor.{n}")) for n in tensor_names]
    for spelling, function in candidates:
        spellings.setdefault(function, []).append(spelling)
    return spellings


def test_every_op_is_reached_through_its_declaration():
    """What minigrad, nn.functional and Tensor offer from the ops layer is what the registry holds:
    no op is attached or exported by hand."""
    exported = {s for v in exported_ops().values() for s in v}
    offered = [f"minigrad.{n}" for n in minigrad.__all__] + [f"F.{n}" for n in F.__all__]
    offered += [f"linalg.{n}" for n in minigrad.linalg.__all__]
    offered += [f"Tensor.{n}" for n, v in vars(Tensor).items() if callable(v) or isinstance(v, property)]
    from_ops = {
        s
        for s in offered
        if inspect.isfunction(op(s))
        and (op(s).__module__.startswith("minigrad.ops") or s.startswith(("F.", "linalg.")))
    }
    assert from_ops | TENSOR_MOVES == exported
    for name, function in registry.FUNCTIONS.items():
        assert getattr(minigrad, name) is function, name
    for name, function in registry.METHODS.items():
        assert inspect.getattr_static(Tensor, name) is function, name  # the plain function: no wrapper


def property_test_entries():
    """TABLES, CHECKED_BY and NOT_DIFFERENTIABLE of every property-test module
    (``tests/test_properties_*.py``): a module of new ops declares its own entries beside its tests."""
    tables, checked_by, not_differentiable = [], {}, {}
    for path in sorted(pathlib.Path(__file__).parent.glob("test_properties_*.py")):
        module = sys.modules[__name__] if path.stem == __name__ else importlib.import_module(path.stem)
        tables += getattr(module, "TABLES", [])
        checked_by.update(getattr(module, "CHECKED_BY", {}))
        not_differentiable.update(getattr(module, "NOT_DIFFERENTIABLE", {}))
    return tables, checked_by, not_differentiable


def test_every_exported_op_is_checked():
    exported = exported_ops()
    assert {"minigrad.sin", "Tensor.__radd__", "Tensor.T", "F.conv2d"} <= {
        s for v in exported.values() for s in v
    }
    tables, checked_by, not_differentiable = property_test_entries()
    entries = [name for table in tables for name in table] + list(checked_by) + list(not_differentiable)
    covered = {op(name) for name in entries} | set(registry.DRAWN)
    assert registry.DRAWN, (
        "no op declares its inputs: test_ops_whose_declaration_says_their_inputs checks nothing"
    )
    missing = sorted(spellings[0] for function, spellings in exported.items() if function not in covered)
    assert not missing, f"exported ops without a property-test entry (or a reasoned exclusion): {missing}"
    unknown = sorted(name for name in entries if op(name) not in exported)
    assert not unknown, f"entries that name no exported op: {unknown}"
    for name, test in checked_by.items():
        assert "check(" in inspect.getsource(test), f"{test.__name__} (for {name}) does not call check"
