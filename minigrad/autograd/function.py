"""Differentiable primitives: ``Function`` (a forward and a backward rule) and the graph ``Node``.

Every op in minigrad, built in or user-defined, is a ``Function`` subclass. ``Function.apply``
runs ``forward`` without recording; if some input needs a gradient, the ``ctx`` that forward saw
becomes a ``Node`` of the graph, holding its inputs' graph positions, and the outputs point at
it. The engine later calls ``backward`` with the same ``ctx``; because ``backward`` uses ordinary
Tensor ops, the gradient itself is differentiable.

The graph holds no reference cycle: tensors point at their node, nodes at their inputs' nodes,
and a node that saved one of its own outputs keeps only that output's data. So a forward pass
that is never differentiated is freed by reference counting alone.

A view (reshape, permute, expand, basic indexing) remembers its base and the ops that made it
(``ViewInfo``): after an in-place write to the storage, its history is rebuilt from the base's.
"""

from __future__ import annotations

import traceback
import weakref
from typing import Any

from minigrad import dtypes
from minigrad.autograd import anomaly
from minigrad.autograd.grad_mode import set_grad_enabled, state
from minigrad.tensor import Tensor


class SavedTensor:
    """A tensor kept for backward with the version it had then, to catch later in-place changes.

    The node's own output is kept as a detached tensor and given its history back on unpacking,
    so that the node and its output do not point at each other.
    """

    __slots__ = ("tensor", "version", "output_nr")

    def __init__(self, tensor: Tensor, node: Node) -> None:
        self.version = tensor._version.value
        if tensor._grad_fn is node:  # one of its own outputs: keep the data only
            self.tensor, self.output_nr = tensor.detach(), tensor._output_nr
        else:
            self.tensor, self.output_nr = tensor, None

    def unpack(self, node: Node) -> Tensor:
        t = self.tensor
        if t._version.value != self.version:
            output = "" if self.output_nr is None else f", which is output {self.output_nr} of {node.name()},"
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: [minigrad.{dtypes.torch_name(t.dtype)}Tensor {list(t.shape)}]{output} is at "
                f"version {t._version.value}; expected version {self.version} instead. Hint: enable anomaly "
                "detection to find the operation that failed to compute its gradient, with "
                "minigrad.autograd.set_detect_anomaly(True)."
            )
        if self.output_nr is None:
            return t
        out = t.detach()
        set_history(out, node, self.output_nr)
        return out


class Node:
    """One call of a Function: the ``ctx`` its forward and backward see and, once recorded, a graph node.

    ``next_functions`` holds, per forward argument, the node that receives its gradient and
    which of that node's outputs the argument was (or ``None``), as in PyTorch.
    """

    next_functions: tuple = ()
    input_meta: tuple = ()  # (shape, dtype) of each Tensor argument
    output_meta: tuple = ()  # (shape, dtype) of each output
    stack: Any = None  # where the op was created, in anomaly mode
    hooks: dict[int, dict] | None = None  # output index -> the gradient hooks of that output
    _saved: tuple | None = ()  # SavedTensors once recorded; None once backward freed them

    def __init__(self, function: type, needs_input_grad: tuple[bool, ...]) -> None:
        self.function = function
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward; modifying them in place afterwards makes backward fail."""
        self._saved = tensors  # ``record`` notes their versions; an unrecorded call keeps nothing

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        if self._saved is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Specify retain_graph=True on the "
                "first backward call if you need to backward through the graph again."
            )
        return tuple(None if s is None else s.unpack(self) for s in self._saved)

    def name(self) -> str:
        return self.function.node_name

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    def record(self, args: tuple, outputs: tuple[Tensor, ...]) -> None:
        """Link this call into the graph: where its inputs' gradients go, and its outputs' history."""
        self.next_functions = tuple(
            [graph_position(a) if need else None for a, need in zip(args, self.needs_input_grad)]
        )
        self.input_meta = tuple(
            [(a._array.shape, a._array.dtype) if isinstance(a, Tensor) else None for a in args]
        )
        self.output_meta = tuple([(out._array.shape, out._array.dtype) for out in outputs])
        self.retained: dict[int, weakref.ref] = {}  # output index -> the tensor that retains its grad
        for i, out in enumerate(outputs):
            set_history(out, self, i)
        self._saved = tuple([None if t is None else SavedTensor(t, self) for t in self._saved])
        if anomaly.is_anomaly_enabled():
            self.stack = traceback.extract_stack()[:-2]
            anomaly.check_forward(self, outputs)

    def apply(self, grads: list[Tensor]) -> tuple[Tensor | None, ...]:
        """Run the Function's backward: one gradient (or ``None``) per forward argument."""
        out = self.function.backward(self, *grads)
        out = out if isinstance(out, tuple) else (out,)
        if len(out) != len(self.next_functions):
            raise RuntimeError(
                f"{self.function.__name__}.backward returned {len(out)} gradients, "
                f"expected {len(self.next_functions)} (one per forward argument)"
            )
        return out


class AccumulateGrad:
    """The graph node of a leaf that requires grad: the engine adds into ``leaf.grad`` here."""

    next_functions: tuple = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def graph_position(t: Tensor) -> tuple[Any, int] | None:
    """Where gradients for ``t`` go: its ``grad_fn`` and output index, or its leaf accumulator."""
    node = t.grad_fn
    if node is not None:
        return node, t._output_nr
    if not t._requires_grad:
        return None
    node = t._accumulator() if t._accumulator is not None else None
    if node is None:  # the tensor holds its accumulator weakly: the graph owns it
        node = AccumulateGrad(t)
        t._accumulator = weakref.ref(node)
    return node, 0


def set_history(t: Tensor, node: Node | None, nr: int) -> None:
    """Make ``t`` output ``nr`` of ``node``: the one place a tensor's graph position is set.

    A tensor that retains its gradient keeps retaining it at its new position.
    """
    old = t._grad_fn
    if old is not None and node is not None and old is not node:
        ref = old.retained.get(t._output_nr)
        if ref is not None and ref() is t:
            del old.retained[t._output_nr]
            node.retained[nr] = ref
    t._grad_fn, t._output_nr = node, nr


def replay(t: Tensor, steps: tuple) -> Tensor:
    """Apply view ops to ``t``: ``steps`` holds pairs of a view Function and its other arguments."""
    for function, args in steps:
        t = function.apply(t, *args)
    return t


class ViewInfo:
    """What a view was made from: its ``base`` (the tensor owning the storage) and the view ops.

    ``version`` is the storage's version when the view's history was last set; after an
    in-place write, ``refresh`` rebuilds that history by replaying the ops on the base.
    """

    __slots__ = ("base", "steps", "version")

    def __init__(self, source: Tensor, function: type, args: tuple) -> None:
        parent = source._view
        self.base = source if parent is None else parent.base
        self.steps = (() if parent is None else parent.steps) + ((function, args),)
        self.version = source._version.value

    def refresh(self, view: Tensor) -> None:
        with set_grad_enabled(True):
            fresh = replay(self.base, self.steps)
        self.version = view._version.value
        set_history(view, fresh._grad_fn, fresh._output_nr)


class Function:
    """Base class of differentiable ops: subclass with static ``forward`` and ``backward``.

    A Function whose output shares its first argument's storage sets ``is_view = True``.

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

    is_view = False
    node_name = "FunctionBackward0"  # the name of its graph nodes: the class name + "Backward0", as PyTorch's

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "node_name" not in cls.__dict__:
            cls.node_name = f"{cls.__name__}Backward0"

    @staticmethod
    def forward(ctx: Node, *args: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Node, *grads: Tensor) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward``; record the call when grad mode is on and some input needs a gradient."""
        kind, needs, recording = None, [], state.enabled
        for a in args:
            if isinstance(a, Tensor):
                if kind is not type(a._array):
                    if kind is not None:
                        _raise_devices(cls, args)
                    kind = type(a._array)
                needs.append(recording and a.requires_grad)
            else:
                needs.append(False)
        if True not in needs:  # nothing to record: the lean path
            return _outputs(cls, args, cls.forward(Node(cls, tuple(needs)), *args))[0]
        ctx = Node(cls, tuple(needs))
        state.enabled = False
        try:
            outputs = cls.forward(ctx, *args)
        finally:
            state.enabled = True
        outputs, tensors = _outputs(cls, args, outputs)
        ctx.record(args, tensors)
        return outputs


def _outputs(cls: type, args: tuple, outputs: Any) -> tuple[Any, tuple[Tensor, ...]]:
    """Forward's result and its tensors, with an input among them replaced by a detached alias (an
    input is never relabelled); a view Function's outputs become views of its first argument."""
    single = isinstance(outputs, Tensor)
    tensors = (_fresh(outputs, args),) if single else tuple([_fresh(out, args) for out in outputs])
    if cls.is_view:
        for out in tensors:
            out._version, out._view = args[0]._version, ViewInfo(args[0], cls, args[1:])
    return (tensors[0] if single else tensors), tensors


def _fresh(out: Tensor, args: tuple) -> Tensor:
    for a in args:
        if a is out:
            return out.detach()
    return out


def _raise_devices(cls: type, args: tuple[Any, ...]) -> None:
    devices = {a.device for a in args if isinstance(a, Tensor)}
    if len(devices) > 1:
        names = " and ".join(sorted(str(d) for d in devices))
        raise RuntimeError(
            f"{cls.__name__}: expected all tensors to be on the same device, but found at least "
            f"two devices, {names}"
        )
