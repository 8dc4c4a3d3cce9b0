"""1.6 Receptive fields: which inputs can change one output? Ask the gradient.

The code is ``receptive_field`` in ``minigrad/apps/chapter.py``.
"""

from minigrad.apps import chapter, tour

values = tour.show(chapter.receptive_field)
