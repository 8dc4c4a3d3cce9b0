"""gradcheck and gradgradcheck: they pass correct gradients and catch wrong ones."""

import inspect
import warnings

import numpy as np
import pytest

import minigrad
from minigrad.autograd import Function, gradcheck, gradgradcheck
from minigrad.autograd.gradcheck import _SEED, FULL_JACOBIAN_MAX_NUMEL, GradcheckError, _unit
from minigrad.tensor import Tensor


def leaf(values, dtype=np.float64):
    return minigrad.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def random_leaf(*shape, seed=0):
    return leaf(np.random.default_rng(seed).uniform(-2.0, 2.0, shape))


# --- custom Functions with deliberately wrong derivatives --------------------------------


class Square(Function):
    """x**2; the subclasses below get its backward wrong, each in its own way."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return Tensor(x.array * x.array)


class WrongSquare(Square):
    """x**2 whose backward forgets the factor 2."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


class WrongDouble(Function):
    """2x whose backward says 3."""

    @staticmethod
    def forward(ctx, x):
        return Tensor(2 * x.array)

    @staticmethod
    def backward(ctx, grad):
        return grad * 3


class SquareWithWrongSecondDerivative(Square):
    """x**2 with the right gradient 2x, computed by a Function whose own backward is wrong."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * WrongDouble.apply(x)


class SquareWithConstantGradient(Square):
    """x**2 whose gradient 2x is built outside the graph, so it has no second derivative."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * Tensor(2 * x.array)


class NoisySquare(Square):
    """x**2 whose backward adds a tiny, different error on every call."""

    calls = 0

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        NoisySquare.calls += 1
        return grad * x * 2 + 1e-9 * NoisySquare.calls


class ScaledSquare(Square):
    """x**2 whose backward returns ``scale`` times the true gradient 2x."""

    scale = 1.0

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x * (2 * ScaledSquare.scale)


class SquareDetachingItsGradient(Square):
    """x**2 with the right gradient, but the incoming gradient is detached: no second derivative
    with respect to grad_output."""

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad.detach() * 2 * x


class NoisyInOneElement(Square):
    """x**2 whose backward adds a different error on every call, to the first element only."""

    calls = 0

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        NoisyInOneElement.calls += 1
        noise = np.zeros(x.shape)
        noise.reshape(-1)[0] = 1e-9 * NoisyInOneElement.calls
        return grad * x * 2 + minigrad.tensor(noise)


class TripleWithError(Function):
    """3x whose backward says 3 + ``error``."""

    error = 0.0

    @staticmethod
    def forward(ctx, x):
        return Tensor(3 * x.array)

    @staticmethod
    def backward(ctx, grad):
        return grad * (3 + TripleWithError.error)


# --- correct gradients pass ------------------------------------------------------------


@pytest.mark.parametrize(
    "func, shapes",
    [
        (lambda a, b: a * b + a, [(2, 3), (2, 3)]),
        (lambda a, b: a @ b, [(2, 3), (3, 4)]),
        (lambda a: (a * a).sum(), [(3,)]),
        (lambda a, b: (a + b, a * b), [(2, 2), (2,)]),
        (lambda a: a.tanh().exp().mean(dim=0), [(3, 2)]),
    ],
)
def test_correct_gradients_pass(func, shapes):
    inputs = tuple(random_leaf(*s, seed=k) for k, s in enumerate(shapes))
    assert gradcheck(func, inputs)
    assert gradgradcheck(func, inputs)


def test_a_single_tensor_input_and_non_tensor_arguments():
    x = random_leaf(3)
    assert gradcheck(lambda t: t * t, x)
    assert gradcheck(lambda t, k, name: t * k, (x, 3.0, "scale"))
    assert gradgradcheck(lambda t, k: t**k, (x, 3))


def test_zero_dim_transposed_and_integer_valued_cases():
    assert gradcheck(lambda t: t.exp(), leaf(1.5))
    assert gradcheck(lambda t: t * t, random_leaf(2, 3).T)  # a non-contiguous, non-leaf input
    assert gradcheck(lambda t: (t * 2, t.argmax()), random_leaf(4))  # integer outputs are skipped


def test_inputs_without_requires_grad_are_passed_not_checked():
    x, c = random_leaf(3), minigrad.tensor(np.arange(3.0))
    assert gradcheck(lambda a, b: a * b, (x, c))


def test_the_check_leaves_inputs_unchanged():
    x = random_leaf(2, 2)
    before = x.detach().numpy().copy()
    gradcheck(lambda t: (t**3).sum(), x)
    gradgradcheck(lambda t: (t**3).sum(), x)
    assert np.array_equal(x.detach().numpy(), before)
    assert x.grad is None


# --- wrong gradients fail --------------------------------------------------------------


def test_a_wrong_backward_fails_gradcheck_with_both_jacobians():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongSquare.apply, x)
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert "Jacobian mismatch for output 0 with respect to input 0" in message
    side_by_side = (
        "numerical:      analytical:\n"
        "[[2. 0. 0.]     [[1. 0. 0.]\n"
        " [0. 4. 0.]      [0. 2. 0.]\n"
        " [0. 0. 6.]]     [0. 0. 3.]]"
    )
    assert side_by_side in message
    assert "largest difference 3 at row 2, column 2" in message
    assert "output element (2,), input element (2,)" in message


def test_raise_exception_false_returns_false():
    x = leaf([1.0, 2.0])
    assert gradcheck(WrongSquare.apply, x, raise_exception=False) is False
    assert gradgradcheck(SquareWithWrongSecondDerivative.apply, x, raise_exception=False) is False


def test_the_mismatch_names_the_input_and_output():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    with pytest.raises(GradcheckError, match="output 1 with respect to input 1"):
        gradcheck(lambda a, b: (a * b, WrongSquare.apply(b)), (x, y))


def test_a_wrong_second_derivative_passes_gradcheck_and_fails_gradgradcheck():
    x = leaf([0.5, -1.5, 2.0])
    assert gradcheck(SquareWithWrongSecondDerivative.apply, x)
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradgradcheck(SquareWithWrongSecondDerivative.apply, x)


def test_a_wrong_backward_fails_gradgradcheck_where_it_is_differentiated_again():
    # The gradient of WrongSquare(WrongSquare(x)) is built through WrongSquare's backward, so
    # its own derivative is wrong. (A gradient that uses the wrong rule only once is a correct
    # derivative of a wrong function: gradgradcheck cannot see that, gradcheck does.)
    x = leaf([0.5, -1.5])
    assert not gradgradcheck(lambda t: WrongSquare.apply(WrongSquare.apply(t)), x, raise_exception=False)


def test_a_gradient_outside_the_graph_is_reported_as_missing():
    x = leaf([0.5, -1.5, 2.0])
    assert gradcheck(SquareWithConstantGradient.apply, x)
    with pytest.raises(GradcheckError, match=r"no gradient \(None\) for input 0"):
        gradgradcheck(SquareWithConstantGradient.apply, x)


def test_an_output_detached_from_an_input_that_it_depends_on_fails():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    with pytest.raises(GradcheckError, match=r"no gradient \(None\) for input 1"):
        gradcheck(lambda a, b: a * b.detach(), (x, y))
    with pytest.raises(GradcheckError, match="output 0 with respect to input 0"):
        gradcheck(lambda a: a.detach() * 2, x)


def test_a_nondeterministic_backward_is_not_reentrant():
    x = leaf([1.0, 2.0])
    with pytest.raises(GradcheckError, match="not reentrant"):
        gradcheck(NoisySquare.apply, x)
    assert gradcheck(NoisySquare.apply, x, nondet_tol=1e-6)


def test_outputs_whose_shape_changes_under_perturbation_are_an_error():
    x = leaf([0.5, 2.0])

    def jumpy(t):
        return t[:1] if t.detach().numpy()[0] > 0.5 else t

    with pytest.raises(GradcheckError, match="shapes changed"):
        gradcheck(jumpy, x)


# --- modes, precision and bad arguments ------------------------------------------------


def test_float32_inputs_warn_and_are_checked_in_float64():
    x = leaf([1.0, 2.0], dtype=np.float32)
    with pytest.warns(UserWarning, match="input 0 is float32.*float64"):
        assert gradcheck(lambda t: t.exp(), x)
    assert x.dtype == np.float32


def test_float64_inputs_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda t: t.exp(), leaf([1.0, 2.0]))


def test_fast_mode_passes_correct_and_catches_wrong_gradients():
    x = random_leaf(4, 5)
    assert gradcheck(lambda t: (t * t).tanh(), x, fast_mode=True)
    assert gradgradcheck(lambda t: (t * t).tanh(), x, fast_mode=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongSquare.apply, x, fast_mode=True)
    message = str(info.value)
    assert "Jacobian mismatch for output 0 with respect to input 0" in message
    assert "fast mode" in message and "numerical:" in message


@pytest.mark.parametrize("scale", [1.01, 0.99, -1.0])
@pytest.mark.parametrize("fast_mode", [True, False])
def test_a_gradient_one_percent_off_or_with_its_sign_flipped_fails(scale, fast_mode, monkeypatch):
    x = random_leaf(4, 5)
    assert gradcheck(ScaledSquare.apply, x, fast_mode=fast_mode)
    monkeypatch.setattr(ScaledSquare, "scale", scale)
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(ScaledSquare.apply, x, fast_mode=fast_mode)


def test_a_backward_that_detaches_its_incoming_gradient_fails_gradgradcheck():
    x = leaf([0.5, -1.5, 2.0])
    assert gradcheck(SquareDetachingItsGradient.apply, x)
    with pytest.raises(GradcheckError, match=r"no gradient \(None\) for input 1"):
        gradgradcheck(SquareDetachingItsGradient.apply, x)  # input 1: the grad_output
    for fast in (True, False):
        assert not gradgradcheck(SquareDetachingItsGradient.apply, x, fast_mode=fast, raise_exception=False)


def test_a_backward_nondeterministic_in_one_element_is_not_reentrant():
    with pytest.raises(GradcheckError, match="not reentrant"):
        gradcheck(NoisyInOneElement.apply, leaf([1.0, 2.0, 3.0]))


def test_an_input_that_the_outputs_ignore_passes_in_both_modes():
    x, unused = random_leaf(3), random_leaf(2, seed=1)
    for fast in (False, True):
        assert gradcheck(lambda a, b: a * 2, (x, unused), fast_mode=fast)


def test_an_output_without_a_graph_is_reported_for_every_input():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    with pytest.raises(GradcheckError, match=r"output 1 with respect to input 0,[\s\S]*no gradient \(None\)"):
        gradcheck(lambda a, b: (a * b, a.detach() * 2), (x, y))


def test_the_full_jacobian_is_used_up_to_its_limit_on_inputs_and_outputs():
    def message(func, x):
        with pytest.raises(GradcheckError) as info:
            gradcheck(func, x)
        return str(info.value)

    assert "fast mode" not in message(WrongSquare.apply, random_leaf(FULL_JACOBIAN_MAX_NUMEL))
    assert "fast mode" in message(
        lambda t: WrongSquare.apply(t).sum(), random_leaf(FULL_JACOBIAN_MAX_NUMEL + 1)
    )


def test_gradgradcheck_has_gradchecks_defaults_which_are_pytorchs():
    pytorchs = {"eps": 1e-6, "atol": 1e-5, "rtol": 1e-3, "raise_exception": True, "nondet_tol": 0.0}
    for check in (gradcheck, gradgradcheck):
        defaults = inspect.signature(check).parameters
        assert {name: defaults[name].default for name in pytorchs} == pytorchs, check.__name__
        assert check(lambda t: t**3, leaf([0.5, 2.0]))  # and they are the ones in use


@pytest.mark.parametrize("atol, rtol", [(1e-5, 0.0), (0.0, 0.1)])
def test_fast_mode_tolerances_are_pytorchs(atol, rtol, monkeypatch):
    """|v^T (J_num - J_ana) u| <= atol sum(u) sum(v) + rtol |v^T J_ana u|, for PyTorch's seeded
    positive unit vectors u and v; an error 10% inside the bound passes, 10% outside fails."""
    x = random_leaf(3, 4)
    rng = np.random.default_rng(_SEED)
    u, v = _unit(rng, x.numel()), _unit(rng, x.numel())
    for scale, passes in ((0.9, True), (1.1, False)):
        if rtol:  # error e: e <= rtol (3 + e), so at most 3 rtol / (1 - rtol)
            error = scale * 3 * rtol / (1 - rtol)
        else:  # error e: e (v . u) <= atol sum(u) sum(v)
            error = scale * atol * u.sum() * v.sum() / (v @ u)
        monkeypatch.setattr(TripleWithError, "error", error)
        assert (
            gradcheck(TripleWithError.apply, x, atol=atol, rtol=rtol, fast_mode=True, raise_exception=False)
            is passes
        )


def test_fast_and_full_mode_agree_on_a_disconnected_input():
    x, y = random_leaf(3), random_leaf(3, seed=1)
    for fast in (False, True):
        assert not gradcheck(lambda a, b: a * b.detach(), (x, y), fast_mode=fast, raise_exception=False)


def test_large_inputs_use_the_random_projection_by_default():
    x = random_leaf(FULL_JACOBIAN_MAX_NUMEL + 1)
    with pytest.raises(GradcheckError, match="fast mode"):
        gradcheck(WrongSquare.apply, x)
    assert gradcheck(lambda t: t.sigmoid() * t, x)


def test_tolerances_are_respected():
    x = leaf([1.0, 2.0])
    # WrongSquare's analytical gradient x is off by |x| from 2x: within rtol=1.5 of it.
    assert gradcheck(WrongSquare.apply, x, rtol=1.5)
    assert gradcheck(WrongSquare.apply, x, atol=2.5, rtol=0.0)
    assert not gradcheck(WrongSquare.apply, x, atol=1.5, rtol=0.0, raise_exception=False)


def test_no_input_requiring_grad_is_a_value_error():
    with pytest.raises(ValueError, match="requires_grad"):
        gradcheck(lambda t: t * 2, minigrad.tensor([1.0, 2.0]))


def test_func_must_return_tensors():
    with pytest.raises(TypeError, match="Tensor or a tuple of Tensors"):
        gradcheck(lambda t: 3.0, leaf([1.0]))


def test_gradgradcheck_accepts_given_grad_outputs():
    x = random_leaf(2, 3)
    go = minigrad.tensor(np.ones((2, 3)), requires_grad=True)
    assert gradgradcheck(lambda t: t**3, x, grad_outputs=go)
    assert gradgradcheck(lambda t: t**3, x, grad_outputs=(minigrad.tensor(np.ones((2, 3))),))


def test_gradcheck_on_a_device_tensor():
    standin = pytest.importorskip("minigrad.testing.standin")
    with standin.use_standin():
        x = minigrad.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True, device="cuda")
        w = minigrad.tensor(np.array([1.5, 2.0, -0.5]), device="cuda")
        assert x.device == "cuda"
        assert gradcheck(lambda t: (t * w).tanh(), x)
        assert gradgradcheck(lambda t: (t * w).tanh(), x)
        assert gradcheck(lambda t: (t * w).tanh(), x, fast_mode=True)
        assert not gradcheck(WrongSquare.apply, x, raise_exception=False)
