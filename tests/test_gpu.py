"""Real-GPU checks (CuPy on CUDA): skipped when no GPU is present; run by benchmarks/gpu.py.

Importing CuPy is no proof of a GPU, so the probe asks the CUDA runtime for a device count.
"""

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.nn import functional as F


def _gpu_count() -> int:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount()
    except Exception:  # no CuPy, no driver, or no device: CuPy raises its own error types
        return 0


# numpy_only: each test moves tensors between "cpu" and the real "cuda" itself.
pytestmark = [
    pytest.mark.gpu,
    pytest.mark.numpy_only,
    pytest.mark.skipif(_gpu_count() == 0, reason="needs a CUDA GPU with CuPy"),
]


def _rel_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30))


@pytest.mark.parametrize(
    "n, c_in, h, c_out, k, stride, padding, dilation, groups",
    [(4, 3, 16, 8, 3, 1, 1, 1, 1), (2, 4, 12, 6, 3, 2, 0, 2, 2), (3, 1, 28, 6, 5, 1, 2, 1, 1)],
)
def test_conv2d_on_gpu_equals_cpu(n, c_in, h, c_out, k, stride, padding, dilation, groups):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c_in, h, h)).astype(np.float32)
    w = rng.standard_normal((c_out, c_in // groups, k, k)).astype(np.float32)
    results = []
    for dev in ("cpu", "cuda"):
        xt = minigrad.tensor(x, device=dev, requires_grad=True)
        wt = minigrad.tensor(w, device=dev, requires_grad=True)
        y = F.conv2d(xt, wt, stride=stride, padding=padding, dilation=dilation, groups=groups)
        (y * y).sum().backward()
        results.append([y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()])
    for gpu, cpu in zip(results[1], results[0]):
        assert _rel_error(gpu, cpu) < 1e-5


def test_pooling_and_transposed_conv_on_gpu_equal_cpu():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 9, 9)).astype(np.float32)
    w = rng.standard_normal((3, 4, 3, 3)).astype(np.float32)
    results = []
    for dev in ("cpu", "cuda"):
        xt = minigrad.tensor(x, device=dev, requires_grad=True)
        y = F.conv_transpose2d(
            F.max_pool2d(xt, 2) + F.avg_pool2d(xt, 2), minigrad.tensor(w, device=dev), stride=2
        )
        y.sum().backward()
        results.append([y.detach().numpy(), xt.grad.numpy()])
    for gpu, cpu in zip(results[1], results[0]):
        assert _rel_error(gpu, cpu) < 1e-5


def test_training_steps_on_gpu_follow_cpu():
    losses = {}
    for dev in ("cpu", "cuda"):
        minigrad.manual_seed(0)
        model = nn.Sequential(
            nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(6 * 4 * 4, 10)
        ).to(dev)
        opt = optim.Adam(model.parameters(), lr=1e-2)
        x = minigrad.randn(16, 1, 8, 8, device=dev)
        y = minigrad.tensor(np.arange(16) % 10, device=dev)
        losses[dev] = []
        for _ in range(5):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses[dev].append(loss.item())
    np.testing.assert_allclose(losses["cuda"], losses["cpu"], rtol=1e-4)
    assert losses["cuda"][-1] < losses["cuda"][0]


def test_save_on_gpu_load_on_cpu(tmp_path):
    model = nn.Linear(4, 3).cuda()
    minigrad.save(model.state_dict(), tmp_path / "m.npz")
    state = minigrad.load(tmp_path / "m.npz", map_location="cpu")
    assert state["weight"].device == "cpu"
    np.testing.assert_array_equal(state["weight"].numpy(), model.weight.detach().cpu().numpy())
