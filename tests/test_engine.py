"""The autograd engine: graphs, accumulation, retained graphs, higher order, in-place, dtypes, errors."""

import numpy as np
import pytest

import minigrad
from minigrad import autograd
from minigrad.autograd import Function
from minigrad.tensor import Tensor


def t64(values, requires_grad=True):
    return minigrad.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


class TestGraph:
    def test_reused_node_accumulates(self):
        x = t64(2.0)
        y = x * x
        z = y + y * x  # y used twice
        z.backward()
        assert x.grad.item() == pytest.approx(4 + 3 * 4)

    def test_gradients_accumulate_across_backward_calls(self):
        x = t64([1.0, 2.0])
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        assert x.grad.tolist() == [6.0, 6.0]

    def test_deep_chain_has_no_recursion_limit(self):
        x = t64(1.0)
        y = x
        for _ in range(10_000):
            y = y + 1
        y.backward()
        assert x.grad.item() == 1.0

    def test_leaf_and_non_leaf(self):
        x = t64([1.0])
        y = x * 2
        assert x.is_leaf and x.grad_fn is None
        assert not y.is_leaf and y.grad_fn.name() == "MulBackward0"
        y.sum().backward()
        assert y.grad is None and x.grad is not None

    def test_retain_grad_keeps_non_leaf_gradient(self):
        x = t64([1.0, 2.0])
        y = x * 2
        y.retain_grad()
        (y * y).sum().backward()
        assert y.grad.tolist() == [4.0, 8.0]

    def test_next_functions_point_to_inputs(self):
        x = t64([1.0])
        y = (x * 2).exp()
        ((mul, _),) = y.grad_fn.next_functions
        assert mul.name() == "MulBackward0"
        assert mul.next_functions[0][0].variable is x
        assert mul.next_functions[1] is None or mul.next_functions[1][0] is None

    def test_second_backward_through_freed_graph_raises(self):
        x = t64([1.0, 2.0])
        y = (x * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="second time"):
            y.backward()

    def test_retain_graph_allows_second_backward(self):
        x = t64([1.0, 2.0])
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        assert x.grad.tolist() == [4.0, 8.0]

    def test_non_scalar_output_needs_gradient(self):
        x = t64([1.0, 2.0])
        with pytest.raises(RuntimeError, match="implicitly created only for scalar"):
            (x * 2).backward()
        (x * 2).backward(minigrad.tensor([1.0, 10.0], dtype=np.float64))
        assert x.grad.tolist() == [2.0, 20.0]

    def test_backward_on_tensor_without_grad_raises(self):
        with pytest.raises(RuntimeError, match="does not require grad"):
            minigrad.tensor([1.0]).sum().backward()

    def test_leaves_get_independent_gradient_arrays(self):
        a, b = t64([1.0]), t64([2.0])
        (a + b).sum().backward()
        a.grad.zero_()
        assert b.grad.tolist() == [1.0]


class TestGradModes:
    def test_no_grad_records_nothing(self):
        x = t64([1.0])
        with minigrad.no_grad():
            y = x * 2
        assert y.grad_fn is None and not y.requires_grad
        with minigrad.no_grad(), minigrad.enable_grad():
            assert (x * 2).requires_grad

    def test_no_grad_as_decorator(self):
        @minigrad.no_grad()
        def f(x):
            return x * 2

        assert not f(t64([1.0])).requires_grad

    def test_detach_shares_storage(self):
        x = t64([1.0, 2.0])
        d = x.detach()
        assert not d.requires_grad and d.grad_fn is None
        d.array[0] = 5.0
        assert x.tolist()[0] == 5.0

    def test_data_updates_the_parameter(self):
        w = t64([1.0, 2.0])
        (w * w).sum().backward()
        w.data -= 0.5 * w.grad
        assert w.tolist() == [0.0, 0.0] and w.requires_grad


class TestHigherOrder:
    def test_grad_of_grad(self):
        x = t64(3.0)
        (dy,) = autograd.grad(x**3, x, create_graph=True)
        (d2y,) = autograd.grad(dy, x, create_graph=True)
        (d3y,) = autograd.grad(d2y, x)
        assert (dy.item(), d2y.item(), d3y.item()) == (27.0, 18.0, 6.0)

    def test_backward_with_create_graph_keeps_graph_on_grad(self):
        x = t64([1.0, 2.0])
        (x**3).sum().backward(create_graph=True)
        assert x.grad.requires_grad
        (g,) = autograd.grad(x.grad.sum(), x)
        assert g.tolist() == [6.0, 12.0]

    def test_grad_leaves_dot_grad_alone(self):
        x, w = t64([1.0]), t64([2.0])
        autograd.grad((x * w).sum(), [x])
        assert x.grad is None and w.grad is None

    def test_grad_allow_unused(self):
        x, unused = t64([1.0]), t64([1.0])
        with pytest.raises(RuntimeError, match="not used"):
            autograd.grad((x * 2).sum(), [x, unused])
        gx, gu = autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
        assert gx.tolist() == [2.0] and gu is None

    def test_grad_with_respect_to_non_leaf(self):
        x = t64([1.0, 2.0])
        y = x * 3
        (gy,) = autograd.grad((y * y).sum(), y)
        assert gy.tolist() == [6.0, 12.0]


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return Tensor(x.array**3)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x * x * grad


class TestCustomFunction:
    def test_apply_and_double_backward(self):
        x = t64([2.0])
        y = Cube.apply(x)
        assert y.grad_fn.name() == "CubeBackward0"
        (g,) = autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = autograd.grad(g.sum(), x)
        assert (g.item(), gg.item()) == (12.0, 12.0)

    def test_needs_input_grad_and_non_tensor_args(self):
        seen = {}

        class Scale(Function):
            @staticmethod
            def forward(ctx, x, factor):
                seen["needs"] = ctx.needs_input_grad
                ctx.factor = factor
                return Tensor(x.array * factor)

            @staticmethod
            def backward(ctx, grad):
                return grad * ctx.factor, None

        x = t64([1.0])
        Scale.apply(x, 5.0).sum().backward()
        assert seen["needs"] == (True, False) and x.grad.item() == 5.0

    def test_forward_returning_its_input_leaves_the_input_a_leaf(self):
        class Twice(Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad * 2

        x = t64([1.0, 2.0])
        y = Twice.apply(x)
        assert x.is_leaf and y is not x and y.grad_fn.name() == "TwiceBackward0"
        y.sum().backward()
        assert x.grad.tolist() == [2.0, 2.0]

    def test_wrong_number_of_gradients_is_an_error(self):
        class Bad(Function):
            @staticmethod
            def forward(ctx, x, y):
                return Tensor(x.array + y.array)

            @staticmethod
            def backward(ctx, grad):
                return grad

        with pytest.raises(RuntimeError, match="returned 1 gradients, expected 2"):
            Bad.apply(t64([1.0]), t64([1.0])).sum().backward()


class TestInPlace:
    def test_textbook_setitem_loop_builds_a_graph(self):
        X = t64(np.arange(9.0).reshape(3, 3), requires_grad=False)
        K = t64([[0.0, 1.0], [2.0, 3.0]])
        Y = minigrad.zeros((2, 2), dtype=np.float64)
        for i in range(2):
            for j in range(2):
                Y[i, j] = (X[i : i + 2, j : j + 2] * K).sum()
        assert Y.tolist() == [[19.0, 25.0], [37.0, 43.0]]
        Y.sum().backward()
        assert K.grad.tolist() == [[8.0, 12.0], [20.0, 24.0]]

    def test_setitem_gradient_to_both_sides(self):
        x, v = t64([1.0, 2.0, 3.0]), t64(5.0)
        y = x * 1
        y[1] = v * 2
        (y * minigrad.tensor([1.0, 10.0, 100.0], dtype=np.float64)).sum().backward()
        assert x.grad.tolist() == [1.0, 0.0, 100.0] and v.grad.item() == 20.0

    def test_overwriting_a_saved_value_raises_at_backward(self):
        x = t64([1.0, 2.0])
        y = x.exp()  # Exp saves its output
        z = y.sum()
        with minigrad.no_grad():
            y[0] = 0.0
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.backward()

    def test_inplace_on_leaf_requiring_grad_raises_outside_no_grad(self):
        w = t64([1.0])
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            w += 1
        with pytest.raises(RuntimeError, match="leaf Variable"):
            w[0] = 3.0
        with minigrad.no_grad():
            w += 1
            w[0] += 1
        assert w.item() == 3.0

    def test_recorded_inplace_arithmetic(self):
        q = t64([1.0, 2.0])
        r = q * 1
        r += 1
        r *= q  # r = (q + 1) q
        r.sum().backward()
        assert q.grad.tolist() == [3.0, 5.0]

    def test_inplace_keeps_dtype_and_refuses_float_into_int(self):
        i = minigrad.tensor([1, 2])
        with pytest.raises(RuntimeError, match="can't be cast"):
            i *= 1.5
        f = minigrad.ones(2)
        f += minigrad.tensor([1.0, 2.0], dtype=np.float64)
        assert f.dtype == np.float32

    def test_views_share_writes(self):
        x = minigrad.zeros(2, 3)
        row = x[0]
        row += 1
        assert x.tolist()[0] == [1.0, 1.0, 1.0]


class TestIndexing:
    def test_repeated_integer_indices_accumulate(self):
        x = t64([1.0, 2.0, 3.0])
        x[minigrad.tensor([0, 0, 2, 0])].sum().backward()
        assert x.grad.tolist() == [3.0, 0.0, 1.0]

    def test_slices_none_ellipsis_and_negative_steps(self):
        x = t64(np.arange(24.0).reshape(2, 3, 4))
        y = x[..., None, ::-2]
        assert y.shape == (2, 3, 1, 2)
        y.sum().backward()
        assert x.grad.numpy()[0, 0].tolist() == [0.0, 1.0, 0.0, 1.0]

    def test_out_of_range_index_is_an_index_error(self):
        with pytest.raises(IndexError):
            minigrad.zeros(3)[5]


class TestDtypes:
    def test_default_dtypes(self):
        assert minigrad.tensor(1.0).dtype == np.float32
        assert minigrad.tensor([1, 2]).dtype == np.int64
        assert minigrad.tensor(np.zeros(2)).dtype == np.float64
        assert minigrad.zeros(2).dtype == np.float32

    def test_promotion_like_pytorch(self):
        f32, f64 = minigrad.ones(2), minigrad.ones(2, dtype=np.float64)
        i64 = minigrad.tensor([1, 2])
        assert (f32 * 2.5).dtype == np.float32
        assert (f32 * f64).dtype == np.float64
        assert (f32 * minigrad.tensor(2.0, dtype=np.float64)).dtype == np.float32  # 0-d is a scalar
        assert (i64 * 1.5).dtype == np.float32
        assert (i64 / i64).dtype == np.float32
        assert (i64 + 1).dtype == np.int64

    def test_float32_stays_float32_through_backward(self):
        x = minigrad.ones(3, requires_grad=True)
        ((x * 2).exp().sum() / 3).backward()
        assert x.grad.dtype == np.float32

    def test_gradient_cast_back_to_input_dtype(self):
        x = minigrad.ones(2, requires_grad=True)
        (x * minigrad.ones(2, dtype=np.float64)).sum().backward()
        assert x.grad.dtype == np.float32

    def test_set_default_dtype(self):
        minigrad.set_default_dtype(np.float64)
        try:
            assert minigrad.tensor(1.5).dtype == np.float64
        finally:
            minigrad.set_default_dtype(np.float32)


class TestBadInput:
    def test_integer_tensors_cannot_require_grad(self):
        with pytest.raises(RuntimeError, match="floating point"):
            minigrad.tensor([1, 2], requires_grad=True)

    def test_strings_and_ragged_lists(self):
        with pytest.raises(TypeError, match="numbers"):
            minigrad.tensor(["a", "b"])
        with pytest.raises(ValueError, match="rectangular"):
            minigrad.tensor([[1.0, 2.0], [3.0]])

    def test_mismatched_broadcast_shapes(self):
        with pytest.raises(ValueError, match="broadcast"):
            minigrad.ones(2, 3) + minigrad.ones(4)

    def test_matmul_shape_mismatch(self):
        with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(4, 5\)"):
            minigrad.ones(2, 3) @ minigrad.ones(4, 5)

    def test_reshape_and_expand_errors_name_shapes(self):
        with pytest.raises(RuntimeError, match="invalid for input of size 6"):
            minigrad.ones(2, 3).reshape(4)
        with pytest.raises(RuntimeError, match="expanded size"):
            minigrad.ones(2, 3).expand(4, 3)

    def test_dim_out_of_range(self):
        with pytest.raises(IndexError, match="out of range"):
            minigrad.ones(2, 3).sum(dim=2)
