"""1.3 Edge detection: the kernel [1, -1] finds vertical edges in a 6x8 image."""

import minigrad as torch
from minigrad.nn import functional as F

X = torch.ones((6, 8))
X[:, 2:6] = 0
K = torch.tensor([[1.0, -1.0]])
print("image:\n", X)
print("edges (1: white to black, -1: black to white):\n", F.corr2d(X, K))
print("on the transposed image, nothing:\n", F.corr2d(X.t(), K))
