"""PyTorch's own OpInfo samples, run through every op minigrad exposes.

For each OpInfo in ``torch.testing._internal.common_methods_invocations.op_db`` whose name (or
an alias) minigrad exposes (the registry's tables decide, so a new op is picked up when it is
declared), every sample is converted to minigrad and run through each exposed form: the
function (``minigrad.<name>``, ``F.<name>`` for ``nn.functional.<name>``, ``minigrad.linalg.<name>``),
the Tensor method or property, and the in-place method ``Tensor.<name>_``. Compared with PyTorch:

* forward: values (``assert_close``'s tolerances, or the looser ones PyTorch's own tests give
  the op; NaN equal to NaN), shape and dtype, in float64 and float32;
* gradient: the vector-Jacobian product with one random cotangent, against PyTorch's autograd
  (no finite differences), where the OpInfo says the op supports autograd;
* double gradient: that vector-Jacobian product differentiated against a second cotangent,
  where the OpInfo supports gradgrad;
* forward on ``reference_inputs`` (NaN, inf, non-contiguous, extremal values) in float64 and
  int64 where PyTorch supports the dtype.

A sample that cannot apply to minigrad is listed in ``CANNOT_APPLY`` with the reason; a sample
that fails for a reason still to fix is listed in ``NOT_YET`` (the test then xfails, naming it).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import settings

import minigrad
import minigrad.nn.functional as F
from minigrad.ops import registry

pytestmark = [pytest.mark.torch, pytest.mark.numpy_only]


def _load_op_db() -> list:
    """PyTorch's OpInfo database, or nothing without PyTorch.

    Importing PyTorch's test internals loads their own hypothesis profile; the profile this
    suite runs under is put back, so the other test modules keep theirs."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return []
    current = settings.default
    saved = {}
    for name in ("dev", "ci"):
        try:
            saved[name] = settings.get_profile(name)
        except Exception:  # hypothesis raises InvalidArgument for an unregistered profile
            pass
    from torch.testing._internal.common_methods_invocations import op_db

    for name, profile in saved.items():
        settings.register_profile(name, profile)
    settings.register_profile("before-pytorch-test-internals", current)
    settings.load_profile("before-pytorch-test-internals")
    return op_db


OP_DB = _load_op_db()

# ---- which OpInfos minigrad exposes, and in which forms -------------------------------------


@dataclass(frozen=True)
class Form:
    """One way minigrad exposes an OpInfo: ``label`` (``minigrad.sum``, ``Tensor.sum_``), the minigrad
    callable, the PyTorch callable it is compared with, and whether it writes into its input."""

    label: str
    ours: Callable[..., Any]
    theirs: Callable[..., Any]
    inplace: bool = False
    method: bool = False  # a Tensor method or property: applies to samples whose input is a tensor


def _method(name: str) -> Callable[..., Any]:
    return lambda self, *args, **kwargs: getattr(self, name)(*args, **kwargs)


def _property(name: str) -> Callable[..., Any]:
    return lambda self: getattr(self, name)


# OpInfos whose ``op`` is a lambda with another argument order than the public function.
ADAPTERS: dict[str, Callable[[Callable[..., Any]], Callable[..., Any]]] = {
    "where": lambda fn: lambda self, condition, other: fn(condition, self, other),
}


def _forms(opinfo: Any) -> list[Form]:
    """The forms of one OpInfo (and its aliases) that minigrad exposes, as the registry declares them."""
    import torch
    import torch.nn.functional as TF

    forms = []
    for name, fn, method, inplace in [
        (opinfo.name, opinfo.op, opinfo.method_variant, opinfo.inplace_variant),
        *((a.name, a.op, a.method_variant, a.inplace_variant) for a in opinfo.aliases),
    ]:
        if name.startswith("nn.functional."):
            base, torch_fn, ours = name.removeprefix("nn.functional."), TF, {"F": registry.FUNCTIONAL}
        elif name.startswith("linalg."):
            base, torch_fn, ours = name.removeprefix("linalg."), torch.linalg, {"linalg": registry.LINALG}
        else:
            base, torch_fn = name, torch
            ours = {"minigrad": registry.FUNCTIONS, "F": registry.FUNCTIONAL}
        public_torch_fn = fn is getattr(torch_fn, base, None) or fn is getattr(TF, base, None)
        for prefix, table in ours.items():
            if base not in table:
                continue
            ours_fn = getattr({"minigrad": minigrad, "F": F, "linalg": minigrad.linalg}[prefix], base)
            if public_torch_fn or name.startswith("nn.functional."):
                forms.append(Form(f"{prefix}.{base}", ours_fn, fn))
            elif name in ADAPTERS:
                forms.append(Form(f"{prefix}.{base}", ADAPTERS[name](ours_fn), fn))
        if base in registry.METHODS:
            forms.append(Form(f"Tensor.{base}", _method(base), method or fn, method=True))
        if base in registry.PROPERTIES:
            forms.append(Form(f"Tensor.{base}", _property(base), fn, method=True))
        if f"{base}_" in registry.INPLACE and inplace is not None:
            forms.append(Form(f"Tensor.{base}_", _method(f"{base}_"), inplace, inplace=True, method=True))
    unique = {}
    for form in forms:
        unique.setdefault(form.label, form)
    return list(unique.values())


def _opinfo_id(opinfo: Any) -> str:
    return opinfo.name + (f".{opinfo.variant_test_name}" if opinfo.variant_test_name else "")


MATCHED = {_opinfo_id(o): o for o in OP_DB if _forms(o)}

# ---- samples that cannot apply, and failures still to fix ------------------------------------


def _kwarg(name: str) -> Callable[[Any], bool]:
    return lambda sample: name in sample.kwargs


def _any_tensor(predicate: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda sample: any(predicate(t) for t in _torch_tensors(sample))


def _any_value(predicate: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda sample: any(
        predicate(v) for v in _walk([sample.input, list(sample.args), dict(sample.kwargs)])
    )


def _is_complex_tensor(value: Any) -> bool:
    import torch

    return isinstance(value, torch.Tensor) and value.is_complex()


# (OpInfo id or "*", which samples, reason): the one table of samples that cannot apply.
CANNOT_APPLY: list[tuple[str, Callable[[Any], bool], str]] = [
    ("*", _kwarg("out"), "out=: minigrad ops return new tensors and take no out= argument"),
    ("*", _kwarg("memory_format"), "memory_format=: minigrad arrays have one layout, C order"),
    ("*", _any_tensor(lambda t: str(t.layout) != "torch.strided"), "sparse layouts: minigrad is dense"),
    (
        "*",
        _any_value(lambda v: isinstance(v, complex) or _is_complex_tensor(v)),
        "complex dtypes: minigrad has none",
    ),
    ("*", _any_tensor(lambda t: str(t.dtype) == "torch.bfloat16"), "bfloat16: NumPy has no such dtype"),
]
# Whose values are random (another generator than PyTorch's): the forward compares shapes and dtypes.
RANDOM = {
    "bernoulli",
    "exponential",
    "multinomial",
    "nn.functional.dropout",
    "nn.functional.dropout2d",
    "nn.functional.dropout3d",
    "normal.in_place",
    "uniform",
}

# (OpInfo id, check) -> what still fails there, in ops of other modules: the test xfails, naming
# the failing samples. Delete an entry once its op passes.
NOT_YET: dict[tuple[str, str], str] = {
    (
        "addbmm",
        "forward",
    ): "addbmm with a 1-element input broadcast to the output (it is checked as in-place)",
    (
        "addbmm",
        "reference",
    ): "addbmm with a 1-element input broadcast to the output (it is checked as in-place)",
    ("cat", "forward"): "PyTorch's legacy rule that skips 1-D empty tensors: cat([T[0], T[5, 5]], dim=1)",
    ("cat", "gradgrad"): "PyTorch's legacy rule that skips 1-D empty tensors: cat([T[0], T[5, 5]], dim=1)",
    ("cat", "reference"): "PyTorch's legacy rule that skips 1-D empty tensors: cat([T[0], T[5, 5]], dim=1)",
    ("flatten", "reference"): "flatten of a tensor with a zero-size dim (a reshape with -1 over size 0)",
    ("gather", "forward"): "an empty index of another rank (T[2, 0] into T[5]); a 0-d input",
    ("gather", "gradgrad"): "an empty index of another rank (T[2, 0] into T[5]); a 0-d input",
    ("gather", "reference"): "an empty index of another rank (T[2, 0] into T[5]); a 0-d input",
    ("index_select", "forward"): "index_select of a 0-d input gives shape (1,), PyTorch ()",
    ("index_select", "gradgrad"): "index_select of a 0-d input gives shape (1,), PyTorch ()",
    ("index_select", "reference"): "index_select of a 0-d input gives shape (1,), PyTorch ()",
    (
        "kthvalue",
        "reference",
    ): "which index of tied entries kthvalue returns (PyTorch: unspecified quickselect order)",
    ("linalg.eigh", "forward"): "eigenvector signs (the samples compare them directly)",
    ("linalg.eigh", "reference"): "eigenvector signs (the samples compare them directly)",
    ("linalg.matrix_norm", "forward"): "ord=nuc, 2 and -2 (singular values) are not supported yet",
    ("linalg.matrix_norm", "gradgrad"): "ord=nuc, 2 and -2 (singular values) are not supported yet",
    ("linalg.matrix_norm", "reference"): "ord=nuc, 2 and -2 (singular values) are not supported yet",
    (
        "linalg.norm",
        "forward",
    ): "minigrad.linalg.norm(ord=) is not exposed (linalg.vector_norm and matrix_norm are)",
    (
        "linalg.norm",
        "gradgrad",
    ): "minigrad.linalg.norm(ord=) is not exposed (linalg.vector_norm and matrix_norm are)",
    (
        "linalg.norm",
        "reference",
    ): "minigrad.linalg.norm(ord=) is not exposed (linalg.vector_norm and matrix_norm are)",
    ("linalg.norm.subgradients_at_zero", "forward"): "linalg.norm with matrix ords; its subgradient at 0",
    ("linalg.norm.subgradients_at_zero", "gradgrad"): "linalg.norm with matrix ords; its subgradient at 0",
    ("linalg.norm.subgradients_at_zero", "reference"): "norm(ord=nuc) (singular values) is not supported yet",
    ("linalg.svd", "forward"): "singular vector signs (the samples compare them directly)",
    ("linalg.svd", "gradgrad"): "singular vector signs (the samples compare them directly)",
    ("linalg.svd", "reference"): "singular vector signs (the samples compare them directly)",
    ("mode", "reference"): "the index mode returns when NaNs repeat",
    ("nn.functional.batch_norm", "forward"): "batch_norm of an input of shape (0,) (PyTorch accepts it)",
    ("nn.functional.batch_norm", "gradgrad"): "batch_norm of an input of shape (0,) (PyTorch accepts it)",
    ("nn.functional.batch_norm", "reference"): "batch_norm of an input of shape (0,) (PyTorch accepts it)",
    ("nn.functional.embedding", "forward"): "embedding with an integer weight (PyTorch takes it)",
    ("nn.functional.embedding", "gradgrad"): "embedding with an integer weight (PyTorch takes it)",
    ("nn.functional.embedding", "reference"): "embedding with an integer weight (PyTorch takes it)",
    ("nn.functional.interpolate.area", "forward"): "interpolate(mode=area) of 5-D inputs",
    ("nn.functional.interpolate.area", "gradgrad"): "interpolate(mode=area) of 5-D inputs",
    ("nn.functional.interpolate.area", "reference"): "interpolate(mode=area) of 5-D inputs",
    ("nn.functional.interpolate.bicubic", "forward"): "interpolate(mode=bicubic) is not supported",
    ("nn.functional.interpolate.bicubic", "gradgrad"): "interpolate(mode=bicubic) is not supported",
    ("nn.functional.interpolate.bicubic", "reference"): "interpolate(mode=bicubic) is not supported",
    ("nn.functional.interpolate.bilinear", "reference"): "interpolate(antialias=True) is not supported",
    ("nn.functional.normalize", "forward"): "normalize with p <= 0",
    ("nn.functional.normalize", "gradgrad"): "normalize with p <= 0",
    ("nn.functional.normalize", "reference"): "normalize with p <= 0",
    ("norm.nuc", "forward"): "ord=nuc (singular values) is not supported yet",
    ("norm.nuc", "gradgrad"): "ord=nuc (singular values) is not supported yet",
    ("norm.nuc", "reference"): "ord=nuc (singular values) is not supported yet",
    ("scatter", "forward"): "scatter of a 0-d input (PyTorch takes it)",
    ("scatter", "gradgrad"): "scatter of a 0-d input (PyTorch takes it)",
    ("scatter", "reference"): "scatter of a 0-d input (PyTorch takes it)",
    ("scatter_add", "forward"): "scatter_add of a 0-d input (PyTorch takes it)",
    ("scatter_add", "gradgrad"): "scatter_add of a 0-d input (PyTorch takes it)",
    ("scatter_add", "reference"): "scatter_add of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.amax", "forward"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.amax", "gradgrad"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.amax", "reference"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.amin", "forward"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.amin", "gradgrad"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.amin", "reference"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.mean", "forward"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.mean", "gradgrad"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.mean", "reference"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.prod", "forward"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.prod", "gradgrad"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.prod", "reference"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.sum", "forward"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.sum", "gradgrad"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("scatter_reduce.sum", "reference"): "scatter_reduce of a 0-d input (PyTorch takes it)",
    ("take_along_dim", "forward"): "take_along_dim with negative indices",
    ("take_along_dim", "gradgrad"): "take_along_dim with negative indices",
    ("take_along_dim", "reference"): "take_along_dim with negative indices",
    (
        "topk",
        "reference",
    ): "which index of tied entries topk returns (PyTorch: unspecified quickselect order)",
}


def _cannot_apply(opinfo_id: str, sample: Any) -> str | None:
    for which, applies, reason in CANNOT_APPLY:
        if which in ("*", opinfo_id) and applies(sample):
            return reason
    return None


# ---- conversion ------------------------------------------------------------------------------


def _walk(value: Any) -> Iterator[Any]:
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    else:
        yield value


def _torch_tensors(sample: Any) -> list[Any]:
    import torch

    values = _walk([sample.input, list(sample.args), dict(sample.kwargs)])
    return [t for t in values if isinstance(t, torch.Tensor)]


def _dtype(torch_dtype: Any) -> Any:
    name = str(torch_dtype).removeprefix("torch.")
    return getattr(minigrad, name, None) or getattr(minigrad, f"{name}_")


def _to_minigrad(value: Any, leaves: dict[int, Any]) -> Any:
    """A sample's value as minigrad takes it: tensors copied (same dtype, layout and
    ``requires_grad``), dtypes mapped, ``torch.Size`` a tuple; ``leaves`` maps each torch leaf's
    id to its copy."""
    import torch

    if isinstance(value, torch.Tensor):
        array = value.detach().numpy().copy(order="K")
        copy = minigrad.Tensor(array, requires_grad=value.requires_grad)
        leaves[id(value)] = copy
        return copy
    if isinstance(value, torch.dtype):
        return _dtype(value)
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(_to_minigrad(v, leaves) for v in value)
    if isinstance(value, dict):
        return {k: _to_minigrad(v, leaves) for k, v in value.items()}
    return value


def _describe(value: Any) -> str:
    import torch

    if isinstance(value, torch.Tensor):
        return f"T{list(value.shape)}:{str(value.dtype).removeprefix('torch.')}"
    if isinstance(value, (list, tuple)) and not isinstance(value, torch.Size):
        inner = ", ".join(_describe(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_describe(v)}" for k, v in value.items()) + "}"
    return repr(value)


def describe(sample: Any) -> str:
    """A sample in one line: its tensors by shape and dtype, the rest as written."""
    parts = [_describe(sample.input), *(_describe(a) for a in sample.args)]
    parts += [f"{k}={_describe(v)}" for k, v in sample.kwargs.items()]
    return "(" + ", ".join(parts) + ")"


# ---- comparison ------------------------------------------------------------------------------


def _outputs(value: Any) -> list[Any]:
    """A result's leaves in order (a named tuple, a list and a tuple of tensors alike)."""
    if isinstance(value, (list, tuple)):
        return [leaf for item in value for leaf in _outputs(item)]
    return [value]


Tolerance = Callable[[Any], dict[str, float]]  # a result's torch dtype -> rtol and atol


def tolerance(opinfo: Any, gradient: bool, dtype: Any) -> dict[str, float]:
    """``assert_close``'s tolerance for a result of ``dtype``, widened to the loosest override
    PyTorch's own tests give this op in that dtype (where they compare two implementations'
    rounding). A float32 gradient, a composition of several rounded ops, gets at least
    ``rtol=1e-4``."""
    import torch
    from torch.testing._comparison import default_tolerances
    from torch.testing._internal.common_device_type import toleranceOverride

    rtol, atol = default_tolerances(dtype)
    for info in opinfo.decorators:
        for decorator in getattr(info, "decorators", ()):
            if isinstance(decorator, toleranceOverride) and dtype in decorator.d:
                rtol, atol = max(rtol, decorator.d[dtype].rtol), max(atol, decorator.d[dtype].atol)
    if gradient and dtype == torch.float32:
        rtol = max(rtol, 1e-4)
    return {"rtol": rtol, "atol": atol}


def assert_same(ours: Any, theirs: Any, tol: Tolerance, values: bool = True) -> None:
    """minigrad's result has PyTorch's structure, shapes, dtypes and (with ``values``) values."""
    import torch

    if isinstance(theirs, torch.Size):
        assert tuple(ours) == tuple(theirs), f"got {ours!r}, expected {tuple(theirs)}"
        return
    if isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)), f"got {type(ours).__name__}, expected a sequence"
        assert len(ours) == len(theirs), f"got {len(ours)} results, expected {len(theirs)}"
        for a, b in zip(ours, theirs):
            assert_same(a, b, tol, values)
        return
    if not isinstance(theirs, torch.Tensor):
        assert ours == theirs or (ours != ours and theirs != theirs), f"got {ours!r}, expected {theirs!r}"
        return
    assert isinstance(ours, minigrad.Tensor), f"got {type(ours).__name__}, expected a Tensor"
    assert tuple(ours.shape) == tuple(theirs.shape), (
        f"shape {tuple(ours.shape)}, expected {tuple(theirs.shape)}"
    )
    assert ours.dtype == _dtype(theirs.dtype), f"dtype {ours.dtype}, expected {theirs.dtype}"
    if values:
        torch.testing.assert_close(
            torch.from_numpy(np.array(ours.detach().numpy())),
            theirs.detach(),
            equal_nan=True,
            **tol(theirs.dtype),
        )


def _random_like(t: Any, generator: Any) -> Any:
    import torch

    return torch.randn(t.shape, dtype=t.dtype, generator=generator)


def _grads_close(ours: tuple, theirs: tuple, leaves: list[Any], tol: Tolerance) -> None:
    import torch

    for i, (a, b, leaf) in enumerate(zip(ours, theirs, leaves)):
        b = torch.zeros_like(leaf) if b is None else b.detach()
        a = (
            np.zeros(b.shape, dtype=np.dtype(str(b.dtype).removeprefix("torch.")))
            if a is None
            else a.detach().numpy()
        )
        assert tuple(a.shape) == tuple(b.shape), (
            f"input {i}: gradient shape {a.shape}, expected {tuple(b.shape)}"
        )
        torch.testing.assert_close(
            torch.from_numpy(np.array(a)),
            b,
            equal_nan=True,
            msg=lambda m, i=i: f"input {i}: {m}",
            **tol(b.dtype),
        )


def _second_vjp(grad: Callable[..., Any], grads: tuple, cotangents: list, leaves: list) -> tuple:
    """The gradient of ``sum <grads[i], cotangents[i]>`` with respect to ``leaves`` (``None`` where
    no gradient depends on the leaves)."""
    terms = [(g * v).sum() for g, v in zip(grads, cotangents) if g is not None and g.requires_grad]
    if not terms:
        return (None,) * len(leaves)
    return grad(functools.reduce(operator.add, terms), leaves, allow_unused=True)


def check_gradients(form: Form, gradgrad: bool, tol: Tolerance, sample: Any) -> None:
    """minigrad's vector-Jacobian product (and its derivative) against PyTorch's, same cotangents."""
    import torch

    leaves_by_id: dict[int, Any] = {}
    args = _to_minigrad([sample.input, *sample.args], leaves_by_id)
    kwargs = _to_minigrad(dict(sample.kwargs), leaves_by_id)
    theirs_leaves = [t for t in _torch_tensors(sample) if t.requires_grad]
    ours_leaves = [leaves_by_id[id(t)] for t in theirs_leaves]
    if not theirs_leaves:
        return
    process = sample.output_process_fn_grad
    theirs_out = process(form.theirs(sample.input, *sample.args, **sample.kwargs))
    ours_out = process(form.ours(*args, **kwargs))
    pairs = [
        (o, t)
        for o, t in zip(_outputs(ours_out), _outputs(theirs_out))
        if isinstance(t, torch.Tensor) and t.requires_grad
    ]
    if not pairs:
        return
    generator = torch.Generator().manual_seed(0)
    cotangents = [_random_like(t, generator) for _, t in pairs]
    theirs_g = torch.autograd.grad(
        [t for _, t in pairs], theirs_leaves, cotangents, allow_unused=True, create_graph=gradgrad
    )
    ours_g = minigrad.autograd.grad(
        [o for o, _ in pairs],
        ours_leaves,
        [minigrad.tensor(c.numpy()) for c in cotangents],
        allow_unused=True,
        create_graph=gradgrad,
    )
    _grads_close(ours_g, theirs_g, theirs_leaves, tol)
    if not gradgrad:
        return
    second = [_random_like(leaf, generator) for leaf in theirs_leaves]
    theirs_gg = _second_vjp(torch.autograd.grad, theirs_g, second, theirs_leaves)
    ours_gg = _second_vjp(
        minigrad.autograd.grad, ours_g, [minigrad.tensor(v.numpy()) for v in second], ours_leaves
    )
    _grads_close(ours_gg, theirs_gg, theirs_leaves, tol)


def check_forward(opinfo_id: str, form: Form, tol: Tolerance, sample: Any) -> None:
    """One form on one sample: PyTorch's result (or its error: minigrad must raise too) against minigrad's."""
    import torch

    if form.inplace:
        target = sample.input.detach().clone(memory_format=torch.contiguous_format)
        try:
            theirs = form.theirs(target, *sample.args, **sample.kwargs)
        except RuntimeError:  # PyTorch refuses (a result dtype the input cannot hold): so must minigrad
            with pytest.raises((RuntimeError, TypeError, ValueError)):
                form.ours(
                    _to_minigrad(target, {}),
                    *_to_minigrad(list(sample.args), {}),
                    **_to_minigrad(dict(sample.kwargs), {}),
                )
            return
        ours_input = _to_minigrad(sample.input.detach(), {})
        ours = form.ours(
            ours_input, *_to_minigrad(list(sample.args), {}), **_to_minigrad(dict(sample.kwargs), {})
        )
        assert ours is ours_input, f"{form.label} returned a new tensor, not its input"
        assert_same(ours, target, tol, values=opinfo_id not in RANDOM)
        return
    with torch.no_grad():
        theirs = form.theirs(sample.input, *sample.args, **sample.kwargs)
    with minigrad.no_grad():
        ours = form.ours(
            *_to_minigrad([sample.input, *sample.args], {}), **_to_minigrad(dict(sample.kwargs), {})
        )
    assert_same(ours, theirs, tol, values=opinfo_id not in RANDOM)


# ---- the tests ---------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one test ran: samples run, and the failures and skips by check."""

    run: int = 0
    passed: int = 0
    failed: list[tuple[str, str, str]] = None  # (check, sample, error)
    skipped: list[tuple[str, str]] = None  # (sample, reason)

    def __post_init__(self) -> None:
        self.failed, self.skipped = [], []

    def attempt(self, check: str, sample: Any, fn: Callable[..., None], *args: Any) -> None:
        """Run one check; the samples hold NaN, inf and extremal values on purpose, so NumPy's
        floating-point warnings are silenced (as in every test that makes them on purpose)."""
        try:
            with np.errstate(all="ignore"):
                fn(*args, sample)
        except Exception as error:  # every failure is collected, then reported together
            message = " ".join(f"{type(error).__name__}: {error}".split())
            self.failed.append((check, describe(sample), message[:300]))

    def report(self, opinfo_id: str) -> None:
        if not self.failed:
            return
        lines = [f"{check} {sample}: {error}" for check, sample, error in self.failed]
        summary = f"{opinfo_id}: {len(self.failed)} failures in {self.run} samples\n" + "\n".join(lines[:40])
        unknown = [f for f in self.failed if (opinfo_id, f[0].split("[")[0]) not in NOT_YET]
        if unknown:
            pytest.fail(summary, pytrace=False)
        pytest.xfail(summary)


def _samples(opinfo: Any, dtype: Any, reference: bool, requires_grad: bool) -> Iterator[Any]:
    import torch

    torch.manual_seed(0)
    make = opinfo.reference_inputs if reference else opinfo.sample_inputs
    yield from make("cpu", dtype, requires_grad=requires_grad)


def _params(dtypes: list[str]) -> list[Any]:
    """(OpInfo id, dtype name) for each dtype PyTorch's op supports on the CPU."""
    if not MATCHED:  # no PyTorch: one case, skipped by the torch marker
        return [pytest.param(None, None, id="pytorch-not-installed")]
    import torch

    return [
        pytest.param(name, d, id=f"{name}-{d}")
        for name, opinfo in MATCHED.items()
        for d in dtypes
        if getattr(torch, d) in opinfo.supported_dtypes("cpu")
    ]


def run_opinfo(opinfo_id: str, dtype: Any, reference: bool) -> Tally:
    """Every sample of one OpInfo in one dtype through every form minigrad exposes: the forward
    (on ``reference_inputs`` with ``reference``), else the forward, the gradient and the double
    gradient (of the first out-of-place form) where the OpInfo supports them."""
    import torch

    opinfo, forms = MATCHED[opinfo_id], _forms(MATCHED[opinfo_id])
    differentiable = (
        not reference
        and opinfo.supports_autograd
        and opinfo_id not in RANDOM
        and dtype in opinfo.supported_backward_dtypes("cpu")
    )
    gradient = "gradgrad" if opinfo.supports_gradgrad else "grad"
    forward_tol, gradient_tol = (functools.partial(tolerance, opinfo, gradient) for gradient in (False, True))
    tally = Tally()
    for sample in _samples(opinfo, dtype, reference, differentiable):
        reason = _cannot_apply(opinfo_id, sample)
        if reason:
            tally.skipped.append((describe(sample), reason))
            continue
        tally.run += 1
        failures = len(tally.failed)
        applicable = [f for f in forms if not f.method or isinstance(sample.input, torch.Tensor)]
        for form in applicable:
            check = "reference" if reference else "forward"
            tally.attempt(f"{check}[{form.label}]", sample, check_forward, opinfo_id, form, forward_tol)
        grad_form = next((f for f in applicable if not f.inplace), None)
        if differentiable and grad_form is not None:
            tally.attempt(
                f"{gradient}[{grad_form.label}]",
                sample,
                check_gradients,
                grad_form,
                gradient == "gradgrad",
                gradient_tol,
            )
        tally.passed += len(tally.failed) == failures
    return tally


@pytest.mark.parametrize(("opinfo_id", "dtype_name"), _params(["float64", "float32"]))
def test_opinfo_samples(opinfo_id, dtype_name):
    """Forward of every form, gradient and double gradient, on PyTorch's samples."""
    import torch

    run_opinfo(opinfo_id, getattr(torch, dtype_name), reference=False).report(opinfo_id)


@pytest.mark.parametrize(("opinfo_id", "dtype_name"), _params(["float64", "int64"]))
def test_opinfo_reference_inputs(opinfo_id, dtype_name):
    """Forward of every form on PyTorch's reference inputs: NaN, inf, extremal values, non-contiguous."""
    import torch

    run_opinfo(opinfo_id, getattr(torch, dtype_name), reference=True).report(opinfo_id)


def test_every_matched_opinfo_has_a_form():
    """The match is not vacuous: the OpInfos of ops minigrad has always had are found."""
    if not OP_DB:
        pytest.skip("PyTorch is not installed")
    for name in (
        "nn.functional.conv2d",
        "nn.functional.max_pool2d",
        "sum",
        "matmul",
        "nn.functional.pad.reflect",
    ):
        assert name in MATCHED, name
    assert {f.label for f in _forms(MATCHED["sum"])} >= {"minigrad.sum", "Tensor.sum"}
