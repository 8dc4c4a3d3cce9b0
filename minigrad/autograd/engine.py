"""The backward pass: walk the graph in reverse topological order and apply each node's rule.

Why an order at all? A node may only run once every gradient flowing into it has arrived (a
tensor used twice gets two contributions that must be summed first). The engine counts, for
each node, how many edges lead into it from the part of the graph being differentiated, and
runs a node when that count drops to zero: Kahn's algorithm, iterative, so a chain of ten
thousand ops needs no recursion.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from typing import Any

from minigrad.autograd import anomaly
from minigrad.autograd.function import AccumulateGrad, Node, graph_position
from minigrad.autograd.grad_mode import set_grad_enabled
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


def _collect(roots: list[Any]) -> dict[Any, int]:
    """Every node reachable from ``roots`` with the number of edges into it (iteratively)."""
    dependencies: dict[Any, int] = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for edge in node.next_functions:
            if edge is None:
                continue
            child = edge[0]
            dependencies[child] = dependencies.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return dependencies


def _needed(roots: list[Any], targets: set) -> set:
    """Nodes from which some target is reachable: only they need to run for ``grad``."""
    order, seen, stack = [], set(), [(r, False) for r in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        stack.extend((e[0], False) for e in node.next_functions if e is not None)
    needed: set = set()
    for node in order:  # children come before their parents in this post-order
        if node in targets or any(e is not None and e[0] in needed for e in node.next_functions):
            needed.add(node)
    return needed


def _fit(grad: Tensor, meta: tuple, node: Node, index: int) -> Tensor:
    """Sum a broadcast gradient back to the input's shape and cast it to the input's dtype."""
    shape, dtype = meta
    if grad.shape != shape:
        try:
            grad = grad.sum_to_size(shape)
        except (ValueError, RuntimeError):
            raise RuntimeError(
                f"{node.function.__name__}.backward returned a gradient of shape {grad.shape} "
                f"for input {index}, which has shape {shape}"
            ) from None
    return grad if grad.dtype == dtype else grad.to(dtype)


def run_backward(
    outputs: tuple[Tensor, ...],
    grad_outputs: list[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: Sequence[tuple[Any, int]] | None = None,
) -> list[Tensor | None] | None:
    """Propagate ``grad_outputs`` from ``outputs`` to the leaves.

    Without ``capture`` the gradients accumulate into leaves' ``.grad``. With ``capture`` (a list
    of graph positions) nothing is accumulated: the gradients arriving there are returned.
    """
    buffers: dict[Any, dict[int, Tensor]] = {}
    roots = []
    for out, g in zip(outputs, grad_outputs):
        node, nr = graph_position(out)
        _add(buffers, node, nr, g)
        if node not in roots:
            roots.append(node)
    dependencies = _collect(roots)
    targets = {pos[0] for pos in capture} if capture is not None else None
    needed = _needed(roots, targets) if targets is not None else None
    captured: dict[tuple[Any, int], Tensor] = {}
    ready = [(-n.sequence, id(n), n) for n in roots if dependencies.get(n, 0) == 0]
    heapq.heapify(ready)
    with set_grad_enabled(create_graph):
        while ready:
            node = heapq.heappop(ready)[2]
            grads = buffers.pop(node, {})
            if targets is not None and node in targets:
                for nr, g in grads.items():
                    captured[(node, nr)] = g
            if isinstance(node, AccumulateGrad):
                if targets is None and grads:
                    _accumulate(node.variable, grads[0], create_graph)
                continue
            _retain(node, grads)
            if grads and (needed is None or node in needed):
                _step(node, grads, buffers, retain_graph, needed)
            for edge in node.next_functions:
                if edge is None:
                    continue
                dependencies[edge[0]] -= 1
                if dependencies[edge[0]] == 0:
                    heapq.heappush(ready, (-edge[0].sequence, id(edge[0]), edge[0]))
    if capture is None:
        return None
    return [captured.get(pos) for pos in capture]


def _step(node: Node, grads: dict, buffers: dict, retain_graph: bool, needed: set | None) -> None:
    inputs = [
        grads.get(i) if grads.get(i) is not None else _zeros(node.output_meta[i])
        for i in range(len(node.output_meta))
    ]
    results = [
        None if g is None else _fit(g, node.input_meta[i], node, i)
        for i, g in enumerate(_apply(node, inputs))
    ]
    if anomaly.is_anomaly_enabled():
        anomaly.check_backward(node, results)
    for observer in observers:
        observer(node, inputs, results)
    if not retain_graph:
        node.release()
    for edge, g in zip(node.next_functions, results):
        if edge is None or g is None or (needed is not None and edge[0] not in needed):
            continue
        _add(buffers, edge[0], edge[1], g)


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


def _zeros(meta: tuple) -> Tensor:
    shape, dtype, xp = meta
    return Tensor(xp.zeros(shape, dtype=dtype))


def _add(buffers: dict, node: Any, nr: int, grad: Tensor) -> None:
    slot = buffers.setdefault(node, {})
    slot[nr] = grad if nr not in slot else slot[nr] + grad


def _retain(node: Node, grads: dict) -> None:
    for nr, ref in node.retained.items():
        t = ref()
        if t is not None and nr in grads:
            t.grad = grads[nr] if t.grad is None else t.grad + grads[nr]


def _accumulate(leaf: Tensor, grad: Tensor, create_graph: bool) -> None:
    """``leaf.grad += grad``; a new gradient is copied so no two leaves share one array."""
    if not create_graph:
        grad = grad.detach()
    if leaf.grad is None:
        leaf.grad = grad if create_graph else Tensor(grad.array.copy())
    else:
        leaf.grad = leaf.grad + grad


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
    retain = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        run_backward(outputs, grads, retain, create_graph)
        return
    targets = _as_tuple(inputs)
    results = grad(outputs, targets, grads, retain, create_graph, allow_unused=True)
    for t, g in zip(targets, results):
        if g is not None:
            t.grad = g if t.grad is None else t.grad + g


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
    targets = _as_tuple(inputs)
    for i, t in enumerate(targets):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    grads = _initial_grads(outs, _as_tuple(grad_outputs))
    retain = create_graph if retain_graph is None else retain_graph
    positions = [graph_position(t) for t in targets]
    results = run_backward(outs, grads, retain, create_graph, capture=positions)
    assert results is not None
    for i, (t, g) in enumerate(zip(targets, results)):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {t.shape}) was not used in the graph; "
                "pass allow_unused=True if this is expected"
            )
    return tuple(g if g is None or create_graph else g.detach() for g in results)
