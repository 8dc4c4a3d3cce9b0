"""1.5 Convolution versus cross-correlation: convolution flips the kernel first.

The code is ``convolution_versus_cross_correlation`` in ``minigrad/apps/chapter.py``.
"""

from minigrad.apps import chapter, tour

values = tour.show(chapter.convolution_versus_cross_correlation)
