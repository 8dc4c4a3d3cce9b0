"""1.2 The convolution layer: a kernel and a scalar bias, both learnable parameters.

The code is ``Conv2D`` and ``convolution_layer`` in ``minigrad/apps/chapter.py``.
"""

from minigrad.apps import chapter, tour

values = tour.show(chapter.convolution_layer)
