"""1.3 Edge detection: the kernel [1, -1] finds the vertical edges of a 6x8 image.

The code is ``edge_detection`` in ``minigrad/apps/chapter.py``.
"""

from minigrad.apps import chapter, tour

values = tour.show(chapter.edge_detection)
