"""Activations and losses against PyTorch: values, gradients and second derivatives at the kinks,
NaN, empty tensors, integer inputs, in-place forms, reprs and errors; and the same kinks and
values hand-written, for runs without PyTorch."""

import math
import warnings

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import grad
from minigrad.testing import assert_close

# Kinks (0, +-1, +-3, 6, the threshold 0.5), both sides of softplus's switch and far tails.
KINKS = [-40.0, -7.0, -3.0, -2.5, -1.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 1.0, 2.4999, 2.5001, 3.0, 6.0, 7.0, 25.0]

ACTIVATIONS = {
    # name: keyword arguments, the same for minigrad's F and PyTorch's
    "relu": {},
    "sigmoid": {},
    "tanh": {},
    "gelu": {},
    "gelu tanh": {"approximate": "tanh"},
    "silu": {},
    "mish": {},
    "leaky_relu": {"negative_slope": 0.2},
    "elu": {"alpha": 0.5},
    "celu": {"alpha": 2.0},
    "selu": {},
    "softplus": {"beta": 2.0, "threshold": 5.0},
    "softplus default": {},
    "relu6": {},
    "hardtanh": {"min_val": -1.0, "max_val": 3.0},
    "hardswish": {},
    "hardsigmoid": {},
    "logsigmoid": {},
    "softsign": {},
    "tanhshrink": {},
    "threshold": {"threshold": 0.5, "value": -2.0},
}


def both(torch, name):
    fn = name.split()[0]
    return (lambda x: getattr(F, fn)(x, **ACTIVATIONS[name])), (
        lambda x: getattr(torch.nn.functional, fn)(x, **ACTIVATIONS[name])
    )


def first_and_second(fn, x, seed):
    """``fn(x)``, d(fn(x) . seed)/dx and the derivative of that gradient's sum, as NumPy arrays."""
    (g,) = grad((fn(x) * seed).sum(), x, create_graph=True)
    gg = grad(g.sum(), x, allow_unused=True)[0] if g.requires_grad else None  # piecewise linear: none
    return fn(x).detach().numpy(), g.detach().numpy(), None if gg is None else gg.numpy()


@pytest.mark.torch
@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_activations_match_torch_at_kinks_and_tails(torch, name, dtype):
    values = np.array(KINKS + list(np.random.default_rng(0).uniform(-4, 4, 8)), dtype=dtype)
    seed = np.random.default_rng(1).uniform(0.5, 1.5, values.shape).astype(dtype)
    ours, theirs = both(torch, name)
    x = minigrad.tensor(values, requires_grad=True)
    out, g, gg = first_and_second(ours, x, minigrad.tensor(seed))
    t = torch.tensor(values, requires_grad=True)
    expected = theirs(t)
    (tg,) = torch.autograd.grad((expected * torch.tensor(seed)).sum(), t, create_graph=True)
    tol = {"rtol": 1e-12, "atol": 1e-12} if dtype == "float64" else {"rtol": 2e-6, "atol": 2e-6}
    assert out.dtype == np.dtype(dtype)
    assert_close(out, expected.detach().numpy(), **tol)
    assert_close(g, tg.detach().numpy(), **tol)
    if tg.requires_grad and name != "hardsigmoid":  # PyTorch has no second derivative of hardsigmoid
        (tgg,) = torch.autograd.grad(tg.sum(), t)
        assert_close(np.zeros_like(g) if gg is None else gg, tgg.numpy(), **tol)


@pytest.mark.torch
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activations_match_torch_on_nan_empty_and_integers(torch, name):
    ours, theirs = both(torch, name)
    x = minigrad.tensor([math.nan, 1.0], dtype=minigrad.float64, requires_grad=True)
    t = torch.tensor([math.nan, 1.0], dtype=torch.float64, requires_grad=True)
    ours(x).sum().backward()
    theirs(t).sum().backward()
    np.testing.assert_allclose(ours(x.detach()).numpy(), theirs(t.detach()).numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    assert ours(minigrad.zeros(0, 3)).shape == (0, 3)
    try:
        expected = theirs(torch.tensor([3, -2, 7]))
    except NotImplementedError:
        with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
            ours(minigrad.tensor([3, -2, 7]))
    else:
        got = ours(minigrad.tensor([3, -2, 7]))
        assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(got.numpy(), expected.numpy())


INPLACE = ["relu", "leaky_relu", "elu", "celu", "selu", "silu", "mish", "hardtanh", "relu6", "hardswish"]
INPLACE += ["hardsigmoid", "threshold"]


@pytest.mark.torch
@pytest.mark.parametrize("name", INPLACE)
def test_inplace_forms_overwrite_and_keep_the_gradient(torch, name):
    kwargs = ACTIVATIONS.get(name, {})
    values = np.array(KINKS)
    x = minigrad.tensor(values, requires_grad=True)
    hidden = x * 2
    out = getattr(F, name)(hidden, **kwargs, inplace=True)
    assert out is hidden
    (out * out).sum().backward()
    t = torch.tensor(values, requires_grad=True)
    theirs = getattr(torch.nn.functional, name)(t * 2, **kwargs, inplace=True)
    (theirs * theirs).sum().backward()
    assert_close(out, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert_close(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-12)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(x, **kwargs, inplace=True)


@pytest.mark.torch
def test_inplace_tensor_methods_match_torch(torch):
    for name in ("relu_", "sigmoid_", "tanh_"):
        x = minigrad.tensor(KINKS, dtype=minigrad.float64, requires_grad=True)
        t = torch.tensor(KINKS, dtype=torch.float64, requires_grad=True)
        y, u = x * 1, t * 1
        assert getattr(y, name)() is y
        getattr(u, name)()
        (y * x).sum().backward()
        (u * t).sum().backward()
        assert_close(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-12)
    with pytest.raises(RuntimeError):
        minigrad.tensor([1, 2]).sigmoid_()  # a float result does not fit an int64 tensor


MODULES = [
    "GELU()", "GELU('tanh')", "SiLU()", "SiLU(True)", "Mish(inplace=True)", "LeakyReLU()",
    "LeakyReLU(0.2, True)", "PReLU()", "PReLU(3, 0.1)", "ELU()", "ELU(0.5, True)", "CELU(2.0)",
    "SELU()", "SELU(True)", "Softplus()", "Softplus(2, 5)", "ReLU6()", "ReLU6(True)", "Hardtanh()",
    "Hardtanh(-2, 2, True)", "Hardtanh(min_value=-3.0)", "Hardswish(True)", "Hardsigmoid()",
    "LogSigmoid()", "Softsign()", "Tanhshrink()", "Threshold(0.1, 20)", "Threshold(0.1, 20, True)",
    "GLU()", "GLU(0)", "Softmin(1)", "Softmax()", "Softmax(dim=1)", "LogSoftmax(-1)", "ReLU(True)",
    "Sigmoid()", "Tanh()", "NLLLoss()", "BCELoss()", "BCEWithLogitsLoss()", "L1Loss()",
    "SmoothL1Loss(beta=0.5)", "HuberLoss(delta=2.0)", "KLDivLoss(reduction='batchmean')",
    "CrossEntropyLoss(label_smoothing=0.1)", "MSELoss(reduction='sum')",
]  # fmt: skip


@pytest.mark.torch
@pytest.mark.parametrize("call", MODULES)
def test_modules_print_and_compute_as_torch(torch, call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # Hardtanh(min_value=) warns, in both
        ours, theirs = eval(f"nn.{call}"), eval(f"torch.nn.{call}")
    assert [str(w.message) for w in caught[: len(caught) // 2]] == [
        str(w.message) for w in caught[len(caught) // 2 :]
    ]
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if "Loss" in call:
        return
    values = np.random.default_rng(2).uniform(-4, 4, (2, 3, 2)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Softmax() warns, in both
        got = ours(minigrad.tensor(values))
        expected = theirs(torch.tensor(values))
    assert_close(got, expected.detach().numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.torch
def test_prelu_matches_torch(torch):
    values = np.array(KINKS[:12]).reshape(2, 3, 2)
    for weight in ([0.25], [0.1, -0.5, 2.0]):
        x = minigrad.tensor(values, requires_grad=True)
        w = minigrad.tensor(weight, dtype=minigrad.float64, requires_grad=True)
        t = torch.tensor(values, requires_grad=True)
        tw = torch.tensor(weight, dtype=torch.float64, requires_grad=True)
        (x.prelu(w) ** 2).sum().backward()
        (torch.prelu(t, tw) ** 2).sum().backward()
        assert_close(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-12)
        assert_close(w.grad, tw.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert_close(minigrad.prelu(minigrad.tensor(-2.0), minigrad.tensor([0.5])), -1.0)
    for shape, count in (((2, 3), 2), ((3,), 3)):
        for framework in (minigrad, torch):
            with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size"):
                framework.prelu(framework.ones(*shape), framework.ones(count))
    module = nn.PReLU(3)
    assert module.weight.tolist() == [0.25] * 3 and module.weight.requires_grad


@pytest.mark.torch
def test_glu_matches_torch(torch):
    values = np.random.default_rng(3).uniform(-3, 3, (2, 4, 2))
    for dim in (-1, 0, 1):
        x, t = minigrad.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        F.glu(x, dim).sum().backward()
        torch.nn.functional.glu(t, dim).sum().backward()
        assert_close(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-12)
    for bad, message in (((3,), "Halving dimension must be even"), ((), "does not support scalars")):
        for framework, functional in ((minigrad, F), (torch, torch.nn.functional)):
            with pytest.raises(RuntimeError, match=message):
                functional.glu(framework.ones(bad) if bad else framework.tensor(1.0))


def test_gelu_exact_uses_the_error_function():
    x = minigrad.tensor([-6.0, -2.5, -1e-8, 0.0, 0.3, 1.0, 2.9999, 3.0001, 8.0], dtype=minigrad.float64)
    expected = [v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()]
    assert_close(F.gelu(x), np.array(expected), rtol=1e-14, atol=1e-15)
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(x, approximate="exact")


def test_gradients_at_the_kinks_are_pytorchs():
    """The values PyTorch 2.13 gives (d/dx at the listed points)."""
    cases = {
        "relu6": (F.relu6, [0.0, 6.0, 3.0], [0.0, 0.0, 1.0]),
        "hardtanh": (F.hardtanh, [-1.0, 1.0, 0.0], [0.0, 0.0, 1.0]),
        "leaky_relu": (F.leaky_relu, [0.0], [0.01]),
        "elu": (lambda t: F.elu(t, 2.0), [0.0], [2.0]),
        "threshold": (lambda t: F.threshold(t, 1.0, 5.0), [1.0, 1.5], [0.0, 1.0]),
        "hardsigmoid": (F.hardsigmoid, [-3.0, 3.0, 0.0], [0.0, 0.0, 0.1666666716337204]),  # a float32 1/6
        "hardswish": (F.hardswish, [-3.0, 3.0, 0.0], [0.0, 1.0, 0.5]),
        "prelu": (lambda t: F.prelu(t, minigrad.tensor([0.25], dtype=minigrad.float64)), [0.0], [0.25]),
        "nan hardtanh": (F.hardtanh, [math.nan], [1.0]),
        "nan hardsigmoid": (F.hardsigmoid, [math.nan], [0.0]),
        "nan leaky_relu": (F.leaky_relu, [math.nan], [0.01]),
    }
    for name, (fn, values, expected) in cases.items():
        x = minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)
        fn(x).sum().backward()
        assert_close(x.grad, np.array(expected), rtol=1e-12, atol=1e-12), name


def test_activation_module_reprs():
    assert repr(nn.LeakyReLU(0.2, True)) == "LeakyReLU(negative_slope=0.2, inplace=True)"
    assert repr(nn.Hardswish(True)) == "Hardswish()" and repr(nn.SiLU(True)) == "SiLU(inplace=True)"
    assert repr(nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    assert repr(nn.GELU()) == "GELU(approximate='none')" and repr(nn.Softmax()) == "Softmax(dim=None)"
    assert repr(nn.ReLU6()) == "ReLU6()" and isinstance(nn.ReLU6(), nn.Hardtanh)
    with pytest.raises(ValueError, match="max_val"):
        nn.Hardtanh(2.0, 1.0)


# --- softmax family -------------------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_softmax_family_with_an_implicit_dim_warns_as_torch(torch, name, ndim):
    values = np.random.default_rng(ndim).uniform(-3, 3, (2,) * ndim)
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name} has been deprecated") as ours:
        got = getattr(F, name)(minigrad.tensor(values))
    with pytest.warns(UserWarning) as theirs:
        expected = getattr(torch.nn.functional, name)(torch.tensor(values))
    assert str(ours[0].message) == str(theirs[0].message)
    assert ours[0].filename == __file__  # the warning points at the caller
    assert_close(got, expected.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.torch
def test_softmax_dtype_empty_dims_and_spellings_match_torch(torch):
    values = np.random.default_rng(4).uniform(-3, 3, (2, 3)).astype(np.float32)
    x, t = minigrad.tensor(values), torch.tensor(values)
    for name in ("softmax", "log_softmax"):
        got = getattr(minigrad, name)(x, 1, dtype=minigrad.float64)
        expected = getattr(torch, name)(t, 1, dtype=torch.float64)
        assert got.dtype == minigrad.float64
        assert_close(got, expected.numpy(), rtol=1e-12, atol=1e-12)
        assert_close(getattr(x, name)(dim=0), getattr(t, name)(dim=0).numpy(), rtol=1e-6, atol=1e-6)
        for framework in (minigrad, torch):
            with pytest.raises(TypeError, match="dim"):
                getattr(framework, name)(framework.ones(2))
            with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
                getattr(framework, name)(framework.tensor([1, 2]), 0)
        int_result = getattr(F, name)(minigrad.tensor([1, 2]), 0, dtype=minigrad.float32)
        assert_close(
            int_result, getattr(torch.nn.functional, name)(torch.tensor([1, 2]), 0, dtype=torch.float32)
        )
    assert_close(F.softmin(x, 1), torch.nn.functional.softmin(t, 1).numpy(), rtol=1e-6, atol=1e-6)
    for shape, dim in (((2, 0, 3), 1), ((2, 0, 3), 0), ((0,), 0)):
        z = minigrad.zeros(*shape, requires_grad=True)
        for name in ("softmax", "log_softmax", "softmin"):
            out = getattr(F, name)(z, dim)
            assert out.shape == shape
            out.sum().backward()
            assert z.grad.shape == shape


# --- losses --------------------------------------------------------------------------------------


def _pair(torch, *arrays, grad_mask=None):
    """Each array as a float64 minigrad leaf and the matching torch leaf."""
    return [(minigrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)) for a in arrays]


def _compare_loss(torch, name, arrays, kwargs, differentiable, constants=()):
    """The loss and the gradients of its weighted sum, minigrad against torch."""
    leaves = _pair(torch, *arrays)
    ours_kwargs = {k: minigrad.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    theirs_kwargs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    ours_args = [m if i in differentiable else m.detach() for i, (m, _) in enumerate(leaves)]
    theirs_args = [t if i in differentiable else t.detach() for i, (_, t) in enumerate(leaves)]
    ours_args += [minigrad.tensor(c) for c in constants]
    theirs_args += [torch.tensor(c) for c in constants]
    got = getattr(F, name)(*ours_args, **ours_kwargs)
    expected = getattr(torch.nn.functional, name)(*theirs_args, **theirs_kwargs)
    assert got.shape == tuple(expected.shape) and str(got.dtype) == str(expected.dtype).removeprefix("torch.")
    assert_close(got, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = np.random.default_rng(5).uniform(0.5, 1.5, got.shape)
    if got.numel():
        (got * minigrad.tensor(seed)).sum().backward()
        (expected * torch.tensor(seed)).sum().backward()
        for i in differentiable:
            assert_close(leaves[i][0].grad, leaves[i][1].grad.numpy(), rtol=1e-9, atol=1e-12)


RNG = np.random.default_rng(6)
LOGITS = RNG.uniform(-3, 3, (4, 3))
LOGITS_3D = RNG.uniform(-3, 3, (2, 3, 2))
LABELS = np.array([0, 2, 1, 2])
LABELS_3D = np.array([[0, 2], [1, 1]])
PROBABILITIES = RNG.dirichlet(np.ones(3), size=4)
PREDICTED = RNG.uniform(0.02, 0.98, (4, 3))
PAIR = (RNG.uniform(-2, 2, (4, 3)), RNG.uniform(-2, 2, (4, 3)))
CLASS_WEIGHT = np.array([0.5, 2.0, 1.5])

LOSSES = {
    # id: (name, differentiable arrays, their indices with gradients, constant tensor args, kwargs)
    "nll": ("nll_loss", [LOGITS], (0,), [LABELS], {}),
    "nll weighted ignore sum": ("nll_loss", [LOGITS], (0,), [LABELS], {"weight": CLASS_WEIGHT, "ignore_index": 2, "reduction": "sum"}),
    "nll weighted mean": ("nll_loss", [LOGITS], (0,), [LABELS], {"weight": CLASS_WEIGHT}),
    "nll 3d none": ("nll_loss", [LOGITS_3D], (0,), [LABELS_3D], {"reduction": "none"}),
    "nll 1d": ("nll_loss", [LOGITS[0]], (0,), [np.array(1)], {}),
    "cross_entropy 3d weighted smoothing": ("cross_entropy", [LOGITS_3D], (0,), [LABELS_3D], {"weight": CLASS_WEIGHT, "label_smoothing": 0.2}),
    "cross_entropy probabilities": ("cross_entropy", [LOGITS, PROBABILITIES], (0, 1), [], {}),
    "cross_entropy probabilities weighted smoothing none": ("cross_entropy", [LOGITS, PROBABILITIES], (0, 1), [], {"weight": CLASS_WEIGHT, "label_smoothing": 0.3, "reduction": "none"}),
    "cross_entropy probabilities 3d sum": ("cross_entropy", [LOGITS_3D, np.abs(LOGITS_3D)], (0, 1), [], {"reduction": "sum"}),
    "cross_entropy probabilities 1d": ("cross_entropy", [LOGITS[0], PROBABILITIES[0]], (0, 1), [], {}),
    "bce": ("binary_cross_entropy", [PREDICTED, PROBABILITIES], (0, 1), [], {}),
    "bce weighted sum": ("binary_cross_entropy", [PREDICTED, PROBABILITIES], (0,), [], {"weight": CLASS_WEIGHT, "reduction": "sum"}),
    "bce at 0 and 1": ("binary_cross_entropy", [np.array([0.0, 1.0, 0.0, 1.0, 0.5]), np.array([0.0, 1.0, 1.0, 0.0, 0.3])], (0,), [], {"reduction": "none"}),
    "bce with logits": ("binary_cross_entropy_with_logits", [LOGITS * 10, PROBABILITIES], (0, 1), [], {}),
    "bce with logits pos_weight weight": ("binary_cross_entropy_with_logits", [LOGITS, PROBABILITIES], (0, 1), [], {"pos_weight": np.array([1.0, 3.0, 0.5]), "weight": CLASS_WEIGHT, "reduction": "none"}),
    "l1": ("l1_loss", list(PAIR), (0, 1), [], {}),
    "l1 weighted": ("l1_loss", list(PAIR), (0, 1), [], {"weight": PREDICTED}),
    "mse weighted sum": ("mse_loss", list(PAIR), (0, 1), [], {"weight": PREDICTED, "reduction": "sum"}),
    "smooth_l1": ("smooth_l1_loss", list(PAIR), (0, 1), [], {"beta": 0.5}),
    "smooth_l1 beta 0": ("smooth_l1_loss", list(PAIR), (0, 1), [], {"beta": 0.0, "reduction": "none"}),
    "huber": ("huber_loss", list(PAIR), (0, 1), [], {"delta": 1.5, "reduction": "sum"}),
    "huber weighted": ("huber_loss", list(PAIR), (0, 1), [], {"weight": PREDICTED}),
    "kl_div batchmean": ("kl_div", [np.log(PREDICTED), PROBABILITIES], (0, 1), [], {"reduction": "batchmean"}),
    "kl_div zero target none": ("kl_div", [np.log(PREDICTED), np.where(PROBABILITIES > 0.3, PROBABILITIES, 0.0)], (0,), [], {"reduction": "none"}),
    "kl_div log_target sum": ("kl_div", [np.log(PREDICTED), np.log(PROBABILITIES)], (0, 1), [], {"log_target": True, "reduction": "sum"}),
}  # fmt: skip


@pytest.mark.torch
@pytest.mark.parametrize("case", LOSSES)
def test_losses_match_torch(torch, case):
    name, arrays, differentiable, constants, kwargs = LOSSES[case]
    _compare_loss(torch, name, arrays, kwargs, differentiable, constants)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_on_an_empty_batch_and_all_ignored_match_torch(torch, reduction):
    calls = {
        "nll_loss": lambda fw, f: f.nll_loss(fw.zeros(0, 3), fw.zeros(0, dtype=fw.int64), reduction=reduction),
        "cross_entropy": lambda fw, f: f.cross_entropy(fw.zeros(0, 3), fw.zeros(0, dtype=fw.int64), reduction=reduction),
        "cross_entropy probabilities": lambda fw, f: f.cross_entropy(fw.zeros(0, 3), fw.zeros(0, 3), reduction=reduction),
        "all ignored": lambda fw, f: f.nll_loss(fw.zeros(2, 3), fw.tensor([1, 1]), ignore_index=1, reduction=reduction),
        "bce": lambda fw, f: f.binary_cross_entropy(fw.zeros(0), fw.zeros(0), reduction=reduction),
        "bce with logits": lambda fw, f: f.binary_cross_entropy_with_logits(fw.zeros(0), fw.zeros(0), reduction=reduction),
        "l1": lambda fw, f: f.l1_loss(fw.zeros(0, 2), fw.zeros(0, 2), reduction=reduction),
        "huber": lambda fw, f: f.huber_loss(fw.zeros(0), fw.zeros(0), reduction=reduction),
        "kl_div": lambda fw, f: f.kl_div(fw.zeros(0, 2), fw.zeros(0, 2), reduction=reduction),
    }  # fmt: skip
    for name, call in calls.items():
        got, expected = call(minigrad, F), call(torch, torch.nn.functional)
        assert got.shape == tuple(expected.shape), name
        np.testing.assert_array_equal(got.numpy(), expected.numpy(), err_msg=name)


@pytest.mark.torch
def test_loss_errors_match_torch(torch):
    x, t = np.random.default_rng(7).uniform(0.1, 0.9, (3, 4)), np.array([0, 1, 2])
    calls = {
        "bad reduction": lambda fw, f: f.nll_loss(fw.tensor(x), fw.tensor(t), reduction="avg"),
        "kl bad reduction": lambda fw, f: f.kl_div(fw.tensor(x), fw.tensor(x), reduction="avg"),
        "probabilities with ignore_index": lambda fw, f: f.cross_entropy(fw.tensor(x), fw.tensor(x), ignore_index=1),
        "integer probabilities": lambda fw, f: f.cross_entropy(fw.tensor(x), fw.tensor(x).long()),
        "bce sizes": lambda fw, f: f.binary_cross_entropy(fw.tensor(x), fw.tensor(x[0])),
        "bce dtypes": lambda fw, f: f.binary_cross_entropy(fw.tensor(x).float(), fw.tensor(x)),
        "bce with logits sizes": lambda fw, f: f.binary_cross_entropy_with_logits(fw.tensor(x), fw.tensor(x[0])),
        "smooth_l1 beta": lambda fw, f: f.smooth_l1_loss(fw.tensor(x), fw.tensor(x), beta=-1.0),
        "huber delta": lambda fw, f: f.huber_loss(fw.tensor(x), fw.tensor(x), delta=0.0),
        "l1 weight size": lambda fw, f: f.l1_loss(fw.tensor(x), fw.tensor(x), weight=fw.tensor(x[0])),
        "celu alpha": lambda fw, f: f.celu(fw.tensor(x), 0.0),
        "hardtanh bounds": lambda fw, f: f.hardtanh(fw.tensor(x), 2.0, 1.0),
    }  # fmt: skip
    if minigrad.tensor(x).device.type == "cpu":  # checks a GPU skips (they would sync every step)
        calls["nll out of range"] = lambda fw, f: f.nll_loss(fw.tensor(x), fw.tensor([0, 1, 5]))
        calls["bce outside [0, 1]"] = lambda fw, f: f.binary_cross_entropy(fw.tensor(x) * 2, fw.tensor(x))
    for name, call in calls.items():
        with pytest.raises(Exception) as theirs:
            call(torch, torch.nn.functional)
        with pytest.raises(Exception) as ours:
            call(minigrad, F)
        assert type(ours.value) is type(theirs.value), (name, ours.value, theirs.value)


@pytest.mark.torch
def test_legacy_size_average_and_reduce_match_torch(torch):
    x, t = np.random.default_rng(8).uniform(-1, 1, (3, 4)), np.random.default_rng(9).uniform(-1, 1, (3, 4))
    for size_average, reduce in ((False, None), (None, False), (True, True), (False, True)):
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            got = F.l1_loss(minigrad.tensor(x), minigrad.tensor(t), size_average, reduce)
        with pytest.warns(UserWarning):
            expected = torch.nn.functional.l1_loss(torch.tensor(x), torch.tensor(t), size_average, reduce)
        assert_close(got, expected.numpy(), rtol=1e-12, atol=1e-12)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.NLLLoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(minigrad.tensor(x), minigrad.tensor(t))


def test_binary_cross_entropy_clamps_its_logs_at_minus_100():
    p = minigrad.tensor([0.0, 1.0, 0.5], dtype=minigrad.float64, requires_grad=True)
    loss = F.binary_cross_entropy(
        p, minigrad.tensor([1.0, 0.0, 1.0], dtype=minigrad.float64), reduction="none"
    )
    assert_close(loss, np.array([100.0, 100.0, math.log(2)]), rtol=1e-12, atol=1e-12)
    loss.sum().backward()
    assert np.isfinite(p.grad.numpy()).all() and p.grad.tolist()[2] == pytest.approx(-2.0)
    logits = minigrad.tensor([-1000.0, 1000.0], dtype=minigrad.float64)
    stable = F.binary_cross_entropy_with_logits(
        logits, minigrad.tensor([1.0, 0.0], dtype=minigrad.float64), reduction="none"
    )
    assert stable.tolist() == [1000.0, 1000.0]


def test_cross_entropy_with_probability_targets_is_the_formula():
    logits = np.random.default_rng(10).uniform(-2, 2, (3, 4))
    target = np.random.default_rng(11).dirichlet(np.ones(4), size=3)
    log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    got = F.cross_entropy(minigrad.tensor(logits), minigrad.tensor(target), label_smoothing=0.2)
    smoothed = target * 0.8 + 0.2 / 4
    assert_close(got, -(smoothed * log_probs).sum(1).mean(), rtol=1e-12, atol=1e-12)
    loss = nn.CrossEntropyLoss(weight=minigrad.tensor(np.arange(1.0, 5.0)), reduction="sum")
    expected = -(target * np.arange(1.0, 5.0) * log_probs).sum()
    assert_close(loss(minigrad.tensor(logits), minigrad.tensor(target)), expected, rtol=1e-12, atol=1e-12)


# --- one_hot and normalize -----------------------------------------------------------------------


@pytest.mark.torch
def test_one_hot_and_normalize_match_torch(torch):
    labels = np.array([[0, 3], [2, 1]])
    for num_classes in (-1, 5):
        got = F.one_hot(minigrad.tensor(labels), num_classes)
        expected = torch.nn.functional.one_hot(torch.tensor(labels), num_classes)
        assert got.dtype == minigrad.int64
        np.testing.assert_array_equal(got.numpy(), expected.numpy())
    assert F.one_hot(minigrad.zeros(0, dtype=minigrad.int64), 3).shape == (0, 3)
    for bad in ([0, -1], [0.0, 1.0], [0, 4], []):
        for framework, functional in ((minigrad, F), (torch, torch.nn.functional)):
            tensor = framework.tensor(bad, dtype=None if bad else framework.int64)
            with pytest.raises(RuntimeError):
                functional.one_hot(tensor, 3 if bad == [0, 4] else -1)
    values = np.array([[0.0, 0.0, 0.0], [3.0, -4.0, 1.0]])
    for p, dim in ((2.0, 1), (1.0, 0), (3.0, -1), (math.inf, 1)):
        x, t = minigrad.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
        got = F.normalize(x, p, dim)
        expected = torch.nn.functional.normalize(t, p, dim)
        assert_close(got, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
        seed = np.arange(6.0).reshape(2, 3)
        (got * minigrad.tensor(seed)).sum().backward()
        (expected * torch.tensor(seed)).sum().backward()
        assert_close(x.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_one_hot_and_normalize():
    assert F.one_hot(minigrad.tensor([0, 2])).tolist() == [[1, 0, 0], [0, 0, 1]]
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(minigrad.tensor([0, -1]), 3)
    x = minigrad.tensor([[0.0, 0.0], [3.0, 4.0]], dtype=minigrad.float64, requires_grad=True)
    assert F.normalize(x).tolist() == [[0.0, 0.0], [0.6, 0.8]]
    F.normalize(x).sum().backward()
    assert x.grad.tolist()[0] == [1e12, 1e12]  # a zero row is divided by eps, as PyTorch's
