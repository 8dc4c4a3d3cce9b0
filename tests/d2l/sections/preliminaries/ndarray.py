"""The PyTorch cells of d2l-en chapter_preliminaries/ndarray.md, in book order (see tests/d2l/extract.py).

Sample code of "Dive into Deep Learning" (d2l.ai), MIT-style licence (d2l-en LICENSE-SAMPLECODE).
"""

# %% cell 1
import torch

# %% cell 2
x = torch.arange(12, dtype=torch.float32)
x

# %% cell 3
x.numel()

# %% cell 4
x.shape

# %% cell 5
X = x.reshape(3, 4)
X

# %% cell 6
torch.zeros((2, 3, 4))

# %% cell 7
torch.ones((2, 3, 4))

# %% cell 8
torch.randn(3, 4)

# %% cell 9
torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])

# %% cell 10
X[-1], X[1:3]

# %% cell 11
X[1, 2] = 17
X

# %% cell 12
X[:2, :] = 12
X

# %% cell 13
torch.exp(x)

# %% cell 14
x = torch.tensor([1.0, 2, 4, 8])
y = torch.tensor([2, 2, 2, 2])
x + y, x - y, x * y, x / y, x ** y

# %% cell 15
X = torch.arange(12, dtype=torch.float32).reshape((3,4))
Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
torch.cat((X, Y), dim=0), torch.cat((X, Y), dim=1)

# %% cell 16
X == Y

# %% cell 17
X.sum()

# %% cell 18
a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
a, b

# %% cell 19
a + b

# %% cell 20
before = id(Y)
Y = Y + X
id(Y) == before

# %% cell 21
Z = torch.zeros_like(Y)
print('id(Z):', id(Z))
Z[:] = X + Y
print('id(Z):', id(Z))

# %% cell 22
before = id(X)
X += Y
id(X) == before

# %% cell 23
A = X.numpy()
B = torch.from_numpy(A)
type(A), type(B)

# %% cell 24
a = torch.tensor([3.5])
a, a.item(), float(a), int(a)
