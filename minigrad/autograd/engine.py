"""The backward pass: one walk orders and prunes the graph, then each node's rule runs once.

A node may only run once every gradient flowing into it has arrived (a tensor used twice gets
two contributions that must be summed first). A depth-first walk from the outputs lists the
nodes in reverse post-order, where each node comes before the nodes of its inputs; running them
in that order is enough. The walk is iterative, so a chain of ten thousand ops needs no
recursion. ``backward()`` and ``grad()`` are two thin callers of the same pass.

The engine sits above the ops: summing a broadcast gradient to its input's shape, casting it
and adding two contributions are ops themselves, so that ``create_graph=True`` records them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from minigrad.autograd import anomaly
from minigrad.autograd.function import AccumulateGrad, Node, graph_position
from minigrad.autograd.grad_mode import set_grad_enabled
from minigrad.ops.elementwise import add, cast
from minigrad.ops.shape import clone, sum_to_size
from minigrad.tensor import Tensor, ones_like

# Called as observer(node, grads_in, grads_out) after each backward step (see ``trace``).
observers: list[Callable[[Any, Sequence, Sequence], None]] = []


def _as_tuple(x: Any) -> tuple:
    if x is None:
        return ()
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _initial_grads(outputs: tuple[Tensor, ...], grad_outputs: tuple) -> list[Tensor]:
    if grad_outputs and len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad_outputs: got {len(grad_outputs)} gradients for {len(outputs)} outputs")
    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if grad_outputs else None
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out.numel() != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs; output {i} has "
                    f"shape {out.shape}: pass gradient= (or grad_outputs=) of that shape"
                )
            g = ones_like(out)
        elif not isinstance(g, Tensor):
            g = Tensor(out.xp.asarray(g, dtype=out.dtype))
        if g.shape != out.shape:
            raise RuntimeError(f"gradient: shape {g.shape} does not match the output's shape {out.shape}")
        grads.append(g)
    return grads


def _order(roots: list[Any], targets: set | None) -> dict[Any, bool]:
    """The nodes to visit, in an order where each comes before its inputs' nodes, each mapped to
    whether its backward must run: all of them, or with ``targets`` only those that lead to one."""
    post, seen, stack = [], set(), [(root, False) for root in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            post.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            # the first input's nodes finish first, so the last input's run first, as in PyTorch
            stack.extend((edge[0], False) for edge in reversed(node.next_functions) if edge is not None)
    if targets is None:
        return {node: True for node in reversed(post)}
    leads: set = set()
    for node in post:  # the nodes of a node's inputs come before it in post-order
        if any(edge is not None and (edge[0] in leads or edge[0] in targets) for edge in node.next_functions):
            leads.add(node)
    return {node: node in leads for node in reversed(post) if node in leads or node in targets}


def _run(
    outputs: tuple[Tensor, ...],
    grads: list[Tensor],
    retain_graph: bool,
    create_graph: bool,
    inputs: tuple[Tensor, ...] | None = None,
    capture: bool = False,
) -> list[Tensor | None] | None:
    """Propagate ``grads`` from ``outputs`` to the leaves (only towards ``inputs`` when given).

    Gradients accumulate into the ``.grad`` of leaves and of tensors that retain theirs; with
    ``capture`` the leaves are left alone and the gradients arriving at ``inputs`` are returned.
    """
    buffers: dict[Any, dict[int, Tensor]] = {}
    for out, g in zip(outputs, grads):
        _add(buffers, graph_position(out), g)
    positions = [graph_position(t) for t in inputs] if inputs is not None else []
    order = _order(list(buffers), {node for node, _ in positions} if inputs is not None else None)
    captured: dict[tuple[Any, int], Tensor] = {}
    with set_grad_enabled(create_graph):
        for node, runs in order.items():
            arrived = buffers.pop(node, None)
            if arrived is None:
                continue
            hooks = node.variable._hooks if isinstance(node, AccumulateGrad) else node.hooks
            if hooks:
                _run_hooks(hooks, arrived, isinstance(node, AccumulateGrad))
            if capture:
                captured.update(((node, nr), g) for nr, g in arrived.items())
            if isinstance(node, AccumulateGrad):
                if not capture:
                    accumulate(node.variable, arrived[0], create_graph)
                continue
            for nr, ref in list(node.retained.items()) if node.retained else ():
                if ref() is not None and nr in arrived:
                    accumulate(ref(), arrived[nr], create_graph)
            if runs:
                _step(node, arrived, buffers, retain_graph, order)
    return [captured.get(pos) for pos in positions] if capture else None


def _run_hooks(hooks: dict, arrived: dict[int, Tensor], leaf: bool) -> None:
    """Let the tensors' hooks see, and replace, the gradients that arrived for them."""
    for nr, fns in ({0: hooks} if leaf else hooks).items():
        for fn in list(fns.values()) if nr in arrived else ():
            replaced = fn(arrived[nr])
            if replaced is not None:
                arrived[nr] = replaced


def _step(node: Node, grads: dict, buffers: dict, retain_graph: bool, order: dict) -> None:
    if len(grads) == len(node.output_meta):
        inputs = [grads[i] for i in range(len(grads))]
    else:  # an output that no gradient reached gets zeros, on the device of one that did
        xp = next(iter(grads.values())).xp
        inputs = [
            grads[i] if i in grads else Tensor(xp.zeros(shape, dtype=dtype))
            for i, (shape, dtype) in enumerate(node.output_meta)
        ]
    edges = node.next_functions
    results = [  # the gradients of inputs that need none are dropped, unsummed
        None if g is None or edge is None else _fit(g, meta, node, i)
        for i, (edge, g, meta) in enumerate(zip(edges, _apply(node, inputs), node.input_meta))
    ]
    if anomaly.is_anomaly_enabled():
        anomaly.check_backward(node, results)
    for observer in observers:
        observer(node, inputs, results)
    if not retain_graph:
        node._saved = None  # free what forward saved, once backward has used it
    for edge, g in zip(edges, results):
        if g is not None and edge[0] in order:
            _add(buffers, edge, g)


def _apply(node: Node, inputs: list[Tensor]) -> tuple:
    """Run the node's backward; in anomaly mode an error also says where the op was created."""
    if node.stack is None:
        return node.apply(inputs)
    try:
        return node.apply(inputs)
    except RuntimeError as err:
        raise RuntimeError(
            f"{err}\nThe forward op {node.name()} was created at:\n{anomaly.where(node)}"
        ) from err


def _fit(grad: Tensor, meta: tuple, node: Node, index: int) -> Tensor:
    """Sum a broadcast gradient back to the input's shape and cast it to the input's dtype."""
    shape, dtype = meta
    if grad._array.shape != shape:
        try:
            grad = sum_to_size(grad, shape)
        except (ValueError, RuntimeError):
            raise RuntimeError(
                f"{node.function.__name__}.backward returned a gradient of shape {grad.shape} "
                f"for input {index}, which has shape {shape}"
            ) from None
    return grad if grad._array.dtype == dtype else cast(grad, dtype)


def _add(buffers: dict, position: tuple[Any, int], grad: Tensor) -> None:
    node, nr = position
    slot = buffers.setdefault(node, {})
    slot[nr] = grad if nr not in slot else add(slot[nr], grad)


def accumulate(t: Tensor, grad: Tensor, create_graph: bool) -> None:
    """``t.grad += grad``, as PyTorch: leaves, retained non-leaves and ``inputs=`` all come here.

    The first gradient is copied, so ``.grad`` is a writable tensor of its own. Later ones add
    into a leaf's ``.grad`` in place (a reference taken earlier sees the sum); with
    ``create_graph``, and for non-leaves, the sum is a new tensor.
    """
    if t.grad is None:
        t.grad = clone(grad) if create_graph else Tensor(grad.array.copy())
    elif create_graph or not t.is_leaf:
        t.grad = add(t.grad, grad)
    else:
        t.grad.array[...] += grad.array
        t.grad._version.value += 1


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves (or of ``inputs``)."""
    outputs = _as_tuple(tensors)
    grads = _initial_grads(outputs, _as_tuple(grad_tensors))
    targets = _checked_inputs("backward", inputs) if inputs is not None else None
    for t in targets or ():
        if not t.is_leaf:
            t.retain_grad()  # as PyTorch: a non-leaf input gets its .grad like a retained tensor
    _run(outputs, grads, create_graph if retain_graph is None else retain_graph, create_graph, targets)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` is left alone).

    >>> import minigrad
    >>> x = minigrad.tensor(3.0, requires_grad=True)
    >>> (dy,) = grad(x ** 3, x, create_graph=True)
    >>> grad(dy, x)
    (tensor(18.),)
    """
    outs = _as_tuple(outputs)
    targets = _checked_inputs("grad", inputs)
    grads = _initial_grads(outs, _as_tuple(grad_outputs))
    retain = create_graph if retain_graph is None else retain_graph
    results = _run(outs, grads, retain, create_graph, targets, capture=True)
    assert results is not None
    for i, (t, g) in enumerate(zip(targets, results)):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {t.shape}) was not used in the graph; "
                "pass allow_unused=True if this is expected"
            )
    return tuple(g if g is None or create_graph else g.detach() for g in results)


def _checked_inputs(name: str, inputs: Any) -> tuple[Tensor, ...]:
    targets = _as_tuple(inputs)
    if not targets:
        raise RuntimeError(f"{name}: 'inputs' argument cannot be empty")
    for i, t in enumerate(targets):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"{name}: input {i} does not require grad")
    return targets
