"""gdutils: the small, tested toolkit behind the gradient-descent book.

>>> import gdutils as gdu
>>> X, y, theta = gdu.data.linear_regression(rng=0)
>>> res = gdu.gradient_descent(
...     gdu.mse, np.zeros(6), (X, y), gdu.mse_grad, learning_rate=0.2
... )
>>> res.success
True

Modules (each has one job): ``data`` (seeded generators), ``losses`` (MSE and
cross-entropy), ``gradcheck`` (finite differences), ``optimizers`` (gradient descent,
mini-batch), ``schedules`` (learning-rate schedules), ``plotting`` (house style and
figures), ``report`` (computed sentences), ``seeding`` (the one book seed,
``GDBOOK_SEED``), ``runtime`` (the versions the book was checked with: importing
``gdutils`` prints one line when NumPy, SciPy or Matplotlib differ), ``exercises``
(checkers, one module per chapter). Other modules (``objectives``, ``nn``,
``widgets``, ...) load on first attribute access, so ``gdu.objectives`` works without
an explicit import and ``ipywidgets`` is imported only by the explorers that need it.
"""

# The one place the version is written: pyproject.toml, CITATION.cff, CHANGELOG.md and
# the chapters' Colab cell (tag v<version>) follow it (tests/test_packaging.py checks).
__version__ = "0.1.0"

import numpy as np  # noqa: F401  (used by the doctest above)

from . import (
    data,
    exercises,
    gradcheck,
    losses,
    optimizers,
    plotting,
    report,
    runtime,
    schedules,
    seeding,
)
from .gradcheck import check_gradient, numerical_gradient, relative_error
from .losses import (
    cross_entropy,
    cross_entropy_grad,
    mse,
    mse_grad,
    mse_hessian,
    predict,
    sigmoid,
)
from .optimizers import gradient_descent, minibatch_gd
from .plotting import animate, contour_path, loss_curves, use_style
from .report import say
from .seeding import book_rng, book_rngs, book_seed

runtime.warn_drift()


def __getattr__(name: str):
    """Load a submodule on first use (PEP 562): ``gdu.objectives``, ``gdu.widgets``,
    ..."""
    import importlib

    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as exc:
        if exc.name == f"{__name__}.{name}":
            raise AttributeError(
                f"module {__name__!r} has no attribute {name!r}"
            ) from None
        raise


__all__ = [
    "data",
    "exercises",
    "gradcheck",
    "losses",
    "optimizers",
    "plotting",
    "report",
    "runtime",
    "schedules",
    "check_gradient",
    "numerical_gradient",
    "relative_error",
    "cross_entropy",
    "cross_entropy_grad",
    "mse",
    "mse_grad",
    "mse_hessian",
    "predict",
    "sigmoid",
    "gradient_descent",
    "minibatch_gd",
    "animate",
    "contour_path",
    "loss_curves",
    "use_style",
    "say",
    "seeding",
    "book_rng",
    "book_rngs",
    "book_seed",
]
