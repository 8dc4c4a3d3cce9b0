"""RMSprop, Adagrad, Adadelta, Adamax, NAdam and RAdam: first steps by hand, trajectories and
state dicts against torch.optim, validation."""

import itertools
import math

import numpy as np
import pytest
from test_optim import SHAPES, assert_trajectories_close, case_id, initial

import minigrad
from minigrad import nn, optim


def cases(**options):
    names = list(options)
    return [dict(zip(names, values)) for values in itertools.product(*options.values())]


CASES = {
    "RMSprop": cases(
        alpha=[0.99, 0.5],
        weight_decay=[0.0, 0.1],
        momentum=[0.0, 0.9],
        centered=[False, True],
        maximize=[False, True],
    ),
    "Adagrad": cases(lr_decay=[0.0, 0.1], weight_decay=[0.0, 0.1], initial_accumulator_value=[0.0, 0.5]),
    "Adadelta": cases(rho=[0.9, 0.5], weight_decay=[0.0, 0.1], maximize=[False, True]),
    "Adamax": cases(betas=[(0.9, 0.999), (0.5, 0.8)], weight_decay=[0.0, 0.1], maximize=[False, True]),
    "NAdam": cases(
        weight_decay=[0.0, 0.1],
        momentum_decay=[4e-3, 0.5],
        decoupled_weight_decay=[False, True],
        maximize=[False, True],
    ),
    "RAdam": cases(
        betas=[(0.9, 0.999), (0.5, 0.8)],  # beta2 = 0.8 rectifies from step 7 on: both branches run
        weight_decay=[0.0, 0.1],
        decoupled_weight_decay=[False, True],
    ),
}
LEARNING_RATES = {
    "RMSprop": 0.01,
    "Adagrad": 0.1,
    "Adadelta": 1.0,
    "Adamax": 0.05,
    "NAdam": 0.05,
    "RAdam": 0.05,
}
ALL_CASES = [(name, case) for name, options in CASES.items() for case in options]
STEPS = 8  # RAdam with beta2 = 0.8 rectifies from step 7 on


def grads_for(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=shape) for shape in shapes] for _ in range(STEPS)]


def run_minigrad(make_optimizer, dtype):
    params = [nn.Parameter(minigrad.tensor(a.astype(dtype))) for a in initial(SHAPES)]
    optimizer = make_optimizer(params)
    history = []
    for grads in grads_for(SHAPES):
        for param, grad in zip(params, grads):
            param.grad = minigrad.tensor(grad.astype(dtype))
        optimizer.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


def make(name, case, lib=optim):
    return lambda params: getattr(lib, name)(params, lr=LEARNING_RATES[name], **case)


# --- one step by hand (no PyTorch needed) -------------------------------------------------------


def first_step(name, p, g):
    """The parameter after one step from zero state, from PyTorch's documented equations."""
    lr = LEARNING_RATES[name]
    if name == "RMSprop":
        return p - lr * g / (np.sqrt(0.01 * g * g) + 1e-8)
    if name == "Adagrad":
        return p - lr * g / (np.sqrt(g * g) + 1e-10)
    if name == "Adadelta":
        delta = np.sqrt(1e-6) / np.sqrt(0.1 * g * g + 1e-6) * g
        return p - lr * delta
    if name == "Adamax":
        return p - lr / 0.1 * (0.1 * g) / (np.abs(g) + 1e-8)
    if name == "NAdam":
        mu, mu_next = (0.9 * (1 - 0.5 * 0.96 ** (t * 4e-3)) for t in (1, 2))
        product = float(np.float32(mu))  # PyTorch keeps the product of the mu in float32
        denom = np.sqrt(0.001 * g * g / 0.001) + 1e-8
        return (
            p
            - lr * (1 - mu) / (1 - product) * g / denom
            - lr * mu_next / (1 - product * mu_next) * (0.1 * g) / denom
        )
    return p - lr * g  # RAdam: rho_1 = 1 <= 5, so the first step is momentum SGD with bias correction


@pytest.mark.parametrize("name", CASES)
def test_the_first_step_follows_the_equations(name):
    p, g = initial(SHAPES)[0], grads_for(SHAPES)[0][0]
    param = nn.Parameter(minigrad.tensor(p))
    optimizer = getattr(optim, name)([param], lr=LEARNING_RATES[name])
    param.grad = minigrad.tensor(g)
    optimizer.step()
    np.testing.assert_allclose(param.detach().numpy(), first_step(name, p, g), rtol=1e-12, atol=1e-14)


def test_radam_rectifies_once_the_variance_is_tractable():
    """With beta2 = 0.8, rho_inf = 9 and rho_t > 5 from step 7: the steps stop being SGD-like."""
    rho_inf = 2 / (1 - 0.8) - 1
    rho = [rho_inf - 2 * t * 0.8**t / (1 - 0.8**t) for t in range(1, 8)]
    assert [r > 5 for r in rho] == [False] * 6 + [True]
    param = nn.Parameter(minigrad.tensor([1.0], dtype=minigrad.float64))
    optimizer = optim.RAdam([param], lr=0.1, betas=(0.5, 0.8))
    for _ in range(7):
        param.grad = minigrad.tensor([2.0], dtype=minigrad.float64)
        optimizer.step()
    # a constant gradient 2: the corrected first moment is 2 and v_t = 4 (1 - 0.8**t)
    r = rho[6]
    rect = math.sqrt((r - 4) * (r - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * r))
    adaptive = math.sqrt(1 - 0.8**7) / (math.sqrt(4 * (1 - 0.8**7)) + 1e-8)
    expected = 1.0 - 6 * 0.1 * 2.0 - 0.1 * 2.0 * adaptive * rect
    assert param.item() == pytest.approx(expected, rel=1e-12)


def test_adagrad_has_its_state_from_the_start():
    param = nn.Parameter(minigrad.zeros(2))
    optimizer = optim.Adagrad([param], initial_accumulator_value=0.25)
    state = optimizer.state_dict()["state"][0]
    assert list(state) == ["step", "sum"]
    assert state["step"].item() == 0 and state["sum"].tolist() == [0.25, 0.25]


@pytest.mark.parametrize(
    "name, kwargs, message",
    [
        ("RMSprop", {"lr": -1.0}, "Invalid learning rate: -1.0"),
        ("RMSprop", {"alpha": -0.5}, "Invalid alpha value: -0.5"),
        ("RMSprop", {"momentum": -0.1}, "Invalid momentum value: -0.1"),
        ("Adagrad", {"lr_decay": -1.0}, "Invalid lr_decay value: -1.0"),
        ("Adagrad", {"initial_accumulator_value": -1.0}, "Invalid initial_accumulator_value value: -1.0"),
        ("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
        ("Adadelta", {"eps": -1.0}, "Invalid epsilon value: -1.0"),
        ("Adamax", {"betas": (1.0, 0.9)}, "Invalid beta parameter at index 0"),
        ("NAdam", {"momentum_decay": -1.0}, "Invalid momentum_decay value: -1.0"),
        ("RAdam", {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    ],
)
def test_validation(name, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        getattr(optim, name)([nn.Parameter(minigrad.zeros(1))], **kwargs)


def test_parameters_on_the_default_device_keep_their_state_there():
    param = nn.Parameter(minigrad.ones(3))
    for name in CASES:
        optimizer = getattr(optim, name)([param])
        param.grad = minigrad.ones(3)
        optimizer.step()
        for key, value in optimizer.state[param].items():
            assert value.device == (
                param.device if key not in ("step", "mu_product") else minigrad.device("cpu")
            )


# --- against torch.optim --------------------------------------------------------------------------

TOLERANCES = {np.float64: (1e-11, 1e-12), np.float32: (1e-5, 1e-6)}


def run_torch(torch, make_optimizer, dtype):
    params = [torch.tensor(a.astype(dtype), requires_grad=True) for a in initial(SHAPES)]
    optimizer = make_optimizer(params)
    history = []
    for grads in grads_for(SHAPES):
        for param, grad in zip(params, grads):
            param.grad = torch.tensor(grad.astype(dtype))
        optimizer.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, optimizer


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, case", ALL_CASES, ids=[f"{n}:{case_id(c)}" for n, c in ALL_CASES])
def test_trajectories_match_torch(torch, name, case, dtype):
    ours = run_minigrad(make(name, case), dtype)
    theirs, _ = run_torch(torch, make(name, case, torch.optim), dtype)
    assert_trajectories_close(ours, theirs, *TOLERANCES[dtype])


@pytest.mark.parametrize("name", CASES)
def test_state_dicts_match_torch(torch, name):
    case = CASES[name][-1]
    params = [nn.Parameter(minigrad.tensor(a)) for a in initial(SHAPES)]
    ours = make(name, case)(params)
    for grads in grads_for(SHAPES)[:2]:
        for param, grad in zip(params, grads):
            param.grad = minigrad.tensor(grad)
        ours.step()
    _, theirs = run_torch(torch, make(name, case, torch.optim), np.float64)
    mine, its = ours.state_dict(), theirs.state_dict()
    assert list(mine["state"][0]) == list(its["state"][0])
    for key, value in mine["state"][0].items():
        assert value.dtype.name == str(its["state"][0][key].dtype).removeprefix("torch."), key
    shared = {k: v for k, v in its["param_groups"][0].items() if k in mine["param_groups"][0]}
    assert set(shared) >= set(ours.defaults)
    for key in ours.defaults:
        assert mine["param_groups"][0][key] == its["param_groups"][0][key], key


@pytest.mark.parametrize("name", CASES)
def test_a_saved_state_continues_the_same_trajectory(name):
    """Exactly, except NAdam: its float32 ``mu_product`` loads in the parameter's dtype, as in PyTorch."""
    params = [nn.Parameter(minigrad.tensor(a)) for a in initial(SHAPES)]
    first = make(name, CASES[name][-1])(params)
    steps = grads_for(SHAPES)
    for grads in steps[:2]:
        for param, grad in zip(params, grads):
            param.grad = minigrad.tensor(grad)
        first.step()
    copies = [nn.Parameter(p.detach().clone()) for p in params]
    second = make(name, CASES[name][-1])(copies)
    second.load_state_dict(first.state_dict())
    for grads in steps[2:]:
        for optimizer, group in ((first, params), (second, copies)):
            for param, grad in zip(group, grads):
                param.grad = minigrad.tensor(grad)
            optimizer.step()
    for a, b in zip(params, copies):
        np.testing.assert_allclose(
            a.detach().numpy(), b.detach().numpy(), rtol=1e-8 if name == "NAdam" else 0
        )
