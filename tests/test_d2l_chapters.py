"""The book's PyTorch code, chapters 2 to 8, on minigrad with only the imports swapped.

Each section of ``tests/d2l/sections`` (the book's cells, see ``tests/d2l/extract.py``) runs
cell by cell with ``import minigrad as torch``, ``from minigrad import nn`` and ``from
minigrad.nn import functional as F``, and the small ``d2l`` stand-in of ``tests/d2l``. With
PyTorch installed, the same cells also run on PyTorch twice, with two seeds: what a cell shows
(its last expression and what it prints) must match PyTorch's values where both PyTorch runs
agree (it does not depend on the random draws), and PyTorch's kinds, shapes and dtypes where
they differ (printed text: its layout, unless the draws change even that).
"""

import sys

import pytest

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent / "d2l"))

import book  # noqa: E402  (tests/d2l)

pytestmark = [pytest.mark.numpy_only, pytest.mark.slow]

SECTIONS = {book.section_name(path): path for path in book.SECTIONS}
# Sections that need a package of the examples extra besides minigrad (the book installs it too).
NEEDS = {"preliminaries/pandas": "pandas"}
NAMES = [pytest.param(name, marks=pytest.mark.examples) if name in NEEDS else name for name in SECTIONS]
# Cells that print the library itself: they must run, but show minigrad's names, not PyTorch's.
OWN_API = {
    ("preliminaries/lookup_api", 2): "dir(torch.distributions) lists the library's own names",
    ("preliminaries/lookup_api", 3): "help(torch.ones) prints the library's own docstring",
}


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """The cells write files (read-write.md saves parameters, pandas.md a CSV file in ../data): in
    a temporary directory, one level down."""
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")


@pytest.mark.parametrize("name", NAMES)
def test_the_section_runs_on_minigrad(name, in_tmp):
    if name in NEEDS:
        pytest.importorskip(NEEDS[name], reason=f"the section uses {NEEDS[name]} (examples extra)")
    book.run(SECTIONS[name], "minigrad")


@pytest.mark.torch
@pytest.mark.parametrize("name", NAMES)
def test_the_section_shows_what_pytorch_shows(name, in_tmp, torch):
    if name in NEEDS:
        pytest.importorskip(NEEDS[name], reason=f"the section uses {NEEDS[name]} (examples extra)")
    ours = book.run(SECTIONS[name], "minigrad")
    theirs, again = (book.run(SECTIONS[name], "torch", seed) for seed in (0, 1))
    for number, ((value, text), (value_t, text_t), (value_a, text_a)) in enumerate(
        zip(ours, theirs, again), 1
    ):
        if (name, number) in OWN_API:
            continue
        fixed = book.same(value_t, value_a, values=True) is None
        why = book.same(value, value_t, values=fixed)
        assert why is None, f"cell {number}: shows {why}"
        if book.masked(text_t) != book.masked(text_a):
            continue  # the draws change even the layout of what PyTorch prints (e.g. 1e-05 or 0.1)
        fixed = book.same_text(text_t, text_a, values=True) is None
        why = book.same_text(text, text_t, values=fixed)
        assert why is None, f"cell {number}: prints {why}"
