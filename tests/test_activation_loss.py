"""Activations, losses, dropout and linear: values, stability, gradients of any order, errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.testing import assert_close
from minigrad.testing.strategies import arrays, shapes, tensors


def leaf(values, dtype=np.float64):
    return minigrad.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def random_array(*shape, seed=0, scale=2.0):
    return np.random.default_rng(seed).uniform(-scale, scale, shape)


@st.composite
def tensor_and_dim(draw, min_dims=1):
    shape = draw(shapes(min_dims=min_dims, max_dims=3, max_side=4))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return draw(tensors(shape=shape)), dim


# --- relu, sigmoid, tanh ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_elementwise_activations_are_the_tensor_methods(name):
    x = leaf(random_array(3, 4))
    assert_close(getattr(F, name)(x), getattr(x, name)())
    module = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[name]()
    assert_close(module(x), getattr(x, name)())


def test_inplace_relu_overwrites_its_input_and_keeps_the_gradient():
    x = leaf(random_array(3, 4))
    hidden = x * 2
    out = nn.ReLU(inplace=True)(hidden)
    assert out is hidden
    out.sum().backward()
    assert_close(x.grad.numpy(), 2.0 * (x.detach().numpy() > 0))
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)" and repr(nn.ReLU()) == "ReLU()"
    with pytest.raises(RuntimeError, match="leaf"):
        F.relu(x, inplace=True)


@given(tensors(shape=shapes(max_dims=3)))
def test_elementwise_activations_gradients(x):
    for fn in (F.relu, F.sigmoid, F.tanh):
        assert gradcheck(fn, x)
        assert gradgradcheck(fn, x)


# --- softmax and log_softmax -----------------------------------------------------------------


def numpy_log_softmax(x, dim):
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


@given(tensor_and_dim())
def test_softmax_and_log_softmax_match_numpy(args):
    x, dim = args
    expected = numpy_log_softmax(x.detach().numpy(), dim)
    assert_close(F.log_softmax(x, dim), expected, rtol=1e-12, atol=1e-12)
    assert_close(F.softmax(x, dim), np.exp(expected), rtol=1e-12, atol=1e-12)
    assert_close(
        F.softmax(x, dim).sum(dim), np.ones(np.delete(x.shape, dim % x.ndim)), rtol=1e-12, atol=1e-12
    )


@given(tensor_and_dim())
def test_softmax_and_log_softmax_gradients(args):
    x, dim = args
    for fn in (F.softmax, F.log_softmax):
        assert gradcheck(fn, (x, dim))
        assert gradgradcheck(fn, (x, dim))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_softmax_is_stable_for_huge_logits(dtype):
    x = leaf([[1e4, 0.0, -1e4], [5000.0, 5000.0, -3000.0]], dtype=dtype)
    out = F.log_softmax(x, dim=1)
    assert out.dtype == dtype
    expected = np.array([[0.0, -1e4, -2e4], [-math.log(2), -math.log(2), -8000 - math.log(2)]])
    assert_close(out.detach().numpy(), expected.astype(dtype), rtol=1e-6, atol=1e-6)
    probabilities = F.softmax(x, dim=1)
    assert np.isfinite(probabilities.detach().numpy()).all()
    assert_close(probabilities.detach().numpy(), np.exp(expected).astype(dtype))
    out[:, 0].sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    assert_close(x.grad.numpy(), (np.eye(3)[0] - np.exp(expected)).astype(dtype), rtol=1e-6, atol=1e-6)


def test_log_softmax_gradients_with_huge_logits():
    x = leaf([[3000.0, 2999.0, -4000.0], [1e4, 1e4 + 1, 1e4 - 2]])
    assert gradcheck(lambda t: F.log_softmax(t, 1), x)
    assert gradgradcheck(lambda t: F.log_softmax(t, 1), x)


def test_softmax_modules():
    x = leaf(random_array(2, 5))
    assert_close(nn.Softmax(dim=1)(x), F.softmax(x, 1))
    assert_close(nn.LogSoftmax(dim=-1)(x), F.log_softmax(x, -1))
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"


def test_softmax_rejects_a_bad_dim():
    x = leaf(random_array(2, 3))
    with pytest.raises(IndexError, match="dim 2 is out of range"):
        F.softmax(x, 2)
    with pytest.raises(TypeError, match="dim must be an int"):
        F.log_softmax(x, 1.5)
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):  # PyTorch's legacy dim
        assert_close(F.log_softmax(x, None), F.log_softmax(x, 1))


# --- mse_loss ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_values(reduction):
    a, b = random_array(3, 4, seed=1), random_array(3, 4, seed=2)
    squared = (a - b) ** 2
    expected = {"mean": squared.mean(), "sum": squared.sum(), "none": squared}[reduction]
    out = F.mse_loss(leaf(a), leaf(b), reduction=reduction)
    assert_close(out.detach().numpy(), np.asarray(expected), rtol=1e-12, atol=1e-12)
    assert_close(nn.MSELoss(reduction=reduction)(leaf(a), leaf(b)).detach(), out.detach())


@given(st.data())
def test_mse_loss_gradients(data):
    shape = data.draw(shapes(max_dims=3))
    a, b = data.draw(tensors(shape=shape)), data.draw(tensors(shape=shape))
    for reduction in ("mean", "sum", "none"):  # the third positional argument is PyTorch's size_average
        assert gradcheck(lambda x, y, r=reduction: F.mse_loss(x, y, reduction=r), (a, b))
        assert gradgradcheck(lambda x, y, r=reduction: F.mse_loss(x, y, reduction=r), (a, b))


def test_mse_loss_keeps_float32():
    a = minigrad.tensor(random_array(4).astype(np.float32))
    assert F.mse_loss(a, a * 2).dtype == np.float32


def test_mse_loss_errors():
    a = leaf(random_array(3))
    with pytest.raises(ValueError, match="reduction must be"):
        F.mse_loss(a, a, reduction="avg")
    with pytest.raises(ValueError, match="reduction must be"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(TypeError, match="floating dtype"):
        F.mse_loss(minigrad.tensor([1, 2, 3]), a)
    with pytest.warns(UserWarning, match="broadcast"):
        F.mse_loss(a, leaf(random_array(2, 3)))


# --- cross_entropy -------------------------------------------------------------------------------


def numpy_cross_entropy(
    logits, target, weight=None, reduction="mean", ignore_index=-100, label_smoothing=0.0
):
    """The textbook formula, for (N, C) logits; label smoothing mixes in PyTorch's smooth term,
    -sum_c w_c log p_c / C, normalized like the main term."""
    log_probs = numpy_log_softmax(logits, 1)
    classes = logits.shape[1]
    weight = np.ones(classes) if weight is None else weight
    kept = target != ignore_index
    safe = np.where(kept, target, 0)
    w = weight[safe] * kept
    losses = -log_probs[np.arange(len(target)), safe] * w
    smooth = -(log_probs * weight).sum(axis=1) * kept
    mixed = (1 - label_smoothing) * losses + label_smoothing / classes * smooth
    return {"none": mixed, "sum": mixed.sum(), "mean": mixed.sum() / w.sum()}[reduction]


def numeric_gradient(f, x, eps=1e-6):
    """Central differences of a scalar NumPy function: independent of minigrad's autograd."""
    grad = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[k] = eps
        grad[k] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def test_cross_entropy_of_uniform_logits_is_log_classes():
    loss = F.cross_entropy(minigrad.zeros(3, 7), minigrad.tensor([0, 3, 6]))
    assert loss.dtype == np.float32
    assert loss.item() == pytest.approx(math.log(7), rel=1e-6)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_matches_the_formula(reduction, weighted):
    logits, target = random_array(5, 4, seed=3), np.array([0, 3, -100, 1, 3])
    weight = np.array([0.5, 1.0, 2.0, 1.5]) if weighted else None
    out = F.cross_entropy(
        leaf(logits),
        minigrad.tensor(target),
        None if weight is None else minigrad.tensor(weight),
        ignore_index=-100,
        reduction=reduction,
    )
    expected = numpy_cross_entropy(logits, target, weight, reduction)
    assert_close(out.detach().numpy(), np.asarray(expected), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 1])
def test_cross_entropy_with_label_smoothing_and_ignore_index_matches_the_formula(
    reduction, weighted, ignore_index
):
    logits, target = random_array(6, 4, seed=8), np.array([0, 1, 3, 1, 2, 3])  # ignore_index=1: two rows
    weight = np.array([0.5, 1.0, 2.0, 1.5]) if weighted else None
    options = {"ignore_index": ignore_index, "reduction": reduction, "label_smoothing": 0.3}
    x = leaf(logits)
    out = F.cross_entropy(
        x, minigrad.tensor(target), None if weight is None else minigrad.tensor(weight), **options
    )
    expected = numpy_cross_entropy(logits, target, weight, **options)
    assert_close(out.detach().numpy(), np.asarray(expected), rtol=1e-12, atol=1e-12)
    projection = random_array(*out.shape, seed=9)
    (out * minigrad.tensor(projection)).sum().backward()
    reference = numeric_gradient(
        lambda z: (numpy_cross_entropy(z, target, weight, **options) * projection).sum(), logits
    )
    assert_close(x.grad.numpy(), reference, rtol=1e-6, atol=1e-8)
    if ignore_index == 1:
        assert np.all(x.grad.numpy()[target == 1] == 0)  # ignored rows get no gradient, smoothing or not


def test_cross_entropy_ignores_minus_100_by_default():
    logits, target = random_array(3, 4, seed=5), np.array([1, -100, 2])
    x = leaf(logits)
    loss = F.cross_entropy(x, minigrad.tensor(target), reduction="sum")
    assert_close(loss.detach().numpy(), np.asarray(numpy_cross_entropy(logits, target, reduction="sum")))
    loss.backward()
    assert not x.grad.numpy()[1].any()


def test_cross_entropy_with_class_dim_only_and_spatial_dims():
    logits = random_array(2, 3, 4, 5, seed=4)  # (N, C, d1, d2)
    target = np.random.default_rng(5).integers(0, 3, size=(2, 4, 5))
    out = F.cross_entropy(leaf(logits), minigrad.tensor(target), reduction="none")
    flat = numpy_cross_entropy(
        logits.transpose(0, 2, 3, 1).reshape(-1, 3), target.reshape(-1), reduction="none"
    )
    assert out.shape == (2, 4, 5)
    assert_close(out.detach().numpy(), flat.reshape(2, 4, 5), rtol=1e-12, atol=1e-12)
    three_d = F.cross_entropy(leaf(logits[:, :, 0]), minigrad.tensor(target[:, 0]), reduction="none")
    assert_close(three_d.detach().numpy(), flat.reshape(2, 4, 5)[:, 0], rtol=1e-12, atol=1e-12)
    single = F.cross_entropy(leaf(logits[0, :, 0, 0]), minigrad.tensor(target[0, 0, 0]))
    assert single.shape == ()
    assert single.item() == pytest.approx(flat[0])


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"reduction": "sum"},
        {"reduction": "none"},
        {"label_smoothing": 0.2},
        {"label_smoothing": 0.1, "reduction": "none"},
        {"weight": [0.2, 1.0, 3.0], "ignore_index": 1},
        {"weight": [0.2, 1.0, 3.0], "label_smoothing": 0.3},
    ],
)
def test_cross_entropy_gradients(options):
    options = dict(options)
    if "weight" in options:
        options["weight"] = minigrad.tensor(np.array(options["weight"]))
    target = minigrad.tensor([2, 0, 1, 2])
    spatial_target = minigrad.tensor([[0, 2], [1, 1]])
    for logits, labels in (
        (leaf(random_array(4, 3, seed=6)), target),
        (leaf(random_array(2, 3, 2, seed=7)), spatial_target),
    ):
        assert gradcheck(lambda x, t: F.cross_entropy(x, t, **options), (logits, labels))
        assert gradgradcheck(lambda x, t: F.cross_entropy(x, t, **options), (logits, labels))


@given(st.data())
def test_cross_entropy_gradients_property(data):
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5))
    logits = data.draw(tensors(shape=(n, c)))
    target = minigrad.tensor(data.draw(arrays((n,), np.int64, elements=st.integers(0, c - 1), unique=False)))
    assert gradcheck(lambda x: F.cross_entropy(x, target), logits)
    assert gradgradcheck(lambda x: F.cross_entropy(x, target), logits)


def test_cross_entropy_ignores_a_minus_infinity_logit_of_another_class():
    """Only the target's log-probability is gathered: -inf elsewhere gives a finite loss, as in PyTorch."""
    logits = leaf([[0.0, -math.inf, 1.0]])
    loss = F.cross_entropy(logits, minigrad.tensor([0]))
    assert loss.item() == pytest.approx(math.log(1 + math.e))
    loss.backward()
    assert_close(
        logits.grad.numpy(), [[1 / (1 + math.e) - 1, 0.0, math.e / (1 + math.e)]], rtol=1e-12, atol=0
    )
    assert math.isinf(F.cross_entropy(logits.detach(), minigrad.tensor([0]), label_smoothing=0.1).item())


def test_cross_entropy_is_stable_for_huge_logits():
    logits = leaf([[1e4, -1e4, 0.0], [2000.0, 2001.0, 1999.0]], dtype=np.float32)
    loss = F.cross_entropy(logits, minigrad.tensor([1, 0]), reduction="none")
    expected = [2e4, 1 + math.log(1 + math.exp(-1) + math.exp(-2))]
    assert_close(loss.detach().numpy(), np.array(expected, dtype=np.float32), rtol=1e-6, atol=1e-4)
    loss.sum().backward()
    assert np.isfinite(logits.grad.numpy()).all()


def test_cross_entropy_loss_module():
    weight = minigrad.tensor([1.0, 2.0, 0.5])
    loss = nn.CrossEntropyLoss(weight=weight, reduction="sum", label_smoothing=0.1)
    logits, target = leaf(random_array(4, 3).astype(np.float32), np.float32), minigrad.tensor([0, 1, 2, 1])
    assert_close(
        loss(logits, target), F.cross_entropy(logits, target, weight, reduction="sum", label_smoothing=0.1)
    )
    assert list(loss.state_dict()) == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"


def test_cross_entropy_out_of_range_targets():
    """An IndexError on the CPU; on a GPU (no host sync per step) the loss becomes NaN instead."""
    logits = leaf(random_array(3, 4))
    for bad, text in (
        ([0, 4, 1], "target 4 is out of bounds for 4 classes"),
        ([0, -1, 1], "target -1 is out"),
    ):
        if logits.device.type == "cpu":
            with pytest.raises(IndexError, match=text):
                F.cross_entropy(logits, minigrad.tensor(bad))
        else:
            assert np.isnan(F.cross_entropy(logits, minigrad.tensor(bad)).item())


def test_cross_entropy_errors():
    logits = leaf(random_array(3, 4))
    with pytest.raises(TypeError, match="integer class indices.*float32"):
        F.cross_entropy(logits, minigrad.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"batch size \(3\) to match target batch size \(2\)"):
        F.cross_entropy(logits, minigrad.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"expected target shape \(3,\)"):
        F.cross_entropy(logits, minigrad.tensor([[0], [1], [2]]))
    with pytest.raises(ValueError, match="reduction must be"):
        F.cross_entropy(logits, minigrad.tensor([0, 1, 2]), reduction="average")
    with pytest.raises(ValueError, match=r"weight must have shape \(4,\)"):
        F.cross_entropy(logits, minigrad.tensor([0, 1, 2]), minigrad.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(logits, minigrad.tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(TypeError, match="floating dtype"):
        F.cross_entropy(minigrad.tensor([[1, 2]]), minigrad.tensor([0]))
    with pytest.raises(TypeError, match="target must be a Tensor"):
        F.cross_entropy(logits, [0, 1, 2])
    with pytest.raises(ValueError, match="class dimension"):
        F.cross_entropy(leaf(1.0), minigrad.tensor(0))


# --- dropout -------------------------------------------------------------------------------------


def test_dropout_is_seeded_and_scales_survivors():
    x = minigrad.ones(200, 50)
    minigrad.manual_seed(3)
    first = F.dropout(x, p=0.3).numpy()
    minigrad.manual_seed(3)
    second = F.dropout(x, p=0.3).numpy()
    np.testing.assert_array_equal(first, second)
    assert set(np.unique(first)) <= {0.0, np.float32(1 / 0.7)}
    assert first.dtype == np.float32
    assert abs((first == 0).mean() - 0.3) < 0.02
    assert not np.array_equal(first, F.dropout(x, p=0.3).numpy())


def test_dropout_gradient_is_the_mask():
    x = leaf(random_array(4, 5))
    minigrad.manual_seed(0)
    out = F.dropout(x, p=0.5)
    out.sum().backward()
    kept = out.detach().numpy() != 0
    assert_close(x.grad.numpy(), kept * 2.0)

    def fixed_mask_dropout(t):
        minigrad.manual_seed(1)
        return F.dropout(t, p=0.4)

    assert gradcheck(fixed_mask_dropout, x)
    assert gradgradcheck(fixed_mask_dropout, x)


def test_dropout_identity_cases():
    x = leaf(random_array(3, 3))
    assert F.dropout(x, p=0.5, training=False) is x
    assert F.dropout(x, p=0.0) is x
    assert_close(F.dropout(x, p=1.0).detach().numpy(), np.zeros((3, 3)))
    layer = nn.Dropout(0.5)
    assert layer.training
    layer.eval()
    assert layer(x) is x
    assert repr(layer) == "Dropout(p=0.5, inplace=False)"


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_bad_p(p):
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(minigrad.ones(2), p=p)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(p)


# --- linear --------------------------------------------------------------------------------------


def test_linear_matches_numpy_and_gradchecks():
    x, w, b = random_array(5, 3, seed=1), random_array(4, 3, seed=2), random_array(4, seed=3)
    assert_close(F.linear(leaf(x), leaf(w), leaf(b)).detach().numpy(), x @ w.T + b, rtol=1e-12, atol=1e-12)
    assert_close(F.linear(leaf(x), leaf(w)).detach().numpy(), x @ w.T, rtol=1e-12, atol=1e-12)
    batched = random_array(2, 5, 3, seed=4)
    assert_close(F.linear(leaf(batched), leaf(w)).detach().numpy(), batched @ w.T, rtol=1e-12, atol=1e-12)
    assert gradcheck(F.linear, (leaf(x), leaf(w), leaf(b)))
    assert gradgradcheck(F.linear, (leaf(x), leaf(w), leaf(b)))
    # leading dimensions: the weight and bias gradients sum over all of them
    assert gradcheck(F.linear, (leaf(batched), leaf(w), leaf(b)))
    assert gradgradcheck(F.linear, (leaf(batched), leaf(w), leaf(b)))


def test_linear_errors():
    x, w = leaf(random_array(5, 3)), leaf(random_array(4, 3))
    with pytest.raises(ValueError, match=r"in_features=3.*input \(5, 2\)"):
        F.linear(leaf(random_array(5, 2)), w)
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\)"):
        F.linear(x, w, leaf(random_array(3)))
    with pytest.raises(ValueError, match="weight must be 2-D"):
        F.linear(x, leaf(random_array(3)))


# --- against PyTorch -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def check_against_torch(torch, minigrad_fn, torch_fn, *arrays, grad=True):
    """Same values and same input gradients (of a fixed random projection) in float64."""
    ours = [leaf(a) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = minigrad_fn(*ours), torch_fn(*theirs)
    assert_close(out.detach().numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-10)
    if grad:
        projection = random_array(*expected.shape, seed=99)
        (out * minigrad.tensor(projection)).sum().backward()
        (expected * torch.tensor(projection)).sum().backward()
        for mine, reference in zip(ours, theirs):
            assert_close(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_family_against_torch(torch, dim):
    x = random_array(3, 4, seed=8) * 5
    tf = torch.nn.functional
    check_against_torch(torch, lambda t: F.softmax(t, dim), lambda t: tf.softmax(t, dim), x)
    check_against_torch(torch, lambda t: F.log_softmax(t, dim), lambda t: tf.log_softmax(t, dim), x)
    huge = x * 1000
    check_against_torch(torch, lambda t: F.log_softmax(t, dim), lambda t: tf.log_softmax(t, dim), huge)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"ignore_index": 2},
        {"label_smoothing": 0.25},
        {"weight": True},
        {"weight": True, "ignore_index": 0, "label_smoothing": 0.1},
    ],
)
@pytest.mark.parametrize("shape", [(6, 4), (4,), (2, 4, 3)])
def test_cross_entropy_against_torch(torch, reduction, options, shape):
    rng = np.random.default_rng(10)
    logits = rng.normal(size=shape) * 3
    target_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    target = rng.integers(0, shape[1 if len(shape) > 1 else 0], size=target_shape)
    classes = shape[1 if len(shape) > 1 else 0]
    weight = rng.uniform(0.5, 2.0, classes) if options.get("weight") else None
    kwargs = {k: v for k, v in options.items() if k != "weight"}
    check_against_torch(
        torch,
        lambda t: F.cross_entropy(
            t,
            minigrad.tensor(target),
            None if weight is None else minigrad.tensor(weight),
            reduction=reduction,
            **kwargs,
        ),
        lambda t: torch.nn.functional.cross_entropy(
            t,
            torch.tensor(target),
            None if weight is None else torch.tensor(weight),
            reduction=reduction,
            **kwargs,
        ),
        logits,
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_against_torch(torch, reduction):
    a, b = random_array(3, 5, seed=11), random_array(3, 5, seed=12)
    check_against_torch(
        torch,
        lambda x, y: F.mse_loss(x, y, reduction=reduction),
        lambda x, y: torch.nn.functional.mse_loss(x, y, reduction=reduction),
        a,
        b,
    )


def test_linear_against_torch(torch):
    x, w, b = random_array(5, 3, seed=1), random_array(4, 3, seed=2), random_array(4, seed=3)
    check_against_torch(torch, F.linear, torch.nn.functional.linear, x, w, b)
