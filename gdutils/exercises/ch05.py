"""Checkers for chapter 5 (gradient descent versus ``scipy.optimize``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..benchmark import Run, select
from ..counting import CountedObjective
from ._core import Feedback, Mistake, check_function, check_value

__all__ = ["check_forward_gradient", "check_residuals", "check_gradient_ratio", "gradient_ratio"]


# --- exercise 1: a forward-difference gradient that costs d + 1 evaluations ------------------

def _forward(f, x, h):
    f0 = f(x)
    return np.array([(f(x + h * e) - f0) / h for e in np.eye(x.size)])


def _central(f, x, h):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


def _all_at_once(f, x, h):
    return np.full(x.size, (f(x + h) - f(x)) / h)


def _sum_exp(x):
    return float(np.sum(np.exp(x)))


def _rosen(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def _cases_forward():
    # h is large enough that forward and central differences differ visibly (truncation ~ h f''/2)
    return [
        (_sum_exp, np.array([0.3, -1.0, 2.0]), 1e-3),
        (_rosen, np.array([-1.2, 1.0, 0.5, 0.8]), 1e-4),
        (lambda x: float(x @ x + np.sin(x[0])), np.array([1.0, -2.0]), 1e-3),
    ]


_MISTAKES_FORWARD = [
    Mistake(
        "all coordinates at once",
        _all_at_once,
        "Every entry is the same number: you nudged all coordinates at once, x + h. A partial "
        "derivative moves one coordinate, x + h * e_j, with e_j the j-th unit vector.",
    ),
    Mistake(
        "divided by 2h",
        lambda f, x, h: _forward(f, x, h) / 2,
        "Half the right size: a forward difference (f(x + h e_j) - f(x)) / h divides by h; the 2h "
        "belongs to the central difference.",
    ),
    Mistake(
        "wrong sign",
        lambda f, x, h: -_forward(f, x, h),
        "Right size, wrong sign: the forward difference is f(x + h e_j) - f(x), not f(x) - f(x + h e_j).",
    ),
]


def check_forward_gradient(fn: Callable) -> Feedback:
    """Check ``fn(f, x, h)`` -> the forward-difference gradient, made with exactly d + 1 calls of ``f``.

    The calls are counted with :class:`gdutils.counting.CountedObjective`; central
    differences (2d calls) and recomputing f(x) for every coordinate are named.

    >>> def forward_gradient(f, x, h=1e-7):
    ...     f0 = f(x)
    ...     return np.array([(f(x + h * e) - f0) / h for e in np.eye(x.size)])
    >>> check_forward_gradient(forward_gradient).passed
    True
    >>> check_forward_gradient(lambda f, x, h: np.full(x.size, (f(x + h) - f(x)) / h)).mistake
    'all coordinates at once'
    """
    cases = _cases_forward()
    calls = []
    for f, x, h in cases:  # first pass: count the calls and watch the caller's x
        counted, x_given = CountedObjective(f), x.copy()
        try:
            fn(counted.fun, x_given, h)
        except Exception:  # not attempted or broken: check_function reports it below
            calls.append(None)
            continue
        if not np.allclose(x_given, x, rtol=1e-12, atol=0.0):
            return Feedback("fail", "Your function changed the x it was given (an in-place `x[j] += h` "
                                    "that is never undone). Work on a copy, e.g. `x + h * e`, so the "
                                    "caller's point stays put.", "modified x in place")
        calls.append(counted.nfev)
    fb = check_function(
        fn, _forward, [(f, x.copy(), h) for f, x, h in cases], _MISTAKES_FORWARD + [
            Mistake("central differences", _central,
                    "These are central differences: accurate, but they cost 2d evaluations of f. "
                    "The exercise asks for forward differences, which reuse f(x): d + 1 evaluations."),
        ],
        rtol=1e-9, atol=1e-12, what="`forward_gradient`",
    )
    if not fb.passed:
        return fb
    for i, (n_calls, (_, x, _)) in enumerate(zip(calls, cases), 1):
        d = x.size
        if n_calls == 2 * d:
            return Feedback("fail", f"Right values, but {n_calls} calls of f for d = {d} (case {i}): you "
                                    "recompute f(x) for every coordinate. Compute it once, before the loop: "
                                    f"d + 1 = {d + 1} calls.", "f(x) recomputed")
        if n_calls != d + 1:
            return Feedback("fail", f"Right values, but {n_calls} calls of f for d = {d} (case {i}); a forward "
                                    f"difference needs d + 1 = {d + 1}.", "too many calls")
    return Feedback("pass", "Right values with d + 1 evaluations of f in every case. SciPy, which already "
                            "knows f(x) from its line search, pays the other d for each gradient when you "
                            "do not pass `jac`.")


# --- exercise 2: residuals for least_squares -----------------------------------------------

def _residuals(theta, x, y):
    a, b, c = theta
    return a * x**2 + b * x + c - y


def _cases_residuals():
    rng = np.random.default_rng(5)
    cases = []
    for n in (7, 12, 5):
        x = rng.uniform(-1, 1, n)
        cases.append((rng.standard_normal(3), x, 2 * x**2 - 4 * x + 3 + 0.1 * rng.standard_normal(n)))
    return cases


_MISTAKES_RESIDUALS = [
    Mistake("squared residuals", lambda t, x, y: _residuals(t, x, y) ** 2,
            "least_squares squares the residuals itself: return r = model - y, not r**2 "
            "(with r**2 it would minimise the sum of r**4)."),
    Mistake("sum of squares", lambda t, x, y: float(np.sum(_residuals(t, x, y) ** 2)),
            "least_squares wants the vector of residuals (shape (n,)), not the loss: it sums the squares itself."),
    Mistake("mean squared error", lambda t, x, y: float(np.mean(_residuals(t, x, y) ** 2)),
            "That is the MSE, one number; least_squares wants the n residuals and squares them itself."),
    Mistake("parameters reversed", lambda t, x, y: _residuals(t[::-1], x, y),
            "The parameters are theta = (a, b, c) for a*x**2 + b*x + c; you used them in the reverse order."),
    Mistake("target forgotten", lambda t, x, y: _residuals(t, x, np.zeros_like(y)),
            "These are the predictions, not the residuals: subtract the target y."),
]


def check_residuals(fn: Callable) -> Feedback:
    """Check ``fn(theta, x, y)`` -> the residuals a*x**2 + b*x + c - y (either sign) of shape (n,).

    >>> check_residuals(lambda t, x, y: t[0] * x**2 + t[1] * x + t[2] - y).passed
    True
    >>> check_residuals(lambda t, x, y: np.sum((t[0] * x**2 + t[1] * x + t[2] - y) ** 2)).mistake
    'sum of squares'
    """
    cases = _cases_residuals()
    try:
        first = fn(*cases[0])
        flip = np.shape(first) == (len(cases[0][1]),) and np.allclose(first, -_residuals(*cases[0]))
    except Exception:  # reported by check_function below, with the right wording
        flip = False
    candidate = (lambda *c: -np.asarray(fn(*c), dtype=float)) if flip else fn
    return check_function(candidate, _residuals, cases, _MISTAKES_RESIDUALS, what="`residuals`")


# --- exercise 3: read the measured table ----------------------------------------------------

def _one(rows: Sequence[Run], problem: str, method: str, start: int) -> Run:
    found = select(rows, problem=problem, method=method, start=start)
    if len(found) != 1:
        raise ValueError(f"expected one row for problem={problem!r}, method={method!r}, start={start}; found {len(found)}.")
    return found[0]


def gradient_ratio(rows: Sequence[Run], problem: str = "Rosenbrock d=2", start: int = 0,
                   slow: str = "GD", fast: str = "BFGS") -> float:
    """Counted gradient evaluations of ``slow`` divided by those of ``fast`` on one problem and start.

    >>> r = [Run("p", 2, m, 0, n, n, 0, n - 1, 0.1, 1.0, 0.0, True, {}, np.zeros((0, 2)))
    ...      for m, n in [("GD", 100), ("BFGS", 10)]]
    >>> gradient_ratio(r, "p")
    10.0
    """
    return _one(rows, problem, slow, start).njev / _one(rows, problem, fast, start).njev


def check_gradient_ratio(answer, rows: Sequence[Run], problem: str = "Rosenbrock d=2", start: int = 0) -> Feedback:
    """Check the learner's GD/BFGS ratio of counted gradient evaluations on one problem and start.

    >>> r = [Run("p", 2, m, s, n + s, n + s, 0, n // 2, 0.1, 1.0, 0.0, True, {}, np.zeros((0, 2)))
    ...      for m, n in [("GD", 100), ("BFGS", 10)] for s in (0, 1, 2)]
    >>> check_gradient_ratio(10.0, r, "p").passed
    True
    >>> check_gradient_ratio(0.1, r, "p").mistake
    'inverted'
    """
    ref = gradient_ratio(rows, problem, start)
    gd, bfgs = _one(rows, problem, "GD", start), _one(rows, problem, "BFGS", start)
    med = (np.median([r.njev for r in select(rows, problem=problem, method="GD")])
           / np.median([r.njev for r in select(rows, problem=problem, method="BFGS")]))
    mistakes = {
        "inverted": (1 / ref, "That is BFGS over GD; the question asks how many times *more* GD needs: GD / BFGS."),
        "iterations": (gd.nit / bfgs.nit, "That is the ratio of iterations (nit). Use the counted gradient "
                                          "evaluations (njev): a BFGS iteration may evaluate the gradient more than once."),
        "median over starts": (med, f"That is the ratio of the medians over all starts; the question is about start {start} only."),
    }
    mistakes = {k: v for k, v in mistakes.items() if not np.isclose(v[0], ref, rtol=1e-3)}
    return check_value(answer, ref, mistakes, what="`gd_over_bfgs`")
