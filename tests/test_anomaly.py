"""``detect_anomaly``: the first op whose forward or backward makes NaN or inf is named, with its line.

NumPy warns when it makes NaN or inf, and the test configuration turns warnings into errors, so
the tests that make them on purpose silence NumPy with ``errstate``; the anomaly checks
themselves must not warn (``test_checks_raise_no_warnings``).
"""

import inspect

import numpy as np
import pytest

import minigrad
from minigrad.autograd import detect_anomaly, is_anomaly_enabled
from minigrad.autograd.anomaly import is_anomaly_check_nan_enabled, set_detect_anomaly


def _line(marker):
    """'File "<this file>", line N' for the line of this file containing ``marker``."""
    lines = inspect.getsource(inspect.getmodule(_line)).splitlines()
    (number,) = [i + 1 for i, line in enumerate(lines) if marker in line and "_line(" not in line]
    return f'File "{__file__}", line {number}'


def test_forward_nan_names_the_op_and_its_line():
    x = minigrad.tensor([-1.0, 1.0], requires_grad=True)
    with detect_anomaly(), np.errstate(invalid="ignore"), pytest.raises(RuntimeError) as err:
        x.log()  # the log of a negative number
    message = str(err.value)
    assert message.startswith("Function 'Log' returned nan values in its 0th output (forward).")
    assert _line("# the log of a negative number") in message


def test_backward_inf_names_the_backward_op_and_where_its_forward_was_created():
    x = minigrad.tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        y = x.sqrt()  # forward is fine: sqrt(0) = 0
        loss = (y * 3).sum()
        with np.errstate(divide="ignore"), pytest.raises(RuntimeError) as err:
            loss.backward()
    message = str(err.value)
    assert message.startswith("Function 'SqrtBackward0' returned inf values in its 0th output")
    assert "the gradient for input 0 of Sqrt" in message
    assert _line("# forward is fine: sqrt(0) = 0") in message
    assert "y = x.sqrt()" in message


def test_backward_nan_names_the_backward_op():
    x = minigrad.tensor([0.0, 1.0], requires_grad=True)
    with detect_anomaly():
        loss = (x.sqrt() * 0).sum()  # backward: 0 / (2 sqrt(0)) is nan
        with np.errstate(invalid="ignore"), pytest.raises(RuntimeError) as err:
            loss.backward()
    assert str(err.value).startswith("Function 'SqrtBackward0' returned nan values in its 0th output")
    assert _line("# backward: 0 / (2 sqrt(0)) is nan") in str(err.value)


def test_the_first_anomaly_is_named_not_a_later_one():
    x = minigrad.tensor([-1.0], requires_grad=True)
    with detect_anomaly(), np.errstate(invalid="ignore"), pytest.raises(RuntimeError) as err:
        x.sqrt().exp().sum()
    assert "Function 'Sqrt'" in str(err.value)


def test_the_line_is_the_innermost_user_code():
    def log_of(t):
        return t.log()  # inside a helper

    x = minigrad.tensor([0.0], requires_grad=True)
    with detect_anomaly(), np.errstate(divide="ignore"), pytest.raises(RuntimeError) as err:
        minigrad.nn.functional.relu(log_of(x))
    assert "Function 'Log' returned inf values" in str(err.value)
    assert _line("# inside a helper") in str(err.value)


def test_ops_made_by_a_backward_rule_with_create_graph_point_at_the_rule():
    x = minigrad.tensor([0.0, 1.0], requires_grad=True)
    with detect_anomaly():
        loss = x.sqrt().sum()
        with np.errstate(divide="ignore"), pytest.raises(RuntimeError) as err:
            loss.backward(create_graph=True)  # the backward's own ops are recorded
    message = str(err.value)
    assert "returned inf values in its 0th output (forward)" in message
    assert _line("# the backward's own ops are recorded") in message
    assert "while running the backward rule at" in message and "in backward" in message


def test_a_leaf_that_already_holds_nan_is_pointed_out():
    x = minigrad.tensor([float("nan"), 1.0], requires_grad=True)
    with detect_anomaly(), pytest.raises(RuntimeError) as err:
        x * 2
    message = str(err.value)
    assert "Function 'Mul' returned nan values" in message
    assert "its input 0, a leaf tensor of shape (2,), already held nan values" in message


def test_checks_raise_no_warnings():
    # nan * 2 and inf * 2 do not warn in NumPy: any warning would come from the checks
    x = minigrad.tensor([float("inf"), float("nan")], requires_grad=True)
    with detect_anomaly(), pytest.raises(RuntimeError, match="'Mul' returned nan and inf values"):
        x * 2


def test_backward_of_ops_recorded_outside_says_so():
    x = minigrad.tensor([0.0], requires_grad=True)
    loss = x.sqrt().sum()
    with detect_anomaly(), np.errstate(divide="ignore"), pytest.raises(RuntimeError) as err:
        loss.backward()
    assert "Function 'SqrtBackward0' returned inf" in str(err.value)
    assert "created outside detect_anomaly()" in str(err.value)


def test_without_detect_anomaly_nan_passes_silently():
    x = minigrad.tensor([0.0], requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        x.sqrt().sum().backward()
    assert np.isinf(x.grad.numpy()).all()


def test_check_nan_false_records_but_does_not_check():
    x = minigrad.tensor([-1.0], requires_grad=True)
    with detect_anomaly(check_nan=False), np.errstate(invalid="ignore"):
        assert is_anomaly_enabled() and not is_anomaly_check_nan_enabled()
        y = x.log()
    assert y.grad_fn.stack is not None and np.isnan(y.detach().numpy()).all()


def test_modes_are_restored_after_nesting_errors_and_decorators():
    assert not is_anomaly_enabled()
    with pytest.raises(KeyError):
        with detect_anomaly():
            with detect_anomaly(check_nan=False):
                assert not is_anomaly_check_nan_enabled()
            assert is_anomaly_enabled() and is_anomaly_check_nan_enabled()
            raise KeyError
    assert not is_anomaly_enabled()

    @detect_anomaly()
    def enabled():
        return is_anomaly_enabled()

    assert enabled() and not is_anomaly_enabled()


def test_set_detect_anomaly_as_call_and_as_context():
    with set_detect_anomaly(True):
        assert is_anomaly_enabled()
        with set_detect_anomaly(False):
            assert not is_anomaly_enabled()
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()
    set_detect_anomaly(True, check_nan=False)
    try:
        assert is_anomaly_enabled() and not is_anomaly_check_nan_enabled()
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_enabled() and is_anomaly_check_nan_enabled()
