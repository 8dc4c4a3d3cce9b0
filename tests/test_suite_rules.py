"""The suite's own rules (tests/conftest.py), run on a small suite in a separate pytest process.

Every module runs on NumPy and on the stand-in unless marked ``numpy_only``; ``-m torch`` selects
every test that uses PyTorch, and a test that uses it unmarked fails; with
``MINIGRAD_ALLOWED_SKIPS`` a skip outside the named markers fails.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

pytestmark = pytest.mark.numpy_only  # it starts its own pytest runs

ROOT = Path(__file__).resolve().parent.parent

BOTH = """
import minigrad

def test_default_device():
    assert minigrad.zeros(1).device.type in ("cpu", "cuda")
"""

ONE = """
import pytest
pytestmark = pytest.mark.numpy_only

def test_once():
    pass
"""

CHAPTER = """
import minigrad as torch  # the chapter's spelling: not PyTorch

def test_minigrad_named_torch():
    assert torch.ones(1).item() == 1.0

def test_skips():
    import pytest
    pytest.skip("for no good reason")
"""

ORACLE = """
import pytest

try:
    import torch as real_torch
except ImportError:
    real_torch = None


@pytest.mark.torch
def test_marked():
    torch = pytest.importorskip("torch")
    assert torch.ones(1).item() == 1.0


@pytest.fixture
def torch_module():
    return pytest.importorskip("torch")


@pytest.fixture
def torch(torch_module):
    return torch_module


def test_by_fixture(torch):
    assert torch.ones(1).item() == 1.0


def test_unmarked_fixture(torch_module):
    assert torch_module.ones(1).item() == 1.0


def helper():
    return real_torch.ones(1)


def test_unmarked_importorskip():
    pytest.importorskip("torch")


def test_unmarked_global_through_a_helper():
    assert helper() is not None
"""

SOURCES = {"test_both": BOTH, "test_one": ONE, "test_chapter_style": CHAPTER, "test_oracle": ORACLE}


def run_suite(directory, *args, allowed_skips=None):
    """Outcomes ``(kind, message)`` by test id (``module::name[params]``) of a pytest run in directory."""
    shutil.copy(ROOT / "tests" / "conftest.py", directory / "conftest.py")
    report = directory / "report.xml"
    env = {k: v for k, v in os.environ.items() if k != "MINIGRAD_ALLOWED_SKIPS"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    if allowed_skips is not None:
        env["MINIGRAD_ALLOWED_SKIPS"] = allowed_skips
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", f"--junitxml={report}"]
    subprocess.run([*command, *args], cwd=directory, env=env, capture_output=True, check=False)
    outcomes = {}
    for case in ElementTree.parse(report).iter("testcase"):
        kind = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        messages = " ".join((child.get("message") or "") + (child.text or "") for child in case)
        outcomes[f"{case.get('classname').rpartition('.')[2]}::{case.get('name')}"] = (kind, messages)
    return outcomes


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """The small suite run once as CI's first step runs (skips allowed for gpu and torch only)."""
    directory = tmp_path_factory.mktemp("suite")
    for name, source in SOURCES.items():
        (directory / f"{name}.py").write_text(source)
    return directory, run_suite(directory, allowed_skips="gpu torch")


def test_modules_run_on_both_backends_unless_marked_numpy_only(outcomes):
    _, results = outcomes
    assert results["test_both::test_default_device[numpy]"][0] == "passed"
    assert results["test_both::test_default_device[standin]"][0] == "passed"
    assert [k for k in results if k.startswith("test_one::")] == ["test_one::test_once[numpy]"]


def test_an_unmarked_use_of_torch_fails(outcomes):
    _, results = outcomes
    for name in (
        "test_unmarked_importorskip",
        "test_unmarked_global_through_a_helper",
        "test_unmarked_fixture",
    ):
        kind, message = results[f"test_oracle::{name}[numpy]"]
        assert kind == "error" and "uses PyTorch but is not marked" in message, (name, kind, message)
    assert results["test_chapter_style::test_minigrad_named_torch[numpy]"][0] == "passed"
    expected = "passed" if importlib.util.find_spec("torch") else "skipped"
    assert results["test_oracle::test_marked[numpy]"][0] == expected
    assert results["test_oracle::test_by_fixture[numpy]"][0] == expected


def test_the_torch_marker_selects_exactly_the_tests_that_use_torch(outcomes):
    directory, _ = outcomes
    selected = run_suite(directory, "-m", "torch")
    assert set(selected) == {
        f"test_oracle::{name}[{backend}]"
        for name in ("test_marked", "test_by_fixture")
        for backend in ("numpy", "standin")
    }


def test_allowed_skips_turn_other_skips_into_failures(outcomes):
    _, results = outcomes
    kind, message = results["test_chapter_style::test_skips[numpy]"]
    assert kind == "failure" and "MINIGRAD_ALLOWED_SKIPS" in message and "for no good reason" in message
