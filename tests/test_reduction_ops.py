"""Reductions, sorts, scans and norms at their edges: zeros in products, ties, NaN, empty tensors
and size-0 dims, PyTorch's argument forms (positional ``unbiased``, ``correction=``, ``axis=``,
``keepdims=``, ``dim=()``), named-tuple results, errors; and PyTorch as the oracle on them."""

import math
import warnings

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck

NAN, INF = math.nan, math.inf


def leaf(values, dtype=minigrad.float64):
    return minigrad.tensor(values, dtype=dtype, requires_grad=True)


def gradient(func, values):
    x = leaf(values)
    func(x).sum().backward()
    return x.grad.tolist()


def host(x):
    return x.detach().cpu().numpy() if isinstance(x, minigrad.Tensor) else np.asarray(x)


def same(a, b):
    """Equal values, NaN equal to NaN."""
    return np.array_equal(host(a), host(b), equal_nan=True)


# --- products and scans with zeros ----------------------------------------------------------------


def test_prod_gradient_with_one_zero_and_with_several():
    assert gradient(lambda t: t.prod(), [2.0, 0.0, 3.0]) == [0.0, 6.0, 0.0]
    assert gradient(lambda t: t.prod(), [2.0, 0.0, 0.0]) == [0.0, 0.0, 0.0]
    assert gradient(lambda t: t.prod(1), [[2.0, 0.0, 3.0], [1.0, 2.0, 3.0]]) == [
        [0.0, 6.0, 0.0],
        [6.0, 3.0, 2.0],
    ]
    assert gradient(lambda t: t.prod(0, keepdim=True), [[0.0, 1.0], [5.0, 0.0]]) == [[5.0, 0.0], [0.0, 1.0]]


@pytest.mark.parametrize("values", [[2.0, 0.0, 3.0], [0.0, 0.0, 3.0], [[0.0, 2.0], [0.0, 0.0]]])
def test_prod_and_cumprod_second_derivatives_at_zeros(values):
    x = leaf(values)
    for func in (lambda t: t.prod(), lambda t: t.prod(-1), lambda t: t.cumprod(-1), lambda t: t.cumprod(0)):
        assert gradcheck(func, (x,)) and gradgradcheck(func, (x,))


def test_cumprod_gradient_with_zeros():
    assert gradient(lambda t: t.cumprod(0), [2.0, 0.0, 3.0, 0.0]) == [1.0, 8.0, 0.0, 0.0]
    assert gradient(lambda t: t.cumprod(0), [0.0, 0.0]) == [1.0, 0.0]


def test_products_and_scans_of_integers_and_bools_are_int64():
    for t in (minigrad.tensor([1, 2, 3], dtype=minigrad.uint8), minigrad.tensor([True, False, True])):
        assert t.prod().dtype == t.cumsum(0).dtype == t.cumprod(0).dtype == t.sum().dtype == minigrad.int64
    assert minigrad.cumsum(minigrad.tensor([1, 2]), 0, dtype=minigrad.float64).dtype == minigrad.float64
    assert minigrad.tensor(3.0).cumsum(0).tolist() == 3.0 and minigrad.tensor(3.0).prod(0).tolist() == 3.0


# --- var and std ----------------------------------------------------------------------------------


def test_var_and_std_take_pytorchs_argument_forms():
    x = minigrad.tensor([[1.0, 2.0, 4.0], [0.0, 3.0, 3.0]], dtype=minigrad.float64)
    a = x.numpy()
    assert np.allclose(host(x.var(0, True)), a.var(0, ddof=1)) and np.allclose(
        host(x.var(0, False)), a.var(0)
    )
    assert np.isclose(x.var(True).item(), a.var(ddof=1)) and np.isclose(x.var(False).item(), a.var())
    assert minigrad.var(x, 1, True, True).shape == (2, 1)
    assert np.allclose(host(x.std(1, correction=0)), a.std(1))
    assert np.isclose(x.var(correction=None).item(), a.var(ddof=1))
    assert np.isclose(x.var(correction=0.5).item(), ((a - a.mean()) ** 2).sum() / 5.5)
    assert np.allclose(host(x.var(dim=1, unbiased=False, keepdim=True)), a.var(1, keepdims=True))
    with pytest.raises(TypeError, match="unbiased or correction"):
        x.var(0, unbiased=True, correction=1)
    with pytest.raises(RuntimeError, match="only support floating point"):
        minigrad.tensor([1, 2]).var()


def test_var_over_too_few_values_is_nan_or_inf_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(minigrad.zeros(0).var().item()) and math.isnan(minigrad.zeros(0).std().item())
        assert math.isnan(minigrad.tensor([1.0]).var().item())
        assert minigrad.tensor([1.0]).var(correction=0).item() == 0.0
        assert minigrad.tensor([1.0, 2.0]).var(correction=2).item() == INF
        assert minigrad.tensor([1.0, 2.0]).var(correction=3).item() == INF
        assert same(minigrad.zeros(0, 2).var(0), [NAN, NAN])
        assert math.isnan(minigrad.zeros(0).mean().item()) and math.isnan(
            minigrad.var_mean(minigrad.zeros(2, 0))[1].item()
        )


# --- dims: (), axis= and keepdims= -------------------------------------------------------------------


def test_an_empty_list_of_dims_reduces_everything_except_for_all_and_any():
    x = minigrad.arange(6.0).reshape(2, 3)
    for name in ("sum", "mean", "amax", "amin", "nansum", "nanmean", "var", "std", "logsumexp"):
        for empty in ((), []):
            assert getattr(x, name)(dim=empty).shape == (), name
            assert same(getattr(x, name)(dim=empty), getattr(x, name)(dim=(0, 1))), name
    assert minigrad.count_nonzero(x, dim=()).item() == 5
    assert minigrad.linalg.vector_norm(x, dim=()).item() == pytest.approx(math.sqrt(55))
    assert x.all(dim=()).tolist() == [[False, True, True], [True, True, True]]  # PyTorch reduces nothing here
    assert x.any(dim=[]).shape == (2, 3)


# name: extra positional arguments before dim
ALIASED = {
    "sum": (),
    "mean": (),
    "nansum": (),
    "nanmean": (),
    "prod": (),
    "var": (),
    "std": (),
    "amax": (),
    "amin": (),
    "argmax": (),
    "argmin": (),
    "all": (),
    "any": (),
    "logsumexp": (),
    "median": (),
    "nanmedian": (),
    "mode": (),
    "norm": (2,),
    "max": (),
    "min": (),
    "kthvalue": (1,),
}


@pytest.mark.parametrize("name", ALIASED)
def test_every_reduction_takes_axis_and_keepdims(name):
    x = minigrad.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], dtype=minigrad.float64)
    before = ALIASED[name]
    mine = getattr(minigrad, name)(x, *before, axis=1, keepdims=True)
    theirs = getattr(minigrad, name)(x, *before, dim=1, keepdim=True)
    for a, b in zip(*(r if isinstance(r, tuple) else (r,) for r in (mine, theirs))):
        assert a.shape[1] == 1 and same(a, b)
    with pytest.raises(TypeError):
        getattr(x, name)(*before, dim=1, axis=1)


def test_the_other_ops_along_a_dim_take_axis_too():
    x = minigrad.tensor([[3.0, 1.0], [0.0, 5.0]])
    assert same(x.cumsum(axis=0), x.cumsum(0)) and same(x.sort(axis=0).values, x.sort(0).values)
    assert same(minigrad.aminmax(x, axis=0, keepdims=True).max, [[3.0, 5.0]])
    assert same(minigrad.linalg.vector_norm(x, 1, axis=0), [3.0, 6.0])


# --- empty tensors and size-0 dims -------------------------------------------------------------------


def test_reductions_over_nothing():
    e, rows = minigrad.zeros(0), minigrad.zeros(0, 3)
    assert e.sum().item() == 0.0 and e.prod().item() == 1.0 and e.nansum().item() == 0.0
    assert same(rows.sum(0), [0, 0, 0]) and same(rows.prod(0), [1, 1, 1]) and same(rows.mean(0), [NAN] * 3)
    assert (
        same(rows.logsumexp(0), [-INF] * 3)
        and rows.amax(1).shape == (0,)
        and rows.max(1).values.shape == (0,)
    )
    assert same(rows.all(0), [True] * 3) and same(rows.any(0), [False] * 3)
    assert e.count_nonzero().item() == 0 and minigrad.linalg.vector_norm(e).item() == 0.0
    assert math.isnan(e.median().item()) and e.sort().values.shape == (0,) and e.unique().shape == (0,)
    assert e.topk(0).values.shape == (0,) and rows.sort(0).indices.dtype == minigrad.int64


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: minigrad.zeros(0).amax(), RuntimeError, r"amax\(\): Expected reduction dim to be specified"),
        (lambda: minigrad.zeros(0).max(), RuntimeError, r"max\(\): Expected reduction dim to be specified"),
        (
            lambda: minigrad.zeros(0, 3).amin(0),
            IndexError,
            r"amin\(\): Expected reduction dim 0 to have non-zero",
        ),
        (
            lambda: minigrad.zeros(0, 3).max(0),
            IndexError,
            r"max\(\): Expected reduction dim 0 to have non-zero",
        ),
        (
            lambda: minigrad.zeros(0).argmax(),
            IndexError,
            r"argmax\(\): Expected reduction dim to be specified",
        ),
        (lambda: minigrad.zeros(0, 2).argmin(0), IndexError, r"argmin\(\): Expected reduction dim 0"),
        (lambda: minigrad.zeros(0).aminmax(), RuntimeError, "cannot compute aminmax over an empty"),
        (lambda: minigrad.zeros(0).kthvalue(1), IndexError, r"kthvalue\(\): Expected reduction dim 0"),
        (lambda: minigrad.zeros(0).mode(), IndexError, r"mode\(\): Expected reduction dim 0"),
        (lambda: minigrad.zeros(0, 2).median(0), IndexError, r"median\(\): Expected reduction dim 0"),
        (lambda: minigrad.ones(3).topk(4), RuntimeError, "selected index k out of range"),
        (lambda: minigrad.ones(3).kthvalue(0), RuntimeError, "selected number k out of range"),
        (lambda: minigrad.zeros(0).norm(INF), RuntimeError, "cannot compute the inf norm on an empty"),
        (lambda: minigrad.tensor([1, 2]).norm(), RuntimeError, "Expected a floating point"),
        (lambda: minigrad.tensor([1, 2]).mean(), RuntimeError, "Input dtype must be either a floating"),
        (
            lambda: minigrad.tensor([1, 2]).nanmean(),
            RuntimeError,
            "floating point or complex dtype but got Long",
        ),
        (lambda: minigrad.linalg.matrix_norm(minigrad.ones(3)), RuntimeError, "at least 2 dimensions"),
        (lambda: minigrad.linalg.matrix_norm(minigrad.ones(2, 2), 3), RuntimeError, "Order 3 not supported"),
        (lambda: minigrad.linalg.matrix_norm(minigrad.ones(2, 2), "nuc"), NotImplementedError, "singular"),
        (lambda: minigrad.linalg.vector_norm(minigrad.ones(2), "fro"), TypeError, "must be Number"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- named tuples, ties and NaN -----------------------------------------------------------------------


def test_named_tuples_read_like_torch_return_types():
    x = minigrad.tensor([[1.0, 3.0], [2.0, 0.0]])
    out = x.max(1)
    values, indices = out
    assert out.values is values and out[1] is indices and indices.tolist() == [1, 0]
    assert repr(out).startswith("minigrad.return_types.max(\nvalues=tensor(")
    assert type(x.min(0)).__name__ == "min" and type(x.sort()).__name__ == "sort"
    assert minigrad.aminmax(x)._fields == ("min", "max") and minigrad.aminmax(x).max.item() == 3.0
    for name in ("topk", "kthvalue"):
        assert getattr(x, name)(1)._fields == ("values", "indices")
    for name in ("median", "nanmedian", "mode"):
        assert type(getattr(x, name)(0)).__name__ == name


def test_sort_is_stable_and_puts_nan_last_ascending_and_first_descending():
    x = minigrad.tensor([1.0, NAN, 3.0, 1.0, NAN, 3.0])
    assert x.sort().indices.tolist() == [0, 3, 2, 5, 1, 4]
    assert x.sort(descending=True).indices.tolist() == [1, 4, 2, 5, 0, 3]
    assert x.argsort(descending=True).tolist() == [1, 4, 2, 5, 0, 3]
    assert x.topk(3).indices.tolist() == [1, 4, 2] and x.topk(2, largest=False).indices.tolist() == [0, 3]


def test_order_statistics_with_ties_and_nan():
    x = minigrad.tensor([1.0, 3.0, 3.0, 2.0, 3.0, 1.0])
    assert x.median().item() == 2.0 and x.median(0).indices.item() == 3
    assert tuple(minigrad.tensor([2.0, 1.0, 2.0, 1.0, 3.0]).mode()) == (1.0, 3)  # smallest, last occurrence
    y = minigrad.tensor([1.0, NAN, 3.0, NAN, 2.0])
    assert math.isnan(y.median().item()) and y.median(0).indices.item() == 1
    assert y.nanmedian().item() == 2.0 and y.nanmedian(0).indices.item() == 4
    assert y.kthvalue(4).indices.item() == 1 and math.isnan(minigrad.tensor([NAN, NAN]).nanmedian().item())
    assert same(minigrad.tensor([[NAN, 1.0], [NAN, 2.0]]).nanmedian(1).values, [1.0, 2.0])


def test_running_max_and_min_take_the_latest_tie_and_nan():
    x = minigrad.tensor([1.0, 3.0, 3.0, 2.0, NAN, 1.0, NAN, 5.0])
    values, indices = x.cummax(0)
    assert same(values, [1, 3, 3, 3, NAN, NAN, NAN, NAN]) and indices.tolist() == [0, 1, 2, 2, 4, 4, 6, 6]
    assert minigrad.tensor([2.0, 1.0, 1.0]).cummin(0).indices.tolist() == [0, 1, 2]
    assert gradient(lambda t: t.cummax(0).values, [1.0, 3.0, 3.0, 2.0]) == [1.0, 1.0, 2.0, 0.0]
    assert minigrad.tensor(2.0).cummax(0).indices.item() == 0 and minigrad.zeros(0).cummin(
        0
    ).values.shape == (0,)


def test_gradients_of_order_statistics_go_to_the_entry_picked():
    assert gradient(lambda t: t.median(), [3.0, 1.0, 2.0, 2.0]) == [
        0.0,
        0.0,
        0.5,
        0.5,
    ]  # shared, as PyTorch's
    assert gradient(lambda t: t.median(0).values, [3.0, 1.0, 2.0, 2.0]) == [0.0, 0.0, 1.0, 0.0]
    assert gradient(
        lambda t: t.sort(descending=True).values * minigrad.tensor([1.0, 10.0, 100.0]), [2.0, 5.0, 2.0]
    ) == [
        10.0,
        1.0,
        100.0,
    ]
    assert gradient(lambda t: t.topk(2).values, [1.0, 4.0, 3.0]) == [0.0, 1.0, 1.0]
    assert gradient(lambda t: minigrad.aminmax(t).max, [1.0, 4.0, 4.0]) == [0.0, 0.5, 0.5]


def test_unique():
    x = minigrad.tensor([4, 1, 4, 2])
    values, inverse, counts = x.unique(return_inverse=True, return_counts=True)
    assert values.tolist() == [1, 2, 4] and inverse.tolist() == [2, 0, 2, 1] and counts.tolist() == [1, 1, 2]
    assert x.unique(return_counts=True)[1].dtype == minigrad.int64
    values, inverse = minigrad.unique(minigrad.tensor([[1, 2], [1, 2], [0, 5]]), dim=0, return_inverse=True)
    assert values.tolist() == [[0, 5], [1, 2]] and inverse.tolist() == [1, 1, 0]
    assert same(minigrad.tensor([NAN, NAN, 1.0]).unique(), [1.0, NAN, NAN])  # NaNs stay distinct
    assert minigrad.tensor([[2.0, 1.0], [2.0, 1.0]]).unique(return_inverse=True)[1].shape == (2, 2)


def test_norms_at_zero_have_gradient_zero():
    for ord in (2, 1, INF, 3, 0.5, -1):
        assert gradient(lambda t, o=ord: minigrad.linalg.vector_norm(t, o), [0.0, 0.0]) == [0.0, 0.0]
    assert gradient(lambda t: t.norm(), [[0.0, 0.0]]) == [[0.0, 0.0]]
    assert gradient(lambda t: minigrad.linalg.vector_norm(t, 0.5), [0.0, 2.0]) == pytest.approx([0.0, 1.0])
    x = leaf([0.0, 0.0, 3.0])
    assert gradgradcheck(lambda t: minigrad.linalg.vector_norm(t, 3), (leaf([0.5, -1.0, 3.0]),))
    assert gradcheck(lambda t: minigrad.linalg.vector_norm(t, 3), (x,))


def test_norm_dtype_and_the_matrix_norms():
    x = minigrad.tensor([[3.0, -4.0], [0.0, 1.0]])
    assert minigrad.linalg.vector_norm(x, dtype=minigrad.float64).dtype == minigrad.float64
    with pytest.raises(RuntimeError, match="without narrowing"):
        minigrad.linalg.vector_norm(x.double(), dtype=minigrad.float32)
    assert [minigrad.linalg.matrix_norm(x, o).item() for o in (1, -1, INF, -INF)] == [5.0, 3.0, 7.0, 1.0]
    assert minigrad.norm(x, "fro", (0, 1), True).shape == (1, 1) and x.norm(1, 1).tolist() == [7.0, 1.0]
    assert minigrad.linalg.matrix_norm(minigrad.zeros(2, 0), 1).item() == 0.0


# --- PyTorch as the oracle ----------------------------------------------------------------------------

INPUTS = {
    "ties": [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]],
    "zeros": [[0.0, 2.0, 0.0], [3.0, 0.0, -1.0]],
    "nan": [[1.0, NAN, 3.0], [NAN, NAN, 0.5]],
    "inf": [[INF, -1.0, 2.0], [-INF, 0.0, INF]],
    "empty rows": np.zeros((0, 3)),
    "0-d": 2.5,
}

# label: the call, on minigrad or torch (``lib``) and a float64 tensor; None where an input does not apply
CALLS = {
    "prod": lambda lib, t: lib.prod(t, 1),
    "prod all": lambda lib, t: t.prod(),
    "cumsum": lambda lib, t: lib.cumsum(t, -1),
    "cumprod": lambda lib, t: t.cumprod(0),
    "nansum": lambda lib, t: lib.nansum(t, 0),
    "nanmean": lambda lib, t: lib.nanmean(t),
    "var": lambda lib, t: t.var(0, True),
    "std correction": lambda lib, t: t.std(correction=0),
    "var_mean": lambda lib, t: lib.var_mean(t, -1, keepdim=True),
    "count_nonzero": lambda lib, t: lib.count_nonzero(t, -1),
    "all": lambda lib, t: t.all(-1),
    "any": lambda lib, t: lib.any(t),
    "sum ()": lambda lib, t: t.sum(dim=()),
    "mean axis": lambda lib, t: t.mean(axis=-1, keepdims=True),
    "logsumexp": lambda lib, t: t.logsumexp(-1),
    "sort": lambda lib, t: t.sort(-1),
    "sort descending": lambda lib, t: lib.sort(t, dim=0, descending=True, stable=True),
    "argsort": lambda lib, t: t.argsort(dim=-1, stable=True),
    "msort": lambda lib, t: t.msort(),
    "topk values": lambda lib, t: t.topk(1, -1).values,
    "median": lambda lib, t: t.median(),
    "median dim": lambda lib, t: t.median(-1, keepdim=True),
    "nanmedian": lambda lib, t: t.nanmedian(),
    "nanmedian dim": lambda lib, t: t.nanmedian(0),
    "mode": lambda lib, t: t.mode(-1),
    "kthvalue values": lambda lib, t: t.kthvalue(1, -1).values,
    "max dim": lambda lib, t: t.max(-1),
    "cummax": lambda lib, t: t.cummax(-1),
    "cummin": lambda lib, t: lib.cummin(t, 0),
    "aminmax": lambda lib, t: tuple(lib.aminmax(t, dim=-1)),
    "unique": lambda lib, t: lib.unique(t, return_inverse=True, return_counts=True),
    "norm": lambda lib, t: t.norm(),
    "norm 1": lambda lib, t: lib.norm(t, 1, -1),
    "vector_norm inf": lambda lib, t: lib.linalg.vector_norm(t, INF, -1),
    "vector_norm 0.5": lambda lib, t: lib.linalg.vector_norm(t, 0.5),
    "vector_norm 0": lambda lib, t: lib.linalg.vector_norm(t, 0),
    "matrix_norm fro": lambda lib, t: lib.linalg.matrix_norm(t),
    "matrix_norm 1": lambda lib, t: lib.linalg.matrix_norm(t, 1),
    "matrix_norm -inf": lambda lib, t: lib.linalg.matrix_norm(t, -INF),
}


# (call, input): why PyTorch's answer is not the one to match there
NOT_COMPARED = {
    ("mode", "nan"): "PyTorch's mode of repeated NaNs gives the first NaN's index; this one the last",
    ("var_mean", "inf"): "PyTorch's var_mean (Welford's updates) gives a NaN mean where torch.mean gives inf",
}
# (call, input): where only the values are compared, not the gradient
VALUES_ONLY = {
    (
        "kthvalue values",
        "ties",
    ): "which tied entry PyTorch's quickselect picks (so gets the gradient) is unspecified",
    (
        "kthvalue values",
        "zeros",
    ): "which tied entry PyTorch's quickselect picks (so gets the gradient) is unspecified",
}


def outcome(lib, call, values):
    """The outputs (as NumPy arrays with dtype names) and the gradient of their float sum, or the error type."""
    t = lib.tensor(values, dtype=lib.float64, requires_grad=True)
    try:
        out = call(lib, t)
    except (RuntimeError, IndexError, TypeError, ValueError) as error:
        return type(error).__name__
    outs = list(out) if isinstance(out, tuple) else [out]
    floats = [o for o in outs if o.dtype == lib.float64 and o.requires_grad]
    grad = None
    if floats and all(np.isfinite(o.detach().numpy()).all() for o in floats) and t.numel():
        try:
            sum(o.sum() for o in floats).backward()
        except NotImplementedError:  # PyTorch has no derivative for unique
            return [(o.detach().numpy(), str(o.dtype).split(".")[-1]) for o in outs], None
        grad = None if t.grad is None else t.grad.numpy()
    return [(o.detach().numpy(), str(o.dtype).split(".")[-1]) for o in outs], grad


@pytest.mark.torch
@pytest.mark.numpy_only
@pytest.mark.filterwarnings(
    "ignore:.*degrees of freedom is <= 0"
)  # PyTorch's own; minigrad gives NaN quietly
@pytest.mark.parametrize("label", CALLS)
def test_matches_pytorch_on_ties_zeros_nan_inf_and_empty_inputs(label, torch):
    for name, values in INPUTS.items():
        if (label, name) in NOT_COMPARED:
            continue
        mine, theirs = outcome(minigrad, CALLS[label], values), outcome(torch, CALLS[label], values)
        if isinstance(theirs, str) or isinstance(mine, str):
            assert mine == theirs, (name, mine, theirs)
            continue
        assert len(mine[0]) == len(theirs[0]), name
        for (a, a_dtype), (b, b_dtype) in zip(mine[0], theirs[0]):
            assert a_dtype == b_dtype and a.shape == b.shape, (name, a_dtype, b_dtype, a.shape, b.shape)
            assert np.allclose(a, b, equal_nan=True), (name, a, b)
        if theirs[1] is not None and (label, name) not in VALUES_ONLY:
            assert mine[1] is not None and np.allclose(mine[1], theirs[1], equal_nan=True), (
                name,
                mine[1],
                theirs[1],
            )
