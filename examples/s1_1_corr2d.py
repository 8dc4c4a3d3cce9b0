"""1.1 Two-dimensional cross-correlation: the book's loop over the output positions.

The code is ``cross_correlation`` in ``minigrad/apps/chapter.py``; ``python -m minigrad`` runs every section.
"""

from minigrad.apps import chapter, tour

values = tour.show(chapter.cross_correlation)
