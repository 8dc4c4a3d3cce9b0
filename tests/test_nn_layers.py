"""The normalization, embedding, pooling, resizing, dropout and container layers against PyTorch:
values, gradients, running statistics over several training steps, evaluation mode, state-dict
names, reprs, errors and empty batches; and, without PyTorch, the rules they follow."""

import re

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.testing import assert_close

TIGHT = {"rtol": 1e-10, "atol": 1e-12}


def values(*shape, seed=0):
    """Distinct float64 values, a few hundredths apart (no max ties, no kinks)."""
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n).reshape(shape) - n / 2) * 0.05


def host(t):
    return t.detach().cpu().numpy()


def pair(torch, array, requires_grad=True):
    """The same float64 values as a minigrad and a torch tensor, both leaves."""
    return (
        minigrad.tensor(array, requires_grad=requires_grad),
        torch.tensor(array, requires_grad=requires_grad),
    )


def same_module(ours, theirs, torch):
    """Copy torch's parameters and buffers into ours (float64 on both sides)."""
    theirs.double()
    ours.double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def assert_outputs_and_grads(ours_out, theirs_out, ours_leaves, theirs_leaves, torch, **tol):
    tol = tol or TIGHT
    assert_close(host(ours_out), theirs_out.detach().numpy(), **tol)
    seed = np.random.default_rng(7).uniform(-1, 1, theirs_out.shape)
    ours_out.backward(minigrad.tensor(seed))
    theirs_out.backward(torch.tensor(seed))
    for a, b in zip(ours_leaves, theirs_leaves):
        assert_close(host(a.grad), b.grad.numpy(), **tol)


def torch_repr(module):
    return repr(module).replace("torch.", "minigrad.")


# --- batch normalization ---------------------------------------------------------------------


BATCH_NORMS = [
    ("BatchNorm1d", (6, 3), {}),
    ("BatchNorm1d", (4, 3, 5), {"momentum": None}),
    ("BatchNorm2d", (4, 3, 2, 3), {}),
    ("BatchNorm2d", (2, 3, 2, 2), {"affine": False, "eps": 0.1}),
    ("BatchNorm2d", (3, 2, 2, 2), {"track_running_stats": False}),
    ("BatchNorm2d", (3, 2, 1, 2), {"momentum": 0.5, "bias": False}),
    ("BatchNorm3d", (2, 2, 2, 1, 2), {}),
]


@pytest.mark.parametrize("name, shape, kwargs", BATCH_NORMS)
def test_batch_norm_trains_and_evaluates_as_torch(torch, name, shape, kwargs):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(shape[1], **kwargs)
    ours = getattr(nn, name)(shape[1], **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if ours.weight is not None:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            if theirs.bias is not None:
                theirs.bias.uniform_(-1, 1)
    same_module(ours, theirs, torch)
    for step in range(3):  # the running statistics after several training steps
        x, xt = pair(torch, values(*shape, seed=step) * (step + 1) + step)
        leaves = [x] + [p for p in ours.parameters()]
        assert_outputs_and_grads(ours(x), theirs(xt), leaves, [xt, *theirs.parameters()], torch)
        for key, value in theirs.state_dict().items():
            assert_close(host(ours.state_dict()[key]), value.numpy(), **TIGHT)
    ours.eval()
    theirs.eval()
    x, xt = pair(torch, values(*shape, seed=9))
    assert_outputs_and_grads(ours(x), theirs(xt), [x], [xt], torch)


def test_batch_norm_state_dict_loads_from_torch_and_keeps_the_counter_an_integer(torch):
    theirs = torch.nn.BatchNorm2d(3)
    theirs(torch.randn(4, 3, 2, 2))
    ours = nn.BatchNorm2d(3)
    ours.load_state_dict(theirs.state_dict())
    assert ours.num_batches_tracked.dtype == minigrad.int64 and ours.num_batches_tracked.item() == 1
    assert_close(host(ours.running_var), theirs.running_var.numpy(), rtol=1e-6, atol=1e-7)
    ours.double()  # floating buffers follow the module's dtype; the counter stays int64
    assert ours.running_mean.dtype == minigrad.float64 and ours.num_batches_tracked.dtype == minigrad.int64


def test_batch_norm_errors_match_torch(torch):
    for ours, theirs, x in [
        (nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3), np.zeros((2, 3))),
        (nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3), np.zeros((1, 3))),
        (nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3), np.zeros((2, 3, 1, 1))),
    ]:
        with pytest.raises(ValueError) as expected:
            theirs(torch.tensor(x))
        with pytest.raises(ValueError, match=re.escape(str(expected.value).split(",")[0])):
            ours(minigrad.tensor(x))
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
        F.batch_norm(minigrad.zeros(2, 3), None, None)
    with pytest.raises(RuntimeError, match="running_mean should contain 3 elements not 4"):
        F.batch_norm(minigrad.zeros(2, 3), minigrad.zeros(4), minigrad.ones(4))


def test_batch_norm_of_an_empty_batch_is_empty_and_counts_the_step(torch):
    ours, theirs = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    y, yt = ours(minigrad.zeros(0, 3, 2, 2)), theirs(torch.zeros(0, 3, 2, 2))
    assert y.shape == tuple(yt.shape)
    for key, value in theirs.state_dict().items():
        assert host(ours.state_dict()[key]).tolist() == value.numpy().tolist()


def test_batch_norm_with_momentum_none_is_the_cumulative_average():
    bn = nn.BatchNorm1d(1, momentum=None).double()
    batches = [np.array([[0.0], [2.0]]), np.array([[4.0], [8.0]]), np.array([[1.0], [1.0]])]
    for batch in batches:
        bn(minigrad.tensor(batch))
    assert bn.num_batches_tracked.item() == 3
    assert_close(host(bn.running_mean), [np.mean([b.mean() for b in batches])], **TIGHT)
    assert_close(host(bn.running_var), [np.mean([b.var(ddof=1) for b in batches])], **TIGHT)  # unbiased


def test_batch_norm_in_eval_mode_uses_the_running_statistics():
    bn = nn.BatchNorm1d(2).double().eval()
    bn.running_mean.copy_(minigrad.tensor([1.0, -1.0]))
    bn.running_var.copy_(minigrad.tensor([4.0, 0.25]))
    bn.eps = 0.0
    y = bn(minigrad.tensor([[3.0, 0.0]], dtype=minigrad.float64))  # one sample: allowed in eval mode
    assert host(y).tolist() == [[1.0, 2.0]]
    assert bn.num_batches_tracked.item() == 0


# --- layer and group normalization -----------------------------------------------------------


@pytest.mark.parametrize(
    "ours, theirs, shape",
    [
        (lambda: nn.LayerNorm(4), lambda t: t.nn.LayerNorm(4), (2, 3, 4)),
        (lambda: nn.LayerNorm((3, 4), bias=False), lambda t: t.nn.LayerNorm((3, 4), bias=False), (2, 3, 4)),
        (
            lambda: nn.LayerNorm([4], elementwise_affine=False, eps=0.1),
            lambda t: t.nn.LayerNorm([4], elementwise_affine=False, eps=0.1),
            (0, 4),
        ),
        (lambda: nn.GroupNorm(2, 4), lambda t: t.nn.GroupNorm(2, 4), (2, 4, 3)),
        (
            lambda: nn.GroupNorm(1, 3, affine=False),
            lambda t: t.nn.GroupNorm(1, 3, affine=False),
            (2, 3, 2, 2),
        ),
        (lambda: nn.GroupNorm(3, 3, bias=False), lambda t: t.nn.GroupNorm(3, 3, bias=False), (2, 3, 2)),
    ],
)
def test_layer_and_group_norm_match_torch(torch, ours, theirs, shape):
    ours, theirs = ours(), theirs(torch)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with torch.no_grad():
        for p in theirs.parameters():
            p.uniform_(-1, 1)
    same_module(ours, theirs, torch)
    x, xt = pair(torch, values(*shape))
    assert_outputs_and_grads(ours(x), theirs(xt), [x, *ours.parameters()], [xt, *theirs.parameters()], torch)


def test_layer_and_group_norm_errors_match_torch(torch):
    with pytest.raises(RuntimeError) as expected:
        torch.nn.functional.layer_norm(torch.zeros(2, 3), (4,))
    with pytest.raises(RuntimeError, match=re.escape(str(expected.value))):
        F.layer_norm(minigrad.zeros(2, 3), (4,))
    with pytest.raises(RuntimeError) as expected:
        torch.nn.functional.group_norm(torch.zeros(2, 3, 4), 2)
    with pytest.raises(RuntimeError, match=re.escape(str(expected.value))):
        F.group_norm(minigrad.zeros(2, 3, 4), 2)


# --- embedding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"padding_idx": 1},
        {"padding_idx": -1, "scale_grad_by_freq": True},
        {"max_norm": 1.0},
        {"max_norm": 0.5, "norm_type": 1.0},
    ],
)
def test_embedding_matches_torch(torch, kwargs):
    theirs = torch.nn.Embedding(5, 3, **kwargs).double()
    ours = nn.Embedding(5, 3, **kwargs).double()
    assert repr(ours) == repr(theirs)
    ours.load_state_dict(theirs.state_dict())
    index = [[0, 2, 2], [4, 1, 2]]
    out, expected = ours(minigrad.tensor(index)), theirs(torch.tensor(index))
    assert_outputs_and_grads(out, expected, [ours.weight], [theirs.weight], torch)
    assert_close(host(ours.weight), theirs.weight.detach().numpy(), **TIGHT)  # max_norm renormalised in place


def test_embedding_padding_row_starts_at_zero_and_gets_no_gradient():
    emb = nn.Embedding(4, 2, padding_idx=-2)
    assert emb.padding_idx == 2 and host(emb.weight)[2].tolist() == [0.0, 0.0]
    emb(minigrad.tensor([2, 2, 0])).sum().backward()
    assert host(emb.weight.grad).tolist() == [[1.0, 1.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]


def test_embedding_from_pretrained_shares_and_freezes(torch):
    weights = minigrad.tensor(values(3, 2))
    frozen = nn.Embedding.from_pretrained(weights)
    assert not frozen.weight.requires_grad and repr(frozen) == "Embedding(3, 2)"
    assert host(frozen(minigrad.tensor([2]))).tolist() == [values(3, 2)[2].tolist()]
    assert nn.Embedding.from_pretrained(weights, freeze=False, padding_idx=0).weight.requires_grad
    assert repr(nn.Embedding(4, 2, norm_type=1.0, scale_grad_by_freq=True, sparse=True)) == repr(
        torch.nn.Embedding(4, 2, norm_type=1.0, scale_grad_by_freq=True, sparse=True)
    )


def test_embedding_errors():
    weight = minigrad.zeros(3, 2)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types: Long, Int"):
        F.embedding(minigrad.tensor([1.0]), weight)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(minigrad.tensor([3]), weight)
    with pytest.raises(ValueError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    assert F.embedding(minigrad.zeros(0, 2, dtype=minigrad.int64), weight).shape == (0, 2, 2)


# --- pooling, convolution and resizing ----------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, (None, 2), (5, 4), (2, None), (7, 6)])
def test_adaptive_pools_match_torch(torch, size):
    for ours, theirs in [(nn.AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size))]:
        assert repr(ours) == repr(theirs)
        x, xt = pair(torch, values(2, 3, 5, 4))
        assert_outputs_and_grads(ours(x), theirs(xt), [x], [xt], torch)
    for data in (values(2, 3, 5, 4), np.random.default_rng(1).integers(-1, 2, (2, 3, 5, 4)).astype(float)):
        x, xt = pair(torch, data)  # distinct values, then many ties (the first maximum wins)
        (y, index), (yt, index_t) = (
            F.adaptive_max_pool2d(x, size, True),
            torch.nn.functional.adaptive_max_pool2d(xt, size, True),
        )
        assert index.numpy().tolist() == index_t.numpy().tolist()
        assert_outputs_and_grads(y, yt, [x], [xt], torch)


def test_adaptive_pools_on_unbatched_empty_and_1d_inputs_match_torch(torch):
    tf = torch.nn.functional
    for ours, theirs, shape in [
        (lambda x: F.adaptive_avg_pool2d(x, 3), lambda x: tf.adaptive_avg_pool2d(x, 3), (3, 5, 4)),
        (lambda x: F.adaptive_max_pool2d(x, (2, 3)), lambda x: tf.adaptive_max_pool2d(x, (2, 3)), (3, 5, 4)),
        (lambda x: F.adaptive_avg_pool1d(x, 3), lambda x: tf.adaptive_avg_pool1d(x, 3), (2, 3, 7)),
        (lambda x: F.adaptive_max_pool1d(x, 4), lambda x: tf.adaptive_max_pool1d(x, 4), (3, 7)),
        (lambda x: nn.AdaptiveMaxPool1d(2)(x), lambda x: torch.nn.AdaptiveMaxPool1d(2)(x), (2, 3, 7)),
        (lambda x: nn.AdaptiveAvgPool1d(2)(x), lambda x: torch.nn.AdaptiveAvgPool1d(2)(x), (2, 3, 7)),
    ]:
        x, xt = pair(torch, values(*shape))
        assert_outputs_and_grads(ours(x), theirs(xt), [x], [xt], torch)
    for size in (2, 3):
        assert F.adaptive_avg_pool2d(minigrad.zeros(0, 3, 4, 4), size).shape == (0, 3, size, size)
        assert F.adaptive_max_pool2d(minigrad.zeros(0, 3, 4, 4), size).shape == (0, 3, size, size)
    with pytest.raises(RuntimeError, match="non-zero size for non-batch dimensions"):
        F.adaptive_avg_pool2d(minigrad.zeros(1, 0, 4, 4), 2)
    assert (
        repr(nn.AdaptiveMaxPool2d((2, None), return_indices=True))
        == "AdaptiveMaxPool2d(output_size=(2, None))"
    )


POOLS_1D = [
    ("MaxPool1d", (3,), {}),
    ("MaxPool1d", (3, 2, 1), {"return_indices": True}),
    ("MaxPool1d", (2,), {"stride": 2, "dilation": 2, "ceil_mode": True}),
    ("AvgPool1d", (3,), {}),
    ("AvgPool1d", (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}),
]


@pytest.mark.parametrize("name, args, kwargs", POOLS_1D)
def test_1d_pools_match_torch(torch, name, args, kwargs):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    for shape in [(2, 3, 7), (3, 8)]:
        x, xt = pair(torch, values(*shape))
        y, yt = ours(x), theirs(xt)
        if kwargs.get("return_indices"):
            assert y[1].numpy().tolist() == yt[1].numpy().tolist()
            y, yt = y[0], yt[0]
        assert_outputs_and_grads(y, yt, [x], [xt], torch)


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((3, 4, 3), {}),
        ((4, 2, 3), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2, "bias": False}),
        ((3, 2, 4), {"padding": "same"}),
        ((3, 2, 3), {"padding": 2, "padding_mode": "reflect"}),
        ((2, 2, 2), {"padding": 1, "padding_mode": "circular", "stride": (2,)}),
        ((3, 2, 3), {"padding": "same", "padding_mode": "replicate", "dilation": 2}),
    ],
)
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
def test_conv1d_matches_torch(torch, args, kwargs):
    theirs = torch.nn.Conv1d(*args, **kwargs)
    ours = nn.Conv1d(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]
    same_module(ours, theirs, torch)
    for shape in [(2, args[0], 7), (args[0], 6)]:
        x, xt = pair(torch, values(*shape))
        ours.zero_grad(), theirs.zero_grad()
        assert_outputs_and_grads(
            ours(x), theirs(xt), [x, *ours.parameters()], [xt, *theirs.parameters()], torch
        )


INTERPOLATIONS = [
    {"scale_factor": 2},
    {"size": (7, 3)},
    {"scale_factor": 1.7},
    {"scale_factor": (0.5, 2.3)},
    {"scale_factor": 1.7, "recompute_scale_factor": True},
    {"size": (9, 11), "mode": "nearest-exact"},
    {"size": (7, 3), "mode": "bilinear"},
    {"size": (7, 3), "mode": "bilinear", "align_corners": True},
    {"scale_factor": 1.3, "mode": "bilinear"},
    {"size": (1, 1), "mode": "bilinear", "align_corners": True},
    {"size": (3, 2), "mode": "area"},
]


@pytest.mark.parametrize("kwargs", INTERPOLATIONS)
def test_interpolate_matches_torch(torch, kwargs):
    for shape in [(2, 3, 5, 4), (1, 2, 3, 7)]:
        x, xt = pair(torch, values(*shape))
        assert_outputs_and_grads(
            F.interpolate(x, **kwargs), torch.nn.functional.interpolate(xt, **kwargs), [x], [xt], torch
        )
    x32, xt32 = pair(torch, values(1, 2, 3, 5).astype(np.float32))
    assert_outputs_and_grads(
        F.interpolate(x32, **kwargs),
        torch.nn.functional.interpolate(xt32, **kwargs),
        [x32],
        [xt32],
        torch,
        rtol=1e-5,
        atol=1e-5,
    )


def test_linear_and_trilinear_interpolation_and_upsample_match_torch(torch):
    tf = torch.nn.functional
    for kwargs, shape in [
        ({"size": 5, "mode": "linear"}, (2, 3, 7)),
        ({"scale_factor": 3}, (2, 3, 4)),
        ({"size": (3, 4, 5), "mode": "trilinear"}, (1, 1, 2, 3, 4)),
    ]:
        x, xt = pair(torch, values(*shape))
        assert_outputs_and_grads(F.interpolate(x, **kwargs), tf.interpolate(xt, **kwargs), [x], [xt], torch)
    for ours, theirs in [
        (nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
        (nn.Upsample(size=(3, 4), mode="bilinear"), torch.nn.Upsample(size=(3, 4), mode="bilinear")),
        (nn.Upsample(scale_factor=(2, 3)), torch.nn.Upsample(scale_factor=(2, 3))),
        (nn.UpsamplingBilinear2d(scale_factor=2), torch.nn.UpsamplingBilinear2d(scale_factor=2)),
        (nn.UpsamplingNearest2d(size=5), torch.nn.UpsamplingNearest2d(size=5)),
    ]:
        assert repr(ours) == repr(theirs)
        x, xt = pair(torch, values(1, 2, 3, 3))
        assert_outputs_and_grads(ours(x), theirs(xt), [x], [xt], torch)


def test_interpolate_errors_match_torch(torch):
    x, xt = minigrad.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2)
    for kwargs, error in [
        ({"size": 2, "scale_factor": 2}, ValueError),
        ({}, ValueError),
        ({"size": 3, "align_corners": True}, ValueError),
        ({"size": 3, "recompute_scale_factor": True}, ValueError),
        ({"size": (3, 3, 3)}, ValueError),
        ({"size": 3, "mode": "linear"}, NotImplementedError),
    ]:
        with pytest.raises(error) as expected:
            torch.nn.functional.interpolate(xt, **kwargs)
        with pytest.raises(error, match=re.escape(str(expected.value)[:30])):
            F.interpolate(x, **kwargs)


# --- dropout -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "layer, function, shape",
    [
        (nn.Dropout1d, F.dropout1d, (8, 16, 5)),
        (nn.Dropout1d, F.dropout1d, (16, 5)),
        (nn.Dropout2d, F.dropout2d, (8, 16, 2, 3)),
        (nn.Dropout3d, F.dropout3d, (4, 16, 2, 1, 2)),
    ],
)
def test_channel_dropout_drops_whole_channels(layer, function, shape):
    minigrad.manual_seed(0)
    x = minigrad.ones(*shape, dtype=minigrad.float64, requires_grad=True)
    drop = layer(p=0.25)
    y = host(drop(x))
    spatial = 1 if function is F.dropout1d else 2 if function is F.dropout2d else 3
    per_channel = y.reshape(*shape[: len(shape) - spatial], -1)
    assert set(np.unique(per_channel)) <= {0.0, 1 / 0.75}
    assert (per_channel.min(axis=-1) == per_channel.max(axis=-1)).all()  # a channel is kept or dropped whole
    assert 0 < (per_channel[..., 0] == 0).mean() < 0.6
    drop.eval()
    assert drop(x) is x
    assert function(x, 0.5, training=False) is x
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        function(x, 1.5)


def test_dropout2d_reads_a_3d_input_as_batched_1d_with_a_warning(torch):
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        y = F.dropout2d(minigrad.ones(4, 8, 3), 0.5)
    assert (host(y).min(axis=-1) == host(y).max(axis=-1)).all()
    assert repr(nn.Dropout2d(0.3)) == repr(torch.nn.Dropout2d(0.3))
    assert repr(nn.Dropout1d(inplace=True)) == repr(torch.nn.Dropout1d(inplace=True))
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input"):
        F.dropout1d(minigrad.ones(2), 0.5)


# --- Unflatten and the containers ---------------------------------------------------------------


def test_unflatten(torch):
    ours, theirs = nn.Unflatten(1, (2, -1)), torch.nn.Unflatten(1, (2, -1))
    assert repr(ours) == repr(theirs)
    assert ours(minigrad.zeros(3, 10, 2)).shape == tuple(theirs(torch.zeros(3, 10, 2)).shape) == (3, 2, 5, 2)
    assert nn.Unflatten(-1, (2, 5))(minigrad.zeros(3, 10)).shape == (3, 2, 5)


def test_containers_name_reprs_and_state_dicts_as_torch(torch):
    def build(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.blocks = lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)] + [lib.nn.ReLU()])
                self.heads = lib.nn.ModuleDict({"a": lib.nn.Linear(2, 1), "b": lib.nn.BatchNorm1d(2)})
                self.scales = lib.nn.ParameterList(
                    [lib.nn.Parameter(lib.zeros(3)), lib.nn.Parameter(lib.zeros(2, 2))]
                )
                self.extras = lib.nn.ParameterDict({"bias": lib.nn.Parameter(lib.zeros(3))})

        return Net()

    ours, theirs = build(minigrad), build(torch)
    device = next(ours.parameters()).device  # parameters off the host name their device, as torch's
    assert repr(ours).replace(f" ({device})", "") == torch_repr(theirs)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})


def test_module_list_operations_keep_names_in_order():
    layers = nn.ModuleList([nn.ReLU(), nn.Tanh(), nn.Sigmoid()])
    del layers[0]
    assert [type(m).__name__ for m in layers] == ["Tanh", "Sigmoid"] and list(layers._modules) == ["0", "1"]
    layers.insert(1, nn.Identity())
    layers[0] = nn.Linear(1, 1)
    assert [type(m).__name__ for m in layers] == ["Linear", "Identity", "Sigmoid"]
    assert [name for name, _ in layers.named_parameters()] == ["0.weight", "0.bias"]
    assert isinstance(layers[-1], nn.Sigmoid) and type(layers[1:]) is nn.ModuleList and len(layers[1:]) == 2
    layers += [nn.ReLU()]
    assert len(layers) == 4 and isinstance(layers.pop(), nn.ReLU) and len(layers) == 3
    assert len(layers + nn.ModuleList([nn.ReLU()])) == 4
    with pytest.raises(IndexError, match="index 3 is out of range"):
        layers[3]
    assert repr(nn.ModuleList()) == "ModuleList()"
    heads = nn.ModuleDict([("x", nn.ReLU())])
    heads.update({"y": nn.Tanh()})
    assert list(heads) == ["x", "y"] and "y" in heads and isinstance(heads.pop("x"), nn.ReLU)
    assert list(heads.keys()) == ["y"]
    params = nn.ParameterList([minigrad.zeros(2)])  # a plain tensor becomes a Parameter
    params.append(minigrad.ones(1))
    assert all(isinstance(p, nn.Parameter) for p in params) and len(params) == 2
    assert [name for name, _ in params.named_parameters()] == ["0", "1"]
