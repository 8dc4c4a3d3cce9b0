"""Property tests of the reductions, sorts, scans and norms: values against NumPy, gradcheck and
gradgradcheck on drawn inputs (zeros put in on purpose for prod and cumprod, whose gradients
have a division-free rule there). Ties, NaN and empty tensors are test_reduction_ops's."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_properties_ops import check, host, written_in_place

import minigrad
from minigrad.testing import assert_close
from minigrad.testing import strategies as mst

SMALL = mst.shapes(max_dims=3, max_side=3)
NONEMPTY = mst.shapes(min_dims=1, max_dims=3, max_side=3)
FEW = settings(max_examples=10)


def one_dim(draw, shape):
    """A dim of ``shape`` (negatives too), or 0 for a 0-d tensor."""
    return draw(st.integers(-len(shape), len(shape) - 1)) if shape else draw(st.sampled_from([0, -1]))


@st.composite
def with_zeros(draw, shape):
    """A float64 leaf of ``shape`` whose entries are zero where a drawn mask says (none, one, several)."""
    values = np.array(draw(mst.arrays(shape)))
    values[draw(mst.arrays(shape, dtype=bool, elements=st.booleans(), unique=False))] = 0.0
    return minigrad.tensor(values, requires_grad=True)


@FEW
@given(data=st.data())
def test_prod(data):
    shape = data.draw(SMALL)
    x = data.draw(with_zeros(shape))
    dim = one_dim(data.draw, shape) if data.draw(st.booleans()) else None
    keepdim = data.draw(st.booleans()) and dim is not None
    expected = np.prod(host(x), axis=None if dim is None or not shape else dim, keepdims=keepdim)
    assert_close(x.prod(dim, keepdim) if dim is not None else x.prod(), expected)
    check(lambda t: minigrad.prod(t, dim, keepdim) if dim is not None else t.prod(), x)


@FEW
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@given(data=st.data())
def test_cumsum_and_cumprod(name, data):
    shape = data.draw(SMALL)
    x = data.draw(with_zeros(shape))
    dim = one_dim(data.draw, shape)
    expected = getattr(np, name)(host(x).reshape(shape or (1,)), axis=dim if shape else 0).reshape(shape)
    assert_close(getattr(x, name)(dim), expected)
    check(lambda t: getattr(minigrad, name)(t, dim), x)


@FEW
@pytest.mark.parametrize("name", ["cumsum_", "cumprod_"])
@given(data=st.data())
def test_cumsum_and_cumprod_in_place(name, data):
    x = data.draw(with_zeros(data.draw(NONEMPTY)))
    dim = one_dim(data.draw, x.shape)
    expected = getattr(np, name[:-1])(host(x), axis=dim) * host(x)
    assert_close(written_in_place(f"Tensor.{name}", dim)(x), expected)
    check(written_in_place(f"Tensor.{name}", dim), x)


@FEW
@pytest.mark.parametrize("name", ["nansum", "nanmean"])
@given(data=st.data())
def test_nansum_and_nanmean(name, data):
    args = data.draw(mst.reduction_args(NONEMPTY))
    values = np.array(data.draw(mst.arrays(args.shape)))
    values.reshape(-1)[data.draw(st.integers(0, values.size - 1))] = np.nan  # a NaN counts as nothing
    x = minigrad.tensor(values, requires_grad=True)
    if name == "nanmean":
        counts = np.sum(~np.isnan(values), axis=args.dim)
        assume(np.all(counts > 0))
    expected = getattr(np, name)(values, axis=args.dim, keepdims=args.keepdim)
    assert_close(getattr(minigrad, name)(x, args.dim, args.keepdim), expected)
    check(lambda t: getattr(x, name)(dim=args.dim, keepdim=args.keepdim), x)


@FEW
@pytest.mark.parametrize("name", ["var_mean", "std_mean"])
@given(data=st.data())
def test_var_mean_and_std_mean(name, data):
    args = data.draw(mst.reduction_args(SMALL))
    x = data.draw(mst.tensors(args.shape))
    dims = range(x.ndim) if args.dim is None else np.atleast_1d(args.dim)
    count = int(np.prod([x.shape[d] for d in dims] if x.ndim else [1]))
    assume(count > 1 or name == "var_mean")  # the std of one value is sqrt(0): a kink
    correction = data.draw(st.sampled_from([0, 1] if count > 1 else [0]))
    spread, centre = getattr(minigrad, name)(x, args.dim, keepdim=args.keepdim, correction=correction)
    reference = np.var if name == "var_mean" else np.std
    dim = args.dim if x.ndim else None
    assert_close(spread, reference(host(x), axis=dim, keepdims=args.keepdim, ddof=correction))
    assert_close(centre, np.mean(host(x), axis=dim, keepdims=args.keepdim))
    check(lambda t: getattr(minigrad, name)(t, args.dim, keepdim=args.keepdim, correction=correction), x)


@FEW
@given(data=st.data())
def test_aminmax(data):
    shape = data.draw(SMALL)
    x = data.draw(mst.tensors(shape))
    dim = one_dim(data.draw, shape) if data.draw(st.booleans()) else None
    keepdim = data.draw(st.booleans())
    low, high = minigrad.aminmax(x, dim=dim, keepdim=keepdim)
    axis = None if dim is None or not shape else dim
    assert_close(low, np.min(host(x), axis=axis, keepdims=keepdim))
    assert_close(high, np.max(host(x), axis=axis, keepdims=keepdim))
    check(lambda t: minigrad.aminmax(t, dim=dim, keepdim=keepdim), x)


def lower_median(a, axis):
    return np.take(np.sort(a, axis=axis), (a.shape[axis] - 1) // 2, axis=axis)


# spelling: (the op as called with the drawn dim, its NumPy value along ``axis``), values distinct
ORDER = {
    "Tensor.sort": (lambda t, d: t.sort(d).values, lambda a, d: np.sort(a, axis=d)),
    "minigrad.sort": (
        lambda t, d: minigrad.sort(t, d, descending=True).values,
        lambda a, d: np.flip(np.sort(a, axis=d), axis=d),
    ),
    "Tensor.msort": (lambda t, d: t.msort(), lambda a, d: np.sort(a, axis=0)),
    "Tensor.topk": (
        lambda t, d: t.topk(min(2, t.shape[d]), d).values,
        lambda a, d: np.take(np.flip(np.sort(a, axis=d), axis=d), range(min(2, a.shape[d])), axis=d),
    ),
    "minigrad.topk": (
        lambda t, d: minigrad.topk(t, 1, d, largest=False).values,
        lambda a, d: np.take(np.sort(a, axis=d), [0], axis=d),
    ),
    "Tensor.kthvalue": (
        lambda t, d: t.kthvalue(t.shape[d], d).values,
        lambda a, d: np.max(a, axis=d),
    ),
    "Tensor.median": (lambda t, d: t.median(d).values, lower_median),
    "minigrad.median": (lambda t, d: minigrad.median(t), lambda a, d: lower_median(a.reshape(-1), 0)),
    "Tensor.nanmedian": (
        lambda t, d: t.nanmedian(d, keepdim=True).values,
        lambda a, d: np.expand_dims(lower_median(a, d), d),
    ),
    "Tensor.mode": (
        lambda t, d: t.mode(d).values,
        lambda a, d: np.min(a, axis=d),
    ),  # no repeats: the smallest
    "Tensor.cummax": (lambda t, d: t.cummax(d).values, lambda a, d: np.maximum.accumulate(a, axis=d)),
    "minigrad.cummin": (
        lambda t, d: minigrad.cummin(t, d).values,
        lambda a, d: np.minimum.accumulate(a, axis=d),
    ),
}


@FEW
@pytest.mark.parametrize("name", ORDER)
@given(data=st.data())
def test_sorting_ops(name, data):
    x = data.draw(mst.tensors(NONEMPTY))
    dim = one_dim(data.draw, x.shape) % x.ndim
    func, reference = ORDER[name]
    assert_close(func(x, dim), reference(host(x), dim))
    check(lambda t: func(t, dim), x)


INF = math.inf


@FEW
@pytest.mark.parametrize("ord", [2, 1, INF, -INF, 3, 0.5, -1.5, 0])
@given(data=st.data())
def test_vector_norm(ord, data):
    args = data.draw(mst.reduction_args(SMALL))
    x = data.draw(mst.tensors(args.shape, positive=math.isinf(ord)))  # |x| ties would be kinks of max
    dim = args.dim if x.ndim else None
    a = np.abs(host(x))
    if ord == 0:
        expected = np.sum(a != 0, axis=dim, keepdims=args.keepdim).astype(float)
    elif math.isinf(ord):
        expected = (np.max if ord > 0 else np.min)(a, axis=dim, keepdims=args.keepdim)
    else:
        expected = np.sum(a**ord, axis=dim, keepdims=args.keepdim) ** (1 / ord)
    assert_close(minigrad.linalg.vector_norm(x, ord, args.dim, args.keepdim), expected)
    assert_close(x.norm(ord, args.dim, args.keepdim), expected)
    check(lambda t: minigrad.linalg.vector_norm(t, ord, args.dim, args.keepdim), x)
    check(lambda t: minigrad.norm(t, ord, args.dim, args.keepdim), x)


@FEW
@pytest.mark.parametrize("ord", ["fro", 1, -1, INF, -INF])
@given(data=st.data())
def test_matrix_norm(ord, data):
    x = data.draw(mst.tensors(mst.shapes(min_dims=2, max_dims=3, max_side=3)))
    dims = tuple(data.draw(st.permutations(range(-x.ndim, 0)))[:2])
    keepdim = data.draw(st.booleans())
    a = np.moveaxis(host(x), dims, (-2, -1))
    if ord != "fro":  # a tie between column (row) sums would be a kink of their max
        sums = np.sort(np.abs(a).sum(axis=-2 if abs(ord) == 1 else -1), axis=-1)
        assume(np.all(np.diff(sums, axis=-1) > 1e-4))
    expected = np.linalg.norm(a, ord, axis=(-2, -1))
    if keepdim:
        expected = np.expand_dims(expected, tuple(sorted(d % x.ndim for d in dims)))
    assert_close(minigrad.linalg.matrix_norm(x, ord, dims, keepdim), expected)
    check(lambda t: minigrad.linalg.matrix_norm(t, ord, dims, keepdim), x)


TABLES = []

CHECKED_BY = {
    "minigrad.prod": test_prod,
    "minigrad.cumsum": test_cumsum_and_cumprod,
    "minigrad.cumprod": test_cumsum_and_cumprod,
    "Tensor.cumsum_": test_cumsum_and_cumprod_in_place,
    "Tensor.cumprod_": test_cumsum_and_cumprod_in_place,
    "minigrad.nansum": test_nansum_and_nanmean,
    "minigrad.nanmean": test_nansum_and_nanmean,
    "minigrad.var_mean": test_var_mean_and_std_mean,
    "minigrad.std_mean": test_var_mean_and_std_mean,
    "minigrad.aminmax": test_aminmax,
    **dict.fromkeys(ORDER, test_sorting_ops),
    "linalg.vector_norm": test_vector_norm,
    "minigrad.norm": test_vector_norm,
    "linalg.matrix_norm": test_matrix_norm,
}

NOT_DIFFERENTIABLE = {
    "minigrad.all": "a bool result",
    "minigrad.any": "a bool result",
    "minigrad.count_nonzero": "an integer count",
    "minigrad.argsort": "integer indices",
    "minigrad.unique": "distinct values whose number depends on the data; PyTorch defines no gradient",
}
