"""The PyTorch cells of d2l-en chapter_preliminaries/lookup-api.md, in book order (see tests/d2l/extract.py).

Sample code of "Dive into Deep Learning" (d2l.ai), MIT-style licence (d2l-en LICENSE-SAMPLECODE).
"""

# %% cell 1
import torch

# %% cell 2
print(dir(torch.distributions))

# %% cell 3
help(torch.ones)

# %% cell 4
torch.ones(4)
