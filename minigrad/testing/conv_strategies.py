"""Hypothesis strategy for convolution configurations: ``conv2d_configs()``.

Every drawn configuration is valid (the dilated kernel fits the padded input, channels divide
by ``groups``) and small, and shrinks towards the smallest one: one image, one channel, a 1x1
kernel, stride and dilation 1, no padding.

>>> from hypothesis import given, settings
>>> import minigrad
>>> @settings(max_examples=5)
... @given(conv2d_configs())
... def test_shape(config):
...     x = minigrad.zeros(*config.input_shape)
...     w = minigrad.zeros(*config.weight_shape)
...     assert minigrad.nn.functional.conv2d(x, w, **config.kwargs).shape == config.output_shape
>>> test_shape()
"""

from __future__ import annotations

from typing import Any, NamedTuple

try:
    from hypothesis import strategies as st
except ImportError as err:  # pragma: no cover - depends on the environment
    raise ImportError(
        "minigrad.testing.conv_strategies needs hypothesis: pip install 'minigrad[test]'"
    ) from err

Pair = tuple[int, int]


class Conv2dConfig(NamedTuple):
    """One ``conv2d`` call: sizes and the keyword arguments, all consistent."""

    batch: int
    in_channels: int
    out_channels: int
    height: int
    width: int
    kernel_size: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    groups: int

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        return (self.batch, self.in_channels, self.height, self.width)

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        return (self.out_channels, self.in_channels // self.groups, *self.kernel_size)

    @property
    def output_shape(self) -> tuple[int, int, int, int]:
        sides = [
            (size + 2 * p - d * (k - 1) - 1) // s + 1
            for size, k, s, p, d in zip(
                (self.height, self.width), self.kernel_size, self.stride, self.padding, self.dilation
            )
        ]
        return (self.batch, self.out_channels, *sides)

    @property
    def kwargs(self) -> dict[str, Any]:
        """``stride``, ``padding``, ``dilation`` and ``groups`` for ``conv2d``."""
        return {
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "groups": self.groups,
        }


@st.composite
def _pairs(draw: Any, low: int, high: int) -> Pair:
    return (draw(st.integers(low, high)), draw(st.integers(low, high)))


@st.composite
def conv2d_configs(
    draw: Any,
    max_batch: int = 2,
    max_group_channels: int = 2,
    max_groups: int = 2,
    max_kernel: int = 3,
    max_stride: int = 2,
    max_padding: int = 2,
    max_dilation: int = 2,
    max_extra_side: int = 3,
) -> Conv2dConfig:
    """Valid ``conv2d`` configurations with small sizes (channels per group, kernel, stride, ...).

    Input sides run from the smallest that fits the dilated kernel to ``max_extra_side`` more.
    """
    groups = draw(st.integers(1, max_groups))
    in_channels = groups * draw(st.integers(1, max_group_channels))
    out_channels = groups * draw(st.integers(1, max_group_channels))
    kernel = draw(_pairs(1, max_kernel))
    stride = draw(_pairs(1, max_stride))
    padding = draw(_pairs(0, max_padding))
    dilation = draw(_pairs(1, max_dilation))
    sides = [
        max(1, d * (k - 1) + 1 - 2 * p) + draw(st.integers(0, max_extra_side))
        for k, p, d in zip(kernel, padding, dilation)
    ]
    return Conv2dConfig(
        draw(st.integers(1, max_batch)),
        in_channels,
        out_channels,
        sides[0],
        sides[1],
        kernel,
        stride,
        padding,
        dilation,
        groups,
    )
