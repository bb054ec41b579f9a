"""Losses as ``(theta, X, y)`` functions: value, gradient and (for MSE) Hessian.

``theta`` holds the weights followed by an optional bias: length d means no bias,
length d + 1 means the last entry is the bias. Anything else is a ``ValueError``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_bool, as_data, as_positive, as_real_array, as_vector
from .data import add_bias

__all__ = [
    "predict",
    "mse",
    "mse_grad",
    "mse_hessian",
    "sigmoid",
    "cross_entropy",
    "cross_entropy_grad",
]


def _design(theta, X, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate and return (theta, design matrix, y); the design has a ones column if
    theta has a bias."""
    X, y = as_data(X, y)
    d = X.shape[1]
    theta = as_real_array(theta, "theta")
    if theta.ndim != 1 or theta.shape[0] not in (d, d + 1):
        raise ValueError(
            f"theta must have shape ({d},) (weights) or ({d + 1},) (weights, then bias)"
            f" for X with {d} features; got {theta.shape}."
        )
    theta = as_vector(theta, "theta")
    A = add_bias(X) if theta.shape[0] == d + 1 else X
    return theta, A, y


def predict(theta: ArrayLike, X: ArrayLike) -> np.ndarray:
    """Linear prediction ``X @ w + b`` of shape (n,).

    >>> predict([2.0, 1.0], [[1.0], [2.0]])
    array([3., 5.])
    """
    X = as_real_array(X, "X")
    theta, A, _ = _design(theta, X, np.zeros(X.shape[0] if X.ndim == 2 else 0))
    return A @ theta


def mse(theta: ArrayLike, X: ArrayLike, y: ArrayLike) -> float:
    """Mean squared error (1/n) * sum((X w + b - y)^2).

    >>> mse([2.0], [[1.0], [2.0], [3.0]], [2.0, 4.0, 6.0])
    0.0
    """
    theta, A, y = _design(theta, X, y)
    with np.errstate(over="ignore", invalid="ignore"):
        # huge values: inf, not a warning
        r = A @ theta - y
        return float(r @ r / len(y))


def mse_grad(theta: ArrayLike, X: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Gradient of :func:`mse`: (2/n) A^T (A theta - y), with A = [X, 1] when there is a
    bias.

    >>> mse_grad([1.0], [[1.0], [2.0], [3.0]], [2.0, 4.0, 6.0])
    array([-9.33333333])
    """
    theta, A, y = _design(theta, X, y)
    with np.errstate(over="ignore", invalid="ignore"):
        return 2.0 / len(y) * (A.T @ (A @ theta - y))


def mse_hessian(X: ArrayLike, *, bias: bool = True) -> np.ndarray:
    """Hessian of :func:`mse` (constant): (2/n) A^T A.

    Its largest eigenvalue L sets the stability limit 2/L of gradient descent.

    >>> mse_hessian([[1.0], [2.0], [3.0]], bias=False)
    array([[9.33333333]])
    """
    bias = as_bool(bias, "bias")
    X = as_real_array(X, "X")
    X, _ = as_data(X, np.zeros(X.shape[0] if X.ndim else 0))
    A = add_bias(X) if bias else X
    return 2.0 / A.shape[0] * (A.T @ A)


def sigmoid(z: ArrayLike) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-z)), computed without overflow.

    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    z = as_real_array(z, "z")
    with np.errstate(invalid="ignore"):
        # NaN logits (a diverged run) give NaN, silently
        return np.exp(-np.logaddexp(0.0, -z))


def _check_labels(y: np.ndarray) -> None:
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold class labels 0 or 1 for cross-entropy.")


def cross_entropy(
    theta: ArrayLike, X: ArrayLike, y: ArrayLike, l2: float = 0.0
) -> float:
    """Mean binary cross-entropy of a logistic model, plus ``l2 * ||w||^2`` (bias not
    penalised).

    Computed from the logits with ``logaddexp`` so that it never takes log(0).

    >>> round(cross_entropy([0.0, 0.0], [[1.0], [2.0]], [0.0, 1.0]), 6)  # log 2
    0.693147
    """
    as_positive(l2, "l2", allow_zero=True)
    theta, A, y = _design(theta, X, y)
    _check_labels(y)
    z = A @ theta
    w = theta[: np.asarray(X).shape[1]]
    return float(np.mean(np.logaddexp(0.0, z) - y * z) + l2 * (w @ w))


def cross_entropy_grad(
    theta: ArrayLike, X: ArrayLike, y: ArrayLike, l2: float = 0.0
) -> np.ndarray:
    """Gradient of :func:`cross_entropy`: (1/n) A^T (p - y) + 2 * l2 * w.

    >>> cross_entropy_grad([0.0, 0.0], [[1.0], [2.0]], [0.0, 1.0])
    array([-0.25,  0.  ])
    """
    as_positive(l2, "l2", allow_zero=True)
    theta, A, y = _design(theta, X, y)
    _check_labels(y)
    g = A.T @ (sigmoid(A @ theta) - y) / len(y)
    d = np.asarray(X).shape[1]
    g[:d] += 2.0 * l2 * theta[:d]
    return g
