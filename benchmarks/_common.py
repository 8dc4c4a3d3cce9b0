"""What the benchmarks share: median timing, one fresh process per framework, peak memory, tables.

Each benchmark script is also its own worker: ``script --worker SPEC`` (SPEC a JSON object of
keyword arguments) runs one measurement in a fresh process and prints its result as JSON. One
process per framework, because PyTorch's OpenMP threads and NumPy's OpenBLAS threads slow each
other down when they share one; the order of the frameworks alternates from one measurement to
the next, so that a burst of load from elsewhere on a shared machine does not always fall on the
same side. Both frameworks are driven through the same code: ``library(framework)`` returns
``minigrad`` or ``torch``, which share an API.

On a machine that other jobs load, multi-threaded timings swing widely (a parallel region waits
for a thread the scheduler has parked), PyTorch's most of all. ``--cpu-time`` with one thread
each (``--torch-threads 1`` and ``OPENBLAS_NUM_THREADS=1``) measures the work itself instead.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a checkout runs without installing (imports after this one find it)
    sys.path.insert(1, str(ROOT))
FRAMEWORKS = ("minigrad", "torch")
TORCH_THREADS = 2  # the default: as many as the cores of the 2-core machine the targets were set on
THREADS_VARIABLE = "MINIGRAD_BENCHMARK_TORCH_THREADS"  # how the report's process tells its workers
CLOCK_VARIABLE = "MINIGRAD_BENCHMARK_CLOCK"  # "wall" (the default) or "cpu"
# Timing processes keep freed memory, as a process does once a few training steps have run: a fresh
# process otherwise hands buffers of a few MB back to the system after each call and pays page
# faults on the next, which slows both frameworks several times on some shapes. Memory processes
# return every freed block over 64 KiB, so that their peak is that of live buffers.
TIMING_ENV = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}
MEMORY_ENV = {"MALLOC_MMAP_THRESHOLD_": str(64 << 10)}


def clock() -> Callable[[], float]:
    """The clock the timings read: the wall clock, or with ``--cpu-time`` the process's CPU time."""
    return time.process_time if os.environ.get(CLOCK_VARIABLE) == "cpu" else time.perf_counter


def median_seconds(
    fn: Callable[..., Any],
    repeats: int,
    setup: Callable[[], Any] | None = None,
    sync: Callable[[], None] | None = None,
    min_seconds: float = 0.0,
    warmup_seconds: float = 0.5,
) -> float:
    """Median seconds per call of ``fn`` over ``repeats`` timings, after ``warmup_seconds`` of calls.

    The warm-up is long because PyTorch's first hundreds of milliseconds of calls are sometimes
    many times slower than the rest. With ``setup``, each call is ``fn(setup())`` and only ``fn``
    is timed; ``sync`` waits for a device to finish. With ``min_seconds``, each timing runs ``fn``
    often enough to last that long (short calls are otherwise below the clock's noise) and is
    divided by the count.
    """

    now = clock()

    def timed(number: int) -> float:
        args = () if setup is None else (setup(),)
        start = now()
        for _ in range(number):
            fn(*args)
        if sync is not None:
            sync()
        return (now() - start) / number

    warm_until = time.perf_counter() + warmup_seconds
    last = timed(1)
    while time.perf_counter() < warm_until:
        last = timed(1)
    number = max(1, round(min_seconds / max(last, 1e-9)))
    return statistics.median(timed(number) for _ in range(repeats))


def torch_threads() -> int:
    return int(os.environ.get(THREADS_VARIABLE, TORCH_THREADS))


def library(framework: str) -> Any:
    """``minigrad``, or ``torch`` limited to ``--torch-threads`` threads (default ``TORCH_THREADS``)."""
    if framework == "torch":
        import torch

        torch.set_num_threads(torch_threads())
        return torch
    import minigrad

    return minigrad


def lenet(lib: Any) -> Any:
    """The digits LeNet (``minigrad.apps.digits.lenet``), built from ``lib``'s layers."""
    from minigrad.apps import digits

    return digits.lenet(lib.nn)


def arguments(doc: str) -> argparse.ArgumentParser:
    """A parser for a benchmark's ``doc``, with the options they all take."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="timings per median (default 7)")
    parser.add_argument("--no-torch", action="store_true", help="time minigrad only")
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=TORCH_THREADS,
        help=f"PyTorch's threads (default {TORCH_THREADS}; NumPy's BLAS keeps its own setting)",
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="time the CPU time of each process instead of the wall clock: steady on a machine that "
        "others load, but only fair with one thread each (--torch-threads 1, OPENBLAS_NUM_THREADS=1), "
        "since it adds up the time of every thread, spinning ones included",
    )
    return parser


def frameworks(args: argparse.Namespace) -> list[str]:
    """The frameworks to compare: minigrad, and PyTorch unless ``--no-torch`` or not installed."""
    os.environ[THREADS_VARIABLE] = str(args.torch_threads)  # inherited by the workers
    os.environ[CLOCK_VARIABLE] = "cpu" if args.cpu_time else "wall"
    if args.no_torch:
        return ["minigrad"]
    if importlib.util.find_spec("torch") is None:
        print("PyTorch is not installed: minigrad only")
        return ["minigrad"]
    return list(FRAMEWORKS)


def run_worker(script: str, spec: dict[str, Any], env: dict[str, str] | None = None) -> Any:
    """``script --worker SPEC`` in a fresh Python (``TIMING_ENV`` unless ``env``): its JSON result."""
    environment = dict(os.environ, **(TIMING_ENV if env is None else env))
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    command = [sys.executable, script, "--worker", json.dumps(spec)]
    done = subprocess.run(command, capture_output=True, text=True, env=environment)
    if done.returncode:
        raise RuntimeError(f"{Path(script).name} worker {spec} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


_calls = count()


def compare(
    script: str, names: list[str], spec: dict[str, Any], env: dict[str, str] | None = None
) -> dict[str, Any]:
    """``{framework: result}`` of one worker per framework in ``names``, in alternating order."""
    order = names if next(_calls) % 2 == 0 else names[::-1]
    results = {name: run_worker(script, dict(spec, framework=name), env) for name in order}
    return {name: results[name] for name in names}


def serve_worker(work: Callable[..., Any]) -> bool:
    """In a worker process (``--worker SPEC`` on the command line) print ``work(**SPEC)`` as JSON."""
    if len(sys.argv) != 3 or sys.argv[1] != "--worker":
        return False
    print(json.dumps(work(**json.loads(sys.argv[2]))))
    return True


# ---- peak memory -----------------------------------------------------------------------------------


def memory_supported() -> bool:
    """Whether this system can reset and read a process's peak resident set (Linux)."""
    return os.path.exists("/proc/self/clear_refs")


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise OSError(f"/proc/self/status has no {field}")


def peak_mb(step: Callable[[], Any]) -> float:
    """How far one call of ``step`` raises the peak resident set above the resident set before it.

    After a warm-up call, Linux's ``VmHWM`` is reset to the current resident set through
    ``/proc/self/clear_refs``; what existed before the call (its inputs) is not counted. Run it
    under ``MEMORY_ENV``.
    """
    step()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status_mb("VmRSS")
    step()
    return _status_mb("VmHWM") - before


# ---- reports ---------------------------------------------------------------------------------------


def machine() -> str:
    """This machine's CPUs, load and library versions, for a report's first line."""
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    clock = "CPU time" if os.environ.get(CLOCK_VARIABLE) == "cpu" else "wall clock"
    return (
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, NumPy {np.__version__} "
        f"(OPENBLAS_NUM_THREADS {blas}), PyTorch threads {torch_threads()}, {clock}"
    )


def versus(results: dict[str, Any], key: str, scale: float = 1e3) -> list[float | None]:
    """``[minigrad, torch, minigrad / torch]`` of ``results[framework][key]`` (None where missing)."""
    ours = results["minigrad"][key]
    theirs = results["torch"][key] if "torch" in results else None
    if ours is None or theirs is None:
        return [None if ours is None else ours * scale, None, None]
    return [ours * scale, theirs * scale, ours / theirs]


def compared(title: str, width: int, digits: int) -> list[tuple[str, int, int]]:
    """The three columns of a ``versus`` comparison: minigrad's value, PyTorch's, their ratio."""
    return [(title, width, digits), ("torch", width, digits), ("x", 5, 2)]


class Table:
    """Rows printed as they come, under a header; ``columns`` are ``(title, width, digits)``.

    ``digits`` None prints text; a ``"|"`` between columns prints a separator. A missing value
    (None) prints as ``-``.
    """

    def __init__(self, *columns: tuple[str, int, int | None] | str) -> None:
        self.columns = columns

    def header(self) -> None:
        line = " ".join(c if isinstance(c, str) else f"{c[0]:>{c[1]}}" for c in self.columns)
        print(line)
        print("-" * len(line))

    def row(self, *values: Any) -> None:
        cells, given = [], iter(values)
        for column in self.columns:
            if isinstance(column, str):
                cells.append(column)
                continue
            value, (_, width, digits) = next(given), column
            if value is None or digits is None:
                cells.append(f"{'-' if value is None else value!s:>{width}}")
            else:
                cells.append(f"{value:{width}.{digits}f}")
        print(" ".join(cells), flush=True)
