"""Checkers for chapter 1 (from squared error to its gradient)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import losses
from ..data import add_bias
from ._core import Feedback, Mistake, check_function, check_value

__all__ = ["check_gradient_1d", "check_mse_gradient", "check_stability_limit", "stability_limit",
           "LOOP_MISTAKES", "VECTOR_MISTAKES"]


# --- exercise 1: dL/dw for the 1-D model y_hat = w * x, written with a loop ------------------

def _grad_1d(w, x, y):
    return float(np.mean(2 * x * (x * w - y)))


_CASES_1D = [
    (1.0, np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])),
    (0.5, np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0, 8.0])),
    (-1.5, np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.3, -2.0])),
]

LOOP_MISTAKES = [
    Mistake(
        "accumulator overwritten",
        lambda w, x, y: 2 * x[-1] * (x[-1] * w - y[-1]) / len(x),
        "Only the last sample counts: inside the loop you wrote `total = ...` where `total += ...` "
        "accumulates over all samples.",
    ),
    Mistake(
        "accumulator overwritten (no mean)",
        lambda w, x, y: 2 * x[-1] * (x[-1] * w - y[-1]),
        "Only the last sample counts: the accumulator is overwritten (`=` instead of `+=`).",
    ),
    Mistake(
        "forgot the target",
        lambda w, x, y: float(np.mean(2 * x * (x * w))),
        "This is the gradient of mean((w*x)**2): the cost forgot to subtract the target y.",
    ),
    Mistake(
        "wrong sign",
        lambda w, x, y: -_grad_1d(w, x, y),
        "Right size, wrong sign: d/dw (w*x - y)^2 = 2x(w*x - y), not 2x(y - w*x). "
        "With this sign, gradient descent would climb.",
    ),
    Mistake(
        "missing factor 2",
        lambda w, x, y: _grad_1d(w, x, y) / 2,
        "Off by a factor of 2: the chain rule on (w*x - y)^2 gives 2 * (w*x - y) * x.",
    ),
    Mistake(
        "sum instead of mean",
        lambda w, x, y: _grad_1d(w, x, y) * len(x),
        "Off by a factor of N: the cost is a mean, so divide the sum by N = len(x).",
    ),
]


def check_gradient_1d(fn: Callable) -> Feedback:
    """Check ``fn(w, x, y)`` -> dL/dw of L(w) = (1/N) sum (w x_i - y_i)^2.

    >>> check_gradient_1d(lambda w, x, y: np.mean(2 * x * (x * w - y))).passed
    True
    >>> check_gradient_1d(lambda w, x, y: np.mean(2 * x * x * w)).mistake
    'forgot the target'
    """
    return check_function(fn, _grad_1d, _CASES_1D, LOOP_MISTAKES, what="`grad_1d`")


# --- exercise 2: the vectorised gradient with a bias -----------------------------------------

def _cases_vector():
    rng = np.random.default_rng(1)
    cases = []
    for n, d in [(7, 2), (20, 3), (5, 1)]:
        X = rng.standard_normal((n, d))
        y = rng.standard_normal(n)
        theta = rng.standard_normal(d + 1)
        cases.append((theta, X, y))
    return cases


def _no_bias_grad(theta, X, y):
    d = X.shape[1]
    r = X @ theta[:d] + theta[d] - y
    return np.append(2 / len(y) * X.T @ r, 0.0)


VECTOR_MISTAKES = [
    Mistake(
        "wrong sign",
        lambda t, X, y: -losses.mse_grad(t, X, y),
        "Right size, wrong sign: the residual is (X w + b - y), not (y - X w - b).",
    ),
    Mistake(
        "missing factor 2",
        lambda t, X, y: losses.mse_grad(t, X, y) / 2,
        "Off by a factor of 2: the gradient is (2/n) A^T (A theta - y).",
    ),
    Mistake(
        "sum instead of mean",
        lambda t, X, y: losses.mse_grad(t, X, y) * len(y),
        "Off by a factor of n: the loss is a mean, so divide by n = len(y).",
    ),
    Mistake(
        "forgot the target",
        lambda t, X, y: losses.mse_grad(t, X, np.zeros_like(y)),
        "This is the gradient of mean(prediction**2): the target y is missing from the residual.",
    ),
    Mistake(
        "bias gradient missing",
        lambda t, X, y: losses.mse_grad(t, X, y)[:-1],
        "You returned d entries; theta has d + 1 (the bias is last). The bias's gradient is "
        "(2/n) * sum(residuals).",
    ),
    Mistake(
        "bias gradient zero",
        _no_bias_grad,
        "The weights are right but the bias's gradient is missing: it is (2/n) * sum(residuals).",
    ),
]


def check_mse_gradient(fn: Callable) -> Feedback:
    """Check ``fn(theta, X, y)`` -> the MSE gradient with the bias last (shape (d + 1,)).

    >>> check_mse_gradient(losses.mse_grad).passed
    True
    """
    return check_function(fn, losses.mse_grad, _cases_vector(), VECTOR_MISTAKES, what="`mse_gradient`")


# --- exercise 3: the largest stable learning rate --------------------------------------------

def stability_limit(X, *, bias: bool = True) -> float:
    """2 / L with L the largest eigenvalue of the MSE Hessian (2/n) A^T A.

    >>> round(stability_limit([[1.0], [2.0], [3.0]], bias=False), 6)
    0.214286
    """
    return float(2.0 / np.linalg.eigvalsh(losses.mse_hessian(X, bias=bias))[-1])


def check_stability_limit(answer, X) -> Feedback:
    """Check the learner's largest stable learning rate for MSE on ``X`` (with a bias).

    >>> X = np.array([[1.0], [2.0], [4.0]])
    >>> check_stability_limit(stability_limit(X), X).passed
    True
    >>> check_stability_limit(stability_limit(X) / 2, X).mistake
    'one over L'
    """
    X = np.asarray(X, dtype=float)
    ref = stability_limit(X)
    A = add_bias(X)
    mistakes = {
        "one over L": (ref / 2, "That is 1/L, the rate that is optimal for the stiffest direction alone; "
                       "the iteration stays stable up to twice that, 2/L."),
        "Hessian without the 2": (2 * ref, "The MSE Hessian is (2/n) A^T A: with (1/n) A^T A you doubled the limit."),
        "Hessian without 1/n": (2 / np.linalg.eigvalsh(2 * A.T @ A)[-1],
                                "The Hessian of a *mean* carries 1/n: use (2/n) A^T A."),
        "forgot the bias column": (stability_limit(X, bias=False),
                                   "The model has a bias, so the Hessian is built from A = [X, 1], not X."),
        "smallest eigenvalue": (2 / np.linalg.eigvalsh(losses.mse_hessian(X))[0],
                                "The stiffest direction (largest eigenvalue) limits the step, not the flattest."),
    }
    return check_value(answer, ref, mistakes, what="`max_rate`")
