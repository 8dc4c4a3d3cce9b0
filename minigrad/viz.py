"""Pictures of the autograd graph: Graphviz DOT text, and SVG or PNG files when Graphviz is installed.

The picture reads top to bottom in the direction of the forward pass: leaf tensors (blue; the
parameters of a model in gold, with their names) feed op nodes (grey boxes named for their
backward step, ``MulBackward0``), which feed the output (green). An edge between two ops carries
an intermediate tensor and is labelled with its shape and dtype; an intermediate kept with
``retain_grad()`` is drawn as a tensor node of its own, so its value and gradient can be shown.
Inputs that need no gradient (constants, data) are not part of the graph and are not drawn.

>>> import minigrad
>>> w = minigrad.tensor([1.0, -1.0], requires_grad=True)
>>> loss = (w * w).sum()
>>> print(to_dot(loss))
digraph minigrad {
  node [fontname=Helvetica, fontsize=11];
  edge [fontname=Helvetica, fontsize=9];
  n0 [label="SumBackward0", shape=box, style=filled, fillcolor=lightgrey];
  n1 [label="MulBackward0", shape=box, style=filled, fillcolor=lightgrey];
  n1 -> n0 [label="(2,) float32"];
  n2 [label="(2,) float32", shape=ellipse, style=filled, fillcolor=lightblue];
  n2 -> n1;
  n2 -> n1;
  n3 [label="() float32", shape=ellipse, style=filled, fillcolor=darkolivegreen1];
  n0 -> n3;
}

``w`` is used twice by ``MulBackward0``, hence its two edges.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from minigrad._checks import is_int
from minigrad.autograd.function import AccumulateGrad
from minigrad.backend import backend_of
from minigrad.nn.parameter import Parameter
from minigrad.tensor import Tensor

FORMATS = ("svg", "png", "pdf")

_STYLES = {
    "op": "shape=box, style=filled, fillcolor=lightgrey",
    "leaf": "shape=ellipse, style=filled, fillcolor=lightblue",
    "parameter": 'shape=ellipse, style="filled,bold", fillcolor=gold',
    "output": "shape=ellipse, style=filled, fillcolor=darkolivegreen1",
    "retained": "shape=ellipse, style=filled, fillcolor=white",
}


def to_dot(
    tensor: Tensor | Sequence[Tensor],
    show_data: bool = False,
    show_grad: bool = False,
    params: Mapping[str, Tensor] | None = None,
    max_elements: int = 16,
) -> str:
    """Graphviz DOT text of the graph that computed ``tensor`` (or each tensor of a sequence).

    ``params`` maps names to tensors, as ``dict(model.named_parameters())``, to label them.
    ``show_data`` / ``show_grad`` print the values / ``.grad`` of the tensors drawn, showing at
    most ``max_elements`` numbers each (the ends of larger arrays, with ``...`` between).
    """
    if not is_int(max_elements) or max_elements < 1:
        raise ValueError(f"to_dot: max_elements must be a positive int, got {max_elements!r}")
    outputs = [tensor] if isinstance(tensor, Tensor) else list(tensor)
    for i, t in enumerate(outputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"to_dot: tensor {i} must be a minigrad Tensor, got {type(t).__name__}")
    graph = _Graph(show_data, show_grad, params or {}, max_elements)
    for t in outputs:
        graph.add_output(t)
    return graph.text()


def render(
    tensor: Tensor | Sequence[Tensor],
    path: str | Path,
    show_data: bool = False,
    show_grad: bool = False,
    params: Mapping[str, Tensor] | None = None,
) -> Path:
    """Draw the graph into ``path`` (format from its suffix: .svg, .png or .pdf) with Graphviz's ``dot``."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(
            f"render: path {str(path)!r} must end in one of {', '.join('.' + f for f in FORMATS)}"
        )
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            "render: the Graphviz program 'dot' was not found on PATH. Install Graphviz "
            "(apt-get install graphviz, brew install graphviz, or conda install graphviz), or "
            "paste the text of minigrad.viz.to_dot(tensor) into any Graphviz viewer."
        )
    text = to_dot(tensor, show_data=show_data, show_grad=show_grad, params=params)
    done = subprocess.run([dot, f"-T{fmt}", "-o", str(path)], input=text.encode(), capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"render: dot failed on {str(path)!r}: {done.stderr.decode().strip()}")
    return path


class _Graph:
    """Collects node and edge lines while walking the graph once from the outputs."""

    def __init__(
        self, show_data: bool, show_grad: bool, params: Mapping[str, Tensor], max_elements: int
    ) -> None:
        self.show_data, self.show_grad, self.max_elements = show_data, show_grad, max_elements
        self.names = {id(t): name for name, t in params.items()}
        self.ids: dict[int, str] = {}  # id(graph node or tensor) -> DOT node id
        self.lines: list[str] = []
        self.keep: list[Any] = []  # holds what ``ids`` refers to, so no id() is reused meanwhile

    def text(self) -> str:
        header = [
            "digraph minigrad {",
            "  node [fontname=Helvetica, fontsize=11];",
            "  edge [fontname=Helvetica, fontsize=9];",
        ]
        return "\n".join([*header, *self.lines, "}"])

    def add_output(self, t: Tensor) -> None:
        if id(t) in self.ids:
            return
        if t.grad_fn is None:
            self._tensor(
                t, "parameter" if isinstance(t, Parameter) else "leaf" if t.requires_grad else "output"
            )
            return
        op = self.ids.get(id(t.grad_fn)) or self._walk(t.grad_fn)
        self._edge(op, self._tensor(t, "output"))

    def _walk(self, root: Any) -> str:
        """Declare every op reachable from ``root`` and the edges into it; iterative, for deep graphs."""
        stack = [root]
        self._op(root)
        while stack:
            node = stack.pop()
            for edge in node.next_functions:
                if edge is None:
                    continue
                child, nr = edge
                if isinstance(child, AccumulateGrad):
                    kind = "parameter" if isinstance(child.variable, Parameter) else "leaf"
                    self._edge(self._tensor(child.variable, kind), self.ids[id(node)])
                    continue
                if id(child) not in self.ids:
                    self._op(child)
                    stack.append(child)
                self._intermediate(child, nr, self.ids[id(node)])
        return self.ids[id(root)]

    def _intermediate(self, producer: Any, nr: int, consumer: str) -> None:
        """The edge carrying output ``nr`` of ``producer``: through its tensor node when retained."""
        ref = producer.retained.get(nr)
        kept = ref() if ref is not None else None
        if kept is None:
            shape, dtype = producer.output_meta[nr]
            self._edge(self.ids[id(producer)], consumer, f"{shape} {dtype}")
            return
        if id(kept) not in self.ids:
            self._edge(self.ids[id(producer)], self._tensor(kept, "retained"))
        self._edge(self.ids[id(kept)], consumer)

    def _op(self, node: Any) -> str:
        return self._declare(node, node.name(), "op")

    def _tensor(self, t: Tensor, kind: str) -> str:
        if id(t) in self.ids:
            return self.ids[id(t)]
        lines = [self.names[id(t)]] if id(t) in self.names else []
        lines.append(f"{tuple(t.shape)} {t.dtype}")
        if self.show_data:
            lines.append("data " + _values(t.array, self.max_elements))
        if self.show_grad:
            lines.append("grad " + ("None" if t.grad is None else _values(t.grad.array, self.max_elements)))
        return self._declare(t, "\n".join(lines), kind)

    def _declare(self, thing: Any, label: str, kind: str) -> str:
        if id(thing) not in self.ids:
            self.ids[id(thing)] = f"n{len(self.ids)}"
            self.keep.append(thing)
            self.lines.append(f'  {self.ids[id(thing)]} [label="{_escape(label)}", {_STYLES[kind]}];')
        return self.ids[id(thing)]

    def _edge(self, tail: str, head: str, label: str | None = None) -> None:
        attributes = f' [label="{_escape(label)}"]' if label else ""
        self.lines.append(f"  {tail} -> {head}{attributes};")


def _values(array: Any, max_elements: int) -> str:
    """Numbers to four decimals, with ``...`` in the middle of arrays of more than ``max_elements``."""
    host = backend_of(array).to_host(array)
    edge = max(1, int(max_elements ** (1 / max(host.ndim, 1))) // 2)
    return np.array2string(host, precision=4, separator=", ", threshold=max_elements, edgeitems=edge)


def _escape(label: str) -> str:
    return label.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
