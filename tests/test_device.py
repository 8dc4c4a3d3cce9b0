"""Devices as in PyTorch, on the strict CuPy stand-in: placement, moves, mixing, saving, errors."""

import re

import numpy as np
import pytest

import minigrad
from minigrad import backend, nn, optim
from minigrad.nn import functional as F
from minigrad.testing.standin import StandinArray, host_transfers, use_standin

# These tests place tensors on "cpu" and on the stand-in "cuda" themselves.
pytestmark = pytest.mark.numpy_only


@pytest.fixture
def cuda():
    with use_standin():
        yield "cuda"


def test_tensor_on_device_and_back(cuda):
    x = minigrad.tensor([[1.0, 2.0]], device=cuda)
    assert x.device == "cuda" and x.is_cuda and isinstance(x.array, StandinArray)
    assert repr(x.device) == "device(type='cuda')"
    y = x.cpu()
    assert y.device == "cpu" and isinstance(y.array, np.ndarray) and y.tolist() == [[1.0, 2.0]]
    assert minigrad.zeros(2, device=cuda).to("cpu").device == "cpu"
    assert minigrad.ones(2).cuda().device == "cuda"
    assert minigrad.ones(2).to(cuda, minigrad.float64).dtype == np.float64


def test_gradient_flows_back_across_devices(cuda):
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x.to(cuda) * 3).sum().backward()
    assert x.grad.device == "cpu" and x.grad.tolist() == [3.0, 3.0]


def test_mixing_devices_names_both(cuda):
    with pytest.raises(RuntimeError, match="same device.*cpu and cuda"):
        minigrad.ones(2) + minigrad.ones(2, device=cuda)
    with pytest.raises(RuntimeError, match="cpu and cuda"):
        F.conv2d(minigrad.ones(1, 1, 3, 3), minigrad.ones(1, 1, 2, 2, device=cuda))


def test_numpy_refuses_device_tensors_like_cupy(cuda):
    x = minigrad.ones(2, device=cuda)
    with pytest.raises(TypeError):
        np.asarray(x)
    assert isinstance(x.numpy(), np.ndarray)  # the explicit way works


def test_cuda_without_cupy_or_gpu_says_how_to_install():
    backend.unregister_backend("cuda")
    try:
        import cupy  # noqa: F401

        expected = "no GPU|gpu extra"
    except ImportError:
        expected = r"pip install 'minigrad\[gpu\]'"
    try:
        backend.backend("cuda")
    except RuntimeError as err:
        assert "cuda" in str(err)
        assert re.search(expected, str(err))
    else:  # a real GPU is present: then it must work
        assert minigrad.ones(1, device="cuda").device == "cuda"
    finally:
        backend.unregister_backend("cuda")


def test_bad_device_names():
    with pytest.raises(RuntimeError, match="expected 'cpu', 'cuda' or 'cuda:N'"):
        minigrad.ones(2, device="tpu")


def test_module_to_moves_parameters_and_gradients(cuda):
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))
    model(minigrad.randn(1, 1, 4, 4)).sum().backward()
    weights = [p for p in model.parameters()]
    model.to(cuda)
    assert [p for p in model.parameters()] == weights  # the same Parameter objects
    assert all(p.device == "cuda" and p.grad.device == "cuda" for p in model.parameters())
    model.cpu()
    assert all(p.device == "cpu" and p.grad.device == "cpu" for p in model.parameters())


def test_a_training_step_on_the_device_never_touches_the_host(cuda):
    minigrad.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 3)
    ).to(cuda)
    x = minigrad.randn(5, 1, 4, 4, device=cuda)
    y = minigrad.tensor([0, 1, 2, 1, 0], device=cuda)
    for opt in (optim.SGD(model.parameters(), lr=0.1, momentum=0.9), optim.Adam(model.parameters())):
        with host_transfers.forbidden():
            for _ in range(2):
                opt.zero_grad()
                F.cross_entropy(model(x), y).backward()
                opt.step()
        assert all(
            isinstance(s.array, StandinArray)
            for st in opt.state.values()
            for k, s in st.items()
            if k != "step"
        )


def test_save_from_device_and_load_with_map_location(cuda, tmp_path):
    minigrad.manual_seed(0)
    model = nn.Linear(3, 2).to(cuda)
    path = tmp_path / "model.npz"
    minigrad.save(model.state_dict(), path)
    with np.load(path, allow_pickle=False) as raw:  # a plain host .npz
        assert isinstance(raw["weight"], np.ndarray)
    on_cpu = minigrad.load(path, map_location="cpu")
    on_gpu = minigrad.load(path, map_location=cuda)
    assert on_cpu["weight"].device == "cpu" and on_gpu["weight"].device == "cuda"
    assert np.array_equal(on_cpu["weight"].numpy(), model.weight.detach().numpy())


def test_same_results_on_both_backends(cuda):
    """The one code path gives the same numbers on NumPy and on the stand-in."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 7, 7)), rng.standard_normal((4, 3, 3, 3))
    outs = []
    for dev in ("cpu", cuda):
        xt = minigrad.tensor(x, device=dev, requires_grad=True)
        wt = minigrad.tensor(w, device=dev, requires_grad=True)
        y = F.max_pool2d(F.conv2d(xt, wt, stride=2, padding=1).relu(), 2)
        y.sum().backward()
        outs.append([y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()])
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-12)
