"""1.5 Convolution versus cross-correlation: convolution flips the kernel first."""

import minigrad as torch
from minigrad.nn import functional as F

X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
print("convolve2d(X, K):      \n", F.convolve2d(X, K))
print("corr2d(X, K flipped):  \n", F.corr2d(X, K.flip(0, 1)))
print("corr2d(X, K):          \n", F.corr2d(X, K))
