"""LeNet on scikit-learn's handwritten digits: train, plot, save, reload (pip install '.[examples]').

    python examples/lenet_digits.py [--epochs 20] [--seed 0] [--out lenet-digits] [--no-plot]

The same as ``python -m minigrad train-digits``; the code lives in ``minigrad/apps/digits.py``.
"""

from minigrad.apps import digits

if __name__ == "__main__":
    digits.main()
