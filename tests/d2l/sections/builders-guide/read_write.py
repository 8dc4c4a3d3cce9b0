"""The PyTorch cells of d2l-en chapter_builders-guide/read-write.md, in book order (see tests/d2l/extract.py).

Sample code of "Dive into Deep Learning" (d2l.ai), MIT-style licence (d2l-en LICENSE-SAMPLECODE).
"""

# %% cell 1
import torch
from torch import nn
from torch.nn import functional as F

# %% cell 2
x = torch.arange(4)
torch.save(x, 'x-file')

# %% cell 3
x2 = torch.load('x-file')
x2

# %% cell 4
y = torch.zeros(4)
torch.save([x, y],'x-files')
x2, y2 = torch.load('x-files')
(x2, y2)

# %% cell 5
mydict = {'x': x, 'y': y}
torch.save(mydict, 'mydict')
mydict2 = torch.load('mydict')
mydict2

# %% cell 6
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.LazyLinear(256)
        self.output = nn.LazyLinear(10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))

net = MLP()
X = torch.randn(size=(2, 20))
Y = net(X)

# %% cell 7
torch.save(net.state_dict(), 'mlp.params')

# %% cell 8
clone = MLP()
clone.load_state_dict(torch.load('mlp.params'))
clone.eval()

# %% cell 9
Y_clone = clone(X)
Y_clone == Y
