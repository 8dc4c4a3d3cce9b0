"""The PyTorch cells of d2l-en chapter_preliminaries/autograd.md, in book order (see tests/d2l/extract.py).

Sample code of "Dive into Deep Learning" (d2l.ai), MIT-style licence (d2l-en LICENSE-SAMPLECODE).
"""

# %% cell 1
import torch

# %% cell 2
x = torch.arange(4.0)
x

# %% cell 3
# Can also create x = torch.arange(4.0, requires_grad=True)
x.requires_grad_(True)
x.grad  # The gradient is None by default

# %% cell 4
y = 2 * torch.dot(x, x)
y

# %% cell 5
y.backward()
x.grad

# %% cell 6
x.grad == 4 * x

# %% cell 7
x.grad.zero_()  # Reset the gradient
y = x.sum()
y.backward()
x.grad

# %% cell 8
x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))  # Faster: y.sum().backward()
x.grad

# %% cell 9
x.grad.zero_()
y = x * x
u = y.detach()
z = u * x

z.sum().backward()
x.grad == u

# %% cell 10
x.grad.zero_()
y.sum().backward()
x.grad == 2 * x

# %% cell 11
def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c

# %% cell 12
a = torch.randn(size=(), requires_grad=True)
d = f(a)
d.backward()

# %% cell 13
a.grad == d / a
