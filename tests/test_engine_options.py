"""Engine options that the property tests never reach: ``backward(inputs=)``, a second backward
after ``create_graph=True``, and the version counter of recorded in-place ops (PyTorch's rules)."""

import numpy as np
import pytest

import minigrad
from minigrad import autograd


def t64(values, requires_grad=True):
    return minigrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


# --- backward(inputs=...) ----------------------------------------------------------------------


def test_backward_with_inputs_accumulates_only_into_those_inputs_twice():
    x, w = t64([1.0, 2.0]), t64([3.0, 4.0])
    (x * w).sum().backward(inputs=[x])
    (x * w).sum().backward(inputs=[x])
    assert x.grad.tolist() == [6.0, 8.0]
    assert w.grad is None


def test_backward_with_a_non_leaf_input_fills_its_grad_and_stops_there():
    x = t64([1.0, 2.0])
    h = x * 3
    (h * h).sum().backward(inputs=[h])
    assert h.grad.tolist() == [6.0, 12.0]  # 2 h
    assert x.grad is None


# --- backward twice after create_graph=True ---------------------------------------------------------


def test_a_second_backward_after_create_graph_adds_the_same_gradient_again():
    x = t64([1.0, 2.0])
    y = (x**3).sum()
    y.backward(create_graph=True)  # create_graph retains the graph
    assert x.grad.tolist() == [3.0, 12.0] and x.grad.requires_grad
    y.backward(create_graph=True)
    assert x.grad.tolist() == [6.0, 24.0]
    (second,) = autograd.grad(x.grad.sum(), x)
    assert second.tolist() == [12.0, 24.0]  # twice 6 x


def test_a_plain_backward_after_create_graph_adds_into_the_graph_carrying_grad():
    x = t64([1.0, 2.0])
    y = (x**3).sum()
    y.backward(create_graph=True)
    first = x.grad
    y.backward()
    assert x.grad.tolist() == [6.0, 24.0]
    assert x.grad is first and x.grad.requires_grad


# --- the version counter of recorded in-place ops ----------------------------------------------------


def test_a_recorded_inplace_op_on_a_saved_tensor_fails_at_backward():
    x = t64([1.0, 2.0])
    y = x * 1
    z = y * y  # saves y
    y.add_(1)  # recorded (y requires grad): bumps y's version
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*expected version 0"):
        z.sum().backward()


def test_a_recorded_inplace_op_on_an_unsaved_tensor_is_differentiated():
    x = t64([1.0, 2.0])
    y = x + 1  # add saves nothing
    z = y.sum()
    y.mul_(3)
    (z + y.sum()).backward()
    assert x.grad.tolist() == [4.0, 4.0]  # 1 through z, 3 through the in-place product


def test_a_recorded_inplace_op_on_its_own_output_chains():
    x = t64([1.0, 2.0])
    y = x * 1
    y.mul_(x)  # y = x * x, recorded
    y.add_(x)  # y = x * x + x
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 5.0]


def test_an_operand_saved_only_for_a_gradient_nobody_needs_may_change():
    x = t64([1.0, 2.0])
    y = x + 1
    z = y * 2  # needs only the constant 2 for y's gradient
    y.mul_(3)
    (z.sum() + y.sum()).backward()
    assert x.grad.tolist() == [5.0, 5.0]


def test_an_inplace_op_through_a_view_bumps_the_base_version():
    x = t64([1.0, 2.0])
    y = x * 1
    z = y * y  # saves y
    y[0:1].add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
