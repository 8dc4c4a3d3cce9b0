"""``python -m minigrad``, run as a user runs it: in a fresh process, reading what it prints."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.numpy_only  # each test runs the command line in a process of its own

ROOT = Path(__file__).resolve().parent.parent
needs_scikit_learn = pytest.mark.skipif(
    importlib.util.find_spec("sklearn") is None, reason="the digits ship with scikit-learn (test extra)"
)


def environment() -> dict[str, str]:
    """This checkout's minigrad first on the path, and help text wrapped at 80 columns."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "COLUMNS": "80"}


def minigrad_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m minigrad ARGS`` with its stdout and stderr piped (so not a terminal)."""
    command = [sys.executable, "-m", "minigrad", *args]
    return subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, text=True, timeout=300)


def minigrad_cli_on_a_terminal(*args: str, cwd: Path) -> tuple[int, str]:
    """``python -m minigrad ARGS`` with stdout and stderr on a pseudo-terminal of 24 x 100."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    command = [sys.executable, "-m", "minigrad", *args]
    with subprocess.Popen(
        command, cwd=cwd, env=environment(), stdin=subprocess.DEVNULL, stdout=follower, stderr=follower
    ) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the other end closed: the process has exited
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
    return process.returncode, b"".join(chunks).decode()


@pytest.mark.parametrize("args", [["--help"], ["tour", "--help"], ["train-digits", "--help"]], ids=" ".join)
def test_help_is_plain_text_with_one_usage_line(args, tmp_path):
    done = minigrad_cli(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("usage: python -m minigrad") and lines[1] == ""
    assert [line for line in lines if "usage" in line.lower()] == [lines[0]]
    assert "`" not in done.stdout and "::" not in done.stdout  # no reST markup


@pytest.mark.parametrize(
    "args", [[], ["tour"], ["--graph"], ["tour", "--graph"], ["--graph", "tour"]], ids=" ".join
)
def test_the_tour_prints_tensors_and_with_graph_the_graph(args, tmp_path):
    done = minigrad_cli(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "corr2d(X, K) =\ntensor([[19., 25.],\n        [37., 43.]])" in done.stdout
    svg = tmp_path / "minigrad-graph.svg"
    if "--graph" not in args:
        assert "digraph" not in done.stdout and "python -m minigrad --graph" in done.stdout
        assert not svg.exists()
    elif shutil.which("dot") is None:
        assert "digraph minigrad {" in done.stdout and "Graphviz (dot) is not installed" in done.stdout
    else:
        assert (
            "digraph minigrad {" in done.stdout and f"drawing = {svg.resolve()} (by Graphviz)" in done.stdout
        )
        assert b"<svg" in svg.read_bytes()[:400]


def test_unknown_arguments_are_refused(tmp_path):
    done = minigrad_cli("tour", "--graf", cwd=tmp_path)
    assert done.returncode == 2 and "unrecognized arguments: --graf" in done.stderr


@pytest.mark.slow
@needs_scikit_learn
def test_off_a_terminal_the_trainer_prints_one_line_per_epoch(tmp_path):
    done = minigrad_cli(
        "train-digits", "--epochs", "2", "--batch-size", "128", "--no-plot", "--out", ".", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "\r" not in done.stdout  # no progress bar
    assert [
        line.split("  train loss")[0] for line in done.stdout.splitlines() if line.startswith("epoch")
    ] == [
        "epoch  1/2",
        "epoch  2/2",
    ]
    assert "the train loss includes label smoothing 0.1" in done.stdout.splitlines()[0]


@pytest.mark.slow
@pytest.mark.examples  # the bar is tqdm's
@needs_scikit_learn
@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_on_a_terminal_the_trainer_shows_a_progress_bar(tmp_path):
    pytest.importorskip("tqdm", reason="the bar is tqdm's (examples extra)")
    code, output = minigrad_cli_on_a_terminal(
        "train-digits", "--epochs", "2", "--batch-size", "128", "--no-plot", "--out", ".", cwd=tmp_path
    )
    assert code == 0, output
    assert "epoch 1/2:" in output and "batch/s" in output and "\r" in output.replace("\r\n", "")
    assert "epoch  1/2  train loss" in output and "epoch  2/2  train loss" in output
    assert "label smoothing 0.1" in output
