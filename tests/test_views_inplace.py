"""Autograd through views and in-place writes, as PyTorch: CopySlices, saved versions, saving only what is needed.

Each case is a function of the library (``minigrad`` or ``torch``), so the same code is checked
against a worked example and, when PyTorch is installed, against PyTorch.
"""

import numpy as np
import pytest

import minigrad
from minigrad.autograd import gradcheck, gradgradcheck


def raised(fn):
    """The start of the message ``fn`` raises with (for comparing with PyTorch), or None."""
    try:
        fn()
    except RuntimeError as err:
        return str(err).split(":")[0].split(".")[0]
    return None


# ---- an operand is saved only when a gradient needs it ------------------------------------


def save_only_what_is_needed(lib, op):
    c = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    d = x * 1
    y = {"d*2": lambda: d * 2, "2*d": lambda: 2 * d, "d/2": lambda: d / 2, "d@c": lambda: d @ c}[op]()
    d += 1  # d itself was not saved: nothing backward needs has changed
    y.sum().backward()
    return x.grad.tolist()


SAVED = {"d*2": [2.0, 2.0], "2*d": [2.0, 2.0], "d/2": [0.5, 0.5], "d@c": [3.0, 7.0]}


def scalar_expression_with_inplace_updates(lib):
    """micrograd's test expression, written with in-place updates as PyTorch runs it."""
    a = lib.tensor([-4.0], dtype=lib.float64, requires_grad=True)
    b = lib.tensor([2.0], dtype=lib.float64, requires_grad=True)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return [g.item(), a.grad.item(), b.grad.item()]


# ---- in-place writes to a base, and their views ------------------------------------------


def base_written_after_a_slice(lib):
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = x * 1
    v = a[0:2]
    a.mul_(lib.tensor([2.0, 3.0, 4.0, 5.0]))
    v.sum().backward()
    return x.grad.tolist()


def base_written_after_a_reshape(lib):
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = x * 1
    v = a.reshape(2, 2)
    a.mul_(lib.tensor([2.0, 3.0, 4.0, 5.0]))
    (v * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    return x.grad.tolist()


def base_written_after_a_transpose(lib):
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = (x * 1).reshape(2, 2)
    v = a.t()
    a.mul_(lib.tensor([[2.0, 3.0], [4.0, 5.0]]))
    (v * lib.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    return x.grad.tolist()


def base_setitem_after_a_slice(lib):
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = x * 1
    v = a[1:]
    a[0:2] = x[2:] * x[2:]
    (v * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
    return x.grad.tolist()


def buffer_without_grad_gets_history(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    buf = lib.zeros(3)
    v = buf[1:]
    before = v.requires_grad
    buf.add_(x * x)
    (v * lib.tensor([5.0, 7.0])).sum().backward()
    return [before, v.requires_grad, x.grad.tolist()]


def base_written_under_no_grad(lib):
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = x * 1
    v = a[0:2]
    with lib.no_grad():
        a.mul_(2)
    (v * v).sum().backward()
    return [v.tolist(), x.grad.tolist()]


# ---- in-place writes into a view rewrite its base's history ------------------------------

WEIGHTS = [1.0, 10.0, 100.0, 1000.0]


def view_written(lib):
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = x * 1
    v = a[1:3]
    v.mul_(x[0:2])
    (a * lib.tensor(WEIGHTS)).sum().backward()
    return [a.tolist(), x.grad.tolist()]


def view_of_a_view_written(lib):
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = x * 1
    v = a.reshape(2, 2)[1]
    v.mul_(3)
    (a * lib.tensor(WEIGHTS)).sum().backward()
    return [a.tolist(), x.grad.tolist()]


def transposed_view_written(lib):
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = x * 1
    v = a.reshape(2, 2).t()[0]  # a[0] and a[2]
    v.mul_(x[:2])
    (a * lib.tensor(WEIGHTS)).sum().backward()
    return [a.tolist(), x.grad.tolist()]


def view_of_a_buffer_written(lib):
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    buf = lib.zeros(4)
    buf[1:3].add_(x[2:])
    (buf * lib.tensor(WEIGHTS)).sum().backward()
    return [buf.requires_grad, buf.is_leaf, x.grad.tolist()]


def view_setitem(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = (x * 1).reshape(3, 1)
    row = a[1]
    row[0] = x[0] * 5
    (a.reshape(3) * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
    return [a.reshape(3).tolist(), x.grad.tolist()]


def view_and_its_sibling(lib):
    x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = x * 1
    left, right = a[:2], a[1:]
    left.mul_(2)  # a[1] is in both views: right sees the write and its gradient
    (right * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
    return [right.tolist(), x.grad.tolist()]


def retained_gradient_follows_inplace(lib):
    x = lib.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    a = x * 2
    v = a[:1]
    v.retain_grad()
    a.mul_(3)
    (y * y).sum().backward()
    (v * v).sum().backward()
    return [y.grad.tolist(), v.grad.tolist(), y.retains_grad]


CASES = {
    "base_written_after_a_slice": (base_written_after_a_slice, [2.0, 3.0, 0.0, 0.0]),
    "base_written_after_a_reshape": (base_written_after_a_reshape, [2.0, 6.0, 12.0, 20.0]),
    "base_written_after_a_transpose": (base_written_after_a_transpose, [2.0, 9.0, 8.0, 20.0]),
    "base_setitem_after_a_slice": (base_setitem_after_a_slice, [0.0, 0.0, 2.0, 11.0]),
    "buffer_without_grad_gets_history": (buffer_without_grad_gets_history, [False, True, [0.0, 20.0, 42.0]]),
    "base_written_under_no_grad": (base_written_under_no_grad, [[2.0, 4.0], [4.0, 8.0, 0.0, 0.0]]),
    "view_written": (view_written, [[1.0, 2.0, 6.0, 4.0], [21.0, 310.0, 200.0, 1000.0]]),
    "view_of_a_view_written": (view_of_a_view_written, [[1.0, 2.0, 9.0, 12.0], [1.0, 10.0, 300.0, 3000.0]]),
    "transposed_view_written": (transposed_view_written, [[1.0, 2.0, 6.0, 4.0], [2.0, 310.0, 200.0, 1000.0]]),
    "view_of_a_buffer_written": (view_of_a_buffer_written, [True, False, [0.0, 0.0, 10.0, 100.0]]),
    "view_setitem": (view_setitem, [[1.0, 5.0, 3.0], [51.0, 0.0, 100.0]]),
    "view_and_its_sibling": (view_and_its_sibling, [[4.0, 3.0, 4.0], [0.0, 2.0, 10.0, 100.0]]),
    "retained_gradient_follows_inplace": (retained_gradient_follows_inplace, [[12.0, 12.0], [12.0], True]),
}


@pytest.mark.parametrize("op", list(SAVED))
def test_an_operand_no_gradient_needs_is_not_saved(op):
    assert save_only_what_is_needed(minigrad, op) == SAVED[op]


def test_an_operand_a_gradient_needs_is_saved_and_checked():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    d = x * 1
    y = d * d
    d += 1
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0 instead"):
        y.sum().backward()


def test_scalar_expression_with_inplace_updates():
    g, a_grad, b_grad = scalar_expression_with_inplace_updates(minigrad)
    assert g == pytest.approx(24.70408163265306)
    assert a_grad == pytest.approx(138.83381924198252)
    assert b_grad == pytest.approx(645.5772594752186)


@pytest.mark.parametrize("name", list(CASES))
def test_views_and_inplace_writes(name):
    case, expected = CASES[name]
    assert _flat(case(minigrad)) == pytest.approx(_flat(expected))


def _flat(values):
    return [float(v) for value in values for v in (value if isinstance(value, list) else [value])]


def test_a_view_shares_the_version_and_the_values_of_its_base():
    base = minigrad.zeros(2, 3)
    row = base[1].reshape(3, 1).t()
    row += 1
    assert base.tolist() == [[0.0] * 3, [1.0] * 3]
    assert base._version is row._version and base._version.value == 1
    assert row._view.base is base


def test_writes_through_views_are_differentiable_twice():
    def write_through_views(x):
        a = x * 1
        a.reshape(2, 2)[1].mul_(x[:2] * x[2:])
        a[:1] = a[3:] * 2 + x[1:2] ** 2  # a[3:] is read but not saved: writing a is fine
        return a

    x = minigrad.tensor(np.array([0.5, -1.5, 2.0, 3.0]), requires_grad=True)
    assert gradcheck(write_through_views, x)
    assert gradgradcheck(write_through_views, x)


def test_inplace_on_a_view_of_a_leaf_that_requires_grad_raises():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(
        RuntimeError, match=r"^a view of a leaf Variable that requires grad is being used in an in-place"
    ):
        x[0:2].add_(1)
    with pytest.raises(
        RuntimeError, match=r"^a leaf Variable that requires grad is being used in an in-place"
    ):
        x.add_(1)
    assert x.tolist() == [1.0, 2.0, 3.0]


def test_inplace_on_an_expanded_view_raises():
    with pytest.raises(
        RuntimeError, match="more than one element of the written-to tensor refers to a single"
    ):
        minigrad.zeros(3).expand(2, 3).add_(1)


def test_a_reshape_that_cannot_be_a_view_is_a_copy():
    base = minigrad.zeros(2, 3)
    flat = base.t().reshape(6)
    flat += 1
    assert base.tolist() == [[0.0] * 3] * 2 and flat._view.base is not base


# ---- non-differentiable tensors that backward reads are saved with their versions --------


def modified_index(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = lib.tensor([0, 0, 2])
    y = x[index]
    index[1] = 1
    return raised(lambda: y.sum().backward())


def modified_gather_index(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    index = lib.tensor([[0], [1]])
    y = x.gather(1, index)
    index[0, 0] = 1
    return raised(lambda: y.sum().backward())


def modified_where_condition(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    condition = lib.tensor([True, False, True])
    y = lib.where(condition, x, 0.0)
    condition[1] = True
    return raised(lambda: y.sum().backward())


def modified_mask(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = lib.tensor([True, False, True])
    y = x[mask]
    mask[1] = True
    return raised(lambda: y.sum().backward())


def modified_setitem_index(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = lib.zeros(3) * 1
    index = lib.tensor([2])
    y[index] = x[:1] * 2
    index[0] = 0
    return raised(lambda: y.sum().backward())


def modified_output(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = y.sum()
    with lib.no_grad():
        y[0] = 0.0
    return raised(lambda: z.backward())


MODIFIED = [modified_index, modified_gather_index, modified_where_condition, modified_mask]
MODIFIED += [modified_setitem_index, modified_output]


@pytest.mark.parametrize("case", MODIFIED, ids=lambda f: f.__name__)
def test_modifying_what_backward_reads_raises(case):
    message = "one of the variables needed for gradient computation has been modified by an inplace operation"
    assert case(minigrad) == message


def test_the_error_names_the_tensor_and_its_versions():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = minigrad.tensor([0, 2])
    y = x[index]
    index += 0
    index += 0
    with pytest.raises(
        RuntimeError, match=r"\[minigrad.LongTensor \[2\]\] is at version 2; expected version 0"
    ):
        y.sum().backward()
    z = x.exp()
    with minigrad.no_grad():
        z += 1
    with pytest.raises(
        RuntimeError, match=r"\[minigrad.FloatTensor \[3\]\], which is output 0 of ExpBackward0,"
    ):
        z.sum().backward()


def test_unmodified_indices_route_the_gradient():
    x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    index = minigrad.tensor([[1], [1]])
    (x.gather(1, index).sum() + x[minigrad.tensor([True, False])].sum()).backward()
    assert x.grad.tolist() == [[1.0, 2.0], [0.0, 1.0]]


# ---- against PyTorch ----------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("op", list(SAVED))
def test_saving_agrees_with_pytorch(torch, op):
    assert save_only_what_is_needed(minigrad, op) == pytest.approx(save_only_what_is_needed(torch, op))


@pytest.mark.torch
def test_scalar_expression_agrees_with_pytorch(torch):
    ours, theirs = (
        scalar_expression_with_inplace_updates(minigrad),
        scalar_expression_with_inplace_updates(torch),
    )
    assert ours == pytest.approx(theirs, rel=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_views_and_inplace_writes_agree_with_pytorch(torch, name):
    case, _ = CASES[name]
    assert _flat(case(minigrad)) == pytest.approx(_flat(case(torch)))


@pytest.mark.torch
@pytest.mark.parametrize("case", MODIFIED, ids=lambda f: f.__name__)
def test_modifying_what_backward_reads_agrees_with_pytorch(torch, case):
    assert case(minigrad) == case(torch)
