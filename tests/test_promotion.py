"""Dtype promotion is PyTorch's: the expected tables are written out here, and checked against PyTorch.

Operands are tensors with dimensions ("dim"), 0-d tensors ("zero") and Python scalars
("scalar"). Two operands of the same kind promote by ``PROMOTE``; a 0-d tensor or a scalar only
decides when it is of a higher category (bool < integer < floating) than the other operand
(``WITH_ZERO_DIM``, ``WITH_SCALAR``). NumPy's rules differ (float16 with int32 is float64 there).
"""

import functools
import itertools

import numpy as np
import pytest

import minigrad

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SHORT = dict(zip(["b", "u8", "i8", "i16", "i32", "i64", "f16", "f32", "f64"], NAMES))
SCALARS = {"bool": True, "int": 2, "float": 2.5}


def _table(text, columns):
    rows = [line.split() for line in text.strip().splitlines()]
    return {(row[0], col): SHORT[cell] for row in rows for col, cell in zip(columns, row[1:])}


# promote_types(row, column): two tensors with dimensions, or two 0-d tensors
PROMOTE = _table(
    """
    bool     b    u8   i8   i16  i32  i64  f16  f32  f64
    uint8    u8   u8   i16  i16  i32  i64  f16  f32  f64
    int8     i8   i16  i8   i16  i32  i64  f16  f32  f64
    int16    i16  i16  i16  i16  i32  i64  f16  f32  f64
    int32    i32  i32  i32  i32  i32  i64  f16  f32  f64
    int64    i64  i64  i64  i64  i64  i64  f16  f32  f64
    float16  f16  f16  f16  f16  f16  f16  f16  f32  f64
    float32  f32  f32  f32  f32  f32  f32  f32  f32  f64
    float64  f64  f64  f64  f64  f64  f64  f64  f64  f64
    """,
    NAMES,
)

# a tensor with dimensions (row) with a 0-d tensor (column)
WITH_ZERO_DIM = _table(
    """
    bool     b    u8   i8   i16  i32  i64  f16  f32  f64
    uint8    u8   u8   u8   u8   u8   u8   f16  f32  f64
    int8     i8   i8   i8   i8   i8   i8   f16  f32  f64
    int16    i16  i16  i16  i16  i16  i16  f16  f32  f64
    int32    i32  i32  i32  i32  i32  i32  f16  f32  f64
    int64    i64  i64  i64  i64  i64  i64  f16  f32  f64
    float16  f16  f16  f16  f16  f16  f16  f16  f16  f16
    float32  f32  f32  f32  f32  f32  f32  f32  f32  f32
    float64  f64  f64  f64  f64  f64  f64  f64  f64  f64
    """,
    NAMES,
)

# a tensor (row, with dimensions or 0-d) with a Python scalar (column)
WITH_SCALAR = _table(
    """
    bool     b    i64  f32
    uint8    u8   u8   f32
    int8     i8   i8   f32
    int16    i16  i16  f32
    int32    i32  i32  f32
    int64    i64  i64  f32
    float16  f16  f16  f16
    float32  f32  f32  f32
    float64  f64  f64  f64
    """,
    list(SCALARS),
)

KINDS = [
    ("dim", "dim"),
    ("dim", "zero"),
    ("zero", "dim"),
    ("zero", "zero"),
    ("dim", "scalar"),
    ("scalar", "dim"),
]
KINDS += [("zero", "scalar"), ("scalar", "zero")]


def expected_dtype(left, right):
    """The promoted dtype of two operands given as (kind, dtype name or scalar name)."""
    (lk, ld), (rk, rd) = left, right
    if lk == rk:
        return PROMOTE[ld, rd]
    if "scalar" in (lk, rk):
        return WITH_SCALAR[(ld, rd) if rk == "scalar" else (rd, ld)]
    return WITH_ZERO_DIM[(ld, rd) if lk == "dim" else (rd, ld)]


def pairs(kinds):
    """Every pair of operands of the two kinds, as (kind, dtype or scalar name)."""
    names = [list(SCALARS) if kind == "scalar" else NAMES for kind in kinds]
    return [((kinds[0], a), (kinds[1], b)) for a, b in itertools.product(*names)]


def operand(lib, kind, name):
    """A value of the kind: a (2,) tensor, a 0-d tensor or a Python scalar, in minigrad or torch."""
    if kind == "scalar":
        return SCALARS[name]
    dtype = getattr(lib, name) if name != "bool" else (lib.bool_ if lib is minigrad else lib.bool)
    values = [True, True] if name == "bool" else [1, 2]
    return lib.tensor(values if kind == "dim" else values[0], dtype=dtype)


def is_integral(name):
    return name in NAMES[:6]


def bool_operand(side):
    return side[1] == "bool"


OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
}


def expected(op, left, right):
    """PyTorch's result dtype name for ``op`` on two operands, or the exception it raises."""
    dtype = expected_dtype(left, right)
    if op == "sub" and (bool_operand(left) or bool_operand(right)):
        return "RuntimeError"
    if op == "div" and is_integral(dtype):
        return "float32"
    if op == "pow" and bool_operand(left) and bool_operand(right) and right[0] != "scalar":
        return "NotImplementedError"  # bool ** bool is not implemented, unless the exponent is a Python bool
    return dtype


def outcome(fn):
    try:
        return np.dtype(str(fn().dtype).replace("torch.", "")).name
    except (RuntimeError, NotImplementedError, TypeError) as err:
        return type(err).__name__


def check_table(compute, expect, cases):
    wrong = [(left, right, compute(left, right), expect(left, right)) for left, right in cases]
    wrong = [w for w in wrong if w[2] != w[3]]
    assert not wrong, f"{len(wrong)} mismatches (left, right, got, expected), e.g. {wrong[:6]}"


def run(lib, fn):
    def compute(left, right):
        return outcome(lambda: fn(operand(lib, *left), operand(lib, *right)))

    return compute


@pytest.mark.parametrize("kinds", KINDS, ids="-".join)
@pytest.mark.parametrize("op", list(OPS))
def test_arithmetic_promotes_like_the_table(op, kinds):
    check_table(run(minigrad, OPS[op]), lambda a, b: expected(op, a, b), pairs(kinds))


@pytest.mark.parametrize("kinds", KINDS, ids="-".join)
def test_comparisons_give_bool_and_compare_in_the_promoted_dtype(kinds):
    for op in (lambda a, b: a == b, lambda a, b: a < b, lambda a, b: a >= b):
        check_table(run(minigrad, op), lambda a, b: "bool", pairs(kinds))
    uint8 = minigrad.tensor([0, 200], dtype=minigrad.uint8)
    assert (uint8 > -1).tolist() == [False, False]  # -1 is 255 in uint8, as in PyTorch
    assert (minigrad.tensor([2, 3]) == 2.5).tolist() == [False, False]
    assert (
        minigrad.tensor([1], dtype=minigrad.float16) < minigrad.tensor([1.0001], dtype=minigrad.float64)
    ).item()


@pytest.mark.parametrize("kinds", KINDS, ids="-".join)
def test_where_promotes_its_two_values(kinds):
    def where(a, b):
        condition = minigrad.tensor([True, False])
        return minigrad.where(condition, a, b)

    check_table(run(minigrad, where), expected_dtype, pairs(kinds))


def test_where_of_two_scalars():
    condition = minigrad.tensor([True, False])
    assert minigrad.where(condition, 1, 0).dtype == np.int64
    assert minigrad.where(condition, 1.0, 0).dtype == np.float32
    assert minigrad.where(condition, True, False).dtype == np.bool_
    assert minigrad.where(condition, 1.0, 0).tolist() == [1.0, 0.0]


def clamp_cases(kinds):
    """PyTorch has no clamp of a bool tensor to a Python bool bound (``not implemented for 'Bool'``)."""
    return [(a, b) for a, b in pairs(kinds) if not (a[1] == "bool" and b == ("scalar", "bool"))]


@pytest.mark.parametrize("kinds", [k for k in KINDS if k[0] != "scalar"], ids="-".join)
def test_clamp_bounds_take_part_in_promotion(kinds):
    def clamp(a, b):
        return minigrad.clamp(a, min=b)

    check_table(run(minigrad, clamp), expected_dtype, clamp_cases(kinds))
    int8 = minigrad.tensor([1, 2, 3], dtype=minigrad.int8)
    assert int8.clamp(1, 2.5).dtype == np.float32 and int8.clamp(1, 2.5).tolist() == [1.0, 2.0, 2.5]
    assert int8.clamp(minigrad.tensor(1), minigrad.tensor(2, dtype=minigrad.int16)).dtype == np.int8


@pytest.mark.parametrize("kinds", [k for k in KINDS if "scalar" not in k], ids="-".join)
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_and_minimum_promote_two_tensors(name, kinds):
    check_table(run(minigrad, getattr(minigrad, name)), expected_dtype, pairs(kinds))


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_and_minimum_refuse_scalars_like_pytorch(name):
    with pytest.raises(
        TypeError, match=rf"{name}\(\): argument 'other' \(position 2\) must be Tensor, not int"
    ):
        getattr(minigrad, name)(minigrad.ones(2), 2)


def test_reductions_of_integer_tensors():
    for name in NAMES[:6]:
        t = operand(minigrad, "dim", name)
        assert t.logsumexp(0).dtype == np.float32, name
        with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
            t.mean()
        assert t.sum().dtype == np.int64
    assert minigrad.tensor([1, 2]).logsumexp(0).item() == pytest.approx(np.log(np.e + np.e**2))
    assert minigrad.tensor([1, 2]).mean(dtype=minigrad.float64).dtype == np.float64
    for name in NAMES[6:]:
        t = operand(minigrad, "dim", name)
        assert t.logsumexp(0).dtype == t.mean().dtype == t.dtype


def test_examples_from_the_issue():
    f32, i64 = minigrad.ones(2), minigrad.ones(2, dtype=minigrad.int64)
    assert (f32 + i64).dtype == np.float32
    assert (
        minigrad.ones(2, dtype=minigrad.float16) + minigrad.ones(2, dtype=minigrad.int32)
    ).dtype == np.float16
    assert (minigrad.tensor(1.0) + minigrad.tensor(1)).dtype == np.float32
    assert (minigrad.tensor([1, 2]) / minigrad.tensor(2.0, dtype=minigrad.float64)).dtype == np.float64


def test_integer_powers():
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed."):
        minigrad.tensor([2]) ** -1
    powers = minigrad.tensor([2, 1, -1, -1, 0]) ** minigrad.tensor([-1, -2, -3, -2, 2])
    assert powers.tolist() == [0, 1, -1, 1, 0]  # PyTorch's integer results (NumPy raises)
    assert (2 ** minigrad.tensor([1, 3])).tolist() == [2, 8]
    assert (minigrad.tensor([True, False]) ** True).tolist() == [True, False]


def test_scalars_wrap_around_in_small_integer_tensors():
    assert (minigrad.tensor([1], dtype=minigrad.uint8) + 300).tolist() == [45]
    assert (minigrad.tensor([1], dtype=minigrad.int8) + 1000).tolist() == [-23]


def test_bool_subtraction_and_negation_raise_like_pytorch():
    mask = minigrad.tensor([True, False])
    with pytest.raises(RuntimeError, match="with two bool tensors is not supported"):
        mask - mask
    with pytest.raises(RuntimeError, match="with a bool tensor is not supported"):
        minigrad.tensor([1, 2]) - True
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor is not supported"):
        _ = -mask


# ---- against PyTorch ----------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("kinds", KINDS, ids="-".join)
def test_tables_agree_with_pytorch(torch, kinds):
    def result_type(left, right):
        return str(torch.result_type(operand(torch, *left), operand(torch, *right))).replace("torch.", "")

    check_table(result_type, expected_dtype, pairs(kinds))


@pytest.mark.torch
@pytest.mark.parametrize("kinds", KINDS, ids="-".join)
@pytest.mark.parametrize("op", list(OPS))
def test_arithmetic_agrees_with_pytorch(torch, op, kinds):
    check_table(run(minigrad, OPS[op]), run(torch, OPS[op]), pairs(kinds))


@pytest.mark.torch
@pytest.mark.parametrize("kinds", KINDS, ids="-".join)
def test_where_maximum_minimum_and_clamp_agree_with_pytorch(torch, kinds):
    if "scalar" not in kinds:
        for name in ("maximum", "minimum"):
            check_table(
                run(minigrad, getattr(minigrad, name)), run(torch, getattr(torch, name)), pairs(kinds)
            )
    check_table(
        run(minigrad, lambda a, b: minigrad.where(minigrad.tensor([True, False]), a, b)),
        run(torch, lambda a, b: torch.where(torch.tensor([True, False]), a, b)),
        pairs(kinds),
    )
    if kinds[0] != "scalar":
        ours, theirs = (run(lib, lambda a, b, lib=lib: lib.clamp(a, min=b)) for lib in (minigrad, torch))
        check_table(ours, theirs, clamp_cases(kinds))


@pytest.mark.torch
def test_reductions_and_scalar_values_agree_with_pytorch(torch):
    for name in NAMES:
        for reduce in (lambda t: t.logsumexp(0), lambda t: t.mean()):
            ours, theirs = (
                outcome(functools.partial(reduce, operand(lib, "dim", name))) for lib in (minigrad, torch)
            )
            assert ours == theirs, name
    a, b = torch.tensor([1], dtype=torch.uint8), minigrad.tensor([1], dtype=minigrad.uint8)
    assert (b + 300).tolist() == (a + 300).tolist() and (b > -1).tolist() == (a > -1).tolist()
    x, y = torch.tensor([2, 1, -1, -1, 0]), torch.tensor([-1, -2, -3, -2, 2])
    assert (minigrad.tensor(x.tolist()) ** minigrad.tensor(y.tolist())).tolist() == (x**y).tolist()
