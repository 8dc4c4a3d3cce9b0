"""The PyTorch cells of d2l-en chapter_preliminaries/pandas.md, in book order (see tests/d2l/extract.py).

Sample code of "Dive into Deep Learning" (d2l.ai), MIT-style licence (d2l-en LICENSE-SAMPLECODE).
"""

# %% cell 1
import os

os.makedirs(os.path.join('..', 'data'), exist_ok=True)
data_file = os.path.join('..', 'data', 'house_tiny.csv')
with open(data_file, 'w') as f:
    f.write('''NumRooms,RoofType,Price
NA,NA,127500
2,NA,106000
4,Slate,178100
NA,NA,140000''')

# %% cell 2
import pandas as pd

data = pd.read_csv(data_file)
print(data)

# %% cell 3
inputs, targets = data.iloc[:, 0:2], data.iloc[:, 2]
inputs = pd.get_dummies(inputs, dummy_na=True)
print(inputs)

# %% cell 4
inputs = inputs.fillna(inputs.mean())
print(inputs)

# %% cell 5
import torch

X = torch.tensor(inputs.to_numpy(dtype=float))
y = torch.tensor(targets.to_numpy(dtype=float))
X, y
