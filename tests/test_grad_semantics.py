"""Gradients that behave like tensors, grad modes, and the engine's one accumulation path, as in PyTorch.

Cases written as functions of the library (``minigrad`` or ``torch``) are checked against a
worked example and, when PyTorch is installed, against PyTorch.
"""

import pytest

import minigrad
from minigrad import nn
from minigrad.autograd import engine
from minigrad.testing.standin import use_standin


def leaves(lib):
    return lib.tensor([1.0, 2.0, 3.0], requires_grad=True), lib.tensor([1.0, 2.0, 3.0], requires_grad=True)


# ---- every backward path leaves each .grad a writable tensor of its own ------------------


def path_default(lib):
    a, b = leaves(lib)
    (a + b).sum().backward()  # both gradients are the same broadcast ones
    return a, b


def path_inputs(lib):
    a, b = leaves(lib)
    (a + b).sum().backward(inputs=[a, b])
    return a, b


def path_retain_grad(lib):
    a, b = leaves(lib)
    y, z = a * 1, b * 1
    y.retain_grad()
    z.retain_grad()
    (y + z).sum().backward()
    return y, z


def path_create_graph(lib):
    a, b = leaves(lib)
    (a * a * b).sum().backward(create_graph=True)
    return a, b


def path_create_graph_constant(lib):
    a, b = leaves(lib)
    (a + b).sum().backward(create_graph=True)
    return a, b


PATHS = [path_default, path_inputs, path_retain_grad, path_create_graph, path_create_graph_constant]


def writable_and_separate(lib, path):
    """Scale one gradient in place, clip the other in place: each changes alone."""
    a, b = path(lib)
    with lib.no_grad():
        a.grad.mul_(10)
        b.grad.clamp_(max=5.0)
    return [a.grad.tolist(), b.grad.tolist()]


def zero_grad_in_place(lib, path):
    a, b = path(lib)
    kept = a.grad
    for t in (a, b):  # what Optimizer.zero_grad(set_to_none=False) does
        t.grad = t.grad.detach()
        t.grad.zero_()
    return [kept.tolist(), a.grad.tolist(), b.grad.tolist()]


@pytest.mark.parametrize("path", PATHS, ids=lambda f: f.__name__)
def test_each_grad_is_writable_and_its_own(path):
    got = writable_and_separate(minigrad, path)
    if path is path_create_graph:  # a.grad = 2ab, b.grad = a^2
        assert got == [[20.0, 80.0, 180.0], [1.0, 4.0, 5.0]]
    else:
        assert got == [[10.0] * 3, [1.0] * 3]


@pytest.mark.parametrize("path", PATHS, ids=lambda f: f.__name__)
def test_zero_grad_without_set_to_none_works_after_every_path(path):
    assert zero_grad_in_place(minigrad, path)[1:] == [[0.0] * 3, [0.0] * 3]


def test_module_and_optimizer_zero_grad_and_clipping():
    net = nn.Linear(3, 2)
    opt = minigrad.optim.SGD(net.parameters(), lr=0.1)
    net(minigrad.ones(4, 3)).sum().backward(create_graph=True)
    with minigrad.no_grad():
        net.weight.grad.clamp_(-1.0, 1.0)
        net.bias.grad.mul_(0.5)
    assert net.weight.grad.tolist() == [[1.0] * 3] * 2 and net.bias.grad.tolist() == [2.0, 2.0]
    opt.zero_grad(set_to_none=False)
    net.zero_grad(set_to_none=False)
    assert net.weight.grad.tolist() == [[0.0] * 3] * 2 and net.bias.grad.tolist() == [0.0, 0.0]


# ---- accumulation ----------------------------------------------------------------------


def accumulation(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    (w * 2).sum().backward()
    first = w.grad
    (w * 3).sum().backward()
    leaf = [first is w.grad, first.tolist()]
    (w * 4).sum().backward(inputs=[w])
    leaf += [first is w.grad, w.grad.tolist()]
    y = w * 1
    y.retain_grad()
    (y * 2).sum().backward(retain_graph=True)
    kept = y.grad
    (y * 3).sum().backward()
    retained = [kept is y.grad, kept.tolist(), y.grad.tolist()]
    z = w * 1
    (z * 2).sum().backward(inputs=[z], retain_graph=True)
    (z * 3).sum().backward(inputs=[z])
    return [leaf, retained, [z.retains_grad, z.grad.tolist()]]


def test_accumulation_adds_into_the_leaf_grad_and_replaces_a_retained_one():
    leaf, retained, inputs = accumulation(minigrad)
    assert leaf == [True, [5.0, 5.0], True, [9.0, 9.0]]  # an earlier reference sees the sum
    assert retained == [False, [2.0, 2.0], [5.0, 5.0]]  # a non-leaf's .grad is a new sum
    assert inputs == [True, [5.0, 5.0]]  # a non-leaf input retains its gradient


def test_create_graph_accumulates_out_of_place():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    first = w.grad
    (w * w).sum().backward(create_graph=True)
    assert first is not w.grad and first.tolist() == [2.0, 4.0] and w.grad.tolist() == [4.0, 8.0]
    assert w.grad.requires_grad


def test_retain_graph_defaults_to_create_graph():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x**3).sum()
    y.backward(create_graph=True)
    y.backward()  # the graph was kept
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    assert x.grad.tolist() == [6.0, 24.0]


def test_grad_fills_retained_grads_but_not_leaves():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    (gx,) = minigrad.autograd.grad((y * y).sum(), x)
    assert gx.tolist() == [8.0, 16.0] and y.grad.tolist() == [4.0, 8.0] and x.grad is None


def test_leaves_retained_tensors_and_inputs_accumulate_through_one_function(monkeypatch):
    calls = []
    original = engine.accumulate
    monkeypatch.setattr(engine, "accumulate", lambda t, g, cg: calls.append(t) or original(t, g, cg))
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    (y * y).sum().backward(retain_graph=True)
    assert [id(t) for t in calls] == [id(y), id(x)]
    z = x * 3
    (z * y).sum().backward(inputs=[z, x])
    assert {id(t) for t in calls[2:]} == {id(z), id(y), id(x)}  # y's node runs, so y retains
    assert x.grad.tolist() == [8.0 + 12.0, 16.0 + 24.0] and z.grad.tolist() == [2.0, 4.0]


def test_backward_inputs_must_be_given_and_require_grad():
    x = minigrad.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="'inputs' argument cannot be empty"):
        (x * 2).sum().backward(inputs=[])
    with pytest.raises(RuntimeError, match="input 0 does not require grad"):
        (x * 2).sum().backward(inputs=[minigrad.tensor([1.0])])


# ---- assigning .grad and .data --------------------------------------------------------------


def assign(lib, attribute, value):
    """Assign ``value(lib)`` to a leaf's ``.grad`` or ``.data``: the error, or the leaf afterwards."""
    x = lib.ones(3, requires_grad=True)
    try:
        setattr(x, attribute, value(lib))
    except (TypeError, RuntimeError) as err:
        return f"{type(err).__name__}: {err}"
    return [list(x.shape), x.requires_grad, x.is_leaf, None if x.grad is None else x.grad.tolist()]


GRADS = {
    "not a tensor": (
        lambda lib: 1,
        "TypeError: assigned grad expected to be a Tensor or None but got grad of type int",
    ),
    "wrong size": (
        lambda lib: lib.ones(2),
        "RuntimeError: attempting to assign a gradient of size '[2]' to a tensor of size '[3]'. "
        "Please ensure that the gradient and the tensor are the same size",
    ),
    "wrong dtype": (
        lambda lib: lib.ones(3, dtype=lib.float64),
        "RuntimeError: attempting to assign a gradient with dtype 'float64' to a tensor with dtype 'float32'. "
        "Please ensure that the gradient and the tensor have the same dtype",
    ),
    "a broadcast gradient": (lambda lib: lib.ones(1).expand(3), [[3], True, True, [1.0, 1.0, 1.0]]),
}


@pytest.mark.parametrize("case", list(GRADS))
def test_assigning_grad_checks_the_value(case):
    value, expected = GRADS[case]
    assert assign(minigrad, "grad", value) == expected


def test_assigning_grad_checks_the_device():
    x = minigrad.ones(3, requires_grad=True, device="cpu")
    with use_standin():
        gpu = minigrad.ones(3, device="cuda")
        with pytest.raises(RuntimeError, match="with device type 'cuda' to a tensor with device type 'cpu'"):
            x.grad = gpu
    x.grad = None
    assert x.grad is None


DATA = {
    "not a tensor": (lambda lib: 1, "TypeError: Variable data has to be a tensor, but got int"),
    "integer": (
        lambda lib: lib.tensor([1, 2, 3]),
        "RuntimeError: data set to a tensor that requires gradients must be floating point or complex dtype",
    ),
    "a new shape": (lambda lib: lib.zeros(5), [[5], True, True, None]),
}


@pytest.mark.parametrize("case", list(DATA))
def test_assigning_data_checks_the_value(case):
    value, expected = DATA[case]
    assert assign(minigrad, "data", value) == expected


# ---- grad modes ------------------------------------------------------------------------------


def grad_modes(lib):
    seen = []
    lib.set_grad_enabled(False)
    seen.append(lib.is_grad_enabled())
    lib.set_grad_enabled(True)

    @lib.set_grad_enabled(False)
    def off():
        return lib.is_grad_enabled()

    seen += [lib.is_grad_enabled(), off(), lib.is_grad_enabled()]

    @lib.no_grad
    def bare():
        return lib.is_grad_enabled()

    with lib.inference_mode():
        seen.append(lib.is_grad_enabled())
    with lib.no_grad(), lib.inference_mode(False):
        seen.append(lib.is_grad_enabled())
    seen += [bare(), lib.is_grad_enabled()]
    return seen


def generators(lib):
    seen = []

    @lib.no_grad()
    def counter(n):
        total = 0
        try:
            while total < n:
                step = yield lib.is_grad_enabled()
                total += step or 1
        except ValueError:
            seen.append(("caught", lib.is_grad_enabled()))
            yield "recovered"
        finally:
            seen.append(("finally", lib.is_grad_enabled()))
        return total

    @lib.enable_grad()
    def inner():
        yield lib.is_grad_enabled()

    gen = counter(10)
    seen.append(next(gen))
    seen.append(lib.is_grad_enabled())  # the caller's mode between resumptions
    seen.append(gen.send(3))
    seen.append(gen.throw(ValueError("stop")))
    gen.close()
    with lib.no_grad():
        seen.append(list(inner()))

    def outer():
        result = yield from counter(2)
        seen.append(("returned", result))

    seen.append(list(outer()))
    return seen


def test_grad_mode_calls_blocks_and_decorators():
    assert grad_modes(minigrad) == [False, True, False, True, False, True, False, True]


def test_grad_mode_decorators_on_generator_functions():
    assert generators(minigrad) == [
        False,
        True,
        False,
        ("caught", False),
        "recovered",
        ("finally", False),
        [True],
        ("finally", False),
        ("returned", 2),
        [False, False],
    ]


def test_inference_mode_records_nothing():
    x = minigrad.ones(2, requires_grad=True)
    with minigrad.inference_mode():
        y = x * 2
    assert not y.requires_grad and minigrad.is_grad_enabled()


def test_a_decorated_function_can_recurse():
    @minigrad.no_grad()
    def depth(n):
        return minigrad.is_grad_enabled() if n == 0 else depth(n - 1)

    assert depth(3) is False and minigrad.is_grad_enabled()


# ---- what the engine keeps ---------------------------------------------------------------------


def test_tensor_attributes_are_declared_on_the_class_and_retains_grad_is_derived():
    assert set(vars(minigrad.Tensor(minigrad.zeros(1).array))) == {"_array"}  # the rest is lazy
    declared = {"_array", *minigrad.Tensor.__annotations__}
    assert declared == {
        "_array",
        "_grad",
        "_grad_fn",
        "_output_nr",
        "_requires_grad",
        "_accumulator",
        "_view",
        "_version",
        "_hooks",
    }
    x = minigrad.ones(4, requires_grad=True)
    y = x * 2
    y.retain_grad()
    v = y[1:]
    y.mul_(3)
    (v * v).sum().backward()
    for t in (x, y, v, x.grad, y.grad):
        assert set(vars(t)) <= declared
    assert y.retains_grad and not x.retains_grad and not v.retains_grad


def test_methods_that_are_not_ops_live_with_the_tensor():
    for name in ("backward", "to", "cpu", "cuda"):
        assert name in vars(minigrad.Tensor), name
        assert name not in minigrad.ops._METHODS


# ---- against PyTorch ----------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")
@pytest.mark.parametrize("path", PATHS, ids=lambda f: f.__name__)
def test_grads_agree_with_pytorch(torch, path):
    assert writable_and_separate(minigrad, path) == writable_and_separate(torch, path)
    assert zero_grad_in_place(minigrad, path) == zero_grad_in_place(torch, path)


@pytest.mark.torch
def test_accumulation_agrees_with_pytorch(torch):
    assert accumulation(minigrad) == accumulation(torch)


@pytest.mark.torch
@pytest.mark.parametrize("case", ["not a tensor", "wrong size", "a broadcast gradient"])
def test_assigning_grad_agrees_with_pytorch(torch, case):
    value, _ = GRADS[case]
    assert assign(minigrad, "grad", value) == assign(torch, "grad", value)


@pytest.mark.torch
@pytest.mark.parametrize("case", list(DATA))
def test_assigning_data_agrees_with_pytorch(torch, case):
    value, _ = DATA[case]
    assert assign(minigrad, "data", value) == assign(torch, "data", value)


@pytest.mark.torch
def test_grad_modes_agree_with_pytorch(torch):
    assert grad_modes(minigrad) == grad_modes(torch)
    assert generators(minigrad) == generators(torch)
