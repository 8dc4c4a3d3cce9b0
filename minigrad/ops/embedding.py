"""``embedding``: rows of a weight matrix looked up by integer indices, as ``F.embedding``.

The lookup is integer indexing of ``weight`` (its gradient adds into the looked-up rows). Two
options change only the gradient, by mixing in the detached rows ``fixed`` (the same values):
the ``padding_idx`` row is taken from ``fixed``, so it gets no gradient, and
``scale_grad_by_freq`` writes the rows as ``fixed + (rows - fixed) / count``, exactly the lookup
in value with each row's gradient divided by how often the batch looks it up.
"""

from __future__ import annotations

from minigrad import dtypes
from minigrad.autograd.grad_mode import no_grad
from minigrad.ops.conv import check_dtypes
from minigrad.ops.elementwise import where
from minigrad.ops.registry import op
from minigrad.tensor import Tensor


def _check_indices(input: Tensor, rows: int) -> None:
    if not isinstance(input, Tensor) or input.dtype not in (dtypes.int64, dtypes.int32):
        kind = dtypes.torch_name(input.dtype) if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            f"Long, Int; but got {kind} instead (while checking arguments for embedding)"
        )
    if input.numel() and (int(input.array.min()) < 0 or int(input.array.max()) >= rows):
        raise IndexError(
            f"index out of range in self (embedding indices must lie in [0, {rows}), got values in "
            f"[{int(input.array.min())}, {int(input.array.max())}])"
        )


def padding_row(padding_idx: int | None, rows: int) -> int | None:
    """``padding_idx`` as a row number (negative counts from the end), checked as PyTorch does."""
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise ValueError(
            f"Padding_idx must be within num_embeddings, got padding_idx={padding_idx} for {rows} rows"
        )
    return padding_idx % rows


def renorm_rows_(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale, in place, each row of ``weight`` that ``input`` names and whose norm exceeds
    ``max_norm`` to norm ``max_norm`` (PyTorch's ``embedding_renorm_``: factor ``max_norm / (norm + 1e-7)``)."""
    xp = weight.xp
    rows = xp.unique(input.array.reshape(-1))
    values = weight.array[rows]
    magnitude = xp.abs(values)
    if norm_type == float("inf"):
        norms = magnitude.max(axis=1) if values.shape[1] else xp.zeros(len(rows), dtype=values.dtype)
    else:
        norms = (magnitude**norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(values.dtype)
    with no_grad():
        weight[Tensor(rows)] = Tensor(values * scale[:, None])


@op(functional=True)
def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """``weight[input]``: one row of ``weight`` (num_embeddings, dim) per index, as ``F.embedding``.

    ``max_norm`` first renormalises the looked-up rows of ``weight`` in place, as PyTorch does.

    >>> import minigrad
    >>> embedding(minigrad.tensor([[2, 0]]), minigrad.arange(6.0).reshape(3, 2))
    tensor([[[4., 5.],
             [0., 1.]]])
    """
    op = "embedding"
    check_dtypes(op, (), weight=weight)
    if weight.ndim != 2:
        raise RuntimeError(f"{op}: 'weight' must be 2-D, got shape {weight.shape}")
    if sparse:
        raise NotImplementedError(f"{op}: sparse=True (sparse gradients) is not supported; use sparse=False")
    _check_indices(input, weight.shape[0])
    padding = padding_row(padding_idx, weight.shape[0])
    if max_norm is not None:
        renorm_rows_(weight, input, max_norm, norm_type)
    rows = weight[input]
    if padding is None and not scale_grad_by_freq:
        return rows
    fixed = weight.detach()[input]
    if scale_grad_by_freq:
        xp = input.xp
        counts = xp.bincount(input.array.reshape(-1), minlength=weight.shape[0])[input.array]
        rows = fixed + (rows - fixed) * Tensor((1.0 / counts[..., None]).astype(weight.dtype))
    if padding is not None:
        rows = where(Tensor(input.array[..., None] == padding), fixed, rows)
    return rows
