"""The elementwise ops against PyTorch, and hand-written cases for their edges.

The oracle tests call each op the same way in minigrad and in PyTorch on edge-case samples: int,
bool and uint8 tensors, 0-d and empty tensors, NaN, infinities and signed zeros, broadcasting,
Python scalars on either side. Both must raise the same exception type, or give the same dtype,
shape and values (NaN where PyTorch has NaN). Gradients are compared on float64 inputs that
include the ops' edges (0 log 0, a remainder's jumps, logit outside [0, 1]). The hand-written
cases below them run without PyTorch.
"""

import math
import operator

import numpy as np
import pytest

import minigrad
from minigrad.ops import special

INF, NAN = math.inf, math.nan
FLOATS = [-7.5, -2.5, -1.0, -0.5, -0.0, 0.0, 0.25, 0.5, 0.999, 1.0, 1.5, 2.5, 100.0, INF, -INF, NAN]
INTS = [-7, -2, -1, 0, 1, 2, 5]
NONZERO_INTS = [-7, -2, -1, 1, 2, 5]


def arr(values, dtype):
    return np.array(values, dtype=dtype)


UNARY_SAMPLES = {
    "float32": arr(FLOATS, np.float32),
    "float64": arr(FLOATS, np.float64).reshape(4, 4),
    "float16": arr([-2.5, -0.5, 0.0, 0.5, 1.5, INF, NAN], np.float16),
    "int64": arr(INTS, np.int64),
    "int32": arr(INTS, np.int32),
    "uint8": arr([0, 1, 3, 200, 255], np.uint8),
    "bool": arr([True, False], np.bool_),
    "0-d float": arr(1.5, np.float32),
    "0-d int": arr(-3, np.int64),
    "empty": np.zeros((0, 3), np.float32),
    "empty int": np.zeros((2, 0), np.int64),
}

UNARY = [
    *"floor ceil round trunc fix frac log1p expm1 log2 log10 exp2 reciprocal rsqrt square tan sinh cosh".split(),
    *"asin acos atan erf erfc erfinv logit isnan isinf isfinite isposinf isneginf nan_to_num".split(),
    *"logical_not bitwise_not neg negative sign abs exp log sqrt sin cos".split(),
    ("round", {"decimals": 1}),
    ("round", {"decimals": -1}),
    ("logit", {"eps": 0.2}),
    ("nan_to_num", {"nan": 1.0, "posinf": 5.0, "neginf": -5.0}),
]

_PAIRS = {
    "float32 broadcast": (
        arr(FLOATS, np.float32)[:, None],
        arr([-2.5, -1.0, -0.0, 0.0, 0.5, 3.0, INF, NAN], np.float32),
    ),
    "float64 with float32": (arr(FLOATS, np.float64)[:, None], arr([-2.0, 0.0, 0.75, INF], np.float32)),
    "int64": (arr(INTS, np.int64)[:, None], arr(NONZERO_INTS, np.int64)),
    "int64 by zero": (arr(INTS, np.int64), arr(INTS[::-1], np.int64)),
    "int32 with int64": (arr(INTS, np.int32)[:, None], arr([-3, 2], np.int64)),
    "uint8": (arr([0, 3, 200, 255], np.uint8)[:, None], arr([1, 7, 100], np.uint8)),
    "int with float": (arr(INTS, np.int64)[:, None], arr([-1.5, 0.5, 2.0, NAN], np.float32)),
    "bool": (arr([True, False], np.bool_)[:, None], arr([True, False], np.bool_)),
    "bool with int": (arr([True, False], np.bool_)[:, None], arr([2, -1], np.int64)),
    "float with python float": (arr(FLOATS, np.float32), 1.5),
    "float with python int": (arr(FLOATS, np.float32), -2),
    "int with python int": (arr(INTS, np.int64), 3),
    "int with python float": (arr(INTS, np.int64), -1.5),
    "int with python bool": (arr(INTS, np.int64), True),
    "python float with float": (2.5, arr(FLOATS, np.float32)),
    "python int with int": (7, arr(NONZERO_INTS, np.int64)),
    "0-d float with int": (arr(0.5, np.float32), arr(INTS, np.int64)),
    "0-d double with float": (arr(0.5, np.float64), arr(FLOATS, np.float32)),
    "empty": (np.zeros((0, 3), np.float32), arr([1.0, -2.0, 0.5], np.float32)),
}
PAIR_SAMPLES = {name: pair for name, pair in _PAIRS.items()}

BINARY = [
    *"add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow".split(),
    *"atan2 arctan2 xlogy hypot copysign clamp_min clamp_max maximum minimum".split(),
    *"eq ne lt le gt ge greater greater_equal less less_equal not_equal".split(),
    *"logical_and logical_or logical_xor bitwise_and bitwise_or bitwise_xor isclose equal allclose".split(),
    ("div", {"rounding_mode": "floor"}),
    ("div", {"rounding_mode": "trunc"}),
    ("divide", {"rounding_mode": "floor"}),
    ("add", {"alpha": 2}),
    ("sub", {"alpha": -0.5}),
    ("isclose", {"rtol": 0.1, "atol": 0.5, "equal_nan": True}),
    ("isclose", {"rtol": 0.0, "atol": 0.0}),
]

OPERATORS = {
    name: getattr(operator, name)
    for name in "add sub mul truediv floordiv mod pow and_ or_ xor eq ne lt le gt ge".split()
}


def _convert(torch, x, to_torch):
    if isinstance(x, np.ndarray):
        return torch.from_numpy(x.copy()) if to_torch else minigrad.tensor(x)
    return x


def _outcome(call):
    try:
        with np.errstate(all="ignore"):
            return call(), None
    except (TypeError, ValueError, RuntimeError, NotImplementedError, IndexError) as err:
        return None, err


def _host(torch, x):
    if isinstance(x, torch.Tensor):
        return x.numpy()
    if isinstance(x, minigrad.Tensor):
        return x.numpy()
    return x


# Both raise, but another error first: PyTorch checks that a bitwise op's in-place result fits
# the tensor before it checks the operands' dtypes, minigrad's in-place wrapper runs the op first.
ERRORS_IN_ANOTHER_ORDER = {
    f"{op} on int with python float" for op in "iand_ ior_ ixor bitwise_and_ bitwise_or_ bitwise_xor_".split()
}


def assert_same(torch, ours, theirs, what):
    """Same exception type, or the same result: dtype, shape and values (NaN matching NaN)."""
    (mine, my_err), (ref, ref_err) = ours, theirs
    if ref_err is not None:
        assert my_err is not None, f"{what}: PyTorch raises {ref_err!r}, minigrad returns {mine}"
        if what not in ERRORS_IN_ANOTHER_ORDER:
            assert type(my_err) is type(ref_err), f"{what}: minigrad raises {my_err!r}, PyTorch {ref_err!r}"
        return
    assert my_err is None, f"{what}: minigrad raises {my_err!r}, PyTorch returns {ref}"
    if isinstance(ref, tuple):
        assert len(mine) == len(ref), what
        for m, r in zip(mine, ref):
            assert_same(torch, (m, None), (r, None), what)
        return
    if not isinstance(ref, torch.Tensor):
        assert type(mine) is type(ref) and mine == ref, f"{what}: {mine!r} != {ref!r}"
        return
    expected, actual = ref.numpy(), _host(torch, mine)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, PyTorch {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, PyTorch {expected.shape}"
    if expected.dtype.kind == "f":
        tol = {2: 1e-3, 4: 3e-6, 8: 1e-13}[expected.dtype.itemsize]
        np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


def _spec(entry):
    return entry if isinstance(entry, tuple) else (entry, {})


def _both(torch, fn, args, kwargs, what):
    """``fn(module, *args)`` in minigrad and in PyTorch, compared."""
    ours = _outcome(lambda: fn(minigrad, *[_convert(torch, a, False) for a in args], **kwargs))
    theirs = _outcome(lambda: fn(torch, *[_convert(torch, a, True) for a in args], **kwargs))
    assert_same(torch, ours, theirs, what)


def _function(name):
    return lambda module, *args, **kwargs: getattr(module, name)(*args, **kwargs)


def _method(name):
    return lambda module, self, *args, **kwargs: getattr(self, name)(*args, **kwargs)


def _inplace(name):
    def call(module, self, *args, **kwargs):
        target = self.clone()
        result = getattr(target, name)(*args, **kwargs)
        assert result is target
        return target

    return call


@pytest.mark.torch
@pytest.mark.parametrize("entry", UNARY, ids=lambda e: "-".join(map(str, _spec(e))))
def test_unary_ops_match_pytorch(torch, entry):
    name, kwargs = _spec(entry)
    for sample, x in UNARY_SAMPLES.items():
        for form, fn in (("function", _function(name)), ("method", _method(name))):
            _both(torch, fn, (x,), kwargs, f"{form} {name}{kwargs or ''} on {sample}")
        if hasattr(torch.Tensor, f"{name}_"):
            _both(torch, _inplace(f"{name}_"), (x,), kwargs, f"{name}_{kwargs or ''} on {sample}")


@pytest.mark.torch
@pytest.mark.parametrize("entry", BINARY, ids=lambda e: "-".join(map(str, _spec(e))))
def test_binary_ops_match_pytorch(torch, entry):
    name, kwargs = _spec(entry)
    for sample, (x, y) in PAIR_SAMPLES.items():
        _both(torch, _function(name), (x, y), kwargs, f"{name}{kwargs or ''} on {sample}")
        if isinstance(x, np.ndarray) and hasattr(torch.Tensor, name):
            _both(torch, _method(name), (x, y), kwargs, f"Tensor.{name}{kwargs or ''} on {sample}")
            if hasattr(torch.Tensor, f"{name}_") and x.shape == np.broadcast_shapes(x.shape, np.shape(y)):
                _both(torch, _inplace(f"{name}_"), (x, y), kwargs, f"{name}_{kwargs or ''} on {sample}")


@pytest.mark.torch
@pytest.mark.parametrize("name", OPERATORS)
def test_operators_match_pytorch(torch, name):
    """``a + b``, ``a // b``, ``a % b``, ``a & b``... with tensors and Python scalars on either side."""
    fn = OPERATORS[name]
    for sample, (x, y) in PAIR_SAMPLES.items():
        _both(torch, lambda module, a, b: fn(a, b), (x, y), {}, f"{name} on {sample}")  # noqa: B023
        inplace = getattr(operator, f"i{name.rstrip('_')}", None)
        if inplace and isinstance(x, np.ndarray) and x.shape == np.broadcast_shapes(x.shape, np.shape(y)):
            _both(
                torch, lambda module, a, b, op=inplace: op(a.clone(), b), (x, y), {}, f"i{name} on {sample}"
            )


@pytest.mark.torch
def test_unary_operators_match_pytorch(torch):
    for sample, x in UNARY_SAMPLES.items():
        for name, fn in (("~", operator.invert), ("-", operator.neg), ("abs", abs)):
            _both(torch, lambda module, a, fn=fn: fn(a), (x,), {}, f"{name} on {sample}")


TERNARY = {
    "lerp scalar weight": (
        "lerp",
        (arr(FLOATS, np.float32), arr([1.0, -3.0, INF, NAN], np.float32)[:, None], 0.3),
        {},
    ),
    "lerp weight above a half": (
        "lerp",
        (arr([0.0, 1.0, -2.0], np.float64), arr([1.0, 1e30, 5.0], np.float64), 0.75),
        {},
    ),
    "lerp weight 1": (
        "lerp",
        (arr([0.0, 1e-30, -2.0], np.float64), arr([1.0, 1e30, 5.0], np.float64), 1.0),
        {},
    ),
    "lerp tensor weight": (
        "lerp",
        (
            arr([[0.0, 1.0, -2.0]], np.float32),
            arr([1.0, 2.0, 5.0], np.float32),
            arr([[0.2], [0.5], [1.5]], np.float32),
        ),
        {},
    ),
    "lerp int": ("lerp", (arr(INTS, np.int64), arr(INTS, np.int64), 0.5), {}),
    "lerp mixed dtypes": ("lerp", (arr([1.0], np.float32), arr([1.0], np.float64), 0.5), {}),
    "lerp tensor weight of another dtype": (
        "lerp",
        (arr([1.0], np.float32), arr([2.0], np.float32), arr([0.5], np.float64)),
        {},
    ),
    "addcmul": (
        "addcmul",
        (arr(FLOATS, np.float32), arr([2.0, -1.0], np.float32)[:, None], arr(0.5, np.float32)),
        {},
    ),
    "addcmul value": (
        "addcmul",
        (arr([1.0, 2.0], np.float64), arr([3.0], np.float32), arr([2.0, 4.0], np.float32)),
        {"value": -0.5},
    ),
    "addcmul int": ("addcmul", (arr(INTS, np.int64), arr(INTS, np.int64), arr(INTS, np.int64)), {"value": 2}),
    "addcmul int, float value": (
        "addcmul",
        (arr(INTS, np.int64), arr(INTS, np.int64), arr(INTS, np.int64)),
        {"value": 0.5},
    ),
    "addcmul int with float": (
        "addcmul",
        (arr(INTS, np.int64), arr([0.5], np.float32), arr(INTS, np.int64)),
        {},
    ),
    "addcmul bool": ("addcmul", (arr([True], np.bool_), arr([True], np.bool_), arr([False], np.bool_)), {}),
    "addcdiv": (
        "addcdiv",
        (
            arr(FLOATS[:3], np.float32),
            arr([2.0, -1.0, 0.0], np.float32)[:, None],
            arr([0.5, 0.0, NAN], np.float32),
        ),
        {},
    ),
    "addcdiv value": (
        "addcdiv",
        (arr([1.0, 2.0], np.float64), arr([3.0], np.float64), arr([2.0, 4.0], np.float64)),
        {"value": 3},
    ),
    "addcdiv ints": ("addcdiv", (arr([1.0], np.float32), arr([3], np.int64), arr([2], np.int64)), {}),
    "addcdiv int input": (
        "addcdiv",
        (arr([1], np.int64), arr([3.0], np.float32), arr([2.0], np.float32)),
        {},
    ),
    "where scalars": ("where", (arr([True, False, True], np.bool_), 1.5, 0), {}),
    "where int scalars": ("where", (arr([True, False], np.bool_), 1, 0), {}),
    "where tensor and scalar": (
        "where",
        (arr([[True], [False]], np.bool_), arr([1, 2, 3], np.int64), 2.5),
        {},
    ),
    "where scalar and tensor": ("where", (arr([True, False], np.bool_), 2, arr([1.0, 2.0], np.float64)), {}),
    "where mixed tensors": (
        "where",
        (arr([True, False], np.bool_), arr([1, 2], np.int32), arr([1.0, 2.0], np.float16)),
        {},
    ),
    "where 0-d": ("where", (arr(True, np.bool_), arr(3.0, np.float32), arr([1, 2], np.int64)), {}),
    "where float condition": ("where", (arr([1.0, 0.0], np.float32), arr([1.0, 2.0], np.float32), 0.0), {}),
    "clamp int with float bounds": ("clamp", (arr(INTS, np.int64), -1.5, 2.5), {}),
}


@pytest.mark.torch
@pytest.mark.parametrize("sample", TERNARY)
def test_three_operand_ops_match_pytorch(torch, sample):
    name, args, kwargs = TERNARY[sample]
    _both(torch, _function(name), args, kwargs, sample)
    if isinstance(args[0], np.ndarray) and name != "where":
        _both(torch, _method(name), args, kwargs, f"Tensor.{name} {sample}")
        if args[0].shape == np.broadcast_shapes(*[np.shape(a) for a in args if isinstance(a, np.ndarray)]):
            _both(torch, _inplace(f"{name}_"), args, kwargs, f"{name}_ {sample}")


@pytest.mark.torch
def test_where_with_the_condition_alone_matches_pytorch(torch):
    for condition in (
        arr([[True, False], [False, True]], np.bool_),
        arr([0, 3, 0, 1], np.int64),
        arr(True, np.bool_),
    ):
        _both(torch, lambda module, c: module.where(c), (condition,), {}, f"where({condition})")


@pytest.mark.torch
@pytest.mark.parametrize("name", ["int", "half", "short", "byte", "char", "float", "double", "long", "bool"])
def test_casts_match_pytorch(torch, name):
    for sample, x in UNARY_SAMPLES.items():
        if sample == "float32":  # NaN and inf to integers are undefined behaviour in C and NumPy alike
            x = x[np.isfinite(x) & (np.abs(x) < 100)]
        _both(torch, _method(name), (x,), {}, f"{name}() on {sample}")


@pytest.mark.torch
@pytest.mark.numpy_only  # the stand-in's tensors are on "cuda": their names are 'torch.cuda.FloatTensor'...
def test_type_matches_pytorch(torch):
    for x in UNARY_SAMPLES.values():
        _both(torch, lambda module, t: t.type(), (x,), {}, "type()")
        for name in (
            "torch.FloatTensor",
            "torch.LongTensor",
            "torch.BoolTensor",
            "torch.HalfTensor",
            "float32",
        ):
            _both(
                torch,
                lambda module, t, n=name: t.type(n),
                (x[np.isfinite(x)] if x.dtype.kind == "f" else x,),
                {},
                name,
            )
        _both(torch, lambda module, t: t.type(module.float64), (x,), {}, "type(float64)")


# --- gradients against PyTorch -------------------------------------------------------------

EDGES = np.array([-2.5, -1.0, -0.3, 0.0, 0.3, 0.7, 1.0, 2.0, 3.7])
GRADIENTS = {
    # name: (function of the module and float64 tensors, the inputs' values)
    "remainder": (lambda m, a, b: m.remainder(a, b), (EDGES[:, None], np.array([-1.5, 0.7, 2.0]))),
    "fmod": (lambda m, a, b: m.fmod(a, b), (EDGES[:, None], np.array([-1.5, 0.7, 2.0]))),
    "div trunc": (lambda m, a, b: m.div(a, b, rounding_mode="trunc"), (EDGES, EDGES[::-1] + 0.1)),
    "div floor": (lambda m, a, b: m.div(a, b, rounding_mode="floor"), (EDGES, EDGES[::-1] + 0.1)),
    "xlogy": (
        lambda m, a, b: m.xlogy(a, b),
        (np.array([0.0, 0.0, 2.0, 0.0, -1.5]), np.array([0.0, -1.0, 3.0, NAN, 2.0])),
    ),
    "logit": (lambda m, a: m.logit(a), (np.array([-0.5, 0.0, 0.2, 0.5, 0.9, 1.0, 1.5]),)),
    "logit eps": (lambda m, a: m.logit(a, eps=0.2), (np.array([-0.5, 0.0, 0.2, 0.5, 0.8, 0.9, 1.5]),)),
    "copysign": (
        lambda m, a, b: m.copysign(a, b),
        (np.array([0.0, -0.0, 2.0, -3.0, 1.0]), np.array([-1.0, 1.0, -0.0, 0.0, 2.0])),
    ),
    "nan_to_num": (lambda m, a: m.nan_to_num(a), (np.array([1.0, NAN, INF, -INF, -2.0]),)),
    "lerp": (lambda m, a, b, w: m.lerp(a, b, w), (EDGES, EDGES[::-1], np.linspace(-0.5, 1.5, 9))),
    "lerp scalar": (lambda m, a, b: m.lerp(a, b, 0.75), (EDGES, EDGES[::-1])),
    "atan2": (lambda m, a, b: m.atan2(a, b), (EDGES, EDGES[::-1])),
    "hypot": (lambda m, a, b: m.hypot(a, b), (EDGES, EDGES[::-1])),
    "addcdiv": (lambda m, a, b, c: m.addcdiv(a, b, c, value=-2), (EDGES, EDGES[::-1], EDGES + 0.5)),
    "addcmul": (lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), (EDGES, EDGES[::-1], EDGES + 0.5)),
    "clamp_min": (lambda m, a, b: m.clamp_min(a, b), (EDGES, EDGES[::-1])),
    "clamp_max": (lambda m, a: m.clamp_max(a, 0.3), (EDGES,)),
    "round": (lambda m, a: m.round(a, decimals=1), (EDGES,)),
    "frac": (lambda m, a: m.frac(a), (EDGES,)),
    "erfinv": (lambda m, a: m.erfinv(a), (np.array([-1.0, -0.9, 0.0, 0.5, 0.999]),)),
    "erf": (lambda m, a: m.erf(a), (EDGES,)),
    "erfc": (lambda m, a: m.erfc(a), (EDGES,)),
    "rsqrt": (lambda m, a: m.rsqrt(a), (np.array([0.0, 0.25, 4.0, INF]),)),
    "reciprocal": (lambda m, a: m.reciprocal(a), (EDGES,)),
    "asin": (lambda m, a: m.asin(a), (np.array([-1.0, -0.5, 0.0, 0.99, 1.0, 1.5]),)),
    "acos": (lambda m, a: m.acos(a), (np.array([-1.0, -0.5, 0.0, 0.99, 1.0]),)),
    "square": (lambda m, a: m.square(a), (EDGES,)),
    "tan sinh cosh atan": (lambda m, a: m.tan(a) + m.sinh(a) * m.cosh(a) - m.atan(a), (EDGES,)),
    "log family": (lambda m, a: m.log1p(a) + m.log2(a) + m.log10(a), (np.array([0.0, 0.3, 1.0, 3.7]),)),
    "exp family": (lambda m, a: m.expm1(a) * m.exp2(a), (EDGES,)),
    "pow tensor": (
        lambda m, a, b: m.pow(a, b),
        (np.array([0.5, 3.0, 2.0, 1.5]), np.array([0.0, 2.0, -1.0, 0.5])),
    ),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", GRADIENTS)
def test_gradients_match_pytorch(torch, name):
    """First and second derivatives (the gradient of the gradient's sum) in float64."""
    fn, values = GRADIENTS[name]
    seed = np.random.default_rng(0)
    results = []
    for module, make in ((minigrad, minigrad.tensor), (torch, torch.tensor)):
        leaves = [make(np.ascontiguousarray(v), dtype=module.float64, requires_grad=True) for v in values]
        with np.errstate(all="ignore"):
            out = fn(module, *leaves)
            weights = make(seed.uniform(0.5, 1.5, out.shape), dtype=module.float64)
            seed = np.random.default_rng(0)
            grads = module.autograd.grad((out * weights).sum(), leaves, create_graph=True)
            used = [g for g in grads if g.requires_grad]
            second = (
                module.autograd.grad(sum(g.sum() for g in used), leaves, allow_unused=True) if used else ()
            )
        results.append(
            [_host(torch, g.detach()) for g in grads]
            + [None if g is None else _host(torch, g) for g in second]
        )
    for mine, theirs in zip(*results):
        if theirs is None:
            assert mine is None or not np.any(mine), name  # PyTorch's unused input: a zero gradient here
            continue
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12, equal_nan=True, err_msg=name)


# --- hand-written cases (no PyTorch needed) ----------------------------------------------------


def t(values, dtype=None):
    return minigrad.tensor(values, dtype=dtype)


def test_erf_and_erfc_agree_with_the_standard_library_to_float64_rounding():
    x = np.concatenate(
        [np.linspace(-6, 6, 4001), np.linspace(-28, 28, 1001), [1e-300, -1e-300, 0.46875, 4.0]]
    )
    for ours, theirs in (
        (special.erf(x), np.vectorize(math.erf)(x)),
        (special.erfc(x), np.vectorize(math.erfc)(x)),
    ):
        normal = np.abs(theirs) > 1e-300
        assert np.max(np.abs(ours[normal] - theirs[normal]) / np.abs(theirs[normal])) < 2e-15
    assert special.erf(np.array([INF, -INF, NAN])).tolist()[:2] == [1.0, -1.0]
    assert special.erfc(np.array([INF, -INF])).tolist() == [0.0, 2.0]
    assert np.isnan(special.erf(np.array([NAN]))).all() and np.isnan(special.erfc(np.array([NAN]))).all()


def test_erfinv_inverts_erf_to_float64_rounding_up_to_the_last_float_below_one():
    y = np.concatenate(
        [np.linspace(-0.999, 0.999, 2001), 1 - np.logspace(-16, -2, 200), np.logspace(-300, -1, 50)]
    )
    x = special.erfinv(y)
    near_one = np.abs(y) > 0.5  # compare 1 - |y| with erfc there: erf cannot resolve it
    residual = np.where(
        near_one, np.vectorize(math.erfc)(np.abs(x)) - (1 - np.abs(y)), np.vectorize(math.erf)(x) - y
    )
    error = np.abs(residual) / (2 / math.sqrt(math.pi) * np.exp(-x * x))  # how far x is off, to first order
    assert np.max(error / np.abs(x)) < 2e-15
    with np.errstate(all="raise"):  # no spurious overflow or invalid value on the edges either
        edges = special.erfinv(np.array([1.0, -1.0, 1.5, -2.0, -0.0]))
    assert edges[:2].tolist() == [INF, -INF] and np.isnan(edges[2:4]).all() and np.signbit(edges[4])


def test_erf_keeps_float32_and_float16():
    assert minigrad.erf(t([0.5], minigrad.float16)).dtype == minigrad.float16
    assert minigrad.erfinv(t([0.5])).dtype == minigrad.float32
    assert minigrad.erf(t([1, 2])).dtype == minigrad.float32  # integers: the default float dtype


def test_remainder_takes_the_divisors_sign_and_fmod_the_dividends():
    a, b = t([5, -5, 5, -5]), t([3, 3, -3, -3])
    assert (a % b).tolist() == [2, 1, -1, -2] == minigrad.remainder(a, b).tolist()
    assert minigrad.fmod(a, b).tolist() == [2, -2, 2, -2]
    assert (a // b).tolist() == [1, -2, -2, 1]
    assert minigrad.div(a, b, rounding_mode="trunc").tolist() == [1, -1, -1, 1]
    assert (7 % t([3.0, -3.0])).tolist() == [1.0, -2.0]
    assert (t([-5.0]) % float("inf")).tolist() == [INF]  # PyTorch's rule, unlike Python's math.fmod


def test_floor_division_of_floats_is_exact_where_floor_of_the_quotient_is_not():
    """0.5 // 0.1 is 4 (0.1 is a little more than 1/10), though 0.5 / 0.1 rounds to 5.0."""
    assert (t([0.5], minigrad.float64) // 0.1).tolist() == [4.0] == [0.5 // 0.1]
    assert (t([-1.0, 1.0], minigrad.float64) // INF).tolist() == [-1.0, 0.0]


def test_integer_division_by_zero_raises_and_float_division_gives_ieee_values():
    for call in (lambda: t([1, 2]) // t([1, 0]), lambda: t([1]) % 0, lambda: minigrad.fmod(t([1]), 0)):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            call()
    with np.errstate(all="ignore"):
        assert (t([1.0, -1.0, 0.0]) // 0.0).tolist()[:2] == [INF, -INF]
        assert np.isnan((t([1.0]) % 0.0).tolist()).all()
        assert (t([1, 2]) / 0).tolist() == [INF, INF]


def test_div_names_its_rounding_modes():
    with pytest.raises(
        RuntimeError, match="rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'"
    ):
        minigrad.div(t([1.0]), 2, rounding_mode="round")
    with pytest.raises(NotImplementedError, match="div_floor_cpu"):
        t([True]) // t([True])


def test_rounded_quotients_and_floor_have_zero_gradients_and_remainder_passes_one():
    a = minigrad.tensor([2.5, -1.5], dtype=minigrad.float64, requires_grad=True)
    b = minigrad.tensor([2.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    (minigrad.floor_divide(a, b) + minigrad.floor(a) + minigrad.remainder(a, b)).sum().backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [-1.0, 1.0]  # -floor(a / b)


def test_round_is_half_to_even_and_keeps_integers():
    assert minigrad.round(t([0.5, 1.5, 2.5, -0.5, -2.5])).tolist() == [0.0, 2.0, 2.0, -0.0, -2.0]
    assert minigrad.round(t([1.25, 1.35]), decimals=1).tolist() == pytest.approx([1.2, 1.4])
    assert minigrad.round(t([15.0, 25.0, 1234.5]), decimals=-1).tolist() == [20.0, 20.0, 1230.0]
    x = t([3, -4])
    assert minigrad.round(x).dtype == minigrad.int64 and minigrad.floor(x).tolist() == [3, -4]
    with pytest.raises(NotImplementedError, match="round_cpu"):
        minigrad.round(x, decimals=1)
    with pytest.raises(NotImplementedError, match="floor_vml_cpu"):
        minigrad.floor(t([True]))


def test_unary_float_ops_take_integers_and_refuse_numbers():
    assert minigrad.exp2(t([3])).tolist() == [8.0] and minigrad.exp2(t([3])).dtype == minigrad.float32
    with pytest.raises(
        TypeError, match=r"floor\(\): argument 'input' \(position 1\) must be Tensor, not float"
    ):
        minigrad.floor(2.0)
    with pytest.raises(TypeError, match="atan2"):
        minigrad.atan2(t([1.0]), 2.0)


def test_in_place_ops_keep_the_dtype_or_refuse_a_lower_one():
    x = t([1, 4])
    assert x.floor_().dtype == minigrad.int64
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        x.sqrt_()
    y = t([1.0, 2.0])
    assert y.ge_(1.5).tolist() == [0.0, 1.0] and y.dtype == minigrad.float32


def test_alpha_follows_pytorch():
    assert minigrad.add(t([1, 2]), t([1, 1]), alpha=3).tolist() == [4, 5]
    assert minigrad.sub(t([1.0]), 2, alpha=0.5).tolist() == [0.0]
    with pytest.raises(RuntimeError, match="alpha must not be a floating point number"):
        minigrad.add(t([1]), t([1]), alpha=0.5)
    with pytest.raises(RuntimeError, match="Boolean alpha only supported for Boolean results"):
        minigrad.add(t([1.0]), t([1.0]), alpha=True)


def test_comparisons_and_the_operators_python_falls_back_on():
    x = t([1, 2, 3])
    assert (x == None) is False and (x != None) is True  # noqa: E711
    assert (x == np.int64(2)).tolist() == [False, True, False]  # NumPy scalars are numbers
    with pytest.raises(TypeError, match="'<' not supported"):
        x < None  # noqa: B015
    assert (2.5 < x).tolist() == [False, False, True] and minigrad.greater_equal(x, 2).tolist() == [
        False,
        True,
        True,
    ]
    with pytest.raises(TypeError, match="gt"):
        minigrad.gt(2, x)


def test_closeness_and_equality():
    a, b = t([1.0, INF, NAN, -INF]), t([1.0 + 1e-6, INF, NAN, INF])
    assert minigrad.isclose(a, b).tolist() == [True, True, False, False]
    assert minigrad.isclose(a, b, equal_nan=True).tolist() == [True, True, True, False]
    assert not minigrad.allclose(a, b) and minigrad.allclose(a[:2], b[:2])
    assert minigrad.equal(t([1, 2]), t([1.0, 2.0])) and not minigrad.equal(t([1.0]), t([1.0, 1.0]))
    assert not minigrad.equal(t([NAN]), t([NAN]))
    with pytest.raises(RuntimeError, match="Float did not match Double"):
        minigrad.isclose(t([1.0]), t([1.0], minigrad.float64))
    with pytest.raises(RuntimeError, match="rtol must be greater than or equal to zero, but got -1"):
        minigrad.allclose(a, a, rtol=-1)


def test_logical_and_bitwise_ops():
    m, i = t([True, False]), t([6, 3])
    assert (~m).tolist() == [False, True] and (~i).tolist() == [-7, -4]
    assert (m & True).tolist() == [True, False] and (True ^ m).tolist() == [False, True]
    assert (i & 2).tolist() == [2, 2] and (i | m).tolist() == [7, 3] and (5 ^ i).tolist() == [3, 6]
    assert minigrad.logical_xor(t([0.0, 2.0]), t([1, 1])).tolist() == [True, False]
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~t([1.0])
    with pytest.raises(NotImplementedError, match="bitwise_and_cpu"):
        t([1.5]) & t([1.0])
    with pytest.raises(TypeError, match="argument 'other'"):
        minigrad.logical_and(m, 1)


def test_where_takes_numbers_on_either_side_and_the_condition_alone():
    c = t([True, False, True])
    assert (
        minigrad.where(c, 1.5, 0).tolist() == [1.5, 0.0, 1.5]
        and minigrad.where(c, 1, 0).dtype == minigrad.int64
    )
    (rows, cols) = minigrad.where(t([[True, False], [False, True]]))
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1] and rows.dtype == minigrad.int64
    with pytest.raises(
        RuntimeError,
        match="where expected condition to be a boolean tensor, but got a tensor with dtype Float",
    ):
        minigrad.where(t([1.0]), 1.0, 0.0)


def test_logit_xlogy_and_nan_to_num_at_their_edges():
    with np.errstate(all="ignore"):
        assert minigrad.logit(t([0.0, 1.0, 2.0])).tolist()[:2] == [-INF, INF]
    assert minigrad.xlogy(t([0.0, 0.0]), t([0.0, NAN])).tolist()[0] == 0.0
    assert np.isnan(minigrad.xlogy(t([0.0]), t([NAN])).tolist()).all()
    big = float(np.finfo(np.float32).max)
    assert minigrad.nan_to_num(t([NAN, INF, -INF])).tolist() == [0.0, big, -big]
    assert minigrad.nan_to_num(t([NAN, INF]), nan=1.0, posinf=2.0).tolist() == [1.0, 2.0]


def test_casts_and_type_names():
    x = t([1.5, -2.0])
    assert [x.int().dtype, x.half().dtype, x.short().dtype, x.char().dtype] == [
        minigrad.int32,
        minigrad.float16,
        minigrad.int16,
        minigrad.int8,
    ]
    assert t([255, 256]).byte().tolist() == [255, 0]
    prefix = "torch.cuda." if x.is_cuda else "torch."
    assert x.type() == f"{prefix}FloatTensor" and t([True]).type() == f"{prefix}BoolTensor"
    assert (
        x.type("torch.LongTensor").tolist() == [1, -2] and x.type(minigrad.float64).dtype == minigrad.float64
    )
    with pytest.raises(ValueError, match="invalid type: 'float32'"):
        x.type("float32")


def test_lerp_is_exact_at_weight_one_and_checks_dtypes():
    a, b = t([1e-30, 3.0], minigrad.float64), t([1e30, -7.0], minigrad.float64)
    assert minigrad.lerp(a, b, 1.0).tolist() == [1e30, -7.0]
    assert minigrad.lerp(a, b, 0.0).tolist() == [1e-30, 3.0]
    with pytest.raises(RuntimeError, match="expected dtype double for `end` but got dtype float"):
        minigrad.lerp(a, t([1.0, 2.0]), 0.5)
