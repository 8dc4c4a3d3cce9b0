"""The chapter's textbook loop, kept as a teaching reference and a test oracle (never a hot path)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.tensor import Tensor, zeros


def corr2d_loop(X: Any, K: Any) -> Any:
    """2-D cross-correlation with one Python step per output element, as the chapter writes it.

    Works on NumPy arrays and on minigrad tensors; on tensors ``Y[i, j] = ...`` records a graph.

    >>> corr2d_loop(np.arange(9.0).reshape(3, 3), np.array([[0.0, 1.0], [2.0, 3.0]]))
    array([[19., 25.],
           [37., 43.]])
    """
    h, w = K.shape
    shape = (X.shape[0] - h + 1, X.shape[1] - w + 1)
    if isinstance(X, Tensor):
        Y = zeros(shape, dtype=X.dtype, device=X.device)
    else:
        Y = np.zeros(shape, dtype=np.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y
