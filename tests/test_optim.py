"""SGD and Adam: PyTorch's equations (by hand and against torch.optim), validation, state dicts."""

import itertools

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.testing import assert_close

STEPS = 5


def grads_for(shapes, seed=0):
    """STEPS fixed gradients per parameter, as float64 arrays."""
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=shape) for shape in shapes] for _ in range(STEPS)]


def initial(shapes, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) for shape in shapes]


SHAPES = [(3, 2), (4,)]


def run_minigrad(make_optimizer, dtype=np.float64, shapes=SHAPES, skip=None):
    """Parameters after each step, feeding the same gradients every time."""
    params = [nn.Parameter(minigrad.tensor(a.astype(dtype))) for a in initial(shapes)]
    optimizer = make_optimizer(params)
    history = []
    for step, grads in enumerate(grads_for(shapes)):
        for k, (param, grad) in enumerate(zip(params, grads)):
            param.grad = None if (skip and skip(step, k)) else minigrad.tensor(grad.astype(dtype))
        optimizer.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


# --- reference equations (float64 NumPy), written from PyTorch's documentation -----------------


def reference_sgd(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    params, buffers, history = initial(SHAPES), [None] * len(SHAPES), []
    for grads in grads_for(SHAPES):
        for k, grad in enumerate(grads):
            g = -grad if maximize else grad
            g = g + weight_decay * params[k]
            if momentum:
                buffers[k] = g.copy() if buffers[k] is None else momentum * buffers[k] + (1 - dampening) * g
                g = g + momentum * buffers[k] if nesterov else buffers[k]
            params[k] = params[k] - lr * g
        history.append([p.copy() for p in params])
    return history


def reference_adam(
    lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False, decoupled=False
):
    b1, b2 = betas
    params, history = initial(SHAPES), []
    m = [np.zeros(s) for s in SHAPES]
    v = [np.zeros(s) for s in SHAPES]
    v_max = [np.zeros(s) for s in SHAPES]
    for t, grads in enumerate(grads_for(SHAPES), start=1):
        for k, grad in enumerate(grads):
            g = -grad if maximize else grad
            if decoupled:
                params[k] = params[k] * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * params[k]
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            v_max[k] = np.maximum(v_max[k], v[k])
            second = v_max[k] if amsgrad else v[k]
            m_hat, v_hat = m[k] / (1 - b1**t), second / (1 - b2**t)
            params[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append([p.copy() for p in params])
    return history


def assert_trajectories_close(actual, expected, rtol, atol):
    for step, (mine, reference) in enumerate(zip(actual, expected)):
        for k, (a, e) in enumerate(zip(mine, reference)):
            where = f"step {step}, param {k}: "
            assert_close(a, e.astype(a.dtype), rtol=rtol, atol=atol, msg=lambda m, where=where: where + m)


SGD_CASES = [
    {"momentum": m, "dampening": d, "weight_decay": wd, "nesterov": n, "maximize": mx}
    for m, d, wd, n, mx in itertools.product([0.0, 0.9], [0.0, 0.3], [0.0, 0.1], [False, True], [False, True])
    if not (n and (m == 0 or d != 0))
]
ADAM_CASES = [
    {"weight_decay": wd, "amsgrad": a, "maximize": mx, "decoupled_weight_decay": dec, "betas": b}
    for wd, a, mx, dec, b in itertools.product(
        [0.0, 0.1], [False, True], [False, True], [False, True], [(0.9, 0.999), (0.5, 0.8)]
    )
]


def case_id(case):
    return ",".join(f"{k}={v}" for k, v in case.items())


@pytest.mark.parametrize("case", SGD_CASES, ids=case_id)
def test_sgd_follows_the_reference_equations(case):
    actual = run_minigrad(lambda params: optim.SGD(params, lr=0.1, **case))
    assert_trajectories_close(actual, reference_sgd(0.1, **case), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", ADAM_CASES, ids=case_id)
def test_adam_follows_the_reference_equations(case):
    actual = run_minigrad(lambda params: optim.Adam(params, lr=0.05, **case))
    reference = dict(case, decoupled=case["decoupled_weight_decay"])
    del reference["decoupled_weight_decay"]
    assert_trajectories_close(actual, reference_adam(0.05, **reference), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("make, reference", [("SGD", reference_sgd), ("Adam", reference_adam)])
def test_a_weight_decay_of_one_is_applied(make, reference):
    actual = run_minigrad(lambda params: getattr(optim, make)(params, lr=0.1, weight_decay=1.0))
    assert_trajectories_close(actual, reference(0.1, weight_decay=1.0), rtol=1e-10, atol=1e-12)


def test_adamw_is_adam_with_decoupled_weight_decay():
    actual = run_minigrad(lambda params: optim.AdamW(params, lr=0.05))
    assert_trajectories_close(
        actual, reference_adam(0.05, weight_decay=0.01, decoupled=True), rtol=1e-10, atol=1e-12
    )


def test_float32_stays_float32():
    for make in (
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1),
        lambda p: optim.Adam(p, weight_decay=0.1),
    ):
        history = run_minigrad(make, dtype=np.float32)
        assert all(p.dtype == np.float32 for p in history[-1])


# --- against torch.optim ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def run_torch(torch, make_optimizer, dtype):
    params = [torch.tensor(a.astype(dtype), requires_grad=True) for a in initial(SHAPES)]
    optimizer = make_optimizer(params)
    history = []
    for grads in grads_for(SHAPES):
        for param, grad in zip(params, grads):
            param.grad = torch.tensor(grad.astype(dtype))
        optimizer.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


TOLERANCES = {np.float64: (1e-12, 1e-12), np.float32: (2e-6, 2e-6)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", SGD_CASES, ids=case_id)
def test_sgd_matches_torch(torch, case, dtype):
    ours = run_minigrad(lambda params: optim.SGD(params, lr=0.1, **case), dtype)
    theirs = run_torch(torch, lambda params: torch.optim.SGD(params, lr=0.1, **case), dtype)
    assert_trajectories_close(ours, theirs, *TOLERANCES[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ADAM_CASES, ids=case_id)
def test_adam_matches_torch(torch, case, dtype):
    ours = run_minigrad(lambda params: optim.Adam(params, lr=0.05, **case), dtype)
    theirs = run_torch(torch, lambda params: torch.optim.Adam(params, lr=0.05, **case), dtype)
    assert_trajectories_close(ours, theirs, *TOLERANCES[dtype])


def test_adamw_matches_torch(torch):
    ours = run_minigrad(lambda params: optim.AdamW(params, lr=0.05, weight_decay=0.2, amsgrad=True))
    theirs = run_torch(
        torch, lambda params: torch.optim.AdamW(params, lr=0.05, weight_decay=0.2, amsgrad=True), np.float64
    )
    assert_trajectories_close(ours, theirs, 1e-12, 1e-12)


def test_state_dict_layout_matches_torch(torch):
    ours = run_and_keep(lambda params: optim.Adam(params, amsgrad=True))
    params = [torch.tensor(a, requires_grad=True) for a in initial(SHAPES)]
    theirs = torch.optim.Adam(params, amsgrad=True)
    for param, grad in zip(params, grads_for(SHAPES)[0]):
        param.grad = torch.tensor(grad)
    theirs.step()
    ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(theirs_state)
    assert list(ours_state["state"]) == list(theirs_state["state"])
    assert list(ours_state["state"][0]) == list(theirs_state["state"][0])
    assert ours_state["param_groups"][0]["params"] == theirs_state["param_groups"][0]["params"]
    for key in ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay"):
        assert ours_state["param_groups"][0][key] == theirs_state["param_groups"][0][key]


# --- behaviour ------------------------------------------------------------------------------------


def run_and_keep(make_optimizer, steps=1):
    params = [nn.Parameter(minigrad.tensor(a)) for a in initial(SHAPES)]
    optimizer = make_optimizer(params)
    for grads in grads_for(SHAPES)[:steps]:
        for param, grad in zip(params, grads):
            param.grad = minigrad.tensor(grad)
        optimizer.step()
    return optimizer


def test_parameters_without_gradient_are_skipped_but_zero_gradients_still_move_with_momentum():
    skip_second = lambda step, k: k == 1 and step >= 2  # noqa: E731
    history = run_minigrad(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), skip=skip_second)
    np.testing.assert_array_equal(history[2][1], history[1][1])
    np.testing.assert_array_equal(history[4][1], history[1][1])
    param = nn.Parameter(minigrad.ones(2, dtype=np.float64))
    optimizer = optim.SGD([param], lr=0.1, momentum=0.9)
    param.grad = minigrad.ones(2, dtype=np.float64)
    optimizer.step()
    param.grad = minigrad.zeros(2, dtype=np.float64)
    optimizer.step()
    assert_close(param.detach().numpy(), np.full(2, 1 - 0.1 - 0.09))


@pytest.mark.parametrize("make", [lambda p: optim.SGD(p, lr=0.1), lambda p: optim.Adam(p)])
def test_zero_grad(make):
    param = nn.Parameter(minigrad.ones(2))
    optimizer = make([param])
    param.grad = minigrad.ones(2)
    optimizer.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(param.grad.numpy(), np.zeros(2, dtype=np.float32))
    optimizer.zero_grad()
    assert param.grad is None


def test_param_groups_have_their_own_hyperparameters():
    a, b = nn.Parameter(minigrad.ones(1, dtype=np.float64)), nn.Parameter(minigrad.ones(1, dtype=np.float64))
    optimizer = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1)
    a.grad, b.grad = minigrad.ones(1, dtype=np.float64), minigrad.ones(1, dtype=np.float64)
    optimizer.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.5)
    assert optimizer.param_groups[1]["momentum"] == 0.0
    c = nn.Parameter(minigrad.ones(1))
    optimizer.add_param_group({"params": [c], "momentum": 0.9})
    assert optimizer.param_groups[2]["lr"] == 0.1
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizer.add_param_group({"params": [a]})


def test_step_with_closure_returns_the_loss():
    param = nn.Parameter(minigrad.tensor([2.0]))
    optimizer = optim.SGD([param], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (param * param).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 4.0 and param.item() == pytest.approx(1.0)


def test_training_a_model_reduces_the_loss():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    x = minigrad.randn(32, 3)
    y = (x * minigrad.tensor([1.0, -2.0, 0.5])).sum(1, keepdim=True)
    for optimizer in (
        optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
        optim.Adam(model.parameters(), lr=0.01),
    ):
        losses = []
        for _ in range(30):
            optimizer.zero_grad()
            loss = nn.MSELoss()(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        assert losses[-1] < 0.5 * losses[0]


def test_repr_lists_hyperparameters():
    text = repr(optim.SGD([nn.Parameter(minigrad.ones(1))], lr=0.1))
    assert text.startswith("SGD (\nParameter Group 0\n    dampening: 0.0\n    lr: 0.1\n")
    assert text.endswith("weight_decay: 0.0\n)")


# --- validation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": -0.1}, "Invalid learning rate: -0.1"),
        ({"lr": 0.1, "momentum": -0.5}, "Invalid momentum value: -0.5"),
        ({"lr": 0.1, "weight_decay": -1e-4}, "Invalid weight_decay value"),
        ({"lr": 0.1, "nesterov": True}, "Nesterov momentum requires a momentum and zero dampening"),
        ({"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}, "zero dampening"),
    ],
)
def test_sgd_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.SGD([nn.Parameter(minigrad.ones(1))], **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": -1.0}, "Invalid learning rate"),
        ({"eps": -1e-8}, "Invalid epsilon value"),
        ({"betas": (1.0, 0.999)}, "Invalid beta parameter at index 0"),
        ({"betas": (-0.1, 0.999)}, "Invalid beta parameter at index 0"),
        ({"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1"),
        ({"betas": (0.9,)}, "betas must be a pair"),
        ({"weight_decay": -0.1}, "Invalid weight_decay value"),
    ],
)
def test_adam_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.Adam([nn.Parameter(minigrad.ones(1))], **kwargs)


def test_parameter_list_validation():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got a Tensor"):
        optim.SGD(nn.Parameter(minigrad.ones(1)), lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([nn.Parameter(minigrad.ones(1)) * 2], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {nn.Parameter(minigrad.ones(1))}}], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.SGD([{"params": [nn.Parameter(minigrad.ones(1))], "lr": -1}], lr=0.1)


# --- state dicts and resuming ---------------------------------------------------------------------


OPTIMIZERS = {
    "sgd": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adam": lambda p: optim.Adam(p, lr=0.01, amsgrad=True, weight_decay=1e-3),
}


def train(model, optimizer, steps, seed):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = minigrad.tensor(rng.normal(size=(8, 4)).astype(np.float32))
        y = minigrad.tensor(rng.integers(0, 3, size=8))
        optimizer.zero_grad()
        nn.CrossEntropyLoss()(model(x), y).backward()
        optimizer.step()


def small_model(seed):
    minigrad.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3))


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_resuming_from_saved_state_is_exact(name, tmp_path):
    uninterrupted = small_model(0)
    optimizer = OPTIMIZERS[name](uninterrupted.parameters())
    train(uninterrupted, optimizer, 3, seed=1)
    train(uninterrupted, optimizer, 4, seed=2)

    first = small_model(0)
    first_optimizer = OPTIMIZERS[name](first.parameters())
    train(first, first_optimizer, 3, seed=1)
    minigrad.save(first.state_dict(), tmp_path / "model.npz")
    minigrad.save(first_optimizer.state_dict(), tmp_path / "optimizer.npz")

    resumed = small_model(5)  # different initial weights: everything must come from the files
    resumed_optimizer = OPTIMIZERS[name](resumed.parameters())
    resumed.load_state_dict(minigrad.load(tmp_path / "model.npz"))
    resumed_optimizer.load_state_dict(minigrad.load(tmp_path / "optimizer.npz"))
    train(resumed, resumed_optimizer, 4, seed=2)
    for key, value in uninterrupted.state_dict().items():
        np.testing.assert_array_equal(resumed.state_dict()[key].numpy(), value.numpy())


def test_load_state_dict_copies_and_restores_hyperparameters():
    source = run_and_keep(lambda p: optim.SGD(p, lr=0.3, momentum=0.5), steps=2)
    params = [nn.Parameter(minigrad.tensor(a)) for a in initial(SHAPES)]
    target = optim.SGD(params, lr=0.01)
    target.load_state_dict(source.state_dict())
    assert target.param_groups[0]["lr"] == 0.3 and target.param_groups[0]["params"] == params
    buffer = target.state[params[0]]["momentum_buffer"]
    source_buffer = source.state_dict()["state"][0]["momentum_buffer"]
    assert_close(buffer, source_buffer)
    source_buffer.fill_(0.0)
    assert buffer.numpy().any()


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    source = run_and_keep(lambda p: optim.Adam(p), steps=2)
    params = [nn.Parameter(minigrad.tensor(a.astype(np.float32))) for a in initial(SHAPES)]
    target = optim.Adam(params)
    target.load_state_dict(source.state_dict())
    assert target.state[params[0]]["exp_avg"].dtype == np.float32
    assert target.state[params[0]]["step"].item() == 2.0


def test_load_state_dict_errors_change_nothing():
    source = run_and_keep(lambda p: optim.SGD(p, lr=0.3, momentum=0.5))
    param = nn.Parameter(minigrad.ones(3, 2, dtype=np.float64))
    target = optim.SGD([param], lr=0.01)
    with pytest.raises(ValueError, match="doesn't match the size"):
        target.load_state_dict(source.state_dict())
    two_groups = optim.SGD([{"params": [param]}, {"params": [nn.Parameter(minigrad.ones(5))]}], lr=0.01)
    with pytest.raises(ValueError, match="2 parameter groups"):
        source.load_state_dict(two_groups.state_dict())
    misshapen = optim.SGD([nn.Parameter(minigrad.ones(3, 2)), nn.Parameter(minigrad.ones(5))], lr=0.01)
    with pytest.raises(ValueError, match=r"state 'momentum_buffer' has shape \(4,\).*\(5,\)"):
        misshapen.load_state_dict(source.state_dict())
    assert misshapen.state == {} and misshapen.param_groups[0]["lr"] == 0.01
    with pytest.raises(ValueError, match="keys 'state' and 'param_groups'"):
        target.load_state_dict({"state": {}})
