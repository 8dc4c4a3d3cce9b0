"""Mutation score: inject one small wrong-gradient bug at a time and count the ones the tests catch.

Mutants are made from the source's syntax tree, never from line numbers, so the script keeps
working while the code changes: in the backward rules of the ops, the convolution and pooling
kernels, the optimizers' updates and gradcheck itself, each of these changes is one mutant:

* a flipped sign (``return g`` -> ``return -g``, one gradient of a tuple at a time), a dropped
  term or factor (``a + b`` -> ``a``), swapped operands (``a - b`` -> ``b - a``), another
  arithmetic operator (``+`` <-> ``-``, ``*`` <-> ``/``);
* an off-by-one integer (``k`` -> ``k + 1``, ``k - 1``) or another float constant (``c`` -> ``2c``);
* a comparison loosened or tightened (``<`` <-> ``<=``, ``==`` <-> ``!=``), ``max`` <-> ``min``,
  ``all`` -> ``any``;
* the incoming gradient of a backward detached (``grad`` -> ``grad.detach()``): only second
  derivatives can tell.

Each mutant runs the tests that target its code (a small selection, NumPy backend, ``-x``) in a
forked child of this process on a temporary copy of the tree, with a time limit; a failing test,
an import error or the time limit kills it. The output is every mutant's fate, the score and the
survivors. Run it with the interpreter whose packages you mean (with and without PyTorch: the
oracle tests in the selections run only where PyTorch is installed)::

    python benchmarks/mutation.py                 # everything, about 10 minutes on two cores
    python benchmarks/mutation.py --only optim    # targets whose path contains "optim"
    python benchmarks/mutation.py --list          # the mutants, without running anything
"""

from __future__ import annotations

import argparse
import ast
import copy
import fnmatch
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest  # never minigrad: each mutant's child imports its own, mutated copy

ROOT = Path(__file__).resolve().parent.parent

NUMPY = "numpy"  # test ids carry their backend: the stand-in run would only repeat the NumPy one


@dataclass(frozen=True)
class Target:
    """Functions of one source file (qualified-name patterns) and the tests that check them."""

    path: str
    functions: tuple[str, ...]
    tests: tuple[str, ...]


PROPS = "tests/test_properties_ops.py"
THIRD = f"{PROPS}::test_third_derivatives"
TARGETS = [
    Target(
        "minigrad/ops/elementwise.py",
        ("*.backward", "clamp", "where"),
        (
            PROPS,
            "-k",
            f"{NUMPY} and (binary or pow or scalar or unary or conversions or clamp or where or tie)",
        ),
    ),
    Target(
        "minigrad/ops/reduction.py",
        ("*.backward", "mean", "var", "logsumexp", "_max_min"),
        (PROPS, "-k", f"{NUMPY} and (reductions or max_and_min or tie)"),
    ),
    Target(
        "minigrad/ops/shape.py",
        ("*.backward",),
        (
            PROPS,
            "-k",
            f"{NUMPY} and (reshape or permute or transpose or flatten or squeeze or expand or flip "
            "or cat_and or broadcast or unary)",
        ),
    ),
    Target(
        "minigrad/ops/indexing.py",
        ("*.backward", "gather"),
        (
            PROPS,
            "-k",
            f"{NUMPY} and (indexing or indices or repeated or setitem or gather or inplace or third)",
        ),
    ),
    Target("minigrad/ops/linalg.py", ("*.backward",), (PROPS, "-k", f"{NUMPY} and (matmul or dot)")),
    Target(
        "minigrad/ops/linear.py",
        ("*.backward",),
        (PROPS, "tests/test_activation_loss.py", "-k", f"{NUMPY} and linear"),
    ),
    Target(
        "minigrad/ops/activation.py",
        ("*.backward",),
        (PROPS, "tests/test_activation_loss.py", "-k", f"{NUMPY} and (softmax or unary or relu or tie)"),
    ),
    Target(
        "minigrad/ops/loss.py",
        ("mse_loss", "cross_entropy", "_weighted_reduce", "_reduce"),
        ("tests/test_activation_loss.py", "-k", f"{NUMPY} and (cross_entropy or mse)"),
    ),
    Target(
        "minigrad/ops/conv.py",
        ("*.backward", "conv_padding"),
        (
            "tests/test_conv.py",
            "tests/test_pad_modes.py",
            THIRD,
            "-k",
            f"{NUMPY} and not rejects and not layer",
        ),
    ),
    Target(
        "minigrad/ops/padding.py",
        ("*.backward", "_index_pad"),
        ("tests/test_pad_modes.py", THIRD, "-k", f"{NUMPY} and not rejects"),
    ),
    Target(
        "minigrad/ops/pool.py",
        ("*.backward", "_flat_indices"),
        ("tests/test_pool.py", THIRD, "-k", f"{NUMPY} and not reject"),
    ),
    Target(
        "minigrad/ops/window_kernels.py",
        ("*",),
        ("tests/test_conv.py", "tests/test_corr2d.py", "tests/test_pool.py", "-k", f"{NUMPY} and not reject"),
    ),
    Target("minigrad/optim/sgd.py", ("SGD._update",), ("tests/test_optim.py", "-k", f"{NUMPY} and sgd")),
    Target("minigrad/optim/adam.py", ("Adam._update",), ("tests/test_optim.py", "-k", f"{NUMPY} and adam")),
    Target(
        "minigrad/autograd/gradcheck.py",
        ("_Check.*", "_same", "_unit", "gradgradcheck"),
        ("tests/test_gradcheck.py", "-k", NUMPY),
    ),
]


# ---- making mutants ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    target: Target
    function: str  # qualified name
    site: int  # position of the mutated node in ast.walk order of the function
    kind: str
    before: str
    after: str
    line: int  # for the reader only
    context: str  # the expression around the mutated node, for the reader
    statement: str  # the statement holding it, to tell equal-looking mutants apart

    def describe(self) -> str:
        where = f" in `{self.context}`" if self.context and self.context != self.before else ""
        return f"{self.target.path}:{self.line} {self.function}: {self.kind} `{self.before}` -> `{self.after}`{where}"

    def equivalence(self) -> str | None:
        """Why this mutant cannot change what any test can see, if it is a known equivalent one."""
        for path, function, change, where, reason in EQUIVALENT:
            if path != self.target.path or not fnmatch.fnmatchcase(self.function, function):
                continue
            if change is not None and change != (self.before, self.after):
                continue
            exact = where.startswith(CONTEXT)
            if where[len(CONTEXT) :] != self.context if exact else where not in self.statement:
                continue
            return reason
        return None


SWAPPED_CALLS = {"max": "min", "min": "max", "maximum": "minimum", "minimum": "maximum", "all": "any"}
OTHER_OPERATOR = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
OTHER_COMPARISON = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}


def replacements(node: ast.AST, grad_name: str | None, under_abs: bool = False) -> list[tuple[str, ast.AST]]:
    """The mutated versions of one node, as (kind, new node); ``a - b`` directly under ``abs``
    is not swapped (that changes nothing)."""
    out = []
    if isinstance(node, ast.BinOp):
        if type(node.op) in OTHER_OPERATOR:
            out.append(("operator", ast.BinOp(node.left, OTHER_OPERATOR[type(node.op)](), node.right)))
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
            out.append(("dropped term", node.left))
        if isinstance(node.op, (ast.Sub, ast.Div, ast.MatMult, ast.Pow)) and not under_abs:
            out.append(("swapped operands", ast.BinOp(node.right, node.op, node.left)))
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        if isinstance(node.value, int):
            out += [
                ("off by one", ast.Constant(node.value + 1)),
                ("off by one", ast.Constant(node.value - 1)),
            ]
        else:
            out.append(("constant", ast.Constant(node.value * 2 if node.value else 1.0)))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in OTHER_COMPARISON:
        out.append(
            ("comparison", ast.Compare(node.left, [OTHER_COMPARISON[type(node.ops[0])]()], node.comparators))
        )
    elif isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name in SWAPPED_CALLS:
            func = copy.copy(node.func)
            if isinstance(func, ast.Attribute):
                func.attr = SWAPPED_CALLS[name]
            else:
                func.id = SWAPPED_CALLS[name]
            out.append(("call", ast.Call(func, node.args, node.keywords)))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        out.append(("sign", node.operand))
    elif isinstance(node, ast.Return) and node.value is not None and grad_name is not None:
        values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
        for k, value in enumerate(values):
            if not (isinstance(value, ast.Constant) and value.value is None):
                flipped = [ast.UnaryOp(ast.USub(), v) if j == k else v for j, v in enumerate(values)]
                new = ast.Tuple(flipped, ast.Load()) if isinstance(node.value, ast.Tuple) else flipped[0]
                out.append(("flipped gradient", ast.Return(new)))
    return out


def _skipped(node: ast.AST) -> bool:
    """Code whose mutants would only change a message, a warning or a check of the arguments."""
    if isinstance(node, (ast.Raise, ast.Assert, ast.JoinedStr)):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, (ast.Constant, ast.Call)):  # docstring, warn()
        return isinstance(node.value, ast.Constant) or getattr(node.value.func, "attr", None) == "warn"
    return isinstance(node, ast.If) and any(isinstance(s, ast.Raise) for s in node.body)


def _sites(function: ast.FunctionDef) -> list[ast.AST]:
    """The function's nodes in ast.walk order, without skipped code, annotations (never evaluated
    here) and the 1 of a -1 (NumPy reads any negative size as -1: only its sign is a mutant)."""
    skipped = set()
    for node in ast.walk(function):
        roots = [node] if _skipped(node) else []
        if isinstance(node, ast.arg) and node.annotation is not None:
            roots.append(node.annotation)
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
        ):
            roots.append(node.operand)
        skipped |= {id(sub) for root in roots for sub in ast.walk(root)}
    if function.returns is not None:
        skipped |= {id(sub) for sub in ast.walk(function.returns)}
    return [node for node in ast.walk(function) if id(node) not in skipped and node is not function]


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """Module-level functions and methods of module-level classes, by qualified name."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            found |= {f"{node.name}.{f.name}": f for f in node.body if isinstance(f, ast.FunctionDef)}
    return found


def _grad_name(qualname: str, function: ast.FunctionDef) -> str | None:
    """The incoming gradient's parameter of a backward rule (after ``ctx``), else None."""
    args = function.args.args
    return args[1].arg if qualname.endswith(".backward") and len(args) > 1 else None


ALWAYS = ("flipped gradient", "detached gradient")  # kept whatever the cap per function

# Mutants that no test can kill because no value changes: (path, function pattern, (before, after)
# or None for any change, a piece of the statement holding the mutated node or CONTEXT and the
# exact expression around it, why). They are reported, not counted. One that a test does kill counts as
# killed; one whose code has changed no longer matches and counts as a survivor again.
CONTEXT = "context: "  # a piece that starts so is the exact expression around the mutated node
OPS, KERNELS, GRADCHECK = "minigrad/ops/", "minigrad/ops/window_kernels.py", "minigrad/autograd/gradcheck.py"
PLAN_ONLY = "block and chunk sizes only: every plan computes the same numbers (speed and memory differ)"
MORE_PADDING = "more bottom or right padding than any window reaches: it is never read"
SHIFT = "the shift of an all-infinite slice may be any finite number: it cancels in log(sum(exp(a - s))) + s"
OVERWRITTEN = "every entry of the list is overwritten"
FAST_BOUND = (
    "abs(num - ana) > atol * u[i].sum() * v[j].sum() + rtol * abs(ana)",
    "abs(num - ana) >= atol * u[i].sum() * v[j].sum() + rtol * abs(ana)",
)
EQUIVALENT = [
    (
        OPS + "elementwise.py",
        "PowScalar.backward",
        ("return (grad * 0, None)", "return (-(grad * 0), None)"),
        "",
        "-0 equals 0",
    ),
    (OPS + "reduction.py", "logsumexp", ("0", "1"), "isfinite", SHIFT),
    (OPS + "reduction.py", "logsumexp", ("0", "-1"), "isfinite", SHIFT),
    (OPS + "shape.py", "Permute.backward", ("0", "1"), "inverse = [0]", OVERWRITTEN),
    (OPS + "shape.py", "Permute.backward", ("0", "-1"), "inverse = [0]", OVERWRITTEN),
    (OPS + "loss.py", "mse_loss", ("input - target", "target - input"), "", "the difference is squared"),
    (
        OPS + "pool.py",
        "MaxPoolGather.backward",
        ("grad", "grad.detach()"),
        "",
        "MaxPoolGather is the backward of a backward: the graph of its incoming gradient shows only in "
        "fourth derivatives",
    ),
    (KERNELS, "geometry", ("out_h - 1", "out_h"), "reach_h =", MORE_PADDING),
    (KERNELS, "geometry", ("out_w - 1", "out_w"), "reach_w =", MORE_PADDING),
    (KERNELS, "geometry", ("reach_h - in_hw[0]", "reach_h + in_hw[0]"), "", MORE_PADDING),
    (KERNELS, "geometry", ("reach_w - in_hw[1]", "reach_w + in_hw[1]"), "", MORE_PADDING),
    (
        KERNELS,
        "pad_image",
        None,
        "padding == (0, 0, 0, 0)",
        "the shortcut for no padding: the general path makes the same copy",
    ),
    (KERNELS, "_plan", None, "step = max(", PLAN_ONLY),
    (KERNELS, "_plan", None, "rows = step", PLAN_ONLY),
    (KERNELS, "_plan", None, "per_image =", PLAN_ONLY),
    (KERNELS, "_plan", None, "size = max(", PLAN_ONLY),
    (KERNELS, "conv2d_input_grad", ("0", "1"), "= _plan(", PLAN_ONLY),  # o_group: only for block sizes
    (KERNELS, "conv2d_input_grad", ("0", "-1"), "= _plan(", PLAN_ONLY),
    (KERNELS, "conv2d", None, "if len(chunks) > 1", "whether a buffer for partial sums is allocated"),
    (
        KERNELS,
        "conv2d_weight_grad",
        ("-2", "2"),
        CONTEXT + "grid[block].swapaxes(-1, -2)",
        "grid is 4-D: axis 2 is axis -2",
    ),
    (KERNELS, "_pool_windows", ("0", "-1"), "", "the groups axis of a pooling has size 1"),
    (KERNELS, "max_pool2d", ("2", "3"), "min_scalar_type", "only widens the integer type of the scores"),
    (
        KERNELS,
        "max_pool2d_gather",
        ("0", "-1"),
        CONTEXT + "xp.take_along_axis(planes, index[None], axis=0)[0]",
        "the last of a size-1 axis is its first",
    ),
    (
        GRADCHECK,
        "_Check.analytical_jacobians",
        None,
        "if all(",
        "autograd gives None for an input in every row of an output or in none",
    ),
    (GRADCHECK, "_Check.check_projections", ("v[j] @ jvp", "jvp @ v[j]"), "", "a dot product of two vectors"),
    (GRADCHECK, "_Check.check_projections", ("vjp @ u[i]", "u[i] @ vjp"), "", "a dot product of two vectors"),
    (
        GRADCHECK,
        "_Check.check_projections",
        FAST_BOUND,
        "",
        "> and >= differ only when the error equals the tolerance to the last bit",
    ),
    (
        GRADCHECK,
        "_unit",
        None,
        "return vector / norm",
        "another positive projection vector: both sides of the comparison scale with it",
    ),
]


def mutants(target: Target, per_function: int) -> list[Mutant]:
    """The target's mutants: those of ALWAYS kinds, and up to ``per_function`` others per function,
    spread evenly over the function's lines."""
    tree = ast.parse((ROOT / target.path).read_text())
    found = []
    for qualname, function in _functions(tree).items():
        if not any(fnmatch.fnmatchcase(qualname, pattern) for pattern in target.functions):
            continue
        grad_name = _grad_name(qualname, function)
        parents = {id(child): node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}
        own = []
        for site, node in enumerate(_sites(function)):
            parent = parents.get(id(node))
            context = ast.unparse(parent).splitlines()[0] if isinstance(parent, ast.expr) else ""
            statement = node
            while not isinstance(statement, ast.stmt) and id(statement) in parents:
                statement = parents[id(statement)]
            statement = ast.unparse(statement).splitlines()[0]
            for kind, new in replacements(node, grad_name, _is_abs(parent)):
                before, after = ast.unparse(node).splitlines()[0], ast.unparse(new).splitlines()[0]
                line = getattr(node, "lineno", 0)
                own.append(Mutant(target, qualname, site, kind, before, after, line, context, statement))
        if grad_name is not None and any(
            isinstance(n, ast.Name) and n.id == grad_name for n in _sites(function)
        ):
            detached = f"{grad_name}.detach()"
            own.append(
                Mutant(
                    target, qualname, -1, "detached gradient", grad_name, detached, function.lineno, "", ""
                )
            )
        others = sorted((m for m in own if m.kind not in ALWAYS), key=lambda m: (m.line, m.site))
        if len(others) > per_function:
            others = [others[k * len(others) // per_function] for k in range(per_function)]
        found += [m for m in own if m.kind in ALWAYS] + others
    return found


def _is_abs(node: ast.AST | None) -> bool:
    func = getattr(node, "func", None)
    return isinstance(node, ast.Call) and (getattr(func, "attr", None) or getattr(func, "id", None)) == "abs"


class _Replace(ast.NodeTransformer):
    def __init__(self, old: ast.AST, new: ast.AST) -> None:
        self.old, self.new = old, new

    def visit(self, node: ast.AST) -> ast.AST:
        return self.new if node is self.old else super().visit(node)


class _Detach(ast.NodeTransformer):
    def __init__(self, name: str) -> None:
        self.name = name

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id == self.name and isinstance(node.ctx, ast.Load):
            return ast.Call(ast.Attribute(ast.Name(self.name, ast.Load()), "detach", ast.Load()), [], [])
        return node


def mutated_source(mutant: Mutant) -> str:
    tree = ast.parse((ROOT / mutant.target.path).read_text())
    function = _functions(tree)[mutant.function]
    if mutant.site < 0:
        function.body = [_Detach(mutant.before).visit(s) for s in function.body]
    else:
        node = _sites(function)[mutant.site]
        (_, new), *_ = [
            (k, n)
            for k, n in replacements(node, _grad_name(mutant.function, function))
            if ast.unparse(n).splitlines()[0] == mutant.after and k == mutant.kind
        ]
        _Replace(node, new).generic_visit(function)  # the body and the defaults
    return ast.unparse(ast.fix_missing_locations(tree))


# ---- running the tests -------------------------------------------------------------------------


def in_child(tree: Path, job, timeout: float) -> int | str:
    """``job()``'s exit code, run in a forked child inside the copy ``tree`` (quietly); 'timeout'
    if it runs longer. This process has imported the heavy packages, so a child starts warm."""
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            os.chdir(tree)
            sys.path.insert(0, str(tree))
            sys.dont_write_bytecode = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1), os.dup2(devnull, 2)
            code = job()
        finally:
            os._exit(int(code))
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.02)


def pytest_run(args, *plugins) -> int:
    options = ["-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    return int(pytest.main([*options, *args], plugins=[_NoShrinking(), *plugins]))


class _NoShrinking:
    """Hypothesis tests without the shrink phase: a mutant needs one failing example, not the
    smallest one, and shrinking a failing gradient check can take minutes."""

    @staticmethod
    def pytest_collection_modifyitems(items):
        from hypothesis import Phase, settings

        for item in items:
            test = getattr(item, "obj", None)
            chosen = getattr(test, "_hypothesis_internal_use_settings", None)
            if chosen is not None:
                phases = [Phase.explicit, Phase.reuse, Phase.generate]
                test._hypothesis_internal_use_settings = settings(chosen, phases=phases)


class _Reach:
    """Records, per test, its duration and which of the target functions it calls."""

    def __init__(self, tree: Path, functions: set[tuple[str, str]]) -> None:
        self.functions = {(str(tree / path), name) for path, name in functions}
        self.tree, self.reached = tree, {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        seen = set()

        def trace(frame, event, arg):  # called on calls only: it asks for no line events
            key = (frame.f_code.co_filename, frame.f_code.co_qualname)
            if key in self.functions:
                seen.add(key)

        start = time.monotonic()
        sys.settrace(trace)
        try:
            yield
        finally:
            sys.settrace(None)
            found = [(str(Path(path).relative_to(self.tree)), name) for path, name in seen]
            self.reached[item.nodeid] = (time.monotonic() - start, sorted(found))


class _Collect:
    """Records the ids of the tests a run selects, and lets none of them run."""

    def __init__(self) -> None:
        self.ids = []

    def pytest_collection_finish(self, session):
        self.ids = [item.nodeid for item in session.items]


def child_json(tree: Path, into: Path, run) -> int | str:
    """Run ``run()`` (which returns an exit code and a JSON-able result) in a child; the result
    lands in ``into``."""

    def job():
        code, result = run()
        into.write_text(json.dumps(result))
        return code

    return in_child(tree, job, 3600)


def collected(tree: Path, target: Target, into: Path) -> list[str]:
    def run():
        recorder = _Collect()
        return pytest_run([*target.tests, "--collect-only"], recorder), recorder.ids

    return json.loads(into.read_text()) if child_json(tree, into, run) == 0 else []


def reach(tree: Path, tests: list[str], functions: set[tuple[str, str]], into: Path) -> dict | None:
    """Run the tests once: ``{test id: [seconds, [reached functions]]}``, None if one fails."""

    def run():
        recorder = _Reach(tree, functions)
        return pytest_run(tests, recorder), recorder.reached

    return json.loads(into.read_text()) if child_json(tree, into, run) == 0 else None


def copy_tree(into: Path) -> None:
    for name in ("minigrad", "tests"):
        shutil.copytree(ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only targets whose path contains this text")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument(
        "--per-function",
        type=int,
        default=10,
        help="at most this many mutants per function, besides the flipped and detached gradients of "
        "a backward (default 10)",
    )
    args = parser.parse_args(argv)

    targets = [t for t in TARGETS if args.only in t.path]
    chosen = [m for t in targets for m in mutants(t, args.per_function)]
    if args.list:
        for mutant in chosen:
            print(mutant.describe())
        print(f"{len(chosen)} mutants")
        return 0

    os.environ["CI"] = "1"  # the derandomized hypothesis profile: the same examples every run
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import hypothesis  # noqa: F401  (imported once here, so each forked child starts warm)
    import numpy  # noqa: F401

    try:
        import torch  # noqa: F401
    except ImportError:
        torch = None
    print(f"{len(chosen)} mutants; PyTorch {'installed' if torch else 'not installed'}", flush=True)

    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="minigrad-mutants-") as workdir:
        tree = Path(workdir) / "tree"
        copy_tree(tree)
        # Which tests reach each mutated function, and how long they take: a mutant runs only
        # those, fastest first, and stops at the first failure.
        record, targets = Path(workdir) / "record.json", list(dict.fromkeys(m.target for m in chosen))
        ids = {target: collected(tree, target, record) for target in targets}
        union = list(dict.fromkeys(t for target in targets for t in ids[target]))
        functions = {(m.target.path, m.function) for m in chosen}
        tests = reach(tree, union, functions, record)
        if tests is None or not all(ids.values()):
            print("the selected tests do not all pass without a mutant:")
            print("\n".join(f"  {' '.join(t.tests)}: {len(ids[t])} tests" for t in targets))
            return 2
        selection = {}
        for target in targets:
            for function in {m.function for m in chosen if m.target == target}:
                key = [target.path, function]
                ran = [t for t in ids[target] if t in tests]  # not the skipped ones
                reaching = sorted((t for t in ran if key in tests[t][1]), key=lambda t: tests[t][0])
                selection[target, function] = (reaching, sum(tests[t][0] for t in reaching))
        print(f"tests mapped to the mutated functions in {time.monotonic() - start:.0f} s", flush=True)

        fates = {}
        for k, mutant in enumerate(chosen, 1):
            tests, seconds = selection[mutant.target, mutant.function]
            path = tree / mutant.target.path
            original = path.read_text()
            path.write_text(mutated_source(mutant))
            try:
                code = (
                    in_child(tree, lambda tests=tests: pytest_run(["-x", *tests]), 3 * seconds + 15)
                    if tests
                    else 0
                )
            finally:
                path.write_text(original)
            fates[mutant] = fate(code, tests, mutant)
            print(f"[{k}/{len(chosen)}] {fates[mutant]:<20} {mutant.describe()}", flush=True)

    survivors = [m for m, f in fates.items() if f.startswith("SURVIVED")]
    equivalent = [m for m, f in fates.items() if f.startswith("equivalent")]
    counted = len(fates) - len(equivalent)
    killed = counted - len(survivors)
    print(
        f"\nmutation score: {killed}/{counted} killed = {100 * killed / counted:.1f}% in "
        f"{time.monotonic() - start:.0f} s ({len(fates)} mutants, {len(equivalent)} of them equivalent "
        f"and not counted: they survive, and no test could tell)"
    )
    for mutant in survivors:
        print(f"  survived: {mutant.describe()}")
    for mutant in equivalent:
        print(f"  equivalent: {mutant.describe()}: {mutant.equivalence()}")
    return 0


def fate(code: int | str, tests: list[str], mutant: Mutant) -> str:
    if code == 0:
        reason = mutant.equivalence()
        return "equivalent" if reason else "SURVIVED" if tests else "SURVIVED (no test reaches it)"
    if code == "timeout":
        return "killed (time limit)"
    return {1: "killed", 2: "killed (import)"}.get(code, "killed (crash)" if code < 0 else f"error {code}")


if __name__ == "__main__":
    sys.exit(main())
