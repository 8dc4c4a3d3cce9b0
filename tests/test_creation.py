"""Making tensors: ``Size``, the factories' size forms, ``empty_like``, ``new_*``, ``logspace``,
``tril_indices``/``triu_indices``, ``from_numpy`` and ``to(copy=)``, against PyTorch where it is
installed (shapes, dtypes, values and errors)."""

import re

import numpy as np
import pytest

import minigrad
from minigrad import Size


def both(torch, call):
    """``call`` on minigrad and on PyTorch: (result or exception) for each."""
    out = []
    for lib in (minigrad, torch):
        try:
            out.append(call(lib))
        except Exception as err:  # noqa: BLE001  (the error is what is compared)
            out.append(err)
    return out


def assert_same_error(ours, theirs, same_message=True):
    assert isinstance(ours, Exception) and isinstance(theirs, Exception), (ours, theirs)
    assert type(ours) is type(theirs), (ours, theirs)
    if same_message:
        assert str(ours) == str(theirs).replace("torch.", "minigrad.")


# ---- Size ---------------------------------------------------------------------------------------


def test_size_is_a_tuple_printed_as_pytorch_prints_it(torch):
    for dims in ([2, 10], [], [0, 3, 1]):
        ours, theirs = Size(dims), torch.Size(dims)
        assert repr(ours) == repr(theirs).replace("torch.", "minigrad.") == str(ours)
        assert ours == tuple(dims) and isinstance(ours, tuple) and hash(ours) == hash(tuple(dims))
    size = Size([2, 3])
    for result, expected in (
        (size[1:], (3,)),
        (size + (4,), (2, 3, 4)),
        ((4,) + size, (4, 2, 3)),
        (size * 2, (2, 3, 2, 3)),
    ):
        assert type(result) is Size and result == expected
    assert type(size[0]) is int and size.numel() == 6 and Size([]).numel() == 1
    assert Size([np.int64(3), True, minigrad.tensor(2)]) == (3, 1, 2)


@pytest.mark.parametrize("bad", [[2.5], ["a"], [None]])
def test_size_rejects_what_pytorch_rejects(torch, bad):
    assert_same_error(*both(torch, lambda lib: lib.Size(bad)))


def test_shape_and_size_return_a_size(torch):
    x, t = minigrad.zeros(2, 3), torch.zeros(2, 3)
    assert type(x.shape) is Size and type(x.size()) is Size and repr(x.shape) == "minigrad.Size([2, 3])"
    assert x.size(1) == x.size(-1) == x.size(dim=1) == 3 and type(x.size(0)) is int
    assert x.numel() == 6
    ours, theirs = both(torch, lambda lib: lib.zeros(()).size(0))
    assert_same_error(ours, theirs)
    ours, theirs = x.size, t.size
    for dim in (2, -3):
        with pytest.raises(IndexError, match=re.escape("expected to be in range of [-2, 1]")):
            ours(dim)
        with pytest.raises(IndexError, match=re.escape("expected to be in range of [-2, 1]")):
            theirs(dim)


# ---- the factories' size forms -------------------------------------------------------------------

SIZE_FORMS = [
    lambda f: f(2, 3),
    lambda f: f((2, 3)),
    lambda f: f([2, 3]),
    lambda f: f(size=(2, 3)),
    lambda f: f(size=[2, 3]),
    lambda f: f(np.int64(2), 3),
]


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
@pytest.mark.parametrize("form", range(len(SIZE_FORMS)))
def test_size_forms(torch, name, form):
    ours, theirs = both(torch, lambda lib: SIZE_FORMS[form](getattr(lib, name)))
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    assert minigrad.zeros(minigrad.Size([2, 3])).shape == (2, 3) and minigrad.zeros(()).shape == ()


@pytest.mark.parametrize(
    "call, same_message",
    [
        (lambda lib: lib.zeros((2, 3), size=(2, 3)), True),
        (lambda lib: lib.zeros(-1), False),
        (lambda lib: lib.rand(2, -3), True),
        (lambda lib: lib.empty(size=(-1,)), True),
        (lambda lib: lib.zeros(2.0), False),
        (lambda lib: lib.ones((2, 2.5)), False),
        (lambda lib: lib.full((-1,), 2.0), True),
    ],
)
def test_size_errors(torch, call, same_message):
    assert_same_error(*both(torch, call), same_message=same_message)


def test_full_with_size_keyword(torch):
    ours, theirs = both(torch, lambda lib: lib.full(size=(2,), fill_value=3))
    assert ours.tolist() == theirs.tolist() and str(ours.dtype) == "int64" == str(theirs.dtype)[6:]


# ---- tensors like another -----------------------------------------------------------------------

LIKE_CALLS = {
    "empty_like": lambda x, lib: lib.empty_like(x),
    "empty_like dtype": lambda x, lib: lib.empty_like(x, dtype=lib.float64),
    "new_zeros varargs": lambda x, lib: x.new_zeros(2, 3),
    "new_zeros tuple": lambda x, lib: x.new_zeros((2, 3)),
    "new_zeros size=": lambda x, lib: x.new_zeros(size=(2, 3)),
    "new_zeros dtype": lambda x, lib: x.new_zeros([2, 3], dtype=lib.float64),
    "new_ones": lambda x, lib: x.new_ones(2),
    "new_ones 0-d": lambda x, lib: x.new_ones(()),
    "new_full": lambda x, lib: x.new_full((2,), 3.5),
    "new_full keywords": lambda x, lib: x.new_full(size=(2,), fill_value=3),
    "new_empty": lambda x, lib: x.new_empty(2, 3),
    "new_tensor list": lambda x, lib: x.new_tensor([1, 2]),
    "new_tensor array": lambda x, lib: x.new_tensor(np.array([1.5, 2])),
    "new_tensor dtype": lambda x, lib: x.new_tensor([1, 2], dtype=lib.float32),
}


@pytest.mark.parametrize("name", sorted(LIKE_CALLS))
@pytest.mark.parametrize("dtype", ["int32", "float64"])
def test_like_and_new_inherit_dtype_and_device(torch, name, dtype):
    x = minigrad.ones(2, dtype=dtype)
    ours, theirs = (
        LIKE_CALLS[name](x, minigrad),
        LIKE_CALLS[name](torch.ones(2, dtype=getattr(torch, dtype)), torch),
    )
    assert ours.shape == tuple(theirs.shape) and ours.device == x.device
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    if "empty" not in name:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_new_tensors_requires_grad_as_pytorch(torch):
    x = minigrad.ones(2, requires_grad=True)
    assert not x.new_zeros(2).requires_grad and not x.new_tensor([1.0]).requires_grad
    assert x.new_zeros(2, requires_grad=True).requires_grad
    for lib in (minigrad, torch):
        with pytest.raises(RuntimeError, match="floating point"):
            lib.ones(2, dtype=lib.int32).new_zeros(2, requires_grad=True)


# ---- logspace, tril_indices, triu_indices --------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((0, 2, 3), {}),
        ((0, 2, 3), {"base": 2}),
        ((0, 2, 3, 2), {}),
        ((-1.5, 3, 7), {"dtype": "float64"}),
        ((0, 2, 3), {"dtype": "int64"}),
        ((0, 2, 0), {}),
        ((0, 2, 1), {}),
        ((1, 0, 4), {"base": 0.5, "dtype": "float64"}),
    ],
)
def test_logspace(torch, args, kwargs):
    ours = minigrad.logspace(*args, **kwargs)
    theirs = torch.logspace(*args, **{k: getattr(torch, v) if k == "dtype" else v for k, v in kwargs.items()})
    assert str(ours.dtype) == str(theirs.dtype)[6:]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("fn", ["linspace", "logspace"])
def test_negative_steps(torch, fn):
    assert_same_error(*both(torch, lambda lib: getattr(lib, fn)(0, 2, -1)))


@pytest.mark.parametrize("which", ["tril_indices", "triu_indices"])
def test_triangle_indices(torch, which):
    for row, col, offset in [
        (3, 3, 0),
        (3, 4, 1),
        (3, 4, -1),
        (4, 3, 2),
        (0, 4, 0),
        (3, 3, 100),
        (3, 3, -100),
        (1, 1, 0),
    ]:
        ours, theirs = getattr(minigrad, which)(row, col, offset), getattr(torch, which)(row, col, offset)
        assert ours.dtype == np.int64 and ours.shape == tuple(theirs.shape), (row, col, offset)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert getattr(minigrad, which)(3, 3, dtype=minigrad.int32).dtype == np.int32
    for bad in (
        lambda lib: getattr(lib, which)(-1, 4),
        lambda lib: getattr(lib, which)(3, 3, dtype=lib.float32),
    ):
        assert_same_error(*both(torch, bad))


# ---- from_numpy ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype", ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
)
def test_from_numpy_shares_memory_both_ways(torch, dtype):
    array = np.arange(6).reshape(2, 3).astype(dtype)
    ours, theirs = minigrad.from_numpy(array), torch.from_numpy(array.copy())
    assert ours.device == "cpu" and str(ours.dtype) == str(theirs.dtype)[6:] and ours.shape == (2, 3)
    array[0, 0] = 1
    assert ours[0, 0].item() == 1
    ours[1, 2] = 0
    assert array[1, 2] == 0
    assert np.shares_memory(ours.numpy(), array)
    view = minigrad.from_numpy(array[:, ::2])  # a strided view shares memory too, as in PyTorch
    view[0, 1] = 0
    assert array[0, 2] == 0


@pytest.mark.parametrize(
    "data",
    [[1, 2], np.float64(2), np.array(["a"]), np.array([1], dtype=object), np.array([1], dtype=">i4")],
    ids=["list", "numpy scalar", "strings", "objects", "big-endian"],
)
def test_from_numpy_errors(torch, data):
    ours, theirs = both(torch, lambda lib: lib.from_numpy(data))
    assert_same_error(ours, theirs, same_message=False)
    # the same words, but the list of supported types has no complex ones
    assert str(ours).split(" The only")[0] == str(theirs).split(" The only")[0]


def test_from_numpy_refuses_complex():
    with pytest.raises(TypeError, match="numpy.complex128. The only supported types are: float64"):
        minigrad.from_numpy(np.array([1j]))


# ---- to(non_blocking=, copy=) -------------------------------------------------------------------


def test_to_copy_and_non_blocking():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    assert (
        x.to(x.dtype) is x and x.to(non_blocking=True) is x and x.to("cpu", non_blocking=True).shape == (2,)
    )
    for copy in (x.to(copy=True), x.to(x.dtype, False, True), x.to(x.device, copy=True)):
        assert copy is not x and not np.shares_memory(copy.detach().numpy(), x.detach().numpy())
        assert copy.requires_grad and copy.grad_fn is not None
    x.to(copy=True).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    assert x.to(np.float64, copy=True).dtype == np.float64
