"""The chapter tour, ``python -m minigrad``: each section's text and values, then minigrad's own.

The sections are :mod:`minigrad.apps.chapter`'s; this module only prints them, adds the
shorthands that minigrad has for the chapter (PyTorch has none), and, with ``--graph``, the
graph behind the loss.
"""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import minigrad
from minigrad import nn, viz
from minigrad.apps import chapter
from minigrad.nn import functional as F

GRAPH_FILE = Path("minigrad-graph.svg")


def shorthands() -> dict[str, Any]:
    """minigrad's own shorthands for the chapter

    F.corr2d is the book's corr2d without a Python loop (the one-channel case of F.conv2d),
    F.convolve2d flips the kernel first, and nn.Corr2d is the book's Conv2D built on F.corr2d.
    """
    X, K = chapter.input_and_kernel()
    return {
        "F.corr2d(X, K)": F.corr2d(X, K),
        "F.convolve2d(X, K)": F.convolve2d(X, K),
        "nn.Corr2d((1, 2))": nn.Corr2d((1, 2)),
    }


def graph() -> dict[str, Any]:
    """The graph behind the loss

    One step of learning the edge kernel with nn.Corr2d, as Graphviz DOT text: the parameters
    (gold) feed the ops (grey), which feed the loss (green).
    """
    minigrad.manual_seed(0)
    layer = nn.Corr2d((1, 2))
    X = chapter.edge_image()
    loss = ((layer(X) - F.corr2d(X, minigrad.tensor([[1.0, -1.0]]))) ** 2).sum()
    params = dict(layer.named_parameters())
    values: dict[str, Any] = {"viz.to_dot(loss)": viz.to_dot(loss, params=params)}
    if shutil.which("dot") is None:
        values["drawing"] = "none: Graphviz (dot) is not installed; paste the text into any Graphviz viewer"
    else:
        values["drawing"] = f"{viz.render(loss, GRAPH_FILE, params=params).resolve()} (by Graphviz)"
    return values


def show(section: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Print a section: its title and text (its docstring), then each value it returns."""
    title, _, text = inspect.getdoc(section).partition("\n")
    print(f"\n== {title} ==\n{text.strip()}\n")
    values = section()
    for name, value in values.items():
        shown = (
            "\n".join(value)
            if isinstance(value, list) and all(isinstance(v, str) for v in value)
            else str(value)
        )
        print(f"{name} =\n{shown}" if "\n" in shown else f"{name} = {shown}")
    return values


def main(show_graph: bool = False) -> None:
    """The whole chapter in order, minigrad's shorthands, and the graph when ``show_graph``."""
    for section in (*chapter.SECTIONS, shorthands):
        show(section)
    if show_graph:
        show(graph)
    else:
        print("\n(run `python -m minigrad --graph` to see the graph behind the loss)")
