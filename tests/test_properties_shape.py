"""Property tests of the shape and indexing ops: forward against NumPy, gradcheck and gradgradcheck.

Each entry of ``CASES`` draws an op's inputs and arguments and says what NumPy computes for
them; ``test_shape_and_indexing_ops`` compares the two and checks both derivatives. Scatter
indices are drawn without repeats where the op assigns (PyTorch leaves which repeat wins
unspecified) and with repeats where it accumulates.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_properties_ops import check, distinct_tensors, host

import minigrad
from minigrad.testing import assert_close
from minigrad.testing import strategies as mst

FEW = settings(max_examples=5)
NONEMPTY = mst.shapes(min_dims=1, max_dims=3, max_side=3)
MATRICES = mst.shapes(min_dims=2, max_dims=3, max_side=3)


def leaf(data, shape=NONEMPTY):
    return data.draw(mst.tensors(shape))


def a_dim(data, x):
    return data.draw(st.integers(-x.ndim, x.ndim - 1))


def indices(data, shape, high, unique_along=None):
    """An int64 index array of ``shape`` with entries in ``[0, high)``; distinct along
    ``unique_along`` when given (each row a draw of distinct values)."""
    if unique_along is None:
        return data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, high - 1)))
    order = np.argsort(
        data.draw(
            hnp.arrays(
                np.float64,
                (*shape[:unique_along], high, *shape[unique_along + 1 :]),
                elements=st.floats(0, 1),
                unique=True,
            )
        ),
        axis=unique_along,
    )
    return np.take(order, range(shape[unique_along]), axis=unique_along)


def as_index(array):
    return minigrad.tensor(array)


# ---- the cases: data -> (function of the tensors, the tensors, NumPy's result) -------------------


def split_case(data):
    x = leaf(data)
    d = a_dim(data, x)
    size = data.draw(st.integers(1, 3))
    cuts = list(range(size, x.shape[d], size))
    return lambda t: t.split(size, d), [x], np.split(host(x), cuts, axis=d)


def split_sizes_case(data):
    x = leaf(data)
    first = data.draw(st.integers(0, x.shape[0]))
    return lambda t: minigrad.split(t, [first, x.shape[0] - first]), [x], np.split(host(x), [first])


def chunk_case(data):
    x = leaf(data)
    d, chunks = a_dim(data, x), data.draw(st.integers(1, 4))
    size = -(-x.shape[d] // chunks)
    return lambda t: t.chunk(chunks, d), [x], np.split(host(x), range(size, x.shape[d], size), axis=d)


def unbind_case(data):
    x = leaf(data)
    d = a_dim(data, x)
    return lambda t: t.unbind(d), [x], list(np.moveaxis(host(x), d, 0))


def select_case(data):
    x = leaf(data)
    d = a_dim(data, x)
    i = data.draw(st.integers(-x.shape[d], x.shape[d] - 1))
    return lambda t: t.select(d, i), [x], np.take(host(x), i, axis=d)


def narrow_case(data):
    x = leaf(data)
    d = a_dim(data, x)
    start = data.draw(st.integers(0, x.shape[d]))
    length = data.draw(st.integers(0, x.shape[d] - start))
    expected = np.take(host(x), range(start, start + length), axis=d)
    return lambda t: t.narrow(d, start, length), [x], expected


def movedim_case(data):
    x = leaf(data)
    source = data.draw(st.permutations(range(x.ndim)))[: data.draw(st.integers(1, x.ndim))]
    destination = data.draw(st.permutations(range(x.ndim)))[: len(source)]
    return lambda t: minigrad.movedim(t, source, destination), [x], np.moveaxis(host(x), source, destination)


def moveaxis_case(data):
    x = leaf(data)
    s, d = a_dim(data, x), a_dim(data, x)
    return lambda t: t.moveaxis(s, d), [x], np.moveaxis(host(x), s, d)


def swap_case(name):
    def case(data):
        x = leaf(data)
        d0, d1 = a_dim(data, x), a_dim(data, x)
        return lambda t: getattr(t, name)(d0, d1), [x], np.swapaxes(host(x), d0, d1)

    return case


def repeat_case(data):
    x = leaf(data, mst.shapes(max_dims=2, max_side=2))
    reps = data.draw(st.lists(st.integers(0, 2), min_size=x.ndim, max_size=x.ndim + 1))
    return lambda t: t.repeat(*reps), [x], np.tile(host(x), reps)


def tile_case(data):
    x = leaf(data, mst.shapes(max_dims=2, max_side=2))
    reps = tuple(data.draw(st.lists(st.integers(1, 2), min_size=1, max_size=3)))
    return lambda t: minigrad.tile(t, reps), [x], np.tile(host(x), reps)


def repeat_interleave_case(data):
    x = leaf(data)
    d = a_dim(data, x)
    counts = data.draw(hnp.arrays(np.int64, x.shape[d], elements=st.integers(0, 2)))
    return lambda t: t.repeat_interleave(as_index(counts), dim=d), [x], np.repeat(host(x), counts, axis=d)


def repeat_interleave_flat_case(data):
    x = leaf(data)
    k = data.draw(st.integers(0, 2))
    return lambda t: minigrad.repeat_interleave(t, k), [x], np.repeat(host(x), k)


def roll_case(data):
    x = leaf(data)
    d = a_dim(data, x)
    shift = data.draw(st.integers(-4, 4))
    return lambda t: t.roll(shift, d), [x], np.roll(host(x), shift, axis=d)


def roll_flat_case(data):
    x = leaf(data)
    shift = data.draw(st.integers(-4, 4))
    return lambda t: minigrad.roll(t, shift), [x], np.roll(host(x), shift)


def rot90_case(data):
    x = leaf(data, MATRICES)
    k = data.draw(st.integers(-4, 4))
    dims = data.draw(st.permutations(range(x.ndim)))[:2]
    return lambda t: t.rot90(k, dims), [x], np.rot90(host(x), k, dims)


def triangle_case(name):
    def case(data):
        x = leaf(data, MATRICES)
        k = data.draw(st.integers(-3, 3))
        return lambda t: getattr(t, name)(k), [x], getattr(np, name)(host(x), k)

    return case


def diagonal_case(data):
    x = leaf(data, MATRICES)
    d1, d2 = data.draw(st.permutations(range(x.ndim)))[:2]
    k = data.draw(st.integers(-3, 3))
    return lambda t: t.diagonal(k, d1, d2), [x], np.diagonal(host(x), k, d1, d2)


def diag_embed_case(data):
    x = leaf(data)
    k = data.draw(st.integers(-2, 2))
    d1, d2 = data.draw(st.permutations(range(-x.ndim - 1, 0)))[:2]
    side = x.shape[-1] + abs(k)
    expected = np.zeros((*x.shape[:-1], side, side))
    for i in range(x.shape[-1]):
        expected[..., i + max(-k, 0), i + max(k, 0)] = host(x)[..., i]
    return lambda t: t.diag_embed(k, d1, d2), [x], np.moveaxis(expected, (-2, -1), (d1, d2))


def diag_case(data):
    x = leaf(data, mst.shapes(min_dims=1, max_dims=2, max_side=3))
    k = data.draw(st.integers(-2, 2))
    return lambda t: minigrad.diag(t, k), [x], np.diag(host(x), k)


def trace_case(data):
    x = leaf(data, mst.shapes(min_dims=2, max_dims=2, max_side=3))
    return lambda t: t.trace(), [x], np.trace(host(x))


def stack_case(name):
    def case(data):
        count = data.draw(st.integers(1, 3))
        shape = data.draw(mst.shapes(max_dims=3, max_side=3))
        parts = data.draw(distinct_tensors([shape] * count))
        return lambda *ts: getattr(minigrad, name)(ts), parts, getattr(np, name)([host(p) for p in parts])

    return case


def meshgrid_case(data):
    count = data.draw(st.integers(1, 3))
    shapes = [data.draw(mst.shapes(max_dims=1, max_side=3)) for _ in range(count)]
    parts = data.draw(distinct_tensors(shapes))
    indexing = data.draw(st.sampled_from(["ij", "xy"]))
    expected = np.meshgrid(*[host(p) for p in parts], indexing=indexing)
    return lambda *ts: minigrad.meshgrid(*ts, indexing=indexing), parts, expected


def unflatten_case(data):
    x = leaf(data)
    d = a_dim(data, x)
    n = x.shape[d]
    sizes = data.draw(st.sampled_from([(n,), (1, n), (n, 1), (-1, 1), (1, -1)]))
    concrete = tuple(n if s == -1 else s for s in sizes)
    return (
        lambda t: t.unflatten(d, sizes),
        [x],
        host(x).reshape(*x.shape[: d % x.ndim], *concrete, *x.shape[d % x.ndim + 1 :]),
    )


def broadcast_tensors_case(data):
    shapes = data.draw(mst.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    parts = data.draw(distinct_tensors(shapes.input_shapes))
    return (
        lambda *ts: minigrad.broadcast_tensors(*ts),
        parts,
        list(np.broadcast_arrays(*[host(p) for p in parts])),
    )


def like_case(name):
    def case(data):
        x = leaf(data)
        other = minigrad.zeros(*host(x).reshape(data.draw(mst.reshape_shapes(x.shape))).shape)
        return lambda t: getattr(t, name)(other), [x], host(x).reshape(other.shape)

    return case


def index_select_case(data):
    x = leaf(data)
    d = a_dim(data, x)
    index = indices(data, data.draw(st.integers(0, 4)), x.shape[d])
    return lambda t: t.index_select(d, as_index(index)), [x], np.take(host(x), index, axis=d)


def take_case(data):
    x = leaf(data)
    index = data.draw(
        hnp.arrays(
            np.int64, mst.shapes(max_dims=2, max_side=3), elements=st.integers(-x.numel(), x.numel() - 1)
        )
    )
    return lambda t: t.take(as_index(index)), [x], np.take(host(x), index)


def take_along_dim_case(data):
    x = leaf(data)
    d = a_dim(data, x)
    shape = tuple(
        data.draw(st.integers(1, 3)) if k == d % x.ndim else data.draw(st.sampled_from([1, s]))
        for k, s in enumerate(x.shape)
    )
    index = indices(data, shape, x.shape[d])
    expected = np.take_along_axis(
        host(x),
        np.broadcast_to(
            index, [max(i, s) if k != d % x.ndim else i for k, (i, s) in enumerate(zip(index.shape, x.shape))]
        ),
        axis=d,
    )
    return lambda t: minigrad.take_along_dim(t, as_index(index), d), [x], expected


def masks(data, shape):
    return minigrad.tensor(data.draw(hnp.arrays(np.bool_, shape)))


def masked_select_case(data):
    x = leaf(data)
    mask = masks(data, data.draw(mst.broadcasting_to(x.shape)))
    return (
        lambda t: t.masked_select(mask),
        [x],
        np.broadcast_to(host(x), x.shape)[np.broadcast_to(host(mask), x.shape)],
    )


def masked_fill_case(data):
    x, value = data.draw(distinct_tensors([data.draw(NONEMPTY), ()]))
    mask = masks(data, data.draw(mst.broadcasting_to(x.shape)))
    return lambda t, v: t.masked_fill(mask, v), [x, value], np.where(host(mask), host(value), host(x))


def masked_scatter_case(data):
    x = leaf(data)
    mask = masks(data, x.shape)
    count = int(host(mask).sum())
    source = leaf(data, (count + data.draw(st.integers(0, 2)),))
    expected = host(x).copy()
    expected[host(mask)] = host(source)[:count]
    return lambda t, s: t.masked_scatter(mask, s), [x, source], expected


def scatter_args(data, unique):
    """A target, a dim, an index (distinct along dim when ``unique``) and a source at least as large."""
    x_shape = data.draw(NONEMPTY)
    d = data.draw(st.integers(0, len(x_shape) - 1))
    shape = tuple(data.draw(st.integers(1, s)) for s in x_shape)
    index = indices(data, shape, x_shape[d], unique_along=d if unique else None)
    # x and src distinct from each other: no ties for amax/amin (ties have a hand-written case)
    x, src = data.draw(distinct_tensors([x_shape, tuple(s + data.draw(st.integers(0, 1)) for s in shape)]))
    grids = np.ix_(*[np.arange(s) for s in shape])
    target = tuple(index if k == d else g for k, g in enumerate(grids))
    return x, d, index, src, target, host(src)[tuple(slice(0, s) for s in shape)]


def scatter_case(data):
    x, d, index, src, target, part = scatter_args(data, unique=True)
    expected = host(x).copy()
    expected[target] = part
    return lambda t, s: t.scatter(d, as_index(index), s), [x, src], expected


def scatter_value_case(data):
    x, d, index, _, target, _ = scatter_args(data, unique=False)
    expected = host(x).copy()
    expected[target] = -1.5
    return lambda t: minigrad.scatter(t, d, as_index(index), -1.5), [x], expected


def scatter_add_case(data):
    x, d, index, src, target, part = scatter_args(data, unique=False)
    expected = host(x).copy()
    np.add.at(expected, target, part)
    return lambda t, s: t.scatter_add(d, as_index(index), s), [x, src], expected


REDUCE_AT = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def scatter_reduce_case(data):
    reduce = data.draw(st.sampled_from(["sum", "prod", "mean", "amax", "amin"]))
    include_self = data.draw(st.booleans())
    x, d, index, src, target, part = scatter_args(data, unique=False)
    count = np.zeros(x.shape)
    np.add.at(count, target, 1)
    start = host(x).copy()
    if not include_self:
        start[count > 0] = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
    REDUCE_AT.get(reduce, np.add).at(start, target, part)
    expected = start / np.maximum(count + include_self, 1) if reduce == "mean" else start
    return (
        lambda t, s: t.scatter_reduce(d, as_index(index), s, reduce, include_self=include_self),
        [x, src],
        expected,
    )


def index_args(data, unique):
    x = leaf(data)
    d = a_dim(data, x) % x.ndim
    n = data.draw(st.integers(1, x.shape[d]) if unique else st.integers(0, 4))
    index = indices(data, (n,), x.shape[d], unique_along=0 if unique else None)
    source = leaf(data, x.shape[:d] + (n,) + x.shape[d + 1 :])
    target = (slice(None),) * d + (index,)
    return x, d, index, source, target


def index_add_case(data):
    x, d, index, source, target = index_args(data, unique=False)
    alpha = data.draw(st.sampled_from([1, -2.5]))
    expected = host(x).copy()
    np.add.at(expected, target, alpha * host(source))
    return lambda t, s: t.index_add(d, as_index(index), s, alpha=alpha), [x, source], expected


def index_copy_case(data):
    x, d, index, source, target = index_args(data, unique=True)
    expected = host(x).copy()
    expected[target] = host(source)
    return lambda t, s: t.index_copy(d, as_index(index), s), [x, source], expected


def index_fill_case(data):
    x, d, index, _, target = index_args(data, unique=False)
    value = leaf(data, ())
    expected = host(x).copy()
    expected[target] = host(value)
    return lambda t, v: t.index_fill(d, as_index(index), v), [x, value], expected


def index_put_case(data):
    accumulate = data.draw(st.booleans())
    x = leaf(data)
    rows = indices(
        data, (data.draw(st.integers(1, x.shape[0])),), x.shape[0], unique_along=None if accumulate else 0
    )
    values = leaf(data, data.draw(mst.broadcasting_to((len(rows), *x.shape[1:]))))
    expected = host(x).copy()
    if accumulate:
        np.add.at(expected, rows, np.broadcast_to(host(values), (len(rows), *x.shape[1:])))
    else:
        expected[rows] = host(values)
    return lambda t, v: t.index_put((as_index(rows),), v, accumulate=accumulate), [x, values], expected


CASES = {
    "Tensor.split": split_case,
    "minigrad.split (sizes)": split_sizes_case,
    "Tensor.chunk": chunk_case,
    "Tensor.unbind": unbind_case,
    "Tensor.select": select_case,
    "Tensor.narrow": narrow_case,
    "minigrad.movedim": movedim_case,
    "Tensor.moveaxis": moveaxis_case,
    "Tensor.swapaxes": swap_case("swapaxes"),
    "Tensor.swapdims": swap_case("swapdims"),
    "Tensor.repeat": repeat_case,
    "minigrad.tile": tile_case,
    "Tensor.repeat_interleave": repeat_interleave_case,
    "minigrad.repeat_interleave (int)": repeat_interleave_flat_case,
    "Tensor.roll": roll_case,
    "minigrad.roll (flat)": roll_flat_case,
    "Tensor.rot90": rot90_case,
    "minigrad.tril": triangle_case("tril"),
    "minigrad.triu": triangle_case("triu"),
    "Tensor.diagonal": diagonal_case,
    "Tensor.diag_embed": diag_embed_case,
    "minigrad.diag": diag_case,
    "Tensor.trace": trace_case,
    "minigrad.hstack": stack_case("hstack"),
    "minigrad.vstack": stack_case("vstack"),
    "minigrad.dstack": stack_case("dstack"),
    "minigrad.column_stack": stack_case("column_stack"),
    "minigrad.meshgrid": meshgrid_case,
    "Tensor.unflatten": unflatten_case,
    "minigrad.broadcast_tensors": broadcast_tensors_case,
    "Tensor.view_as": like_case("view_as"),
    "Tensor.reshape_as": like_case("reshape_as"),
    "Tensor.index_select": index_select_case,
    "Tensor.take": take_case,
    "minigrad.take_along_dim": take_along_dim_case,
    "Tensor.masked_select": masked_select_case,
    "Tensor.masked_fill": masked_fill_case,
    "Tensor.masked_scatter": masked_scatter_case,
    "Tensor.scatter": scatter_case,
    "minigrad.scatter (value)": scatter_value_case,
    "Tensor.scatter_add": scatter_add_case,
    "Tensor.scatter_reduce": scatter_reduce_case,
    "Tensor.index_add": index_add_case,
    "Tensor.index_copy": index_copy_case,
    "Tensor.index_fill": index_fill_case,
    "Tensor.index_put": index_put_case,
}


def _compare(out, expected):
    if isinstance(out, (tuple, list)):
        assert len(out) == len(expected)
        for o, e in zip(out, expected):
            _compare(o, e)
        return
    assert out.shape == np.shape(expected)
    assert_close(out.cpu(), np.asarray(expected, dtype=np.float64))


@FEW
@pytest.mark.parametrize("name", CASES)
@given(data=st.data())
def test_shape_and_indexing_ops(name, data):
    function, inputs, expected = CASES[name](data)
    _compare(function(*inputs), expected)
    check(function, *inputs)


# ---- the in-place forms, recorded: y = x * 1 changed in place, times x --------------------------

INPLACE = {
    # spelling: the out-of-place case whose function's method name gains the underscore
    "Tensor.masked_fill_": masked_fill_case,
    "Tensor.masked_scatter_": masked_scatter_case,
    "Tensor.scatter_": scatter_case,
    "Tensor.scatter_add_": scatter_add_case,
    "Tensor.scatter_reduce_": scatter_reduce_case,
    "Tensor.index_add_": index_add_case,
    "Tensor.index_copy_": index_copy_case,
    "Tensor.index_fill_": index_fill_case,
    "Tensor.index_put_": index_put_case,
    "Tensor.tril_": triangle_case("tril"),
    "Tensor.triu_": triangle_case("triu"),
}


class _InPlace:
    """Stands for the tensor in a case's function: ``t.masked_fill(...)`` becomes ``t.masked_fill_(...)``
    on ``y = x * 1``, and the result is ``y * x``, so both paths through ``x`` matter."""

    def __init__(self, tensor):
        self.tensor = tensor

    def __getattr__(self, name):
        method = getattr(self.tensor, name + "_")

        def call(*args, **kwargs):
            method(*args, **kwargs)
            return self.tensor

        return call


@FEW
@pytest.mark.parametrize("name", INPLACE)
@given(data=st.data())
def test_recorded_inplace_shape_and_indexing_ops(name, data):
    function, (x, *others), expected = INPLACE[name](data)

    def written(t, *rest):
        y = t * 1
        function(_InPlace(y), *rest)
        return y * t

    _compare(written(x, *others), np.asarray(expected) * host(x))
    check(written, x, *others)


CHECKED_BY = {
    **dict.fromkeys(CASES, test_shape_and_indexing_ops),
    **dict.fromkeys(INPLACE, test_recorded_inplace_shape_and_indexing_ops),
}

NOT_DIFFERENTIABLE = {
    "minigrad.nonzero": "integer indices",
    "minigrad.argwhere": "integer indices",
    "minigrad.searchsorted": "integer positions",
    "minigrad.bucketize": "integer bucket numbers",
}
