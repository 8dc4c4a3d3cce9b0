"""The PyTorch cells of d2l-en chapter_linear-regression/linear-regression.md, in book order (see tests/d2l/extract.py).

Sample code of "Dive into Deep Learning" (d2l.ai), MIT-style licence (d2l-en LICENSE-SAMPLECODE).
"""

# %% cell 1
from d2l import torch as d2l
import math
import torch
import numpy as np
import time

# %% cell 2
n = 10000
a = d2l.ones(n)
b = d2l.ones(n)

# %% cell 3
c = d2l.zeros(n)
t = time.time()
for i in range(n):
    c[i] = a[i] + b[i]
f'{time.time() - t:.5f} sec'

# %% cell 4
t = time.time()
d = a + b
f'{time.time() - t:.5f} sec'

# %% cell 5
def normal(x, mu, sigma):
    p = 1 / math.sqrt(2 * math.pi * sigma**2)
    if tab.selected('jax'):
        return p * jnp.exp(-0.5 * (x - mu)**2 / sigma**2)
    if tab.selected('pytorch', 'mxnet', 'tensorflow'):
        return p * np.exp(-0.5 * (x - mu)**2 / sigma**2)
