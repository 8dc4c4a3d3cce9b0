"""NaN, ties and boundaries as PyTorch: values and gradients of clamp, relu, abs, sign, max/min, pow.

Each case is a function of the library (``minigrad`` or ``torch``): checked against a worked
example, and against PyTorch when it is installed.
"""

import math

import pytest

import minigrad

NAN = math.nan


def grad_of(lib, fn, values, *others):
    """``fn``'s value and the gradient of its sum with respect to each input."""
    inputs = [lib.tensor(v, requires_grad=True) for v in (values, *others)]
    out = fn(*inputs)
    out.sum().backward()
    return [out.tolist(), *[t.grad.tolist() for t in inputs]]


CASES = {
    "clamp keeps NaN, passes the gradient at the bounds": (
        lambda lib: grad_of(lib, lambda x: x.clamp(0.0, 1.0), [NAN, 1.0, 0.0, -1.0, 0.5, 2.0]),
        [[NAN, 1.0, 0.0, 0.0, 0.5, 1.0], [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]],
    ),
    "clamp with tensor bounds sends the gradient to the bound taken": (
        lambda lib: grad_of(
            lib,
            lambda x, lo, hi: x.clamp(lo, hi),
            [0.0, 1.0, 2.0, 3.0],
            [1.0, 1.0, 1.0, 1.0],
            [2.0, 2.0, 2.0, 0.5],
        ),
        [[1.0, 1.0, 2.0, 0.5], [0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
    ),
    "clamp with crossed bounds gives the maximum": (
        lambda lib: grad_of(lib, lambda x, lo, hi: x.clamp(lo, hi), [0.0, 5.0], [3.0, 3.0], [1.0, 1.0]),
        [[1.0, 1.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0]],
    ),
    "relu passes the gradient at NaN, not at 0": (
        lambda lib: grad_of(lib, lambda x: x.relu(), [NAN, 1.0, 0.0, -1.0]),
        [[NAN, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]],
    ),
    "abs has gradient 0 at 0 and at NaN": (
        lambda lib: grad_of(lib, lambda x: x.abs(), [NAN, 1.0, 0.0, -1.0]),
        [[NAN, 1.0, 0.0, 1.0], [0.0, 1.0, 0.0, -1.0]],
    ),
    "sign is 0 at NaN, with gradient 0": (
        lambda lib: grad_of(lib, lambda x: x.sign(), [NAN, 2.0, 0.0, -3.0]),
        [[0.0, 1.0, 0.0, -1.0], [0.0, 0.0, 0.0, 0.0]],
    ),
    "max shares the gradient between tied maxima": (
        lambda lib: grad_of(lib, lambda x: x.max(), [2.0, 1.0, 2.0, -1.0]),
        [2.0, [0.5, 0.0, 0.5, 0.0]],
    ),
    "min of a NaN sends the gradient to the NaN": (
        lambda lib: grad_of(lib, lambda x: x.min(), [NAN, 1.0, 1.0, -1.0]),
        [NAN, [1.0, 0.0, 0.0, 0.0]],
    ),
    "amax shares ties and gives NaN gradients at NaN": (
        lambda lib: grad_of(lib, lambda x: x.amax(1), [[2.0, 1.0, 2.0], [NAN, 0.0, 1.0]]),
        [[2.0, NAN], [[0.5, 0.0, 0.5], [NAN, NAN, NAN]]],
    ),
    "max over a dim picks the first tie and the NaN": (
        lambda lib: grad_of(lib, lambda x: x.max(1).values, [[2.0, 1.0, 2.0], [0.0, NAN, NAN]]),
        [[2.0, NAN], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]],
    ),
    "maximum halves ties and passes NaN to both": (
        lambda lib: grad_of(lib, lib.maximum, [NAN, 1.0, 2.0, 3.0], [1.0, NAN, 2.0, 1.0]),
        [[NAN, NAN, 2.0, 3.0], [1.0, 1.0, 0.5, 1.0], [1.0, 1.0, 0.5, 0.0]],
    ),
    "minimum halves ties and passes NaN to both": (
        lambda lib: grad_of(lib, lib.minimum, [NAN, 1.0, 2.0, 3.0], [1.0, NAN, 2.0, 1.0]),
        [[NAN, NAN, 2.0, 1.0], [1.0, 1.0, 0.5, 0.0], [1.0, 1.0, 0.5, 1.0]],
    ),
    "0 ** 0 is 1, with gradient 0 for the base and the exponent": (
        lambda lib: grad_of(lib, lambda x, p: x**p, [0.0, NAN, 2.0], [0.0, 0.0, 0.0]),
        [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.0, NAN, math.log(2.0)]],
    ),
    "x ** 0 has gradient 0 everywhere": (
        lambda lib: grad_of(lib, lambda x: x**0, [0.0, NAN, 2.0]),
        [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]],
    ),
    "1 ** p has gradient 0 for p": (
        lambda lib: grad_of(lib, lambda p: 1.0**p, [NAN, 2.0]),
        [[1.0, 1.0], [0.0, 0.0]],
    ),
}


def _flat(values):
    out = []
    for v in values:
        out.extend(_flat(v) if isinstance(v, list) else [float(v)])
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients(name):
    case, expected = CASES[name]
    assert _flat(case(minigrad)) == pytest.approx(_flat(expected), nan_ok=True)


def test_ints_beyond_int64_overflow_as_in_pytorch():
    for value in (2**63, [1, 2**63], -(2**63) - 1, 2**64):
        with pytest.raises(ValueError, match="Overflow when unpacking long"):
            minigrad.tensor(value)
    assert minigrad.tensor(2**63, dtype=minigrad.float64).item() == 2.0**63
    assert minigrad.tensor(2**63 - 1).item() == 2**63 - 1
    with pytest.raises(RuntimeError, match="value cannot be converted to type uint8 without overflow"):
        minigrad.tensor([1, 300], dtype=minigrad.uint8)


def test_float16_means_and_variances_accumulate_in_float32():
    ones = minigrad.ones(70_000, dtype=minigrad.float16, requires_grad=True)
    mean = ones.mean()
    assert mean.dtype == minigrad.float16 and mean.item() == 1.0
    mean.backward()
    assert (
        ones.grad.dtype == minigrad.float16
        and ones.grad.tolist()[:2] == [pytest.approx(1 / 70_000, rel=1e-2)] * 2
    )
    signs = minigrad.tensor([1.0, -1.0] * 35_000, dtype=minigrad.float16)
    assert signs.var().dtype == minigrad.float16 and signs.var().item() == 1.0 and signs.std().item() == 1.0
    assert signs.mean().item() == 0.0
    assert minigrad.ones(4, 70_000, dtype=minigrad.float16).mean(1).tolist() == [1.0] * 4


# ---- against PyTorch ----------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_agree_with_pytorch(torch, name):
    case, _ = CASES[name]
    assert _flat(case(minigrad)) == pytest.approx(_flat(case(torch)), nan_ok=True)


@pytest.mark.torch
def test_overflow_and_float16_agree_with_pytorch(torch):
    for lib in (minigrad, torch):
        with pytest.raises(ValueError, match="Overflow when unpacking long"):
            lib.tensor(2**63)
    for values in ([1.0] * 70_000, [1.0, -1.0] * 35_000, [0.1, 3.0, -7.0] * 30_000):
        ours, theirs = (
            minigrad.tensor(values, dtype=minigrad.float16),
            torch.tensor(values, dtype=torch.float16),
        )
        for method in ("mean", "var", "std"):
            assert getattr(ours, method)().item() == pytest.approx(getattr(theirs, method)().item(), rel=1e-3)
