"""``trace()``: record the backward pass step by step, to see the order the engine runs ops in.

Each step is one op's backward rule: the gradients of its outputs arrive (``grad_outputs``, as
PyTorch's hooks name them) and the gradients of its inputs leave (``grad_inputs``). The engine
runs a step only once every op that used its output has run, so the table shows a reverse
topological order of the graph.

>>> import minigrad
>>> x = minigrad.tensor([3.0, 4.0], requires_grad=True)
>>> with trace() as t:
...     (x * x).sum().backward()
>>> [step.name for step in t.steps]
['SumBackward0', 'MulBackward0']
>>> print(t)
step  op            inputs -> outputs   |grad_outputs|  |grad_inputs|
   1  SumBackward0  (2,) -> ()          1               1.414
   2  MulBackward0  (2,), (2,) -> (2,)  1.414           5, 5
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from minigrad.autograd import engine


@dataclass(frozen=True)
class Step:
    """One backward step: the op, its forward shapes and the norms of the gradients it handled.

    ``input_shapes`` and ``grad_input_norms`` list the op's Tensor arguments only; a norm is
    ``None`` where that input needs no gradient (and ``-`` in the table).
    """

    name: str
    node: Any
    input_shapes: tuple[tuple[int, ...], ...]
    output_shapes: tuple[tuple[int, ...], ...]
    grad_output_norms: tuple[float | None, ...]
    grad_input_norms: tuple[float | None, ...]


class trace:
    """Context manager recording every backward step run inside it into ``steps``, in order."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def __enter__(self) -> trace:
        engine.observers.append(self._record)
        return self

    def __exit__(self, *exc: Any) -> None:
        engine.observers.remove(self._record)

    def _record(self, node: Any, grad_outputs: Sequence, grad_inputs: Sequence) -> None:
        tensor_args = [i for i, meta in enumerate(node.input_meta) if meta is not None]
        self.steps.append(
            Step(
                name=node.name(),
                node=node,
                input_shapes=tuple(node.input_meta[i][0] for i in tensor_args),
                output_shapes=tuple(meta[0] for meta in node.output_meta),
                grad_output_norms=tuple(_norm(g) for g in grad_outputs),
                grad_input_norms=tuple(
                    None if node.next_functions[i] is None else _norm(grad_inputs[i]) for i in tensor_args
                ),
            )
        )

    def table(self) -> str:
        """The steps as an aligned text table, one line per step."""
        header = ("step", "op", "inputs -> outputs", "|grad_outputs|", "|grad_inputs|")
        rows = [
            (
                str(i),
                s.name,
                f"{_shapes(s.input_shapes)} -> {_shapes(s.output_shapes)}",
                _norms(s.grad_output_norms),
                _norms(s.grad_input_norms),
            )
            for i, s in enumerate(self.steps, 1)
        ]
        widths = [max(len(r[c]) for r in (header, *rows)) for c in range(len(header))]
        lines = []
        for row in (header, *rows):
            cells = [row[0].rjust(widths[0]) if row is not header else row[0]]
            cells += [cell.ljust(width) for cell, width in zip(row[1:], widths[1:])]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<trace of {len(self.steps)} backward steps>"


def _norm(g: Any) -> float | None:
    """The Euclidean norm of a gradient (``None`` where an input gets no gradient)."""
    if g is None:
        return None
    return float(g.xp.linalg.norm(g.array.ravel()))


def _shapes(shapes: tuple) -> str:
    return ", ".join(str(s) for s in shapes)


def _norms(norms: tuple) -> str:
    return ", ".join("-" if n is None else f"{n:.4g}" for n in norms)
