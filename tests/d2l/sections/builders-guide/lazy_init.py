"""The PyTorch cells of d2l-en chapter_builders-guide/lazy-init.md, in book order (see tests/d2l/extract.py).

Sample code of "Dive into Deep Learning" (d2l.ai), MIT-style licence (d2l-en LICENSE-SAMPLECODE).
"""

# %% cell 1
from d2l import torch as d2l
import torch
from torch import nn

# %% cell 2
net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))

# %% cell 3
net[0].weight

# %% cell 4
X = torch.rand(2, 20)
net(X)

net[0].weight.shape

# %% cell 5
@d2l.add_to_class(d2l.Module)  #@save
def apply_init(self, inputs, init=None):
    self.forward(*inputs)
    if init is not None:
        self.net.apply(init)
