"""Property tests of the activations and losses: gradcheck and gradgradcheck on drawn inputs.

Drawn values lie on the strategies' lattice (multiples of 1e-3 plus 5e-4), so no finite-difference
stencil straddles a kink at 0, +-1, +-3, 6 or a threshold at a multiple of 1e-3. Differences of two
lattice values are multiples of 1e-3, so the smooth-l1 ``beta`` and huber ``delta`` sit off that
grid. Values, kinks, edge cases and errors are checked against PyTorch in
``test_activation_loss_ops``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties_ops import (
    call_functional,
    check,
    cross_entropy_args,
    distinct_tensors,
    host,
    op,
    softmax_args,
    written_in_place,
)

import minigrad
from minigrad.testing import assert_close
from minigrad.testing import strategies as mst

SMALL = mst.shapes(max_dims=3, max_side=3)
NONEMPTY = mst.shapes(min_dims=1, max_dims=3, max_side=3)
TEN = settings(max_examples=10)
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])

ELEMENTWISE = {
    # spelling (a variant after a space): keyword arguments
    "F.gelu": {},
    "F.gelu (tanh)": {"approximate": "tanh"},
    "F.silu": {},
    "F.mish": {},
    "F.leaky_relu": {"negative_slope": 0.2},
    "F.elu": {"alpha": 0.5},
    "minigrad.celu": {"alpha": 2.0},
    "minigrad.selu": {},
    "F.softplus": {"beta": 2.0, "threshold": 5.0},
    "F.relu6": {},
    "F.hardtanh": {"min_val": -2.0, "max_val": 1.5},
    "F.hardswish": {},
    "F.hardsigmoid": {},
    "F.logsigmoid": {},
    "F.softsign": {},
    "F.tanhshrink": {},
    "minigrad.threshold": {"threshold": 0.5, "value": -2.0},
}


@TEN
@pytest.mark.parametrize("name", ELEMENTWISE)
@given(data=st.data())
def test_elementwise_activations(name, data):
    x = data.draw(mst.tensors(SMALL))
    out = op(name)(x, **ELEMENTWISE[name])
    assert out.shape == x.shape and out.dtype == x.dtype
    check(lambda t: op(name)(t, **ELEMENTWISE[name]), x)


INPLACE = {"Tensor.sigmoid_": lambda a: 1 / (1 + np.exp(-a)), "Tensor.tanh_": np.tanh}


@TEN
@pytest.mark.parametrize("name", INPLACE)
@given(data=st.data())
def test_recorded_inplace_activations(name, data):
    (x,) = data.draw(distinct_tensors([data.draw(SMALL)]))
    assert_close(written_in_place(name)(x), INPLACE[name](host(x)) * host(x))
    check(written_in_place(name), x)


@st.composite
def glu_args(draw):
    shape = list(draw(NONEMPTY))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] = 2 * draw(st.integers(1, 2))
    return draw(distinct_tensors([tuple(shape)])), {"dim": dim}


@st.composite
def prelu_args(draw):
    shape = draw(NONEMPTY)
    channels = shape[1] if len(shape) >= 2 else 1
    weight_shape = draw(st.sampled_from([(1,), (channels,)]))
    return draw(distinct_tensors([shape, weight_shape], max_value=3.0)), {}


@st.composite
def normalize_args(draw):
    (x,) = draw(distinct_tensors([draw(NONEMPTY)], away_from_zero=0.5))  # no tiny norm: tame curvature
    return (x,), {"p": draw(st.sampled_from([1.0, 2.0, 3.0])), "dim": draw(st.integers(-x.ndim, x.ndim - 1))}


@st.composite
def nll_loss_args(draw):
    """cross_entropy's arguments (class indices, weights, ignore_index), without label smoothing."""
    args, kwargs = draw(cross_entropy_args())
    kwargs.pop("label_smoothing")
    return args, kwargs


@st.composite
def probability_cross_entropy_args(draw):
    """Soft labels: the target (any non-negative weights) gets a gradient too."""
    classes = draw(st.integers(2, 3))
    shape = draw(st.sampled_from([(classes,), (2, classes), (2, classes, 2)]))
    x, t = draw(distinct_tensors([shape, shape], positive=True, max_value=1.0))
    kwargs = {"reduction": draw(REDUCTIONS), "label_smoothing": draw(st.sampled_from([0.0, 0.2]))}
    if draw(st.booleans()):
        kwargs["weight"] = minigrad.tensor(draw(mst.arrays((classes,), positive=True, away_from_zero=0.5)))
    return (x, t), kwargs


@st.composite
def pair_args(draw, **options):
    """Input and target of one shape, with a reduction and the drawn ``options``."""
    shape = draw(SMALL)
    kwargs = {"reduction": draw(REDUCTIONS)}
    kwargs.update({key: draw(value) for key, value in options.items()})
    return draw(distinct_tensors([shape, shape])), kwargs


@st.composite
def binary_cross_entropy_args(draw):
    shape = draw(SMALL)
    x, t = draw(distinct_tensors([shape, shape], positive=True, min_value=0.05, max_value=0.95))
    kwargs = {"reduction": draw(REDUCTIONS)}
    if draw(st.booleans()):
        kwargs["weight"] = minigrad.tensor(draw(mst.arrays(shape[-1:], positive=True)))
    return (x, t), kwargs


@st.composite
def logits_args(draw):
    shape = draw(SMALL)
    x, t = draw(distinct_tensors([shape, shape], max_value=3.0))
    t = t.detach().sigmoid().requires_grad_()  # targets in (0, 1)
    kwargs = {"reduction": draw(REDUCTIONS)}
    for key in ("weight", "pos_weight"):
        if draw(st.booleans()):
            kwargs[key] = minigrad.tensor(draw(mst.arrays(shape[-1:], positive=True, away_from_zero=0.5)))
    return (x, t), kwargs


@st.composite
def kl_div_args(draw):
    shape = draw(NONEMPTY)
    log_target = draw(st.booleans())
    x, t = draw(distinct_tensors([shape, shape], positive=not log_target, max_value=3.0))
    reduction = draw(st.sampled_from(["batchmean", "sum", "none"]))
    return (x, t), {"reduction": reduction, "log_target": log_target}


FUNCTIONAL = {
    "F.softmin": softmax_args(),
    "minigrad.softmax": softmax_args(),
    "minigrad.log_softmax": softmax_args(),
    "F.glu": glu_args(),
    "minigrad.prelu": prelu_args(),
    "F.normalize": normalize_args(),
    "F.nll_loss": nll_loss_args(),
    "F.cross_entropy (probabilities)": probability_cross_entropy_args(),
    "F.binary_cross_entropy": binary_cross_entropy_args(),
    "F.binary_cross_entropy_with_logits": logits_args(),
    "F.l1_loss": pair_args(),
    "F.smooth_l1_loss": pair_args(beta=st.sampled_from([0.0, 0.7505, 2.5005])),
    "F.huber_loss": pair_args(delta=st.sampled_from([0.7505, 2.5005])),
    "F.kl_div": kl_div_args(),
}


@TEN
@pytest.mark.parametrize("name", FUNCTIONAL)
@given(data=st.data())
def test_functional_activations_and_losses(name, data):
    args, kwargs = data.draw(FUNCTIONAL[name])
    check(call_functional(name, kwargs), *args)


TABLES = [ELEMENTWISE, INPLACE, FUNCTIONAL]

NOT_DIFFERENTIABLE = {"F.one_hot": "integer indices in, an int64 tensor out"}
