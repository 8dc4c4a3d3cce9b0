"""``minigrad.autograd.trace``: the backward steps in the order the engine ran them."""

import math

import pytest
from hypothesis import given

import minigrad
from minigrad.autograd import engine, trace
from minigrad.autograd.function import AccumulateGrad
from minigrad.testing import graphs


def op_nodes(t):
    """Every op node behind ``t`` (walking ``next_functions``, leaves excluded)."""
    seen, stack = set(), [t.grad_fn]
    while stack:
        node = stack.pop()
        if node in seen or isinstance(node, AccumulateGrad):
            continue
        seen.add(node)
        stack.extend(e[0] for e in node.next_functions if e is not None)
    return seen


def assert_reverse_topological(steps, root):
    """Each node runs after every node that consumes its output, and every op runs exactly once."""
    order = [s.node for s in steps]
    nodes = op_nodes(root)
    assert len(order) == len(set(order)) and set(order) == nodes
    position = {node: i for i, node in enumerate(order)}
    for consumer in nodes:
        for edge in consumer.next_functions:
            if edge is not None and not isinstance(edge[0], AccumulateGrad):
                assert position[consumer] < position[edge[0]], (
                    f"{edge[0].name()} ran before {consumer.name()}, which consumes its output"
                )


def test_steps_record_names_shapes_and_gradient_norms():
    x = minigrad.tensor([3.0, 4.0], requires_grad=True)
    c = minigrad.tensor([2.0, 2.0])
    with trace() as t:
        (x * c).sum().backward()
    total, mul = t.steps
    assert (total.name, mul.name) == ("SumBackward0", "MulBackward0")
    assert total.input_shapes == ((2,),) and total.output_shapes == ((),)
    assert total.grad_output_norms == (1.0,)
    assert total.grad_input_norms == pytest.approx((math.sqrt(2),))
    assert mul.input_shapes == ((2,), (2,)) and mul.output_shapes == ((2,),)
    # x gets 2 * ones (norm 2 sqrt 2); the constant c needs no gradient
    assert mul.grad_input_norms[0] == pytest.approx(2 * math.sqrt(2)) and mul.grad_input_norms[1] is None


def test_table_is_aligned_and_printed_by_print(capsys):
    x = minigrad.tensor([3.0, 4.0], requires_grad=True)
    with trace() as t:
        (x * minigrad.tensor([2.0, 2.0])).exp().sum().backward()
    print(t)
    lines = capsys.readouterr().out.splitlines()
    assert lines == t.table().splitlines() == str(t).splitlines()
    assert lines[0].split() == ["step", "op", "inputs", "->", "outputs", "|grad_outputs|", "|grad_inputs|"]
    assert [line.split()[1] for line in lines[1:]] == ["SumBackward0", "ExpBackward0", "MulBackward0"]
    assert lines[3].rstrip().endswith(", -")  # the constant factor gets no gradient
    for column in ("op", "inputs", "|grad_outputs|", "|grad_inputs|"):
        start = lines[0].index(column)
        assert all(line[start - 2 : start] == "  " and line[start] != " " for line in lines[1:])
    assert repr(t) == "<trace of 3 backward steps>"


def test_order_of_a_diamond_is_reverse_topological():
    # y feeds both a and b; y's backward must wait for both
    x = minigrad.tensor([0.5, 1.5], requires_grad=True)
    y = x.exp()
    a, b = y.sin(), y * y
    loss = (a + b.tanh()).sum()
    with trace() as t:
        loss.backward()
    assert_reverse_topological(t.steps, loss)
    assert t.steps[-1].name == "ExpBackward0"


@given(graphs())
def test_recorded_order_is_a_valid_reverse_topological_order(values):
    loss = sum(v.sum() for v in values[2:])
    with trace() as t:
        loss.backward()
    assert_reverse_topological(t.steps, loss)


def test_grad_records_only_the_steps_it_needs():
    x = minigrad.tensor(2.0, requires_grad=True)
    w = minigrad.tensor(3.0, requires_grad=True)
    h = x.exp()  # only on the path to x
    with trace() as t:
        minigrad.autograd.grad(h * w, w)
    assert [s.name for s in t.steps] == ["MulBackward0"]


def test_the_observer_is_removed_even_after_an_error():
    before = list(engine.observers)
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        with trace():
            (x * 2).backward()
    assert engine.observers == before
    with trace() as t:
        (x * 2).sum().backward()
    (x * 2).sum().backward()  # outside the block: not recorded
    assert len(t.steps) == 2


def test_a_broadcast_gradient_is_measured_after_summing_to_the_input_shape():
    x = minigrad.ones(3, 4, requires_grad=True)
    b = minigrad.tensor([0.5], requires_grad=True)
    with trace() as t:
        (x + b).sum().backward()
    add = t.steps[1]
    assert add.name == "AddBackward0" and add.input_shapes == ((3, 4), (1,))
    assert add.grad_input_norms == pytest.approx((math.sqrt(12), 12.0))
    assert b.grad.item() == 12.0
