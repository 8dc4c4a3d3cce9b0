"""Shape and indexing ops at their edges: empty tensors and zero-size dimensions, negative dims,
repeated scatter indices, ties, zeros in products, NaN in searches, and PyTorch's errors; with
PyTorch as the oracle where it is installed."""

import numpy as np
import pytest

import minigrad
from minigrad.autograd import grad

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3))
X3 = RNG.standard_normal((2, 3, 4))
EMPTY = np.zeros((0, 3))


def ints(*values):
    return np.array(values, dtype=np.int64)


# (op as "name" for minigrad.name / "Tensor.name" for the method, arguments, keyword arguments);
# NumPy arrays become tensors, the first one (when float) differentiated.
CASES = []
for a in (X, X3, EMPTY):
    CASES += [
        ("split", (a, 2), {}),
        ("split", (a, [a.shape[0], 0]), {}),
        ("split", (a, 1), {"dim": -1}),
        ("chunk", (a, 3), {"dim": 1}),
        ("chunk", (a, 2), {}),
        ("unbind", (a, -1), {}),
        ("narrow", (a, -1, -2, 1), {}),
        ("select", (a, 1, -1), {}),
        ("movedim", (a, (0, 1), (1, 0)), {}),
        ("moveaxis", (a, 0, -1), {}),
        ("Tensor.repeat", (a, 2, 1, 3), {}),
        ("Tensor.repeat", (a, 0, 1, 1), {}),
        ("tile", (a, (2,)), {}),
        ("repeat_interleave", (a, 2), {}),
        ("repeat_interleave", (a, np.arange(a.shape[1]) % 3), {"dim": 1}),
        ("roll", (a, 1), {}),
        ("roll", (a, (1, -4), (0, 1)), {}),
        ("rot90", (a, -1, (1, 0)), {}),
        ("tril", (a, -1), {}),
        ("triu", (a,), {"diagonal": 1}),
        ("diagonal", (a, -1, 1, 0), {}),
        ("diagonal", (a, 5), {}),
        ("diag_embed", (a, 1, 0, 2), {}),
        ("unflatten", (a, 1, (-1, 1)), {}),
        ("swapaxes", (a, 0, -1), {}),
        ("swapdims", (a, 0, 1), {}),
        ("flip", (a,), {"dims": (0, -1)}),
        ("Tensor.flip", (a, 0, 1), {}),
        ("hstack", ([a, a],), {}),
        ("vstack", ([a, a],), {}),
        ("dstack", ([a, a],), {}),
        ("column_stack", ([a, a],), {}),
        ("broadcast_tensors", (a, a[:1]), {}),
        ("Tensor.mT", (a,), {}),
        ("index_select", (a, 1, ints(0, 2, 2)), {}),
        ("index_select", (a, 0, ints()), {}),
        ("take", (a, ints(0, -1, 2) if a.size else ints()), {}),
        ("take_along_dim", (a, np.zeros((1,) * a.ndim, np.int64)), {"dim": -1}),
        ("masked_fill", (a, RNG.random(a.shape[-1]) > 0.5, np.array(3.0)), {}),
        ("masked_select", (a, RNG.random(a.shape) > 0.5), {}),
        ("masked_scatter", (a, RNG.random(a.shape) > 0.5, RNG.standard_normal(a.size + 1)), {}),
        ("nonzero", (a > 0,), {}),
        ("nonzero", (a,), {"as_tuple": True}),
        ("argwhere", (a,), {}),
    ]
for a in (X, X3):
    duplicates = RNG.integers(0, 2, a.shape)  # repeated indices, and some positions never written
    src = RNG.standard_normal(a.shape)
    source = RNG.standard_normal(a.shape[:1] + (3,) + a.shape[2:])
    CASES += [
        ("scatter_add", (a, 0, duplicates, src), {}),
        ("scatter", (a, 1, np.argsort(RNG.random(a.shape), axis=1)[:, :2], src), {}),  # distinct along dim
        ("scatter", (a, -1, duplicates, 2.5), {}),
        ("index_add", (a, 1, ints(0, 0, 2), source), {"alpha": -2.0}),
        ("index_copy", (a, 1, ints(2, 0, 1), source), {}),
        ("index_fill", (a, 1, ints(2, 0, -1, 0), np.array(4.0)), {}),
        ("index_put", (a, (ints(0, 0, 1),), RNG.standard_normal(a.shape[1:])), {"accumulate": True}),
        ("index_put", (a, (ints(0, 1), ints(2, 0))), {"values": RNG.standard_normal((2, *a.shape[2:]))}),
    ]
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            kwargs = {"include_self": include_self}
            CASES.append(("scatter_reduce", (a, 0, duplicates, src, reduce), kwargs))
            tied = np.round(src)  # ties between src values, and with the input, and zeros
            CASES.append(("scatter_reduce", (np.round(a), 0, duplicates, tied, reduce), kwargs))
for v in (RNG.standard_normal(4), np.array(1.5), np.zeros(0)):
    CASES += [
        ("diag", (v, 1), {}) if v.ndim else ("Tensor.t", (v,), {}),
        ("transpose", (v, -1, 0), {}),
        ("hstack", ([v, v],), {}),
        ("column_stack", ([v, v],), {}),
        ("meshgrid", (v, RNG.standard_normal(3)), {"indexing": "xy"}),
        ("Tensor.repeat", (v, 2, 2), {}),
    ]
SORTED = np.array([1.0, 2.0, 2.0, 3.0, np.nan])
ROWS = np.sort(RNG.standard_normal((2, 5)), -1)
VALUES = np.array([[2.0, np.nan, 0.5, 4.0], [-1.0, 2.0, 2.0, 3.0]])
for right in (False, True):
    CASES += [
        ("searchsorted", (SORTED, VALUES), {"right": right}),
        ("searchsorted", (ROWS, VALUES), {"side": "right" if right else "left", "out_int32": True}),
        ("searchsorted", (SORTED, 2.0), {"right": right}),
        ("searchsorted", (np.array([3, 1, 2]), np.array([2])), {"sorter": ints(1, 2, 0), "right": right}),
        ("bucketize", (VALUES, SORTED), {"right": right}),
    ]
CASES += [
    ("diag", (X,), {}),
    ("diag", (X, -3), {}),
    ("trace", (X,), {}),
    ("trace", (np.arange(9).reshape(3, 3),), {}),
    ("trace", (np.zeros((0, 0)),), {}),
    ("repeat_interleave", (np.array([1, 0, 3]),), {}),
    ("nonzero", (np.array(3.0),), {"as_tuple": True}),
    ("argwhere", (np.array(0.0),), {}),
]


def _call(library, name, args, kwargs, float_type):
    """Run the case in ``library`` (minigrad or torch); the result and the differentiated input."""

    def convert(value):
        if isinstance(value, np.ndarray):
            return library.tensor(value)
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], np.ndarray):
            return type(value)(convert(v) for v in value)
        return value

    args = [convert(v) for v in args]
    kwargs = {k: convert(v) for k, v in kwargs.items()}
    first = args[0]
    if hasattr(first, "dtype") and first.dtype == float_type:
        first.requires_grad_()
    if name.startswith("Tensor."):
        attribute = getattr(first, name.split(".")[1])  # a bound method, or a property's value
        out = attribute(*args[1:], **kwargs) if callable(attribute) else attribute
    else:
        out = getattr(library, name)(*args, **kwargs)
    return out, first


def _weighted_sum(outs, library):
    """A scalar with a different weight on every output element, so every gradient entry counts."""
    total = 0.0
    for out in outs:
        if out.dtype.is_floating_point if hasattr(out.dtype, "is_floating_point") else out.dtype.kind == "f":
            total = total + (out * library.arange(out.numel(), dtype=out.dtype).reshape(out.shape)).sum()
    return total


def _host(t):
    return np.asarray(t.detach().numpy())


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_matches_pytorch(case, torch):
    name, args, kwargs = case
    expected, t_input = _call(torch, name, args, kwargs, torch.float64)
    out, m_input = _call(minigrad, name, args, kwargs, minigrad.float64)
    expected_list = list(expected) if isinstance(expected, (tuple, list)) else [expected]
    out_list = list(out) if isinstance(out, (tuple, list)) else [out]
    assert len(out_list) == len(expected_list)
    for o, e in zip(out_list, expected_list):
        assert o.shape == tuple(e.shape)
        assert str(o.dtype) == str(e.dtype).replace("torch.", "")
        np.testing.assert_allclose(_host(o), _host(e), rtol=1e-12, atol=1e-12)
    if getattr(t_input, "requires_grad", False):
        total = _weighted_sum(expected_list, torch)
        if not isinstance(total, float):
            (t_grad,) = torch.autograd.grad(total, t_input)
            (m_grad,) = grad(_weighted_sum(out_list, minigrad), m_input)
            np.testing.assert_allclose(_host(m_grad), _host(t_grad), rtol=1e-12, atol=1e-12)


ERRORS = [
    ("chunk", (X, 0), {}),
    ("split", (X, [1, 2]), {}),
    ("split", (X, 0), {}),
    ("narrow", (X, 1, 2, 2), {}),
    ("select", (X, 1, 3), {}),
    ("movedim", (X3, (0, 0), (1, 2)), {}),
    ("movedim", (X3, (0, 1), (2,)), {}),
    ("Tensor.repeat", (X, 2), {}),
    ("repeat_interleave", (X, np.array([-1, 2])), {"dim": 0}),
    ("repeat_interleave", (X, np.array([1, 2, 3])), {"dim": 0}),
    ("roll", (X, (1, 1), (0,)), {}),
    ("rot90", (X, 1, [0]), {}),
    ("rot90", (X, 1, [0, 0]), {}),
    ("rot90", (np.arange(3.0),), {}),
    ("tril", (np.arange(3.0),), {}),
    ("diag", (X3,), {}),
    ("diagonal", (X, 0, 0, 0), {}),
    ("trace", (np.arange(3.0),), {}),
    ("meshgrid", (np.arange(2.0),), {"indexing": "foo"}),
    ("meshgrid", (np.zeros((2, 2)),), {"indexing": "ij"}),
    ("unflatten", (X, 1, (2, 2)), {}),
    ("Tensor.mT", (np.arange(3.0),), {}),
    ("index_select", (X, 1, np.array([[1]])), {}),
    ("index_select", (X, 1, np.array([1.0])), {}),
    ("index_select", (X, 1, ints(3)), {}),
    ("take", (X, ints(6)), {}),
    ("scatter", (X, 1, np.array([[3]]), 1.0), {}),
    ("scatter", (X, 1, np.array([[-1]]), 1.0), {}),
    ("scatter", (X, 1, np.array([[1, 1]]), np.ones((1, 1))), {}),
    ("scatter", (X, 1, np.array([[1]]), np.ones((1, 1), np.float32)), {}),
    ("scatter_reduce", (X, 1, np.array([[1]]), np.ones((1, 1)), "foo"), {}),
    ("index_add", (X, 1, ints(3), np.ones((2, 1))), {}),
    ("index_add", (X, 1, ints(1), np.ones((2, 2))), {}),
    ("index_copy", (X, 1, ints(-1), np.ones((2, 1))), {}),
    ("index_fill", (X, 1, ints(3), 2.0), {}),
    ("index_fill", (X, 1, ints(1), np.array([2.0])), {}),
    ("index_put", (X, (ints(0),), np.array(7.0, np.float32)), {}),
    ("masked_fill", (X, np.ones(3, np.int64), 2.0), {}),
    ("masked_fill", (X, np.ones(3, bool), np.array([1.0])), {}),
    ("masked_scatter", (X, np.ones(3, bool), np.arange(2.0)), {}),
    ("masked_scatter", (X, np.ones(3, bool), np.arange(4)), {}),
    ("searchsorted", (ROWS, VALUES[:1]), {}),
    ("searchsorted", (SORTED, VALUES), {"side": "left", "right": True}),
    ("bucketize", (np.array([3]), np.array([[1, 2, 3]])), {}),
]


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c[0])
def test_errors_are_pytorchs(case, torch):
    """Where PyTorch refuses an input minigrad refuses it too, with the same kind of exception."""
    name, args, kwargs = case
    with pytest.raises(Exception) as expected:
        _call(torch, name, args, kwargs, torch.float64)
    with pytest.raises(Exception) as refused:
        _call(minigrad, name, args, kwargs, minigrad.float64)
    assert isinstance(refused.value, (RuntimeError, TypeError, ValueError, IndexError))
    assert type(refused.value) is type(expected.value) or isinstance(expected.value, RuntimeError)


# ---- without PyTorch -------------------------------------------------------------------------


def test_scatter_add_and_index_add_accumulate_repeated_indices():
    x = minigrad.zeros(3, dtype=minigrad.float64)
    out = x.scatter_add(
        0, minigrad.tensor([0, 0, 2, 0]), minigrad.tensor([1.0, 2.0, 3.0, 4.0], dtype=minigrad.float64)
    )
    assert out.tolist() == [7.0, 0.0, 3.0]
    x.index_add_(0, minigrad.tensor([1, 1]), minigrad.tensor([0.5, 0.25], dtype=minigrad.float64), alpha=2)
    assert x.tolist() == [0.0, 1.5, 0.0]


def test_scatter_reduce_shares_the_gradient_of_tied_extremes():
    x = minigrad.tensor([1.0, 5.0], dtype=minigrad.float64, requires_grad=True)
    src = minigrad.tensor([1.0, 1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    out = x.scatter_reduce(0, minigrad.tensor([0, 0, 1]), src, "amax")
    assert out.tolist() == [1.0, 5.0]
    gx, gs = grad(out.sum(), (x, src))
    assert gx.tolist() == [1 / 3, 1.0] and gs.tolist() == [1 / 3, 1 / 3, 0.0]


def test_scatter_reduce_prod_with_zeros_has_the_product_of_the_others_as_gradient():
    x = minigrad.tensor([2.0, 3.0], dtype=minigrad.float64, requires_grad=True)
    src = minigrad.tensor([0.0, 4.0, 0.0, 0.0], dtype=minigrad.float64, requires_grad=True)
    out = x.scatter_reduce(0, minigrad.tensor([0, 0, 1, 1]), src, "prod")
    assert out.tolist() == [0.0, 0.0]
    gx, gs = grad(out.sum(), (x, src))
    assert gx.tolist() == [0.0, 0.0] and gs.tolist() == [8.0, 0.0, 0.0, 0.0]


def test_every_shape_op_takes_zero_size_dimensions():
    e = minigrad.zeros(0, 3, dtype=minigrad.float64, requires_grad=True)
    outs = [
        *e.split(1, dim=1),
        *e.chunk(2),
        e.repeat(2, 1),
        e.roll(1, 0),
        e.rot90(),
        e.tril(),
        e.diagonal(),
        e.diag_embed(),
        e.movedim(0, 1),
        e.unflatten(1, (3, 1)),
        minigrad.vstack([e, e]),
        e.repeat_interleave(2, dim=0),
        e.index_select(1, minigrad.tensor([0, 0])),
        e.masked_fill(minigrad.ones(3, dtype=minigrad.bool_), 1.0),
        e.scatter_add(0, minigrad.zeros(0, 3, dtype=minigrad.int64), e),
        e.index_add(0, minigrad.tensor([], dtype=minigrad.int64), e),
    ]
    total = sum(out.sum() for out in outs)
    (g,) = grad(total, e)
    assert g.shape == (0, 3) and total.item() == 0.0
    assert minigrad.trace(minigrad.zeros(0, 0)).item() == 0.0
    assert minigrad.nonzero(minigrad.zeros(0, 3)).shape == (0, 2)


def test_fixed_forms():
    x = minigrad.arange(6.0).reshape(2, 3)
    assert x.flip(dims=[0]).tolist() == [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]
    assert minigrad.flip(x, (0, 1)).tolist() == x.flip(0, 1).tolist() == x.flip([0, 1]).tolist()
    assert minigrad.tensor(2.0).transpose(0, 0).item() == minigrad.tensor(2.0).transpose(-1, -1).item() == 2.0
    assert minigrad.broadcast_shapes(2, (3, 1)) == (3, 2)
    assert minigrad.broadcast_shapes(1, 3, ()) == (3,)
    x.fill_(value=2.0)
    assert x.tolist() == [[2.0] * 3] * 2
    x.fill_(minigrad.tensor(-1.0))
    assert x.tolist() == [[-1.0] * 3] * 2
    with pytest.raises(RuntimeError, match="0-dimension value tensor"):
        x.fill_(minigrad.tensor([1.0, 2.0, 3.0]))
    assert x.tolist() == [[-1.0] * 3] * 2  # refused before anything changed


def test_in_place_forms_write_into_the_tensor_and_refuse_broadcasting_it():
    y = minigrad.zeros(3)
    assert y.masked_fill_(minigrad.tensor([True, False, True]), 5.0) is y
    y.scatter_(0, minigrad.tensor([1]), minigrad.tensor([9.0]))
    y.index_fill_(0, minigrad.tensor([-1]), 7.0)
    y.index_put_((minigrad.tensor([0, 0]),), minigrad.tensor(1.0), accumulate=True)
    assert y.tolist() == [7.0, 9.0, 7.0]
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        y.masked_fill_(minigrad.ones(2, 3, dtype=minigrad.bool_), 1.0)
    assert y.tolist() == [7.0, 9.0, 7.0]


def test_searchsorted_takes_a_scalar_and_gives_a_0d_tensor():
    out = minigrad.searchsorted(minigrad.tensor([1.0, 2.0, 3.0]), 2.5)
    assert out.shape == () and out.item() == 2 and out.dtype == minigrad.int64
    assert minigrad.bucketize(3, minigrad.tensor([1, 2, 3]), right=True).item() == 3


def test_diagonal_select_narrow_and_split_are_views_that_writes_go_through():
    x = minigrad.arange(12.0).reshape(3, 4)
    x.diagonal(1).fill_(-1.0)
    x.select(0, 0).narrow(0, 0, 1).fill_(-2.0)
    x.split(2, dim=1)[1][2].zero_()
    assert x.tolist() == [[-2.0, -1.0, 2.0, 3.0], [4.0, 5.0, -1.0, 7.0], [8.0, 9.0, 0.0, 0.0]]
    w = minigrad.zeros(3, 3, dtype=minigrad.float64, requires_grad=True)
    y = w * 2
    y.diagonal().mul_(minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64))  # recorded through the view
    (g,) = grad(y.sum(), w)
    assert g.tolist() == [[2.0, 2.0, 2.0], [2.0, 4.0, 2.0], [2.0, 2.0, 6.0]]
