"""1.4 Learning a kernel: recover [1, -1] from the image and its edge map by gradient descent."""

import minigrad as torch
from minigrad import nn
from minigrad.nn import functional as F

torch.manual_seed(0)
X = torch.ones((6, 8))
X[:, 2:6] = 0
Y = F.corr2d(X, torch.tensor([[1.0, -1.0]]))

conv2d = nn.Corr2d(kernel_size=(1, 2))
lr = 0.01
for i in range(20):
    Y_hat = conv2d(X)
    loss = ((Y_hat - Y) ** 2).sum()
    loss.backward()
    conv2d.weight.data -= lr * conv2d.weight.grad
    conv2d.bias.data -= lr * conv2d.bias.grad
    conv2d.weight.grad.zero_()
    conv2d.bias.grad.zero_()
    if (i + 1) % 5 == 0:
        print(f"step {i + 1}, loss {loss.item():.3f}")
print("weight:", conv2d.weight.data, "bias:", conv2d.bias.data)
