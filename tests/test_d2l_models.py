"""A representative model of each chapter, built by the book's own cells, trains as PyTorch's does.

The scratch softmax regression (chapter 4), the MLP (5), LeNet (7), the batch-normalized LeNet,
ResNet-18 and a two-block DenseNet (8) are defined by their sections' cells (``tests/d2l``), built on 28x28
inputs, and trained for a few SGD steps on one fixed batch. On minigrad the loss must fall; with
PyTorch installed, both run in float64, minigrad's model starts from PyTorch's weights (loaded
through ``state_dict`` under the same names) and every step's loss must match PyTorch's.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent / "d2l"))

import book  # noqa: E402  (tests/d2l)

pytestmark = [pytest.mark.numpy_only, pytest.mark.slow]

SECTIONS = book.HERE / "sections"
MODELS = {
    "softmax regression": (
        "linear-classification/softmax_regression_scratch",
        "SoftmaxRegressionScratch(num_inputs=784, num_outputs=10, lr=0.1)",
    ),
    "MLP": ("multilayer-perceptrons/mlp_implementation", "MLP(num_outputs=10, num_hiddens=256, lr=0.1)"),
    "LeNet": ("convolutional-neural-networks/lenet", "LeNet(lr=0.1)"),
    "BN LeNet": ("convolutional-modern/batch_norm", "BNLeNet(lr=0.1)"),
    "ResNet-18": ("convolutional-modern/resnet", "ResNet18(lr=0.01)"),
    # two dense blocks: the book's four halve 28x28 images below one pixel (it trains on 96x96)
    "DenseNet": ("convolutional-modern/densenet", "DenseNet(arch=(4, 4), lr=0.01)"),
}
STEPS = 3


def batch(library):
    rng = np.random.default_rng(0)
    lib = __import__(library)
    X = lib.tensor(rng.random((8, 1, 28, 28))).to(lib.get_default_dtype())
    y = lib.tensor(rng.integers(0, 10, size=8))
    return X, y


def build(name, library):
    section, call = MODELS[name]
    namespace = book.definitions(SECTIONS / f"{section}.py", library)
    __import__(library).manual_seed(0)
    model = eval(call, namespace)
    model(batch(library)[0])  # lazy layers take their sizes from the batch
    return model


def train(model, library, steps=STEPS):
    X, y = batch(library)
    optimizer = model.configure_optimizers()
    losses = []
    for _ in range(steps):
        model.train()
        loss = model.loss(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def scratch_parameters(model):
    """The tensors a from-scratch model learns that are attributes, not registered parameters."""
    return {
        name: value
        for name, value in vars(model).items()
        if hasattr(value, "requires_grad") and value.requires_grad
    }


@pytest.mark.parametrize("name", MODELS)
def test_the_model_learns_on_minigrad(name):
    losses = train(build(name, "minigrad"), "minigrad", steps=STEPS + 2)
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]


@pytest.fixture
def float64(torch):
    """Both libraries in float64, so that a few steps of a deep network stay comparable to 1e-9."""
    import minigrad

    torch.set_default_dtype(torch.float64)
    minigrad.set_default_dtype(minigrad.float64)
    yield
    torch.set_default_dtype(torch.float32)
    minigrad.set_default_dtype(minigrad.float32)


@pytest.mark.torch
@pytest.mark.parametrize("name", MODELS)
def test_the_model_trains_as_in_pytorch(name, torch, float64):
    theirs, ours = build(name, "torch"), build(name, "minigrad")
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({key: value.detach().numpy() for key, value in theirs.state_dict().items()})
    for key, value in scratch_parameters(theirs).items():
        getattr(ours, key).data = __import__("minigrad").tensor(value.detach().numpy())
    np.testing.assert_allclose(train(ours, "minigrad"), train(theirs, "torch"), rtol=1e-9)
