"""Running the book's cells: with PyTorch as written, or on minigrad with only the imports swapped.

``run(section, library)`` executes a section's cells in order in one namespace, as a notebook
does, and returns what each cell shows (the value of its last expression, and what it printed),
reduced to plain data that two libraries can be compared on (``summary``).
"""

from __future__ import annotations

import ast
import contextlib
import io
import pathlib
import random
import re
import sys
import types
from typing import Any
from unittest import mock

import numpy as np

HERE = pathlib.Path(__file__).parent
SECTIONS = sorted((HERE / "sections").glob("*/*.py"))
# The import swap of the README: these lines, and ``from torch.<module> import ...`` (from the same
# module of minigrad), and nothing else, change.
SWAP = {
    "import torch": "import minigrad as torch",
    "from torch import nn": "from minigrad import nn",
    "from torch.nn import functional as F": "from minigrad.nn import functional as F",
}
STANDIN = "from d2l import torch as d2l"


def section_name(path: pathlib.Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def cells(path: pathlib.Path) -> list[str]:
    return re.split(r"^# %% cell \d+\n", path.read_text(), flags=re.M)[1:]


def swapped(code: str, library: str) -> str:
    lines = []
    for line in code.splitlines():
        statement = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if statement == STANDIN:
            line = f"{indent}d2l = __d2l__"
        elif library == "minigrad" and statement in SWAP:
            line = indent + SWAP[statement]
        elif library == "minigrad" and re.match(r"from torch(\.[\w.]+)? import ", statement):
            line = indent + "from minigrad" + statement.removeprefix("from torch")
        lines.append(line)
    return "\n".join(lines)


def standin(library: str) -> types.ModuleType:
    """A fresh copy of the d2l stand-in, written against ``library``."""
    module = types.ModuleType("d2l")
    source = swapped((HERE / "d2l_standin.py").read_text(), library)
    exec(compile(source, str(HERE / "d2l_standin.py"), "exec"), module.__dict__)
    return module


class Tab:
    """The book's ``tab`` (from ``%load_ext d2lbook.tab``): the PyTorch tab is the one selected."""

    @staticmethod
    def selected(*tabs: str) -> bool:
        return "pytorch" in tabs

    @staticmethod
    def interact_select(*tabs: Any) -> None:
        pass


def _shown(code: str, filename: str) -> Any:
    """The cell compiled so that the value of a final expression lands in ``__shown__``."""
    tree = ast.parse(code)
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body[-1]
        tree.body[-1] = ast.Assign(targets=[ast.Name("__shown__", ast.Store())], value=last.value)
        ast.copy_location(tree.body[-1], last)
        ast.fix_missing_locations(tree)
    return compile(tree, filename, "exec")


def _plotting_modules() -> dict[str, types.ModuleType]:
    """Plotting does nothing: the one plotting module the cells import themselves
    (``from matplotlib_inline import backend_inline``) is a stand-in too."""
    package, module = (
        types.ModuleType("matplotlib_inline"),
        types.ModuleType("matplotlib_inline.backend_inline"),
    )
    module.set_matplotlib_formats = lambda *args, **kwargs: None
    package.backend_inline = module
    return {package.__name__: package, module.__name__: module}


def run(path: pathlib.Path, library: str, seed: int = 0) -> list[tuple[Any, str]]:
    """Every cell's (summary of its shown value, its printed text), NumPy and ``random`` seeded
    with 0 and the library's generator with ``seed``."""
    lib = __import__(library)
    random.seed(0)
    np.random.seed(0)
    lib.manual_seed(seed)
    namespace: dict[str, Any] = {"__name__": "__main__", "__d2l__": standin(library), "tab": Tab()}
    shown = []
    for number, code in enumerate(cells(path), 1):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), mock.patch.dict(sys.modules, _plotting_modules()):
            exec(_shown(swapped(code, library), f"{section_name(path)} cell {number}"), namespace)
        shown.append((summary(namespace.pop("__shown__", None)), printed.getvalue()))
    return shown


DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)


def definitions(path: pathlib.Path, library: str) -> dict[str, Any]:
    """The namespace after the imports, functions and classes of a section's cells (the other
    statements, which compute, train or show, are left out)."""
    namespace: dict[str, Any] = {"__name__": "__main__", "__d2l__": standin(library), "tab": Tab()}
    for number, code in enumerate(cells(path), 1):
        kept = [
            line
            for node in ast.parse(code).body
            if isinstance(node, DEFINITIONS)
            for line in _lines(code, node)
        ]
        exec(
            compile(swapped("\n".join(kept), library), f"{section_name(path)} cell {number}", "exec"),
            namespace,
        )
    return namespace


def _lines(code: str, node: ast.stmt) -> list[str]:
    """The source lines of a top-level statement, its decorators included."""
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return code.splitlines()[first - 1 : node.end_lineno]


def summary(value: Any) -> Any:
    """Plain data for comparing what two libraries show: a tensor as ("tensor", shape, dtype,
    float64 values), a sequence as ("seq", items), a dict as ("dict", keys, values), an object by
    its repr, and plain values as they are."""
    kind = type(value).__module__.split(".")[0]
    tensor = kind in ("torch", "minigrad") and hasattr(value, "detach") and not isinstance(value, type)
    if tensor and not type(value).__name__.startswith("Uninitialized"):
        array = np.asarray(value.detach().cpu().numpy(), dtype=np.float64)
        return ("tensor", tuple(value.shape), str(value.dtype).split(".")[-1], array)
    if isinstance(value, (tuple, list)):
        return ("seq", [summary(v) for v in value])
    if isinstance(value, dict):
        return ("dict", [str(k) for k in value], [summary(v) for v in value.values()])
    if value is None or isinstance(value, (bool, int, float, str, np.ndarray, np.generic)):
        return value
    return ("repr", normalized(repr(value)))


def normalized(text: str) -> str:
    """Text with the library's name made the same, and graph-node names and timings left out."""
    text = text.replace("minigrad", "torch")
    text = re.sub(r"[\d.e-]+ sec", "# sec", text)
    return re.sub(r", grad_fn=<\w+>", "", text)


NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?|nan|inf")


def same(a: Any, b: Any, values: bool, rtol: float = 1e-4, atol: float = 1e-5) -> str | None:
    """Why the summaries ``a`` and ``b`` differ, or ``None``; without ``values`` only kinds,
    shapes, dtypes and the text around numbers must agree."""
    tag = a[0] if isinstance(a, tuple) else None
    if tag is not None and not (isinstance(b, tuple) and b and b[0] == tag):
        return f"{tag} against {b!r:.100}"
    if tag == "tensor":
        if a[1:3] != b[1:3]:
            return f"shape and dtype {a[1:3]} against {b[1:3]}"
        if values and not np.allclose(a[3], b[3], rtol=rtol, atol=atol, equal_nan=True):
            return f"values {a[3].ravel()[:6]} against {b[3].ravel()[:6]}"
        return None
    if tag in ("seq", "dict"):
        if tag == "dict" and a[1] != b[1]:
            return f"keys {a[1]} against {b[1]}"
        items_a, items_b = a[-1], b[-1]
        if len(items_a) != len(items_b):
            return f"{len(items_a)} items against {len(items_b)}"
        return next((why for x, y in zip(items_a, items_b) if (why := same(x, y, values, rtol, atol))), None)
    if tag == "repr" or isinstance(a, str):
        return same_text(a[1] if tag else a, b[1] if tag else str(b), values, rtol, atol)
    if isinstance(a, bool) or a is None or isinstance(b, bool):
        return None if a == b else f"{a!r} against {b!r}"
    if values and not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
        return f"{a!r} against {b!r}"
    return None


def masked(text: str) -> str:
    """The text with its numbers, and the spaces that align them, left out."""
    return re.sub(r"\s+", "", NUMBER.sub("#", normalized(text)))


def same_text(a: str, b: str, values: bool, rtol: float = 1e-4, atol: float = 1e-5) -> str | None:
    """Texts equal up to the numbers in them, which are close (or, without ``values``, anything)."""
    a, b = normalized(a), normalized(b)
    if masked(a) != masked(b):
        return f"text {a!r:.200} against {b!r:.200}"
    if values:
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
            if not np.isclose(float(x), float(y), rtol=rtol, atol=atol, equal_nan=True):
                return f"number {x} against {y} in {a!r:.200}"
    return None
