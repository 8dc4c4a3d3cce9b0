"""Test set-up: hypothesis profiles, and running the device-neutral suites on two backends.

The op, autograd, nn and optim suites run twice: on NumPy, and with the strict CuPy stand-in
as the default device, so a stray NumPy call on device data fails a test on every machine.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

from minigrad.backend import set_default_device
from minigrad.testing.standin import use_standin

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

DEVICE_SUITES = {
    "test_engine",
    "test_properties_ops",
    "test_conv",
    "test_pool",
    "test_corr2d",
    "test_nn",
    "test_optim",
    "test_activation_loss",
    "test_data",
    "test_chapter",
    "test_gradcheck",
    "test_anomaly",
    "test_trace",
    "test_serialization",
    "test_pad_modes",
    "test_views_inplace",
    "test_grad_semantics",
    "test_nan_ties",
}


# MINIGRAD_TEST_GPU=1 (set by benchmarks/gpu.py on a GPU machine) adds a third run on CuPy.
DEVICE_BACKENDS = ["numpy", "standin"] + (["cupy"] if os.environ.get("MINIGRAD_TEST_GPU") == "1" else [])


def pytest_generate_tests(metafunc):
    if "array_backend" in metafunc.fixturenames:
        suite = metafunc.module.__name__.rpartition(".")[2]
        backends = DEVICE_BACKENDS if suite in DEVICE_SUITES else ["numpy"]
        metafunc.parametrize("array_backend", backends, scope="module")


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
