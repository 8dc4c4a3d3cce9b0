"""A guided tour of the 2-D convolution chapter, run by ``python -m minigrad``.

Each section is a function that prints what it computes, so the tour can be read top to bottom
as the chapter: cross-correlation, the layer, edge detection, learning a kernel, convolution
versus cross-correlation, and receptive fields.
"""

from __future__ import annotations

import minigrad
from minigrad import nn
from minigrad.nn import functional as F


def _show(title: str) -> None:
    print(f"\n== {title} ==")


def cross_correlation() -> minigrad.Tensor:
    """1.1: slide a 2x2 kernel over a 3x3 input; each output is a window's weighted sum."""
    _show("1.1 Two-dimensional cross-correlation")
    X = minigrad.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = minigrad.tensor([[0.0, 1.0], [2.0, 3.0]])
    Y = F.corr2d(X, K)
    print(f"X =\n{X.numpy()}\nK =\n{K.numpy()}\ncorr2d(X, K) =\n{Y.numpy()}")
    print("19 = 0*0 + 1*1 + 3*2 + 4*3; output size (3-2+1) x (3-2+1)")
    return Y


def edge_image() -> minigrad.Tensor:
    """The chapter's 6x8 image: white (1) with four black (0) columns in the middle."""
    X = minigrad.ones(6, 8)
    X[:, 2:6] = 0
    return X


def edge_detection() -> minigrad.Tensor:
    """1.3: the kernel [1, -1] marks where horizontal neighbours differ."""
    _show("1.3 Edge detection")
    X = edge_image()
    K = minigrad.tensor([[1.0, -1.0]])
    Y = F.corr2d(X, K)
    print(f"image X =\n{X.numpy()}\ncorr2d(X, [[1, -1]]) =\n{Y.numpy()}")
    print("1 marks white-to-black edges, -1 black-to-white")
    print(f"on the transposed image every output is zero: {not F.corr2d(X.T, K).abs().sum().item()}")
    return Y


def learn_kernel(steps: int = 20, lr: float = 0.01, seed: int = 0) -> nn.Corr2d:
    """1.2 and 1.4: a Corr2d layer (kernel plus scalar bias) learns [1, -1] back from X and Y."""
    _show("1.2 + 1.4 Learning a kernel with a Corr2d layer")
    minigrad.manual_seed(seed)
    X = edge_image()
    Y = F.corr2d(X, minigrad.tensor([[1.0, -1.0]]))
    layer = nn.Corr2d((1, 2))
    optimizer = minigrad.optim.SGD(layer.parameters(), lr=lr)
    for step in range(1, steps + 1):
        loss = ((layer(X) - Y) ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 5 == 0:
            print(f"step {step:2d}, loss {loss.item():.3f}")
    print(
        f"learned weight {layer.weight.detach().numpy().round(4)}, bias {layer.bias.detach().numpy().round(4)}"
    )
    print("close to the true kernel [1, -1] and bias 0")
    return layer


def convolution_vs_correlation() -> None:
    """1.5: true convolution flips the kernel; a learned kernel simply comes out flipped."""
    _show("1.5 Convolution versus cross-correlation")
    X = minigrad.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = minigrad.tensor([[0.0, 1.0], [2.0, 3.0]])
    print(f"convolve2d(X, K) =\n{F.convolve2d(X, K).numpy()}")
    print(f"corr2d(X, flip(K)) =\n{F.corr2d(X, K.flip(0, 1)).numpy()}")
    print("the same numbers: convolution is cross-correlation with the kernel turned 180 degrees,")
    print("so a layer learning its kernel learns the flipped kernel instead; deep learning uses corr2d")


def receptive_field() -> list[minigrad.Tensor]:
    """1.6: the inputs that can change one output are where its gradient is non-zero."""
    _show("1.6 Feature maps and receptive fields")
    supports = []
    X = minigrad.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], requires_grad=True)
    K = minigrad.ones(2, 2)
    one_layer = F.corr2d(X, K)
    (grad,) = minigrad.autograd.grad(one_layer[0, 0], X, retain_graph=True)
    supports.append(grad != 0)
    print(f"receptive field of output [0, 0] after one 2x2 layer:\n{supports[-1].numpy().astype(int)}")
    two_layers = F.corr2d(one_layer, K)
    (grad,) = minigrad.autograd.grad(two_layers[0, 0], X)
    supports.append(grad != 0)
    print(f"after a second 2x2 layer (one output left):\n{supports[-1].numpy().astype(int)}")
    print("stacking layers grows the receptive field: now all nine inputs count")
    return supports


def graph_picture() -> str:
    """The graph behind one step of kernel learning, as Graphviz DOT text."""
    _show("The graph behind the loss")
    minigrad.manual_seed(0)
    layer = nn.Corr2d((1, 2))
    X = edge_image()
    loss = ((layer(X) - F.corr2d(X, minigrad.tensor([[1.0, -1.0]]))) ** 2).sum()
    dot = minigrad.viz.to_dot(loss, params=dict(layer.named_parameters()))
    print(dot)
    print("paste this into any Graphviz viewer, or minigrad.viz.render(loss, 'graph.svg')")
    return dot


def main(show_graph: bool = False) -> None:
    cross_correlation()
    edge_detection()
    learn_kernel()
    convolution_vs_correlation()
    receptive_field()
    if show_graph:
        graph_picture()
    else:
        print("\n(run `python -m minigrad --graph` to see the graph behind the loss)")
