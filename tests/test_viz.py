"""``minigrad.viz``: the DOT text parses, declares every edge's ends and names every op of the graph."""

import re
import shutil

import numpy as np
import pytest
from hypothesis import given

import minigrad
from minigrad import nn, viz
from minigrad.autograd.function import AccumulateGrad
from minigrad.testing import graphs

# ---- a small parser for the subset of DOT that to_dot writes ---------------------------------
_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_VALUE = r'"(?:[^"\\]|\\.)*"|[^,\]\s]+'
_ATTRIBUTES = rf"\[\s*(?:{_ID}=(?:{_VALUE})(?:,\s*{_ID}=(?:{_VALUE}))*)?\s*\]"
_NODE = re.compile(rf"({_ID})\s*({_ATTRIBUTES})?;")
_EDGE = re.compile(rf"({_ID})\s*->\s*({_ID})\s*({_ATTRIBUTES})?;")
_PAIR = re.compile(rf"({_ID})=({_VALUE})")


def _unquote(value):
    if not value.startswith('"'):
        return value
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value[1:-1])


def parse_dot(text):
    """Nodes {id: attributes} and edges [(tail, head, attributes)]; fails on anything else."""
    lines = text.strip().splitlines()
    assert re.fullmatch(rf"digraph {_ID} \{{", lines[0]), lines[0]
    assert lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        statement = line.strip()
        if edge := _EDGE.fullmatch(statement):
            edges.append((edge[1], edge[2], dict((k, _unquote(v)) for k, v in _PAIR.findall(edge[3] or ""))))
        elif node := _NODE.fullmatch(statement):
            attributes = dict((k, _unquote(v)) for k, v in _PAIR.findall(node[2] or ""))
            if node[1] not in ("node", "edge", "graph"):
                assert node[1] not in nodes, f"node {node[1]} declared twice"
                nodes[node[1]] = attributes
        else:
            raise AssertionError(f"not a DOT statement: {line!r}")
    for tail, head, _ in edges:
        assert tail in nodes and head in nodes, f"edge {tail} -> {head} has an undeclared end"
    return nodes, edges


def _balanced(text):
    depth = 0
    for char in re.sub(r'"(?:[^"\\]|\\.)*"', '""', text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    return depth == 0


def graph_ops(t):
    """Every op node behind ``t``, found by walking ``grad_fn.next_functions`` independently."""
    seen, stack = set(), [t.grad_fn] if t.grad_fn is not None else []
    while stack:
        node = stack.pop()
        if node in seen or isinstance(node, AccumulateGrad):
            continue
        seen.add(node)
        stack.extend(e[0] for e in node.next_functions if e is not None)
    return seen


def _labels(nodes, fill):
    return [a["label"] for a in nodes.values() if a.get("fillcolor") == fill]


# ---- tests -------------------------------------------------------------------------------
def test_dot_of_a_small_graph_names_every_op_and_tensor():
    w = minigrad.tensor([[1.0, -1.0]], requires_grad=True)
    x = minigrad.ones(2, 2)
    loss = ((x @ w.T).relu() - 1.0).pow(2).sum()
    text = viz.to_dot(loss)
    assert _balanced(text)
    nodes, edges = parse_dot(text)
    ops = graph_ops(loss)
    op_labels = _labels(nodes, "lightgrey")
    assert sorted(op_labels) == sorted(node.name() for node in ops)
    assert _labels(nodes, "lightblue") == ["(1, 2) float32"]
    assert _labels(nodes, "darkolivegreen1") == ["() float32"]
    # an edge between two ops carries the intermediate tensor's shape and dtype
    op_ids = {n for n, a in nodes.items() if a.get("fillcolor") == "lightgrey"}
    between_ops = [e[2].get("label") for e in edges if e[0] in op_ids and e[1] in op_ids]
    assert len(between_ops) == len(ops) - 1
    assert between_ops == ["(2, 1) float32"] * 5


def test_leaves_and_parameters_are_styled_apart_and_named_from_params():
    model = nn.Linear(3, 2)
    x = minigrad.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    out = model(x).sum()
    nodes, _ = parse_dot(viz.to_dot(out, params=dict(model.named_parameters())))
    parameters = _labels(nodes, "gold")
    assert sorted(parameters) == ["bias\n(2,) float32", "weight\n(2, 3) float32"]
    assert all("bold" in a["style"] for a in nodes.values() if a.get("fillcolor") == "gold")
    assert _labels(nodes, "lightblue") == ["(1, 3) float32"]
    # without params the parameters are still told apart by style, just unnamed
    nodes, _ = parse_dot(viz.to_dot(out))
    assert sorted(_labels(nodes, "gold")) == ["(2, 3) float32", "(2,) float32"]


def test_a_tensor_used_twice_gives_two_edges():
    x = minigrad.tensor(3.0, requires_grad=True)
    nodes, edges = parse_dot(viz.to_dot(x * x))
    (leaf,) = [n for n, a in nodes.items() if a.get("fillcolor") == "lightblue"]
    (mul,) = [n for n, a in nodes.items() if a["label"] == "MulBackward0"]
    assert edges.count((leaf, mul, {})) == 2


def test_show_data_and_show_grad():
    w = minigrad.tensor([1.0, -2.0], requires_grad=True)
    h = w * 3
    h.retain_grad()
    loss = (h * h).sum()
    loss.backward()
    nodes, _ = parse_dot(viz.to_dot(loss, show_data=True, show_grad=True, params={"w": w}))
    assert _labels(nodes, "lightblue") == ["w\n(2,) float32\ndata [ 1., -2.]\ngrad [ 18., -36.]"]
    # a retained intermediate becomes a tensor node with its value and gradient
    assert _labels(nodes, "white") == ["(2,) float32\ndata [ 3., -6.]\ngrad [  6., -12.]"]
    assert _labels(nodes, "darkolivegreen1") == ["() float32\ndata 45.\ngrad None"]


def test_large_values_are_truncated():
    w = minigrad.randn(100, 100, requires_grad=True)
    nodes, _ = parse_dot(viz.to_dot(w.sum(), show_data=True))
    (label,) = _labels(nodes, "lightblue")
    assert "..." in label and len(label) < 400
    assert len(re.findall(r"-?\d+\.\d+", label)) <= 16


def test_labels_with_quotes_and_backslashes_are_escaped():
    w = minigrad.tensor(1.0, requires_grad=True)
    text = viz.to_dot(w * 2, params={'odd "name" \\ here': w})
    nodes, _ = parse_dot(text)
    assert _labels(nodes, "lightblue") == ['odd "name" \\ here\n() float32']


def test_several_outputs_share_one_drawing_of_their_common_graph():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    a, b = h.sum(), (h * 2).sum()
    nodes, edges = parse_dot(viz.to_dot([a, b, a]))
    labels = sorted(a["label"] for a in nodes.values())
    assert labels.count("ExpBackward0") == 1 and labels.count("SumBackward0") == 2
    assert len(_labels(nodes, "darkolivegreen1")) == 2


def test_graphs_without_ops():
    leaf = minigrad.tensor([1.0], requires_grad=True)
    nodes, edges = parse_dot(viz.to_dot(leaf))
    assert [a["label"] for a in nodes.values()] == ["(1,) float32"] and edges == []
    nodes, _ = parse_dot(viz.to_dot(minigrad.ones(2, dtype=minigrad.float64)))
    assert [a["label"] for a in nodes.values()] == ["(2,) float64"]


def test_a_deep_chain_needs_no_recursion():
    x = minigrad.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    nodes, edges = parse_dot(viz.to_dot(y))
    assert len(nodes) == 3002 and len(edges) == 3001


def test_bad_arguments():
    with pytest.raises(TypeError, match="tensor 1 must be a minigrad Tensor"):
        viz.to_dot([minigrad.ones(1), np.ones(1)])
    with pytest.raises(ValueError, match="max_elements must be a positive int, got 0"):
        viz.to_dot(minigrad.ones(1), max_elements=0)


def _a_leaf_and_a_parameter():
    return [minigrad.tensor([0.5, -0.25], requires_grad=True), nn.Parameter(minigrad.tensor([1.0, 2.0]))]


@given(graphs(leaves=_a_leaf_and_a_parameter, max_ops=12))
def test_random_graphs_parse_and_name_every_op(values):
    out = values[-1]
    text = viz.to_dot(out)
    assert _balanced(text)
    nodes, _ = parse_dot(text)
    assert sorted(_labels(nodes, "lightgrey")) == sorted(n.name() for n in graph_ops(out))


# ---- render ------------------------------------------------------------------------------
def _graph():
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    return (w * w).sum()


def test_render_rejects_unknown_formats_first(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf"):
        viz.render(_graph(), tmp_path / "graph.jpg")


def test_render_without_graphviz_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError) as err:
        viz.render(_graph(), tmp_path / "graph.svg")
    message = str(err.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert "conda" in message and "to_dot" in message
    assert not (tmp_path / "graph.svg").exists()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG")])
def test_render_writes_the_picture(tmp_path, suffix, magic):
    path = viz.render(_graph(), tmp_path / f"graph{suffix}", show_data=True, show_grad=True)
    assert path == tmp_path / f"graph{suffix}"
    assert magic in path.read_bytes()[:400]


def test_an_output_that_is_also_a_retained_input_is_drawn_once():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    z = h.exp().sum()
    for outputs in ([z, h], [h, z]):
        nodes, edges = parse_dot(viz.to_dot(outputs))
        (h_id,) = [
            n for n, a in nodes.items() if a["label"] == "(2,) float32" and a["fillcolor"] != "lightblue"
        ]
        (mul,) = [n for n, a in nodes.items() if a["label"] == "MulBackward0"]
        assert [e[:2] for e in edges].count((mul, h_id)) == 1
