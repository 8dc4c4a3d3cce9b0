"""Lazy modules: uninitialized until the first batch, then the plain layer, as PyTorch's."""

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim


def lenet():
    return nn.Sequential(
        nn.LazyConv2d(6, kernel_size=5, padding=2),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.LazyLinear(10),
    )


def test_before_the_first_batch_parameters_are_uninitialized_and_say_so():
    net = lenet()
    assert repr(net[0]) == "LazyConv2d(0, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"
    assert repr(net[4]) == "LazyLinear(in_features=0, out_features=10, bias=True)"
    assert all(isinstance(p, nn.UninitializedParameter) for p in net.parameters())
    assert [repr(v) for v in net.state_dict().values()] == ["<UninitializedParameter>"] * 4
    assert net[4].has_uninitialized_params()
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
        _ = net[4].weight.shape
    with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter"):
        net[4].weight + 1


def test_the_first_batch_infers_the_sizes_and_turns_them_into_the_plain_layers():
    net = lenet()
    optimizer = optim.SGD(net.parameters(), lr=0.1)  # built before the parameters exist
    params = list(net.parameters())
    out = net(minigrad.ones(2, 1, 8, 8))
    assert out.shape == (2, 10)
    assert type(net[0]) is nn.Conv2d and type(net[4]) is nn.Linear
    assert net[0].weight.shape == (6, 1, 5, 5) and net[4].weight.shape == (10, 96)
    assert repr(net[4]) == "Linear(in_features=96, out_features=10, bias=True)"
    assert all(type(p) is nn.Parameter for p in net.parameters())
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    out.sum().backward()
    before = net[4].weight.detach().clone()
    optimizer.step()
    assert not np.array_equal(net[4].weight.detach().numpy(), before.numpy())
    assert not net[0]._forward_pre_hooks  # the inference hook is gone: plain calls from now on


def test_the_inferred_layers_are_initialised_as_the_plain_ones():
    minigrad.manual_seed(0)
    lazy = nn.LazyLinear(4)
    lazy(minigrad.ones(1, 3))
    minigrad.manual_seed(0)
    plain = nn.Linear(3, 4)
    assert np.array_equal(lazy.weight.detach().numpy(), plain.weight.detach().numpy())
    assert np.array_equal(lazy.bias.detach().numpy(), plain.bias.detach().numpy())


def test_without_bias_and_unbatched_and_transposed():
    conv = nn.LazyConv2d(4, 3, bias=False)
    conv(minigrad.ones(2, 5, 5))  # unbatched (C, H, W)
    assert conv.weight.shape == (4, 2, 3, 3) and conv.bias is None
    up = nn.LazyConvTranspose2d(3, 2, stride=2)
    assert up(minigrad.ones(1, 5, 4, 4)).shape == (1, 3, 8, 8)
    assert up.weight.shape == (5, 3, 2, 2) and type(up) is nn.ConvTranspose2d
    with pytest.raises(
        RuntimeError, match="Expected 3D \\(unbatched\\) or 4D \\(batched\\) input to LazyConv2d"
    ):
        nn.LazyConv2d(4, 3)(minigrad.ones(5, 5))


def test_loading_a_state_dict_materializes_the_parameters():
    lazy = nn.LazyLinear(4)
    source = nn.Linear(3, 4)
    lazy.load_state_dict(source.state_dict())
    assert lazy.weight.shape == (4, 3)
    assert np.array_equal(lazy.weight.detach().numpy(), source.weight.detach().numpy())


def test_init_helpers_that_test_the_layer_type_see_the_plain_class():
    """The book's init_cnn: ``if type(module) == nn.Linear or type(module) == nn.Conv2d``."""
    net = lenet()
    net(minigrad.ones(1, 1, 8, 8))
    touched = []
    net.apply(lambda m: touched.append(type(m).__name__) if type(m) in (nn.Linear, nn.Conv2d) else None)
    assert touched == ["Conv2d", "Linear"]


@pytest.mark.torch
def test_reprs_and_shapes_match_torch(torch):
    ours, theirs = (
        lenet(),
        torch.nn.Sequential(
            torch.nn.LazyConv2d(6, kernel_size=5, padding=2),
            torch.nn.Sigmoid(),
            torch.nn.AvgPool2d(kernel_size=2, stride=2),
            torch.nn.Flatten(),
            torch.nn.LazyLinear(10),
        ),
    )
    assert repr(ours[0]) == repr(theirs[0]) and repr(ours[4]) == repr(theirs[4])
    ours(minigrad.ones(2, 1, 8, 8))
    theirs(torch.ones(2, 1, 8, 8))
    assert repr(ours) == repr(theirs)
    assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]


def test_lazy_batch_norm_takes_its_features_from_dimension_1_and_becomes_batch_norm():
    norm = nn.LazyBatchNorm2d()
    assert repr(norm).startswith("LazyBatchNorm2d(0, eps=1e-05")
    assert [repr(v) for v in norm.state_dict().values()][:4] == [
        "<UninitializedParameter>",
        "<UninitializedParameter>",
        "<UninitializedBuffer>",
        "<UninitializedBuffer>",
    ]
    x = minigrad.arange(24.0).reshape(2, 3, 2, 2)
    out = norm(x)
    assert type(norm) is nn.BatchNorm2d and norm.num_features == 3
    assert norm.running_mean.shape == (3,) and norm.num_batches_tracked.item() == 1
    np.testing.assert_allclose(out.detach().numpy().mean(axis=(0, 2, 3)), 0.0, atol=1e-6)
    flat = nn.LazyBatchNorm1d(affine=False)
    flat(minigrad.ones(4, 5))
    assert type(flat) is nn.BatchNorm1d and flat.weight is None and flat.running_var.shape == (5,)


@pytest.mark.torch
def test_lazy_batch_norm_matches_torch(torch):
    x = np.random.default_rng(0).random((4, 3, 2, 2)).astype(np.float32)
    ours, theirs = nn.LazyBatchNorm2d(), torch.nn.LazyBatchNorm2d()
    assert repr(ours) == repr(theirs)
    np.testing.assert_allclose(
        ours(minigrad.tensor(x)).detach().numpy(),
        theirs(torch.tensor(x)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-5)


def test_the_data_of_an_uninitialized_parameter_is_empty_and_writing_into_it_changes_nothing():
    """The book's LinearRegression: ``self.net.weight.data.normal_(0, 0.01)`` right after LazyLinear(1)."""
    layer = nn.LazyLinear(1)
    assert layer.weight.data.shape == (0,)
    layer.weight.data.normal_(0, 0.01)
    layer.bias.data.fill_(0)
    assert layer(minigrad.ones(2, 3)).shape == (2, 1) and layer.weight.shape == (1, 3)
