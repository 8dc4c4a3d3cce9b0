"""LeNet on scikit-learn's digits: it learns, saves and reloads exactly, and the command line runs;
the ResNet example reaches its accuracy."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.__main__ import main as minigrad_cli
from minigrad.apps import digits
from minigrad.utils.data import DataLoader, TensorDataset

pytest.importorskip("sklearn", reason="the digits data set ships with scikit-learn (test extra)")
pytestmark = pytest.mark.slow


def test_split_is_stratified_seeded_and_scaled():
    X_train, X_test, y_train, y_test = digits.load_digits_split(seed=3)
    assert X_train.shape == (1347, 1, 8, 8) and X_test.shape == (450, 1, 8, 8)
    assert X_train.dtype == minigrad.float32 and y_train.dtype == minigrad.int64
    assert 0.0 == X_train.numpy().min() and X_train.numpy().max() == 1.0
    test_counts = np.bincount(y_test.numpy(), minlength=10)
    all_counts = test_counts + np.bincount(y_train.numpy(), minlength=10)
    assert np.all(np.abs(test_counts - 0.25 * all_counts) < 1)  # each digit keeps its share
    again = digits.load_digits_split(seed=3)[1]
    assert np.array_equal(again.numpy(), X_test.numpy())
    assert not np.array_equal(digits.load_digits_split(seed=4)[1].numpy(), X_test.numpy())


def test_a_few_epochs_lower_the_loss_and_the_saved_model_predicts_the_same(tmp_path):
    X_train, X_test, y_train, y_test = digits.load_digits_split(seed=0)
    minigrad.manual_seed(0)
    model = digits.lenet()
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True, generator=0)
    optimizer = minigrad.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=digits.LABEL_SMOOTHING)
    losses = [digits.train_epoch(model, loader, optimizer, loss_fn) for _ in range(4)]
    assert losses[-1] < 0.5 * losses[0], losses
    accuracy = digits.evaluate(model, X_test, y_test)
    assert accuracy > 0.8
    assert not model.training

    path = tmp_path / "lenet.npz"
    minigrad.save(model.state_dict(), path)
    reloaded = digits.lenet()
    reloaded.load_state_dict(minigrad.load(path))
    reloaded.eval()
    with minigrad.no_grad():
        assert np.array_equal(reloaded(X_test).numpy(), model(X_test).numpy())
    assert digits.evaluate(reloaded, X_test, y_test) == accuracy


def test_command_line_trains_saves_and_reloads(tmp_path, capsys):
    minigrad_cli(["train-digits", "--epochs", "1", "--no-plot", "--out", str(tmp_path)])
    output = capsys.readouterr().out
    assert "epoch  1/1" in output and "reloaded: test accuracy" in output
    assert (tmp_path / digits.MODEL_FILE).is_file()
    assert not (tmp_path / digits.PLOT_FILE).exists()
    assert set(minigrad.load(tmp_path / digits.MODEL_FILE)) == set(digits.lenet().state_dict())


@pytest.mark.examples
def test_main_returns_the_history_and_draws_the_plot(tmp_path):
    pytest.importorskip("matplotlib", reason="the plot needs matplotlib (examples extra)")
    result = digits.main(
        ["--epochs", "2", "--batch-size", "64", "--seed", "1", "--out", str(tmp_path), "--quiet"]
    )
    assert len(result["train_loss"]) == len(result["test_accuracy"]) == 2
    assert result["reloaded_accuracy"] == result["test_accuracy"][-1]
    assert result["plot_path"].read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_without_tqdm_and_matplotlib_it_says_so_and_still_trains(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # a bar is only wanted on a terminal
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` raise ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = digits.main(["--epochs", "1", "--batch-size", "128", "--out", str(tmp_path)])
    output = capsys.readouterr().out
    assert "tqdm is not installed" in output and "matplotlib is not installed" in output
    assert "pip install 'minigrad[examples]'" in output
    assert result["plot_path"] is None and result["model_path"].is_file()


def test_without_scikit_learn_the_error_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(SystemExit, match=r"scikit-learn: pip install 'minigrad\[examples\]'"):
        digits.main(["--epochs", "1", "--out", str(tmp_path)])


@pytest.mark.parametrize("argument", [["--epochs", "0"], ["--batch-size", "-1"], ["--lr", "0"]])
def test_bad_arguments_are_refused(argument, tmp_path, capsys):
    with pytest.raises(SystemExit):
        digits.main([*argument, "--out", str(tmp_path)])
    assert argument[0] in capsys.readouterr().err


@pytest.mark.torch
def test_lenet_builds_the_same_network_in_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle here")
    ours, theirs = digits.lenet(), digits.lenet(torch.nn)
    theirs.load_state_dict(
        {key: torch.from_numpy(value.numpy().copy()) for key, value in ours.state_dict().items()}
    )
    x = minigrad.randn(3, 1, 8, 8)
    ours.eval()
    theirs.eval()
    with minigrad.no_grad(), torch.no_grad():
        assert np.allclose(ours(x).numpy(), theirs(torch.from_numpy(x.numpy())).numpy(), atol=1e-5)


@pytest.mark.numpy_only
def test_the_resnet_example_reaches_98_percent_on_the_test_digits():
    """examples/resnet_digits.py: residual blocks, lazy batch norm and an adaptive pool."""
    path = Path(__file__).parents[1] / "examples" / "resnet_digits.py"
    spec = importlib.util.spec_from_file_location("resnet_digits", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    assert example.train(epochs=6, seed=0, quiet=True) >= 0.98
