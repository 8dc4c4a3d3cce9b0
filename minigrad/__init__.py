"""minigrad: automatic differentiation and convolutional networks in NumPy, written to be read.

>>> import minigrad
>>> x = minigrad.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
>>> k = minigrad.tensor([[0.0, 1.0], [2.0, 3.0]])
>>> minigrad.nn.functional.corr2d(x, k)
tensor([[19., 25.],
        [37., 43.]])
"""

from minigrad import ops as _ops  # attaches the Tensor operators and methods
from minigrad.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.backend import device, get_default_device, set_default_device
from minigrad.dtypes import (
    bool_,
    float16,
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    set_default_dtype,
)
from minigrad.ops.elementwise import (
    abs,
    clamp,
    cos,
    exp,
    log,
    maximum,
    minimum,
    relu,
    sigmoid,
    sin,
    sqrt,
    tanh,
    where,
)
from minigrad.ops.indexing import gather
from minigrad.ops.linalg import matmul
from minigrad.ops.reduction import amax, amin, argmax, argmin, logsumexp, max, mean, min, std, sum, var
from minigrad.ops.shape import (
    broadcast_shapes,
    broadcast_to,
    cat,
    flatten,
    flip,
    permute,
    reshape,
    squeeze,
    stack,
    transpose,
    unsqueeze,
)
from minigrad.random import manual_seed
from minigrad.tensor import (
    Tensor,
    arange,
    as_tensor,
    empty,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from minigrad import autograd, data, nn, optim, viz  # noqa: E402  (these build on the names above)
from minigrad.serialization import load, save

__version__ = "0.1.0"
