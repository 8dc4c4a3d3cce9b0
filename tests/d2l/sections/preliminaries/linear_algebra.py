"""The PyTorch cells of d2l-en chapter_preliminaries/linear-algebra.md, in book order (see tests/d2l/extract.py).

Sample code of "Dive into Deep Learning" (d2l.ai), MIT-style licence (d2l-en LICENSE-SAMPLECODE).
"""

# %% cell 1
import torch

# %% cell 2
x = torch.tensor(3.0)
y = torch.tensor(2.0)

x + y, x * y, x / y, x**y

# %% cell 3
x = torch.arange(3)
x

# %% cell 4
x[2]

# %% cell 5
len(x)

# %% cell 6
x.shape

# %% cell 7
A = torch.arange(6).reshape(3, 2)
A

# %% cell 8
A.T

# %% cell 9
A = torch.tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
A == A.T

# %% cell 10
torch.arange(24).reshape(2, 3, 4)

# %% cell 11
A = torch.arange(6, dtype=torch.float32).reshape(2, 3)
B = A.clone()  # Assign a copy of A to B by allocating new memory
A, A + B

# %% cell 12
A * B

# %% cell 13
a = 2
X = torch.arange(24).reshape(2, 3, 4)
a + X, (a * X).shape

# %% cell 14
x = torch.arange(3, dtype=torch.float32)
x, x.sum()

# %% cell 15
A.shape, A.sum()

# %% cell 16
A.shape, A.sum(axis=0).shape

# %% cell 17
A.shape, A.sum(axis=1).shape

# %% cell 18
A.sum(axis=[0, 1]) == A.sum()  # Same as A.sum()

# %% cell 19
A.mean(), A.sum() / A.numel()

# %% cell 20
A.mean(axis=0), A.sum(axis=0) / A.shape[0]

# %% cell 21
sum_A = A.sum(axis=1, keepdims=True)
sum_A, sum_A.shape

# %% cell 22
A / sum_A

# %% cell 23
A.cumsum(axis=0)

# %% cell 24
y = torch.ones(3, dtype = torch.float32)
x, y, torch.dot(x, y)

# %% cell 25
torch.sum(x * y)

# %% cell 26
A.shape, x.shape, torch.mv(A, x), A@x

# %% cell 27
B = torch.ones(3, 4)
torch.mm(A, B), A@B

# %% cell 28
u = torch.tensor([3.0, -4.0])
torch.norm(u)

# %% cell 29
torch.abs(u).sum()

# %% cell 30
torch.norm(torch.ones((4, 9)))
