"""Property tests of the elementwise math ops: gradcheck and gradgradcheck on hypothesis-drawn inputs.

The plain n-tensor ops (``log1p``, ``atan2``, ``lerp``...) declare their inputs with
``@op(inputs=n, domain=...)`` and are checked by ``test_ops_whose_declaration_says_their_inputs``;
this module checks their in-place forms, the ops with other arguments (rounding modes, ``eps``,
``decimals``, scalar operands) and lists the ops that have no gradient.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_properties_ops import INPLACE as CORE_INPLACE
from test_properties_ops import check, distinct_tensors, host, op, written_in_place

import minigrad
from minigrad.ops import registry
from minigrad.testing import assert_close
from minigrad.testing import strategies as mst

SMALL = mst.shapes(max_dims=3, max_side=3)
FEW = settings(max_examples=6)
ONCE = settings(max_examples=1)  # the in-place wrapper is generic; the op itself is checked elsewhere

MODULES = ("minigrad.ops.elementwise", "minigrad.ops.math", "minigrad.ops.division")


def _inplace_of_drawn_ops():
    """In-place forms of this area's ``@op(inputs=n)`` ops: n - 1 more tensors, drawn in the op's domain."""
    table = {}
    for name, fn in registry.INPLACE.items():
        if fn in registry.DRAWN and fn.__module__ in MODULES and not name.startswith("__"):
            count, domain = registry.DRAWN[fn]
            table[f"Tensor.{name}"] = (count - 1, (), domain)
    return table


INPLACE = {
    # spelling: (extra tensors drawn like x, other arguments, strategy keywords)
    **_inplace_of_drawn_ops(),
    "Tensor.divide_": (1, (), {"away_from_zero": 0.5}),
    "Tensor.__ipow__": (0, (3,), {}),
    "Tensor.pow_": (0, (2.5,), {"positive": True}),
    "Tensor.remainder_": (0, (1.7,), {}),  # x / 1.7 stays 5e-4 from an integer on the value lattice
    "Tensor.__imod__": (0, (-1.7,), {}),
    "Tensor.fmod_": (0, (1.7,), {}),
    "Tensor.floor_divide_": (0, (1.7,), {}),
    "Tensor.__ifloordiv__": (0, (1.7,), {}),
    "Tensor.sign_": (0, (), {}),
    "Tensor.abs_": (0, (), {}),
}
for _name in CORE_INPLACE:  # checked in test_properties_ops
    INPLACE.pop(_name, None)


@ONCE
@pytest.mark.parametrize("name", INPLACE)
@given(data=st.data())
def test_inplace_forms(name, data):
    """``y.op_(...)`` on ``y = x * 1`` equals ``op(y, ...)`` and differentiates like it."""
    count, args, domain = INPLACE[name]
    shape = data.draw(SMALL)
    x, *values = data.draw(distinct_tensors([shape] * (1 + count), **domain))
    out_of_place = op(f"Tensor.{name.split('.')[1].strip('_')}") if "__i" not in name else None
    if out_of_place is not None:
        assert_close(written_in_place(name, *args)(x, *values), out_of_place(x, *values, *args) * x)
    check(written_in_place(name, *args), x, *values)


def _off_integers(ratio):
    """Quotients at least 1e-3 from an integer: rounded division jumps there."""
    return bool((np.abs(ratio - np.round(ratio)) > 1e-3).all())


DIVISIONS = {
    "minigrad.remainder": lambda a, b: a - b * np.floor(a / b),
    "minigrad.fmod": np.fmod,
    "minigrad.floor_divide": lambda a, b: np.floor(a / b),
    "Tensor.__rmod__": lambda a, b: b - a * np.floor(b / a),
    "Tensor.__rfloordiv__": lambda a, b: np.floor(b / a),
    "minigrad.div (floor)": lambda a, b: np.floor(a / b),
    "minigrad.div (trunc)": lambda a, b: np.trunc(a / b),
}


@FEW
@pytest.mark.parametrize("name", DIVISIONS)
@given(data=st.data())
def test_rounded_division_and_remainders(name, data):
    """Tensor and scalar operands; the remainders' divisor gradient is -floor(a / b) (or -trunc)."""
    shapes = data.draw(mst.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    a, b = data.draw(distinct_tensors(shapes.input_shapes, away_from_zero=0.5, min_value=-5.0, max_value=5.0))
    assume(_off_integers(host(a) / host(b)) and _off_integers(host(b) / host(a)))
    mode = name.split("(")[1].rstrip(")") if "(" in name else None
    func = op(name) if mode is None else (lambda p, q: minigrad.div(p, q, rounding_mode=mode))
    assert_close(func(a, b), DIVISIONS[name](host(a), host(b)))
    check(func, a, b)
    assume(_off_integers(host(a) / 1.7) and _off_integers(1.7 / host(a)))
    check(lambda p: func(p, 1.7), a)


@FEW
@given(x=mst.tensors(SMALL, min_value=-3.0, max_value=3.0), decimals=st.sampled_from([-1, 1, 2]))
def test_round_with_decimals(x, decimals):
    assert_close(minigrad.round(x, decimals=decimals), np.round(host(x), decimals))
    check(lambda t: t.round(decimals=decimals), x)


@FEW
@given(x=mst.tensors(SMALL, min_value=-0.5, max_value=1.5), eps=st.sampled_from([0.1, 0.25]))
def test_logit_with_eps(x, eps):
    """Clamped to [eps, 1 - eps] first: the gradient is 0 outside (the bounds stay off the lattice)."""
    p = np.clip(host(x), eps, 1 - eps)
    assert_close(minigrad.logit(x, eps=eps), np.log(p / (1 - p)))
    check(lambda t: minigrad.logit(t, eps), x)


@FEW
@given(data=st.data(), weight=st.sampled_from([0.0, 0.25, 0.5, 0.9, 1.0, 1.5]))
def test_lerp_with_a_scalar_weight(data, weight):
    shapes = data.draw(mst.mutually_broadcastable_shapes(2, max_dims=3, max_side=3))
    a, b = data.draw(distinct_tensors(shapes.input_shapes))
    assert_close(minigrad.lerp(a, b, weight), host(a) + weight * (host(b) - host(a)))
    check(lambda p, q: p.lerp(q, weight), a, b)


@FEW
@given(data=st.data(), value=st.sampled_from([1, -0.5, 2.0]))
def test_addcmul_and_addcdiv_with_value(data, value):
    shapes = data.draw(mst.mutually_broadcastable_shapes(3, max_dims=3, max_side=3))
    a, b, c = data.draw(distinct_tensors(shapes.input_shapes, away_from_zero=0.5))
    assert_close(minigrad.addcmul(a, b, c, value=value), host(a) + value * host(b) * host(c))
    assert_close(minigrad.addcdiv(a, b, c, value=value), host(a) + value * host(b) / host(c))
    check(lambda p, q, r: minigrad.addcmul(p, q, r, value=value), a, b, c)
    check(lambda p, q, r: p.addcdiv(q, r, value=value), a, b, c)


SCALAR_OPERANDS = {
    # spelling: (called as op(tensor, scalar) and, where PyTorch allows it, op(scalar, tensor); strategy)
    "minigrad.xlogy": (
        lambda t, c: minigrad.xlogy(t, c),
        lambda t, c: minigrad.xlogy(c, t),
        {"positive": True},
    ),
    "minigrad.copysign": (lambda t, c: minigrad.copysign(t, c), None, {}),
    "minigrad.clamp_min": (lambda t, c: minigrad.clamp_min(t, c), None, {}),
    "minigrad.clamp_max": (lambda t, c: t.clamp_max(c), None, {}),
    "minigrad.pow": (lambda t, c: minigrad.pow(t, c), lambda t, c: minigrad.pow(c, t), {"positive": True}),
}


@FEW
@pytest.mark.parametrize("name", SCALAR_OPERANDS)
@given(data=st.data(), c=st.sampled_from([-1.05, 0.55, 2.05]))
def test_ops_with_a_scalar_operand(name, data, c):
    forward, reflected, domain = SCALAR_OPERANDS[name]
    x = data.draw(mst.tensors(SMALL, max_value=3.0, **domain))
    c = abs(c) if domain else c  # a positive base or logarithm argument where the op needs one
    check(lambda t: forward(t, c), x)
    if reflected is not None:
        check(lambda t: reflected(t, c), x)


@FEW
@given(x=mst.tensors(SMALL))
def test_type_with_a_dtype_or_a_name(x):
    """A float64 tensor cast to float64 by dtype or by PyTorch's type name: identity nodes."""
    name = x.type()
    assert name == ("torch.cuda.DoubleTensor" if x.is_cuda else "torch.DoubleTensor")
    check(lambda t: t.type(minigrad.float64), x)
    check(lambda t: t.type(name), x)


# --- every op of this area has an entry ------------------------------------------------------

TABLES = [INPLACE, DIVISIONS, SCALAR_OPERANDS]

CHECKED_BY = {
    "minigrad.div": test_rounded_division_and_remainders,
    "minigrad.round": test_round_with_decimals,
    "minigrad.logit": test_logit_with_eps,
    "minigrad.lerp": test_lerp_with_a_scalar_weight,
    "minigrad.addcmul": test_addcmul_and_addcdiv_with_value,
    "minigrad.addcdiv": test_addcmul_and_addcdiv_with_value,
    "Tensor.type": test_type_with_a_dtype_or_a_name,
}

_BOOL_RESULT = "a bool result"
NOT_DIFFERENTIABLE = {
    **{
        f"minigrad.{name}": _BOOL_RESULT
        for name in ("eq ne lt le gt ge isclose isnan isinf isfinite isposinf isneginf").split()
        + ["logical_and", "logical_or", "logical_xor", "logical_not"]
    },
    **{
        f"Tensor.{name}_": "writes a comparison's 1s and 0s: piecewise constant"
        for name in "eq ne lt le gt ge not_equal less less_equal greater greater_equal".split()
        + ["logical_and", "logical_or", "logical_xor", "logical_not"]
    },
    "minigrad.allclose": "a Python bool",
    "minigrad.equal": "a Python bool",
    **{
        f"minigrad.{name}": "bitwise ops take bool and integer tensors only"
        for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not")
    },
    **{
        f"Tensor.{name}": "bitwise ops take bool and integer tensors only"
        for name in "bitwise_and_ bitwise_or_ bitwise_xor_ bitwise_not_ __iand__ __ior__ __ixor__".split()
        + ["__rand__", "__ror__", "__rxor__", "__invert__"]
    },
    **{f"Tensor.{name}": "an integer cast" for name in ("int", "short", "char", "byte")},
    "Tensor.half": "a float16 result, where central differences are noise; the cast's backward is "
    "Tensor.float's and Tensor.double's",
}
