"""Checkers for chapter 1 (from squared error to its gradient).

Five exercises: the 1-D gradient with a loop (``loop``), the vectorised gradient with a
bias (``vector``), the largest stable learning rate (``rate``), and two transfer
exercises whose answers the chapter does not print: the gradient of the ridge loss with
an unpenalised bias (``ridge``) and of a weighted mean squared error (``weighted``),
each verified with the book's gradient check before the checker is asked. Every known
mistake of the chapter (a missing factor 2 or 1/n, a sum instead of a mean, a wrong
sign, a forgotten target, a missing transpose, the bias in the wrong place, only the
last sample counted in a loop, the ``reg = theta; reg[-1] = 0`` aliasing) is named by
its hint.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import losses
from ._core import Exercise, Feedback, Mistake, check_function

__all__ = [
    "check_gradient_1d",
    "check_mse_gradient",
    "check_stability_limit",
    "stability_limit",
    "check_max_rate",
    "ridge_loss",
    "ridge_gradient",
    "check_ridge_gradient",
    "weighted_mse",
    "weighted_mse_gradient",
    "check_weighted_gradient",
    "LOOP_MISTAKES",
    "VECTOR_MISTAKES",
    "loop",
    "vector",
    "rate",
    "ridge",
    "weighted",
]


def _bias_col(X):
    X = np.asarray(X, dtype=float)
    return np.column_stack([X, np.ones(len(X))])


def _transpose_hint(fb: Feedback, what: str) -> Feedback:
    """A shape error raised inside the learner's matrix product is almost always a
    missing ``.T``."""
    if fb.mistake == "raised an exception" and any(
        w in fb.message for w in ("matmul", "not aligned", "shapes", "broadcast")
    ):
        return Feedback(
            "fail",
            f"{fb.message} The shapes of a matrix product do not fit: with `A` of shape"
            " `(n, d + 1)` and the residual `r` of shape `(n,)`, the gradient is `A.T"
            " @ r` (the transpose of `A`, shape `(d + 1, n)`), and the predictions are"
            " `A @ theta`.",
            "missing transpose",
        )
    return fb


# --- exercise 1: dL/dw for the 1-D model y_hat = w * x, written with a loop -----------


def _grad_1d(w, x, y):
    return float(np.mean(2 * x * (x * w - y)))


_CASES_1D = [
    (1.0, np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])),
    (0.5, np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0, 8.0])),
    (-1.5, np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.3, -2.0])),
    (2.0, np.array([3.0, -0.5, 1.5, 0.25, -2.0]), np.array([0.7, 1.0, -1.2, 0.4, 2.5])),
]

LOOP_MISTAKES = [
    Mistake(
        "accumulator overwritten",
        lambda w, x, y: 2 * x[-1] * (x[-1] * w - y[-1]) / len(x),
        "Only the last sample counts: inside the loop you wrote `total = ...` where"
        " `total += ...` accumulates over all samples.",
    ),
    Mistake(
        "accumulator overwritten (no mean)",
        lambda w, x, y: 2 * x[-1] * (x[-1] * w - y[-1]),
        "Only the last sample counts: the accumulator is overwritten (`total = ...`"
        " instead of `total += ...`), and the sum is not divided by `N = len(x)`"
        " either.",
    ),
    Mistake(
        "forgot the target",
        lambda w, x, y: float(np.mean(2 * x * (x * w))),
        "This is the derivative of `mean((w * x) ** 2)`: the residual `w * xi - yi`"
        " lost its target `yi`.",
    ),
    Mistake(
        "wrong sign",
        lambda w, x, y: -_grad_1d(w, x, y),
        "Right size, wrong sign: $\\frac{d}{dw}(w x - y)^2 = 2x(wx - y)$, not $2x(y -"
        " wx)$. With this sign, gradient descent would climb.",
    ),
    Mistake(
        "missing factor 2",
        lambda w, x, y: _grad_1d(w, x, y) / 2,
        "Off by a factor of 2: the chain rule on $(w x_i - y_i)^2$ gives `2 * xi * (w *"
        " xi - yi)`.",
    ),
    Mistake(
        "sum instead of mean",
        lambda w, x, y: _grad_1d(w, x, y) * len(x),
        "Off by a factor of N: the cost is a mean, so divide the sum by `N = len(x)`"
        " (the $\\frac1N$ of the loss is missing).",
    ),
    Mistake(
        "divided by N - 1",
        lambda w, x, y: _grad_1d(w, x, y) * len(x) / (len(x) - 1),
        "Almost: the loss is a mean over all N samples, so divide by `len(x)`, not"
        " `len(x) - 1` (this is not a sample variance).",
    ),
    Mistake(
        "x squared only",
        lambda w, x, y: float(np.mean(2 * (x * w - y))),
        "The chain rule's inner derivative is missing: $\\frac{d}{dw}(w x_i - y_i) ="
        " x_i$, so each term is `2 * xi * (w * xi - yi)`, not `2 * (w * xi - yi)`.",
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


# --- exercise 2: the vectorised gradient with a bias ----------------------------------


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


def _bias_first_grad(theta, X, y):
    A = np.column_stack([np.ones(len(X)), X])
    return 2 / len(y) * A.T @ (A @ theta - y)


#: The scale and sign slips of the vectorised gradient (chapter 7 reuses them by name).
VECTOR_MISTAKES = [
    Mistake(
        "wrong sign",
        lambda t, X, y: -losses.mse_grad(t, X, y),
        "Right size, wrong sign: the residual is `A @ theta - y`, not `y - A @ theta`. "
        "With this sign, gradient descent would climb.",
    ),
    Mistake(
        "missing factor 2",
        lambda t, X, y: losses.mse_grad(t, X, y) / 2,
        "Off by a factor of 2: the gradient is `2 / n * A.T @ (A @ theta - y)`, the 2"
        " coming from the square.",
    ),
    Mistake(
        "sum instead of mean",
        lambda t, X, y: losses.mse_grad(t, X, y) * len(y),
        "Off by a factor of n: the loss is a mean, so divide by `n = len(y)` (the"
        " $\\frac1n$ is missing).",
    ),
    Mistake(
        "forgot the target",
        lambda t, X, y: losses.mse_grad(t, X, np.zeros_like(y)),
        "This is the gradient of `mean(prediction ** 2)`: the target `y` is missing"
        " from the residual.",
    ),
    Mistake(
        "bias gradient missing",
        lambda t, X, y: losses.mse_grad(t, X, y)[:-1],
        "You returned d entries; theta has d + 1 (the bias is last). The bias's"
        " gradient is `2 / n * sum(residuals)`.",
    ),
    Mistake(
        "bias gradient zero",
        _no_bias_grad,
        "The weights are right but the bias's gradient is missing: it is `2 / n *"
        " sum(residuals)`.",
    ),
]

_VECTOR_EXTRA = [
    Mistake(
        "bias first",
        _bias_first_grad,
        "You put the column of ones first, `A = [1, X]`: the book's convention puts the"
        " bias LAST, `theta = (w, b)`, so `A = np.column_stack([X, np.ones(n)])`.",
    ),
]


def check_mse_gradient(fn: Callable) -> Feedback:
    """Check ``fn(theta, X, y)`` -> the MSE gradient with the bias last (shape (d +
    1,)).

    >>> check_mse_gradient(losses.mse_grad).passed
    True
    >>> check_mse_gradient(lambda t, X, y: 2 / len(y) * X @ (X @ t[:-1] - y)).mistake
    'missing transpose'
    """
    fb = check_function(
        fn,
        losses.mse_grad,
        _cases_vector(),
        VECTOR_MISTAKES + _VECTOR_EXTRA,
        what="`mse_gradient`",
    )
    return _transpose_hint(fb, "`mse_gradient`")


# --- exercise 3: the largest stable learning rate -------------------------------------


def stability_limit(X, *, bias: bool = True) -> float:
    """2 / L with L the largest eigenvalue of the MSE Hessian (2/n) A^T A.

    >>> round(stability_limit([[1.0], [2.0], [3.0]], bias=False), 6)
    0.214286
    """
    return float(2.0 / np.linalg.eigvalsh(losses.mse_hessian(X, bias=bias))[-1])


_RATE_MISTAKES = [
    Mistake(
        "one over L",
        lambda X: stability_limit(X) / 2,
        "That is $1/L$, the rate that is optimal for the stiffest direction alone; the"
        " iteration stays stable up to twice that, $2/L$.",
    ),
    Mistake(
        "Hessian without the 2",
        lambda X: 2 * stability_limit(X),
        "The MSE Hessian is `2 / n * A.T @ A`: with `A.T @ A / n` you doubled the"
        " limit.",
    ),
    Mistake(
        "Hessian without 1/n",
        lambda X: 2 / np.linalg.eigvalsh(2 * _bias_col(X).T @ _bias_col(X))[-1],
        "The Hessian of a mean carries $\\frac1n$: use `2 / n * A.T @ A`.",
    ),
    Mistake(
        "forgot the bias column",
        lambda X: stability_limit(X, bias=False),
        "The model has a bias, so the Hessian is built from `A = [X, 1]`, not from `X`"
        " alone.",
    ),
    Mistake(
        "smallest eigenvalue",
        lambda X: 2 / np.linalg.eigvalsh(losses.mse_hessian(X))[0],
        "The stiffest direction (the LARGEST eigenvalue) limits the step, not the"
        " flattest one.",
    ),
    Mistake(
        "largest diagonal entry",
        lambda X: 2 / np.max(np.diag(losses.mse_hessian(X))),
        "You used the largest diagonal entry of the Hessian: that is the curvature"
        " along one axis only, never more than $L$. The limit is $2/L$ with $L$ the"
        " largest EIGENVALUE (`np.linalg.eigvalsh(H)[-1]`).",
    ),
    Mistake(
        "trace",
        lambda X: 2 / np.trace(losses.mse_hessian(X)),
        "You used the trace of the Hessian (the sum of all eigenvalues): that gives a"
        " safe but too small rate. The limit is $2/L$ with $L$ the largest eigenvalue"
        " alone.",
    ),
    Mistake(
        "reciprocal",
        lambda X: np.linalg.eigvalsh(losses.mse_hessian(X))[-1] / 2,
        "Upside down: the limit is $2/L$, not $L/2$.",
    ),
]


def _rate_cases():
    rng = np.random.default_rng(3)
    cases = [(np.array([[0.0, 1.0], [1.0, 3.0], [2.0, -1.0], [3.0, 0.5]]),)]
    for n, d, shift in [(12, 3, 1.5), (30, 2, -0.5), (9, 4, 0.0)]:
        cases.append((rng.standard_normal((n, d)) * rng.uniform(0.5, 3.0, d) + shift,))
    return cases


def check_max_rate(fn: Callable) -> Feedback:
    """Check ``fn(X)`` -> the largest stable learning rate of gradient descent on the
    MSE (bias last).

    >>> check_max_rate(stability_limit).passed
    True
    >>> check_max_rate(lambda X: stability_limit(X) / 2).mistake
    'one over L'
    """
    return check_function(
        fn,
        stability_limit,
        _rate_cases(),
        _RATE_MISTAKES,
        rtol=1e-6,
        atol=0.0,
        what="`max_rate`",
    )


def check_stability_limit(answer, X) -> Feedback:
    """Check one number: the learner's largest stable learning rate for MSE on ``X``
    (with a bias).

    >>> X = np.array([[1.0], [2.0], [4.0]])
    >>> check_stability_limit(stability_limit(X), X).passed
    True
    >>> check_stability_limit(stability_limit(X) / 2, X).mistake
    'one over L'
    """
    from ._core import check_value

    X = np.asarray(X, dtype=float)
    mistakes = {m.name: (m.compute(X), m.hint) for m in _RATE_MISTAKES}
    return check_value(answer, stability_limit(X), mistakes, what="`max_rate`")


def _bias_slips(reference: Callable) -> list[Mistake]:
    """The bias slips of the vectorised gradient, for a loss whose gradient is
    ``reference``."""

    def zero_bias(*case):
        g = np.array(reference(*case), dtype=float)
        theta, X = case[0], np.asarray(case[1], dtype=float)
        mse_part = losses.mse_grad(theta, X, case[2])
        # the bias entry of the data term is what is missing: recompute it as 0
        g[-1] -= mse_part[-1] if reference is ridge_gradient else g[-1]
        return g

    return [
        Mistake(
            "bias gradient missing",
            lambda *case: reference(*case)[:-1],
            "You returned d entries; theta has d + 1 (the bias is last): the bias has a"
            " gradient too.",
        ),
        Mistake(
            "bias gradient zero",
            zero_bias,
            "The weights are right but the bias's entry is 0: the bias is not"
            " penalised, but it is in the data term, whose gradient in the bias is the"
            " (weighted) mean of `2 * residuals`.",
        ),
    ]


# --- exercise 4 (transfer): the gradient of the ridge loss, bias not penalised --------


def ridge_loss(theta, X, y, lam) -> float:
    """(1/n) ||A theta - y||^2 + lam ||w||^2 with A = [X, 1] and theta = (w, b): the
    bias is free.

    >>> ridge_loss(
    ...     np.array([1.0, 5.0]), np.array([[1.0], [2.0]]), np.array([6.0, 7.0]), 0.5
    ... )
    0.5
    """
    theta = np.asarray(theta, dtype=float)
    return float(losses.mse(theta, X, y) + lam * theta[:-1] @ theta[:-1])


def ridge_gradient(theta, X, y, lam) -> np.ndarray:
    """The reference gradient of :func:`ridge_loss`.

    >>> ridge_gradient(
    ...     np.array([1.0, 5.0]), np.array([[1.0], [2.0]]), np.array([6.0, 7.0]), 0.5
    ... )
    array([1., 0.])
    """
    theta = np.asarray(theta, dtype=float)
    penalty = np.append(2 * lam * theta[:-1], 0.0)
    return losses.mse_grad(theta, X, y) + penalty


def _ridge_cases():
    rng = np.random.default_rng(4)
    cases = []
    for n, d, lam in [(9, 2, 0.3), (15, 3, 1.7), (6, 1, 0.05)]:
        X = rng.standard_normal((n, d))
        y = X @ rng.uniform(1, 3, d) + 4.0 + 0.3 * rng.standard_normal(n)
        # a bias far from 0
        theta = 2 * rng.standard_normal(d + 1) + np.append(np.zeros(d), 3.0)
        cases.append((theta, X, y, lam))
    return cases


def _penalty(theta, lam, factor=2.0, with_bias=False):
    p = factor * lam * np.asarray(theta, dtype=float)
    if not with_bias:
        p[-1] = 0.0
    return p


_RIDGE_MISTAKES = [
    Mistake(
        "bias penalised",
        lambda t, X, y, lam: (
            losses.mse_grad(t, X, y) + _penalty(t, lam, with_bias=True)
        ),
        "You penalised the bias too: the penalty is $\\lambda\\lVert w\\rVert^2$ on the"
        " weights only, so the last entry of its gradient is 0. Build the penalty from"
        " a copy, `reg = theta.copy(); reg[-1] = 0.0`.",
    ),
    Mistake(
        "lam instead of 2 lam",
        lambda t, X, y, lam: losses.mse_grad(t, X, y) + _penalty(t, lam, factor=1.0),
        "The penalty's gradient is off by a factor of 2: the derivative of $\\lambda"
        " w_j^2$ is $2\\lambda w_j$, not $\\lambda w_j$.",
    ),
    Mistake(
        "penalty forgotten",
        lambda t, X, y, lam: losses.mse_grad(t, X, y),
        "That is the gradient of the plain MSE: the penalty term `2 * lam * w` (0 for"
        " the bias) is missing.",
    ),
    Mistake(
        "penalty with the wrong sign",
        lambda t, X, y, lam: losses.mse_grad(t, X, y) - _penalty(t, lam),
        "The penalty enters with the wrong sign: the loss ADDS $\\lambda\\lVert"
        " w\\rVert^2$, so its gradient adds `2 * lam * w`.",
    ),
    Mistake(
        "penalty divided by n",
        lambda t, X, y, lam: losses.mse_grad(t, X, y) + _penalty(t, lam) / len(y),
        "The penalty is not part of the mean over samples: `2 * lam * w` is added as it"
        " is, not divided by n.",
    ),
    Mistake(
        "data term missing factor 2",
        lambda t, X, y, lam: losses.mse_grad(t, X, y) / 2 + _penalty(t, lam),
        "The data term is off by a factor of 2: its gradient is `2 / n * A.T @ (A @"
        " theta - y)`.",
    ),
    Mistake(
        "data term summed",
        lambda t, X, y, lam: losses.mse_grad(t, X, y) * len(y) + _penalty(t, lam),
        "The data term is a mean: divide `2 * A.T @ (A @ theta - y)` by `n = len(y)`.",
    ),
    Mistake(
        "wrong sign",
        lambda t, X, y, lam: -ridge_gradient(t, X, y, lam),
        "Right size, wrong sign: with this sign, gradient descent would climb the"
        " loss.",
    ),
    Mistake(
        "bias first",
        lambda t, X, y, lam: (
            _bias_first_grad(t, X, y) + np.append(0.0, 2 * lam * t[1:])
        ),
        "You treated `theta[0]` as the bias: the book's convention puts the bias LAST,"
        " so the weights are `theta[:-1]` and the penalty's gradient is 0 in the last"
        " entry.",
    ),
    Mistake(
        "penalty only on the last weight",
        lambda t, X, y, lam: (
            losses.mse_grad(t, X, y)
            + np.append(np.zeros(len(t) - 2), [2 * lam * t[-2], 0.0])
        ),
        "Only one weight is penalised: every weight `theta[:-1]` gets `2 * lam * w_j`.",
    ),
]


def check_ridge_gradient(fn: Callable) -> Feedback:
    """Check ``fn(theta, X, y, lam)`` -> the gradient of :func:`ridge_loss` (shape (d +
    1,)).

    >>> check_ridge_gradient(ridge_gradient).passed
    True
    >>> check_ridge_gradient(lambda t, X, y, lam: losses.mse_grad(t, X, y)).mistake
    'penalty forgotten'
    """
    fb = check_function(
        fn,
        ridge_gradient,
        _ridge_cases(),
        _RIDGE_MISTAKES + _bias_slips(ridge_gradient),
        what="`ridge_grad`",
    )
    return _transpose_hint(fb, "`ridge_grad`")


# --- exercise 5 (transfer): the gradient of a weighted mean squared error -------------


def weighted_mse(theta, X, y, s) -> float:
    """sum_i s_i (a_i^T theta - y_i)^2 / sum_i s_i with a_i = (x_i, 1): a weighted mean.

    >>> weighted_mse(
    ...     np.array([0.0, 0.0]),
    ...     np.array([[1.0], [2.0]]),
    ...     np.array([1.0, 2.0]),
    ...     np.array([3.0, 1.0]),
    ... )
    1.75
    """
    r = _bias_col(X) @ np.asarray(theta, dtype=float) - y
    s = np.asarray(s, dtype=float)
    return float(s @ r**2 / s.sum())


def weighted_mse_gradient(theta, X, y, s) -> np.ndarray:
    """The reference gradient of :func:`weighted_mse`.

    >>> weighted_mse_gradient(
    ...     np.array([0.0, 0.0]),
    ...     np.array([[1.0], [2.0]]),
    ...     np.array([1.0, 2.0]),
    ...     np.array([3.0, 1.0]),
    ... )
    array([-3.5, -2.5])
    """
    A = _bias_col(X)
    s = np.asarray(s, dtype=float)
    return 2 * A.T @ (s * (A @ theta - y)) / s.sum()


def _weighted_cases():
    rng = np.random.default_rng(5)
    cases = []
    for n, d in [(8, 2), (13, 3), (5, 1)]:
        X = rng.standard_normal((n, d))
        y = rng.standard_normal(n) + 1.0
        s = rng.uniform(0.2, 3.0, n)
        theta = rng.standard_normal(d + 1)
        cases.append((theta, X, y, s))
    return cases


def _wgrad(t, X, y, s, *, factor=2.0, weights=None, norm=None, target=True):
    A = _bias_col(X)
    w = s if weights is None else weights(s)
    r = A @ t - (y if target else 0.0)
    return factor * A.T @ (w * r) / (s.sum() if norm is None else norm(s))


_WEIGHTED_MISTAKES = [
    Mistake(
        "divided by n",
        lambda t, X, y, s: _wgrad(t, X, y, s, norm=len),
        "The loss divides by the total weight `s.sum()`, not by the number of samples"
        " `n`: a weighted MEAN.",
    ),
    Mistake(
        "weights forgotten",
        lambda t, X, y, s: losses.mse_grad(t, X, y),
        "That is the gradient of the unweighted MSE: each residual must be multiplied"
        " by its weight `s[i]`, and the sum divided by `s.sum()`.",
    ),
    Mistake(
        "weights squared",
        lambda t, X, y, s: _wgrad(t, X, y, s, weights=lambda v: v**2),
        "The weights enter once, not squared: `s * r`, not `s ** 2 * r`. (Squaring"
        " belongs to the residual, and the chain rule took it off.)",
    ),
    Mistake(
        "weights forgotten in the numerator",
        lambda t, X, y, s: _wgrad(t, X, y, s, weights=np.ones_like),
        "The residuals are not weighted: multiply each by `s[i]` before `A.T @ ...`.",
    ),
    Mistake(
        "missing factor 2",
        lambda t, X, y, s: _wgrad(t, X, y, s, factor=1.0),
        "Off by a factor of 2: the derivative of $s_i r_i^2$ is $2 s_i r_i$ times the"
        " sample's features.",
    ),
    Mistake(
        "wrong sign",
        lambda t, X, y, s: -weighted_mse_gradient(t, X, y, s),
        "Right size, wrong sign: the residual is `A @ theta - y`. With this sign,"
        " gradient descent would climb.",
    ),
    Mistake(
        "forgot the target",
        lambda t, X, y, s: _wgrad(t, X, y, s, target=False),
        "The target `y` is missing from the residual `A @ theta - y`.",
    ),
    Mistake(
        "sqrt of the weights",
        lambda t, X, y, s: _wgrad(t, X, y, s, weights=np.sqrt),
        "You scaled the rows by `sqrt(s)` but only once: that trick works when BOTH `A`"
        " and `y` are scaled by `sqrt(s)` and then the plain formula is applied, which"
        " multiplies the residual by `s`.",
    ),
]


def check_weighted_gradient(fn: Callable) -> Feedback:
    """Check ``fn(theta, X, y, s)`` -> the gradient of :func:`weighted_mse` (shape (d +
    1,)).

    >>> check_weighted_gradient(weighted_mse_gradient).passed
    True
    >>> check_weighted_gradient(lambda t, X, y, s: losses.mse_grad(t, X, y)).mistake
    'weights forgotten'
    """
    fb = check_function(
        fn,
        weighted_mse_gradient,
        _weighted_cases(),
        _WEIGHTED_MISTAKES + _bias_slips(weighted_mse_gradient),
        what="`weighted_grad`",
    )
    return _transpose_hint(fb, "`weighted_grad`")


# --- the exercises --------------------------------------------------------------------


def _regression() -> dict:
    """The chapter's regression data and loss, built as the chapter builds them."""
    from .. import data
    from ..seeding import book_rng

    X, y_reg, _ = data.linear_regression(
        n=100, d=5, noise=0.1, rng=book_rng("ch01-regression")
    )
    n, d = X.shape
    return {"X": X, "y_reg": y_reg, "n": n, "d": d}


loop = Exercise(
    "ch01.loop",
    "ch01-ex-loop",
    check_gradient_1d,
    hints=[
        (
            "Start a running total at `0.0`, add one term per sample in a `for xi, yi"
            " in zip(x, y)` loop, and divide by the number of samples at the end."
        ),
        (
            "The term of one sample is the derivative of $(w x_i - y_i)^2$: by the"
            " chain rule `2 * xi * (w * xi - yi)`. Add it with `total += ...` (not"
            " `total = ...`, which keeps only the last sample)."
        ),
        (
            "`total += 2 * xi * (w * xi - yi)` inside the loop, then `return total /"
            " len(x)` after it."
        ),
    ],
    solution_code="""\
def grad_1d(w, x, y):
    total = 0.0
    for xi, yi in zip(x, y):
        total += 2 * xi * (w * xi - yi)  # +=, not =: every sample contributes
    return total / len(x)
""",
    check_args="grad_1d",
)

vector = Exercise(
    "ch01.vector",
    "ch01-ex-vector",
    check_mse_gradient,
    hints=[
        (
            "Append a column of ones to `X` (the bias is the LAST entry of `theta`), so"
            " that the predictions are one matrix-vector product `A @ theta`."
        ),
        (
            "With the residual `r = A @ theta - y` of shape `(n,)`, the gradient is"
            " $\\frac2n A^\\top r$: the transpose turns n residuals into d + 1 numbers."
        ),
        (
            "`A = np.column_stack([X, np.ones(len(X))])`, then `return 2 / len(y) * A.T"
            " @ (A @ theta - y)`."
        ),
    ],
    solution_code="""\
def mse_gradient(theta, X, y):
    A = np.column_stack([X, np.ones(len(X))])  # bias last
    return 2 / len(y) * A.T @ (A @ theta - y)


# the habit: a gradient check at a random point, on the chapter's regression
theta_check = gdu.book_rng("ch01-ex-vector").standard_normal(d + 1)
err = gdu.check_gradient(gdu.mse, mse_gradient, theta_check, args=(X, y_reg))
print(f"gradient check of mse_gradient at a random point: relative error {err:.1e}")
assert err < 1e-7
""",
    check_args="mse_gradient",
    context=_regression,
)

rate = Exercise(
    "ch01.rate",
    "ch01-ex-rate",
    check_max_rate,
    hints=[
        (
            "The Hessian of the MSE does not depend on $\\theta$ or $y$: it is `2 / n *"
            " A.T @ A` with `A = [X, 1]`. Gradient descent is stable for every rate"
            " below $2/L$, with $L$ its largest eigenvalue."
        ),
        (
            "`np.linalg.eigvalsh` returns the eigenvalues of a symmetric matrix in"
            " increasing order, so $L$ is the last one."
        ),
        (
            "`A = np.column_stack([X, np.ones(len(X))])`, `L = np.linalg.eigvalsh(2 /"
            " len(X) * A.T @ A)[-1]`, `return 2 / L`."
        ),
    ],
    solution_code="""\
def max_rate(X):
    A = np.column_stack([X, np.ones(len(X))])
    hessian = 2 / len(X) * A.T @ A  # the same for every theta and every y
    return 2 / np.linalg.eigvalsh(hessian)[-1]


# Just below the limit gradient descent converges, just above it diverges (status 2).
X_ex = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, -1.0], [3.0, 0.5]])
y_ex = X_ex @ np.array([1.0, -1.0]) + 0.5
run = lambda r: gdu.gradient_descent(
    gdu.mse,
    np.zeros(3),
    (X_ex, y_ex),
    gdu.mse_grad,
    learning_rate=r,
    maxiter=3000,
    gtol=0.0,
)
below, above = run(0.98 * max_rate(X_ex)), run(1.02 * max_rate(X_ex))
print(
    f"max_rate = {max_rate(X_ex):.4f}: at 0.98 of it the loss ends at {below.fun:.1e}, "
    f"at 1.02 of it the run stops with status {above.status} ({above.message})"
)
assert below.fun < 1e-6 and above.status == 2
""",
    check_args="max_rate",
)

ridge = Exercise(
    "ch01.ridge",
    "ch01-ex-ridge",
    check_ridge_gradient,
    hints=[
        (
            "The gradient of a sum is the sum of the gradients: the MSE part is this"
            " chapter's `2 / n * A.T @ (A @ theta - y)`; differentiate the penalty"
            " $\\lambda\\sum_j w_j^2$ one weight at a time."
        ),
        (
            "The penalty's gradient is $2\\lambda w_j$ for each weight and 0 for the"
            " bias (the bias is not in the penalty). Build it from a COPY of `theta`"
            " with its last entry zeroed: `reg = theta` is not a copy."
        ),
        (
            "`reg = theta.copy()`, `reg[-1] = 0.0`, then `return 2 / len(y) * A.T @ (A"
            " @ theta - y) + 2 * lam * reg`. Then run"
            " `gdu.check_gradient(ch01.ridge_loss, ridge_grad, theta, args=(X, y_reg,"
            " lam))`."
        ),
    ],
    solution_code="""\
def ridge_grad(theta, X, y, lam):
    A = np.column_stack([X, np.ones(len(X))])
    reg = theta.copy()  # a copy: `reg = theta` would zero the bias of theta itself
    reg[-1] = 0.0  # the bias is not penalised
    return 2 / len(y) * A.T @ (A @ theta - y) + 2 * lam * reg


# verified with the book's gradient check at three random points (lam = 0.5)
gen = gdu.book_rng("ch01-ex-ridge")
worst = max(
    gdu.check_gradient(
        ch01.ridge_loss, ridge_grad, gen.standard_normal(d + 1), args=(X, y_reg, 0.5)
    )
    for _ in range(3)
)
print(f"gradient check of ridge_grad: worst relative error {worst:.1e}")
assert worst < 1e-7
""",
    check_args="ridge_grad",
    context=_regression,
    transfer=True,
)

weighted = Exercise(
    "ch01.weighted",
    "ch01-ex-weighted",
    check_weighted_gradient,
    hints=[
        (
            "Follow the chapter's derivation with one change: sample i's squared"
            " residual is multiplied by $s_i$, and the sum is divided by $S = \\sum_i"
            " s_i$ instead of n."
        ),
        (
            "A small change $\\delta\\theta$ changes the loss by $\\frac{2}{S}\\sum_i"
            " s_i r_i\\, a_i^\\top\\delta\\theta$, so the gradient is $\\frac2S A^\\top"
            " (s \\odot r)$: multiply each residual by its weight, element-wise, before"
            " the transpose."
        ),
        (
            "`A = np.column_stack([X, np.ones(len(X))])`, `r = A @ theta - y`, `return"
            " 2 * A.T @ (s * r) / s.sum()`. Then check it with"
            " `gdu.check_gradient(ch01.weighted_mse, ...)`."
        ),
    ],
    solution_code="""\
def weighted_grad(theta, X, y, s):
    A = np.column_stack([X, np.ones(len(X))])
    r = A @ theta - y
    # each residual weighted once, divided by the total weight
    return (
        2 * A.T @ (s * r) / s.sum()
    )


# verified with the book's gradient check at three random points, with random positive
# weights
gen = gdu.book_rng("ch01-ex-weighted")
s_check = gen.uniform(0.1, 2.0, n)
worst = max(
    gdu.check_gradient(
        ch01.weighted_mse,
        weighted_grad,
        gen.standard_normal(d + 1),
        args=(X, y_reg, s_check),
    )
    for _ in range(3)
)
print(f"gradient check of weighted_grad: worst relative error {worst:.1e}")
assert worst < 1e-7
# equal weights give back the plain MSE gradient
assert np.allclose(
    weighted_grad(s_check[: d + 1], X, y_reg, np.ones(n)),
    gdu.mse_grad(s_check[: d + 1], X, y_reg),
)
""",
    check_args="weighted_grad",
    context=_regression,
    transfer=True,
)
