"""``repr(tensor)`` prints what PyTorch prints.

The expected strings were produced by PyTorch 2.13 for the same data, with ``torch.`` in dtype
names read as ``minigrad.`` and PyTorch's ``MulBackward0`` read as minigrad's ``MulBackward0``.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad import nn

NAN, INF = float("nan"), float("inf")
SEVENTHS = (np.arange(9) / 7).tolist()
# The expected strings are PyTorch's for CPU tensors; on a device repr adds ``device=...``.
pytestmark = pytest.mark.numpy_only

CASES = [
    ("scalar_float", lambda: minigrad.tensor(3.5), "tensor(3.5000)"),
    ("scalar_whole", lambda: minigrad.tensor(2.0), "tensor(2.)"),
    ("scalar_small", lambda: minigrad.tensor(1e-5), "tensor(1.0000e-05)"),
    ("scalar_int", lambda: minigrad.tensor(7), "tensor(7)"),
    ("scalar_bool", lambda: minigrad.tensor(True), "tensor(True)"),
    ("scalar_nan", lambda: minigrad.tensor(NAN), "tensor(nan)"),
    ("whole", lambda: minigrad.tensor([1.0, 2.0, -3.0]), "tensor([ 1.,  2., -3.])"),
    ("decimals", lambda: minigrad.tensor([0.1, 0.25, -1.5]), "tensor([ 0.1000,  0.2500, -1.5000])"),
    ("wide_range", lambda: minigrad.tensor([0.5, 1000.5]), "tensor([5.0000e-01, 1.0005e+03])"),
    ("tiny", lambda: minigrad.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    ("huge_whole", lambda: minigrad.tensor([1.0, 1e9]), "tensor([1.0000e+00, 1.0000e+09])"),
    ("nonfinite", lambda: minigrad.tensor([NAN, INF, -INF, 1.5]), "tensor([   nan,    inf,   -inf, 1.5000])"),
    ("neg_zero", lambda: minigrad.tensor([-0.0, 1.0]), "tensor([-0., 1.])"),
    ("ints", lambda: minigrad.tensor([[1, 2], [3, -40]]), "tensor([[  1,   2],\n        [  3, -40]])"),
    ("bools", lambda: minigrad.tensor([True, False]), "tensor([ True, False])"),
    (
        "matrix",
        lambda: minigrad.tensor([[1.0, 2.5], [-3.0, 4.0]]),
        "tensor([[ 1.0000,  2.5000],\n        [-3.0000,  4.0000]])",
    ),
    (
        "cube",
        lambda: minigrad.arange(8.0).reshape(2, 2, 2),
        "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])",
    ),
    (
        "float64",
        lambda: minigrad.tensor(np.array([0.5, 2.0])),
        "tensor([0.5000, 2.0000], dtype=minigrad.float64)",
    ),
    ("int32", lambda: minigrad.tensor([1, 2], dtype=minigrad.int32), "tensor([1, 2], dtype=minigrad.int32)"),
    ("empty", lambda: minigrad.tensor([]), "tensor([])"),
    ("empty_2d", lambda: minigrad.zeros(2, 0), "tensor([], size=(2, 0))"),
    ("empty_int", lambda: minigrad.zeros(0, dtype=minigrad.int64), "tensor([], dtype=minigrad.int64)"),
    (
        "requires_grad",
        lambda: minigrad.tensor([1.0, 2.0], requires_grad=True),
        "tensor([1., 2.], requires_grad=True)",
    ),
    (
        "grad_fn",
        lambda: minigrad.tensor([1.0, 2.0], requires_grad=True) * 2,
        "tensor([2., 4.], grad_fn=<MulBackward0>)",
    ),
    (
        "grad_fn_scalar",
        lambda: (minigrad.tensor([1.0, 2.0], requires_grad=True) ** 2).sum(),
        "tensor(5., grad_fn=<SumBackward0>)",
    ),
    (
        "float64_grad",
        lambda: minigrad.tensor(np.array([0.5]), requires_grad=True),
        "tensor([0.5000], dtype=minigrad.float64, requires_grad=True)",
    ),
    (
        "wrapped",
        lambda: minigrad.arange(30.0) / 7,
        "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
        "        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n"
        "        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n"
        "        3.8571, 4.0000, 4.1429])",
    ),
    (
        "suffixes_on_a_new_line",
        lambda: minigrad.tensor(np.array(SEVENTHS[:8]), requires_grad=True),
        "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000],\n"
        "       dtype=minigrad.float64, requires_grad=True)",
    ),
    (
        "summarized",
        lambda: minigrad.arange(2000.0),
        "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])",
    ),
    (
        "summarized_2d",
        lambda: minigrad.arange(2500).reshape(50, 50),
        "tensor([[   0,    1,    2,  ...,   47,   48,   49],\n"
        "        [  50,   51,   52,  ...,   97,   98,   99],\n"
        "        [ 100,  101,  102,  ...,  147,  148,  149],\n"
        "        ...,\n"
        "        [2350, 2351, 2352,  ..., 2397, 2398, 2399],\n"
        "        [2400, 2401, 2402,  ..., 2447, 2448, 2449],\n"
        "        [2450, 2451, 2452,  ..., 2497, 2498, 2499]])",
    ),
    (
        "edge_detector_output",
        lambda: minigrad.tensor([[0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]]),
        "tensor([[ 0.,  1.,  0.,  0.,  0., -1.,  0.]])",
    ),
    (
        "parameter",
        lambda: nn.Parameter(minigrad.tensor([1.0, -1.0])),
        "Parameter containing:\ntensor([ 1., -1.], requires_grad=True)",
    ),
]


@pytest.mark.parametrize("make, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_repr_matches_pytorch(make, expected):
    assert repr(make()) == expected


def test_str_is_repr():
    t = minigrad.tensor([1.0, 2.0])
    assert str(t) == repr(t) == "tensor([1., 2.])"


def test_float16_large_values_print_without_overflow_warnings():
    # PyTorch's own test: float16 overflows at 1e8, so the format is chosen in float64
    t = minigrad.tensor([60000.0, 0.5], dtype=minigrad.float16)
    assert repr(t) == "tensor([6.0000e+04, 5.0000e-01], dtype=minigrad.float16)"


def test_default_dtype_is_not_printed_after_changing_it():
    previous = minigrad.get_default_dtype()
    minigrad.set_default_dtype(minigrad.float64)
    try:
        assert repr(minigrad.tensor([0.5])) == "tensor([0.5000])"
        assert (
            repr(minigrad.tensor([0.5], dtype=minigrad.float32)) == "tensor([0.5000], dtype=minigrad.float32)"
        )
    finally:
        minigrad.set_default_dtype(previous)


_finite = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=32)


@pytest.mark.torch
@given(
    hnp.arrays(
        np.float32,
        hnp.array_shapes(max_dims=3, max_side=12),
        elements=_finite | st.sampled_from([0.0, NAN, INF]),
    )
)
def test_repr_matches_torch_on_random_arrays(values):
    torch = pytest.importorskip("torch")
    expected = repr(torch.tensor(values))
    assert repr(minigrad.tensor(values)) == expected


def test_graph_nodes_have_pytorchs_names():
    """``grad_fn`` names as PyTorch prints them: the op and the ``Backward0`` suffix."""
    import minigrad.nn.functional as F

    x = minigrad.ones(2, 3, requires_grad=True)
    w = minigrad.ones(4, 3, requires_grad=True)
    image, kernel = (
        minigrad.ones(1, 1, 4, 4, requires_grad=True),
        minigrad.ones(2, 1, 3, 3, requires_grad=True),
    )
    names = {
        "MulBackward0": x * 2,
        "MmBackward0": x @ w.T,
        "PowBackward0": x**2,
        "PowBackward1": x ** minigrad.ones(3),
        "ToCopyBackward0": x.double(),
        "ViewBackward0": x.reshape(6),
        "AddmmBackward0": F.linear(x, w, minigrad.ones(4)),
        "ConvolutionBackward0": F.conv2d(image, kernel),
        "NllLossBackward0": F.cross_entropy(x, minigrad.tensor([0, 1])),
        "MaxPool2DWithIndicesBackward0": F.max_pool2d(image, 2),
        "AvgPool2DBackward0": F.avg_pool2d(image, 2),
        "ReluBackward0": minigrad.relu(x),
        "SumBackward0": x.sum(),
    }
    assert {name: out.grad_fn.name() for name, out in names.items()} == {name: name for name in names}
    assert repr(x.sum()) == "tensor(6., grad_fn=<SumBackward0>)"
