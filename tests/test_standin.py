"""The CPU stand-in for CuPy: NumPy math behind CuPy's refusals, and counted host transfers."""

import copy
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad.backend as mb
from minigrad.testing.standin import (
    BACKEND,
    StandinArray,
    asnumpy,
    device_uploads,
    host_transfers,
    use_standin,
)
from minigrad.testing.standin import standin as xp

# The stand-in itself: these tests register it, and check that it restores the default device.
pytestmark = pytest.mark.numpy_only


@pytest.fixture(autouse=True)
def _fresh_counters():
    host_transfers.reset()
    device_uploads.reset()


def host(a):
    """The values of a device array, read without counting."""
    return a._a.copy()


# --- refusing NumPy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "convert",
    [
        np.asarray,
        np.array,
        np.ascontiguousarray,
        lambda a: np.asarray(a, dtype=object),
        lambda a: np.array([a, a]),
    ],
)
def test_implicit_conversion_to_numpy_raises_like_cupy(convert):
    with pytest.raises(TypeError, match="Implicit conversion to a NumPy array is not allowed"):
        convert(xp.ones(3))


@pytest.mark.parametrize(
    "call",
    [
        lambda a: np.sum(a),
        lambda a: np.concatenate([a, a]),
        lambda a: np.einsum("i,i->", a, a),
        lambda a: np.lib.stride_tricks.sliding_window_view(a, 2),
        lambda a: np.exp(a),
        lambda a: np.add(a, 1.0),
        lambda a: np.add.at(a, [0], 1.0),
        lambda a: np.maximum(a, 0),
    ],
)
def test_numpy_functions_and_ufuncs_refuse_device_arrays(call):
    with pytest.raises(TypeError):
        call(xp.ones(3))


@pytest.mark.parametrize(
    "call",
    [
        lambda a, h: a + h,
        lambda a, h: h + a,
        lambda a, h: h * a,
        lambda a, h: a @ h,
        lambda a, h: a < h,
        lambda a, h: xp.add(a, h),
        lambda a, h: xp.where(a > 0, a, h),
        lambda a, h: xp.concatenate([a, h]),
        lambda a, h: xp.zeros_like(h),
        lambda a, h: xp.add.at(a, h.astype(int), 1.0),
        lambda a, h: a.__setitem__(slice(None), h),
    ],
)
def test_mixing_with_host_arrays_raises(call):
    a = xp.ones(3)
    with pytest.raises(TypeError, match="ndarray"):
        call(a, np.ones(3))


def test_a_failed_in_place_op_leaves_the_array_unchanged():
    a = xp.ones(3)
    with pytest.raises(TypeError):
        a += np.ones(3)
    np.testing.assert_array_equal(host(a), np.ones(3))


def test_python_and_numpy_scalars_mix_freely():
    a = xp.arange(3.0, dtype=xp.float32)
    for result in (a * 2, 2.5 * a, np.float32(2) * a, a + np.float32(1), a**2, 1 / (a + 1)):
        assert isinstance(result, StandinArray) and result.dtype == np.float32


def test_host_only_attributes_are_refused():
    a = xp.ones(3)
    for name in ("tobytes", "__array_interface__", "ctypes", "data"):
        with pytest.raises(AttributeError, match="StandinArray"):
            getattr(a, name)
    with pytest.raises(TypeError):
        hash(a)
    with pytest.raises(TypeError):
        range(xp.asarray(3))  # CuPy's ndarray has no __index__ either


def test_keywords_cupy_lacks_are_refused():
    with pytest.raises(TypeError, match="writeable"):
        xp.lib.stride_tricks.as_strided(xp.ones(4), (2,), (8,), writeable=False)


@pytest.mark.parametrize(
    "call",
    [
        lambda a: xp.multiply.at(a, xp.asarray([0]), 2.0),
        lambda a: xp.maximum.reduce(a),
        lambda a: xp.maximum.accumulate(a),
        lambda a: xp.multiply.reduceat(a, xp.asarray([0, 2])),
    ],
)
def test_ufunc_methods_cupy_lacks_are_refused(call):
    with pytest.raises(NotImplementedError, match="not supported by CuPy"):
        call(xp.ones(4))


def test_ufunc_methods_cupy_has_work():
    a = xp.ones(4)
    xp.maximum.at(a, xp.asarray([1, 1]), xp.asarray([3.0, 2.0]))
    assert host(xp.add.reduce(a)) == 6.0 and host(xp.multiply.accumulate(a))[-1] == 3.0
    assert host(xp.add.outer(a, a)).shape == (4, 4)


# --- doing the math --------------------------------------------------------------------------


def test_namespace_functions_return_device_arrays():
    a = xp.arange(12.0).reshape(3, 4)
    results = [
        xp.zeros((2, 3)),
        xp.ones_like(a),
        xp.exp(a),
        xp.matmul(a, a.T),
        a @ a.T,
        xp.einsum("ij,kj->ik", a, a, optimize=True),
        xp.tensordot(a, a, axes=([1], [1])),
        xp.where(a > 3, a, 0.0),
        xp.pad(a, 1),
        xp.linalg.norm(a, axis=1),
        xp.random.default_rng(0).standard_normal((2, 2)),
        xp.maximum(a, 5),
        a.astype(xp.int64),
        xp.broadcast_to(a, (2, 3, 4)),
        xp.stack([a, a]),
        a[:, None, ::-1],
    ]
    assert all(isinstance(r, StandinArray) for r in results)
    assert all(isinstance(r, StandinArray) for r in xp.split(a, 2, axis=1))
    np.testing.assert_allclose(host(results[4]), host(a) @ host(a).T)
    np.testing.assert_allclose(host(results[5]), host(a) @ host(a).T)


def test_types_and_constants_are_numpys():
    assert xp.float32 is np.float32 and xp.dtype is np.dtype and xp.newaxis is None
    assert xp.inf == np.inf and xp.pi == np.pi
    assert xp.ndarray is StandinArray and isinstance(xp.ones(2), xp.ndarray)
    assert xp.finfo(xp.float32).eps == np.finfo(np.float32).eps
    for missing in ("cuda", "errstate"):  # not provided here; absent from CuPy
        with pytest.raises(AttributeError, match=f"'standin' has no attribute '{missing}'"):
            getattr(xp, missing)


def test_reductions_give_0d_device_arrays():
    a = xp.arange(6.0).reshape(2, 3)
    for r in (
        a.sum(),
        xp.sum(a),
        a.max(),
        xp.argmax(a),
        a.mean(),
        xp.linalg.norm(a),
        a[1, 2],
        xp.dot(a[0], a[1]),
    ):
        assert isinstance(r, StandinArray) and r.ndim == 0
    assert host_transfers.count == 0


def test_ndarray_surface():
    a = xp.arange(24, dtype=xp.float64).reshape(2, 3, 4)
    assert (a.shape, a.ndim, a.size, a.dtype, a.itemsize, a.nbytes) == ((2, 3, 4), 3, 24, np.float64, 8, 192)
    assert a.strides == (96, 32, 8) and a.flags.c_contiguous and len(a) == 2
    assert a.T.shape == (4, 3, 2) and a.transpose(1, 0, 2).shape == (3, 2, 4)
    assert a.swapaxes(0, 2).shape == (4, 3, 2) and a[None].squeeze(0).shape == (2, 3, 4)
    assert a.ravel().shape == (24,) and a.view(xp.int64).dtype == np.int64
    assert [r.shape for r in a] == [(3, 4), (3, 4)]
    np.testing.assert_array_equal(host(a.clip(3, 5)), np.clip(host(a), 3, 5))
    assert host((a > 5).any()) and not host((a > 50).all())
    assert "array(" in repr(a)


def test_asarray_of_a_device_array_is_that_array():
    a = xp.ones(3)
    assert xp.asarray(a) is a and xp.ascontiguousarray(a) is a
    assert a.astype(a.dtype, copy=False) is a
    assert xp.asarray(a, dtype=xp.float32) is not a


# --- memory ----------------------------------------------------------------------------------


def test_basic_indexing_gives_views_and_in_place_ops_show_through_them():
    a = xp.zeros((3, 4))
    row, element, strided = a[1], a[0, 2], a[:, ::2]
    row += 1
    element -= 5
    strided *= 2
    a[2, 3] = 7
    expected = np.zeros((3, 4))
    expected[1] = 2, 1, 2, 1
    expected[0, 2] = -10
    expected[2, 3] = 7
    np.testing.assert_array_equal(host(a), expected)
    np.testing.assert_array_equal(host(row), expected[1])


def test_reshape_view_and_as_strided_share_memory():
    a = xp.arange(6.0)
    b = a.reshape(2, 3)
    windows = xp.lib.stride_tricks.as_strided(a, shape=(4, 3), strides=(8, 8))
    b[0, 0] = 100
    assert host(windows)[0, 0] == 100 and xp.shares_memory(a, windows)


def test_uploads_and_downloads_copy():
    data = np.arange(3.0)
    a = xp.asarray(data)
    data[0] = 99
    assert host(a)[0] == 0
    back = a.get()
    back[1] = 99
    assert host(a)[1] == 1


def test_strided_views_einsum_and_scatter_add():
    x = np.arange(16.0).reshape(4, 4)
    k = np.ones((2, 2))
    windows = xp.lib.stride_tricks.sliding_window_view(xp.asarray(x), (2, 2))
    out = xp.einsum("ijkl,kl->ij", windows, xp.asarray(k), optimize=True)
    np.testing.assert_allclose(
        host(out), np.einsum("ijkl,kl->ij", np.lib.stride_tricks.sliding_window_view(x, (2, 2)), k)
    )
    total = xp.zeros(3)
    xp.add.at(total, xp.asarray([0, 0, 2]), xp.asarray([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(host(total), [3.0, 0.0, 3.0])


def test_copies_are_deep():
    a = xp.ones(2)
    for b in (a.copy(), copy.copy(a), copy.deepcopy(a), xp.array(a)):
        b += 1
    np.testing.assert_array_equal(host(a), np.ones(2))


# --- counting transfers ----------------------------------------------------------------------


def test_explicit_reads_are_counted():
    a = xp.arange(4.0)
    s = a.sum()
    assert host_transfers.count == 0
    _ = (a.get(), asnumpy(a), s.item(), a.tolist(), float(s), int(s), bool(s), f"{s:.1f}")
    assert host_transfers.count == 8
    _ = a[a > 1]
    _ = xp.nonzero(a)
    assert host_transfers.count == 10
    host_transfers.reset()
    assert host_transfers.count == 0


def test_forbidden_transfers_raise_at_the_line_that_makes_them():
    a = xp.ones(3)
    with host_transfers.forbidden():
        (a * 2).sum()
        with pytest.raises(RuntimeError, match="item"):
            a.sum().item()
    assert a.sum().item() == 3.0


def test_pickling_reads_the_device_data_back_like_cupy():
    a = xp.arange(3.0)
    with host_transfers.forbidden(), pytest.raises(RuntimeError, match="pickling"):
        pickle.dumps(a)
    data = pickle.dumps(a)
    assert (host_transfers.count, device_uploads.count) == (1, 0)
    b = pickle.loads(data)
    assert isinstance(b, StandinArray) and device_uploads.count == 1
    np.testing.assert_array_equal(host(b), [0.0, 1.0, 2.0])


def test_uploads_are_counted_separately():
    xp.asarray(np.ones(2))
    xp.asarray([1.0, 2.0])
    xp.asarray(xp.ones(2))
    assert (device_uploads.count, host_transfers.count) == (2, 0)


# --- as a minigrad backend -------------------------------------------------------------------


def test_use_standin_registers_and_restores_the_cuda_backend():
    before = dict(mb._BACKENDS)
    with use_standin() as registered:
        assert registered is BACKEND and mb.backend("cuda") is BACKEND
        a = BACKEND.from_host(np.ones(2))
        assert mb.get_array_module(a) is xp and mb.backend_of(a) is BACKEND
        assert mb.get_array_module(np.ones(2)) is np
        assert mb.get_default_device() == "cpu"
        np.testing.assert_array_equal(BACKEND.to_host(a), np.ones(2))
    assert mb._BACKENDS == before


def test_use_standin_can_make_cuda_the_default_device():
    with use_standin(default=True):
        assert mb.get_default_device() == "cuda" and mb.backend() is BACKEND
    assert mb.get_default_device() == "cpu"


# --- agreeing with NumPy ---------------------------------------------------------------------

_OPS = {
    "add": lambda m, a, b: a + b,
    "rsub": lambda m, a, b: 1.5 - a * b,
    "mul_where": lambda m, a, b: m.where(a > b, a * b, -a),
    "max_axis": lambda m, a, b: (a - b).max(axis=-1, keepdims=True),
    "sum": lambda m, a, b: m.sum(a * b, axis=0),
    "matmul": lambda m, a, b: a @ m.swapaxes(b, -1, -2),
    "exp_mean": lambda m, a, b: m.exp(a).mean(),
}


@given(
    arrays=hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=2, max_dims=3, max_side=4), elements=st.floats(-10, 10)
    ).map(lambda x: (x, x[::-1] * 0.5)),
    op=st.sampled_from(sorted(_OPS)),
)
def test_standin_results_equal_numpy_results(arrays, op):
    a, b = arrays
    expected = _OPS[op](np, a, b)
    actual = _OPS[op](xp, xp.asarray(a), xp.asarray(b))
    assert isinstance(actual, StandinArray)
    np.testing.assert_array_equal(asnumpy(actual), expected)
    assert asnumpy(actual).dtype == np.asarray(expected).dtype
