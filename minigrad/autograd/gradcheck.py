"""Check analytical gradients against float64 central finite differences, as ``torch.autograd``.

``gradcheck(func, inputs)`` compares the Jacobian that backward computes with the one that
``(f(x + eps) - f(x - eps)) / (2 eps)`` measures, for every input that requires grad and every
floating-point output. ``gradgradcheck`` does the same for the gradients themselves (built with
``create_graph=True``), which checks that every backward rule is itself differentiable.

Small problems get the full Jacobian: one pair of perturbed evaluations per input element (a
column) and one backward with a one-hot ``grad_output`` per output element (a row). Larger ones
(more than ``FULL_JACOBIAN_MAX_NUMEL`` input or output elements) compare a seeded random
projection ``v^T J u`` instead, and compute the full Jacobians only to report a mismatch.

>>> import numpy as np, minigrad
>>> x = minigrad.tensor(np.array([1.0, 2.0]), requires_grad=True)
>>> gradcheck(lambda t: (t * t).sum(), x)
True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.autograd.engine import grad
from minigrad.backend import backend_of, get_array_module
from minigrad.tensor import Tensor

FULL_JACOBIAN_MAX_NUMEL = 256
"""``fast_mode=None`` uses the full Jacobian while checked inputs and outputs each hold at most
this many elements (together), and the random projection above it."""

_SEED = 0  # the projection vectors and gradgradcheck's grad_outputs are reproducible


class GradcheckError(RuntimeError):
    """A gradient check failed (PyTorch's ``torch.autograd.gradcheck.GradcheckError``)."""


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool | None = None,
    nondet_tol: float = 0.0,
) -> bool:
    """True when backward agrees with central differences for every checked input and output.

    ``inputs`` is a Tensor or a tuple whose Tensors that require grad are checked (other entries
    are passed to ``func`` unchanged). ``func`` returns a Tensor or a tuple of Tensors. An
    element passes when ``|numerical - analytical| <= atol + rtol * |analytical|``. Inputs that
    are not float64 are checked in float64 copies, with a ``UserWarning``. On failure raises
    :class:`GradcheckError` (a ``RuntimeError``), or returns ``False`` when
    ``raise_exception=False``. ``fast_mode=None`` picks the random projection for large inputs.
    """
    args = _as_tuple(inputs)
    checked = [k for k, a in enumerate(args) if _is_tensor(a) and a.requires_grad]
    if not checked:
        raise ValueError("gradcheck: expected at least one input Tensor with requires_grad=True, got none")
    try:
        _Check(func, _float64_copies(args, checked), checked, eps, nondet_tol).run(atol, rtol, fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    fast_mode: bool | None = None,
    nondet_tol: float = 0.0,
) -> bool:
    """gradcheck of ``(inputs, grad_outputs) -> grads``, the gradients built with ``create_graph=True``.

    ``grad_outputs`` default to seeded uniform(-1, 1) float64 Tensors, one per output that
    requires grad; given ones that require grad are checked too.
    """
    args = _as_tuple(inputs)
    n_args = len(args)
    if grad_outputs is None:
        grad_outputs = _random_grad_outputs(_differentiable(_as_outputs(func(*args))))
    extra = _as_tuple(grad_outputs)

    def first_derivatives(*all_args: Any) -> tuple:
        ins, gos = all_args[:n_args], all_args[n_args:]
        outs = _differentiable(_as_outputs(func(*ins)))
        wrt = [a for a in ins if _is_tensor(a) and a.requires_grad]
        grads = grad(outs, wrt, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives,
        args + extra,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        fast_mode=fast_mode,
        nondet_tol=nondet_tol,
    )


# --- inputs and outputs ---------------------------------------------------------------------


def _is_tensor(value: Any) -> bool:
    return isinstance(value, Tensor)


def _as_tuple(value: Any) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _as_outputs(result: Any) -> tuple:
    outputs = _as_tuple(result)
    if not all(_is_tensor(o) for o in outputs):
        kinds = ", ".join(type(o).__name__ for o in outputs)
        raise TypeError(f"gradcheck: func must return a Tensor or a tuple of Tensors, got ({kinds})")
    return outputs


def _differentiable(outputs: tuple) -> list:
    return [o for o in outputs if o.requires_grad]


def _is_float(t: Any) -> bool:
    return np.dtype(t.dtype).kind == "f"


def _float64_copies(args: tuple, checked: list[int]) -> tuple:
    """Fresh float64 leaves for the checked inputs (C-contiguous, on the input's device)."""
    copies = list(args)
    for k in checked:
        x = args[k]
        if x.dtype != np.float64:
            warnings.warn(
                f"gradcheck: input {k} is {np.dtype(x.dtype).name}; checking it in a float64 copy "
                "(finite differences in lower precision are noise)",
                UserWarning,
                stacklevel=3,
            )
        array = x.xp.array(x.array, dtype=np.float64, order="C", copy=True)
        copies[k] = Tensor(array, requires_grad=True)
    return tuple(copies)


def _host(array: Any) -> np.ndarray:
    """A float64 NumPy copy of an array of any backend (for comparing and reporting)."""
    return np.array(backend_of(array).to_host(array), dtype=np.float64)


def _random_grad_outputs(outputs: list) -> tuple:
    rng = np.random.default_rng(_SEED)
    return tuple(
        Tensor(backend_of(o.array).from_host(rng.uniform(-1.0, 1.0, o.shape)), requires_grad=True)
        for o in outputs
    )


# --- the check ------------------------------------------------------------------------------


class _Check:
    """One gradient check: the function, its float64 inputs and its unperturbed outputs."""

    def __init__(
        self, func: Callable[..., Any], args: tuple, checked: list[int], eps: float, nondet_tol: float
    ) -> None:
        self.func, self.args, self.checked = func, args, checked
        self.eps, self.nondet_tol = eps, nondet_tol
        self.outputs = _as_outputs(func(*args))
        self.reference = [tuple(o.shape) for o in self.outputs]
        self.floats = [j for j, o in enumerate(self.outputs) if _is_float(o)]

    def run(self, atol: float, rtol: float, fast_mode: bool | None) -> None:
        """Raise GradcheckError unless every Jacobian (or its projection) agrees."""
        if fast_mode is None:
            n_in = sum(self.args[i].array.size for i in self.checked)
            n_out = sum(self.outputs[j].array.size for j in self.floats)
            fast_mode = max(n_in, n_out) > FULL_JACOBIAN_MAX_NUMEL
        if fast_mode:
            self.check_projections(atol, rtol)
        else:
            self.check_full(atol, rtol)

    # evaluation ---------------------------------------------------------------------------

    def evaluate(self, i: int, array: Any) -> list[np.ndarray]:
        """The floating outputs of ``func`` with input ``i`` replaced by ``array``, on the host."""
        args = list(self.args)
        args[i] = Tensor(array, requires_grad=True)
        outputs = _as_outputs(self.func(*args))
        shapes = [tuple(o.shape) for o in outputs]
        if shapes != self.reference:
            raise GradcheckError(
                f"gradcheck: the outputs' shapes changed from {self.reference} to {shapes} when "
                f"input {i} was perturbed by eps={self.eps}; func must be smooth near its inputs"
            )
        return [_host(outputs[j].array) for j in self.floats]

    def central_difference(self, i: int, direction: Any) -> list[np.ndarray]:
        """``(f(x_i + eps d) - f(x_i - eps d)) / 2 eps`` for every floating output, flattened."""
        base = self.args[i].array
        plus = self.evaluate(i, base + self.eps * direction)
        minus = self.evaluate(i, base - self.eps * direction)
        return [((p - m) / (2 * self.eps)).reshape(-1) for p, m in zip(plus, minus)]

    def vjp(self, j: int, grad_output: Any) -> list[np.ndarray | None]:
        """``grad_output^T J_j`` for each checked input (flattened), ``None`` where unconnected.

        Runs backward twice and insists on the same answer (reentrancy), and checks each
        gradient's shape, dtype and device against its input's.
        """
        first, second = self._vjp_once(j, grad_output), self._vjp_once(j, grad_output)
        for i, a, b in zip(self.checked, first, second):
            if not _same(a, b, self.nondet_tol):
                raise GradcheckError(
                    f"Backward is not reentrant: running backward twice for output {j} with the "
                    f"same grad_output gave different gradients for input {i} (nondet_tol="
                    f"{self.nondet_tol})"
                )
        return first

    def _vjp_once(self, j: int, grad_output: Any) -> list[np.ndarray | None]:
        output = self.outputs[j]
        inputs = [self.args[i] for i in self.checked]
        if not output.requires_grad:
            return [None] * len(inputs)
        grads = grad(output, inputs, Tensor(grad_output), retain_graph=True, allow_unused=True)
        rows = []
        for i, x, g in zip(self.checked, inputs, grads):
            if g is not None:
                if tuple(g.shape) != tuple(x.shape) or g.dtype != x.dtype or g.device != x.device:
                    raise GradcheckError(
                        f"gradcheck: the gradient for input {i} from output {j} has shape "
                        f"{tuple(g.shape)}, dtype {g.dtype}, device {g.device}; expected the "
                        f"input's shape {tuple(x.shape)}, dtype {x.dtype}, device {x.device}"
                    )
                g = _host(g.array).reshape(-1)
            rows.append(g)
        return rows

    # full Jacobians ----------------------------------------------------------------------

    def numerical_jacobians(self) -> dict[tuple[int, int], np.ndarray]:
        """``{(i, j): J}`` with ``J[r, c] = d output_j[r] / d input_i[c]`` by central differences."""
        jacobians = {}
        for i in self.checked:
            x = self.args[i].array
            for j in self.floats:
                jacobians[i, j] = np.zeros((self.outputs[j].array.size, x.size))
            for c in range(x.size):
                direction = get_array_module(x).zeros(x.size, dtype=np.float64)
                direction[c] = 1.0
                for j, column in zip(self.floats, self.central_difference(i, direction.reshape(x.shape))):
                    jacobians[i, j][:, c] = column
        return jacobians

    def analytical_jacobians(self) -> tuple[dict[tuple[int, int], np.ndarray], set]:
        """The same Jacobians from backward (one one-hot grad_output per row), and the
        ``(i, j)`` pairs where autograd returned no gradient at all."""
        jacobians, unconnected = {}, set()
        for j in self.floats:
            out = self.outputs[j].array
            rows = []
            for r in range(out.size):
                one_hot = get_array_module(out).zeros(out.size, dtype=out.dtype)
                one_hot[r] = 1
                rows.append(self.vjp(j, one_hot.reshape(out.shape)))
            for n, i in enumerate(self.checked):
                size = self.args[i].array.size
                if all(row[n] is None for row in rows):
                    unconnected.add((i, j))
                jacobians[i, j] = np.array(
                    [np.zeros(size) if row[n] is None else row[n] for row in rows]
                ).reshape(out.size, size)
        return jacobians, unconnected

    def check_full(self, atol: float, rtol: float) -> None:
        numerical = self.numerical_jacobians()
        analytical, unconnected = self.analytical_jacobians()
        for (i, j), num in numerical.items():
            ana = analytical[i, j]
            if not np.all(np.abs(num - ana) <= atol + rtol * np.abs(ana)):
                raise GradcheckError(self.report(i, j, num, ana, atol, rtol, (i, j) in unconnected))

    # random projections ------------------------------------------------------------------

    def check_projections(self, atol: float, rtol: float) -> None:
        """Compare ``v_j^T J_ij u_i`` for seeded random unit vectors ``u_i`` and ``v_j``."""
        rng = np.random.default_rng(_SEED)
        u = {i: _unit(rng, self.args[i].array.size) for i in self.checked}
        v = {j: _unit(rng, self.outputs[j].array.size) for j in self.floats}
        numerical = {}
        for i in self.checked:
            x = self.args[i].array
            direction = backend_of(x).from_host(u[i].reshape(x.shape))
            for n, jvp in enumerate(self.central_difference(i, direction)):
                j = self.floats[n]
                numerical[i, j] = float(v[j] @ jvp)
        for j in self.floats:
            out = self.outputs[j].array
            grad_output = backend_of(out).from_host(v[j].reshape(out.shape).astype(out.dtype))
            for n, vjp in enumerate(self.vjp(j, grad_output)):
                i = self.checked[n]
                ana = 0.0 if vjp is None else float(vjp @ u[i])
                num = numerical[i, j]
                if abs(num - ana) > atol * u[i].sum() * v[j].sum() + rtol * abs(ana):
                    self.report_projection_mismatch(i, j, num, ana, atol, rtol)

    def report_projection_mismatch(self, i, j, num, ana, atol, rtol) -> None:
        full_num = self.numerical_jacobians()[i, j]
        full_ana, unconnected = self.analytical_jacobians()
        note = (
            f"fast mode: the random projection v^T J u was {num!r} numerically and {ana!r} "
            "analytically; the full Jacobians follow"
        )
        raise GradcheckError(
            self.report(i, j, full_num, full_ana[i, j], atol, rtol, (i, j) in unconnected, note)
        )

    # reporting ---------------------------------------------------------------------------

    def report(self, i, j, num, ana, atol, rtol, unconnected, note=None) -> str:
        lines = [f"Jacobian mismatch for output {j} with respect to input {i},"]
        if note:
            lines.append(note)
        if unconnected:
            lines.append(
                f"autograd returned no gradient (None) for input {i}, yet output {j} depends on "
                "it numerically: was it detached, computed under no_grad, or computed from "
                ".array/.numpy() outside the graph?"
            )
        lines.append(
            f"rows: the {num.shape[0]} elements of output {j} (shape {self.reference[j]}); "
            f"columns: the {num.shape[1]} elements of input {i} (shape {tuple(self.args[i].shape)})"
        )
        lines.append(_side_by_side(num, ana, "numerical:", "analytical:"))
        if num.size:
            diff = np.abs(num - ana)
            r, c = np.unravel_index(int(np.argmax(diff)), diff.shape)
            out_index = np.unravel_index(r, self.reference[j]) if self.reference[j] else ()
            in_shape = tuple(self.args[i].shape)
            in_index = np.unravel_index(c, in_shape) if in_shape else ()
            lines.append(
                f"largest difference {diff[r, c]:.6g} at row {r}, column {c} (output element "
                f"{tuple(int(k) for k in out_index)}, input element {tuple(int(k) for k in in_index)}): "
                f"numerical {num[r, c]:.10g}, analytical {ana[r, c]:.10g}, allowed "
                f"atol + rtol * |analytical| = {atol + rtol * abs(ana[r, c]):.3g}"
            )
        return "\n".join(lines)


def _same(a: np.ndarray | None, b: np.ndarray | None, tol: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(np.all(np.abs(a - b) <= tol))


def _unit(rng: np.random.Generator, size: int) -> np.ndarray:
    """A random vector with positive entries and unit norm (PyTorch's fast-mode vectors)."""
    vector = rng.random(size)
    norm = np.linalg.norm(vector)
    return vector / norm if norm else vector


def _side_by_side(left: np.ndarray, right: np.ndarray, left_title: str, right_title: str) -> str:
    """Two matrices printed next to each other under their titles."""
    with np.printoptions(precision=6, suppress=True, linewidth=10_000, threshold=400, edgeitems=4):
        a = [left_title, *np.array2string(left).splitlines()]
        b = [right_title, *np.array2string(right).splitlines()]
    width = max(len(line) for line in a)
    a += [""] * (len(b) - len(a))
    b += [""] * (len(a) - len(b))
    return "\n".join(f"{x:<{width}}    {y}".rstrip() for x, y in zip(a, b))


__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "FULL_JACOBIAN_MAX_NUMEL"]
