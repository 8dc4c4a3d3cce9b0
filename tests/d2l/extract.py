"""Write the PyTorch code cells of chapters 2 to 8 of "Dive into Deep Learning" into ``sections/``.

Usage: ``python tests/d2l/extract.py PATH_TO_D2L_EN_CHECKOUT``. Each section becomes one file of
its cells in book order (the ``%%tab pytorch`` and ``%%tab all`` cells, magics dropped), cells
separated by ``# %% cell N`` lines, exactly as the book has them: the tests swap the imports.
The cells are the book's sample code, under the MIT-style licence of d2l-en's LICENSE-SAMPLECODE.
"""

from __future__ import annotations

import pathlib
import re
import sys

CHAPTERS = {
    "chapter_preliminaries": [
        "ndarray",
        "linear-algebra",
        "calculus",
        "autograd",
        "pandas",
        "probability",
        "lookup-api",
    ],
    "chapter_linear-regression": [
        "linear-regression",
        "oo-design",
        "synthetic-regression-data",
        "linear-regression-scratch",
        "linear-regression-concise",
        "weight-decay",
    ],
    "chapter_linear-classification": [
        "softmax-regression-scratch",
        "softmax-regression-concise",
        "classification",
    ],
    "chapter_multilayer-perceptrons": [
        "mlp",
        "mlp-implementation",
        "numerical-stability-and-init",
        "dropout",
    ],
    "chapter_builders-guide": [
        "model-construction",
        "parameters",
        "init-param",
        "lazy-init",
        "custom-layer",
        "read-write",
    ],
    "chapter_convolutional-neural-networks": [
        "conv-layer",
        "padding-and-strides",
        "channels",
        "pooling",
        "lenet",
    ],
    "chapter_convolutional-modern": [
        "alexnet",
        "vgg",
        "nin",
        "googlenet",
        "batch-norm",
        "resnet",
        "densenet",
        "cnn-design",
    ],
}
CELL = re.compile(r"^```\{\.python \.input[^}]*\}\n(.*?)^```$", re.S | re.M)
HEADER = '''"""The PyTorch cells of d2l-en {chapter}/{section}.md, in book order (see tests/d2l/extract.py).

Sample code of "Dive into Deep Learning" (d2l.ai), MIT-style licence (d2l-en LICENSE-SAMPLECODE).
"""
'''


def pytorch_cells(markdown: str) -> list[str]:
    cells = []
    for body in CELL.findall(markdown):
        first, _, rest = body.partition("\n")
        tabs = first.removeprefix("%%tab").replace(",", " ").split() if first.startswith("%%tab") else []
        if "pytorch" in tabs or "all" in tabs:
            code = "\n".join(line for line in rest.splitlines() if not line.startswith("%")).strip()
            if code:
                cells.append(code)
    return cells


def main(root: str) -> None:
    out = pathlib.Path(__file__).parent / "sections"
    for chapter, sections in CHAPTERS.items():
        for section in sections:
            cells = pytorch_cells((pathlib.Path(root) / chapter / f"{section}.md").read_text())
            text = HEADER.format(chapter=chapter, section=section)
            text += "".join(f"\n# %% cell {n}\n{code}\n" for n, code in enumerate(cells, 1))
            target = out / chapter.removeprefix("chapter_") / f"{section.replace('-', '_')}.py"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)


if __name__ == "__main__":
    main(sys.argv[1])
