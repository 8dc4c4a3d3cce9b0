"""Differentiable primitives: ``Function`` (a forward and a backward rule) and the graph ``Node``.

Every op in minigrad, built in or user-defined, is a ``Function`` subclass. ``Function.apply``
runs ``forward`` without recording, then, if any input needs a gradient, links the outputs to a
``Node`` that remembers the inputs' graph positions and the context ``ctx``. The engine later
calls ``backward`` on that node, and because ``backward`` uses ordinary Tensor ops, the
gradient itself is differentiable.
"""

from __future__ import annotations

import itertools
import traceback
import weakref
from typing import Any

from minigrad.autograd import anomaly
from minigrad.autograd.grad_mode import is_grad_enabled, swap_grad_enabled
from minigrad.tensor import Tensor

_sequence = itertools.count()


class SavedTensor:
    """A tensor kept for backward, with the version it had, to catch later in-place changes."""

    __slots__ = ("tensor", "version")

    def __init__(self, tensor: Tensor) -> None:
        self.tensor = tensor
        self.version = tensor._version.value

    def unpack(self, node: Node) -> Tensor:
        if self.tensor._version.value != self.version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: a tensor of shape {self.tensor.shape} saved by "
                f"{node.name()} is at version {self.tensor._version.value}; expected version "
                f"{self.version} instead"
            )
        return self.tensor


class Context:
    """The ``ctx`` handed to ``forward`` and ``backward``: saved tensors and anything else."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self._saved: tuple[SavedTensor | None, ...] | None = ()
        self._node: Node | None = None

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward; modifying them in place afterwards makes backward fail."""
        self._saved = tuple(None if t is None else SavedTensor(t) for t in tensors)

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        if self._saved is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Specify retain_graph=True on the "
                "first backward call if you need to backward through the graph again."
            )
        return tuple(None if s is None else s.unpack(self._node) for s in self._saved)


class AccumulateGrad:
    """The graph node of a leaf that requires grad: the engine adds into ``leaf.grad`` here."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.next_functions: tuple = ()
        self.sequence = -1

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def graph_position(t: Tensor) -> tuple[Any, int] | None:
    """Where gradients for ``t`` go: its ``grad_fn`` and output index, or its leaf accumulator."""
    if t.grad_fn is not None:
        return t.grad_fn, t._output_nr
    if not t.requires_grad:
        return None
    accumulator = getattr(t, "_accumulator", None)
    node = accumulator() if accumulator is not None else None
    if node is None:
        node = AccumulateGrad(t)
        t._accumulator = weakref.ref(node)
    return node, 0


class Node:
    """One recorded call of a Function: the backward step the engine runs.

    ``next_functions`` holds, per forward argument, the node that receives its gradient (or
    ``None``), as in PyTorch.
    """

    def __init__(self, function: type, ctx: Context, inputs: tuple[Any, ...]) -> None:
        self.function = function
        self.ctx = ctx
        self.sequence = next(_sequence)
        self.next_functions = tuple(graph_position(a) if isinstance(a, Tensor) else None for a in inputs)
        self.input_meta = tuple((a.shape, a.dtype) if isinstance(a, Tensor) else None for a in inputs)
        self.output_meta: list[tuple[tuple[int, ...], Any, Any]] = []  # shape, dtype, array module
        self.retained: dict[int, weakref.ref] = {}
        self.stack = traceback.extract_stack()[:-3] if anomaly.is_anomaly_enabled() else None

    def name(self) -> str:
        return f"{self.function.__name__}Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    def retain(self, t: Tensor) -> None:
        self.retained[t._output_nr] = weakref.ref(t)

    def release(self) -> None:
        """Free saved tensors once backward has used them (unless ``retain_graph``)."""
        self.ctx._saved = None

    def apply(self, grads: list[Tensor | None]) -> tuple[Tensor | None, ...]:
        out = self.function.backward(self.ctx, *grads)
        out = out if isinstance(out, tuple) else (out,)
        if len(out) != len(self.next_functions):
            raise RuntimeError(
                f"{self.function.__name__}.backward returned {len(out)} gradients, "
                f"expected {len(self.next_functions)} (one per forward argument)"
            )
        return out


class Function:
    """Base class of differentiable ops: subclass with static ``forward`` and ``backward``.

    >>> import minigrad
    >>> class Square(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return Tensor(x.array ** 2)
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * grad
    >>> x = minigrad.tensor(3.0, requires_grad=True)
    >>> Square.apply(x).backward()
    >>> x.grad
    tensor(6.)
    """

    @staticmethod
    def forward(ctx: Context, *args: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, *grads: Tensor) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any) -> Any:
        _check_same_device(cls, args)
        needs = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        record = any(needs) and is_grad_enabled()
        ctx = Context(needs)
        previous = swap_grad_enabled(False)
        try:
            outputs = cls.forward(ctx, *args)
        finally:
            swap_grad_enabled(previous)
        single = isinstance(outputs, Tensor)
        outputs_tuple = tuple(
            out.detach() if any(out is a for a in args) else out  # never relabel an input
            for out in ((outputs,) if single else outputs)
        )
        if single:
            outputs = outputs_tuple[0]
        if getattr(cls, "is_view", False):
            base = args[0]
            for out in outputs_tuple:
                out._version = base._version
                out._base = base._base if base._base is not None else base
        if record:
            node = Node(cls, ctx, args)
            ctx._node = node
            for i, out in enumerate(outputs_tuple):
                out.grad_fn, out._output_nr = node, i
                out._requires_grad = True
                node.output_meta.append((out.shape, out.dtype, out.xp))
            if node.stack is not None:
                anomaly.check_forward(node, outputs_tuple)
        else:
            ctx._saved = None
        return outputs if single else outputs_tuple


def _check_same_device(cls: type, args: tuple[Any, ...]) -> None:
    kinds = {type(a._array) for a in args if isinstance(a, Tensor)}
    if len(kinds) < 2:
        return
    devices = {a.device for a in args if isinstance(a, Tensor)}
    if len(devices) > 1:
        names = " and ".join(sorted(str(d) for d in devices))
        raise RuntimeError(
            f"{cls.__name__}: expected all tensors to be on the same device, but found at least "
            f"two devices, {names}"
        )
