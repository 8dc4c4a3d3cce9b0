"""Hypothesis strategies for property tests of minigrad ops and of your own.

Gradient checks flake when a finite-difference stencil ``x +- eps`` straddles a kink (``relu``
and ``abs`` at 0, a ``max`` tie, a ``clamp`` bound) or a singularity. These strategies rule that
out by construction: by default every value lies on the lattice ``+-(min_gap/2 + k*min_gap)``
inside ``[min_value, max_value]``, so values are unique, at least ``min_gap`` (1e-3) apart, at
least ``min_gap/2`` from zero and from every multiple of ``min_gap`` (use such multiples as
``clamp`` bounds), bounded (default ``|x| < 10``), never subnormal, NaN or infinite.

This is the only minigrad module that imports hypothesis (an optional dependency).

>>> from hypothesis import given, settings
>>> @settings(max_examples=5)
... @given(tensors(shape=(2, 3), positive=True))
... def test_log_is_finite(x):
...     assert bool((x.log().array < 3).all())
>>> test_log_is_finite()
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from minigrad.testing import _STRATEGIES

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.extra import numpy as hnp
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError("minigrad.testing.strategies needs hypothesis: pip install 'minigrad[test]'") from err

MIN_GAP = 1e-3
"""Default smallest distance between two drawn values (far above ``2 * eps`` of gradcheck)."""

BOUND = 10.0
"""Default bound on drawn magnitudes."""

Shape = tuple[int, ...]


class ReductionArgs(NamedTuple):
    """A shape and reduction arguments that fit it: ``x.sum(dim=dim, keepdim=keepdim)``."""

    shape: Shape
    dim: int | tuple[int, ...] | None
    keepdim: bool


def shapes(
    min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[Shape]:
    """Array shapes with ``min_dims..max_dims`` dimensions of ``min_side..max_side`` each."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def elements(
    min_value: float = -BOUND,
    max_value: float = BOUND,
    *,
    dtype: Any = np.float64,
    away_from_zero: float = 0.0,
) -> st.SearchStrategy[float]:
    """Finite, non-subnormal floats in ``[min_value, max_value]`` with ``|x| >= away_from_zero``.

    For scalar arguments (exponents, clamp bounds, scalar operands).
    """
    width = 8 * np.dtype(dtype).itemsize

    def between(lo: float, hi: float) -> st.SearchStrategy[float]:
        return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False, width=width)

    if away_from_zero <= 0:
        return between(min_value, max_value)
    sides = []
    if max_value >= away_from_zero:
        sides.append(between(max(min_value, away_from_zero), max_value))
    if min_value <= -away_from_zero:
        sides.append(between(min_value, min(max_value, -away_from_zero)))
    if not sides:
        raise InvalidArgument(
            f"elements: no value in [{min_value}, {max_value}] is at least {away_from_zero} from 0"
        )
    return st.one_of(sides)


def arrays(
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    dtype: Any = np.float64,
    *,
    elements: st.SearchStrategy[float] | None = None,
    unique: bool = True,
    min_value: float = -BOUND,
    max_value: float = BOUND,
    min_gap: float = MIN_GAP,
    away_from_zero: float | None = None,
    positive: bool = False,
) -> st.SearchStrategy[np.ndarray]:
    """NumPy arrays of ``dtype`` whose values suit gradient checks (see the module docstring).

    ``shape`` is a shape, a strategy of shapes, or ``None`` for :func:`shapes`. Without
    ``elements`` values come from the lattice: in ``[min_value, max_value]``, positive only with
    ``positive=True`` (for ``log``, ``sqrt``), ``|x| >= away_from_zero`` (default
    ``min_gap / 2``; raise it for division), and, when ``unique``, pairwise at least ``min_gap``
    apart. With ``elements`` given, those are used, and ``unique`` also enforces ``min_gap``.
    """
    if shape is None:
        shape = shapes()
    if isinstance(shape, st.SearchStrategy):
        return shape.flatmap(
            lambda s: arrays(
                s,
                dtype,
                elements=elements,
                unique=unique,
                min_value=min_value,
                max_value=max_value,
                min_gap=min_gap,
                away_from_zero=away_from_zero,
                positive=positive,
            )
        )
    shape = tuple(shape)
    if elements is not None:
        drawn = hnp.arrays(dtype, shape, elements=elements, unique=unique)
        return drawn.filter(lambda a: _smallest_gap(a) >= min_gap) if unique else drawn
    if positive:
        min_value = max(min_value, 0.0)
    candidates = _lattice(min_value, max_value, min_gap, away_from_zero)
    size = int(np.prod(shape))
    if unique and size > candidates.size:
        raise InvalidArgument(
            f"arrays: shape {shape} needs {size} unique values, but only {candidates.size} lie in "
            f"[{min_value}, {max_value}] at least min_gap={min_gap} apart"
        )
    indices = hnp.arrays(np.int64, shape, elements=st.integers(0, candidates.size - 1), unique=unique)
    return indices.map(lambda k: candidates[k].astype(dtype))


def tensors(
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    dtype: Any = np.float64,
    elements: st.SearchStrategy[float] | None = None,
    requires_grad: bool = True,
    unique: bool = True,
    *,
    min_value: float = -BOUND,
    max_value: float = BOUND,
    min_gap: float = MIN_GAP,
    away_from_zero: float | None = None,
    positive: bool = False,
    device: Any = None,
) -> st.SearchStrategy[Any]:
    """minigrad Tensors (leaves, ``requires_grad=True`` by default) with :func:`arrays`' values.

    >>> from hypothesis import given, settings
    >>> from minigrad.autograd import gradcheck
    >>> @settings(max_examples=5)
    ... @given(tensors())
    ... def test_relu_gradient(x):
    ...     assert gradcheck(lambda t: t.relu(), x)   # no value sits on relu's kink
    >>> test_relu_gradient()
    """
    import minigrad

    drawn = arrays(
        shape,
        dtype,
        elements=elements,
        unique=unique,
        min_value=min_value,
        max_value=max_value,
        min_gap=min_gap,
        away_from_zero=away_from_zero,
        positive=positive,
    )
    return drawn.map(lambda a: minigrad.tensor(a, dtype=dtype, requires_grad=requires_grad, device=device))


def broadcastable_shapes(
    shape: Shape, min_dims: int = 0, max_dims: int | None = None, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[Shape]:
    """Shapes that broadcast with ``shape`` (NumPy/PyTorch rules, either side may stretch)."""
    return hnp.broadcastable_shapes(
        tuple(shape), min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def mutually_broadcastable_shapes(
    num_shapes: int = 2, min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[hnp.BroadcastableShapes]:
    """``BroadcastableShapes(input_shapes, result_shape)``: ``num_shapes`` shapes that broadcast together.

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(mutually_broadcastable_shapes())
    ... def test_result(shapes):
    ...     assert np.broadcast_shapes(*shapes.input_shapes) == shapes.result_shape
    >>> test_result()
    """
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


@st.composite
def broadcasting_to(draw: Any, shape: Shape) -> Shape:
    """Shapes that broadcast *to* ``shape`` (not the other way): leading dimensions dropped and
    others set to 1. For ``value`` in ``x[idx] = value``, and ``sum_to_size`` targets.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(broadcasting_to((2, 3)))
    ... def test_source(s):
    ...     assert np.broadcast_shapes(s, (2, 3)) == (2, 3)
    >>> test_source()
    """
    drop = draw(st.integers(0, len(shape)))
    return tuple(1 if draw(st.booleans()) else side for side in shape[drop:])


@st.composite
def expand_shapes(draw: Any, shape: Shape, max_new_dims: int = 2, max_side: int = 4) -> Shape:
    """Targets for ``x.expand(*target)``: size-1 dimensions stretched, new leading ones added.

    ``-1`` (keep this dimension) appears too, as ``expand`` allows.
    """
    new = draw(st.lists(st.integers(1, max_side), max_size=max_new_dims))
    kept = []
    for side in shape:
        if side == 1:
            kept.append(draw(st.integers(1, max_side)))
        else:
            kept.append(draw(st.sampled_from([side, -1])))
    return (*new, *kept)


@st.composite
def reshape_shapes(draw: Any, shape: Shape, max_dims: int = 4) -> Shape:
    """Shapes with as many elements as ``shape`` (for ``reshape``/``view``), sometimes with one -1."""
    numel = int(np.prod(shape))
    ndim = draw(st.integers(0 if numel == 1 else 1, max_dims))
    sides = [1] * ndim
    for factor in _prime_factors(numel):
        sides[draw(st.integers(0, ndim - 1))] *= factor
    if ndim and draw(st.booleans()):
        sides[draw(st.integers(0, ndim - 1))] = -1
    return tuple(sides)


def matmul_shapes(
    max_batch_dims: int = 2, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[hnp.BroadcastableShapes]:
    """``BroadcastableShapes(input_shapes=(a, b), result_shape)`` for ``a @ b``.

    Covers vector-vector, matrix-vector, vector-matrix, matrix-matrix and batched products whose
    batch dimensions broadcast.

    >>> import numpy as np
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(matmul_shapes())
    ... def test_shapes(shapes):
    ...     a, b = (np.ones(s) for s in shapes.input_shapes)
    ...     assert (a @ b).shape == shapes.result_shape
    >>> test_shapes()
    """
    return hnp.mutually_broadcastable_shapes(
        signature=np.matmul.signature, max_dims=max_batch_dims, min_side=min_side, max_side=max_side
    )


@st.composite
def reduction_args(
    draw: Any,
    shape: Shape | st.SearchStrategy[Shape] | None = None,
    *,
    allow_none: bool = True,
    allow_tuple: bool = True,
) -> ReductionArgs:
    """A shape with a ``dim`` (``None``, an int or a tuple of distinct dims, negatives included)
    and a ``keepdim`` for ``sum``/``mean``/``amax``/``amin``; ``allow_tuple=False`` for ``max``/``min``.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(reduction_args(shape=(2, 3)))
    ... def test_dims(args):
    ...     assert args.dim is None or args.dim in range(-2, 2) or len(args.dim) >= 1
    >>> test_dims()
    """
    if shape is None:
        shape = shapes(min_dims=0 if allow_none else 1)
    if isinstance(shape, st.SearchStrategy):
        shape = draw(shape)
    shape = tuple(shape)
    ndim = len(shape)
    keepdim = draw(st.booleans())
    choices = ["none"] if allow_none else []
    if ndim:
        choices += ["int", "tuple"] if allow_tuple else ["int"]
    kind = draw(st.sampled_from(choices or ["scalar"]))
    if kind == "none":
        return ReductionArgs(shape, None, keepdim)
    if kind == "scalar":  # a 0-d tensor reduces over dim 0 or -1, as in PyTorch
        return ReductionArgs(shape, draw(st.sampled_from([0, -1])), keepdim)
    if kind == "int":
        return ReductionArgs(shape, draw(st.integers(-ndim, ndim - 1)), keepdim)
    dims = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return ReductionArgs(shape, tuple(d - ndim if draw(st.booleans()) else d for d in dims), keepdim)


def basic_indices(shape: Shape, min_dims: int = 0, max_dims: int | None = None) -> st.SearchStrategy[Any]:
    """Basic indices for ``shape``: ints, slices (negative steps too), ``None`` and ``...``."""
    return hnp.basic_indices(
        tuple(shape), min_dims=min_dims, max_dims=max_dims, allow_newaxis=True, allow_ellipsis=True
    )


def integer_array_indices(
    shape: Shape, result_shape: st.SearchStrategy[Shape] | None = None
) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """A tuple of int64 index arrays, one per dimension of ``shape``, broadcasting to
    ``result_shape``; indices may be negative and repeat (gradients then accumulate)."""
    return hnp.integer_array_indices(
        tuple(shape), result_shape=result_shape if result_shape is not None else shapes(1, 2, 1, 5)
    )


_UNARY_OPS = ("exp", "tanh", "sigmoid", "sin", "relu", "neg", "sum")
_BINARY_OPS = ("add", "mul", "sub")


def _default_leaves() -> list[Any]:
    import minigrad

    return [minigrad.tensor([0.5, -0.25], requires_grad=True), minigrad.tensor(0.75, requires_grad=True)]


@st.composite
def graphs(
    draw: Any,
    leaves: Callable[[], Sequence[Any]] = _default_leaves,
    max_ops: int = 15,
    unary: tuple[str, ...] = _UNARY_OPS,
    binary: tuple[str, ...] = _BINARY_OPS,
) -> list[Any]:
    """Random autograd graphs: the tensors ``leaves()`` makes (fresh ones each time), then 1 to
    ``max_ops`` Tensor methods from ``unary`` and ``binary``, each applied to earlier tensors;
    returns them all, leaves first.

    Any tensor may feed several ops, so the graphs have shared nodes and diamonds; the default
    leaves, a vector and a scalar that require gradients, broadcast together.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5)
    ... @given(graphs())
    ... def test_backward_reaches_the_leaves(tensors):
    ...     sum(t.sum() for t in tensors[2:]).backward()
    ...     assert tensors[0].grad is not None or tensors[1].grad is not None
    >>> test_backward_reaches_the_leaves()
    """
    program = draw(
        st.lists(
            st.tuples(st.sampled_from(unary + binary), st.integers(0, 50), st.integers(0, 50)),
            min_size=1,
            max_size=max_ops,
        )
    )
    tensors = list(leaves())
    for op, i, j in program:
        a, b = tensors[i % len(tensors)], tensors[j % len(tensors)]
        tensors.append(getattr(a, op)(b) if op in binary else getattr(a, op)())
    return tensors


def _lattice(min_value: float, max_value: float, gap: float, away_from_zero: float | None) -> np.ndarray:
    """The candidate values ``+-(z + k*gap)`` in ``[min_value, max_value]``, smallest |x| first.

    Hypothesis shrinks indices towards 0, so failing examples shrink towards small values.
    """
    if gap <= 0:
        raise InvalidArgument(f"min_gap must be positive, got {gap}")
    z = gap / 2 if away_from_zero is None else max(away_from_zero, gap / 2)
    reach = max(abs(min_value), abs(max_value))
    magnitudes = z + gap * np.arange(max(0, int(np.floor((reach - z) / gap)) + 1))
    values = np.stack([magnitudes, -magnitudes], axis=1).reshape(-1)
    values = values[(values >= min_value) & (values <= max_value)]
    if not values.size:
        raise InvalidArgument(f"no value in [{min_value}, {max_value}] is at least {z} from zero")
    return values


def _smallest_gap(array: np.ndarray) -> float:
    flat = np.sort(array.reshape(-1).astype(np.float64))
    return float(np.diff(flat).min()) if flat.size > 1 else np.inf


def _prime_factors(n: int) -> list[int]:
    factors, p = [], 2
    while p * p <= n:
        while n % p == 0:
            factors.append(p)
            n //= p
        p += 1
    return factors + ([n] if n > 1 else [])


__all__ = list(_STRATEGIES["strategies"])
