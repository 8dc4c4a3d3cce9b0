"""The chapter's own PyTorch code, with only the imports changed, runs on minigrad (and on PyTorch).

The code lives once, in ``minigrad.apps.chapter``; these tests check the numbers its sections
return, run that same module on PyTorch with its import swapped back, and run the tour and the
examples that print it.
"""

import inspect
import runpy
import types
from pathlib import Path

import numpy as np
import pytest

from minigrad.apps import chapter
from minigrad.nn import functional as F

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("s1_*.py"))
THE_IMPORTS = {"import minigrad as torch": "import torch", "from minigrad import nn": "from torch import nn"}


def test_textbook_loop_gives_the_chapter_numbers():
    values = chapter.cross_correlation()
    X, K = values["X"], values["K"]
    assert values["corr2d(X, K)"].tolist() == [[19.0, 25.0], [37.0, 43.0]]
    assert F.corr2d(X, K).tolist() == [[19.0, 25.0], [37.0, 43.0]]


def test_the_layer_has_a_kernel_and_a_scalar_bias():
    values = chapter.convolution_layer()
    assert values["parameters"] == [("weight", (2, 2)), ("bias", (1,))]
    assert values["layer(torch.ones((4, 4))).shape"] == (3, 3)
    assert all(p.requires_grad for p in values["layer"].parameters())


def test_edge_detection():
    values = chapter.edge_detection()
    Y = values["corr2d(X, K)"]
    assert Y.shape == (6, 7)
    assert Y.tolist() == [[0.0, 1.0, 0.0, 0.0, 0.0, -1.0, 0.0]] * 6
    assert not values["corr2d(X.t(), K)"].abs().sum().item()
    assert np.array_equal(F.corr2d(values["X"], values["K"]).numpy(), Y.numpy())


def test_learning_the_kernel_with_the_chapters_loop():
    values = chapter.learning_a_kernel()
    losses = values["losses"].tolist()
    assert len(losses) == 20 and [line.split(",")[0] for line in values["log"]] == [
        f"step {step}" for step in (5, 10, 15, 20)
    ]
    assert losses[-1] < 0.2 * losses[4]
    assert np.allclose(values["conv2d.weight.data"].numpy(), [[1.0, -1.0]], atol=0.2)
    assert abs(values["conv2d.bias.data"].item()) < 0.1


def test_d2l_training_loop_with_conv2d_layer():
    """d2l's version: an nn.Conv2d without bias, data[:] -= lr * grad, f-string of a loss."""
    values = chapter.learning_with_nn_conv2d()
    lines = values["log"]
    assert len(lines) == 5 and lines[0].startswith("epoch 2, loss ")
    assert np.allclose(values["conv2d.weight.data.reshape((1, 2))"].numpy(), [[1.0, -1.0]], atol=0.1)


def test_convolution_is_cross_correlation_with_the_flipped_kernel():
    values = chapter.convolution_versus_cross_correlation()
    X, K = chapter.input_and_kernel()
    convolution = values["convolution: corr2d(X, K.flip(0, 1))"]
    assert convolution.tolist() == [[5.0, 11.0], [23.0, 29.0]]
    assert np.array_equal(F.convolve2d(X, K).numpy(), convolution.numpy())


def test_receptive_fields_grow_with_depth():
    one, two = chapter.receptive_field().values()
    assert one.numpy().astype(int).tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]
    assert two.numpy().all()


def test_every_section_has_a_numbered_title_and_text():
    for section in chapter.SECTIONS:
        title, _, text = inspect.getdoc(section).partition("\n")
        assert title.split()[0] in {"1.1", "1.2", "1.3", "1.4", "1.5", "1.6"} and text.strip(), section


def printed(values):
    """Each value as printed, tensors from the host (the stand-in run keeps them on its device)."""
    return {name: str(value.cpu() if hasattr(value, "cpu") else value) for name, value in values.items()}


@pytest.mark.torch
def test_the_chapter_runs_on_pytorch_with_only_the_import_changed():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here")
    source = inspect.getsource(chapter)
    for ours, theirs in THE_IMPORTS.items():
        assert source.count(ours) == 1
        source = source.replace(ours, theirs)
    assert "import minigrad" not in source and "from minigrad" not in source
    on_pytorch = types.ModuleType("chapter_on_pytorch")
    exec(compile(source, "chapter_on_pytorch", "exec"), vars(on_pytorch))
    random = {"learning_a_kernel", "learning_with_nn_conv2d"}  # each library has its own generator
    for ours, theirs in zip(chapter.SECTIONS, on_pytorch.SECTIONS):
        if ours.__name__ not in random:
            assert printed(theirs()) == printed(ours()), ours.__name__
    learned = on_pytorch.learning_a_kernel()
    assert isinstance(learned["conv2d.weight.data"], torch.Tensor)
    assert np.allclose(learned["conv2d.weight.data"].numpy(), [[1.0, -1.0]], atol=0.2)
    d2l = on_pytorch.learning_with_nn_conv2d()["conv2d.weight.data.reshape((1, 2))"]
    assert np.allclose(d2l.numpy(), [[1.0, -1.0]], atol=0.1)


def test_tour_runs_end_to_end(capsys, tmp_path, monkeypatch):
    from minigrad.__main__ import main

    monkeypatch.chdir(tmp_path)  # where the SVG goes, when Graphviz is installed
    main(["--graph"])
    out = capsys.readouterr().out
    for text in ("tensor([[19., 25.],", "step 20, loss", "digraph", "1.6 Feature maps", "F.convolve2d(X, K)"):
        assert text in out
    titles = [line for line in out.splitlines() if line.startswith("== 1.")]
    assert [title.split()[1] for title in titles] == ["1.1", "1.2", "1.3", "1.4", "1.4", "1.5", "1.6"]


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_scripts_run_on_their_own(script, capsys):
    variables = runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    number = script.name[1:4].replace("_", ".")  # s1_4_learn_kernel.py -> 1.4
    assert out.startswith(f"\n== {number} ")
    values = variables["values"]  # what the section returned, each printed under its name
    assert values and all(f"\n{name} =" in out for name in values)
    assert all(str(value) in out for value in values.values() if not isinstance(value, list))
