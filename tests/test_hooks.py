"""Hooks: Tensor.register_hook, and a module's forward pre-hooks, forward hooks and full backward
(pre-)hooks, with PyTorch's arguments, order, replacement rules and removal."""

import pytest

import minigrad
from minigrad import nn


def test_a_tensor_hook_sees_and_can_replace_the_gradient_of_a_leaf_and_of_a_non_leaf():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    seen = []
    y.register_hook(lambda g: g * 10)
    x.register_hook(seen.append)
    (y * y).sum().backward()
    assert seen[0].tolist() == [80.0, 160.0]  # 2 * (10 * 2y)
    assert x.grad.tolist() == [80.0, 160.0]


def test_tensor_hooks_run_in_order_and_a_removed_hook_no_longer_runs():
    x = minigrad.tensor(3.0, requires_grad=True)
    order = []
    first = x.register_hook(lambda g: order.append("first"))
    x.register_hook(lambda g: order.append("second") or g + 1)
    (x * x).backward()
    assert order == ["first", "second"] and x.grad.item() == 7.0
    first.remove()
    order.clear()
    x.grad = None
    (x * x).backward()
    assert order == ["second"]


def test_a_hook_needs_a_tensor_that_requires_grad():
    with pytest.raises(
        RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"
    ):
        minigrad.ones(2).register_hook(print)


def test_tensor_hooks_fire_for_autograd_grad_too():
    x = minigrad.tensor(2.0, requires_grad=True)
    x.register_hook(lambda g: g * 3)
    (dx,) = minigrad.autograd.grad(x**2, x)
    assert dx.item() == 12.0


def linear():
    layer = nn.Linear(3, 2)
    with minigrad.no_grad():
        layer.weight.copy_(minigrad.arange(6.0).reshape(2, 3))
        layer.bias.zero_()
    return layer


def test_forward_pre_hooks_and_forward_hooks_replace_arguments_and_outputs():
    layer = linear()
    calls = []
    layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    layer.register_forward_hook(lambda m, args, out: calls.append(args[0].tolist()) or out + 1)
    assert layer(minigrad.ones(1, 3)).tolist() == [[7.0, 25.0]]
    assert calls == [[[2.0, 2.0, 2.0]]]


def test_hooks_with_kwargs_prepend_and_removal():
    layer = linear()
    order = []
    layer.register_forward_hook(lambda m, a, o: order.append("b"))
    handle = layer.register_forward_hook(lambda m, a, o: order.append("a"), prepend=True)
    layer.register_forward_pre_hook(lambda m, a, k: order.append(sorted(k)), with_kwargs=True)
    layer(input=minigrad.ones(1, 3))
    assert order == [["input"], "a", "b"]
    handle.remove()
    order.clear()
    layer(minigrad.ones(1, 3))
    assert order == [[], "b"]


def test_an_always_call_forward_hook_runs_when_forward_raises():
    layer = linear()
    seen = []
    layer.register_forward_hook(lambda m, a, o: seen.append(o), always_call=True)
    with pytest.raises((RuntimeError, ValueError)):  # the shapes do not fit
        layer(minigrad.ones(1, 4))
    assert seen == [None]


def test_full_backward_hooks_see_grad_input_and_grad_output_and_can_replace_grad_input():
    layer = linear()
    seen = []
    layer.register_full_backward_pre_hook(lambda m, grad_output: (grad_output[0] * 2,))
    layer.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)) or (gi[0] * 0 + 1,))
    x = minigrad.ones(1, 3, requires_grad=True)
    layer(x).sum().backward()
    (grad_input,), (grad_output,) = seen[0]
    assert grad_output.tolist() == [[2.0, 2.0]]
    assert grad_input.tolist() == [[6.0, 10.0, 14.0]]
    assert x.grad.tolist() == [[1.0, 1.0, 1.0]]
    assert layer.weight.grad.tolist() == [[2.0] * 3] * 2  # the parameters see the replaced grad_output


def test_a_full_backward_hook_of_a_module_whose_inputs_need_no_grad_gets_none_and_a_warning():
    layer = linear()
    seen = []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append(gi))
    with pytest.warns(UserWarning, match="Full backward hook is firing"):
        layer(minigrad.ones(1, 3)).sum().backward()
    assert seen == [(None,)]


def test_a_backward_hook_that_returns_the_wrong_number_of_gradients_fails():
    layer = linear()
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_inputs: got 2, expected 1"):
        layer(minigrad.ones(1, 3, requires_grad=True)).sum().backward()


@pytest.mark.torch
def test_module_hooks_match_torch(torch):
    def run(lib, layer):
        seen = []
        layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
        layer.register_forward_hook(lambda m, args, out: out * out)
        layer.register_full_backward_hook(lambda m, gi, go: seen.append([g.tolist() for g in gi + go]))
        x = lib.tensor([[1.0, -2.0, 0.5]], requires_grad=True)
        layer(x).sum().backward()
        return seen, x.grad.tolist()

    ours = linear()
    theirs = torch.nn.Linear(3, 2)
    with torch.no_grad():
        theirs.weight.copy_(torch.arange(6.0).reshape(2, 3))
        theirs.bias.zero_()
    assert run(minigrad, ours) == run(torch, theirs)
