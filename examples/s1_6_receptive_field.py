"""1.6 Receptive fields: which inputs can change one output? Ask the gradient."""

import minigrad as torch
from minigrad.nn import functional as F

X = torch.arange(9.0).reshape(3, 3).requires_grad_()
K = torch.ones(2, 2)

Y1 = F.corr2d(X, K)
(g1,) = torch.autograd.grad(Y1[0, 0], X, retain_graph=True)
print("one 2x2 layer, output [0, 0] sees:\n", (g1 != 0).long())

Y2 = F.corr2d(Y1, K)
(g2,) = torch.autograd.grad(Y2[0, 0], X)
print("two stacked 2x2 layers, the single output sees:\n", (g2 != 0).long())
