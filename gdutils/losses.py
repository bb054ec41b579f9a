"""Losses as ``(theta, X, y)`` functions: value, gradient and (for MSE) Hessian.

``theta`` holds the weights followed by an optional bias: length d means no bias,
length d + 1 means the last entry is the bias. Anything else is a ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from ._batches import batches, stop_after_update
from ._validation import (
    as_bool,
    as_data,
    as_positive,
    as_real_array,
    as_vector,
    require_finite_block,
)
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

# MSE and its gradient read X block by block: each block is checked for NaN/inf and
# used while it is in cache, so validation costs no extra pass over X in memory.
_BLOCK = 8192


def _check_theta(theta, d: int) -> np.ndarray:
    theta = as_real_array(theta, "theta")
    if theta.ndim != 1 or theta.shape[0] not in (d, d + 1):
        raise ValueError(
            f"theta must have shape ({d},) (weights) or ({d + 1},) (weights, then bias)"
            f" for X with {d} features; got {theta.shape}."
        )
    return as_vector(theta, "theta")


def _design(
    theta, X, y, *, check_x_finite: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate and return (theta, X, y); ``theta[d]``, if present, is the bias."""
    X, y = as_data(X, y, check_x_finite=check_x_finite)
    return _check_theta(theta, X.shape[1]), X, y


def _linear(theta: np.ndarray, X: np.ndarray) -> np.ndarray:
    """``X @ w + b`` without copying X into a design matrix (arguments trusted)."""
    d = X.shape[1]
    z = np.dot(X, theta[:d])
    if theta.shape[0] > d:
        z += theta[d]
    return z


def _mse_grad_sum(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """sum_i (a_i . theta - y_i) a_i with a_i = [x_i, 1] (arguments trusted)."""
    r = _linear(theta, X)
    r -= y
    d = X.shape[1]
    if theta.shape[0] == d:
        return np.dot(r, X)
    g = np.empty(d + 1)
    np.dot(r, X, out=g[:d])
    g[d] = r.sum()
    return g


def _mse_grad_batch(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """:func:`mse_grad` for arguments already validated (an optimizer's batches)."""
    g = _mse_grad_sum(theta, X, y)
    g *= 2.0 / len(y)
    return g


def _mse_value(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """:func:`mse` for arguments already validated."""
    with np.errstate(over="ignore", invalid="ignore"):
        r = _linear(theta, X)
        r -= y
        return float(r @ r) / len(y)


def _mse_prepare(theta, X, y) -> Callable:
    """Check theta against data already validated by ``as_data``, once per run; return
    the trusted batch gradient."""
    _check_theta(theta, X.shape[1])
    return _mse_grad_batch


def _mse_value_prepare(theta, X, y) -> Callable:
    """As :func:`_mse_prepare`, for the loss."""
    _check_theta(theta, X.shape[1])
    return _mse_value


def _mse_epoch(
    x: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    order: np.ndarray | None,
    batch_size: int,
    rates,
    trajectory: list | None,
    check: bool,
) -> int:
    """One epoch of mini-batch gradient descent on the MSE, in place on ``x``
    (arguments trusted): ``x -= rate * mse_grad(x, X_B, y_B)`` for every batch B of
    :func:`gdutils._batches.batches`, with the residual scaled once per batch.

    ``rates`` is the constant rate (a float) or the rate of each of the epoch's updates.
    Each new iterate is appended to ``trajectory`` (when it is a list). Returns the
    number of updates made: the epoch's, or with ``check`` up to the first iterate that
    is not finite (that one included), where the epoch stops.
    """
    n, d = X.shape
    w, bias = x[:d], x.shape[0] > d
    const = isinstance(rates, float)
    steps = 0
    if batch_size == 1:  # one row per update: scalars, and no gather at all
        tmp, b = np.empty(d), float(x[d]) if bias else 0.0
        for i in range(n) if order is None else order:
            row = X[i]
            s = 2.0 * (rates if const else rates[steps])
            s *= float(np.dot(row, w)) + b - float(y[i])
            np.multiply(row, s, out=tmp)
            np.subtract(w, tmp, out=w)
            if bias:
                b -= s
                x[d] = b
            steps += 1
            if stop_after_update(x, trajectory, check):
                break
        return steps
    g = np.empty(d)  # the weights' step, reused
    ones = np.ones(min(batch_size, n))  # the bias's step is a dot product with it
    for Xb, yb in batches(X, y, order, batch_size):
        r = np.dot(Xb, w)
        if bias:
            r += x[d]
        r -= yb
        m = yb.shape[0]
        r *= 2.0 * (rates if const else rates[steps]) / m
        w -= np.dot(r, Xb, out=g)
        if bias:
            x[d] -= np.dot(r, ones if m == ones.shape[0] else ones[:m])
        steps += 1
        if stop_after_update(x, trajectory, check):
            break
    return steps


def predict(theta: ArrayLike, X: ArrayLike) -> np.ndarray:
    """Linear prediction ``X @ w + b`` of shape (n,).

    >>> predict([2.0, 1.0], [[1.0], [2.0]])
    array([3., 5.])
    """
    X = as_real_array(X, "X")
    theta, X, _ = _design(theta, X, np.zeros(X.shape[0] if X.ndim == 2 else 0))
    return _linear(theta, X)


def mse(theta: ArrayLike, X: ArrayLike, y: ArrayLike) -> float:
    """Mean squared error (1/n) * sum((X w + b - y)^2).

    >>> mse([2.0], [[1.0], [2.0], [3.0]], [2.0, 4.0, 6.0])
    0.0
    """
    theta, X, y = _design(theta, X, y, check_x_finite=False)
    total = 0.0
    with np.errstate(over="ignore", invalid="ignore"):  # huge values: inf, no warning
        for start in range(0, len(y), _BLOCK):
            block = X[start : start + _BLOCK]
            require_finite_block(block)
            r = _linear(theta, block)
            r -= y[start : start + _BLOCK]
            total += float(r @ r)
        return total / len(y)


def mse_grad(theta: ArrayLike, X: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Gradient of :func:`mse`: (2/n) A^T (A theta - y), with A = [X, 1] when there is a
    bias (A is never built: the bias entry is 2/n times the sum of the residuals).

    >>> mse_grad([1.0], [[1.0], [2.0], [3.0]], [2.0, 4.0, 6.0])
    array([-9.33333333])
    """
    theta, X, y = _design(theta, X, y, check_x_finite=False)
    g = np.zeros(theta.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, len(y), _BLOCK):
            block = X[start : start + _BLOCK]
            require_finite_block(block)
            g += _mse_grad_sum(theta, block, y[start : start + _BLOCK])
        g *= 2.0 / len(y)
    return g


# minibatch_gd's fast path (see gdutils.optimizers): validate once, then trust batches
mse._prepare = _mse_value_prepare
mse_grad._prepare = _mse_prepare
mse_grad._epoch = _mse_epoch


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
    theta, X, y = _design(theta, X, y)
    _check_labels(y)
    z = _linear(theta, X)
    w = theta[: X.shape[1]]
    return float(np.mean(np.logaddexp(0.0, z) - y * z) + l2 * (w @ w))


def _ce_grad_batch(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray, l2: float = 0.0
) -> np.ndarray:
    """:func:`cross_entropy_grad` for arguments already validated."""
    r = sigmoid(_linear(theta, X))
    r -= y
    d = X.shape[1]
    g = np.empty(theta.shape[0])
    g[:d] = r @ X
    if theta.shape[0] > d:
        g[d] = r.sum()
    g /= len(y)
    g[:d] += 2.0 * l2 * theta[:d]
    return g


def _ce_prepare(theta, X, y, l2: float = 0.0) -> Callable:
    """Check theta, labels and l2 against data already validated by ``as_data``, once
    per run; return the trusted batch gradient."""
    as_positive(l2, "l2", allow_zero=True)
    _check_theta(theta, X.shape[1])
    _check_labels(y)
    return _ce_grad_batch


def cross_entropy_grad(
    theta: ArrayLike, X: ArrayLike, y: ArrayLike, l2: float = 0.0
) -> np.ndarray:
    """Gradient of :func:`cross_entropy`: (1/n) A^T (p - y) + 2 * l2 * w, with
    A = [X, 1] when there is a bias (never built).

    >>> cross_entropy_grad([0.0, 0.0], [[1.0], [2.0]], [0.0, 1.0])
    array([-0.25,  0.  ])
    """
    as_positive(l2, "l2", allow_zero=True)
    theta, X, y = _design(theta, X, y)
    _check_labels(y)
    return _ce_grad_batch(theta, X, y, l2)


cross_entropy_grad._prepare = _ce_prepare  # minibatch_gd's fast path
