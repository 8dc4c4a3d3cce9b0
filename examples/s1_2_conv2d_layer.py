"""1.2 The 2-D convolution layer: a kernel and a scalar bias, both learnable parameters."""

import minigrad as torch
from minigrad import nn
from minigrad.nn import functional as F


class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(kernel_size))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return F.corr2d(x, self.weight) + self.bias


torch.manual_seed(0)
layer = Conv2D((2, 2))
print(layer)
print("parameters:", [(name, tuple(p.shape)) for name, p in layer.named_parameters()])
print("output on a 4x4 input:", layer(torch.ones(4, 4)).shape)
print("the built-in equivalent:", nn.Corr2d((2, 2)))
