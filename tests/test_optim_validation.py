"""Optimizers check before they change anything: gradients in step(), hyperparameters, loaded state."""

import copy
import math

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.testing.standin import host_transfers, use_standin

OPTIMIZERS = {
    "sgd": lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
    "adam": lambda params: optim.Adam(params, lr=0.1, amsgrad=True),
}


def trained(make, steps=1, device=None):
    """An optimizer over two float64 parameters after ``steps`` steps with fixed gradients."""
    params = [nn.Parameter(minigrad.arange(float(n), device=device, dtype=np.float64)) for n in (3, 2)]
    optimizer = make(params)
    for step in range(steps):
        for param in params:
            param.grad = minigrad.full(param.shape, step + 0.5, dtype=np.float64, device=device)
        optimizer.step()
    return optimizer, params


def snapshot(optimizer, params):
    """Every value the optimizer owns or changes, as plain host data."""
    state = {
        index: {key: value.tolist() for key, value in values.items()}
        for index, values in optimizer.state_dict()["state"].items()
    }
    groups = [{key: value for key, value in g.items() if key != "params"} for g in optimizer.param_groups]
    return [p.detach().tolist() for p in params], state, groups


# --- step() checks every gradient first ------------------------------------------------------------

BAD_GRADS = {
    "shape": (lambda p: minigrad.ones(4, dtype=np.float64), RuntimeError, r"shape minigrad.Size\(\[2\]\), but its .grad has shape minigrad.Size\(\[4\]\)"),
    "dtype": (lambda p: minigrad.ones(2, dtype=np.float32), RuntimeError, "dtype float64, but its .grad has dtype float32"),
    "device": (lambda p: minigrad.ones(2, dtype=np.float64, device="cuda"), RuntimeError,
               "device cpu, but its .grad has device cuda"),
}  # fmt: skip


@pytest.mark.numpy_only  # host parameters, and a gradient on the stand-in device as one defect
@pytest.mark.parametrize("defect", sorted(BAD_GRADS))
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_a_bad_gradient_changes_nothing(name, defect):
    make_grad, error, message = BAD_GRADS[defect]
    optimizer, params = trained(OPTIMIZERS[name])
    before = snapshot(optimizer, params)
    params[0].grad = minigrad.ones(3, dtype=np.float64)  # a good gradient, checked first
    with use_standin():
        # Assigning .grad checks it; swapping its .data does not, in PyTorch as here.
        params[1].grad = minigrad.zeros_like(params[1])
        params[1].grad.data = make_grad(params[1])
        with pytest.raises(error, match=message):
            optimizer.step()
    assert snapshot(optimizer, params) == before


def test_a_gradient_that_is_no_tensor_is_refused_on_assignment():
    param = nn.Parameter(minigrad.ones(2, dtype=np.float64))
    with pytest.raises(
        TypeError, match="assigned grad expected to be a Tensor or None but got grad of type ndarray"
    ):
        param.grad = np.ones(2)
    assert param.grad is None


def test_a_bad_gradient_on_the_first_step_creates_no_state():
    params = [nn.Parameter(minigrad.ones(2)), nn.Parameter(minigrad.ones(3))]
    optimizer = optim.Adam(params)
    params[0].grad, params[1].grad = minigrad.ones(2), minigrad.ones(3)
    params[1].grad.data = minigrad.ones(2)
    with pytest.raises(RuntimeError, match="parameter 1 has shape"):
        optimizer.step()
    assert optimizer.state == {} and params[0].tolist() == [1.0, 1.0]


# --- hyperparameters ---------------------------------------------------------------------------------

NAN, INF = math.nan, math.inf
# (optimizer, keyword arguments, error, message, whether PyTorch refuses it too)
BAD_HYPERPARAMETERS = [
    ("SGD", {"lr": "0.1"}, TypeError, "Invalid learning rate: lr must be a real number, got '0.1' of type str", True),
    ("SGD", {"lr": NAN}, ValueError, "Invalid learning rate: nan", False),
    ("SGD", {"lr": INF}, ValueError, "Invalid learning rate: inf", False),
    ("SGD", {"lr": None}, TypeError, "lr must be a real number, got None", True),
    ("SGD", {"lr": True}, TypeError, "lr must be a real number, got True", False),
    ("SGD", {"momentum": NAN}, ValueError, "Invalid momentum value: nan", False),
    ("SGD", {"momentum": -INF}, ValueError, "Invalid momentum value: -inf", True),
    ("SGD", {"momentum": "0.9"}, TypeError, "momentum must be a real number", True),
    ("SGD", {"weight_decay": INF}, ValueError, "Invalid weight_decay value: inf", False),
    ("SGD", {"weight_decay": NAN}, ValueError, "Invalid weight_decay value: nan", False),
    ("Adam", {"lr": "0.1"}, TypeError, "Invalid learning rate: lr must be a real number, got '0.1'", True),
    ("Adam", {"lr": NAN}, ValueError, "Invalid learning rate: nan", True),
    ("Adam", {"lr": INF}, ValueError, "Invalid learning rate: inf", False),
    ("Adam", {"eps": NAN}, ValueError, "Invalid epsilon value: nan", True),
    ("Adam", {"eps": INF}, ValueError, "Invalid epsilon value: inf", False),
    ("Adam", {"weight_decay": NAN}, ValueError, "Invalid weight_decay value: nan", True),
    ("Adam", {"weight_decay": INF}, ValueError, "Invalid weight_decay value: inf", False),
    ("Adam", {"betas": 0.9}, TypeError, r"betas must be a pair \(beta1, beta2\), got 0.9", True),
    ("Adam", {"betas": (0.9, NAN)}, ValueError, r"Invalid beta parameter at index 1: nan \(must be in \[0, 1\)\)", True),
    ("Adam", {"betas": ("0.9", 0.99)}, TypeError, r"betas\[0\] must be a real number, got '0.9'", True),
    ("AdamW", {"betas": (0.9, INF)}, ValueError, "Invalid beta parameter at index 1: inf", True),
]  # fmt: skip


@pytest.mark.parametrize("case", BAD_HYPERPARAMETERS, ids=[f"{c[0]}-{c[1]}" for c in BAD_HYPERPARAMETERS])
def test_bad_hyperparameters_are_named(case):
    name, kwargs, error, message, _ = case
    with pytest.raises(error, match=message):
        getattr(optim, name)([nn.Parameter(minigrad.ones(1))], **kwargs)
    with pytest.raises(error, match=message):  # a group's own values are checked the same way
        getattr(optim, name)([{"params": [nn.Parameter(minigrad.ones(1))], **kwargs}])


@pytest.mark.torch
@pytest.mark.parametrize("case", [c for c in BAD_HYPERPARAMETERS if c[4]], ids=lambda c: f"{c[0]}-{c[1]}")
def test_where_pytorch_refuses_a_hyperparameter_it_raises_the_same_type(case):
    torch = pytest.importorskip("torch")
    name, kwargs, error, _, _ = case
    with pytest.raises(error):
        getattr(torch.optim, name)([torch.ones(1, requires_grad=True)], **kwargs)


def test_numpy_scalars_are_accepted_as_hyperparameters():
    optimizer = optim.Adam([nn.Parameter(minigrad.ones(1))], lr=np.float32(0.5), betas=[np.float64(0.5), 0.9])
    assert optimizer.param_groups[0]["betas"] == (0.5, 0.9)
    optim.SGD([nn.Parameter(minigrad.ones(1))], lr=np.int64(1), momentum=np.float16(0.5))


# --- load_state_dict -------------------------------------------------------------------------------


def old_pytorch_layout(state_dict, drop=("maximize", "decoupled_weight_decay")):
    """The layout PyTorch < 1.12 saved: ``step`` a plain int, and no newer group options."""
    old = copy.deepcopy(state_dict)
    for values in old["state"].values():
        if "step" in values:
            values["step"] = int(values["step"].item())
    for group in old["param_groups"]:
        for key in drop:
            group.pop(key, None)
    return old


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_an_older_pytorch_layout_loads_and_resumes_exactly(name):
    uninterrupted, params = trained(OPTIMIZERS[name], steps=3)
    source, _ = trained(OPTIMIZERS[name], steps=2)
    resumed, resumed_params = trained(OPTIMIZERS[name], steps=0)
    resumed.load_state_dict(old_pytorch_layout(source.state_dict()))
    if name == "adam":
        assert resumed.state[resumed_params[0]]["step"].dtype == np.float32
    for param, value in zip(resumed_params, source.param_groups[0]["params"]):
        with minigrad.no_grad():
            param.copy_(value)
        param.grad = minigrad.full(param.shape, 2.5, dtype=np.float64)
    resumed.step()
    assert [p.tolist() for p in resumed_params] == [p.tolist() for p in params]


@pytest.mark.torch
def test_a_pytorch_adam_state_with_an_int_step_loads():
    torch = pytest.importorskip("torch")
    values = [np.arange(3.0), np.arange(2.0)]
    theirs = [torch.tensor(v, requires_grad=True) for v in values]
    ours = [nn.Parameter(minigrad.tensor(v)) for v in values]
    torch_adam, adam = torch.optim.Adam(theirs, lr=0.1), optim.Adam(ours, lr=0.1)
    for step in range(3):
        for param in theirs:
            param.grad = torch.full(param.shape, step + 0.5, dtype=torch.float64)
        torch_adam.step()
        if step == 1:
            state = copy.deepcopy(torch_adam.state_dict())
            for values in state["state"].values():
                values["step"] = int(values["step"].item())  # as PyTorch < 1.12 saved it
                for key, value in values.items():
                    if torch.is_tensor(value):
                        values[key] = minigrad.tensor(value.numpy())
            adam.load_state_dict(state)
            for mine, param in zip(ours, theirs):
                with minigrad.no_grad():
                    mine.copy_(minigrad.tensor(param.detach().numpy()))
    for param in ours:
        param.grad = minigrad.full(param.shape, 2.5, dtype=np.float64)
    adam.step()
    for mine, param in zip(ours, theirs):
        np.testing.assert_allclose(mine.detach().numpy(), param.detach().numpy(), rtol=1e-12, atol=1e-15)


def malformed(state_dict, edit):
    broken = copy.deepcopy(state_dict)
    edit(broken)
    return broken


MALFORMED = {
    "a group without params": (lambda s: s["param_groups"][0].pop("params"), ValueError, "group 0 is malformed"),
    "a group that is a list": (lambda s: s["param_groups"].__setitem__(0, [0, 1]), ValueError, "group 0 is malformed"),
    "params not a list": (lambda s: s["param_groups"][0].__setitem__("params", 0), ValueError, "'params' list"),
    "params of strings": (lambda s: s["param_groups"][0].__setitem__("params", ["a", "b"]), ValueError, "indices"),
    "an index twice": (lambda s: s["param_groups"][0].__setitem__("params", [0, 0]), ValueError, "index twice"),
    "state of a list": (lambda s: s.__setitem__("state", []), ValueError, "a dict 'state'"),
    "groups of a dict": (lambda s: s.__setitem__("param_groups", {}), ValueError, "list of 'param_groups'"),
    "a parameter state of a list": (lambda s: s["state"].__setitem__(0, [1]), ValueError, "parameter 0 must be a dict"),
    "an unknown index": (lambda s: s["state"].__setitem__(7, {}), ValueError, "unknown parameter index 7"),
    "a negative lr": (lambda s: s["param_groups"][0].__setitem__("lr", -1.0), ValueError, "Invalid learning rate: -1.0"),
    "a NaN momentum": (lambda s: s["param_groups"][0].__setitem__("momentum", NAN), ValueError, "momentum value: nan"),
    "a string lr": (lambda s: s["param_groups"][0].__setitem__("lr", "0.1"), TypeError, "lr must be a real number"),
}  # fmt: skip


@pytest.mark.parametrize("defect", sorted(MALFORMED))
def test_a_malformed_state_dict_is_refused_and_changes_nothing(defect):
    edit, error, message = MALFORMED[defect]
    source, _ = trained(OPTIMIZERS["sgd"], steps=2)
    target, params = trained(lambda p: optim.SGD(p, lr=0.01, momentum=0.5), steps=1)
    before = snapshot(target, params)
    with pytest.raises(error, match=message):
        target.load_state_dict(malformed(source.state_dict(), edit))
    assert snapshot(target, params) == before


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_loading_state_on_the_device_never_touches_the_host(name, tmp_path):
    with use_standin():
        source, _ = trained(OPTIMIZERS[name], steps=2, device="cuda")
        minigrad.save(source.state_dict(), tmp_path / "optimizer.npz")
        target, params = trained(OPTIMIZERS[name], steps=0, device="cuda")
        with host_transfers.forbidden():
            target.load_state_dict(source.state_dict())
            target.load_state_dict(minigrad.load(tmp_path / "optimizer.npz"))
            for param in params:
                param.grad = minigrad.ones(param.shape, dtype=np.float64, device="cuda")
            target.step()
        for values in target.state.values():
            for key, value in values.items():
                assert value.device == ("cpu" if key == "step" else "cuda"), key
