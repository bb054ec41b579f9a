"""Checkers for chapter 7 (debugging gradient descent).

Every checker names the bugs of the chapter's gallery ("bug 3", "bug 6", ...) when the
learner's answer reproduces one, so the feedback points back to the section that shows
its symptom and its fix. The scale and sign slips of chapter 1 are reused, not
rewritten.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .. import gradcheck, losses
from ..data import add_bias
from . import ch01 as _ch01
from ._core import Exercise, Feedback, Mistake, check_function, check_raises

__all__ = [
    "buggy_gradient",
    "check_fixed_gradient",
    "check_safe_predict",
    "full_gradient_norm",
    "check_full_gradient_norm",
    "check_numerical_gradient",
    "huber_loss",
    "check_huber_grad",
    "ridge_loss",
    "ridge_descent_buggy",
    "check_ridge_descent",
    "source_of",
    "fix",
    "predict",
    "full",
    "numgrad",
    "huber",
    "ridge",
]


def source_of(fn: Callable) -> str:
    """The source of ``fn`` without its docstring: what an exercise statement prints.

    >>> print(source_of(source_of).splitlines()[0])
    def source_of(fn: Callable) -> str:
    """
    import inspect

    head, _, rest = inspect.getsource(fn).partition('"""')
    _, _, body = rest.partition('"""')
    return head.rstrip() + "\n" + body.strip("\n")


# The scale and sign slips of chapter 1 (same names and models), with hints that point
# to this chapter's gallery and keep their formulas in code spans.
_CH07_HINTS = {
    "wrong sign": (
        "Right size, wrong sign: the residual is `A @ theta - y`, not `y - A @ theta`. "
        "With this sign, gradient descent would climb."
    ),
    "missing factor 2": (
        "Off by a factor of 2: the gradient of the MSE is `2 / n * A.T @ (A @ theta -"
        " y)`."
    ),
    "sum instead of mean": (
        "Off by a factor of n: the loss is a mean, so divide the sum by `n = len(y)`."
    ),
    "forgot the target": (
        "This is the gradient of `mean(prediction ** 2)`: the target `y` is missing "
        "from the residual (bug 4)."
    ),
    "bias gradient missing": (
        "You returned d entries; theta has d + 1 (the bias is last). The bias's "
        "gradient is `2 / n * sum(residuals)`."
    ),
    "bias gradient zero": (
        "The weights are right but the bias's gradient is missing: it is "
        "`2 / n * sum(residuals)`."
    ),
}
_VECTOR_MISTAKES = [
    Mistake(m.name, m.compute, _CH07_HINTS.get(m.name, m.hint))
    for m in _ch01.VECTOR_MISTAKES
]


# --- exercise 1: find and fix a buggy gradient ----------------------------------------


def buggy_gradient(theta, X, y) -> np.ndarray:
    """The broken MSE gradient (bias last) of chapter 7's exercise "Find and fix".

    >>> X = np.array([[1.0], [2.0]]); y = np.array([0.0, 10.0])
    >>> buggy_gradient(np.zeros(2), X, y)
    array([-1., -1.])
    """
    X = np.asarray(X, dtype=float)
    total = np.zeros(X.shape[1] + 1)
    for xi, yi in zip(X, y, strict=True):
        ai = np.append(xi, 1.0)
        total = 2 * ai * (ai @ theta - yi)
    return np.clip(total / len(y), -1.0, 1.0)


def _last_sample(theta, X, y) -> np.ndarray:
    a = np.append(X[-1], 1.0)
    return 2 * a * (a @ theta - y[-1]) / len(y)


def _fix_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Cases whose gradients have entries well beyond +-1, so clipping cannot go
    unnoticed."""
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
        "This is still the buggy function: both bugs are there. The loop overwrites"
        " `total` (bug 3) and the result is clipped (bug 9). Run a gradient check on it"
        " first.",
    ),
    Mistake(
        "accumulator overwritten (bug 3)",
        _last_sample,
        "The clipping is gone, but only the last sample counts: inside the loop `total"
        " = ...` overwrites the accumulator (bug 3). Use `total += ...`.",
    ),
    Mistake(
        "accumulator overwritten, no mean (bug 3)",
        lambda t, X, y: _last_sample(t, X, y) * len(y),
        "Only the last sample counts (bug 3: `total = ...` instead of `total += ...`),"
        " and the division by n is missing too.",
    ),
    Mistake(
        "gradient clipped (bug 9)",
        lambda t, X, y: np.clip(losses.mse_grad(t, X, y), -1.0, 1.0),
        "The accumulator is fixed, but the result is still clipped to `[-1, 1]` (bug"
        " 9). Clipping hid the accumulator bug; now that the gradient is right, remove"
        " the clip: it only distorts a correct gradient.",
    ),
    Mistake(
        "sum instead of mean, clipped (bug 9)",
        lambda t, X, y: np.clip(losses.mse_grad(t, X, y) * len(y), -1.0, 1.0),
        "The sum is n times too large and the clip hides it (bug 9): divide by `n ="
        " len(y)` and remove the clip.",
    ),
    *_VECTOR_MISTAKES,
]


def check_fixed_gradient(fn: Callable) -> Feedback:
    """Check ``fn(theta, X, y)`` -> the MSE gradient with the bias last, shape (d + 1,).

    >>> check_fixed_gradient(losses.mse_grad).passed
    True
    >>> check_fixed_gradient(buggy_gradient).mistake
    'unchanged (bugs 3 and 9)'
    """
    return check_function(
        fn, losses.mse_grad, _fix_cases(), _FIX_MISTAKES, what="`fixed_gradient`"
    )


# --- exercise 2: a shape-safe predict -------------------------------------------------


def _predict_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(8)
    return [
        (rng.standard_normal(d + 1), rng.standard_normal((n, d)))
        for n, d in [(7, 3), (4, 2), (9, 5)]
    ]


_PREDICT_MISTAKES = [
    Mistake(
        "element-wise product (bug 1)",
        lambda t, X: t[:-1] * X + t[-1],
        "`w * X` multiplies element-wise and broadcasts to an (n, d) array (bug 1). The"
        " prediction is the matrix-vector product `X @ w + b`, of shape (n,).",
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
        "The book's convention puts the bias LAST: `theta = (w, b)`, so the weights are"
        " `theta[:-1]` and the bias is `theta[-1]`.",
    ),
    Mistake(
        "forgot the bias",
        lambda t, X: X @ t[:-1],
        "The bias is missing: add `theta[-1]` to `X @ theta[:-1]`.",
    ),
]

_REJECT_HINT = (
    "A shape-safe predict raises ValueError (with a message naming the expected shape)"
    " for "
)


def _bad_inputs() -> list[tuple[str, tuple, str]]:
    rng = np.random.default_rng(9)
    X = rng.standard_normal((6, 3))
    theta = rng.standard_normal(4)
    return [
        (
            "column of weights (bug 2)",
            (theta[:, None], X),
            _REJECT_HINT
            + "theta of shape (d + 1, 1): a column of weights gives predictions of"
            " shape "
            "(n, 1), the first step of bug 2. Check `theta.ndim == 1`.",
        ),
        (
            "too many parameters",
            (np.append(theta, 1.0), X),
            _REJECT_HINT
            + "theta with d + 2 entries: it must hold exactly d weights and one bias. "
            "Check `theta.shape == (X.shape[1] + 1,)`.",
        ),
        (
            "too few parameters",
            (theta[:-1], X),
            _REJECT_HINT + "theta with only d entries (no room for the bias). "
            "Check `theta.shape == (X.shape[1] + 1,)`.",
        ),
        (
            "1-D X",
            (theta[:2], X[:, 0]),
            _REJECT_HINT
            + "a 1-D X: X must have shape (n, d); for one feature the caller should "
            "write `X.reshape(-1, 1)`. Check `X.ndim == 2`.",
        ),
    ]


def check_safe_predict(fn: Callable) -> Feedback:
    """Check ``fn(theta, X)`` -> ``X @ w + b`` of shape (n,), raising ValueError for bad
    shapes.

    >>> def safe(theta, X):
    ...     theta, X = np.asarray(theta), np.asarray(X)
    ...     if X.ndim != 2 or theta.shape != (X.shape[1] + 1,):
    ...         raise ValueError("theta must have shape (d + 1,) for X of shape (n, d)")
    ...     return X @ theta[:-1] + theta[-1]
    >>> check_safe_predict(safe).passed
    True
    >>> # right values, no shape checks
    >>> check_safe_predict(lambda t, X: X @ t[:-1] + t[-1]).mistake
    'column of weights (bug 2)'
    """
    reference = lambda t, X: add_bias(X) @ t  # noqa: E731
    fb = check_function(
        fn, reference, _predict_cases(), _PREDICT_MISTAKES, what="`safe_predict`"
    )
    if not fb.passed:
        return fb
    for name, args, hint in _bad_inputs():
        refused = check_raises(
            fn, args, ValueError, words=["shape"], what="`safe_predict`"
        )
        if refused.passed:
            continue
        if refused.mistake == "no exception":
            try:
                shape = np.shape(fn(*args))
            except Exception:  # noqa: BLE001  (it returned once; it will again)
                shape = "?"
            return Feedback(
                "fail",
                f"{hint} Your function returned a result of shape {shape}.",
                name,
            )
        if refused.mistake == "wrong exception" and "AssertionError" in refused.message:
            return Feedback(
                "fail",
                "Use `raise ValueError(...)` rather than `assert` for bad input: "
                "asserts vanish under `python -O`, and callers expect ValueError "
                f"(the case: {name}).",
                "assert instead of ValueError",
            )
        if refused.mistake == "wrong exception":
            return Feedback("fail", f"{hint} {refused.message}", name)
        if refused.mistake == "no message":
            return Feedback(
                "fail",
                f"Your function raises ValueError for {name}, but with no message: "
                "say which shape was expected and which was given.",
                "no message",
            )
        return Feedback(
            "fail",
            f"For {name}, {refused.message} Say which shape was expected, for "
            "instance `theta must have shape (4,) for X of shape (6, 3); got (4, 1)`. "
            "(A ValueError raised by NumPy itself, deep inside `@`, does not tell the "
            "caller what to fix.)",
            "message misses the shape",
        )
    return Feedback(
        "pass",
        "Right values of shape (n,), and every bad shape is refused with a ValueError "
        "that names the shape.",
    )


# --- exercise 3: the convergence test on the full gradient ----------------------------


def full_gradient_norm(grad: Callable, theta, batches) -> float:
    """Euclidean norm of the full-data gradient, from the data held in ``batches`` [(Xb,
    yb), ...].

    For a loss that is a mean over samples this is NOT the last batch's gradient, nor
    the plain mean of the batch gradients (the batches can differ in size): rebuild the
    data.

    >>> X = np.array([[1.0], [2.0], [3.0]]); y = np.array([2.0, 4.0, 7.0])
    >>> batches = [(X[:2], y[:2]), (X[2:], y[2:])]
    >>> # (2/3) * 1 * [3, 1]
    >>> full_gradient_norm(losses.mse_grad, np.array([2.0, 0.0]), batches)
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
    for n, d, b, grad in [
        (10, 2, 4, losses.mse_grad),
        (11, 3, 3, losses.mse_grad),
        (9, 2, 5, losses.cross_entropy_grad),
        (14, 3, 4, losses.mse_grad),
    ]:
        X = rng.standard_normal((n, d))
        if grad is losses.cross_entropy_grad:
            y = rng.integers(0, 2, n).astype(float)
        else:
            y = X @ rng.standard_normal(d) + rng.standard_normal(n)
        theta = rng.standard_normal(d + 1)
        # the last batch is smaller
        batches = [(X[s : s + b], y[s : s + b]) for s in range(0, n, b)]
        cases.append((grad, theta, batches))
    return cases


_FULL_MISTAKES = [
    Mistake(
        "last mini-batch only (bug 6)",
        lambda g, t, B: np.linalg.norm(g(t, *B[-1])),
        "That is the gradient of the last mini-batch only (bug 6): it can be small by"
        " chance far from the minimum, or never small at all. Use every sample:"
        " concatenate the batches and evaluate the gradient on the full data.",
    ),
    Mistake(
        "one mini-batch only",
        lambda g, t, B: np.linalg.norm(g(t, *B[0])),
        "That is the gradient of a single mini-batch (the first). The convergence test"
        " needs the gradient of the whole training loss: all batches together.",
    ),
    Mistake(
        "unweighted mean of batch gradients",
        lambda g, t, B: np.linalg.norm(np.mean(_batch_grads(g, t, B), axis=0)),
        "Close: you averaged the batch gradients, but the last batch is smaller, so a"
        " plain mean over-weights its samples. Weight each batch by its size (or"
        " concatenate the data).",
    ),
    Mistake(
        "mean of batch norms",
        lambda g, t, B: np.mean([np.linalg.norm(v) for v in _batch_grads(g, t, B)]),
        "You averaged the norms of the batch gradients. The norm of an average is not"
        " the average of norms: the batch noise never averages out this way, so at the"
        " minimum this stays large. Average the gradients (weighted by batch size),"
        " then take the norm.",
    ),
    Mistake(
        "sum of batch gradients",
        lambda g, t, B: np.linalg.norm(np.sum(_batch_grads(g, t, B), axis=0)),
        "You summed the batch gradients: each is already a mean over its batch, so the"
        " sum is about (number of batches) times too large. Weight by batch size and"
        " divide by n.",
    ),
    Mistake(
        "squared norm",
        lambda g, t, B: full_gradient_norm(g, t, B) ** 2,
        "That is the squared norm. Return the Euclidean norm,"
        " `np.linalg.norm(gradient)`.",
    ),
    Mistake(
        "largest component",
        lambda g, t, B: np.max(
            np.abs(
                g(
                    t,
                    np.concatenate([b[0] for b in B]),
                    np.concatenate([b[1] for b in B]),
                )
            )
        ),
        "That is the largest absolute component (the max-norm). The exercise asks for"
        " the Euclidean norm, `np.linalg.norm(gradient)`.",
    ),
    Mistake(
        "returned the gradient",
        lambda g, t, B: g(
            t, np.concatenate([b[0] for b in B]), np.concatenate([b[1] for b in B])
        ),
        "You returned the full gradient itself (a vector). Return its Euclidean norm,"
        " one number.",
    ),
]


def check_full_gradient_norm(fn: Callable) -> Feedback:
    """Check ``fn(grad, theta, batches)`` -> the norm of the full-data gradient.

    >>> check_full_gradient_norm(full_gradient_norm).passed
    True
    >>> check_full_gradient_norm(lambda g, t, B: np.linalg.norm(g(t, *B[-1]))).mistake
    'last mini-batch only (bug 6)'
    """
    return check_function(
        fn,
        full_gradient_norm,
        _full_cases(),
        _FULL_MISTAKES,
        what="`full_gradient_norm`",
    )


# --- exercise 4: a numerical gradient that works (bug 5) ------------------------------


def _smooth(theta) -> float:
    """A non-polynomial test function: central and forward differences differ visibly at
    h = 1e-3."""
    return float(
        np.sum(np.exp(0.5 * theta)) + np.log1p(theta @ theta) + np.sin(theta).prod()
    )


def _numgrad_cases() -> list[tuple[Callable, np.ndarray, float]]:
    rng = np.random.default_rng(11)
    return [
        (_smooth, rng.standard_normal(k), h)
        for k, h in [(3, 1e-3), (5, 1e-2), (2, 1e-3)]
    ]


def _all_at_once(f, theta, h):
    return (f(theta + h) - f(theta - h)) / (2 * h)


def _one_sided(f, theta, h):
    return np.array([(f(theta + h * e) - f(theta)) / h for e in np.eye(theta.size)])


_NUMGRAD_MISTAKES = [
    Mistake(
        "all coordinates at once (bug 5)",
        _all_at_once,
        "You nudged every coordinate at once (bug 5): that gives ONE number, the slope"
        " along (1, 1, ..., 1), not a gradient. Nudge one coordinate at a time: `theta"
        " + h * e[i]`, with `e = np.eye(theta.size)`.",
    ),
    Mistake(
        "all coordinates at once, broadcast (bug 5)",
        lambda f, t, h: np.full(t.size, _all_at_once(f, t, h)),
        "Every entry of your result is the same number: you nudged every coordinate at"
        " once (bug 5) and got the slope along (1, ..., 1). Nudge one coordinate at a"
        " time.",
    ),
    Mistake(
        "forward difference",
        _one_sided,
        "That is the forward difference `(f(theta + h * e[i]) - f(theta)) / h`, whose"
        " error is of order h. Use the central difference `(f(theta + h * e[i]) -"
        " f(theta - h * e[i])) / (2 * h)`, whose error is of order $h^2$.",
    ),
    Mistake(
        "divided by h, not 2h",
        lambda f, t, h: 2 * gradcheck.numerical_gradient(f, t, h),
        "Twice too large: the two points `theta + h * e[i]` and `theta - h * e[i]` are"
        " 2h apart, so divide by `2 * h`.",
    ),
    Mistake(
        "wrong sign",
        lambda f, t, h: -gradcheck.numerical_gradient(f, t, h),
        "Wrong sign: the central difference is `(f(theta + h * e[i]) - f(theta - h *"
        " e[i])) / (2 * h)`.",
    ),
]


def _per_sample_losses(theta) -> np.ndarray:
    return (np.arange(1.0, 5.0) * theta[0] - 2.0) ** 2 + theta[
        1
    ] ** 2  # four losses, shape (4,)


def check_numerical_gradient(fn: Callable) -> Feedback:
    """Check ``fn(f, theta, h)`` -> central differences, one coordinate at a time, of a
    SCALAR f.

    ``fn`` must also refuse (``ValueError``) an ``f`` that returns a vector of
    per-sample losses.

    >>> check_numerical_gradient(gradcheck.numerical_gradient).passed
    True
    >>> check_numerical_gradient(
    ...     lambda f, t, h: (f(t + h) - f(t - h)) / (2 * h)
    ... ).mistake
    'all coordinates at once (bug 5)'
    """
    fb = check_function(
        fn,
        gradcheck.numerical_gradient,
        _numgrad_cases(),
        _NUMGRAD_MISTAKES,
        rtol=1e-7,
        atol=1e-9,
        what="`my_numerical_gradient`",
    )
    if not fb.passed:
        return fb
    refused = check_raises(
        fn,
        (_per_sample_losses, np.array([0.5, -1.0]), 1e-6),
        ValueError,
        words=["scalar"],
        what="`my_numerical_gradient`",
    )
    if refused.passed:
        return Feedback(
            "pass",
            "Central differences one coordinate at a time, and a vector-valued f is "
            "refused with a message that says why.",
        )
    if refused.mistake == "no exception":
        out = fn(_per_sample_losses, np.array([0.5, -1.0]), 1e-6)
        return Feedback(
            "fail",
            "Your gradient is right, but it accepted an f that returns a vector of "
            f"per-sample losses (bug 5) and returned shape {np.shape(out)}. Check "
            "`np.ndim(f(theta)) == 0` and raise ValueError otherwise.",
            "per-sample losses (bug 5)",
        )
    if refused.mistake == "wrong exception":
        return Feedback(
            "fail",
            "Your gradient is right, but for an f that returns a vector of per-sample"
            " losses (bug 5)"
            f" {refused.message.removeprefix('`my_numerical_gradient` ')} Raise"
            " ValueError naming the problem (f must return one scalar).",
            "per-sample losses (bug 5)",
        )
    return Feedback(
        "fail",
        "Your gradient is right, and a vector-valued f (per-sample losses, bug 5) makes"
        " it raise ValueError, but the message does not say why: check"
        ' `np.ndim(f(theta)) == 0` yourself and raise `ValueError("f must return a'
        " scalar ...\")`. (NumPy's own error, such as `setting an array element with a"
        " sequence`, does not tell the caller what to fix.)",
        "message misses the point",
    )


# --- exercise 5 (transfer): the gradient of the Huber loss, checked -------------------


def huber_loss(theta, X, y, delta) -> float:
    """Mean Huber loss of the linear model (bias last): quadratic for small residuals,
    linear beyond delta.

    ``h(r) = r**2 / 2`` for ``|r| <= delta`` and ``delta * (|r| - delta / 2)``
    otherwise.

    >>> # (0.125 + 2.5) / 2
    >>> huber_loss(np.zeros(2), np.array([[1.0], [2.0]]), np.array([0.5, 3.0]), 1.0)
    1.3125
    """
    theta, A, y = (
        np.asarray(theta, dtype=float),
        add_bias(np.asarray(X, dtype=float)),
        np.asarray(y, dtype=float),
    )
    r = np.abs(A @ theta - y)
    return float(np.mean(np.where(r <= delta, r**2 / 2, delta * (r - delta / 2))))


def _huber_grad(theta, X, y, delta):
    A = add_bias(X)
    return A.T @ np.clip(A @ theta - y, -delta, delta) / len(y)


def _huber_cases():
    """Residuals on both sides of delta (never near it), a gradient beyond delta, delta
    != 1, n != d + 1."""
    rng = np.random.default_rng(12)
    cases = []
    for n, d, delta in [(9, 2, 0.5), (12, 3, 1.5), (7, 1, 0.8)]:
        X = rng.standard_normal((n, d))
        theta = rng.standard_normal(d + 1)
        # half the residuals beyond delta, mostly positive ones
        outside = np.arange(n) % 2 == 1
        r = delta * np.where(
            outside,
            rng.choice([-1, 1, 1, 1], n) * rng.uniform(3.0, 10.0, n),
            rng.choice([-1, 1], n) * rng.uniform(0.1, 0.7, n),
        )
        cases.append((theta, X, add_bias(X) @ theta - r, delta))
    return cases


def _residuals(t, X, y):
    return add_bias(X) @ t - y


def _huber_grad_bias_first(t, X, y, delta):
    c = np.clip(X @ t[1:] + t[0] - y, -delta, delta)
    return np.append(c.mean(), X.T @ c / len(y))


_HUBER_MISTAKES = [
    Mistake(
        "quadratic everywhere",
        lambda t, X, y, dl: add_bias(X).T @ _residuals(t, X, y) / len(y),
        "That is the gradient of `mean(r ** 2) / 2`: the residuals beyond delta must be"
        " clipped, `np.clip(r, -delta, delta)`, since there the loss grows only"
        " linearly, with slope `delta`.",
    ),
    Mistake(
        "the MSE gradient",
        lambda t, X, y, dl: losses.mse_grad(t, X, y),
        "That is the MSE gradient `2 / n * A.T @ r`. The Huber loss is `r ** 2 / 2` (no"
        " factor 2 after differentiating) for small residuals and linear beyond delta.",
    ),
    Mistake(
        "gradient clipped, not the residuals (bug 9)",
        lambda t, X, y, dl: np.clip(
            add_bias(X).T @ _residuals(t, X, y) / len(y), -dl, dl
        ),
        "You clipped the gradient, as bug 9 does, not the residuals. The derivative of"
        " the Huber loss of one sample is `clip(r, -delta, delta)` times its features:"
        " clip each residual before the sum, `A.T @ np.clip(r, -delta, delta) / n`.",
    ),
    Mistake(
        "slope 1 beyond delta",
        lambda t, X, y, dl: (
            add_bias(X).T
            @ np.where(
                np.abs(_residuals(t, X, y)) <= dl,
                _residuals(t, X, y),
                np.sign(_residuals(t, X, y)),
            )
            / len(y)
        ),
        "Beyond delta the loss is `delta * (abs(r) - delta / 2)`: its slope is `delta *"
        " sign(r)`, not `sign(r)`.",
    ),
    Mistake(
        "outliers dropped",
        lambda t, X, y, dl: (
            add_bias(X).T
            @ np.where(np.abs(_residuals(t, X, y)) <= dl, _residuals(t, X, y), 0.0)
            / len(y)
        ),
        "The samples with `abs(r) > delta` still count: there the loss is linear, so"
        " their gradient is `delta * sign(r)` times their features, not zero.",
    ),
    Mistake(
        "wrong sign",
        lambda t, X, y, dl: -_huber_grad(t, X, y, dl),
        "Right size, wrong sign: the residual is `A @ theta - y`, not `y - A @ theta`.",
    ),
    Mistake(
        "sum instead of mean",
        lambda t, X, y, dl: _huber_grad(t, X, y, dl) * len(y),
        "Off by a factor of n: the loss is a mean, so divide the sum by `n = len(y)`.",
    ),
    Mistake(
        "bias gradient missing",
        lambda t, X, y, dl: _huber_grad(t, X, y, dl)[:-1],
        "You returned d entries; theta has d + 1 (the bias is last). The bias's"
        " gradient is the mean of the clipped residuals.",
    ),
    Mistake(
        "bias first",
        _huber_grad_bias_first,
        "The book's convention puts the bias LAST: the prediction is `X @ theta[:-1] +"
        " theta[-1]`, and the bias's gradient is the last entry.",
    ),
]


def check_huber_grad(fn: Callable) -> Feedback:
    """Check ``fn(theta, X, y, delta)`` -> the gradient of :func:`huber_loss`, bias
    last.

    >>> check_huber_grad(_huber_grad).passed
    True
    >>> check_huber_grad(lambda t, X, y, dl: losses.mse_grad(t, X, y)).mistake
    'the MSE gradient'
    """
    return check_function(
        fn, _huber_grad, _huber_cases(), _HUBER_MISTAKES, what="`huber_grad`"
    )


# --- exercise 6 (transfer): diagnose an unseen training loop --------------------------


def ridge_loss(theta, X, y, lam) -> float:
    """Ridge loss: the MSE plus ``lam * ||w||^2``, the bias (last entry) not penalised.

    >>> ridge_loss(
    ...     np.array([1.0, 5.0]), np.array([[1.0], [2.0]]), np.array([6.0, 7.0]), 0.5
    ... )
    0.5
    """
    theta = np.asarray(theta, dtype=float)
    return losses.mse(theta, X, y) + lam * float(theta[:-1] @ theta[:-1])


def ridge_descent_buggy(X, y, lam, rate, steps):
    """Gradient descent on :func:`ridge_loss` from zero, as a colleague wrote it (one
    bug).

    >>> X = np.array([[1.0], [2.0], [3.0]]); y = np.array([6.0, 7.0, 8.0])
    >>> np.round(ridge_descent_buggy(X, y, 0.0, 0.1, 500), 4)  # least squares: (1, 5)
    array([3.1429, 0.1429])
    """
    A = np.column_stack([X, np.ones(len(y))])
    theta = np.zeros(A.shape[1])
    for _ in range(steps):
        reg = theta  # the weights are penalised, the bias is not
        reg[-1] = 0.0
        grad = 2 / len(y) * A.T @ (A @ theta - y) + 2 * lam * reg
        theta = theta - rate * grad
    return theta


def _ridge_descent(
    X, y, lam, rate, steps, *, penalise_bias=False, factor=2.0, sign=1.0, alias=False
):
    A = add_bias(X)
    theta = np.zeros(A.shape[1])
    for _ in range(steps):
        reg = theta if alias else theta.copy()
        if not penalise_bias:
            reg[-1] = 0.0
        theta = theta - rate * (
            2 / len(y) * A.T @ (A @ theta - y) + sign * factor * lam * reg
        )
    return theta


def _ridge_cases():
    """Data with a large intercept (the bias matters), runs far from converged (every
    step counts)."""
    rng = np.random.default_rng(13)
    cases = []
    for n, d, lam, rate, steps in [
        (12, 3, 0.5, 0.05, 30),
        (15, 2, 0.2, 0.08, 25),
        (10, 4, 1.0, 0.03, 40),
    ]:
        X = rng.standard_normal((n, d)) + 0.5
        y = X @ rng.uniform(1.0, 3.0, d) + 4.0 + 0.3 * rng.standard_normal(n)
        cases.append((X, y, lam, rate, steps))
    return cases


_RIDGE_MISTAKES = [
    Mistake(
        "unchanged (reg aliases theta)",
        ridge_descent_buggy,
        "This is still the colleague's loop. `reg = theta` does not copy: `reg` and"
        " `theta` are one array, so `reg[-1] = 0.0` sets the bias of `theta` itself to"
        " zero at every step, before the gradient is even computed. Run one step and"
        " two steps and look at the bias.",
    ),
    Mistake(
        "bias penalised",
        lambda X, y, lam, rate, steps: _ridge_descent(
            X, y, lam, rate, steps, penalise_bias=True
        ),
        "The aliasing is gone, but so is `reg[-1] = 0.0`: now the bias is penalised"
        " too. Penalise the weights only: `reg = theta.copy()`, then `reg[-1] = 0.0`.",
    ),
    Mistake(
        "penalty gradient lam w",
        lambda X, y, lam, rate, steps: _ridge_descent(
            X, y, lam, rate, steps, factor=1.0
        ),
        "The derivative of `lam * w @ w` is `2 * lam * w`, not `lam * w` (the trap of"
        " the gradient check at zero).",
    ),
    Mistake(
        "penalty forgotten",
        lambda X, y, lam, rate, steps: _ridge_descent(
            X, y, lam, rate, steps, factor=0.0
        ),
        "That is plain gradient descent on the MSE: the penalty `2 * lam * reg` is"
        " missing from the gradient.",
    ),
    Mistake(
        "penalty sign",
        lambda X, y, lam, rate, steps: _ridge_descent(
            X, y, lam, rate, steps, sign=-1.0
        ),
        "The penalty pulls the weights towards zero: its gradient `2 * lam * reg` is"
        " added, not subtracted.",
    ),
    Mistake(
        "one step too many",
        lambda X, y, lam, rate, steps: _ridge_descent(X, y, lam, rate, steps + 1),
        "One step too many: `steps` steps from zero, `for _ in range(steps)`.",
    ),
    Mistake(
        "one step too few",
        lambda X, y, lam, rate, steps: _ridge_descent(X, y, lam, rate, steps - 1),
        "One step too few: `steps` steps from zero, `for _ in range(steps)`.",
    ),
]


def check_ridge_descent(fn: Callable) -> Feedback:
    """Check ``fn(X, y, lam, rate, steps)`` -> ``steps`` gradient-descent steps on
    :func:`ridge_loss`.

    >>> check_ridge_descent(_ridge_descent).passed
    True
    >>> check_ridge_descent(ridge_descent_buggy).mistake
    'unchanged (reg aliases theta)'
    """
    return check_function(
        fn,
        _ridge_descent,
        _ridge_cases(),
        _RIDGE_MISTAKES,
        rtol=1e-8,
        atol=1e-10,
        what="`ridge_descent`",
    )


# --- the exercises --------------------------------------------------------------------


def _patient() -> dict:
    """The chapter's patient and the names the solutions use, built as the chapter
    builds them."""
    import gdutils as gdu

    X, y, _ = gdu.data.linear_regression(
        n=100, d=5, noise=0.1, rng=gdu.book_rng("ch07-patient")
    )
    n, d = X.shape
    return {"X": X, "y": y, "n": n, "d": d, "tol": 0.1}


fix = Exercise(
    "ch07.fix",
    "ch07-ex-fix",
    check_fixed_gradient,
    hints=[
        (
            "Run a gradient check first: `gradient_check(gdu.mse, ch07.buggy_gradient,"
            " d + 1, args=(X[:8], 10 * y[:8]))` is far above `1e-7`. Then read the loop"
            " line by line, looking for the gallery's bugs."
        ),
        (
            "Two lines are wrong: inside the loop `total = ...` keeps only the last"
            " sample (bug 3), and the `np.clip` at the end hides how wrong the result"
            " is (bug 9)."
        ),
        (
            "Write `total += 2 * ai * (ai @ theta - yi)` in the loop and `return total"
            " / len(y)`, without the clip."
        ),
    ],
    solution_code="""\
def fixed_gradient(theta, X, y):
    # Bug 3: `total = ...` kept only the last sample; `+=` lets every sample count.
    # Bug 9: the clip to [-1, 1] hid how wrong the gradient was; a right gradient needs
    # no clip.
    total = np.zeros(X.shape[1] + 1)
    for xi, yi in zip(X, y):
        ai = np.append(xi, 1.0)
        total += 2 * ai * (ai @ theta - yi)
    return total / len(y)
""",
    check_args="fixed_gradient",
)

predict = Exercise(
    "ch07.predict",
    "ch07-ex-predict",
    check_safe_predict,
    hints=[
        (
            "Convert both inputs with `np.asarray`, check their shapes first, then"
            " compute `X @ theta[:-1] + theta[-1]`."
        ),
        (
            "Two checks: `X.ndim == 2`, and `theta.shape == (X.shape[1] + 1,)` (this"
            " one refuses a column of shape (d + 1, 1) as well as a wrong length). Each"
            " failure raises `ValueError`."
        ),
        (
            'For instance `raise ValueError(f"theta must have shape ({X.shape[1] +'
            ' 1},); got shape {theta.shape}")`: the message says what was expected and'
            " what was given."
        ),
    ],
    solution_code="""\
def safe_predict(theta, X):
    theta = np.asarray(theta, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d); got shape {X.shape}.")
    d = X.shape[1]
    if theta.shape != (d + 1,):  # refuses a column (d + 1, 1) and a wrong length alike
        raise ValueError(
            f"theta must have shape ({d + 1},) (weights, then bias) for X with {d}"
            f" features; got shape {theta.shape}."
        )
    return X @ theta[:-1] + theta[-1]
""",
    check_args="safe_predict",
)

full = Exercise(
    "ch07.full",
    "ch07-ex-full",
    check_full_gradient_norm,
    hints=[
        (
            "The full training loss is the mean over ALL samples of the epoch, and"
            " every sample is in one of the batches."
        ),
        (
            "Either put the data back together (`np.concatenate` the `Xb` and the `yb`)"
            " and evaluate `grad` once, or average the batch gradients weighted by the"
            " batch sizes `len(yb) / n`."
        ),
        (
            "`X_all = np.concatenate([Xb for Xb, _ in batches])`, the same for `y`,"
            " then `return np.linalg.norm(grad(theta, X_all, y_all))`."
        ),
    ],
    solution_code="""\
def full_gradient_norm(grad, theta, batches):
    # The simplest correct answer puts the data back together. (Averaging the batch
    # gradients also works if each is weighted by its batch size.)
    X_all = np.concatenate([Xb for Xb, _ in batches])
    y_all = np.concatenate([yb for _, yb in batches])
    return float(np.linalg.norm(grad(theta, X_all, y_all)))


# Used as the stopping test of SGD with mini-batches of 32 (the last of each epoch is
# smaller):
gen = gdu.book_rng("ch07-ex-full")
theta = np.zeros(d + 1)
for epoch in range(1000):
    order = gen.permutation(n)
    batches = [(X[order[s : s + 32]], y[order[s : s + 32]]) for s in range(0, n, 32)]
    for Xb, yb in batches:
        theta = theta - 0.01 * gdu.mse_grad(theta, Xb, yb)
    if full_gradient_norm(gdu.mse_grad, theta, batches) < tol:
        break
print(
    f"stopped after {epoch + 1} epochs: full gradient norm"
    f" {full_gradient_norm(gdu.mse_grad, theta, batches):.3f} < {tol}, loss"
    f" {gdu.mse(theta, X, y):.5f}"
)
""",
    check_args="full_gradient_norm",
    context=_patient,
)

numgrad = Exercise(
    "ch07.numgrad",
    "ch07-ex-numgrad",
    check_numerical_gradient,
    hints=[
        (
            "Loop over the coordinates: for each `i`, move only coordinate `i` by `+h`"
            " and by `-h`."
        ),
        (
            "With `e = np.zeros_like(theta)` and `e[i] = h`, the i-th entry is"
            " `(f(theta + e) - f(theta - e)) / (2 * h)`. Before using `f(theta + e)`,"
            " check `np.ndim(...) == 0`."
        ),
        (
            'If `np.ndim(up) != 0`: `raise ValueError(f"f must return a scalar; got'
            ' shape {np.shape(up)}")`. Otherwise `g[i] = (up - down) / (2 * h)`, and'
            " `return g` after the loop."
        ),
    ],
    solution_code="""\
def my_numerical_gradient(f, theta, h):
    theta = np.asarray(theta, dtype=float)
    g = np.zeros_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h  # one coordinate at a time
        up, down = f(theta + e), f(theta - e)
        if np.ndim(up) != 0:
            raise ValueError(
                f"f must return a scalar; got an array of shape {np.shape(up)}."
            )
        g[i] = (up - down) / (2 * h)
    return g
""",
    check_args="my_numerical_gradient",
)

huber = Exercise(
    "ch07.huber",
    "ch07-ex-huber",
    check_huber_grad,
    hints=[
        (
            "Differentiate one sample's loss with respect to its residual `r` first:"
            " inside the band it is `r`, beyond it `delta * sign(r)`. Both cases are"
            " one function of `r`."
        ),
        (
            "That function is `np.clip(r, -delta, delta)`. The chain rule multiplies it"
            " by the sample's features with a 1 appended (the bias), and the mean"
            " divides by n."
        ),
        (
            "`A = np.column_stack([X, np.ones(len(y))])`, `r = A @ theta - y`, `return"
            " A.T @ np.clip(r, -delta, delta) / len(y)`. Then confirm it with"
            " `gradient_check`."
        ),
    ],
    solution_code="""\
def huber_grad(theta, X, y, delta):
    # d/dr of the Huber loss: r inside [-delta, delta], delta * sign(r) outside, that is
    # clip(r, -delta, delta); the chain rule multiplies by each sample's features (and
    # 1).
    A = np.column_stack([X, np.ones(len(y))])
    r = A @ theta - y
    return A.T @ np.clip(r, -delta, delta) / len(y)


# The habit: a gradient check at three random points, on small data with n != d + 1.
gen = gdu.book_rng("ch07-ex-huber")
worst = max(
    gdu.check_gradient(
        ch07.huber_loss,
        huber_grad,
        gen.standard_normal(d + 1),
        args=(X[:8], y[:8], 1.0),
    )
    for _ in range(3)
)
print(f"gradient check of huber_grad: worst relative error {worst:.1e}")
""",
    check_args="huber_grad",
    context=_patient,
    transfer=True,
)

ridge = Exercise(
    "ch07.ridge",
    "ch07-ex-ridge",
    check_ridge_descent,
    hints=[
        (
            "The gradient formula is right. Run the loop for one step and for two steps"
            " on a small problem and print `theta`: which entry does something strange?"
        ),
        (
            "After `reg = theta`, `reg` and `theta` are the same array, so `reg[-1] ="
            " 0.0` changes `theta` too: the bias is reset to zero at every step, before"
            " the gradient is computed."
        ),
        (
            "Make `reg` a copy, `reg = theta.copy()`, then `reg[-1] = 0.0`; the rest of"
            " the loop stays."
        ),
    ],
    solution_code="""\
def ridge_descent(X, y, lam, rate, steps):
    A = np.column_stack([X, np.ones(len(y))])
    theta = np.zeros(A.shape[1])
    for _ in range(steps):
        # a copy: `reg = theta` made `reg[-1] = 0.0` zero the bias of theta itself
        reg = (
            theta.copy()
        )
        reg[-1] = 0.0  # the weights are penalised, the bias is not
        grad = 2 / len(y) * A.T @ (A @ theta - y) + 2 * lam * reg
        theta = theta - rate * grad
    return theta
""",
    check_args="ridge_descent",
    transfer=True,
)
