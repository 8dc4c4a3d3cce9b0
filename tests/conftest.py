"""Test set-up: hypothesis profiles, two array backends for every module, and the PyTorch oracle.

* Every test module runs twice: on NumPy, and with the strict CuPy stand-in as the default
  device, so a stray NumPy call on device data fails a test on every machine. A module (or a
  test) marked ``numpy_only`` runs on NumPy only.
* Tests that compare with PyTorch carry the ``torch`` marker (a test that asks for a fixture
  named ``torch`` gets it automatically); they are skipped when PyTorch is not installed and
  ``-m torch`` selects them. A test that uses PyTorch without the marker fails, so that marker
  selection never misses an oracle test.
* With ``MINIGRAD_ALLOWED_SKIPS`` set (CI sets it) to marker names, a skipped test that carries
  none of those markers fails instead: CI lets only the tests it cannot run skip.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import inspect
import os
import sys
import textwrap
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, settings

from minigrad.backend import set_default_device
from minigrad.testing.standin import use_standin

# tests/d2l holds the book's cells and the code that runs them (for test_d2l_*.py), not tests.
collect_ignore = ["d2l"]

settings.register_profile("dev", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# MINIGRAD_TEST_GPU=1 (set by benchmarks/gpu.py on a GPU machine) adds a third run on CuPy.
DEVICE_BACKENDS = ["numpy", "standin"] + (["cupy"] if os.environ.get("MINIGRAD_TEST_GPU") == "1" else [])
TORCH_INSTALLED = importlib.util.find_spec("torch") is not None


def pytest_generate_tests(metafunc):
    if "array_backend" in metafunc.fixturenames:
        numpy_only = metafunc.definition.get_closest_marker("numpy_only") is not None
        metafunc.parametrize("array_backend", ["numpy"] if numpy_only else DEVICE_BACKENDS, scope="module")


@pytest.fixture(autouse=True, scope="module")
def _default_device(array_backend):
    """NumPy as it is, every new tensor on the stand-in "cuda" device, or on the real GPU."""
    if array_backend == "numpy":
        yield
    elif array_backend == "cupy":
        set_default_device("cuda")
        yield
        set_default_device("cpu")
    else:
        with use_standin(default=True):
            yield


@pytest.fixture
def torch():
    """PyTorch, the oracle of the tests marked ``torch`` (they skip where it is not installed)."""
    return pytest.importorskip("torch")


# ---- the torch marker ------------------------------------------------------------------------

_UNMARKED_TORCH = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="PyTorch is not installed (tests marked torch compare with it)")
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker("torch")
        marked = item.get_closest_marker("torch") is not None
        if not marked and isinstance(item, pytest.Function) and _item_uses_torch(item):
            item.stash[_UNMARKED_TORCH] = True
        if marked and not TORCH_INSTALLED:
            item.add_marker(skip)


def pytest_runtest_setup(item):
    if item.stash.get(_UNMARKED_TORCH, False):
        pytest.fail(
            f"{item.nodeid} uses PyTorch but is not marked: add @pytest.mark.torch (or a module-level "
            "pytestmark = pytest.mark.torch) so that `-m torch` selects it",
            pytrace=False,
        )


def _item_uses_torch(item) -> bool:
    """Whether a test's own code or one of its fixtures' code uses PyTorch."""
    fixtures = [d.func for defs in item._fixtureinfo.name2fixturedefs.values() for d in defs]
    return any(uses_torch(f) for f in [item.function, *fixtures])


def _is_torch(module_name: str) -> bool:
    return module_name == "torch" or module_name.startswith("torch.")


@functools.cache
def _module_facts(module_name: str) -> tuple[frozenset[str], dict[str, ast.AST]]:
    """The module-level names bound to PyTorch by imports, and the module-level functions by name."""
    tree = ast.parse(inspect.getsource(sys.modules[module_name]))
    torch_names, functions = set(), {}
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import):
            torch_names |= {a.asname or a.name.split(".")[0] for a in node.names if _is_torch(a.name)}
        elif isinstance(node, ast.ImportFrom) and _is_torch(node.module or ""):
            torch_names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[node.name] = node
        elif isinstance(node, (ast.Try, ast.If, ast.With)):  # guarded imports
            pending += [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", [])]
            pending += [s for handler in getattr(node, "handlers", []) for s in handler.body]
    return frozenset(torch_names), functions


@functools.cache
def uses_torch(function) -> bool:
    """Whether a test function's code, or a module-level helper it calls, uses PyTorch.

    Uses are ``import torch`` (or ``from torch ...``), ``pytest.importorskip("torch")``, and
    module-level names that an import bound to PyTorch (``import minigrad as torch`` is not one).
    """
    function = inspect.unwrap(getattr(getattr(function, "hypothesis", None), "inner_test", function))
    try:
        node = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
    except (OSError, TypeError, SyntaxError):  # no source to read (a built-in fixture): nothing to go on
        return False
    if function.__module__ not in sys.modules:
        return False
    torch_names, functions = _module_facts(function.__module__)
    return _code_uses_torch(node, torch_names, functions, set())


def _code_uses_torch(node, torch_names, functions, seen) -> bool:
    own = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)} if hasattr(node, "args") else set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Import) and any(_is_torch(a.name) for a in sub.names):
            return True
        if isinstance(sub, ast.ImportFrom) and _is_torch(sub.module or ""):
            return True
        if isinstance(sub, ast.Call) and _calls_importorskip_torch(sub):
            return True
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id not in own:
            if sub.id in torch_names:
                return True
            if sub.id in functions and sub.id not in seen:
                seen.add(sub.id)
                if _code_uses_torch(functions[sub.id], torch_names, functions, seen):
                    return True
    return False


def _calls_importorskip_torch(call: ast.Call) -> bool:
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
    first = call.args[0] if call.args else None
    return name == "importorskip" and isinstance(first, ast.Constant) and _is_torch(str(first.value))


# ---- CI: only the tests that cannot run may skip -----------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    allowed = os.environ.get("MINIGRAD_ALLOWED_SKIPS")
    if allowed is None or not report.skipped or hasattr(report, "wasxfail"):
        return
    if not any(item.get_closest_marker(name) for name in allowed.split()):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"skipped ({reason}), but MINIGRAD_ALLOWED_SKIPS lets only tests marked {allowed!r} skip"
        )


# ---- convolution kernel plans ----------------------------------------------------------------

KERNELS = "minigrad.ops.window_kernels"  # the module whose plan thresholds and planner tests lower and spy on


@pytest.fixture(scope="session")
def conv_plans():
    """``with conv_plans(SHIFT_MIN_CHANNELS=..., BLOCK_BYTES=...) as taken:`` runs the block with the
    convolution kernels' plan thresholds (module constants, by name) lowered, and lists every plan they took as
    ``(caller, blocks, chunks)`` (caller: the kernel function that asked for the plan).

    Session-scoped, so hypothesis tests may use it; nothing stays patched outside the block.
    """
    kernels = importlib.import_module(KERNELS)

    @contextmanager
    def lowered(**settings):
        taken = []
        plan = kernels._plan

        def spy(*args, **kwargs):
            blocks, chunks = plan(*args, **kwargs)
            taken.append((sys._getframe(1).f_code.co_name, blocks, chunks))
            return blocks, chunks

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(kernels, "_plan", spy)
            for name, value in settings.items():
                patch.setattr(kernels, name, value)
            yield taken

    return lowered
