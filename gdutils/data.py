"""Seeded data generators for the book's reference problems.

Every generator takes ``rng`` (a seed or a ``numpy.random.Generator``) and returns a
:class:`Dataset` holding the data and, where there is one, the true parameter vector
``theta`` laid out as the losses expect it: weights first, bias last.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._validation import as_finite, as_positive, as_real_array, as_rng

__all__ = [
    "Dataset",
    "toy_1d",
    "linear_regression",
    "polynomial",
    "random_labels",
    "add_bias",
]


class Dataset(NamedTuple):
    """Features ``X`` (n, d), targets ``y`` (n,) and true parameters ``theta`` (or
    None).

    >>> X, y, theta = Dataset(np.ones((2, 1)), np.ones(2), None)
    >>> X.shape
    (2, 1)
    """

    X: np.ndarray
    y: np.ndarray
    theta: np.ndarray | None


def toy_1d(n: int = 3) -> Dataset:
    """The 1-D toy: x = 1..n, y = 2x, no bias; the best weight is w = 2.

    >>> X, y, theta = toy_1d()
    >>> X.ravel(), y, theta
    (array([1., 2., 3.]), array([2., 4., 6.]), array([2.]))
    """
    as_positive(n, "n", integer=True)
    x = np.arange(1, n + 1, dtype=float)
    return Dataset(x.reshape(-1, 1), 2.0 * x, np.array([2.0]))


def linear_regression(
    n: int = 100,
    d: int = 5,
    *,
    weights=None,
    bias: float = 0.0,
    noise: float = 0.1,
    rng=None,
) -> Dataset:
    """Gaussian features and a noisy linear target: the book's 100 x 5 regression.

    Defaults: X ~ N(0, 1) of shape (100, 5), weights [1, 2, 3, 4, 5], bias 0,
    Gaussian noise of standard deviation 0.1 (so the noise floor of the MSE is 0.01).

    >>> X, y, theta = linear_regression(rng=0)
    >>> X.shape, y.shape, theta
    ((100, 5), (100,), array([1., 2., 3., 4., 5., 0.]))
    """
    as_positive(n, "n", integer=True)
    as_positive(d, "d", integer=True)
    as_positive(noise, "noise", allow_zero=True)
    bias = as_finite(bias, "bias")
    gen = as_rng(rng)
    w = np.arange(1.0, d + 1) if weights is None else as_real_array(weights, "weights")
    if w.shape != (d,):
        raise ValueError(f"weights must have shape (d,) = ({d},); got {w.shape}.")
    if not np.isfinite(w).all():
        raise ValueError("weights contain NaN or inf; expected finite values.")
    X = gen.standard_normal((n, d))
    y = X @ w + bias + noise * gen.standard_normal(n)
    return Dataset(X, y, np.append(w, bias))


def polynomial(n_half: int = 400) -> Dataset:
    """The polynomial-fit problem: x = k/400 for k = -400..399, y = 2x^2 - 4x + 3.

    Features are the columns (x^2, x); with the bias last the true parameters are
    (a, b, c) = (2, -4, 3). No noise: the fit can be exact.

    >>> X, y, theta = polynomial()
    >>> X.shape, theta
    ((800, 2), array([ 2., -4.,  3.]))
    """
    as_positive(n_half, "n_half", integer=True)
    x = np.arange(-n_half, n_half) / n_half
    X = np.column_stack([x**2, x])
    theta = np.array([2.0, -4.0, 3.0])
    return Dataset(X, X @ theta[:2] + theta[2], theta)


def random_labels(n: int = 400, d: int = 784, *, rng=None) -> Dataset:
    """Random Gaussian features with random 0/1 labels: nothing to learn but noise.

    >>> X, y, theta = random_labels(rng=0)
    >>> X.shape, set(np.unique(y)) <= {0.0, 1.0}, theta is None
    ((400, 784), True, True)
    """
    as_positive(n, "n", integer=True)
    as_positive(d, "d", integer=True)
    gen = as_rng(rng)
    X = gen.standard_normal((n, d))
    y = gen.integers(0, 2, size=n).astype(float)
    return Dataset(X, y, None)


def add_bias(X) -> np.ndarray:
    """Append a column of ones to ``X`` (n, d), giving (n, d + 1).

    >>> add_bias(np.zeros((2, 1)))
    array([[0., 1.],
           [0., 1.]])
    """
    X = as_real_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d); got {X.shape}.")
    return np.column_stack([X, np.ones(X.shape[0])])
