"""1.4 Learning a kernel: recover [1, -1] from the image and its edges by gradient descent.

With the book's Conv2D, then with d2l's nn.Conv2d; the code is ``learning_a_kernel`` and
``learning_with_nn_conv2d`` in ``minigrad/apps/chapter.py``.
"""

from minigrad.apps import chapter, tour

values = tour.show(chapter.learning_a_kernel)
values = tour.show(chapter.learning_with_nn_conv2d)
