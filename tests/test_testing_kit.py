"""minigrad.testing: the strategies keep their promises, assert_close behaves like PyTorch's."""

import inspect
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import minigrad
import minigrad.testing
from minigrad.testing import assert_close
from minigrad.testing import strategies as mst

# --- strategies --------------------------------------------------------------------------


@given(st.data())
def test_shapes_stay_in_bounds(data):
    min_dims, max_dims = sorted(data.draw(st.lists(st.integers(0, 4), min_size=2, max_size=2)))
    min_side, max_side = sorted(data.draw(st.lists(st.integers(1, 5), min_size=2, max_size=2)))
    shape = data.draw(mst.shapes(min_dims, max_dims, min_side, max_side))
    assert min_dims <= len(shape) <= max_dims
    assert all(min_side <= side <= max_side for side in shape)


@given(mst.graphs(max_ops=6))
def test_graphs_start_with_fresh_leaves_and_add_one_tensor_per_op(tensors):
    leaves, ops = tensors[:2], tensors[2:]
    assert all(t.is_leaf and t.requires_grad and t.grad is None for t in leaves)
    assert 1 <= len(ops) <= 6 and all(t.grad_fn is not None for t in ops)
    assert leaves[0].shape == (2,) and leaves[1].shape == ()


def smallest_gap(array):
    flat = np.sort(array.reshape(-1))
    return np.diff(flat).min() if flat.size > 1 else np.inf


@given(mst.tensors())
def test_tensors_are_unique_spread_bounded_and_off_zero(x):
    values = x.detach().numpy()
    assert isinstance(x, minigrad.Tensor)
    assert x.dtype == np.float64 and x.requires_grad and x.is_leaf
    assert x.ndim <= 4 and all(1 <= side <= 4 for side in x.shape)
    assert smallest_gap(values) >= mst.MIN_GAP * (1 - 1e-9)
    assert np.all(np.abs(values) <= mst.BOUND)
    assert np.all(np.abs(values) >= mst.MIN_GAP / 2 * (1 - 1e-9))
    assert np.all(np.isfinite(values))


@given(mst.tensors(shape=(3, 4), dtype=np.float32, requires_grad=False))
def test_tensors_take_a_shape_and_a_dtype(x):
    assert x.shape == (3, 4) and x.dtype == np.float32 and not x.requires_grad


@given(mst.tensors(positive=True, away_from_zero=0.1, max_value=2.0))
def test_positive_tensors_keep_their_distance_from_zero(x):
    values = x.detach().numpy()
    assert np.all(values >= 0.1) and np.all(values <= 2.0)


@given(mst.arrays(shape=(2, 5), away_from_zero=0.5, min_gap=0.1))
def test_arrays_keep_the_requested_gap_and_distance(a):
    assert isinstance(a, np.ndarray) and a.shape == (2, 5)
    assert smallest_gap(a) >= 0.1 * (1 - 1e-9)
    assert np.all(np.abs(a) >= 0.5)


@given(mst.arrays(shape=(2, 3), elements=st.floats(-1, 1, allow_subnormal=False), min_gap=0.01))
def test_arrays_with_custom_elements_still_keep_the_gap(a):
    assert smallest_gap(a) >= 0.01


@given(mst.arrays(shape=(6,)), st.integers(-100, 100))
def test_multiples_of_the_gap_never_come_close_to_a_value(a, k):
    assert np.all(np.abs(a - k * mst.MIN_GAP) >= mst.MIN_GAP / 2 * (1 - 1e-6))


def test_too_many_unique_values_for_the_range_is_an_invalid_argument():
    with pytest.raises(InvalidArgument, match="unique values"):
        mst.arrays(shape=(50,), min_value=0.0, max_value=1.0, min_gap=0.1).example()


@given(mst.elements(-2, 2, away_from_zero=0.5))
def test_elements_respect_bounds_and_distance_from_zero(value):
    assert 0.5 <= abs(value) <= 2


@given(st.data())
def test_broadcastable_shapes_broadcast(data):
    shape = data.draw(mst.shapes())
    other = data.draw(mst.broadcastable_shapes(shape))
    for a, b in zip(reversed(shape), reversed(other)):
        assert a == b or 1 in (a, b), (shape, other)
    longer = max(shape, other, key=len)
    stretched = [max(a, b) for a, b in zip(reversed(shape), reversed(other))][::-1]
    assert np.broadcast_shapes(shape, other) == (*longer[: len(longer) - len(stretched)], *stretched)


@given(st.data())
def test_broadcasting_to_goes_one_way(data):
    shape = data.draw(mst.shapes())
    source = data.draw(mst.broadcasting_to(shape))
    assert np.broadcast_shapes(source, shape) == shape


@given(mst.mutually_broadcastable_shapes(3))
def test_mutually_broadcastable_shapes_give_the_result(shapes):
    assert len(shapes.input_shapes) == 3
    assert np.broadcast_shapes(*shapes.input_shapes) == shapes.result_shape


@given(mst.matmul_shapes())
def test_matmul_shapes_multiply(shapes):
    a, b = (np.ones(s) for s in shapes.input_shapes)
    assert (a @ b).shape == shapes.result_shape


def test_matmul_shapes_cover_vectors_and_batches():
    seen = set()

    @settings(max_examples=100, derandomize=True, database=None)  # deterministic coverage check
    @given(mst.matmul_shapes())
    def collect(shapes):
        a, b = shapes.input_shapes
        seen.add((min(len(a), 3), min(len(b), 3)))

    collect()
    assert {(1, 1), (2, 2)} <= seen and any(3 in kinds for kinds in seen)


@given(mst.reduction_args())
def test_reduction_args_fit_their_shape(args):
    ndim = len(args.shape)
    dims = () if args.dim is None else args.dim if isinstance(args.dim, tuple) else (args.dim,)
    assert all(-max(ndim, 1) <= d < max(ndim, 1) for d in dims)
    if isinstance(args.dim, tuple):
        assert len({d % ndim for d in args.dim}) == len(args.dim)
    reduced = {d % ndim for d in dims} if ndim else set()
    if args.dim is None:
        reduced = set(range(ndim))
    kept = [1 if k in reduced else side for k, side in enumerate(args.shape)]
    expected = tuple(kept) if args.keepdim else tuple(s for k, s in enumerate(args.shape) if k not in reduced)
    assert np.sum(np.ones(args.shape), axis=args.dim, keepdims=args.keepdim).shape == expected


@given(mst.reduction_args(shape=(2, 3), allow_none=False, allow_tuple=False))
def test_reduction_args_can_ask_for_a_single_dim(args):
    assert isinstance(args.dim, int) and -2 <= args.dim <= 1


@given(st.data())
def test_reshape_and_expand_shapes_fit(data):
    shape = data.draw(mst.shapes())
    target = data.draw(mst.reshape_shapes(shape))
    assert list(target).count(-1) <= 1
    known = int(np.prod([side for side in target if side != -1]))
    numel = int(np.prod(shape))
    assert known == numel if -1 not in target else numel % known == 0
    assert np.ones(shape).reshape(target).size == numel
    target = data.draw(mst.expand_shapes(shape))
    concrete = tuple(
        shape[k - len(target) + len(shape)] if side == -1 else side for k, side in enumerate(target)
    )
    kept = concrete[len(concrete) - len(shape) :]
    assert all(side == 1 or side == new for side, new in zip(shape, kept)), (shape, target)
    assert np.broadcast_to(np.ones(shape), concrete).shape == concrete


@given(st.data())
def test_indices_index(data):
    shape = data.draw(mst.shapes(min_dims=1))
    values = np.arange(int(np.prod(shape))).reshape(shape)
    index = data.draw(mst.basic_indices(shape))
    assert np.shares_memory(values[index], values) or values[index].size <= 1  # a view: basic indexing
    arrays = data.draw(mst.integer_array_indices(shape))
    assert len(arrays) == len(shape) and all(a.dtype == np.int64 for a in arrays)
    for a, side in zip(arrays, shape):
        assert np.all((-side <= a) & (a < side))
    picked = values[arrays]
    assert picked.shape == np.broadcast_shapes(*(a.shape for a in arrays))
    flat = np.ravel_multi_index(tuple(np.broadcast_arrays(*arrays)), shape, mode="wrap")
    assert np.array_equal(picked, flat)


# --- assert_close ------------------------------------------------------------------------


def test_assert_close_accepts_close_values_of_every_kind():
    t = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert_close(t, minigrad.tensor([[1.0, 2.0], [3.0, 4.0 + 1e-6]]))
    assert_close(t, [[1.0, 2.0], [3.0, 4.0]])
    assert_close(t, np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert_close(minigrad.tensor(2.5), 2.5)
    assert_close(1.0, 1.0 + 1e-9)
    assert_close((t, t * 2), (t, [[2.0, 4.0], [6.0, 8.0]]))
    assert_close(minigrad.tensor([1, 2]), [1, 2])


def test_default_tolerances_follow_the_dtype():
    assert_close(np.float32([1.0]), np.float32([1.000001]))
    with pytest.raises(AssertionError):
        assert_close(np.float64([1.0]), np.float64([1.000001]))
    assert_close(np.float64([1.0]), np.float64([1.000001]), rtol=1e-5, atol=0.0)
    with pytest.raises(AssertionError):
        assert_close(minigrad.tensor([1, 2]), [1, 3])


def test_the_message_gives_the_largest_differences_and_where():
    with pytest.raises(AssertionError) as info:
        assert_close(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.5, 4.1]]))
    message = str(info.value)
    assert "Mismatched elements: 2 / 4 (50.0%)" in message
    assert "Greatest absolute difference: 0.5 at index (1, 0) (up to 1e-07 allowed)" in message
    assert "Greatest relative difference: 0.142857 at index (1, 0)" in message


def test_shape_dtype_and_length_mismatches_are_reported():
    with pytest.raises(AssertionError, match=r"'shape' do not match: \(2,\) != \(3,\)"):
        assert_close(minigrad.tensor([1.0, 2.0]), [1.0, 2.0, 3.0])
    with pytest.raises(AssertionError, match=r"'shape' do not match"):
        assert_close(np.ones((2, 1)), np.ones(2))  # no broadcasting
    with pytest.raises(AssertionError, match="'dtype' do not match: float32 != float64"):
        assert_close(minigrad.tensor([1.0]), minigrad.tensor(np.array([1.0])))
    assert_close(minigrad.tensor([1.0]), minigrad.tensor(np.array([1.0])), check_dtype=False)
    with pytest.raises(AssertionError, match="lengths of the sequences"):
        assert_close((minigrad.tensor(1.0),), (minigrad.tensor(1.0), minigrad.tensor(1.0)))
    with pytest.raises(AssertionError, match=r"item \[1\]"):
        assert_close((minigrad.tensor(1.0), minigrad.tensor(2.0)), (1.0, 3.0))


def test_nan_and_infinity():
    with pytest.raises(AssertionError, match="Mismatched elements: 1 / 2"):
        assert_close(np.array([1.0, np.nan]), np.array([1.0, np.nan]))
    assert_close(np.array([1.0, np.nan]), np.array([1.0, np.nan]), equal_nan=True)
    assert_close(np.array([np.inf, -np.inf]), np.array([np.inf, -np.inf]))
    with pytest.raises(AssertionError, match="Greatest absolute difference: inf"):
        assert_close(np.array([np.inf]), np.array([1.0]))


def test_msg_replaces_or_maps_the_message():
    with pytest.raises(AssertionError, match="^custom$"):
        assert_close(1.0, 2.0, msg="custom")
    with pytest.raises(AssertionError, match="^while checking: Scalars are not close"):
        assert_close(1.0, 2.0, msg=lambda m: "while checking: " + m)


def test_rtol_and_atol_go_together():
    with pytest.raises(ValueError, match="both rtol and atol"):
        assert_close(1.0, 1.0, rtol=1e-3)


def test_ragged_lists_are_a_type_error():
    with pytest.raises(TypeError, match="cannot compare"):
        assert_close([[1.0], [1.0, 2.0]], [[1.0], [1.0, 2.0]])


# --- hypothesis stays optional -----------------------------------------------------------


def test_minigrad_testing_imports_without_hypothesis():
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import minigrad.testing as mt\n"
        "mt.assert_close([1.0], [1.0])\n"
        "try:\n"
        "    mt.tensors\n"
        "except ImportError as err:\n"
        "    assert 'hypothesis' in str(err), err\n"
        "else:\n"
        "    raise SystemExit('strategies imported without hypothesis')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_strategies_are_re_exported_lazily():
    assert minigrad.testing.tensors is mst.tensors
    assert minigrad.testing.shapes is mst.shapes
    assert "tensors" in dir(minigrad.testing)
    assert not hasattr(minigrad.testing, "no_such_strategy")


def test_the_one_list_of_strategies_names_every_public_one():
    defined = {
        name
        for name, value in vars(mst).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == mst.__name__
    }
    assert defined <= set(mst.__all__)
    assert {"BOUND", "MIN_GAP", "graphs"} <= set(mst.__all__)
    for name in mst.__all__:
        assert getattr(minigrad.testing, name) is getattr(mst, name)
    assert set(mst.__all__) | {"conv2d_configs"} <= set(dir(minigrad.testing))


def test_conv2d_configs_are_re_exported():
    conv = pytest.importorskip("minigrad.testing.conv_strategies")
    assert minigrad.testing.conv2d_configs is conv.conv2d_configs
