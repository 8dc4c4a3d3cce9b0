"""1.1 Two-dimensional cross-correlation: the textbook loop, then minigrad's vectorized corr2d."""

import minigrad as torch
from minigrad.nn import functional as F


def corr2d(X, K):
    """The chapter's loop: one output element per window position."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
print("loop:      ", corr2d(X, K))
print("vectorized:", F.corr2d(X, K))
