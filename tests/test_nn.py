"""Module, Parameter, layers and initialisation: registration, modes, state dicts, PyTorch interop."""

import math
from collections import OrderedDict

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.nn import init
from minigrad.testing import assert_close


class Block(nn.Module):
    """A module with a parameter, a buffer, a non-persistent buffer and a child."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(minigrad.ones(3))
        self.register_buffer("running", minigrad.zeros(3))
        self.register_buffer("scratch", minigrad.zeros(1), persistent=False)
        self.inner = nn.Linear(3, 2)

    def forward(self, x):
        return self.inner(x * self.scale)


def mlp(dtype=None):
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(6, 5, dtype=dtype),
        nn.Tanh(),
        nn.Linear(5, 4, dtype=dtype),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(4, 3, dtype=dtype),
        nn.Sigmoid(),
        nn.Identity(),
    )


# --- Parameter -------------------------------------------------------------------------------------


def test_parameter_is_a_leaf_sharing_storage():
    data = minigrad.zeros(2, 3)
    param = nn.Parameter(data)
    assert isinstance(param, minigrad.Tensor)
    assert param.requires_grad and param.is_leaf
    data.add_(1.0)
    assert_close(param.detach(), np.ones((2, 3), dtype=np.float32))
    assert not nn.Parameter(data, requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    assert repr(nn.Parameter(minigrad.tensor([1.0, 2.0], device="cpu"))) == (
        "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    )


def test_parameter_rejects_non_tensors():
    with pytest.raises(TypeError, match="must be a Tensor, got list"):
        nn.Parameter([1.0, 2.0])


# --- registration and traversal --------------------------------------------------------------------


def test_registration_order_and_names():
    block = Block()
    assert [name for name, _ in block.named_parameters()] == ["scale", "inner.weight", "inner.bias"]
    assert [name for name, _ in block.named_parameters(recurse=False)] == ["scale"]
    assert [name for name, _ in block.named_buffers()] == ["running", "scratch"]
    assert list(block.state_dict()) == ["scale", "running", "inner.weight", "inner.bias"]
    assert [name for name, _ in block.named_children()] == ["inner"]
    assert [name for name, _ in block.named_modules()] == ["", "inner"]
    assert list(block.children()) == [block.inner]
    assert list(block.modules()) == [block, block.inner]
    assert block.get_submodule("inner") is block.inner


def test_sequential_names_indexing_and_slicing():
    model = mlp()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["1.weight", "1.bias", "3.weight", "3.bias", "6.weight", "6.bias"]
    assert len(model) == 9
    assert isinstance(model[1], nn.Linear) and model[-1] is model[8]
    head = model[1:3]
    assert isinstance(head, nn.Sequential) and [n for n, _ in head.named_children()] == ["1", "2"]
    assert list(model) == [module for _, module in model.named_children()]
    with pytest.raises(IndexError, match="out of range"):
        model[9]
    named = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["hidden.weight", "hidden.bias"]
    named.append(nn.Linear(2, 1))
    assert list(named.state_dict())[-1] == "2.bias"


def test_shared_parameters_and_modules_are_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert len(list(model.modules())) == 3
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_attribute_assignment_rules():
    block = Block()
    block.scale = None
    assert block.scale is None and [n for n, _ in block.named_parameters()][0] == "inner.weight"
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        block.scale = minigrad.ones(3)
    block.inner = None
    assert list(block.children()) == []
    block.running = minigrad.ones(3)
    assert_close(block.state_dict()["running"], np.ones(3, dtype=np.float32))
    with pytest.raises(TypeError, match="as buffer 'running'"):
        block.running = [1, 2]
    block.plain = 3
    assert block.plain == 3 and "plain" not in block.state_dict()
    del block.running
    assert "running" not in block.state_dict()
    with pytest.raises(AttributeError, match="'Block' object has no attribute 'missing'"):
        _ = block.missing


def test_assigning_before_init_is_an_error():
    class Forgetful(nn.Module):
        def __init__(self):
            self.weight = nn.Parameter(minigrad.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Forgetful()


def test_register_errors():
    block = Block()
    with pytest.raises(KeyError, match="contain '.'"):
        block.register_buffer("a.b", minigrad.zeros(1))
    with pytest.raises(TypeError, match="Tensor or None required"):
        block.register_buffer("c", 3.0)
    with pytest.raises(KeyError, match="already exists"):
        block.register_parameter("forward", None)
    with pytest.raises(TypeError, match="Parameter or None required"):
        block.register_parameter("d", minigrad.ones(1))


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()(1)


# --- modes, gradients, apply -----------------------------------------------------------------------


def test_train_and_eval_are_recursive():
    model = nn.Sequential(nn.Dropout(), nn.Sequential(nn.Dropout()))
    assert model.eval() is model
    assert all(not m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="bool"):
        model.train("no")


def test_zero_grad_modes():
    model = mlp(np.float64)
    model(minigrad.randn(2, 2, 3, dtype=np.float64)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(not p.grad.numpy().any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_apply_and_requires_grad():
    model = mlp()
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Sequential" and seen.count("Linear") == 3
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_to_dtype_keeps_parameter_identity():
    model = mlp()
    params = list(model.parameters())
    model(minigrad.randn(2, 6)).sum().backward()
    assert model.double() is model
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in params)
    assert model(minigrad.randn(2, 6, dtype=np.float64)).dtype == np.float64
    model.to("cpu").float()
    assert all(p.dtype == np.float32 for p in params)
    with pytest.raises(TypeError, match="floating point"):
        model.to(np.int64)


def test_a_model_gradchecks():
    minigrad.manual_seed(0)
    model = mlp(np.float64).eval()
    x = minigrad.randn(3, 6, dtype=np.float64, requires_grad=True)
    slots = [(module, name) for module in model.modules() for name in module._parameters]
    originals = [module._parameters[name] for module, name in slots]

    def run(x, *weights):  # the model as a function of its parameters (torch.func.functional_call)
        for (module, name), value in zip(slots, weights):
            module._parameters[name] = value
        return model(x)

    weights = [p.detach().requires_grad_() for p in originals]
    assert gradcheck(run, (x, *weights))
    assert gradgradcheck(run, (x, *weights))
    for (module, name), original in zip(slots, originals):
        module._parameters[name] = original


# --- repr ------------------------------------------------------------------------------------------


def test_repr_like_pytorch():
    assert repr(Block()) == ("Block(\n  (inner): Linear(in_features=3, out_features=2, bias=True)\n)")
    assert repr(nn.Sequential(nn.Linear(2, 3, bias=False), nn.Sequential(nn.ReLU(), nn.Flatten()))) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=False)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Flatten(start_dim=1, end_dim=-1)\n"
        "  )\n"
        ")"
    )


# --- state dicts -----------------------------------------------------------------------------------


def test_state_dict_is_detached_and_shares_storage():
    block = Block()
    state = block.state_dict()
    assert isinstance(state, OrderedDict)
    assert all(not t.requires_grad for t in state.values())
    state["inner.weight"].fill_(2.0)
    assert_close(block.inner.weight.detach(), np.full((2, 3), 2.0, dtype=np.float32))
    assert block.state_dict(keep_vars=True)["scale"] is block.scale


def test_load_state_dict_round_trip_keeps_dtype():
    source, target = Block(), Block()
    source.running.fill_(5.0)
    state = {k: v.to(np.float64) for k, v in source.state_dict().items()}
    result = target.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for key, value in target.state_dict().items():
        assert value.dtype == np.float32
        assert_close(value, source.state_dict()[key])
    numpy_state = {k: v.numpy() for k, v in source.state_dict().items()}
    Block().load_state_dict(numpy_state)


def snapshot(module):
    return {k: v.numpy().copy() for k, v in module.state_dict().items()}


def assert_unchanged(module, before):
    for key, value in module.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), before[key])


def test_load_state_dict_reports_every_problem_and_changes_nothing():
    model = Block()
    before = snapshot(model)
    bad = {k: minigrad.full(tuple(v.shape), 7.0) for k, v in Block().state_dict().items()}
    del bad["running"]
    bad["inner.weight"] = minigrad.zeros(3, 3)
    bad["extra.weight"] = minigrad.zeros(1)
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(bad)
    message = str(error.value)
    assert "Error(s) in loading state_dict for Block" in message
    assert 'Missing key(s) in state_dict: "running"' in message
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in message
    assert "size mismatch for inner.weight: copying a param with shape (3, 3)" in message
    assert_unchanged(model, before)


def test_load_state_dict_non_strict():
    model = Block()
    state = Block().state_dict()
    del state["scale"]
    state["unknown"] = minigrad.zeros(1)
    result = model.load_state_dict(state, strict=False)
    assert result == (["scale"], ["unknown"])
    assert_close(model.inner.weight.detach(), state["inner.weight"])
    before = snapshot(model)
    state["inner.bias"] = minigrad.zeros(5)
    with pytest.raises(RuntimeError, match="size mismatch for inner.bias"):
        model.load_state_dict(state, strict=False)
    assert_unchanged(model, before)


def test_load_state_dict_rejects_non_mappings_and_bad_values():
    model = Block()
    with pytest.raises(TypeError, match="mapping"):
        model.load_state_dict([("scale", minigrad.ones(3))])
    state = Block().state_dict()
    state["scale"] = np.array(["a", "b", "c"])
    with pytest.raises(RuntimeError, match="unsupported dtype"):
        model.load_state_dict(state)


# --- layers and initialisation ------------------------------------------------------------------


def test_linear_shapes_init_and_seed():
    minigrad.manual_seed(0)
    layer = nn.Linear(400, 300)
    assert layer.weight.shape == (300, 400) and layer.bias.shape == (300,)
    assert layer.weight.dtype == np.float32
    bound = 1 / math.sqrt(400)
    weight = layer.weight.detach().numpy()
    assert np.abs(weight).max() <= bound and np.abs(layer.bias.detach().numpy()).max() <= bound
    assert weight.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    minigrad.manual_seed(0)
    again = nn.Linear(400, 300)
    np.testing.assert_array_equal(again.weight.detach().numpy(), weight)
    assert nn.Linear(3, 2, bias=False).bias is None
    assert nn.Linear(3, 2, dtype=np.float64).weight.dtype == np.float64
    with pytest.warns(UserWarning, match="zero-element"):
        assert nn.Linear(0, 2)(minigrad.zeros(4, 0)).shape == (4, 2)
    with pytest.raises(ValueError, match="in_features must be a non-negative int"):
        nn.Linear(-1, 2)


def test_flatten_and_identity():
    x = minigrad.randn(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 2)(x).shape == (24, 5)
    assert nn.Identity(54, unused=1)(x) is x


def test_initialisers():
    minigrad.manual_seed(1)
    w = minigrad.empty(64, 32, 3, 3)
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(w)
    assert (fan_in, fan_out) == (32 * 9, 64 * 9)
    init.kaiming_uniform_(w, a=0, nonlinearity="relu")
    assert np.abs(w.numpy()).max() <= math.sqrt(6 / fan_in)
    init.kaiming_normal_(w, mode="fan_out")
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / (1 + 0.01**2)) / math.sqrt(fan_out), rel=0.03)
    init.xavier_uniform_(w, gain=2.0)
    assert np.abs(w.numpy()).max() <= 2.0 * math.sqrt(6 / (fan_in + fan_out))
    init.xavier_normal_(w)
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / (fan_in + fan_out)), rel=0.03)
    assert init.normal_(w, 3.0, 0.5).numpy().mean() == pytest.approx(3.0, abs=0.01)
    assert init.uniform_(w, 2.0, 3.0).numpy().min() >= 2.0
    np.testing.assert_array_equal(init.constant_(w, 0.5).numpy(), np.full(w.shape, 0.5, dtype=np.float32))
    assert not init.zeros_(w).numpy().any() and init.ones_(w).numpy().all()
    assert w.dtype == np.float32
    generator = np.random.default_rng(5)
    a = init.uniform_(minigrad.empty(3), generator=generator).numpy().copy()
    np.testing.assert_array_equal(a, np.random.default_rng(5).uniform(0, 1, 3).astype(np.float32))


def test_initialising_a_parameter_keeps_it_a_leaf():
    param = nn.Parameter(minigrad.zeros(4, 4))
    init.kaiming_uniform_(param)
    assert param.is_leaf and param.requires_grad and param.grad_fn is None


def test_init_helpers_and_errors():
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(2 / 6))
    assert init.calculate_gain("conv2d") == 1.0
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(minigrad.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(minigrad.empty(2, 2), mode="fan_avg")
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(minigrad.empty(0, 3))


# --- moving state dicts between minigrad and PyTorch ---------------------------------------------


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def torch_mlp(torch):
    tnn = torch.nn
    return tnn.Sequential(
        tnn.Flatten(),
        tnn.Linear(6, 5),
        tnn.Tanh(),
        tnn.Linear(5, 4),
        tnn.ReLU(),
        tnn.Dropout(0.2),
        tnn.Linear(4, 3),
        tnn.Sigmoid(),
        tnn.Identity(),
    )


def test_state_dict_moves_from_minigrad_to_torch(torch, tmp_path):
    minigrad.manual_seed(2)
    ours, theirs = mlp().eval(), torch_mlp(torch).eval()
    minigrad.save(ours.state_dict(), tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz") as archive:  # plain NumPy reads the file
        state = {name: torch.from_numpy(archive[name]) for name in ours.state_dict()}
    result = theirs.load_state_dict(state)
    assert not result.missing_keys and not result.unexpected_keys
    x = np.random.default_rng(0).normal(size=(7, 2, 3)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    assert_close(ours(minigrad.tensor(x)).detach().numpy(), expected, rtol=1e-6, atol=1e-6)
    assert repr(ours) == repr(theirs)


def test_state_dict_moves_from_torch_to_minigrad(torch):
    torch.manual_seed(0)
    ours, theirs = mlp().eval(), torch_mlp(torch).eval()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, mine), reference in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert mine.shape == tuple(reference.shape), name
    ours.load_state_dict(theirs.state_dict())  # torch tensors are read through numpy.asarray
    x = np.random.default_rng(1).normal(size=(7, 6)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    assert_close(ours(minigrad.tensor(x)).detach().numpy(), expected, rtol=1e-6, atol=1e-6)


def test_buffers_and_weighted_loss_names_match_torch(torch):
    weight = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    ours = nn.CrossEntropyLoss(weight=minigrad.tensor(weight))
    theirs = torch.nn.CrossEntropyLoss(weight=torch.from_numpy(weight))
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_default_init_distribution_matches_torch(torch):
    torch.manual_seed(0)
    minigrad.manual_seed(0)
    ours, theirs = nn.Linear(50, 2000), torch.nn.Linear(50, 2000)
    for name in ("weight", "bias"):
        mine = getattr(ours, name).detach().numpy()
        reference = getattr(theirs, name).detach().numpy()
        assert np.abs(mine).max() <= 1 / math.sqrt(50) and np.abs(reference).max() <= 1 / math.sqrt(50)
        assert mine.std() == pytest.approx(reference.std(), rel=0.1)


# --- on a device (the CPU stand-in for CuPy) -----------------------------------------------------


def test_training_on_a_device_keeps_everything_there():
    from minigrad import optim
    from minigrad.testing.standin import StandinArray, host_transfers, use_standin
    from minigrad.utils.data import DataLoader, TensorDataset

    with use_standin():
        minigrad.manual_seed(0)
        model = mlp()
        params = list(model.parameters())
        model(minigrad.randn(2, 6)).sum().backward()
        assert model.to("cuda") is model
        assert [id(p) for p in model.parameters()] == [id(p) for p in params]
        assert all(
            isinstance(p.array, StandinArray) and isinstance(p.grad.array, StandinArray) for p in params
        )
        x = minigrad.randn(12, 6, device="cuda")
        y = minigrad.tensor(np.arange(12) % 3, device="cuda")
        for optimizer in (optim.SGD(params, lr=0.1, momentum=0.9), optim.Adam(params, amsgrad=True)):
            host_transfers.reset()
            for features, labels in DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True):
                optimizer.zero_grad()
                nn.CrossEntropyLoss()(model(features), labels).backward()
                optimizer.step()
            assert host_transfers.count == 0  # a training step never syncs with the host
            assert all(
                isinstance(t.array, StandinArray)
                for state in optimizer.state.values()
                for key, t in state.items()
                if key != "step"
            )
        host_state = {k: v.cpu() for k, v in model.state_dict().items()}
        model.load_state_dict(host_state)
        assert all(p.device == "cuda" for p in params)
        model.cpu()
        assert all(type(p.array) is np.ndarray for p in params)
