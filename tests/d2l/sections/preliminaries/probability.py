"""The PyTorch cells of d2l-en chapter_preliminaries/probability.md, in book order (see tests/d2l/extract.py).

Sample code of "Dive into Deep Learning" (d2l.ai), MIT-style licence (d2l-en LICENSE-SAMPLECODE).
"""

# %% cell 1
from d2l import torch as d2l
import random
import torch
from torch.distributions.multinomial import Multinomial

# %% cell 2
num_tosses = 100
heads = sum([random.random() > 0.5 for _ in range(num_tosses)])
tails = num_tosses - heads
print("heads, tails: ", [heads, tails])

# %% cell 3
fair_probs = torch.tensor([0.5, 0.5])
Multinomial(100, fair_probs).sample()

# %% cell 4
Multinomial(100, fair_probs).sample() / 100

# %% cell 5
counts = Multinomial(10000, fair_probs).sample()
counts / 10000

# %% cell 6
counts = Multinomial(1, fair_probs).sample((10000,))
cum_counts = counts.cumsum(dim=0)
estimates = cum_counts / cum_counts.sum(dim=1, keepdims=True)
estimates = estimates.numpy()

d2l.set_figsize((4.5, 3.5))
d2l.plt.plot(estimates[:, 0], label=("P(coin=heads)"))
d2l.plt.plot(estimates[:, 1], label=("P(coin=tails)"))
d2l.plt.axhline(y=0.5, color='black', linestyle='dashed')
d2l.plt.gca().set_xlabel('Samples')
d2l.plt.gca().set_ylabel('Estimated probability')
d2l.plt.legend();
