"""Checkers for chapter 7 (debugging gradient descent).

Every checker names the bugs of the chapter's gallery ("bug 3", "bug 6", ...) when the
learner's answer reproduces one, so the feedback points back to the section that shows
its symptom and its fix. The scale and sign slips of chapter 1 are reused, not rewritten.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import gradcheck, losses
from ..data import add_bias
from ._core import Feedback, Mistake, check_function
from .ch01 import VECTOR_MISTAKES as _CH01_VECTOR_MISTAKES

__all__ = [
    "buggy_gradient",
    "check_fixed_gradient",
    "check_safe_predict",
    "full_gradient_norm",
    "check_full_gradient_norm",
    "check_numerical_gradient",
]


# --- exercise 1: find and fix a buggy gradient --------------------------------------------------

def buggy_gradient(theta, X, y) -> np.ndarray:
    """The broken MSE gradient (bias last) of chapter 7's exercise "Find and fix".

    >>> X = np.array([[1.0], [2.0]]); y = np.array([0.0, 10.0])
    >>> buggy_gradient(np.zeros(2), X, y)
    array([-1., -1.])
    """
    X = np.asarray(X, dtype=float)
    total = np.zeros(X.shape[1] + 1)
    for xi, yi in zip(X, y):
        ai = np.append(xi, 1.0)
        total = 2 * ai * (ai @ theta - yi)
    return np.clip(total / len(y), -1.0, 1.0)


def _last_sample(theta, X, y) -> np.ndarray:
    a = np.append(X[-1], 1.0)
    return 2 * a * (a @ theta - y[-1]) / len(y)


def _fix_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Cases whose gradients have entries well beyond +-1, so clipping cannot go unnoticed."""
    rng = np.random.default_rng(7)
    cases = []
    for n, d in [(8, 3), (13, 2), (6, 4)]:
        X = rng.standard_normal((n, d))
        y = X @ rng.uniform(2.0, 4.0, d) + 3.0 + rng.standard_normal(n)
        theta = rng.standard_normal(d + 1)
        cases.append((theta, X, y))
    return cases


_FIX_MISTAKES = [
    Mistake(
        "unchanged (bugs 3 and 9)",
        lambda t, X, y: np.clip(_last_sample(t, X, y), -1.0, 1.0),
        "This is still the buggy function: both bugs are there. The loop overwrites `total` "
        "(bug 3) and the result is clipped (bug 9). Run a gradient check on it first.",
    ),
    Mistake(
        "accumulator overwritten (bug 3)",
        _last_sample,
        "The clipping is gone, but only the last sample counts: inside the loop `total = ...` "
        "overwrites the accumulator (bug 3). Use `total += ...`.",
    ),
    Mistake(
        "accumulator overwritten, no mean (bug 3)",
        lambda t, X, y: _last_sample(t, X, y) * len(y),
        "Only the last sample counts (bug 3: `total = ...` instead of `total += ...`), and the "
        "division by n is missing too.",
    ),
    Mistake(
        "gradient clipped (bug 9)",
        lambda t, X, y: np.clip(losses.mse_grad(t, X, y), -1.0, 1.0),
        "The accumulator is fixed, but the result is still clipped at +-1 (bug 9). Clipping hid "
        "the accumulator bug; now that the gradient is right, remove the clip: it only "
        "distorts a correct gradient.",
    ),
    Mistake(
        "sum instead of mean, clipped (bug 9)",
        lambda t, X, y: np.clip(losses.mse_grad(t, X, y) * len(y), -1.0, 1.0),
        "The sum is n times too large and the clip hides it (bug 9): divide by n = len(y) "
        "and remove the clip.",
    ),
    *_CH01_VECTOR_MISTAKES,
]


def check_fixed_gradient(fn: Callable) -> Feedback:
    """Check ``fn(theta, X, y)`` -> the MSE gradient with the bias last, shape (d + 1,).

    >>> check_fixed_gradient(losses.mse_grad).passed
    True
    >>> check_fixed_gradient(buggy_gradient).mistake
    'unchanged (bugs 3 and 9)'
    """
    return check_function(fn, losses.mse_grad, _fix_cases(), _FIX_MISTAKES, what="`fixed_gradient`")


# --- exercise 2: a shape-safe predict -------------------------------------------------------------

def _predict_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(8)
    return [(rng.standard_normal(d + 1), rng.standard_normal((n, d))) for n, d in [(7, 3), (4, 2), (9, 5)]]


_PREDICT_MISTAKES = [
    Mistake(
        "element-wise product (bug 1)",
        lambda t, X: t[:-1] * X + t[-1],
        "`w * X` multiplies element-wise and broadcasts to an (n, d) array (bug 1). The "
        "prediction is the matrix-vector product `X @ w + b`, of shape (n,).",
    ),
    Mistake(
        "column of predictions (bug 2)",
        lambda t, X: (X @ t[:-1] + t[-1])[:, None],
        "Your predictions have shape (n, 1); subtracting a target of shape (n,) would "
        "broadcast to (n, n) (bug 2). Return shape (n,).",
    ),
    Mistake(
        "bias first",
        lambda t, X: X @ t[1:] + t[0],
        "The book's convention puts the bias LAST: theta = (w_1, ..., w_d, b).",
    ),
    Mistake(
        "forgot the bias",
        lambda t, X: X @ t[:-1],
        "The bias is missing: add theta[-1] to X @ theta[:-1].",
    ),
]

_REJECT_HINT = "A shape-safe predict raises ValueError (with a message naming the expected shape) for "


def _bad_inputs() -> list[tuple[str, tuple, str]]:
    rng = np.random.default_rng(9)
    X = rng.standard_normal((6, 3))
    theta = rng.standard_normal(4)
    return [
        ("column of weights (bug 2)", (theta[:, None], X),
         _REJECT_HINT + "theta of shape (d + 1, 1): a column of weights gives predictions of shape "
         "(n, 1), the first step of bug 2. Check `theta.ndim == 1`."),
        ("too many parameters", (np.append(theta, 1.0), X),
         _REJECT_HINT + "theta with d + 2 entries: it must hold exactly d weights and one bias. "
         "Check `theta.shape == (X.shape[1] + 1,)`."),
        ("too few parameters", (theta[:-1], X),
         _REJECT_HINT + "theta with only d entries (no room for the bias). "
         "Check `theta.shape == (X.shape[1] + 1,)`."),
        ("1-D X", (theta[:2], X[:, 0]),
         _REJECT_HINT + "a 1-D X: X must have shape (n, d); for one feature the caller should "
         "write X.reshape(-1, 1). Check `X.ndim == 2`."),
    ]


def check_safe_predict(fn: Callable) -> Feedback:
    """Check ``fn(theta, X)`` -> ``X @ w + b`` of shape (n,), raising ValueError for bad shapes.

    >>> def safe(theta, X):
    ...     theta, X = np.asarray(theta), np.asarray(X)
    ...     if X.ndim != 2 or theta.shape != (X.shape[1] + 1,):
    ...         raise ValueError("theta must have shape (d + 1,) for X of shape (n, d)")
    ...     return X @ theta[:-1] + theta[-1]
    >>> check_safe_predict(safe).passed
    True
    >>> check_safe_predict(lambda t, X: X @ t[:-1] + t[-1]).mistake  # right values, no shape checks
    'column of weights (bug 2)'
    """
    reference = lambda t, X: add_bias(X) @ t  # noqa: E731
    fb = check_function(fn, reference, _predict_cases(), _PREDICT_MISTAKES, what="`safe_predict`")
    if not fb.passed:
        return fb
    for name, args, hint in _bad_inputs():
        try:
            out = fn(*args)
        except ValueError:
            continue
        except AssertionError:
            return Feedback("fail", "Use `raise ValueError(...)` rather than `assert` for bad input: "
                                    "asserts vanish under `python -O`, and callers expect ValueError "
                                    f"(the case: {name}).", "assert instead of ValueError")
        except Exception as exc:
            return Feedback("fail", f"{hint} Your function raised {type(exc).__name__} instead.", name)
        shape = np.shape(out) if out is not None else None
        return Feedback("fail", f"{hint} Your function returned a result of shape {shape}.", name)
    return Feedback("pass", "Right values of shape (n,), and every bad shape is refused with a ValueError.")


# --- exercise 3: the convergence test on the full gradient ----------------------------------------

def full_gradient_norm(grad: Callable, theta, batches) -> float:
    """Euclidean norm of the full-data gradient, from the data held in ``batches`` [(Xb, yb), ...].

    For a loss that is a mean over samples this is NOT the last batch's gradient, nor the
    plain mean of the batch gradients (the batches can differ in size): rebuild the data.

    >>> X = np.array([[1.0], [2.0], [3.0]]); y = np.array([2.0, 4.0, 7.0])
    >>> batches = [(X[:2], y[:2]), (X[2:], y[2:])]
    >>> full_gradient_norm(losses.mse_grad, np.array([2.0, 0.0]), batches)  # (2/3) * 1 * [3, 1]
    2.1081851067789197
    """
    X = np.concatenate([np.asarray(b[0], dtype=float) for b in batches])
    y = np.concatenate([np.asarray(b[1], dtype=float) for b in batches])
    return float(np.linalg.norm(grad(theta, X, y)))


def _batch_grads(grad, theta, batches) -> list[np.ndarray]:
    return [np.asarray(grad(theta, Xb, yb), dtype=float) for Xb, yb in batches]


def _full_cases() -> list[tuple[Callable, np.ndarray, list]]:
    rng = np.random.default_rng(10)
    cases = []
    for n, d, b, grad in [(10, 2, 4, losses.mse_grad), (11, 3, 3, losses.mse_grad),
                          (9, 2, 5, losses.cross_entropy_grad), (14, 3, 4, losses.mse_grad)]:
        X = rng.standard_normal((n, d))
        if grad is losses.cross_entropy_grad:
            y = rng.integers(0, 2, n).astype(float)
        else:
            y = X @ rng.standard_normal(d) + rng.standard_normal(n)
        theta = rng.standard_normal(d + 1)
        batches = [(X[s : s + b], y[s : s + b]) for s in range(0, n, b)]  # the last batch is smaller
        cases.append((grad, theta, batches))
    return cases


_FULL_MISTAKES = [
    Mistake(
        "last mini-batch only (bug 6)",
        lambda g, t, B: np.linalg.norm(g(t, *B[-1])),
        "That is the gradient of the last mini-batch only (bug 6): it can be small by chance "
        "far from the minimum, or never small at all. Use every sample: concatenate the "
        "batches and evaluate the gradient on the full data.",
    ),
    Mistake(
        "one mini-batch only",
        lambda g, t, B: np.linalg.norm(g(t, *B[0])),
        "That is the gradient of a single mini-batch (the first). The convergence test needs "
        "the gradient of the whole training loss: all batches together.",
    ),
    Mistake(
        "unweighted mean of batch gradients",
        lambda g, t, B: np.linalg.norm(np.mean(_batch_grads(g, t, B), axis=0)),
        "Close: you averaged the batch gradients, but the last batch is smaller, so a plain "
        "mean over-weights its samples. Weight each batch by its size (or concatenate the data).",
    ),
    Mistake(
        "mean of batch norms",
        lambda g, t, B: np.mean([np.linalg.norm(v) for v in _batch_grads(g, t, B)]),
        "You averaged the norms of the batch gradients. The norm of an average is not the "
        "average of norms: the batch noise never averages out this way, so at the minimum "
        "this stays large. Average the gradients (weighted by batch size), then take the norm.",
    ),
    Mistake(
        "sum of batch gradients",
        lambda g, t, B: np.linalg.norm(np.sum(_batch_grads(g, t, B), axis=0)),
        "You summed the batch gradients: each is already a mean over its batch, so the sum is "
        "about (number of batches) times too large. Weight by batch size and divide by n.",
    ),
    Mistake(
        "squared norm",
        lambda g, t, B: full_gradient_norm(g, t, B) ** 2,
        "That is the squared norm. Return the Euclidean norm, np.linalg.norm(gradient).",
    ),
    Mistake(
        "largest component",
        lambda g, t, B: np.max(np.abs(g(t, np.concatenate([b[0] for b in B]), np.concatenate([b[1] for b in B])))),
        "That is the largest absolute component (the max-norm). The exercise asks for the "
        "Euclidean norm, np.linalg.norm(gradient).",
    ),
    Mistake(
        "returned the gradient",
        lambda g, t, B: g(t, np.concatenate([b[0] for b in B]), np.concatenate([b[1] for b in B])),
        "You returned the full gradient itself (a vector). Return its Euclidean norm, one number.",
    ),
]


def check_full_gradient_norm(fn: Callable) -> Feedback:
    """Check ``fn(grad, theta, batches)`` -> the norm of the full-data gradient.

    >>> check_full_gradient_norm(full_gradient_norm).passed
    True
    >>> check_full_gradient_norm(lambda g, t, B: np.linalg.norm(g(t, *B[-1]))).mistake
    'last mini-batch only (bug 6)'
    """
    return check_function(fn, full_gradient_norm, _full_cases(), _FULL_MISTAKES, what="`full_gradient_norm`")


# --- exercise 4: a numerical gradient that works (bug 5) --------------------------------------

def _smooth(theta) -> float:
    """A non-polynomial test function: central and forward differences differ visibly at h = 1e-3."""
    return float(np.sum(np.exp(0.5 * theta)) + np.log1p(theta @ theta) + np.sin(theta).prod())


def _numgrad_cases() -> list[tuple[Callable, np.ndarray, float]]:
    rng = np.random.default_rng(11)
    return [(_smooth, rng.standard_normal(k), h) for k, h in [(3, 1e-3), (5, 1e-2), (2, 1e-3)]]


def _all_at_once(f, theta, h):
    return (f(theta + h) - f(theta - h)) / (2 * h)


def _one_sided(f, theta, h):
    return np.array([(f(theta + h * e) - f(theta)) / h for e in np.eye(theta.size)])


_NUMGRAD_MISTAKES = [
    Mistake(
        "all coordinates at once (bug 5)",
        _all_at_once,
        "You nudged every coordinate at once (bug 5): that gives ONE number, the slope along "
        "(1, 1, ..., 1), not a gradient. Nudge one coordinate at a time: theta + h * e_i.",
    ),
    Mistake(
        "all coordinates at once, broadcast (bug 5)",
        lambda f, t, h: np.full(t.size, _all_at_once(f, t, h)),
        "Every entry of your result is the same number: you nudged every coordinate at once "
        "(bug 5) and got the slope along (1, ..., 1). Nudge one coordinate at a time.",
    ),
    Mistake(
        "forward difference",
        _one_sided,
        "That is the forward difference (f(theta + h e_i) - f(theta)) / h, whose error is of "
        "order h. Use the central difference (f(theta + h e_i) - f(theta - h e_i)) / (2h), of order h^2.",
    ),
    Mistake(
        "divided by h, not 2h",
        lambda f, t, h: 2 * gradcheck.numerical_gradient(f, t, h),
        "Twice too large: the two points theta +- h e_i are 2h apart, so divide by 2h.",
    ),
    Mistake(
        "wrong sign",
        lambda f, t, h: -gradcheck.numerical_gradient(f, t, h),
        "Wrong sign: the central difference is (f(theta + h e_i) - f(theta - h e_i)) / (2h).",
    ),
]


def _per_sample_losses(theta) -> np.ndarray:
    return (np.arange(1.0, 5.0) * theta[0] - 2.0) ** 2 + theta[1] ** 2  # four losses, shape (4,)


def check_numerical_gradient(fn: Callable) -> Feedback:
    """Check ``fn(f, theta, h)`` -> central differences, one coordinate at a time, of a SCALAR f.

    ``fn`` must also refuse (``ValueError``) an ``f`` that returns a vector of per-sample losses.

    >>> check_numerical_gradient(gradcheck.numerical_gradient).passed
    True
    >>> check_numerical_gradient(lambda f, t, h: (f(t + h) - f(t - h)) / (2 * h)).mistake
    'all coordinates at once (bug 5)'
    """
    fb = check_function(fn, gradcheck.numerical_gradient, _numgrad_cases(), _NUMGRAD_MISTAKES,
                        rtol=1e-7, atol=1e-9, what="`my_numerical_gradient`")
    if not fb.passed:
        return fb
    try:
        out = fn(_per_sample_losses, np.array([0.5, -1.0]), 1e-6)
    except ValueError:
        return Feedback("pass", "Central differences one coordinate at a time, and a vector-valued f is refused.")
    except Exception as exc:
        return Feedback("fail", "Your gradient is right, but for an f that returns a vector of per-sample "
                                f"losses it raised {type(exc).__name__}: raise ValueError naming the problem "
                                "(f must return one scalar).", "per-sample losses (bug 5)")
    return Feedback("fail", "Your gradient is right, but it accepted an f that returns a vector of per-sample "
                            f"losses (bug 5) and returned shape {np.shape(out)}. Check `np.ndim(f(theta)) == 0` "
                            "and raise ValueError otherwise.", "per-sample losses (bug 5)")
