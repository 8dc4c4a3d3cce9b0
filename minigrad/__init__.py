"""minigrad: automatic differentiation and convolutional networks in NumPy, written to be read.

>>> import minigrad
>>> x = minigrad.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
>>> k = minigrad.tensor([[0.0, 1.0], [2.0, 3.0]])
>>> minigrad.nn.functional.corr2d(x, k)
tensor([[19., 25.],
        [37., 43.]])
"""

# Importing ``ops`` attaches the Tensor operators and methods; the rest builds on it.
from minigrad import autograd, cuda, distributions, linalg, nn, ops, optim, utils, viz
from minigrad.autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.backend import device, get_default_device, set_default_device
from minigrad.dtypes import (
    bool_,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from minigrad.ops.registry import FUNCTIONS
from minigrad.random import (
    Generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from minigrad.serialization import load, save
from minigrad.tensor import (
    Size,
    Tensor,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    ones,
    ones_like,
    tensor,
    tril_indices,
    triu_indices,
    zeros,
    zeros_like,
)

__version__ = "0.1.0"

# The op functions (minigrad.sum, minigrad.cat, ...), as their declarations name them.
globals().update(FUNCTIONS)

__all__ = [
    "ops",
    "Generator",
    "Size",
    "Tensor",
    "arange",
    "as_tensor",
    "autograd",
    "bool_",
    "cuda",
    "distributions",
    "device",
    "empty",
    "empty_like",
    "enable_grad",
    "eye",
    "float16",
    "float32",
    "float64",
    "from_numpy",
    "full",
    "full_like",
    "get_default_device",
    "get_default_dtype",
    "get_rng_state",
    "inference_mode",
    "initial_seed",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_grad_enabled",
    "linalg",
    "linspace",
    "load",
    "logspace",
    "manual_seed",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "rand_like",
    "randint",
    "randint_like",
    "randn",
    "randn_like",
    "randperm",
    "save",
    "seed",
    "set_default_device",
    "set_default_dtype",
    "set_grad_enabled",
    "set_rng_state",
    "tensor",
    "tril_indices",
    "triu_indices",
    "uint8",
    "utils",
    "viz",
    "zeros",
    "zeros_like",
    *FUNCTIONS,  # the ops, each named where it is written (minigrad.ops.registry)
]
