"""The chapter's own PyTorch code, with only the imports changed, runs on minigrad."""

import runpy
from pathlib import Path

import numpy as np
import pytest

import minigrad as torch
from minigrad import nn, tour
from minigrad.nn import functional as F

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("s1_*.py"))


def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias


def test_textbook_loop_gives_the_chapter_numbers():
    X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert corr2d(X, K).tolist() == [[19.0, 25.0], [37.0, 43.0]]
    assert F.corr2d(X, K).tolist() == [[19.0, 25.0], [37.0, 43.0]]


def test_edge_detection():
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]])
    Y = corr2d(X, K)
    assert Y.shape == (6, 7)
    assert Y.tolist() == [[0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]] * 6
    assert not corr2d(X.t(), K).abs().sum().item()
    assert np.array_equal(F.corr2d(X, K).numpy(), Y.numpy())


def test_learning_the_kernel_with_the_chapters_loop():
    torch.manual_seed(0)
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]])
    Y = corr2d(X, K)
    conv2d = Conv2D(kernel_size=(1, 2))
    lr = 0.01
    losses = []
    for i in range(20):
        Y_hat = conv2d(X)
        loss = ((Y_hat - Y) ** 2).sum()
        loss.backward()
        conv2d.weight.data -= lr * conv2d.weight.grad
        conv2d.bias.data -= lr * conv2d.bias.grad
        conv2d.weight.grad.zero_()
        conv2d.bias.grad.zero_()
        losses.append(loss.item())
        if (i + 1) % 5 == 0:
            print(f"Step {i + 1}, loss {loss:.3f}")
    assert losses[-1] < 0.2 * losses[4]
    assert np.allclose(conv2d.weight.data.numpy(), [[1.0, -1.0]], atol=0.2)
    assert abs(conv2d.bias.data.item()) < 0.1


def test_d2l_training_loop_with_conv2d_layer():
    """d2l's version: an nn.Conv2d without bias, data[:] -= lr * grad, f-string of a loss."""
    torch.manual_seed(0)
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
    X = X.reshape((1, 1, 6, 8))
    Y = Y.reshape((1, 1, 6, 7))
    lr = 3e-2
    lines = []
    for i in range(10):
        Y_hat = conv2d(X)
        l = (Y_hat - Y) ** 2
        conv2d.zero_grad()
        l.sum().backward()
        conv2d.weight.data[:] -= lr * conv2d.weight.grad
        if (i + 1) % 2 == 0:
            lines.append(f"epoch {i + 1}, loss {l.sum():.3f}")
    assert len(lines) == 5 and lines[0].startswith("epoch 2, loss ")
    assert np.allclose(conv2d.weight.data.reshape((1, 2)).numpy(), [[1.0, -1.0]], atol=0.1)


def test_tour_sections():
    assert tour.cross_correlation().tolist() == [[19.0, 25.0], [37.0, 43.0]]
    assert tour.edge_detection().tolist()[0] == [0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]
    layer = tour.learn_kernel()
    assert np.allclose(layer.weight.detach().numpy(), [[1.0, -1.0]], atol=0.2)
    one, two = tour.receptive_field()
    assert one.numpy().astype(int).tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]
    assert two.numpy().all()


def test_tour_runs_end_to_end(capsys):
    from minigrad.__main__ import main

    main(["--graph"])
    out = capsys.readouterr().out
    for text in ("[[19. 25.]", "step 20, loss", "digraph", "1.6 Feature maps"):
        assert text in out


EDGES = [0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]
EXAMPLE_RESULTS = {
    # script: what its own variables must hold after it ran
    "s1_1_corr2d.py": lambda v: (
        v["corr2d"](v["X"], v["K"]).tolist()
        == F.corr2d(v["X"], v["K"]).tolist()
        == [[19.0, 25.0], [37.0, 43.0]]
    ),
    "s1_2_conv2d_layer.py": lambda v: (
        v["layer"](torch.ones(4, 4)).shape == (3, 3)
        and [name for name, _ in v["layer"].named_parameters()] == ["weight", "bias"]
    ),
    "s1_3_edge_detection.py": lambda v: (
        all(row == EDGES for row in F.corr2d(v["X"], v["K"]).tolist())
        and not F.corr2d(v["X"].t(), v["K"]).numpy().any()
    ),
    "s1_4_learn_kernel.py": lambda v: (
        np.allclose(v["conv2d"].weight.detach().numpy(), [[1.0, -1.0]], atol=0.2) and v["loss"].item() < 1.0
    ),
    "s1_5_convolution.py": lambda v: (
        F.convolve2d(v["X"], v["K"]).tolist()
        == F.corr2d(v["X"], v["K"].flip(0, 1)).tolist()
        == [[5.0, 11.0], [23.0, 29.0]]
    ),
    "s1_6_receptive_field.py": lambda v: (
        (v["g1"] != 0).long().tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]
        and bool((v["g2"] != 0).numpy().all())
    ),
}


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_scripts_run_on_their_own(script, capsys):
    variables = runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out
    assert EXAMPLE_RESULTS[script.name](variables)


def test_every_example_script_has_its_expected_results():
    assert sorted(EXAMPLE_RESULTS) == [script.name for script in EXAMPLES]
